"""Measuring a written song from the outside: instruments for `make evaluate`, `make bench` and the tests.

Nothing here runs when a song is made: the engine never imports this package.
Each module reads what ``songgram compose --stems`` wrote (song.json, song.mid,
the stems) and measures it with public tools:

- :mod:`.sung`: the contract, read back: the Vocal notes at their performed
  times with their syllables and words, the sections in seconds, the stems.
- :mod:`.voice`: is the vocal sounding on every note, at which pitch, and how
  loud against the band in the choruses.
- :mod:`.intelligibility`: which of the sung words a speech recogniser hears.
- :mod:`.voiceroll`: a picture of the sung pitch over the written notes.
"""
