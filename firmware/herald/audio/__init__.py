"""Herald's audio engine: the one owner of the speaker and the microphone.

Clips, live audio and tones are mixed by priority into the playback PCM;
the capture PCM feeds listening, recording and sound-level detection. The
pieces are small modules named for what they hold:

- formats: `g711`, `pcm`, `resample`, `gain`, `levels`;
- clips: `clipformat` (what a file really is), `decode`, `clips` (the store);
- playing: `sources` (clip, tone, live), `mixer` (priorities, fades, limits),
  `device` (a thread owning a PCM), `playback`, `realtime`;
- listening: `capture`, `echo` (echo cancellation), `recorder`;
- outside: `live` (transmit.cgi's formats), `link` (the audio socket to the
  web and the workers), `params` (the parameter tree), `settings`, and
  `service` (the core service on the bus).

On a host, herald.simulation.sound_card stands in for the sound card.
"""

import os

# numpy's OpenBLAS starts a thread per core as numpy is imported, and they
# spin: herald-core's start took a third more CPU for them. The audio code
# never calls BLAS (no dot products or linear algebra, only element-wise
# operations and FFTs), so one thread loses nothing. Set here, before any
# module of the engine imports numpy; a value from the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
