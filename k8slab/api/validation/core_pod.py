"""Pod validation: containers and init containers, policies, node selection, tolerations.

kubernetes pkg/apis/core/validation/validation.go ValidatePodSpec, validateContainers and
validateInitContainers (names unique across both), in upstream's order; probes are in
core_probes, affinity and topology spread in core_affinity, tolerations in core_taints.
"""

from __future__ import annotations

from k8slab.api.validation.core_affinity import pod_scheduling_field_errors
from k8slab.api.validation.core_probes import container_probes_errors
from k8slab.api.validation.core_resources import requirements_errors, resource_list_errors
from k8slab.api.validation.core_taints import tolerations_errors
from k8slab.api.validation.field import FieldError, duplicate, invalid, required
from k8slab.api.validation.field_types import enum_errors
from k8slab.api.validation.labels import labels_errors
from k8slab.api.validation.names import dns1123_label_errors, dns1123_subdomain_errors

RESTART_POLICIES = ["Always", "OnFailure", "Never"]
DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]


def _container_errors(container: dict, path: str, seen_names: set[str],
                      init: bool) -> list[FieldError]:
    errors = []
    name = container.get("name", "")
    if not name:
        errors.append(required(f"{path}.name"))
    else:
        errors += [invalid(f"{path}.name", name, message) for message in dns1123_label_errors(name)]
    if name in seen_names:
        errors.append(duplicate(f"{path}.name", name))
    seen_names.add(name)
    image = container.get("image")
    if not image:
        errors.append(required(f"{path}.image"))
    elif image.strip() != image:
        detail = "must not have leading or trailing whitespace"
        errors.append(invalid(f"{path}.image", image, detail))
    if "imagePullPolicy" in container:
        policy = container["imagePullPolicy"]
        errors += enum_errors(f"{path}.imagePullPolicy", policy, PULL_POLICIES)
    errors += requirements_errors(container.get("resources"), f"{path}.resources")
    return errors + container_probes_errors(container, path, init=init)


def _containers_errors(
    spec: dict, base: str, field: str, seen_names: set[str]
) -> list[FieldError]:
    path = f"{base}.{field}"
    containers = spec.get(field)
    if not containers:
        return [required(path)] if field == "containers" else []
    errors = []
    for index, container in enumerate(containers):
        errors += _container_errors(container, f"{path}[{index}]", seen_names,
                                    init=field == "initContainers")
    return errors


def pod_errors(obj: dict) -> list[FieldError]:
    """Every problem with a Pod's spec, with spec.* paths, in the API server's order."""
    return pod_spec_errors(obj.get("spec") or {}, "spec")


def pod_spec_errors(spec: dict, path: str) -> list[FieldError]:
    """ValidatePodSpec: every problem with a PodSpec at `path` ("spec.template.spec"...)."""
    seen_names: set[str] = set()
    errors = _containers_errors(spec, path, "containers", seen_names)
    errors += _containers_errors(spec, path, "initContainers", seen_names)
    if "restartPolicy" in spec:
        errors += enum_errors(f"{path}.restartPolicy", spec["restartPolicy"], RESTART_POLICIES)
    if "dnsPolicy" in spec:
        errors += enum_errors(f"{path}.dnsPolicy", spec["dnsPolicy"], DNS_POLICIES)
    if spec.get("nodeSelector") is not None:
        errors += labels_errors(spec["nodeSelector"], f"{path}.nodeSelector")
    if spec.get("nodeName"):
        node_name = spec["nodeName"]
        errors += [
            invalid(f"{path}.nodeName", node_name, message)
            for message in dns1123_subdomain_errors(node_name)
        ]
    errors += tolerations_errors(spec.get("tolerations") or [], f"{path}.tolerations")
    errors += resource_list_errors(spec.get("overhead"), f"{path}.overhead", keyed=True)[1]
    return errors + pod_scheduling_field_errors(spec, path)
