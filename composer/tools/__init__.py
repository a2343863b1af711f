"""Tools for the people who change the engine: evaluation, fuzzing, golden hashes.

Nothing here is imported when a song is made; ``scripts/`` runs these modules
from the command line (``python scripts/evaluate.py`` is ``composer.tools.evaluate``)
and ``tests/`` imports them like any other module. Their default data files
are the checkout's ``tests/data``. Some need the ``[dev]`` extra (music21).

- :mod:`.evaluate`: ``make evaluate``, the lyric and melody figures from written files;
- :mod:`.evaluate_lyrics`, :mod:`.evaluate_arrangement`: the lyric and arrangement figures;
- :mod:`.export_checks`: what each export keeps, read back;
- :mod:`.fuzz`: ``make fuzz``, random messages and options against compose();
- :mod:`.guardrail_eval`: the guardrails on the labelled set;
- :mod:`.sung_text`: how numbers, emoji and names are sung, read back from song.mid;
- :mod:`.golden`: the golden hashes of one song per genre.
"""
