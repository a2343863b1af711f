"""The engine version, recorded in every song.json."""

__version__ = "0.4.0"
