"""Creating and deleting a controller's pods, with the Events upstream's RealPodControl
records, and the slow-start batches that keep a failing controller from flooding the API.

Every created pod is announced on its owner: `SuccessfulCreate` `Created pod: web-7xk2p`, or
a Warning `FailedCreate` `Error creating: <the API's message>`; deletions likewise
(kk pkg/controller/controller_utils.go RealPodControl, reference i.2).
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.client.events import EventRecorder
from k8slab.client.rest import Client
from k8slab.controllers.controller_utils import SLOW_START_INITIAL_BATCH_SIZE
from k8slab.controllers.expectations import Expectations
from k8slab.errors import K8sLabError, NotFoundError
from k8slab.sim.host import ProcessGroup


class PodControl:
    """Creates and deletes pods for an owner, recording an Event for each."""

    def __init__(self, client: Client, recorder: EventRecorder) -> None:
        self.client = client
        self.recorder = recorder

    def create_pod(self, pod: dict, owner: dict) -> Generator:
        """POST `pod`; record SuccessfulCreate or FailedCreate on `owner`; return the pod."""
        if not pod["metadata"].get("labels"):
            raise K8sLabError("unable to create pods, no labels")
        try:
            created = yield from self.client.create(pod)
        except K8sLabError as error:
            self.recorder.event(owner, "Warning", "FailedCreate",
                                f"Error creating: {error.message}")
            raise
        self.recorder.event(owner, "Normal", "SuccessfulCreate",
                            f"Created pod: {created['metadata']['name']}")
        return created

    def delete_pod(self, namespace: str, name: str, owner: dict) -> Generator:
        """DELETE the pod; record SuccessfulDelete, or FailedDelete unless it was already gone."""
        try:
            yield from self.client.delete("pods", name, namespace)
        except NotFoundError:
            raise
        except K8sLabError as error:
            self.recorder.event(owner, "Warning", "FailedDelete",
                                f"Error deleting: {error.message}")
            raise
        self.recorder.event(owner, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")


def pod_key(pod: dict) -> str:
    """`namespace/name` (controller.PodKey)."""
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


def delete_pods(group: ProcessGroup, pod_control: PodControl, expectations: Expectations,
                key: str, pods: list[dict], owner: dict) -> Generator:
    """Delete `pods` of `owner` together. A delete that failed will never be seen by the
    informer, so it is no longer expected; the failures other than NotFound are returned."""
    results = yield from run_together(group, [
        pod_control.delete_pod(p["metadata"]["namespace"], p["metadata"]["name"], owner)
        for p in pods])
    errors = []
    for pod, result in zip(pods, results, strict=True):
        if isinstance(result, K8sLabError):
            expectations.deletion_observed(key, pod_key(pod))
            if not isinstance(result, NotFoundError):
                errors.append(result)
    return errors


def run_together(group: ProcessGroup, calls: list[Generator]) -> Generator:
    """Run the calls concurrently (as goroutines) and return, in order, each one's result or
    the K8sLabError it raised."""

    def caught(call: Generator) -> Generator:
        try:
            return (yield from call)
        except K8sLabError as error:
            return error

    processes = [group.spawn(caught(call)) for call in calls]
    if processes:
        yield group.env.all_of(processes)
    return [process.value for process in processes]


def slow_start_batch(group: ProcessGroup, count: int, call: Callable[[], Generator],
                     initial: int = SLOW_START_INITIAL_BATCH_SIZE) -> Generator:
    """Make `count` calls in batches of 1, 2, 4, 8...; a batch with a failure ends the run.

    Returns (successes, first error or None). If the first pod cannot be created, say because
    a quota is full, only one request is wasted, not five hundred (slowStartBatch).
    """
    remaining, successes = count, 0
    batch = min(remaining, initial)
    while batch > 0:
        results = yield from run_together(group, [call() for _ in range(batch)])
        errors = [result for result in results if isinstance(result, K8sLabError)]
        successes += batch - len(errors)
        if errors:
            return successes, errors[0]
        remaining -= batch
        batch = min(2 * batch, remaining)
    return successes, None
