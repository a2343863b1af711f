"""Batches: a file of song requests into a folder of songs, on this machine or a Ray cluster.

``songgram batch REQUESTS --out DIR`` and ``songgram stats DIR`` are thin
layers over this package:

- :mod:`~composer.batch.requests` reads REQUESTS (JSON Lines or CSV);
- :mod:`~composer.batch.manifest` keeps one row per request in ``DIR/batch.sqlite``;
- :mod:`~composer.batch.worker` makes songs with the engine loaded once;
- :mod:`~composer.batch.local` (a process pool) and :mod:`~composer.batch.cluster`
  (Ray actors) run the workers;
- :mod:`~composer.batch.runner` ties them together, resumably;
- :mod:`~composer.batch.stats` and :mod:`~composer.batch.report` tell what was asked for.
"""

from .runner import Summary as Summary, run_batch as run_batch

__all__ = ["run_batch", "Summary"]
