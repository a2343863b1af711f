"""How the text cases of issue 12 (item 5) are sung: numbers, emoji, names, titles.

The code is composer/tools/sung_text.py (its docstring says how to run it and what it
measures); this file only runs it, as `python scripts/sung_text.py` always has.
"""

import sys

from composer.tools.sung_text import main

if __name__ == "__main__":
    sys.exit(main())
