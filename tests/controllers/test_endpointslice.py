"""The EndpointSlice controller over the fake API: a Service's pods become endpoints with
upstream's conditions, at most 100 per slice, with as few writes as the reconciler can make."""

from __future__ import annotations

import copy

from k8slab.api.timestamps import to_time
from k8slab.client.informer import SharedInformerFactory
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.endpointslice import EndpointSliceController
from k8slab.controllers.garbage_collector import GarbageCollector
from tests.controllers.helpers import advance, fake_world, start


def service(name="web", selector=None, ports=None, uid=None, **spec) -> dict:
    ports = ports if ports is not None else [{"name": "http", "port": 80, "targetPort": 8080,
                                              "protocol": "TCP"}]
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default", "uid": uid or f"uid-svc-{name}",
                         "labels": {"team": "a"}},
            "spec": {"selector": selector if selector is not None else {"app": "web"},
                     "clusterIP": "10.96.0.20", "ports": ports, **spec}}


def pod(name, ip, node="worker-1", ready=True, labels=None, deleting=False, phase="Running",
        ports=None, **spec) -> dict:
    meta = {"name": name, "namespace": "default", "uid": f"uid-{name}",
            "labels": labels or {"app": "web"}}
    if deleting:
        meta["deletionTimestamp"] = to_time(0)
    status = {"phase": phase, "conditions": [{"type": "Ready", "status": str(ready)}]}
    if ip:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    container = {"name": "app", "image": "nginx", "ports": ports or []}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": node, "containers": [container], **spec}, "status": status}


def node(name="worker-1", zone="zone-a") -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"topology.kubernetes.io/zone": zone}}}


def world(*objs, nodes=("worker-1",)):
    fake = fake_world()
    for name in nodes:
        fake.add(node(name))
    for obj in objs:
        fake.add(obj)
    return fake


def slices(fake):
    return fake.stored("endpointslices")


def endpoints(fake):
    return sorted((ep for s in slices(fake) for ep in s["endpoints"]),
                  key=lambda ep: ep["targetRef"]["name"])


def by_pod(fake):
    return {ep["targetRef"]["name"]: ep for ep in endpoints(fake)}


def slice_writes(fake):
    return [w[0] for w in fake.writes() if w[1] == "endpointslices"]


def test_a_service_gets_one_labelled_owned_slice_with_its_ready_pods():
    fake = world(service(), pod("web-a", "10.244.1.5"), pod("web-b", "10.244.1.6"))
    start(fake, EndpointSliceController)
    [found] = slices(fake)
    meta = found["metadata"]
    assert meta["generateName"] == "web-" and meta["name"].startswith("web-")
    assert meta["labels"] == {"team": "a", "kubernetes.io/service-name": "web",
                              "endpointslice.kubernetes.io/managed-by":
                                  "endpointslice-controller.k8s.io"}
    assert meta["ownerReferences"] == [{"apiVersion": "v1", "kind": "Service", "name": "web",
                                        "uid": "uid-svc-web", "controller": True,
                                        "blockOwnerDeletion": True}]
    assert found["addressType"] == "IPv4"
    assert found["ports"] == [{"name": "http", "protocol": "TCP", "port": 8080}]
    assert by_pod(fake)["web-a"] == {
        "addresses": ["10.244.1.5"],
        "conditions": {"ready": True, "serving": True, "terminating": False},
        "targetRef": {"kind": "Pod", "namespace": "default", "name": "web-a",
                      "uid": "uid-web-a"},
        "nodeName": "worker-1", "zone": "zone-a"}


def test_conditions_for_not_ready_and_terminating_pods():
    fake = world(service(), pod("ready", "10.244.1.1"),
                 pod("not-ready", "10.244.1.2", ready=False),
                 pod("leaving", "10.244.1.3", deleting=True),
                 pod("leaving-unready", "10.244.1.4", ready=False, deleting=True))
    start(fake, EndpointSliceController)
    conditions = {name: ep["conditions"] for name, ep in by_pod(fake).items()}
    assert conditions == {
        "ready": {"ready": True, "serving": True, "terminating": False},
        "not-ready": {"ready": False, "serving": False, "terminating": False},
        "leaving": {"ready": False, "serving": True, "terminating": True},
        "leaving-unready": {"ready": False, "serving": False, "terminating": True},
    }


def test_pods_without_ip_terminal_or_unselected_are_left_out():
    fake = world(service(), pod("in", "10.244.1.1"), pod("no-ip", ""),
                 pod("done", "10.244.1.2", phase="Succeeded"),
                 pod("failed", "10.244.1.3", phase="Failed"),
                 pod("other", "10.244.1.4", labels={"app": "db"}))
    start(fake, EndpointSliceController)
    assert list(by_pod(fake)) == ["in"]


def test_publish_not_ready_addresses_makes_every_endpoint_ready():
    fake = world(service(publishNotReadyAddresses=True),
                 pod("not-ready", "10.244.1.2", ready=False),
                 pod("leaving", "10.244.1.3", deleting=True))
    start(fake, EndpointSliceController)
    conditions = {name: ep["conditions"] for name, ep in by_pod(fake).items()}
    assert conditions == {"leaving": {"ready": True, "serving": True, "terminating": True},
                          "not-ready": {"ready": True, "serving": False, "terminating": False}}


def test_readiness_change_updates_the_endpoint_in_place():
    fake = world(service(), pod("web-a", "10.244.1.5"))
    start(fake, EndpointSliceController)
    [before] = slices(fake)
    changed = copy.deepcopy(fake.objects["pods"]["default/web-a"])
    changed["status"]["conditions"][0]["status"] = "False"
    fake.group.spawn(fake.update_status(changed))
    advance(fake, 1)
    [after] = slices(fake)
    assert after["metadata"]["name"] == before["metadata"]["name"]
    assert after["endpoints"][0]["conditions"]["ready"] is False
    assert slice_writes(fake) == ["create", "update"]


def test_named_target_port_resolves_per_pod_and_splits_slices_by_port_number():
    named = [{"name": "http", "port": 80, "targetPort": "web", "protocol": "TCP"}]
    fake = world(service(ports=named),
                 pod("a", "10.244.1.1", ports=[{"name": "web", "containerPort": 8080}]),
                 pod("b", "10.244.1.2", ports=[{"name": "web", "containerPort": 8080}]),
                 pod("c", "10.244.1.3", ports=[{"name": "web", "containerPort": 9090}]),
                 pod("udp-only", "10.244.1.4",
                     ports=[{"name": "web", "containerPort": 7070, "protocol": "UDP"}]))
    start(fake, EndpointSliceController)
    groups = {tuple(p["port"] for p in s["ports"]):
              sorted(ep["targetRef"]["name"] for ep in s["endpoints"]) for s in slices(fake)}
    # The UDP-only pod has no TCP port named "web": its slice lists it with no ports.
    assert groups == {(8080,): ["a", "b"], (9090,): ["c"], (): ["udp-only"]}


def test_a_named_port_in_a_sidecar_counts():
    named = [{"name": "metrics", "port": 9100, "targetPort": "metrics"}]
    sidecar = {"name": "exporter", "image": "agnhost", "restartPolicy": "Always",
               "ports": [{"name": "metrics", "containerPort": 9101}]}
    fake = world(service(ports=named), pod("a", "10.244.1.1", initContainers=[sidecar]))
    start(fake, EndpointSliceController)
    assert [s["ports"] for s in slices(fake)] == [[{"name": "metrics", "protocol": "TCP",
                                                    "port": 9101}]]


def test_250_pods_make_three_slices_of_at_most_100():
    pods = [pod(f"web-{i:03d}", f"10.244.{i // 200}.{i % 200 + 1}") for i in range(250)]
    fake = world(service(), *pods)
    start(fake, EndpointSliceController)
    assert sorted(len(s["endpoints"]) for s in slices(fake)) == [50, 100, 100]
    assert len(endpoints(fake)) == 250
    assert len({ep["targetRef"]["name"] for ep in endpoints(fake)}) == 250
    assert slice_writes(fake) == ["create"] * 3


def test_a_new_pod_fills_the_unchanged_slice_closest_to_full():
    pods = [pod(f"web-{i:03d}", f"10.244.1.{i + 1}") for i in range(150)]
    fake = world(service(), *pods)
    start(fake, EndpointSliceController)
    half = next(s for s in slices(fake) if len(s["endpoints"]) == 50)["metadata"]["name"]
    fake.actions.clear()
    fake.group.spawn(fake.create(pod("web-new", "10.244.2.1")))
    advance(fake, 1)
    assert slice_writes(fake) == ["update"]
    assert fake.writes()[-1][2] == f"default/{half}"
    assert sorted(len(s["endpoints"]) for s in slices(fake)) == [51, 100]


def test_a_deleted_pod_is_removed_with_one_update():
    fake = world(service(), pod("web-a", "10.244.1.5"), pod("web-b", "10.244.1.6"))
    start(fake, EndpointSliceController)
    fake.actions.clear()
    fake.group.spawn(fake.delete("pods", "web-a", "default"))
    advance(fake, 1)
    assert list(by_pod(fake)) == ["web-b"]
    assert slice_writes(fake) == ["update"]


def test_no_pods_keeps_one_placeholder_slice_and_does_not_rewrite_it():
    fake = world(service(), pod("web-a", "10.244.1.5"))
    start(fake, EndpointSliceController)
    fake.group.spawn(fake.delete("pods", "web-a", "default"))
    advance(fake, 1)
    [placeholder] = slices(fake)
    assert placeholder["endpoints"] == [] and placeholder["ports"] == []
    # The last endpoint gone: the create of a placeholder became an update of the old slice.
    assert slice_writes(fake) == ["create", "update"]
    fake.actions.clear()
    fake.group.spawn(fake.create(pod("other", "10.244.1.9", labels={"app": "db"})))
    fake.group.spawn(fake.update(dict(fake.objects["services"]["default/web"])))
    advance(fake, 1)
    assert slice_writes(fake) == []


def test_selector_change_moves_the_endpoints():
    fake = world(service(), pod("web-a", "10.244.1.5"),
                 pod("api-a", "10.244.1.7", labels={"app": "api"}))
    start(fake, EndpointSliceController)
    changed = copy.deepcopy(fake.objects["services"]["default/web"])
    changed["spec"]["selector"] = {"app": "api"}
    fake.group.spawn(fake.update(changed))
    advance(fake, 1)
    assert list(by_pod(fake)) == ["api-a"]
    assert len(slices(fake)) == 1


def test_pod_label_change_leaves_one_service_for_another():
    fake = world(service("web"), service("api", selector={"app": "api"}),
                 pod("p", "10.244.1.5"))
    start(fake, EndpointSliceController)
    changed = copy.deepcopy(fake.objects["pods"]["default/p"])
    changed["metadata"]["labels"] = {"app": "api"}
    fake.group.spawn(fake.update(changed))
    advance(fake, 1)
    owners = {s["metadata"]["labels"]["kubernetes.io/service-name"]:
              [ep["targetRef"]["name"] for ep in s["endpoints"]] for s in slices(fake)}
    assert owners == {"api": ["p"], "web": []}


def test_services_without_selector_or_external_name_get_no_slices():
    fake = world(service("manual", selector={}),
                 service("ext", type="ExternalName", externalName="example.com"),
                 pod("web-a", "10.244.1.5"))
    start(fake, EndpointSliceController)
    assert slices(fake) == []


def test_hostname_for_pods_whose_subdomain_is_the_service():
    fake = world(service("web", clusterIP="None"),
                 pod("web-0", "10.244.1.5", hostname="web-0", subdomain="web"),
                 pod("web-1", "10.244.1.6", hostname="web-1", subdomain="other"))
    start(fake, EndpointSliceController)
    found = by_pod(fake)
    assert found["web-0"]["hostname"] == "web-0" and "hostname" not in found["web-1"]
    assert slices(fake)[0]["metadata"]["labels"]["service.kubernetes.io/headless"] == ""


def test_a_pod_on_an_unknown_node_is_skipped_with_a_warning_event():
    fake = world(service(), pod("web-a", "10.244.1.5"),
                 pod("lost", "10.244.9.9", node="gone"))
    start(fake, EndpointSliceController)
    assert list(by_pod(fake)) == ["web-a"]
    events = fake.stored("events")
    assert events and events[0]["reason"] == "FailedToUpdateEndpointSlices"
    assert events[0]["type"] == "Warning"
    assert events[0]["message"] == ("Error updating Endpoint Slices for Service default/web: "
                                    "skipping Pod lost for Service default/web: "
                                    "Node gone Not Found")
    assert events[0]["source"]["component"] == "endpoint-slice-controller"


def test_a_slice_edited_by_someone_else_is_put_back():
    fake = world(service(), pod("web-a", "10.244.1.5"))
    start(fake, EndpointSliceController)
    [found] = slices(fake)
    edited = copy.deepcopy(found)
    edited["endpoints"] = []
    fake.group.spawn(fake.update(edited))
    advance(fake, 1)
    assert list(by_pod(fake)) == ["web-a"]


def test_service_deletion_removes_slices_through_the_garbage_collector():
    fake = world(service(), pod("web-a", "10.244.1.5"))
    factory = SharedInformerFactory(fake)
    ctx = ControllerContext(fake.group, fake, factory)
    EndpointSliceController(ctx).start()
    GarbageCollector(ctx, resources=("services", "endpointslices")).start()
    factory.start()
    advance(fake, 1)
    assert len(slices(fake)) == 1
    fake.group.spawn(fake.delete("services", "web", "default"))
    advance(fake, 5)
    assert slices(fake) == []
    assert [w for w in fake.writes() if w[1] == "endpointslices"][-1][0] == "delete"


def test_same_seed_same_slices():
    def run():
        pods = [pod(f"web-{i:03d}", f"10.244.1.{i + 1}") for i in range(120)]
        fake = world(service(), *pods)
        start(fake, EndpointSliceController)
        return [(s["metadata"]["name"], [ep["targetRef"]["name"] for ep in s["endpoints"]])
                for s in slices(fake)]
    assert run() == run()
