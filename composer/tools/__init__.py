"""Tools for the people who change the engine: golden hashes, evaluation, fuzzing.

Nothing here is imported when a song is made; scripts/ runs these modules from
the command line and tests/ imports them like any other module.
"""
