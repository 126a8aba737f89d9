"""What runs at an agency: map its own records to the hub's envelope, sign, and publish."""
