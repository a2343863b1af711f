"""`make fuzz`: a long campaign of random messages and options against compose().

The code is composer/tools/fuzz.py (its docstring says how to run it and what it
measures); this file only runs it, as `python scripts/fuzz.py` always has.
"""

import sys

from composer.tools.fuzz import main

if __name__ == "__main__":
    sys.exit(main())
