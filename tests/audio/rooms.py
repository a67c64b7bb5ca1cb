"""Rooms the speaker tests play into (herald.simulation.sound_card's set_room):
the speaker heard 10 dB down and 20 ms late, and a room that has lost the
2 kHz band (a notch 40 dB deep), as a failed tweeter would."""

ROOM_DB, ROOM_DELAY_MS = -10.0, 20.0
NOTCH_2K = [(1600.0, 0.0), (1780.0, -40.0), (2250.0, -40.0), (2500.0, 0.0)]
