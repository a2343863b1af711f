"""The audio engine: MIDI to mastered files, a module per job.

| module | its job |
| --- | --- |
| :mod:`.timeline` | a MIDI file read and timed in samples, refused when no song is like it |
| :mod:`.synth` | one libfluidsynth synth playing one segment onto the tape |
| :mod:`.parallel` | the song cut into segments played at once (:func:`~.parallel.render_segments`: the
  one concurrent function), the tails added, the end trimmed |
| :mod:`.tape` | the song's audio in an unlinked temporary file, read and written a block at a time |
| :mod:`.overdub` | a part made apart (the sung voice) mixed over the band |
| :mod:`.mastering` | the master bus: EQ, compression, loudness to -14 LUFS, the true-peak limiter |
| :mod:`composer.loudness` | measuring: libebur128, K-weighted hop energies, true peak |
| :mod:`.files` | every format of the one table (``rules/audio.toml``), written all or none and tagged |
| :mod:`.render` | the above in order: :func:`~.render.render_file`, :func:`~.render.midi_to_audio` |

Modules use one another's public names only. :mod:`composer.render` and
:mod:`composer.master` keep the public names where they always were. Nothing
is imported here, so ``import composer.audio.timeline`` stays light.
"""
