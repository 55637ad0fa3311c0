"""kubectl's printers: the cells of each row `kubectl get` prints, per kind, computed the way
kubectl's own printers compute them (kubernetes pkg/printers/internalversion/printers.go).

Pure functions of one object and the simulated time `now`.
"""

from __future__ import annotations

from k8slab.lab.kubectl.durations import age, human_duration, parse_timestamp

NONE = "<none>"


def pod_status(pod: dict, now: float) -> tuple[str, str, str]:
    """READY, STATUS and RESTARTS of a pod, computed the way kubectl's pod printer does.

    STATUS is the most telling reason: a waiting or terminated container's reason, an init
    container's progress (`Init:0/1`), `Terminating` once deletion started, else the phase.
    """
    spec, status = pod.get("spec", {}), pod.get("status", {})
    conditions = status.get("conditions", [])
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    if any(
        c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated" for c in conditions
    ):
        reason = "SchedulingGated"

    init_specs = spec.get("initContainers", [])
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}
    total = len(spec.get("containers", [])) + len(sidecars)
    ready = 0
    restarts, last_restart = 0, None
    sidecar_restarts, sidecar_last_restart = 0, None

    initializing = False
    for index, container in enumerate(status.get("initContainerStatuses", [])):
        restarts += container.get("restartCount", 0)
        last_restart = _later(last_restart, _last_finished(container))
        is_sidecar = container.get("name") in sidecars
        if is_sidecar:
            sidecar_restarts += container.get("restartCount", 0)
            sidecar_last_restart = _later(sidecar_last_restart, _last_finished(container))
        state = container.get("state", {})
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if is_sidecar and container.get("started"):
            ready += 1 if container.get("ready") else 0
            continue
        if terminated is not None:
            reason = "Init:" + _terminated_reason(terminated)
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts, last_restart = sidecar_restarts, sidecar_last_restart
        has_running = False
        # Walk backwards, so that the first container's reason is the one that sticks.
        for container in reversed(status.get("containerStatuses", [])):
            restarts += container.get("restartCount", 0)
            last_restart = _later(last_restart, _last_finished(container))
            state = container.get("state", {})
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(conditions, "Ready") else "NotReady"

    if pod.get("metadata", {}).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"

    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({human_duration(now - last_restart)} ago)"
    return f"{ready}/{total}", reason, restarts_text


def _terminated_reason(terminated: dict) -> str:
    """A terminated container's reason, else `Signal:N`, else `ExitCode:N`."""
    if terminated.get("reason"):
        return terminated["reason"]
    if terminated.get("signal"):
        return f"Signal:{terminated['signal']}"
    return f"ExitCode:{terminated.get('exitCode', 0)}"


def _last_finished(container: dict) -> float | None:
    """When the container's previous run ended (lastState.terminated.finishedAt), if known."""
    finished = container.get("lastState", {}).get("terminated", {}).get("finishedAt")
    return parse_timestamp(finished, "lastState.terminated.finishedAt") if finished else None


def _later(current: float | None, candidate: float | None) -> float | None:
    """The later of two optional instants."""
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current


def _condition_true(conditions: list[dict], kind: str) -> bool:
    """Whether the first condition of type `kind` has status "True"."""
    for condition in conditions:
        if condition.get("type") == kind:
            return condition.get("status") == "True"
    return False


def pod_cells(pod: dict, now: float) -> list[str]:
    """A pod's row: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES."""
    ready, status, restarts = pod_status(pod, now)
    spec, observed = pod.get("spec", {}), pod.get("status", {})
    # The API server reads podIP first and falls back to podIPs[0] (core/v1 conversion).
    ips = observed.get("podIPs") or [{}]
    ip = observed.get("podIP") or ips[0].get("ip") or NONE
    gates = spec.get("readinessGates", [])
    conditions = observed.get("conditions", [])
    gates_text = NONE
    if gates:
        passed = sum(_condition_true(conditions, g.get("conditionType")) for g in gates)
        gates_text = f"{passed}/{len(gates)}"
    return [
        name_of(pod), ready, status, restarts, _age(pod, now),
        ip, spec.get("nodeName") or NONE, observed.get("nominatedNodeName") or NONE, gates_text,
    ]


def node_cells(node: dict, now: float) -> list[str]:
    """A node's row: NAME STATUS ROLES AGE VERSION | its addresses, OS, kernel and runtime."""
    status = node.get("status", {})
    ready = [c for c in status.get("conditions", []) if c.get("type") == "Ready"]
    states = ["Unknown"]
    if ready:
        states = ["Ready" if ready[-1].get("status") == "True" else "NotReady"]
    if node.get("spec", {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    info = status.get("nodeInfo", {})
    return [
        name_of(node),
        ",".join(states),
        ",".join(node_roles(node)) or NONE,
        _age(node, now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"),
        _node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def node_roles(node: dict) -> list[str]:
    """Roles from `node-role.kubernetes.io/<role>` labels and the older `kubernetes.io/role`."""
    roles = []
    for key, value in node.get("metadata", {}).get("labels", {}).items():
        if key.startswith("node-role.kubernetes.io/") and key != "node-role.kubernetes.io/":
            roles.append(key.removeprefix("node-role.kubernetes.io/"))
        elif key == "kubernetes.io/role" and value:
            roles.append(value)
    return sorted(dict.fromkeys(roles))


def _node_address(node: dict, kind: str) -> str:
    for address in node.get("status", {}).get("addresses", []):
        if address.get("type") == kind:
            return address.get("address", "")
    return NONE


def namespace_cells(namespace: dict, now: float) -> list[str]:
    """A namespace's row: NAME STATUS AGE."""
    phase = namespace.get("status", {}).get("phase") or "Active"
    return [name_of(namespace), phase, _age(namespace, now)]


def lease_cells(lease: dict, now: float) -> list[str]:
    """A lease's row: NAME HOLDER AGE."""
    holder = lease.get("spec", {}).get("holderIdentity") or ""
    return [name_of(lease), holder, _age(lease, now)]


def name_of(obj: dict) -> str:
    """metadata.name, or "" when the object has none."""
    return obj.get("metadata", {}).get("name", "")


def _age(obj: dict, now: float) -> str:
    created = obj.get("metadata", {}).get("creationTimestamp")
    return age(created, now, "metadata.creationTimestamp")


def format_labels(labels: dict[str, str]) -> str:
    """`app=web,tier=front`, sorted by key; `<none>` when there are none."""
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels)) or NONE


def priority_class_cells(priority_class: dict, now: float) -> list[str]:
    """NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY (printers.go printPriorityClass)."""
    return [name_of(priority_class), str(priority_class.get("value") or 0),
            "true" if priority_class.get("globalDefault") else "false", _age(priority_class, now),
            priority_class.get("preemptionPolicy") or ""]
