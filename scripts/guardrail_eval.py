"""Guardrail precision and recall on the labelled set tests/data/guardrails_labelled.jsonl.

The code is composer/tools/guardrail_eval.py (its docstring says how to run it and what it
measures); this file only runs it, as `python scripts/guardrail_eval.py` always has.
"""

import sys

from composer.tools.guardrail_eval import main

if __name__ == "__main__":
    sys.exit(main())
