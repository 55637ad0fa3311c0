"""A container's environment as the kubelet builds it: `env` values and the downward API's
`fieldRef`s, then `$(VAR)` references expanded in later values and in command and args.

Expansion follows upstream's rules (kk third_party/forked/golang/expansion): `$(NAME)` becomes
the variable's value when NAME is defined earlier, stays as written when it is not, and
`$$` escapes a `$`. Simplified: resourceFieldRef, configMapKeyRef and secretKeyRef are not
modelled; a container using them gets an empty value.
"""

from __future__ import annotations

# The fieldRef paths the kubelet resolves itself (kk pkg/kubelet/kubelet_pods.go
# podFieldSelectorRuntimeValue) or from the pod object (fieldpath.ExtractFieldPathAsString).
_FIELDS = {
    "metadata.name": lambda pod, ips: pod["metadata"]["name"],
    "metadata.namespace": lambda pod, ips: pod["metadata"].get("namespace", "default"),
    "metadata.uid": lambda pod, ips: pod["metadata"].get("uid", ""),
    "spec.nodeName": lambda pod, ips: pod["spec"].get("nodeName", ""),
    "spec.serviceAccountName": lambda pod, ips: pod["spec"].get("serviceAccountName", ""),
    "status.hostIP": lambda pod, ips: ips[0],
    "status.podIP": lambda pod, ips: ips[1],
}


def expand(text: str, variables: dict[str, str]) -> str:
    """`text` with each `$(NAME)` of a defined NAME replaced by its value; `$$` is one `$`."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "$" or i + 1 == len(text):
            out.append(text[i])
            i += 1
        elif text[i + 1] == "$":
            out.append("$")
            i += 2
        elif text[i + 1] == "(" and ")" in text[i + 2:]:
            end = text.index(")", i + 2)
            name = text[i + 2:end]
            out.append(variables.get(name, text[i:end + 1]))
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def environment(pod: dict, spec: dict, host_ip: str, pod_ip: str) -> dict[str, str]:
    """The container's variables in `env` order (HOSTNAME first, as the runtime sets it),
    each value expanded against the ones before it."""
    variables = {"HOSTNAME": pod["metadata"]["name"]}
    for entry in spec.get("env", []):
        field = ((entry.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
        if field in _FIELDS:
            variables[entry["name"]] = _FIELDS[field](pod, (host_ip, pod_ip))
        else:
            variables[entry["name"]] = expand(str(entry.get("value", "")), variables)
    return variables


def command_line(spec: dict, variables: dict[str, str]) -> tuple[list[str], list[str]]:
    """The container's command and args with `$(VAR)` references expanded."""
    return ([expand(word, variables) for word in spec.get("command", [])],
            [expand(word, variables) for word in spec.get("args", [])])
