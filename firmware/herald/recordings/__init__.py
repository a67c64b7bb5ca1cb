"""Recordings from the microphone."""
