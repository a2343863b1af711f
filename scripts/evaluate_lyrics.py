"""The lyric figures of issue 12, measured from the song.json files the engine writes.

The code is composer/tools/evaluate_lyrics.py (its docstring says how to run it and what it
measures); this file only runs it, as `python scripts/evaluate_lyrics.py` always has.
"""

import sys

from composer.tools.evaluate_lyrics import main

if __name__ == "__main__":
    sys.exit(main())
