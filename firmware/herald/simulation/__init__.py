"""The physical world for development hosts and tests: a sound card backed
by files and the room it plays into. The production HAL never imports it."""
