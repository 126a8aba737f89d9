"""Read models the hub discloses from."""
