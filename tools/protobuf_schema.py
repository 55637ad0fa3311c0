"""Write k8slab/lab/serving/protobuf_schema.json: the protobuf field numbers of the kinds k8slab
serves, read from upstream's generated.proto and types.go at a release tag.

kubectl's typed clients send built-in objects as protobuf (`application/vnd.kubernetes.protobuf`);
the endpoint decodes them with this table. Each message maps a field number to its JSON name,
its type (a scalar, another message, or `map:<value type>`), whether it repeats, and whether
its Go field is a pointer (present even when zero). Run from a checkout of both repositories:

    python tools/protobuf_schema.py <kubernetes/api checkout> <kubernetes/apimachinery checkout>

It reads tag v0.35.0 (Kubernetes v1.35.0) with `git show`, so the checkouts may be at any commit.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

TAG = "v0.35.0"
API_PACKAGES = ("core/v1", "apps/v1", "batch/v1", "authorization/v1", "authentication/v1",
                "policy/v1", "rbac/v1", "coordination/v1", "discovery/v1", "events/v1",
                "scheduling/v1", "admissionregistration/v1")
MACHINERY_PACKAGES = ("pkg/apis/meta/v1", "pkg/runtime", "pkg/util/intstr", "pkg/api/resource")
# Decoded by hand in protobuf_body.py (their JSON is not their fields).
SPECIAL = {"k8s.io.apimachinery.pkg.apis.meta.v1." + name for name in
           ("Time", "MicroTime", "Duration", "FieldsV1")} | {
    "k8s.io.apimachinery.pkg.runtime.RawExtension",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
    "k8s.io.apimachinery.pkg.api.resource.Quantity"}
SCALARS = {"string", "int32", "int64", "bool", "bytes", "double", "float", "uint32", "uint64"}
# The objects a client may send: (apiVersion, kind) -> message, for every kind k8slab models
# and the subresource bodies (DeleteOptions, Eviction, Binding, Scale, TokenRequest, reviews).
ROOTS = {
    ("v1", kind): f"k8s.io.api.core.v1.{kind}" for kind in (
        "Pod", "Node", "Namespace", "Event", "ReplicationController", "Service", "ConfigMap",
        "LimitRange", "ResourceQuota", "ServiceAccount", "Secret", "Binding")
} | {
    ("apps/v1", kind): f"k8s.io.api.apps.v1.{kind}"
    for kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet")
} | {
    ("batch/v1", "Job"): "k8s.io.api.batch.v1.Job",
    ("coordination.k8s.io/v1", "Lease"): "k8s.io.api.coordination.v1.Lease",
    ("discovery.k8s.io/v1", "EndpointSlice"): "k8s.io.api.discovery.v1.EndpointSlice",
    ("events.k8s.io/v1", "Event"): "k8s.io.api.events.v1.Event",
    ("scheduling.k8s.io/v1", "PriorityClass"): "k8s.io.api.scheduling.v1.PriorityClass",
    ("policy/v1", "Eviction"): "k8s.io.api.policy.v1.Eviction",
    ("authentication.k8s.io/v1", "TokenRequest"): "k8s.io.api.authentication.v1.TokenRequest",
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview"):
        "k8s.io.api.authorization.v1.SelfSubjectAccessReview",
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview"):
        "k8s.io.api.authorization.v1.SelfSubjectRulesReview",
    ("v1", "DeleteOptions"): "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    ("meta.k8s.io/v1", "DeleteOptions"): "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions",
} | {
    ("rbac.authorization.k8s.io/v1", kind): f"k8s.io.api.rbac.v1.{kind}"
    for kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
} | {
    ("admissionregistration.k8s.io/v1", kind): f"k8s.io.api.admissionregistration.v1.{kind}"
    for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
}

_MESSAGE = re.compile(r"^message (\w+) \{(.*?)^\}", re.S | re.M)
_FIELD = re.compile(r"^\s*(optional |repeated )?([\w.]+|map<\w+, *[\w.]+>) (\w+) = (\d+);", re.M)
_STRUCT = re.compile(r"^type (\w+) struct \{(.*?)^\}", re.S | re.M)
_GO_FIELD = re.compile(r'^\s*\w+\s+(\S+)\s+`[^`]*protobuf:"[^"]*name=(\w+)[^"]*"', re.M)
_JSON_NAME = re.compile(r'^\s*\w+\s+\S+\s+`json:"([^",]*)')


def show(checkout: Path, path: str) -> str:
    """A file of `checkout` at TAG."""
    return subprocess.run(["git", "-C", str(checkout), "show", f"{TAG}:{path}"],
                          capture_output=True, text=True, check=True).stdout


def read_messages(text: str, package: str) -> dict[str, dict]:
    """Every message of a generated.proto: field number -> (proto name, type, repeated)."""
    text = re.sub(r"//.*", "", text)
    messages = {}
    for found in _MESSAGE.finditer(text):
        fields = {}
        for label, typ, name, number in _FIELD.findall(found.group(2)):
            fields[int(number)] = (name, typ, label.strip() == "repeated")
        messages[f"{package}.{found.group(1)}"] = fields
    return messages


def read_pointers(text: str, package: str) -> dict[tuple[str, str], tuple[bool, str]]:
    """(message, proto field name) -> (the Go field is a pointer, its JSON name)."""
    found = {}
    for struct in _STRUCT.finditer(text):
        for line in struct.group(2).splitlines():
            field = _GO_FIELD.match(line)
            if field:
                json_name = _JSON_NAME.match(line)
                found[(f"{package}.{struct.group(1)}", field.group(2))] = (
                    field.group(1).startswith("*"),
                    json_name.group(1) if json_name else field.group(2))
    return found


def resolve(package: str, typ: str) -> str:
    """A proto type name as a full message name, or the scalar's name."""
    if typ in SCALARS:
        return typ
    return typ[1:] if typ.startswith(".") else f"{package}.{typ}"


def closure(messages: dict, pointers: dict) -> dict[str, dict]:
    """The messages reachable from ROOTS, as the JSON table."""
    table: dict[str, dict] = {}
    pending = sorted(ROOTS.values())
    while pending:
        name = pending.pop()
        if name in table or name in SPECIAL:
            continue
        package = name.rpartition(".")[0]
        fields = {}
        for number, (proto_name, typ, repeated) in sorted(messages[name].items()):
            pointer, json_name = pointers.get((name, proto_name), (False, proto_name))
            if typ.startswith("map<"):
                value = resolve(package, typ[4:-1].split(",")[1].strip())
                fields[str(number)] = [json_name, f"map:{value}", False, False]
                target = value
            else:
                target = resolve(package, typ)
                fields[str(number)] = [json_name, target, repeated, pointer]
            if target not in SCALARS:
                pending.append(target)
        table[name] = fields
    return table


def main(api: Path, machinery: Path) -> None:
    messages: dict[str, dict] = {}
    pointers: dict = {}
    for package in API_PACKAGES:
        name = "k8s.io.api." + package.replace("/", ".")
        messages |= read_messages(show(api, f"{package}/generated.proto"), name)
        types = "".join(show(api, path) for path in _go_files(api, package))
        pointers |= read_pointers(types, name)
    for package in MACHINERY_PACKAGES:
        name = "k8s.io.apimachinery." + package.replace("/", ".")
        messages |= read_messages(show(machinery, f"{package}/generated.proto"), name)
        types = "".join(show(machinery, path) for path in _go_files(machinery, package))
        pointers |= read_pointers(types, name)
    table = {"tag": TAG,
             "kinds": {f"{api_version}/{kind}": message
                       for (api_version, kind), message in sorted(ROOTS.items())},
             "messages": closure(messages, pointers)}
    out = Path(__file__).resolve().parent.parent / "k8slab/lab/serving/protobuf_schema.json"
    out.write_text(json.dumps(table, indent=None, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"{out}: {len(table['messages'])} messages")


def _go_files(checkout: Path, package: str) -> list[str]:
    listing = subprocess.run(["git", "-C", str(checkout), "ls-tree", "--name-only",
                              f"{TAG}:{package}"], capture_output=True, text=True,
                             check=True).stdout.split()
    return [f"{package}/{name}" for name in listing
            if name.endswith(".go") and not name.endswith("_test.go")
            and not name.startswith("zz_generated") and name != "generated.pb.go"]


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
