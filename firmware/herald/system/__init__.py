"""System: the device's time, connections, logs and restarts."""
