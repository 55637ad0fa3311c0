"""Starting a controller's workers once its informers have listed, as client-go's
cache.WaitForCacheSync and a controller's Run do.

A worker that ran on a half-filled cache would see a ReplicaSet but not yet its pods, and
create them all again; so workers start only when every informer the controller reads has
synced, checked every 100 ms (syncedPollPeriod in tools/cache/shared_informer.go).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

from k8slab.client.informer import Informer
from k8slab.client.workqueue import WorkQueue, run_workers

SYNCED_POLL_PERIOD = 0.1


def start_when_synced(queue: WorkQueue, informers: Sequence[Informer],
                      sync: Callable[[str], Generator], workers: int) -> None:
    """Run `workers` workers on `queue` once every informer in `informers` has synced."""

    def wait_then_run() -> Generator:
        while not all(informer.synced for informer in informers):
            yield queue.group.env.timeout(SYNCED_POLL_PERIOD)
        run_workers(queue, sync, workers)

    queue.group.spawn(wait_then_run())
