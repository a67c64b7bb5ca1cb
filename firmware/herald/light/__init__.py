"""The status LED's light profiles and activities (herald-core serves them)."""
