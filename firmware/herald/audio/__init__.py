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
