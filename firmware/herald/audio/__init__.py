"""Herald's audio engine: the one owner of the speaker and the microphone.

Clips, live audio and tones are mixed by priority into the playback PCM;
the capture PCM feeds listening, recording and sound-level detection. The
pieces are small modules named for what they hold: `g711` and `pcm` (sample
formats), `resample`, `levels`, `clipformat` (what a clip file is),
`decode`, `clips` (the clip store), `sources` and `mixer` (what plays and how
loud), `playback` and `capture` (the ALSA threads), `live` (streamed audio),
`link` (the data socket to the web and workers) and `service` (the core
service on the bus).
"""
