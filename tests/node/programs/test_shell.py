"""busybox's sh as a transcript: the docs' scripts run unchanged, with exact simulated times."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from k8slab.node.programs.busybox import with_shell
from k8slab.node.programs.shell import IDLE_ITERATION_SECONDS
from k8slab.node.programs.shell_syntax import ShellSyntaxError, parse

SH = with_shell()["sh"]


def test_liveness_exec_script_creates_then_removes_the_file(box) -> None:
    box.start(SH, "/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600")
    box.sim.run(29.9)
    assert box.fs.read("/tmp/healthy") == ""
    box.sim.run(0.2)
    assert box.fs.read("/tmp/healthy") is None
    box.sim.run(600)
    assert (box.exit, box.exited_at) == (0, 630)


def test_logging_loop_appends_a_line_each_second(box) -> None:
    box.start(SH, "sh", "-c", 'while true; do echo "logging" >> /opt/logs.txt; sleep 1; done')
    box.sim.run(4.5)
    assert box.fs.read("/opt/logs.txt") == "logging\n" * 5
    assert box.exit is None


def test_counter_prints_the_simulated_date_each_second(box) -> None:
    counter = 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done'
    box.start(SH, "/bin/sh", "-c", counter)
    box.sim.run(2.5)
    assert box.lines() == [(0, "stdout", "0: Thu Jan  1 00:00:00 UTC 2026"),
                           (1, "stdout", "1: Thu Jan  1 00:00:01 UTC 2026"),
                           (2, "stdout", "2: Thu Jan  1 00:00:02 UTC 2026")]


def test_init_container_waits_for_the_service_every_two_seconds(dns_world) -> None:
    box = dns_world.box
    box.fs.write("/var/run/secrets/kubernetes.io/serviceaccount/namespace", "default")
    script = ("until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/"
              "namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done")
    box.start(SH, "sh", "-c", script)
    box.sim.run(3)
    missing = "** server can't find myservice.default.svc.cluster.local: NXDOMAIN"
    assert [text for _, _, text in box.lines()[:8]] == [
        "Server:\t\t10.96.0.10", "Address:\t10.96.0.10:53", "", missing, "", missing, "",
        "waiting for myservice"]
    waits = [t for t, _, text in box.lines() if text == "waiting for myservice"]
    assert waits == [1.001, 3.002]  # a DNS round trip (1 ms), then every two seconds


@pytest.mark.parametrize("script, status, stdout, stderr", [
    ("echo The app is running! && sleep 3600", None, ["The app is running!"], []),
    ("exit 3", 3, [], []),
    ("false || echo fallback; true && echo both", 0, ["fallback", "both"], []),
    ("for i in 1 2 3; do echo $i; done", 0, ["1", "2", "3"], []),
    ("if [ -f /nope ]; then echo yes; else echo no; fi", 0, ["no"], []),
    ("cat /nope; echo $?", 0, ["1"], ["cat: can't open '/nope': No such file or directory"]),
    ("rm /nope", 1, [], ["rm: can't remove '/nope': No such file or directory"]),
    ("rm -f /nope", 0, [], []),
    ("frobnicate --now", 127, [], ["sh: frobnicate: not found"]),
    ('X=5; echo ${X} ${Y:-dflt} "$X"  "a  b" c', 0, ["5 dflt 5 a  b c"], []),
    ("echo -n hi; echo there", 0, ["hithere"], []),
    ("echo $((7 / 2)) $((3 * (1 + 1))) $((-7 % 3))", 0, ["3 6 -1"], []),
    ("echo one\necho two", 0, ["one", "two"], []),
    ("echo out; echo err >&2; echo gone 2>/dev/null >/dev/null", 0, ["out"], ["err"]),
    ("! false && echo negated", 0, ["negated"], []),
    ("hostname; printenv HOSTNAME", 0, ["web-0", "web-0"], []),
    ("i=0; until [ $i -ge 3 ]; do i=$((i+1)); done; echo $i", 0, ["3"], []),
    ("sleep abc", 1, [], ["sleep: invalid number 'abc'"]),
    ("wget -qO- http://example.com/", 1, [], ["wget: bad address 'example.com'"]),
    ("wget -qO- http://localhost:8080/", 1, [],
     ["wget: can't connect to remote host (127.0.0.1): Connection refused"]),
    ("exit abc", 2, [], ["sh: exit: Illegal number: abc"]),
    ("echo 'unterminated", 2, [], ["sh: syntax error: unterminated quoted string"]),
    ("while true; do echo x", 2, [],
     ['sh: syntax error: unexpected end of file (expecting "done")']),
    ("echo a | cat", 2, [], ['sh: syntax error: unexpected "|"']),
    ("done", 2, [], ['sh: syntax error: unexpected "done"']),
], ids=["and-sleep", "exit", "or-and", "for", "if-else", "cat-missing", "rm-missing", "rm-f",
        "not-found", "variables", "echo-n", "arithmetic", "newlines", "redirect-fds", "not",
        "hostname", "until", "sleep-bad", "wget-bad-address", "wget-refused", "exit-bad",
        "unterminated", "unclosed-loop", "pipe", "stray-done"])
def test_shell_idioms(box, script, status, stdout, stderr) -> None:
    assert box.run(SH, "sh", "-c", script, seconds=10) == status
    assert (box.stdout(), box.stderr()) == (stdout, stderr)


def test_files_written_by_redirection_and_read_back(box) -> None:
    assert box.run(SH, "sh", "-c", "echo a > /f; echo b >> /f; cat /f; echo c > /f; cat /f") == 0
    assert box.stdout() == ["a", "b", "c"]
    assert box.fs.read("/f") == "c\n"


def test_a_busy_loop_costs_a_millisecond_per_iteration(box) -> None:
    box.start(SH, "sh", "-c", "i=0; while [ $i -lt 100 ]; do i=$((i+1)); done; echo $i")
    box.sim.run(1)
    assert box.stdout() == ["100"]
    assert box.exited_at == pytest.approx(100 * IDLE_ITERATION_SECONDS)


def test_tail_follows_appended_lines_every_second(box) -> None:
    box.fs.write("/opt/logs.txt", "old\n")
    box.start(with_shell()["tail"], "tail", "-F", "/opt/logs.txt")
    box.sim.run(0.5)
    box.fs.write("/opt/logs.txt", "new\n", append=True)
    box.sim.run(1)
    assert box.lines() == [(0, "stdout", "old"), (1, "stdout", "new")]


def test_bare_sh_has_no_stdin_and_exits_at_once(box) -> None:
    assert box.run(SH, "sh") == 0
    assert box.exited_at == 0


def test_the_shell_ignores_sigterm_as_runc_expects() -> None:
    commands = with_shell()
    assert commands["sh"].sigterm_seconds is None
    assert commands["sleep"].sigterm_seconds is None
    assert commands["echo"].sigterm_seconds == 0.0


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example('""')
@example('0;""')
@given(st.text(alphabet=st.sampled_from(list("ab $(){}[]'\"`;&|<>\n\\=!#-012echoslp")),
               max_size=40))
def test_the_shell_never_raises_on_arbitrary_input(make_box, script: str) -> None:
    box = make_box()
    box.start(SH, "sh", "-c", script)
    box.sim.run(2)
    assert not [r for r in box.sim.trace if r.kind == "crash"], script
    try:
        parse(script)
    except ShellSyntaxError:
        assert box.exit == 2
        assert box.stderr()[-1].startswith("sh: syntax error: ")
