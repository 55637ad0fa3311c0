"""Whether and when the kubelet restarts a container that exited: the pod's restartPolicy, and
the back-off behind CrashLoopBackOff (and ImagePullBackOff, which uses the same numbers).

The first exit is restarted at once; a container that exits again waits 10 s, then 20, 40... up
to 5 minutes, and the wait is forgotten after 10 minutes without an exit (client-go's
flowcontrol.Backoff as kuberuntime's doBackOff uses it; kk pkg/kubelet/kubelet.go:
containerBackOffPeriod 10 s, MaxContainerBackOff 300 s; imageBackOffPeriod 10 s,
MaxImageBackOff 300 s). Simplified: the back-off has no jitter, and the kubelet re-syncs the pod
the moment it ends (upstream's pod worker re-syncs on its own period, so restarts come a little
later than the back-off).
"""

from __future__ import annotations

from dataclasses import dataclass

INITIAL_BACKOFF = 10.0
MAX_BACKOFF = 300.0
FORGET_AFTER = 2 * MAX_BACKOFF  # flowcontrol.hasExpired: twice the maximum since the last update


@dataclass
class _Entry:
    delay: float
    last_update: float


class ContainerBackOff:
    """Per container (pod uid + container name), how long a restart must wait."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def wait(self, key: str, finished: float) -> float:
        """Seconds to wait before restarting container `key`, which exited at `finished`."""
        entry = self._entries.get(key)
        if entry is None or finished - entry.last_update > FORGET_AFTER:
            return 0.0
        return entry.delay

    def remaining(self, key: str, now: float) -> float:
        """Seconds left of the back-off since its last update (IsInBackOffSinceUpdate)."""
        entry = self._entries.get(key)
        if entry is None or now - entry.last_update > FORGET_AFTER:
            return 0.0
        return max(0.0, entry.last_update + entry.delay - now)

    def restarted(self, key: str, now: float) -> None:
        """Note a restart at `now`: the next exit waits twice as long (flowcontrol's Next)."""
        entry = self._entries.get(key)
        if entry is None or now - entry.last_update > FORGET_AFTER:
            self._entries[key] = _Entry(INITIAL_BACKOFF, now)
        else:
            entry.delay = min(entry.delay * 2, MAX_BACKOFF)
            entry.last_update = now


def go_duration(seconds: float) -> str:
    """A whole number of seconds as Go's time.Duration prints it: 10s, 1m20s, 5m0s."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


def should_restart(pod: dict, exit_code: int) -> bool:
    """restartPolicy: Always restarts every exit, OnFailure a non-zero one, Never none."""
    policy = pod["spec"].get("restartPolicy", "Always")
    return policy == "Always" or (policy == "OnFailure" and exit_code != 0)
