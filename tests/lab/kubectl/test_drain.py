"""`kubectl cordon`, `uncordon` and `drain` against a recording API: kubectl v1.35's pod
filters, eviction and waiting, and its exact lines (pkg/cmd/drain, pkg/drain)."""

import pytest

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl import drain
from k8slab.lab.kubectl.flags import parse_flags
from k8slab.lab.kubectl.output import KubectlError
from tests.lab.kubectl.fake_api import FakeApi, drive, owned_by, pod


def node(name: str, unschedulable: bool = False) -> dict:
    spec = {"unschedulable": True} if unschedulable else {}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "spec": spec}


def daemon_set(name: str, namespace: str = "kube-system") -> dict:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": namespace}}


def run(api: FakeApi, line: str) -> str:
    verb, *words = line.split()
    flags, args = parse_flags(words, drain.FLAGS[verb], drain.USAGE)
    return drive(drain.steps(api, drain.parse(verb, flags, args)))


def test_cordon_and_uncordon_with_kubectls_words():
    api = FakeApi([node("worker-1"), node("worker-2", unschedulable=True)])
    assert run(api, "cordon worker-1 node/worker-2").splitlines() == [
        "node/worker-1 cordoned", "node/worker-2 already cordoned"]
    assert api.stored("nodes", "worker-1", None)["spec"]["unschedulable"] is True
    assert run(api, "uncordon worker-1") == "node/worker-1 uncordoned"
    assert "unschedulable" not in api.stored("nodes", "worker-1", None)["spec"]
    assert run(api, "uncordon worker-1") == "node/worker-1 already uncordoned"


def test_cordon_retries_once_after_a_conflict():
    api = FakeApi([node("worker-1")])
    api.conflicts = 1
    assert run(api, "cordon worker-1") == "node/worker-1 cordoned"
    assert api.verbs() == ["get", "get", "update", "get", "update"]


def test_a_missing_node_changes_no_node():
    api = FakeApi([node("worker-1")])
    with pytest.raises(NotFoundError, match=r'Error from server \(NotFound\): nodes "worker-9" '
                                            "not found"):
        run(api, "cordon worker-1 worker-9")
    assert "update" not in api.verbs()


def test_drain_evicts_managed_pods_skips_mirror_pods_and_waits_for_them():
    api = FakeApi([
        node("worker-1"),
        pod("web-a", ownerReferences=owned_by("ReplicaSet", "web-5d8")),
        pod("web-b", ownerReferences=owned_by("ReplicaSet", "web-5d8")),
        pod("static-worker-1", namespace="kube-system",
            annotations={drain.MIRROR_ANNOTATION: "abc"}),
        pod("elsewhere", node="worker-2"),
    ], graceful=True)
    api.objects[("pods", "default", "web-b")]["spec"]["terminationGracePeriodSeconds"] = 3
    assert run(api, "drain worker-1").splitlines() == [
        "node/worker-1 cordoned",
        "evicting pod default/web-a",
        "evicting pod default/web-b",
        "pod/web-b evicted",
        "pod/web-a evicted",
        "node/worker-1 drained",
    ]
    # web-b's 3 s grace ends first; web-a's default 30 s ends the drain (polled every second).
    assert api.now == 30.0
    evictions = [r for r in api.requests if r[0] == "evict"]
    assert evictions == [("evict", "pods", "default", "web-a", None),
                         ("evict", "pods", "default", "web-b", None)]
    assert ("pods", "kube-system", "static-worker-1") in api.objects


def test_drain_refuses_daemon_set_and_unmanaged_pods_with_kubectls_errors():
    api = FakeApi([node("worker-1"), daemon_set("kube-proxy"),
                   pod("kube-proxy-x", namespace="kube-system",
                       ownerReferences=owned_by("DaemonSet", "kube-proxy")),
                   pod("loner"), pod("loner-2")])
    with pytest.raises(KubectlError) as caught:
        run(api, "drain worker-1")
    # Upstream's unmanagedFatal already starts "cannot delete", and errors() adds another. The
    # messages come in the order their first pod was listed (kubectl's Go map has none).
    reason = ("[cannot delete cannot delete Pods that declare no controller (use --force to "
              "override): default/loner, default/loner-2, cannot delete DaemonSet-managed Pods "
              "(use --ignore-daemonsets to ignore): kube-system/kube-proxy-x]")
    assert caught.value.output.splitlines() == [
        "node/worker-1 cordoned",
        f'error: unable to drain node "worker-1" due to error: {reason}, continuing command...',
        "There are pending nodes to be drained:",
        " worker-1",
    ]
    assert caught.value.error == f"error: {reason}"
    assert "evict" not in api.verbs()
    # kubectl leaves the node cordoned.
    assert api.stored("nodes", "worker-1", None)["spec"]["unschedulable"] is True


def test_ignore_daemonsets_and_force_warn_and_go_on():
    api = FakeApi([node("worker-1"), daemon_set("kube-proxy"),
                   pod("kube-proxy-x", namespace="kube-system",
                       ownerReferences=owned_by("DaemonSet", "kube-proxy")),
                   pod("loner"),
                   pod("orphan", ownerReferences=owned_by("DaemonSet", "gone"))])
    lines = run(api, "drain worker-1 --ignore-daemonsets --force").splitlines()
    assert lines == [
        "node/worker-1 cordoned",
        "Warning: deleting Pods that declare no controller: default/loner; ignoring "
        "DaemonSet-managed Pods: kube-system/kube-proxy-x",
        "evicting pod default/loner",
        "evicting pod default/orphan",
        "pod/loner evicted",
        "pod/orphan evicted",
        "node/worker-1 drained",
    ]
    assert ("pods", "kube-system", "kube-proxy-x") in api.objects


def test_finished_pods_go_and_emptydir_pods_need_the_flag():
    done = pod("job-x")
    done["status"]["phase"] = "Succeeded"
    scratch = pod("cache", ownerReferences=owned_by("ReplicaSet", "cache-1"))
    scratch["spec"]["volumes"] = [{"name": "tmp", "emptyDir": {}}]
    api = FakeApi([node("worker-1"), done, scratch])
    with pytest.raises(KubectlError, match=r"cannot delete Pods with local storage \(use "
                                           r"--delete-emptydir-data to override\): "
                                           "default/cache"):
        run(api, "drain worker-1")
    assert run(api, "drain worker-1 --delete-emptydir-data").splitlines()[-1] == (
        "node/worker-1 drained")
    assert not [key for key in api.objects if key[0] == "pods"]


def test_disable_eviction_deletes_with_the_grace_period_and_says_deleted():
    api = FakeApi([node("worker-1"), pod("a", ownerReferences=owned_by("ReplicaSet", "r"))],
                  graceful=True)
    assert run(api, "drain worker-1 --disable-eviction --grace-period=5").splitlines() == [
        "node/worker-1 cordoned", "pod/a deleted", "node/worker-1 drained"]
    assert ("delete", "pods", "default", "a", 5, None) in api.requests
    assert api.now == 5.0


def test_drain_timeout_reports_the_pending_pods():
    api = FakeApi([node("worker-1"), pod("stuck", ownerReferences=owned_by("ReplicaSet", "r"))])
    api._remove = lambda key, grace: (yield from ())  # never goes (a finalizer, a dead kubelet)
    with pytest.raises(KubectlError) as caught:
        run(api, "drain worker-1 --timeout=20s")
    error = ('error when waiting for pod "stuck" in namespace "default" to terminate: context '
             "deadline exceeded")
    assert caught.value.output.splitlines()[-5:] == [
        'There are pending pods in node "worker-1" when an error occurred: context deadline '
        "exceeded",
        "pod/stuck",
        f'error: unable to drain node "worker-1" due to error: {error}, continuing command...',
        "There are pending nodes to be drained:",
        " worker-1",
    ]
    assert api.now == 20.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("drain", r"error: USAGE: drain NODE \[flags\]"),
        ("cordon pod/web", "cordon takes node names"),
        ("drain worker-1 --delete-local-data", "error: unknown flag: --delete-local-data"),
        ("uncordon worker-1 --force", "error: unknown flag: --force"),
    ],
)
def test_bad_node_commands(line, message):
    with pytest.raises(BadRequestError, match=message):
        run(FakeApi([node("worker-1")]), line)
