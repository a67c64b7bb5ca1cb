"""The hardware layer: every part of the physical device is reached through here."""
