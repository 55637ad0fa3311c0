"""`kubectl logs -f`: a pod's log, then what the container writes next, until it stops.

The simulated kubelet answers a log read with the text so far (it has no streaming read), so
following is reading again each time the simulated clock has moved on by a second, and
sending what was added. The stream ends when the pod has finished (Succeeded or Failed) or is
gone, as upstream's follow ends when the container exits. Simplified: a container restarting
inside a pod that keeps running goes on with the new container's log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from k8slab.errors import NotFoundError

READ_EVERY = 1.0  # simulated seconds between two reads of the log
WAKE_SECONDS = 0.05  # wall time between two looks at the simulated clock


def followed(cluster: Any, read_log: Callable[[], str], read_pod: Callable[[], dict],
             first: str) -> Iterator[bytes]:
    """`first` (the log as asked, tailLines applied), then the text each later full read
    adds beyond what the first full read held."""
    if first:
        yield first.encode()
    shown = len(read_log())
    read_at = cluster.now
    idle = threading.Event()  # never set: waits out WAKE_SECONDS of wall time
    while True:
        if cluster.now < read_at + READ_EVERY:
            idle.wait(WAKE_SECONDS)
            continue
        read_at = cluster.now
        try:
            text = read_log()
            pod = read_pod()
        except NotFoundError:
            return
        if len(text) > shown:
            yield text[shown:].encode()
            shown = len(text)
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            return
