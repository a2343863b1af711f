"""The Ray engine: the same batch on a Ray cluster (or a Ray started on this machine).

It follows Ray's advice for CPU-bound Python work: a fixed set of actors,
each holding a loaded :class:`~composer.batch.worker.SongMaker` (one CPU
each), and backpressure on the songs in flight (at most two per actor: one
being made, one waiting), collected with ``ray.wait`` as they finish rather
than all at the end. Every node writes into the same ``--out`` path, so on
more than one machine that folder must be shared storage (see docs/scale.md);
only the coordinator writes the manifest.

Ray is an optional extra (``pip install songgram[cluster]``); without it, or
with an address nobody answers on, :class:`~composer.errors.ClusterError`
(exit code 7) says so in one line.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import deque
from typing import Any, Callable, Iterable

from ..errors import ClusterError
from .local import IN_FLIGHT_PER_WORKER, MakerSpec
from .manifest import Row
from .requests import Request

__all__ = ["run_ray", "check_ray", "check_address"]

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a Ray address to answer before giving up."""


class _SongActor:
    """A Ray actor holding one loaded song maker."""

    def __init__(self, spec: MakerSpec) -> None:
        self.maker = spec.build("ray")

    def make(self, request: Request) -> Row:
        return self.maker.make(request)


def check_address(address: str) -> None:
    """Check that something answers at ``address`` (``host:port``) within :data:`CONNECT_TIMEOUT`.

    Raises:
        ClusterError: the address is malformed or does not answer.

    >>> check_address("nowhere")
    Traceback (most recent call last):
    ...
    composer.errors.ClusterError: --address must be HOST:PORT (a Ray head's GCS port, 6379 by default), got 'nowhere'
    """
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--address must be HOST:PORT (a Ray head's GCS port, 6379 by default), got {address!r}")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
    except OSError as err:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {err.strerror or err}") from err


def check_ray(address: str | None) -> None:
    """Check, before anything is written, that Ray is installed and ``address`` (if any) answers.

    Raises:
        ClusterError: it is not, or it does not.
    """
    _ray()
    if address:
        check_address(address)


def _ray() -> Any:
    try:
        import ray
    except ImportError as err:
        raise ClusterError("--engine ray needs Ray: pip install 'songgram[cluster]'") from err
    return ray


def run_ray(requests: Iterable[Request], spec: MakerSpec, *, workers: int | None, address: str | None,
            on_row: Callable[[Row], None]) -> int:
    """Make ``requests`` on Ray actors, calling ``on_row`` here as each ends; returns the number of actors.

    Args:
        requests: the requests to make.
        spec: what each actor builds.
        workers: actors to start; None for one per CPU of the cluster.
        address: a Ray head's ``host:port``; None starts a new Ray on this machine (never
            an existing cluster that happens to run here).
        on_row: called with each finished row, in this process.

    Raises:
        ClusterError: Ray is missing, the address does not answer, or every actor died.
    """
    ray = _ray()
    if address:
        check_address(address)
    try:
        if address:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        else:
            ray.init(address="local", num_cpus=workers or os.cpu_count() or 1, include_dashboard=False,
                     logging_level=logging.ERROR, log_to_driver=False)
    except Exception as err:  # Ray raises many kinds here (ConnectionError, RuntimeError...)
        raise ClusterError(f"cannot start Ray{f' at {address}' if address else ''}: {err}") from err
    try:
        count = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor_class = ray.remote(num_cpus=1)(_SongActor)
        actors = [actor_class.remote(spec) for _ in range(count)]
        _drive(ray, actors, iter(requests), on_row)
        return count
    finally:
        ray.shutdown()


def _drive(ray: Any, actors: list[Any], todo: Iterable[Request], on_row: Callable[[Row], None]) -> None:
    """Keep each live actor busy with at most IN_FLIGHT_PER_WORKER requests until ``todo`` runs out."""
    todo = iter(todo)
    flying: dict[Any, tuple[Any, Request]] = {}
    idle = deque(actor for actor in actors for _ in range(IN_FLIGHT_PER_WORKER))
    while True:
        while idle:
            request = next(todo, None)
            if request is None:
                break
            actor = idle.popleft()
            flying[actor.make.remote(request)] = (actor, request)
        if not flying:
            return
        ready, _ = ray.wait(list(flying), num_returns=1)
        actor, request = flying.pop(ready[0])
        try:
            on_row(ray.get(ready[0]))
            idle.append(actor)
        except ray.exceptions.RayError as err:
            on_row(Row(id=request.id, line=request.line, status="failed", error=f"ray: {type(err).__name__}: "
                       f"{str(err).splitlines()[0] if str(err) else ''}", genre=request.genre, vibe=request.vibe,
                       seed=request.seed, language=request.language, engine="ray"))
            if isinstance(err, ray.exceptions.RayActorError):
                idle = deque(a for a in idle if a is not actor)
                if not idle and not any(a is not actor for a, _ in flying.values()):
                    raise ClusterError("every Ray actor died; see the Ray logs (rerun to retry)") from err
            else:
                idle.append(actor)
