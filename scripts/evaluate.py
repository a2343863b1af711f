"""`make evaluate`: the figures of issues 3 and 4, measured from the written files.

The code is composer/tools/evaluate.py (its docstring says how to run it and what it
measures); this file only runs it, as `python scripts/evaluate.py` always has.
"""

import sys

from composer.tools.evaluate_run import main

if __name__ == "__main__":
    sys.exit(main())
