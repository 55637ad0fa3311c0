"""Field selectors: the few fields components select on, and upstream's 400 for the others."""

import pytest

from k8slab.apiserver.selectors import field_value, matches, parse_field_selector
from k8slab.errors import BadRequestError

POD = {"metadata": {"name": "web", "namespace": "dev"}, "spec": {"nodeName": "worker-1"}}


@pytest.mark.parametrize(("text", "parsed"), [
    (None, {}),
    ("", {}),
    ("spec.nodeName=worker-1", {"spec.nodeName": "worker-1"}),
    ("spec.nodeName==worker-1", {"spec.nodeName": "worker-1"}),
    ("spec.nodeName=", {"spec.nodeName": ""}),
    ("metadata.name=web, metadata.namespace=dev",
     {"metadata.name": "web", "metadata.namespace": "dev"}),
])
def test_parse(text, parsed):
    assert parse_field_selector(text) == parsed


@pytest.mark.parametrize(("text", "named"), [
    ("status.phase=Running", "status.phase"),
    ("spec.nodeName", "spec.nodeName"),
    ("spec.nodeName!=worker-1", "spec.nodeName!"),
])
def test_an_unsupported_field_is_a_400_naming_it_and_the_supported_ones(text, named):
    with pytest.raises(BadRequestError) as caught:
        parse_field_selector(text)
    assert caught.value.message.startswith(f"field label not supported: {named}")
    assert "metadata.name, metadata.namespace, spec.nodeName" in caught.value.message
    assert caught.value.code == 400


def test_field_value_is_empty_when_absent():
    assert field_value(POD, "spec.nodeName") == "worker-1"
    assert field_value({"metadata": {"name": "x"}, "spec": {}}, "spec.nodeName") == ""
    assert field_value({"metadata": {"name": "x"}}, "spec.nodeName") == ""


def test_matches_needs_every_field_and_an_object():
    assert matches(POD, {})
    assert matches(POD, {"spec.nodeName": "worker-1", "metadata.namespace": "dev"})
    assert not matches(POD, {"spec.nodeName": "worker-1", "metadata.namespace": "default"})
    assert not matches(None, {})
    unbound = {"metadata": {"name": "p"}, "spec": {}}
    assert matches(unbound, {"spec.nodeName": ""})
    assert not matches(POD, {"spec.nodeName": ""})
