"""What a song's exports keep, read back from the written files (issue 13, item 6).

The code is composer/tools/export_checks.py (its docstring says how to run it and what it
measures); this file only runs it, as `python scripts/export_checks.py` always has.
"""

import sys

from composer.tools.export_checks import main

if __name__ == "__main__":
    sys.exit(main())
