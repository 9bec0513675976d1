"""Batch translation on a Ray cluster: ``python -m align batch IN OUT --cluster ray|ray://HOST:PORT``.

Only the decoding moves. The driver does everything the local batch does (plan, read, segment,
memory, glossary, quality estimate, write, manifest) with its own translator, and
``RemoteTranslator`` sends the batches that translator planned (same tokens, same length-sorted
groups, same options) to worker actors, round robin, and takes the texts back in order. Every
batch is decoded with the same inputs as in a local run, so the outputs are byte-identical (on
workers with the same kind of CPU: int8 kernels differ between instruction sets), and a large file
is spread over the workers batch by batch.

The quality estimate (``score_batch``) stays on the driver: the simplest byte-identical route (it
reuses ``translate_segmented`` unchanged) at the cost of about a tenth of the work; see README.

Workers need this package and its dependencies installed (``pip install '.[cluster]'``), not the
models: the driver tars the installed model package once, puts it in Ray's object store, and
each actor unpacks it into a temporary folder. Actors restart and their tasks are retried when a
worker process dies, so a killed worker's batch is decoded again elsewhere; files are written by
the driver after their window completes, so the manifest stays correct.

Ray is optional and imported only here, only when ``--cluster`` is given.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import shutil
import tarfile
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from align.errors import AlignError
from align.mt.translate import TranslateStats, Translator

if TYPE_CHECKING:
    from align.glossary import Glossary, Hit
    from align.glossary.terms import GlossaryIndex
    from align.mt.translate import TranslateOptions

log = logging.getLogger(__name__)

#: For tests: a worker that finds the file this variable names deletes it and exits at once
#: (every worker, every time, and the file stays, when it holds ``CRASH_FLAG_ALWAYS``).
CRASH_FLAG_ENV = "ALIGN_CLUSTER_CRASH_FLAG"
CRASH_FLAG_ALWAYS = "always"
#: A dead worker is restarted (and its batch retried) this many times before the window fails.
MAX_RESTARTS = 3
INSTALL_HINT = "pip install '.[cluster]'"
#: What a client of a head with token authentication needs (Ray 2.60's client retries a refused
#: token for 30 s and then says only "ray client connection timeout").
TOKEN_SETTINGS = "set RAY_AUTH_MODE=token and the cluster's token (RAY_AUTH_TOKEN, or a file named by RAY_AUTH_TOKEN_PATH)"
#: Ray Client's debug line when the head rejects this client's token (or its lack of one).
_TOKEN_REJECTED = "authentication token"


def import_ray() -> Any:
    """Ray, or a one-line error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise AlignError(f"--cluster needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def pack_package(folder: Path) -> bytes:
    """The model package folder as an uncompressed tar (models compress poorly; speed matters more)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(str(folder), arcname="package")
    return buffer.getvalue()


class DecodeWorker:
    """One model on a worker: unpacked from the object store once, then decoding batch after batch."""

    def __init__(self, package_tar: bytes, options: TranslateOptions) -> None:
        from align.mt.packages import read_package

        self.folder = tempfile.mkdtemp(prefix="align-worker-")
        with tarfile.open(fileobj=io.BytesIO(package_tar)) as tar:
            tar.extractall(self.folder, filter="data")
        self.translator = Translator.load(read_package(Path(self.folder) / "package"), options)
        self.indexes: dict[str, GlossaryIndex] = {}

    def decode(
        self, tokens: list[list[str]], hits: list[tuple[Hit, ...]] | None, glossary: Glossary | None
    ) -> tuple[list[str], int]:
        """One planned batch's texts (exactly ``Translator._translate_batch``) and its output tokens."""
        _crash_if_flagged()
        terms = None
        if glossary is not None and hits is not None:
            key = glossary.fingerprint()
            if key not in self.indexes:
                package = self.translator.package
                self.indexes[key] = glossary.index(package.from_code, package.to_code)
            terms = self.indexes[key]
        stats = TranslateStats()
        texts = self.translator._translate_batch(tokens, stats, hits, terms)
        return texts, stats.output_tokens

    def __del__(self) -> None:
        shutil.rmtree(getattr(self, "folder", ""), ignore_errors=True)


def _crash_if_flagged() -> None:
    flag = os.environ.get(CRASH_FLAG_ENV)
    if flag:
        try:
            with open(flag, encoding="utf-8") as handle:
                always = handle.read().strip() == CRASH_FLAG_ALWAYS
            if not always:
                os.unlink(flag)
        except FileNotFoundError:
            return
        log.warning("crash flag %s found: exiting this worker", flag)
        os._exit(1)


class RemoteTranslator(Translator):
    """The driver's translator, its planned batches decoded by worker actors instead of locally."""

    actors: list[Any]  # the worker actors, given by ``on_workers``

    @classmethod
    def on_workers(cls, local: Translator, actors: list[Any]) -> RemoteTranslator:
        """``local`` (its package, options and planning) with its batches sent to ``actors``."""
        remote = cls.sharing(local)
        remote.actors = actors
        return remote

    def _run_batches(
        self,
        work: list[tuple[list[list[str]], list[tuple[Hit, ...]] | None]],
        stats: TranslateStats,
        terms: GlossaryIndex | None,
        glossary: Glossary | None,
    ) -> Iterator[list[str]]:
        ray = import_ray()
        shared = ray.put(glossary) if glossary is not None else None
        # all at once: each actor runs its queue in order; results are taken back in plan order
        refs = [self.actors[n % len(self.actors)].decode.remote(tokens, hits, shared) for n, (tokens, hits) in enumerate(work)]
        for ref in refs:
            try:
                texts, output_tokens = ray.get(ref)
            except ray.exceptions.RayError as err:
                raise AlignError(_worker_failure(err)) from None
            stats.output_tokens += output_tokens
            yield texts


def _worker_failure(err: Exception) -> str:
    """One line for a batch the workers could not decode: Ray's own report runs to a dozen lines
    (the actor, its process, a remote traceback) and would repeat under every file of the window."""
    import ray

    first = next((line.strip() for line in str(err).splitlines() if line.strip()), type(err).__name__).rstrip(".")
    if isinstance(err, ray.exceptions.RayActorError):
        return (
            f"a Ray worker died more than {MAX_RESTARTS} times, the restart limit: {first}; "
            "see the workers' Ray logs (out of memory? a missing package?)"
        )
    return f"a Ray worker failed: {type(err).__name__}: {first}"


def _connect(ray: Any, address: str) -> bool:
    """Join (or start) the cluster ``address`` names; True when this call started a connection."""
    if ray.is_initialized():
        return False  # a caller (a test, a notebook) already chose the cluster
    if address == "ray":
        ray.init(address="local", include_dashboard=False, log_to_driver=False)
    elif address.startswith("ray://"):
        try:
            with _client_messages() as messages, warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Ray's multi-line "connection timed out" hint: ours says more
                ray.init(address=address, log_to_driver=False)
        except ImportError as err:  # Ray Client needs grpcio (the cluster extra pins ray[client])
            raise AlignError(f"--cluster {address}: {err}; {INSTALL_HINT}") from None
        except ConnectionError as err:
            raise AlignError(_connection_failure(address, err, messages)) from None
    else:
        raise AlignError(f"--cluster {address!r}: use 'ray' (a local Ray for this run) or 'ray://HOST:PORT'")
    return True


def _connection_failure(address: str, err: Exception, messages: list[str]) -> str:
    """One line naming the likely cause: a token the head wants, or a head that cannot be reached."""
    reason = next((line.strip() for line in str(err).splitlines() if line.strip()), type(err).__name__)
    if any(_TOKEN_REJECTED in message.lower() for message in messages):
        return (
            f"--cluster {address}: the head rejected this client's token ({reason}); it runs with token "
            f"authentication (RAY_AUTH_MODE=token): {TOKEN_SETTINGS} in this shell"
        )
    return (
        f"--cluster {address}: cannot connect ({reason}); check that the head's Ray client server listens on that "
        f"port and can be reached from here; if the head runs with token authentication (RAY_AUTH_MODE=token), "
        f"{TOKEN_SETTINGS} here too"
    )


@contextmanager
def _client_messages() -> Iterator[list[str]]:
    """The debug messages Ray Client logs while this thread connects, for ``_connection_failure``:
    only they say why a head refused (its ConnectionError never does). Debug records are only
    collected here, not passed on to Ray's own handlers."""
    logger = logging.getLogger("ray.util.client.worker")
    messages: list[str] = []
    before = logger.level
    passing = logger.getEffectiveLevel()
    thread = threading.get_ident()

    def collect(record: logging.LogRecord) -> bool:
        if record.thread == thread:
            messages.append(record.getMessage())
        return record.levelno >= passing

    logger.addFilter(collect)
    logger.setLevel(logging.DEBUG)
    try:
        yield messages
    finally:
        logger.setLevel(before)
        logger.removeFilter(collect)


@contextmanager
def cluster_translator(address: str, local: Translator, workers: int = 0) -> Iterator[RemoteTranslator]:
    """A RemoteTranslator with ``workers`` actors (default: one per ``threads`` CPUs of the
    cluster), on the cluster ``address`` names; actors are removed (and a Ray started here shut
    down) on exit."""
    ray = import_ray()
    started = _connect(ray, address)
    actors: list[Any] = []
    try:
        cpus = max(1, local.options.threads)
        count = workers or max(1, int(ray.cluster_resources().get("CPU", 1)) // cpus)
        actor_class = ray.remote(DecodeWorker).options(num_cpus=cpus, max_restarts=MAX_RESTARTS, max_task_retries=MAX_RESTARTS)
        package = ray.put(pack_package(local.package.path))
        options = dataclasses.replace(local.options, threads=cpus)  # threads=0 would take every core per actor
        actors = [actor_class.remote(package, options) for _ in range(count)]
        log.info("%d worker(s) on %s, %d CPU(s) each", count, address, cpus)
        yield RemoteTranslator.on_workers(local, actors)
    finally:
        for actor in actors:
            ray.kill(actor)
        if started:
            ray.shutdown()
