"""Generated sample exports for each connector (fictional people and places only)."""
