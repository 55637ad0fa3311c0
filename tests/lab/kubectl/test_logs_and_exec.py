"""kubectl logs and exec: flags, the container kubectl picks (and says so), and exit codes."""

from collections.abc import Generator

import pytest

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl import dispatch
from k8slab.lab.kubectl import exec as kubectl_exec
from k8slab.lab.kubectl import logs as kubectl_logs
from k8slab.lab.kubectl.flags import parse_flags
from k8slab.lab.kubectl.output import KubectlError
from k8slab.lab.kubectl.pod_container import default_container
from tests.lab.kubectl.fake_api import FakeApi, drive, pod


class LogsApi(FakeApi):
    """FakeApi with pods/log and pods/exec answers, recording what was asked."""

    def __init__(self, objects, exit_code: int = 0) -> None:
        super().__init__(objects)
        self.exit_code = exit_code

    def logs(self, name: str, namespace: str, options: dict) -> Generator:
        self.requests.append(("log", name, namespace, options))
        yield from ()
        return "hello\nworld"

    def exec(self, name: str, namespace: str, container: str, argv: list[str]) -> Generator:
        self.requests.append(("exec", name, namespace, container, argv))
        yield from ()
        return {"exitCode": self.exit_code, "stdout": "out\n", "stderr": "err\n"}


def two_containers(**meta) -> dict:
    obj = pod("web", **meta)
    obj["spec"]["containers"] = [{"name": "app", "image": "nginx"},
                                 {"name": "sidecar", "image": "busybox"}]
    obj["spec"]["initContainers"] = [{"name": "setup", "image": "busybox"}]
    return obj


def run_logs(api: LogsApi, words: list[str]) -> str:
    flags, args = parse_flags(words, kubectl_logs.FLAGS, kubectl_logs.USAGE)
    return drive(kubectl_logs.steps(api, kubectl_logs.parse(flags, args, "default")))


def run_exec(api: LogsApi, words: list[str]) -> str:
    flags, args = parse_flags(words, kubectl_exec.FLAGS, kubectl_exec.USAGE)
    return drive(kubectl_exec.steps(api, kubectl_exec.parse(flags, args, "default")))


def test_the_default_container_and_kubectls_note():
    assert default_container(pod("one")) == ("c", [])
    assert default_container(two_containers()) == ("app", [
        'Defaulted container "app" out of: app, sidecar, setup (init)'])
    annotated = two_containers(annotations={"kubectl.kubernetes.io/default-container": "sidecar"})
    assert default_container(annotated) == ("sidecar", [])


def test_logs_sends_pod_log_options():
    api = LogsApi([pod("web")])
    assert run_logs(api, ["web", "-p", "--tail", "5", "--timestamps", "--since=90s"]) == \
        "hello\nworld"
    assert api.requests[-1] == ("log", "web", "default", {
        "container": "c", "previous": True, "tailLines": 5, "timestamps": True,
        "sinceSeconds": 90})


def test_logs_with_several_containers_says_which_it_chose():
    api = LogsApi([two_containers()])
    assert run_logs(api, ["pod/web"]) == (
        'Defaulted container "app" out of: app, sidecar, setup (init)\nhello\nworld')
    assert run_logs(api, ["web", "-c", "setup"]) == "hello\nworld"
    assert run_logs(api, ["web", "sidecar"]) == "hello\nworld"


@pytest.mark.parametrize(("words", "message"), [
    (["web", "-c", "db"], "error: container db is not valid for pod web"),
    (["web", "--tail=-2"], "error: --tail must be greater than or equal to -1"),
    (["web", "app", "-c", "app"], "error: only one of -c or an inline [CONTAINER] arg is allowed"),
    (["deployment/web"], "error: this lab reads the logs of pods only, not deployment"),
])
def test_logs_refusals(words, message):
    with pytest.raises(BadRequestError) as caught:
        run_logs(LogsApi([pod("web")]), words)
    assert caught.value.message.split("\n")[0] == message


def test_exec_prints_stdout_then_stderr():
    api = LogsApi([two_containers()])
    assert run_exec(api, ["web", "-c", "sidecar", "--", "cat", "/etc/hostname"]) == "out\nerr"
    assert api.requests[-1] == ("exec", "web", "default", "sidecar", ["cat", "/etc/hostname"])
    assert run_exec(api, ["web", "--", "ls", "-l"]).startswith(
        'Defaulted container "app" out of: app, sidecar, setup (init)\nout')


def test_a_failing_command_is_kubectls_exit_message():
    with pytest.raises(KubectlError) as caught:
        run_exec(LogsApi([pod("web")], exit_code=1), ["web", "--", "cat", "/tmp/healthy"])
    assert caught.value.output == "out\nerr"
    assert caught.value.error == "command terminated with exit code 1"


def test_exec_refusals():
    done = pod("job")
    done["status"]["phase"] = "Succeeded"
    with pytest.raises(BadRequestError, match="cannot exec into a container in a completed pod; "
                                              "current phase is Succeeded"):
        run_exec(LogsApi([done]), ["job", "--", "ls"])
    with pytest.raises(BadRequestError, match="you must specify at least one command"):
        run_exec(LogsApi([pod("web")]), ["web"])


def test_dispatch_knows_logs_and_exec():
    assert "logs" in dispatch.VERBS and "exec" in dispatch.VERBS
    module, request, limit = dispatch._prepare("exec", ["web", "--", "echo", "hi"], "default")
    assert module is kubectl_exec and request.argv == ("echo", "hi") and limit == 0.0
