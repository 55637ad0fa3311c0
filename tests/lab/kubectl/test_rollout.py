"""`kubectl rollout`: status lines as kubectl v1.35's status viewers word them, history, undo,
pause, resume and restart, against a recording API (pkg/cmd/rollout, polymorphichelpers)."""

import pytest

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl import rollout
from k8slab.lab.kubectl.output import KubectlError
from tests.lab.kubectl.fake_api import FakeApi, drive, owned_by

REVISION = "deployment.kubernetes.io/revision"


def deployment(desired=3, generation=1, observed=1, paused=False, image="nginx:1.27",
               **state) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "uid": "owner-uid",
                         "generation": generation,
                         "annotations": {REVISION: "3", "team": "shop"}},
            "spec": {"replicas": desired, "paused": paused,
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "nginx", "image": image}]}}},
            "status": {"observedGeneration": observed, **state}}


def replica_set(revision: int, image: str, cause: str = "", owner: str = "owner-uid") -> dict:
    annotations = {REVISION: str(revision), "deployment.kubernetes.io/desired-replicas": "3"}
    if cause:
        annotations["kubernetes.io/change-cause"] = cause
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"web-{revision}abc", "namespace": "default",
                         "annotations": annotations,
                         "ownerReferences": owned_by("Deployment", "web", owner)},
            "spec": {"template": {
                "metadata": {"labels": {"app": "web", "pod-template-hash": f"{revision}abc"}},
                "spec": {"containers": [{"name": "nginx", "image": image}]}}}}


def run(api: FakeApi, line: str) -> str:
    return drive(rollout.steps(api, rollout.parse(line.split(), "default")))


@pytest.mark.parametrize(
    ("dep", "line"),
    [
        (deployment(generation=2), "Waiting for deployment spec update to be observed..."),
        (deployment(updatedReplicas=1),
         'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been '
         "updated..."),
        (deployment(updatedReplicas=3, replicas=4),
         'Waiting for deployment "web" rollout to finish: 1 old replicas are pending '
         "termination..."),
        (deployment(updatedReplicas=3, replicas=3, availableReplicas=2),
         'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are '
         "available..."),
        (deployment(updatedReplicas=3, replicas=3, availableReplicas=3),
         'deployment "web" successfully rolled out'),
    ],
    ids=["not-observed", "updating", "old-pending", "unavailable", "done"],
)
def test_deployment_status_without_watch_prints_one_line(dep, line):
    assert run(FakeApi([dep]), "status deployment/web --watch=false") == line


def test_status_watches_until_the_rollout_is_done():
    api = FakeApi([deployment(updatedReplicas=1, replicas=3, availableReplicas=2)])
    steps = iter([
        {"updatedReplicas": 2, "replicas": 4, "availableReplicas": 2},
        {"updatedReplicas": 3, "replicas": 4, "availableReplicas": 3},
        {"updatedReplicas": 3, "replicas": 3, "availableReplicas": 3},
    ])

    def controller(fake: FakeApi) -> None:
        if fake.now % 5 == 0:
            obj = fake.stored("deployments", "web")
            obj["status"].update(next(steps))

    api.ticks.append(controller)
    assert run(api, "status deploy/web").splitlines() == [
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been '
        "updated...",
        'Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been '
        "updated...",
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending '
        "termination...",
        'deployment "web" successfully rolled out',
    ]
    assert api.now == 15.0


def test_status_times_out_in_kubectls_words_keeping_what_it_printed():
    api = FakeApi([deployment(updatedReplicas=1)])
    with pytest.raises(KubectlError) as caught:
        run(api, "status deployment/web --timeout=1m")
    assert caught.value.output.startswith('Waiting for deployment "web" rollout to finish')
    assert caught.value.error == "error: timed out waiting for the condition"
    assert api.now == 60.0


@pytest.mark.parametrize(
    ("dep", "line", "message"),
    [
        (deployment(updatedReplicas=1, conditions=[
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]),
         "status deployment/web", 'error: deployment "web" exceeded its progress deadline'),
        (deployment(), "status deployment/web --revision=2",
         "error: desired revision (2) is different from the running revision (3)"),
    ],
)
def test_status_errors(dep, line, message):
    with pytest.raises(KubectlError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(FakeApi([dep]), line)


def test_daemon_set_and_stateful_set_status():
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": {"name": "agent", "namespace": "default", "generation": 1},
          "status": {"observedGeneration": 1, "desiredNumberScheduled": 3,
                     "updatedNumberScheduled": 2, "numberAvailable": 2}}
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": {"name": "db", "namespace": "default", "generation": 1},
           "spec": {"replicas": 3, "updateStrategy": {"type": "RollingUpdate",
                                                      "rollingUpdate": {"partition": 0}}},
           "status": {"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 3}}
    api = FakeApi([ds, sts])
    assert run(api, "status ds/agent -w=false") == (
        'Waiting for daemon set "agent" rollout to finish: 2 out of 3 new pods have been '
        "updated...")
    assert run(api, "status sts/db") == (
        "partitioned roll out complete: 3 new pods have been updated...")


def test_history_lists_revisions_with_their_change_cause():
    api = FakeApi([deployment(), replica_set(1, "nginx:1.25", "first"),
                   replica_set(3, "nginx:1.27"), replica_set(2, "nginx:1.26", "kubectl set image"),
                   replica_set(9, "x", owner="someone-else")])
    assert run(api, "history deployment/web") == (
        "deployment.apps/web \n"
        "REVISION  CHANGE-CAUSE\n"
        "1         first\n"
        "2         kubectl set image\n"
        "3         <none>")


def test_history_of_a_deployment_without_replica_sets():
    assert run(FakeApi([deployment()]), "history deploy web") == (
        "deployment.apps/web \nNo rollout history found.")


def test_undo_copies_the_previous_template_back_without_its_hash():
    api = FakeApi([deployment(), replica_set(1, "nginx:1.25"),
                   replica_set(2, "nginx:1.26", "to 1.26"), replica_set(3, "nginx:1.27")])
    assert run(api, "undo deployment/web") == "deployment.apps/web rolled back"
    dep = api.stored("deployments", "web")
    assert dep["spec"]["template"] == {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}
    # The Deployment's revision stays; the old ReplicaSet's other annotations come along.
    assert dep["metadata"]["annotations"] == {
        REVISION: "3", "kubernetes.io/change-cause": "to 1.26"}


def test_undo_to_a_revision_and_its_errors():
    api = FakeApi([deployment(), replica_set(1, "nginx:1.25"), replica_set(3, "nginx:1.27")])
    assert run(api, "undo deployment/web --to-revision=1") == "deployment.apps/web rolled back"
    with pytest.raises(KubectlError, match="error: unable to find specified revision 7 in "
                                           "history"):
        run(api, "undo deployment/web --to-revision=7")
    assert run(api, "undo deployment/web --to-revision=1") == (
        "deployment.apps/web skipped rollback (current template already matches revision 1)")


def test_undo_refuses_a_paused_deployment_and_a_missing_history():
    api = FakeApi([deployment(paused=True), replica_set(1, "a"), replica_set(3, "b")])
    with pytest.raises(KubectlError, match="you cannot rollback a paused deployment; resume it "
                                           "first with 'kubectl rollout resume' and try again"):
        run(api, "undo deployment/web")
    with pytest.raises(KubectlError, match='no rollout history found for deployment "web"'):
        run(FakeApi([deployment(), replica_set(3, "b")]), "undo deployment/web")


def test_pause_resume_and_their_errors():
    api = FakeApi([deployment()])
    assert run(api, "pause deployment/web") == "deployment.apps/web paused"
    assert api.stored("deployments", "web")["spec"]["paused"] is True
    with pytest.raises(KubectlError, match='error: deployments.apps "web" is already paused'):
        run(api, "pause deployment/web")
    with pytest.raises(KubectlError, match="can't restart paused deployment"):
        run(api, "restart deployment/web")
    assert run(api, "resume deployment/web") == "deployment.apps/web resumed"
    with pytest.raises(KubectlError, match='error: deployments.apps "web" is not paused'):
        run(api, "resume deployment/web")


def test_restart_stamps_the_template_with_simulated_now():
    api = FakeApi([deployment()])
    api.now = 3725.4
    assert run(api, "restart deployment/web") == "deployment.apps/web restarted"
    template = api.stored("deployments", "web")["spec"]["template"]
    assert template["metadata"]["annotations"] == {
        "kubectl.kubernetes.io/restartedAt": "2026-01-01T01:02:05Z"}
    with pytest.raises(KubectlError, match="if restart has already been triggered within the "
                                           "past second"):
        run(api, "restart deployment/web")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "error: a rollout subcommand is required"),
        ("frob deployment/web", 'error: unknown command "frob" for "kubectl rollout"'),
        ("status", "error: required resource not specified"),
        ("status rs/web", "error: no status viewer has been implemented for ReplicaSet.apps"),
        ("history rc/web", 'error: no history viewer has been implemented for '
                           '"ReplicationController"'),
        ("undo rs/web", 'error: no rollbacker has been implemented for "ReplicaSet.apps"'),
        ("pause ds/web", 'error: daemonsets.apps "web" pausing is not supported'),
        ("restart pod/web", 'error: pods "web" restarting is not supported'),
        ("status deploy/web --revision=-1", "error: revision must be a positive integer: -1"),
        ("undo deploy/web --to-revision=-1", "unable to find specified revision -1 in history"),
        ("undo deploy/web --revision=2", "error: unknown flag: --revision"),
        ("status deploy/a deploy/b", "rolls out one object at a time"),
    ],
)
def test_bad_rollout_commands_are_refused_before_any_request(line, message):
    with pytest.raises(BadRequestError) as caught:
        rollout.parse(line.split(), "default")
    assert message in str(caught.value)


def test_a_missing_deployment_is_the_servers_not_found():
    with pytest.raises(NotFoundError, match='deployments.apps "web" not found'):
        run(FakeApi(), "history deployment/web")
