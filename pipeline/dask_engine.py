"""``--engine dask``: process partitions of documents on a Dask cluster.

The driver (``run_batch``) reads the inputs and writes the journal; workers
only run the pipeline. Each worker process loads the pipeline once (a cached
loader keyed by model) and turns a partition of work items into journal
entries with the same code as the local engine and ``analyze`` (``engine.process_items``), so
both engines produce identical tables. Results come back in input order and
at most a few partitions per worker are in flight, so the driver's memory
stays flat.

Without ``scheduler`` a ``LocalCluster`` of worker processes is started; with
``scheduler="tcp://host:8786"`` an existing cluster is used (its workers need
motorsport-nlp and the base model installed).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .engine import DEFAULT_BATCH_SIZE, failure_entry

logger = logging.getLogger(__name__)

DEFAULT_LOCAL_WORKERS = 2
DEFAULT_PARTITION_DOCS = 200
DEFAULT_PARTITION_CHARS = 2_000_000
DEFAULT_PARTITIONS_IN_FLIGHT_PER_WORKER = 2
INSTALL_HINT = "pip install 'motorsport-nlp[dask]'"

_PIPELINES: dict[str | None, Any] = {}
_PIPELINES_LOCK = threading.Lock()


class DaskUnavailable(RuntimeError):
    """dask[distributed] is not installed."""


def require_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as error:
        raise DaskUnavailable(f"--engine dask needs dask[distributed] ({error.name} is missing): "
                              f"{INSTALL_HINT}") from None


def worker_pipeline(model: str | None):
    """The pipeline of this worker process, loaded on first use."""
    with _PIPELINES_LOCK:
        if model not in _PIPELINES:
            from .api import load_pipeline

            _PIPELINES[model] = load_pipeline(model, lemmatizer=False)  # no table carries lemmas
        return _PIPELINES[model]


def process_partition(items: list, model: str | None, batch_size: int) -> list[dict[str, Any]]:
    """Runs on a worker: journal entries for one partition, in order."""
    from .engine import process_items

    return list(process_items(worker_pipeline(model), items, batch_size=batch_size))


def _failed_entries(items: list, error: BaseException) -> list[dict[str, Any]]:
    # A document that kills its worker every time (e.g. out of memory) becomes an error row.
    return [failure_entry(item, error.__class__.__name__, str(error).strip()) for item in items]


def iter_partitions(items: Iterable, *, max_docs: int = DEFAULT_PARTITION_DOCS,
                    max_chars: int = DEFAULT_PARTITION_CHARS) -> Iterator[list]:
    """Consecutive groups of items, one task each: the same grouping as the
    local engine's memory zones, with partition-sized limits."""
    from .engine import iter_zones

    return iter_zones(items, max_docs=max_docs, max_chars=max_chars)


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, else of a new LocalCluster of processes."""
    require_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    # One thread per worker: the pipeline is pure Python, threads would share one GIL.
    cluster = LocalCluster(n_workers=n_workers or DEFAULT_LOCAL_WORKERS, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def run_dask(
    items: Iterable,
    *,
    model: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    scheduler: str | None = None,
    n_workers: int | None = None,
    partition_docs: int = DEFAULT_PARTITION_DOCS,
    cluster_info: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Journal entries for ``items`` in input order, computed on the cluster.

    ``cluster_info`` (if given) receives the scheduler and the number of workers for run.json.
    """
    with dask_client(scheduler, n_workers) as client:
        workers = len(client.scheduler_info().get("workers", {})) or (n_workers or DEFAULT_LOCAL_WORKERS)
        if cluster_info is not None:
            cluster_info.update(scheduler=scheduler or "LocalCluster", workers=workers)
        window = workers * DEFAULT_PARTITIONS_IN_FLIGHT_PER_WORKER
        in_flight: deque = deque()
        partitions = iter_partitions(items, max_docs=partition_docs)
        for partition in partitions:
            in_flight.append((partition, _submit(client, partition, model, batch_size)))
            if len(in_flight) >= window:
                yield from _collect(client, *in_flight.popleft(), model, batch_size)
        while in_flight:
            yield from _collect(client, *in_flight.popleft(), model, batch_size)


def _submit(client, partition: list, model: str | None, batch_size: int):
    # pure=False: equal partitions in different runs must still be computed.
    return client.submit(process_partition, partition, model, batch_size, pure=False)


def _collect(client, partition: list, future, model: str | None, batch_size: int) -> Iterator[dict[str, Any]]:
    try:
        yield from future.result()
        return
    except Exception as error:  # e.g. KilledWorker: find the document that takes workers down
        logger.warning("partition of %d documents failed on the cluster (%s); retrying them one by one",
                       len(partition), error.__class__.__name__)
    finally:
        future.release()
    for item in partition:
        single = _submit(client, [item], model, batch_size)
        try:
            yield from single.result()
        except Exception as error:
            logger.warning("document %s failed on the cluster: %s", item.doc_id, error.__class__.__name__)
            yield from _failed_entries([item], error)
        finally:
            single.release()
