"""`kubectl describe pod`, and the pod template block Deployments and ReplicaSets show, in
kubectl v1.35's field order (pkg/describe/describe.go describePod, describeContainers,
DescribePodTemplate).

The model's pods have no probes, env or ports unless a manifest gives them (and no volumes but
the ServiceAccount token's); the blocks for env sources this lab does not model are not
written. Volumes are described by describe_volumes.
"""

from __future__ import annotations

from k8slab.lab.kubectl.describe_text import (
    DescribeWriter,
    annotations_block,
    controlled_by,
    events_section,
    labels_block,
    rfc1123z,
    tolerations_block,
)
from k8slab.lab.kubectl.describe_volumes import volumes_block
from k8slab.lab.kubectl.durations import age

_QOS_RESOURCES = ("cpu", "memory")


def describe_pod(pod: dict, events: list[dict], now: float) -> str:
    """The text of `kubectl describe pod NAME`."""
    metadata, spec, status = pod.get("metadata", {}), pod.get("spec", {}), pod.get("status", {})
    w = DescribeWriter()
    w.write(0, f"Name:\t{metadata.get('name', '')}\n")
    w.write(0, f"Namespace:\t{metadata.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'], 'status.startTime')}\n")
    labels_block(w, "Labels", metadata.get("labels"))
    annotations_block(w, "Annotations", metadata.get("annotations"))
    phase = status.get("phase", "")
    if metadata.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        since = age(metadata["deletionTimestamp"], now, "metadata.deletionTimestamp")
        w.write(0, f"Status:\tTerminating (lasts {since})\n")
        w.write(0, f"Termination Grace Period:\t{metadata.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if ips:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    else:
        w.write(0, "IPs:\t<none>\n")
    if controlled_by(pod):
        w.write(0, f"Controlled By:\t{controlled_by(pod)}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        containers_block(w, "Init Containers", spec["initContainers"],
                         status.get("initContainerStatuses"), "")
    containers_block(w, "Containers", spec.get("containers") or [],
                     status.get("containerStatuses"), "")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for condition in status["conditions"]:
            w.write(1, f"{condition.get('type', '')} \t{condition.get('status', '')} \n")
    volumes_block(w, spec.get("volumes"))
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_block(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_block(w, "Tolerations", spec.get("tolerations"))
    events_section(w, events, now)
    return w.text()


def containers_block(w: DescribeWriter, label: str, containers: list[dict],
                     statuses: list[dict] | None, space: str) -> None:
    """`Containers:` and, per container, its image, ports, state, resources, env and mounts."""
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for container in containers:
        status = by_name.get(container.get("name"))
        w.write(1, f"{' ' if space else ''}{container.get('name', '')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{container.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        for title, field in (("Port", "containerPort"), ("Host Port", "hostPort")):
            ports = ", ".join(_port(p, field) for p in container.get("ports") or [])
            plural = "s" if "," in ports else ""
            w.write(2, f"{title}{plural}:\t{ports or '<none>'}\n")
        _command(w, container)
        if status is not None:
            _state(w, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated"):
                _state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        _resources(w, container.get("resources") or {})
        for title, field in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"),
                             ("Startup", "startupProbe")):
            if container.get(field) is not None:
                w.write(2, f"{title}:\t{describe_probe(container[field])}\n")
        env = container.get("env") or []
        w.write(2, f"Environment:{'' if env else chr(9) + '<none>'}\n")
        for variable in env:
            for index, line in enumerate(str(variable.get("value", "")).split("\n")):
                w.write(3, f"{variable.get('name', '') + ':' if index == 0 else ''}\t{line}\n")
        mounts = sorted(container.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
        w.write(2, f"Mounts:{'' if mounts else chr(9) + '<none>'}\n")
        for mount in mounts:
            flags = "ro" if mount.get("readOnly") else "rw"
            w.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({flags})\n")


def describe_probe(probe: dict) -> str:
    """DescribeProbe: `exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1
    #failure=3`, `http-get http://:8080/healthz ...`, `tcp-socket :8080 ...`, `grpc <pod>:2379
    ...`."""
    attrs = (f"delay={probe.get('initialDelaySeconds', 0)}s "
             f"timeout={probe.get('timeoutSeconds', 0)}s period={probe.get('periodSeconds', 0)}s "
             f"#success={probe.get('successThreshold', 0)} "
             f"#failure={probe.get('failureThreshold', 0)}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if probe.get("httpGet") is not None:
        get = probe["httpGet"]
        host, port = get.get("host", ""), get.get("port", "")
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # net.JoinHostPort
        scheme = str(get.get("scheme", "")).lower()
        return f"http-get {scheme}://{where if port != '' else host}{get.get('path', '')} {attrs}"
    if probe.get("tcpSocket") is not None:
        socket = probe["tcpSocket"]
        return f"tcp-socket {socket.get('host', '')}:{socket.get('port', '')} {attrs}"
    if probe.get("grpc") is not None:
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port', 0)} {grpc.get('service') or ''} {attrs}"
    return f"unknown {attrs}"


def _port(port: dict, field: str) -> str:
    text = f"{port.get(field, 0)}/{port.get('protocol', 'TCP')}"
    return f"{text} ({port['name']})" if port.get("name") else text


def _command(w: DescribeWriter, container: dict) -> None:
    for title, field in (("Command", "command"), ("Args", "args")):
        if container.get(field):
            w.write(2, f"{title}:\n")
            for word in container[field]:
                for line in str(word).split("\n"):
                    w.write(3, f"{line}\n")


def _state(w: DescribeWriter, title: str, state: dict) -> None:
    """describeStatus: Running with its start, Waiting with its reason, Terminated in full."""
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'), 'startedAt')}\n")
    elif state.get("terminated") is not None:
        done = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if done.get("reason"):
            w.write(3, f"Reason:\t{done['reason']}\n")
        if done.get("message"):
            w.write(3, f"Message:\t{done['message']}\n")
        w.write(3, f"Exit Code:\t{done.get('exitCode', 0)}\n")
        if done.get("signal", 0) > 0:
            w.write(3, f"Signal:\t{done['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(done.get('startedAt'), 'startedAt')}\n")
        w.write(3, f"Finished:\t{rfc1123z(done.get('finishedAt'), 'finishedAt')}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def _resources(w: DescribeWriter, resources: dict) -> None:
    """Limits, then Requests, each resource name sorted, as written in the manifest."""
    for title, field in (("Limits", "limits"), ("Requests", "requests")):
        amounts = resources.get(field) or {}
        if amounts:
            w.write(2, f"{title}:\n")
        for name in sorted(amounts):
            w.write(3, f"{name}:\t{amounts[name]}\n")


def qos_class(pod: dict) -> str:
    """The pod's QoS class: status.qosClass when the API server set it, else computed as
    GetPodQOS does: Guaranteed (cpu and memory limits equal requests in every container),
    BestEffort (no requests or limits at all), else Burstable."""
    if pod.get("status", {}).get("qosClass"):
        return pod["status"]["qosClass"]
    containers = pod.get("spec", {}).get("containers") or []
    any_set, guaranteed = False, bool(containers)
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        any_set = any_set or bool(requests) or bool(limits)
        for name in _QOS_RESOURCES:
            if name not in limits or requests.get(name, limits[name]) != limits[name]:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def pod_template_block(w: DescribeWriter, template: dict | None) -> None:
    """`Pod Template:` as Deployments and ReplicaSets show it: labels, containers, tolerations."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    metadata, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_block(w, "  Labels", metadata.get("labels"))
    if metadata.get("annotations"):
        annotations_block(w, "  Annotations", metadata["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        containers_block(w, "Init Containers", spec["initContainers"], None, "  ")
    containers_block(w, "Containers", spec.get("containers") or [], None, "  ")
    volumes_block(w, spec.get("volumes"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_block(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_block(w, "  Tolerations", spec.get("tolerations"))
