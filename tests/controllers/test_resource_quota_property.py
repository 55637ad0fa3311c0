"""A property of quota admission with the resource quota controller running: whatever creates
and deletes arrive, in whatever order, the pods that exist and the usage the quota records
never exceed its hard limit, checked after every single event of the simulation (on the API
server's watch cache, which follows etcd)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.client.informer import SharedInformerFactory
from k8slab.client.rest import Client
from k8slab.controllers.context import ControllerContext
from k8slab.controllers.resource_quota import SYNC_PERIOD, ResourceQuotaController
from k8slab.errors import AlreadyExistsError, ForbiddenError, NotFoundError
from k8slab.sim.kernel import Simulation
from tests.conftest import CONTROL_PLANE, build_control_plane, pod_manifest
from tests.pki_fixtures import kubeadm_credentials

NAMES = ("a", "b", "c", "d", "e")
OPERATIONS = st.lists(st.tuples(st.sampled_from(("create", "delete")), st.sampled_from(NAMES),
                                st.sampled_from((0.0, 0.2, 1.0))), max_size=14)


def invariant(cp, hard: int):
    """A check to run after every event: stored pods and recorded usage within `hard`."""
    objects = cp.apiserver.cache.objects
    key = "/registry/resourcequotas/default/q"

    def check() -> None:
        pods = [k for k in objects if k.startswith("/registry/pods/default/")]
        assert len(pods) <= hard
        used = ((objects.get(key) or {}).get("status") or {}).get("used") or {}
        assert int(used.get("pods", "0")) <= hard

    return check


def run(sim: Simulation, steps, check, limit: float = 30.0):
    """cp.call with the invariant checked after every event."""
    return sim.run_process(steps, limit, after_event=check)


def start_controller(cp) -> None:
    group = cp.worker.group("kube-controller-manager")
    client = Client(group, kubeadm_credentials(
        "system:serviceaccount:kube-system:resourcequota-controller"), CONTROL_PLANE)
    ctx = ControllerContext(group, client, SharedInformerFactory(client))
    ResourceQuotaController(ctx).start()
    ctx.informers.start()


@settings(max_examples=12, deadline=None)
@given(hard=st.integers(min_value=1, max_value=3), operations=OPERATIONS)
def test_admitted_pods_and_recorded_usage_never_exceed_hard(hard, operations):
    cp = build_control_plane()
    start_controller(cp)
    client = cp.client()
    cp.ok(client.create({"apiVersion": "v1", "kind": "ResourceQuota",
                         "metadata": {"name": "q", "namespace": "default"},
                         "spec": {"hard": {"pods": str(hard)}}}))
    cp.sim.run(2)  # counted by the controller
    check = invariant(cp, hard)
    caller = cp.worker.group("operations")
    for verb, name, pause in operations:
        steps = (client.create(pod_manifest(name)) if verb == "create"
                 else client.delete("pods", name, "default"))
        try:
            answer = run(cp.sim, caller.spawn(steps), check)
            assert isinstance(answer, dict)
        except ForbiddenError as refused:
            assert verb == "create" and "exceeded quota: q" in refused.message
        except NotFoundError:
            assert verb == "delete"
        except AlreadyExistsError:
            assert verb == "create"
        cp.sim.run(pause, after_event=check)
    # A create refused after admission charged it (AlreadyExists: upstream charges first too);
    # the full resync gives that back, so by then the recorded usage is the true count.
    cp.sim.run(SYNC_PERIOD + 5, after_event=check)
    pods, _ = cp.ok(client.list("pods", "default"))
    assert cp.ok(client.get("resourcequotas", "q", "default"))["status"]["used"] == {
        "pods": str(len(pods))}
