"""Field selectors: the fields each kind makes selectable, `=`, `==` and `!=`, and upstream's 400
for the others."""

import pytest

from k8slab.api.kinds import EVENT, EVENTS_V1_EVENT, NODE, POD, resource_info
from k8slab.apiserver.selectors import field_value, matches, parse_field_selector
from k8slab.errors import BadRequestError

WEB = {"metadata": {"name": "web", "namespace": "dev"}, "spec": {"nodeName": "worker-1"},
       "status": {"phase": "Running"}}


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


def test_not_equal_terms_are_kept_apart_from_the_equalities():
    selector = parse_field_selector("spec.nodeName=worker-1,status.phase!=Succeeded,"
                                    "status.phase!=Failed", POD)
    assert selector == {"spec.nodeName": "worker-1"}
    assert selector.excluded == (("status.phase", "Succeeded"), ("status.phase", "Failed"))
    assert bool(parse_field_selector("status.phase!=Failed", POD))
    assert not parse_field_selector("", POD)


@pytest.mark.parametrize(("kind", "text"), [
    (POD, "status.phase=Running,spec.schedulerName=default-scheduler"),
    (POD, "spec.restartPolicy=Always,spec.serviceAccountName=default,status.podIP=10.244.1.2"),
    (EVENT, "involvedObject.name=web,involvedObject.namespace=dev,involvedObject.uid=u1,"
            "involvedObject.kind=Pod,reason=Started,type=Normal,source=kubelet"),
    (NODE, "spec.unschedulable=true"),
    (resource_info("namespaces"), "status.phase=Active"),
    (resource_info("secrets"), "type=Opaque"),
    (resource_info("replicasets"), "status.replicas=0"),
    (resource_info("jobs"), "status.successful=1"),
])
def test_each_kind_selects_on_its_own_fields(kind, text):
    assert parse_field_selector(text, kind)


@pytest.mark.parametrize(("kind", "text", "named"), [
    (None, "status.phase=Running", "status.phase"),
    (NODE, "metadata.namespace=dev", "metadata.namespace"),  # nodes have no namespace
    (resource_info("deployments"), "status.replicas=1", "status.replicas"),
    (EVENTS_V1_EVENT, "reason=Started", "reason"),
    (POD, "spec.hostname=web", "spec.hostname"),
])
def test_an_unsupported_field_is_a_400_naming_it_and_the_supported_ones(kind, text, named):
    with pytest.raises(BadRequestError) as caught:
        parse_field_selector(text, kind)
    assert caught.value.message.startswith(f"field label not supported: {named}; supported: ")
    assert caught.value.code == 400


def test_a_term_without_an_operator_is_a_400_in_parse_selectors_words():
    with pytest.raises(BadRequestError, match="invalid selector: 'spec.nodeName'; can't "
                                              "understand 'spec.nodeName'"):
        parse_field_selector("spec.nodeName")


def test_field_value_is_the_zero_value_when_absent():
    assert field_value(WEB, "spec.nodeName") == "worker-1"
    assert field_value({"metadata": {"name": "x"}, "spec": {}}, "spec.nodeName") == ""
    assert field_value({"metadata": {"name": "x"}}, "spec.nodeName") == ""
    assert field_value({"spec": {}}, "spec.unschedulable") == "false"
    assert field_value({"spec": {"unschedulable": True}}, "spec.unschedulable") == "true"
    assert field_value({"status": {"replicas": 3}}, "status.replicas") == "3"
    assert field_value({"source": {"component": "kubelet"}}, "source") == "kubelet"
    assert field_value({"source": {}, "reportingComponent": "kubelet"}, "source") == "kubelet"
    assert field_value({"involvedObject": {"name": "web"}}, "involvedObject.name") == "web"


def test_matches_needs_every_field_and_none_excluded():
    assert matches(WEB, {})
    assert matches(WEB, {"spec.nodeName": "worker-1", "metadata.namespace": "dev"})
    assert not matches(WEB, {"spec.nodeName": "worker-1", "metadata.namespace": "default"})
    assert not matches(None, {})
    unbound = {"metadata": {"name": "p"}, "spec": {}}
    assert matches(unbound, {"spec.nodeName": ""})
    assert not matches(WEB, {"spec.nodeName": ""})
    running = parse_field_selector("spec.nodeName=worker-1,status.phase!=Succeeded", POD)
    assert matches(WEB, running)
    assert not matches({**WEB, "status": {"phase": "Succeeded"}}, running)
