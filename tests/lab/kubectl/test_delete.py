"""`kubectl delete`: the DeleteOptions kubectl sends, the lines it prints, and how long it waits,
against a recording API (delete.go and delete_flags.go of kubectl v1.35)."""

import pytest

from k8slab.errors import BadRequestError, NotFoundError
from k8slab.lab.kubectl import delete
from k8slab.lab.kubectl.flags import parse_flags
from k8slab.lab.kubectl.output import KubectlError
from tests.lab.kubectl.fake_api import FakeApi, drive, pod


def run(api: FakeApi, line: str, namespace: str = "default") -> str:
    flags, args = parse_flags(line.split(), delete.FLAGS, delete.USAGE)
    request = delete.parse(flags, args, flags.get("namespace") or namespace)
    return drive(delete.steps(api, request))


def node(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}


@pytest.mark.parametrize(
    ("line", "grace", "policy", "printed"),
    [
        ("pod web", None, "Background", 'pod "web" deleted from default namespace'),
        ("pod web --grace-period=5", 5, "Background", 'pod "web" deleted from default namespace'),
        # grace 0 without --force means "as soon as possible": kubectl sends 1.
        ("pod web --grace-period=0", 1, "Background", 'pod "web" deleted from default namespace'),
        ("pod web --now", 1, "Background", 'pod "web" deleted from default namespace'),
        ("pod web --force", 0, "Background", 'pod "web" force deleted from default namespace'),
        ("pod web --force --grace-period=0", 0, "Background",
         'pod "web" force deleted from default namespace'),
        ("pod/web --cascade=orphan", None, "Orphan", 'pod "web" deleted from default namespace'),
        ("pods web --cascade=foreground", None, "Foreground",
         'pod "web" deleted from default namespace'),
        ("pod web --cascade", None, "Background", 'pod "web" deleted from default namespace'),
        ("po web -o name", None, "Background", "pod/web"),
    ],
    ids=["default", "grace", "grace-0-is-1", "now", "force", "force-grace-0", "orphan",
         "foreground", "bare-cascade", "name-output"],
)
def test_delete_options_and_the_printed_line(line, grace, policy, printed):
    api = FakeApi([pod("web")])
    out = run(api, line + " --wait=false")
    assert out.splitlines()[-1] == printed
    assert api.requests[-1] == ("delete", "pods", "default", "web", grace, policy)


def test_force_prints_kubectls_warning_first():
    out = run(FakeApi([pod("web")]), "pod web --force --wait=false")
    assert out.splitlines() == [delete.FORCE_WARNING, 'pod "web" force deleted from default '
                                                      "namespace"]
    assert delete.FORCE_WARNING.startswith("Warning: Immediate deletion does not wait")


def test_a_cluster_scoped_object_is_printed_without_a_namespace():
    api = FakeApi([node("worker-1")])
    assert run(api, "node worker-1 -n kube-system") == 'node "worker-1" deleted'
    assert ("nodes", None, "worker-1") not in api.objects


def test_deprecated_boolean_cascade_warns_and_maps_to_a_strategy():
    api = FakeApi([pod("a"), pod("b")])
    assert run(api, "pod a --cascade=false").splitlines()[0] == (
        "warning: --cascade=false is deprecated (boolean value) and can be replaced with "
        "--cascade=orphan.")
    assert api.requests[-2][-1] == "Orphan"
    assert "--cascade=background." in run(api, "pod b --cascade=true")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "error: You must provide one or more resources by argument or filename."),
        ("pods", "error: resource(s) were provided, but no name was specified"),
        ("frobs x", 'error: the server doesn\'t have a resource type "frobs"'),
        ("pod web --cascade=maybe",
         'error: invalid cascade value (maybe). Must be "background", "foreground", or "orphan"'),
        ("pod web --force --grace-period=5",
         "error: --force and --grace-period greater than 0 cannot be specified together"),
        ("pod web --now --grace-period=3",
         "error: --now and --grace-period cannot be specified together"),
        ("pod web -o yaml", "error: unexpected -o output mode: yaml. We only support '-o name'"),
        ("pod web --grace-period=soon",
         'error: invalid argument "soon" for "--grace-period" flag: strconv.ParseInt'),
        ("pod web --timeout=5", 'time: missing unit in duration "5"'),
        ("pod web --bogus", "error: unknown flag: --bogus"),
    ],
)
def test_bad_commands_are_refused_before_any_request(line, message):
    api = FakeApi([pod("web")])
    with pytest.raises(BadRequestError) as caught:
        run(api, line)
    assert message in str(caught.value)
    assert api.requests == []


def test_a_missing_name_deletes_nothing_and_says_what_the_server_said():
    api = FakeApi([pod("a")])
    with pytest.raises(NotFoundError, match=r'Error from server \(NotFound\): pods "nope" not '
                                            "found"):
        run(api, "pods a nope")
    assert "delete" not in api.verbs()
    assert ("pods", "default", "a") in api.objects


def test_ignore_not_found_deletes_what_exists():
    api = FakeApi([pod("a")])
    assert run(api, "pods a nope --ignore-not-found") == (
        'pod "a" deleted from default namespace')
    assert run(api, "pods a --ignore-not-found") == "No resources found"


def test_group_qualified_kinds_print_their_group():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", "namespace": "shop"}}
    api = FakeApi([deployment])
    assert run(api, "deploy/web -n shop") == 'deployment.apps "web" deleted from shop namespace'


def test_wait_returns_when_the_terminating_pod_is_gone():
    api = FakeApi([pod("web")], graceful=True)
    assert run(api, "pod web --grace-period=12") == 'pod "web" deleted from default namespace'
    # The pod lingered its 12 s grace period; kubectl looked every half second meanwhile.
    assert api.now == 12.0
    assert api.verbs().count("sleep") == 24


def test_wait_stops_at_a_replacement_with_another_uid():
    api = FakeApi([pod("web")], graceful=True)

    def replace(fake: FakeApi) -> None:
        if fake.now >= 2 and fake.stored("pods", "web")["metadata"]["uid"] == "uid-1":
            fake.objects.pop(("pods", "default", "web"))
            fake.put(pod("web"))

    api.ticks.append(replace)
    run(api, "pod web")
    assert api.now == 2.0


def test_wait_without_the_object_going_times_out_in_kubectls_words():
    api = FakeApi([pod("web", finalizers=["example.com/hold"])], graceful=True)
    api.graceful = False
    api._remove = lambda key, grace: (yield from ())  # the object lingers for ever
    with pytest.raises(KubectlError) as caught:
        run(api, "pod web --timeout=30s")
    assert caught.value.output == 'pod "web" deleted from default namespace'
    assert caught.value.error == "error: timed out waiting for the condition on pods/web"
    assert api.now == 30.0


def test_the_labs_bound_on_an_endless_wait_is_said():
    api = FakeApi([pod("web")])
    api._remove = lambda key, grace: (yield from ())
    with pytest.raises(KubectlError, match="the lab stops waiting after 600 simulated seconds"):
        run(api, "pod web")
    assert api.now == 600.0
