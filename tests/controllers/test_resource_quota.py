"""The resource quota controller on the fake API: status.hard follows spec.hard, status.used is
recounted on a pod's deletion or end, and a full resync every 5 minutes corrects any drift
(kk pkg/controller/resourcequota)."""

from k8slab.controllers.resource_quota import SYNC_PERIOD, ResourceQuotaController
from tests.controllers.conftest import start


def quota(hard: dict, status: dict | None = None, **spec) -> dict:
    obj = {"apiVersion": "v1", "kind": "ResourceQuota",
           "metadata": {"name": "q", "namespace": "default"}, "spec": {"hard": hard, **spec}}
    if status is not None:
        obj["status"] = status
    return obj


def pod(name: str, cpu: str = "", phase: str = "Running", namespace: str = "default") -> dict:
    resources = {"requests": {"cpu": cpu}, "limits": {"cpu": cpu}} if cpu else {}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [{"name": "app", "resources": resources}]},
            "status": {"phase": phase}}


def status_of(fake) -> dict:
    return fake.stored("resourcequotas")[0].get("status")


def run(fake, seconds: float = 1.0) -> None:
    fake.group.sim.run(seconds)


def test_a_new_quota_gets_its_hard_and_counted_usage(fake):
    fake.add(quota({"pods": "5", "requests.cpu": "2", "count/configmaps": "3"}))
    fake.add(pod("a", "250m"))
    fake.add(pod("b", "500m"))
    fake.add(pod("done", "1", phase="Succeeded"))
    fake.add(pod("elsewhere", "1", namespace="other"))
    start(fake, ResourceQuotaController)
    run(fake, 3)  # the configmaps informer is made when the quota first needs it, then synced
    assert status_of(fake) == {
        "hard": {"count/configmaps": "3", "pods": "5", "requests.cpu": "2"},
        "used": {"count/configmaps": "0", "pods": "2", "requests.cpu": "750m"}}
    assert fake.writes() == [("update_status", "resourcequotas", "default/q")]


def test_a_deleted_pod_gives_its_usage_back(fake):
    fake.add(quota({"pods": "2"}))
    fake.add(pod("a"))
    fake.add(pod("b"))
    start(fake, ResourceQuotaController)
    run(fake)
    assert status_of(fake)["used"] == {"pods": "2"}
    fake.group.spawn(fake.delete("pods", "a", "default"))
    run(fake)
    assert status_of(fake)["used"] == {"pods": "1"}


def test_a_pod_that_finishes_gives_its_usage_back(fake):
    fake.add(quota({"pods": "2"}))
    fake.add(pod("job-x"))
    start(fake, ResourceQuotaController)
    run(fake)
    finished = dict(fake.stored("pods")[0], status={"phase": "Succeeded"})
    fake.group.spawn(fake.update_status(finished))
    run(fake)
    assert status_of(fake)["used"] == {"pods": "0"}


def test_a_new_spec_hard_is_counted_at_once(fake):
    fake.add(quota({"pods": "2"}))
    fake.add(pod("a", "100m"))
    start(fake, ResourceQuotaController)
    run(fake)
    changed = dict(fake.stored("resourcequotas")[0])
    changed["spec"] = {"hard": {"pods": "3", "limits.cpu": "1"}}
    fake.group.spawn(fake.update(changed))
    run(fake)
    assert status_of(fake) == {"hard": {"limits.cpu": "1", "pods": "3"},
                               "used": {"limits.cpu": "100m", "pods": "1"}}


def test_the_full_resync_corrects_usage_only_after_five_minutes(fake):
    fake.add(quota({"pods": "4"}))
    fake.add(pod("a"))
    start(fake, ResourceQuotaController)
    run(fake)
    drifted = dict(fake.stored("resourcequotas")[0])
    drifted["status"] = {"hard": {"pods": "4"}, "used": {"pods": "3"}}  # e.g. a failed create
    fake.group.spawn(fake.update_status(drifted))
    run(fake, SYNC_PERIOD - 10)
    assert status_of(fake)["used"] == {"pods": "3"}  # a status write alone starts no recount
    run(fake, 20)
    assert status_of(fake)["used"] == {"pods": "1"}


def test_a_counted_quota_is_not_written_again(fake):
    fake.add(quota({"pods": "1"}, status={"hard": {"pods": "1"}, "used": {"pods": "1"}}))
    fake.add(pod("a"))
    start(fake, ResourceQuotaController)
    run(fake, SYNC_PERIOD + 1)
    assert fake.writes() == []


def test_a_scoped_quota_counts_only_its_pods(fake):
    fake.add(quota({"pods": "5"}, scopes=["BestEffort"]))
    fake.add(pod("best-effort"))
    fake.add(pod("burstable", "100m"))
    start(fake, ResourceQuotaController)
    run(fake)
    assert status_of(fake)["used"] == {"pods": "1"}
