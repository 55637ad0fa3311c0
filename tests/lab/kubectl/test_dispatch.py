"""One command line to the verb that runs it: routing, the namespace before the verb, what may
wait how long, and the message that lists what this lab's kubectl supports."""

import pytest

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl import dispatch
from k8slab.lab.kubectl.output import REQUEST_MARGIN, WAIT_LIMIT
from tests.lab.kubectl.fake_api import FakeApi, drive, pod


class FakeTerminal:
    """Runs writing verbs on a FakeApi and records the limit each was given."""

    def __init__(self, api: FakeApi) -> None:
        self.api = api
        self.limits: list[float] = []

    @property
    def reader(self):
        return self

    @property
    def now(self) -> float:
        return self.api.now

    def list(self, resource, namespace):
        return drive(self.api.list(resource, namespace))

    def get(self, resource, namespace, name):
        return drive(self.api.get(resource, name, namespace))

    def call(self, steps, limit):
        self.limits.append(limit)
        return drive(steps(self.api))


def node(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "spec": {}}


@pytest.fixture()
def terminal() -> FakeTerminal:
    return FakeTerminal(FakeApi([pod("web"), pod("dns", namespace="kube-system"),
                                 node("worker-1")]))


def test_get_goes_to_the_get_printer(terminal):
    assert dispatch.run(terminal, "get pods -o name") == "pod/web"
    assert dispatch.run(terminal, "kubectl -n kube-system get pods -o name") == "pod/dns"
    assert terminal.limits == []


def test_the_namespace_may_come_before_the_verb(terminal):
    out = dispatch.run(terminal, "-n kube-system delete pod dns --wait=false")
    assert out == 'pod "dns" deleted from kube-system namespace'
    assert dispatch.run(terminal, "--namespace=default delete pod/web --wait=false")


@pytest.mark.parametrize(
    ("command", "waits"),
    [
        ("delete pod web", WAIT_LIMIT),
        ("delete pod web --wait=false", 0.0),
        ("delete pod web --timeout=2m", 120.0),
        ("cordon worker-1", 0.0),
        ("drain worker-1 --force --timeout=90s", 90.0),
    ],
)
def test_each_verb_gets_time_for_its_wait_and_its_requests(terminal, command, waits):
    dispatch.run(terminal, command)
    assert terminal.limits == [waits + REQUEST_MARGIN]


def test_rollout_and_set_reach_their_modules(terminal):
    with pytest.raises(BadRequestError, match="no status viewer has been implemented for Pod"):
        dispatch.run(terminal, "rollout status pod/web")
    assert dispatch.run(terminal, "set image pod/web c=nginx:1.27") == "pod/web image updated"
    with pytest.raises(BadRequestError, match='unknown command "env" for "kubectl set"'):
        dispatch.run(terminal, "set env pod/web A=1")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("", "error: no command given"),
        ("-n kube-system", "error: no command given"),
        ("attach web", 'error: unknown command "attach" for "kubectl"'),
        ("--context=x delete pod web", "error: unknown flag: --context"),
        ("apply -f web.yaml", 'error: unknown command "apply" for "kubectl"'),
    ],
)
def test_unknown_verbs_list_what_the_lab_supports(terminal, command, message):
    with pytest.raises(BadRequestError) as caught:
        dispatch.run(terminal, command)
    assert message in str(caught.value)
    assert "this lab's kubectl supports: get, describe, logs, exec, delete, scale, rollout" in str(
        caught.value)
    assert terminal.limits == []
