"""Object metadata: names, generateName, namespaces and labels, with upstream's messages."""

from k8slab.api.validation import field_errors, validate

SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def test_missing_name(pod, rejection):
    obj = pod()
    del obj["metadata"]["name"]
    assert rejection(obj) == (
        'Pod "" is invalid: metadata.name: Required value: name or generateName is required'
    )


def test_generate_name_is_enough(pod):
    obj = pod()
    obj["metadata"] = {"generateName": "web-", "namespace": "default"}
    assert field_errors(obj) == []


def test_bad_pod_name_uses_upstream_regex_message(pod, rejection):
    obj = pod()
    obj["metadata"]["name"] = "Web"
    assert rejection(obj) == (
        f'Pod "Web" is invalid: metadata.name: Invalid value: "Web": {SUBDOMAIN_MESSAGE}'
    )


def test_namespace_names_are_labels(rejection):
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}
    assert rejection(namespace) == (
        'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots'
    )


def test_metadata_namespace_must_be_a_label(pod, rejection):
    obj = pod()
    obj["metadata"]["namespace"] = "Prod"
    assert rejection(obj) == (
        f'Pod "web" is invalid: metadata.namespace: Invalid value: "Prod": {LABEL_MESSAGE}'
    )


def test_namespaced_kinds_need_a_namespace_and_cluster_kinds_forbid_one(pod, rejection):
    obj = pod()
    del obj["metadata"]["namespace"]
    assert rejection(obj) == 'Pod "web" is invalid: metadata.namespace: Required value'
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "namespace": "x"}}
    assert rejection(node) == (
        'Node "n" is invalid: metadata.namespace: Forbidden: not allowed on this type'
    )


def test_labels(pod, rejection):
    obj = pod()
    obj["metadata"]["labels"] = {"app": "web", "bad key!": "x", "tier": "front end"}
    text = rejection(obj)
    assert 'metadata.labels: Invalid value: "bad key!": name part must consist of' in text
    assert 'metadata.labels: Invalid value: "front end": a valid label must be' in text


OWNER = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "u1",
         "controller": True}


def owned_pod(pod, *references) -> dict:
    obj = pod()
    obj["metadata"]["ownerReferences"] = list(references)
    return obj


def test_owner_references_name_their_owner_completely(pod, rejection):
    assert rejection(owned_pod(pod, {"kind": "ReplicaSet", "name": "", "uid": "u"})) == (
        'Pod "web" is invalid: [metadata.ownerReferences.apiVersion: Invalid value: "": version '
        'must not be empty, metadata.ownerReferences.name: Invalid value: "": must not be empty]')


def test_only_one_owner_is_the_controller(pod, rejection):
    other = dict(OWNER, kind="StatefulSet", name="db", uid="u2")
    assert rejection(owned_pod(pod, OWNER, other)) == (
        'Pod "web" is invalid: metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1",'
        '"kind":"ReplicaSet","name":"web-1","uid":"u1","controller":true},{"apiVersion":"apps/v1",'
        '"kind":"StatefulSet","name":"db","uid":"u2","controller":true}]: Only one reference can '
        'have Controller set to true. Found "true" in references for ReplicaSet/web-1 and '
        "StatefulSet/db")
    validate(owned_pod(pod, OWNER, dict(OWNER, controller=False, name="b", uid="u3")))
