"""The work queue: a key is held once, never by two workers, and failures come back later."""

from collections.abc import Generator

import pytest

from k8slab.client.workqueue import BACKOFF_BASE, BUCKET_BURST, WorkQueue, run_workers
from k8slab.errors import ConflictError
from k8slab.sim.kernel import Simulation
from k8slab.sim.network import Network


@pytest.fixture
def group():
    network = Network(Simulation(1))
    host = network.add_host("control-plane")
    host.start()
    return host.group("kube-controller-manager")


def test_a_key_added_many_times_is_synced_once(group):
    queue = WorkQueue(group, "pods")
    synced = []

    def sync(key: str) -> Generator:
        synced.append((key, group.sim.now))
        yield group.env.timeout(1)

    for key in ("default/a", "default/b", "default/a", "default/a"):
        queue.add(key)
    run_workers(queue, sync, 1)
    group.sim.run(5)
    assert synced == [("default/a", 0), ("default/b", 1)]


def test_a_key_added_while_processing_waits_for_done_and_no_two_workers_share_it(group):
    queue = WorkQueue(group, "pods")
    running: list[str] = []
    overlaps = []
    synced = []

    def sync(key: str) -> Generator:
        overlaps.append(key in running)
        running.append(key)
        synced.append(group.sim.now)
        yield group.env.timeout(1)
        running.remove(key)

    queue.add("default/a")
    run_workers(queue, sync, 3)
    group.sim.run(0.5)
    queue.add("default/a")  # while the first sync runs
    queue.add("default/a")
    group.sim.run(5)
    assert synced == [0, 1] and overlaps == [False, False]


def test_failures_back_off_exponentially_and_forget_resets(group):
    queue = WorkQueue(group, "pods")
    attempts = []

    def sync(key: str) -> Generator:
        attempts.append(round(group.sim.now, 6))
        yield group.env.timeout(0)
        if len(attempts) < 4:
            raise ConflictError("the object has been modified")

    queue.add("default/a")
    run_workers(queue, sync, 1)
    group.sim.run(1)
    gaps = [round(b - a, 6) for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps == [BACKOFF_BASE, 2 * BACKOFF_BASE, 4 * BACKOFF_BASE]
    assert queue.requeues("default/a") == 0


def test_the_token_bucket_slows_a_burst_beyond_its_size(group):
    queue = WorkQueue(group, "pods")
    delays = [queue._bucket_wait() for _ in range(BUCKET_BURST + 3)]
    assert delays[:BUCKET_BURST] == [0.0] * BUCKET_BURST
    assert delays[BUCKET_BURST:] == pytest.approx([0.1, 0.2, 0.3])


def test_add_after_waits_the_delay(group):
    queue = WorkQueue(group, "pods")
    seen = []

    def sync(key: str) -> Generator:
        seen.append((key, group.sim.now))
        yield group.env.timeout(0)

    queue.add_after("default/a", 2.5)
    run_workers(queue, sync, 1)
    group.sim.run(5)
    assert seen == [("default/a", 2.5)]
