"""Package data: read through importlib.resources, never imported for code."""
