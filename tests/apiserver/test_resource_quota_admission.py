"""The ResourceQuota admission plugin through the API server: a quota takes effect once its
status is counted, refuses with upstream's words, charges status.used in the same request, and
two creates racing for the last slot cannot both pass (apiserver pkg/admission/plugin/
resourcequota/controller.go)."""

from k8slab.errors import ConflictError, ForbiddenError, K8sLabError


def quota(name: str = "q", namespace: str = "default", **spec) -> dict:
    return {"apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def counted(cp, name: str = "q", used: dict | None = None, namespace: str = "default") -> dict:
    """What the resource quota controller writes: status.hard from spec.hard, usage counted."""
    client = cp.client("system:kube-controller-manager")
    item = cp.ok(client.get("resourcequotas", name, namespace))
    hard = item["spec"]["hard"]
    item["status"] = {"hard": hard, "used": used or {key: "0" for key in hard}}
    updated = cp.ok(client.update_status(item))
    cp.sim.run(1)  # into the watch cache
    return updated


def with_resources(pod: dict, **resources) -> dict:
    pod["spec"]["containers"][0]["resources"] = resources
    return pod


def used_of(cp, name: str = "q") -> dict:
    return cp.ok(cp.client().get("resourcequotas", name, "default"))["status"]["used"]


def test_a_quota_not_yet_counted_limits_nothing(cp, make_pod):
    client = cp.client()
    cp.ok(client.create(quota(hard={"pods": "0"})))
    cp.sim.run(1)
    cp.ok(client.create(make_pod("web")))  # status.hard is empty until the controller runs


def test_the_pod_over_the_quota_is_refused_and_the_others_charged(cp, make_pod):
    client = cp.client()
    cp.ok(client.create(quota(hard={"pods": "2"})))
    counted(cp)
    cp.ok(client.create(make_pod("a")))
    assert used_of(cp) == {"pods": "1"}
    cp.sim.run(1)
    cp.ok(client.create(make_pod("b")))
    cp.sim.run(1)
    refused = cp.call(client.create(make_pod("c")))
    assert isinstance(refused, ForbiddenError)
    assert refused.message == ('pods "c" is forbidden: exceeded quota: q, requested: pods=1, '
                               "used: pods=2, limited: pods=2")
    assert used_of(cp) == {"pods": "2"}


def test_compute_quotas_need_requests_and_limits_and_print_the_resources_exceeded(cp, make_pod):
    client = cp.client()
    cp.ok(client.create(quota(hard={"requests.cpu": "1", "limits.memory": "1Gi", "pods": "9"})))
    counted(cp, used={"requests.cpu": "800m", "limits.memory": "512Mi", "pods": "1"})
    missing = cp.call(client.create(make_pod("bare")))
    assert missing.message == ('pods "bare" is forbidden: failed quota: q: must specify '
                               "limits.memory for: app; requests.cpu for: app")
    big = with_resources(make_pod("big"), requests={"cpu": "500m"},
                         limits={"cpu": "500m", "memory": "768Mi"})
    over = cp.call(client.create(big))
    assert over.message == (
        'pods "big" is forbidden: exceeded quota: q, requested: limits.memory=768Mi,'
        "requests.cpu=500m, used: limits.memory=512Mi,requests.cpu=800m, limited: "
        "limits.memory=1Gi,requests.cpu=1")
    fits = with_resources(make_pod("fits"), requests={"cpu": "200m"},
                          limits={"cpu": "200m", "memory": "512Mi"})
    cp.ok(client.create(fits))
    assert used_of(cp) == {"limits.memory": "1Gi", "pods": "2", "requests.cpu": "1"}


def test_a_quota_without_usage_for_what_it_limits_refuses(cp, make_pod):
    client = cp.client()
    cp.ok(client.create(quota(hard={"pods": "5", "count/configmaps": "1"})))
    counted(cp, used={"count/configmaps": "0"})
    refused = cp.call(client.create(make_pod("web")))
    assert refused.message == ('pods "web" is forbidden: status unknown for quota: q, '
                               "resources: pods")


def test_object_counts_and_node_ports(cp):
    client = cp.client()
    cp.ok(client.create(quota(hard={"configmaps": "1", "services.nodeports": "1"})))
    counted(cp)
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"},
                  "metadata": {"name": "one", "namespace": "default"}}
    cp.ok(client.create(config_map))
    second = cp.call(client.create(dict(config_map, metadata={"name": "two"})))
    assert second.message == ('configmaps "two" is forbidden: exceeded quota: q, requested: '
                              "configmaps=1, used: configmaps=1, limited: configmaps=1")
    service = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "web", "namespace": "default"},
               "spec": {"type": "NodePort", "selector": {"app": "web"},
                        "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]}}
    refused = cp.call(client.create(service))
    assert refused.message == (
        'services "web" is forbidden: exceeded quota: q, requested: services.nodeports=2, '
        "used: services.nodeports=0, limited: services.nodeports=1")


def test_a_scoped_quota_only_counts_the_pods_in_its_scope(cp, make_pod):
    client = cp.client()
    cp.ok(client.create(quota(hard={"pods": "0"}, scopes=["BestEffort"])))
    counted(cp)
    guaranteed = with_resources(make_pod("g"), limits={"cpu": "100m", "memory": "64Mi"})
    cp.ok(client.create(guaranteed))
    assert isinstance(cp.call(client.create(make_pod("be"))), ForbiddenError)


def test_a_pod_in_another_namespace_is_not_charged(cp, make_pod):
    client = cp.client()
    cp.ok(client.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "free"}}))
    cp.ok(client.create(quota(hard={"pods": "1"})))
    counted(cp)
    cp.ok(client.create(make_pod("elsewhere", "free")))
    assert used_of(cp) == {"pods": "0"}


def test_two_creates_racing_for_the_last_slot_cannot_both_pass(cp, make_pod):
    cp.ok(cp.client().create(quota(hard={"pods": "1"})))
    counted(cp)
    results: dict[str, object] = {}

    def create(name: str, host: str):
        client = cp.client(f"user-{name}", host)
        try:
            results[name] = yield from client.create(make_pod(name))
        except K8sLabError as error:
            results[name] = error

    # Both requests are in flight at once: both read pods=0 used from the cache; the loser's
    # charge conflicts, it re-reads the quota from etcd and is refused.
    first = cp.network.host("worker-1").group("race").spawn(create("a", "worker-1"))
    second = cp.network.host("worker-2").group("race").spawn(create("b", "worker-2"))
    cp.sim.run(5)
    assert first.triggered and second.triggered
    refused = [r for r in results.values() if isinstance(r, K8sLabError)]
    created = [r for r in results.values() if isinstance(r, dict)]
    assert len(created) == 1 and len(refused) == 1
    assert isinstance(refused[0], ForbiddenError | ConflictError)
    assert "exceeded quota: q" in refused[0].message
    assert used_of(cp) == {"pods": "1"}
    pods, _ = cp.ok(cp.client().list("pods", "default"))
    assert [p["metadata"]["name"] for p in pods] == [created[0]["metadata"]["name"]]
