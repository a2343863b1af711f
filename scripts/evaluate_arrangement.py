"""`make evaluate`, the arrangement (issue 13): does the voice lead, does the form grow, does each

The code is composer/tools/evaluate_arrangement.py (its docstring says how to run it and what it
measures); this file only runs it, as `python scripts/evaluate_arrangement.py` always has.
"""

import sys

from composer.tools.evaluate_arrangement import main

if __name__ == "__main__":
    sys.exit(main())
