"""Running one etcdctl session through our etcdctl and through the real one, comparably.

A step is (id, command, stdin); `{lease}` in a command is the first lease the session granted.
Both runs start from a fresh 3-member cluster, so revisions match; what differs by nature is
normalised, each where it is replaced: member and cluster IDs, member names and URLs,
endpoints, lease IDs, DB sizes, the Raft index, durations, a lease's remaining seconds, the
server's version, and the order of rows etcdctl does not fix.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
import time

from k8slab.etcd.membership import CLIENT_PORT, member_id, peer_url
from k8slab.lab import etcdctl
from k8slab.lab.etcdctl import EtcdctlError
from k8slab.robustness.etcd_lab import CLIENT_HOST, EtcdLab


class Normaliser:
    """Replaces one run's identities with placeholders: the i-th member's ID (hex and decimal),
    name, endpoint and peer URL; lease IDs in the order the run granted them."""

    def __init__(self, endpoints: list[str], names: list[str], ids: list[int],
                 peer_urls: list[str]) -> None:
        self.pairs: list[tuple[str, str]] = []
        for i, (endpoint, member, url) in enumerate(zip(endpoints, ids, peer_urls,
                                                        strict=True)):
            self.pairs += [(f"{member:x}", f"<id{i}>"), (str(member), f"<id{i}>"),
                           (url, f"<peer{i}>"), (endpoint, f"<endpoint{i}>")]
        self.names = names
        self.leases: list[int] = []

    def granted(self, output: str) -> None:
        """Learn a lease ID from `lease grant`'s output (simple or json)."""
        found = re.search(r"lease ([0-9a-f]{16}) granted|\"ID\":(\d+)", output)
        if found:
            self.leases.append(int(found.group(1), 16) if found.group(1) else
                               int(found.group(2)))

    def __call__(self, text: str) -> str:
        for n, lease in enumerate(self.leases):
            text = text.replace(f"{lease:016x}", f"<lease{n}>")
            text = re.sub(rf'"(ID|id|lease)":{lease}\b', rf'"\1":<lease{n}>', text)
        for old, new in sorted(self.pairs, key=lambda pair: -len(pair[0])):
            text = text.replace(old, new)
        for i, name in enumerate(self.names):
            text = re.sub(rf"\b{re.escape(name)}\b", f"<name{i}>", text)
        text = re.sub(r"https?://", "<scheme>", text)
        # the real server is 3.5.1, the model runs the image kubeadm pulls (cmd/images.py)
        text = re.sub(r"\b3\.5\.(1|16)\b", "<version>", text)
        text = re.sub(r'"cluster_id":\d+', '"cluster_id":<cluster>', text)
        text = re.sub(r'"member_id":<id\d>', '"member_id":<member>', text)  # whoever answered
        text = re.sub(r"\d+(\.\d+)? (B|kB|MB)\b", "<size>", text)
        text = re.sub(r'"(dbSize|dbSizeInUse)":\d+', r'"\1":<size>', text)
        text = re.sub(r'"(raftIndex|raftAppliedIndex)":\d+', r'"\1":<index>', text)
        text = re.sub(r"took = \S+", "took = <duration>", text)
        text = re.sub(r'"took":"[^"]+"', '"took":"<duration>"', text)
        text = re.sub(r"remaining\(\d+s\)", "remaining(<ttl>)", text)
        # a lease's keys come from a Go map: in no fixed order
        text = re.sub(r"attached keys\(\[([^]]*)\]\)",
                      lambda m: f"attached keys([{' '.join(sorted(m.group(1).split()))}])", text)
        text = re.sub(r'"keys":\[([^]]*)\]',
                      lambda m: f'"keys":[{",".join(sorted(m.group(1).split(",")))}]', text)
        text = re.sub(r'"ttl":\d+,"granted-ttl"', '"ttl":<ttl>,"granted-ttl"', text)
        text = re.sub(r"(true|false)(, | +\| +)(true|false)(, | +\| +)(\d+)(, | +\| +)\d+"
                      r"(, | +\| +)\d+", r"\1\2\3\4\5\6<index>\7<index>", text)
        text = re.sub(r'"(ClusterID|MemberID)" : \S+', r'"\1" : <\1>', text)
        # table widths follow the names, which differ between the runs
        text = re.sub(r"^\+[-+]+\+$", "+-+", text, flags=re.MULTILINE)
        text = re.sub(r"(?<=\|) +| +(?=\|)", " ", text)
        return re.sub(r"(?<=\| )[\d.]+(ns|µs|ms|s)(?= \|)", "<duration>", text)


def unordered(step: str, text: str) -> str:
    """Rows whose order or leader etcdctl does not fix: health checks run concurrently,
    members come sorted by their IDs (which differ between the runs), a follower lists leases
    in map order, and which member leads is the election's draw."""
    if not step.startswith(("endpoint-health", "member-list", "lease-list", "endpoint-status")):
        return text
    if step.startswith("endpoint-status"):
        text = re.sub(r"<(endpoint|id)\d>", r"<\1>", text)
    if text.startswith(("[", "{")):
        value = json.loads(re.sub(r'(?<=[:\[,])(<[a-z]+\d*>)', r'"\1"', text))
        rows = value if isinstance(value, list) else value.get("members") or value["leases"]
        rows.sort(key=json.dumps)
        return json.dumps(value)
    return "\n".join(sorted(text.split("\n")))


def _result(code: int, stdout: str, error: str = "") -> str:
    """One step's outcome as compared: stdout (without its last newline), or on failure the
    exit code and what etcdctl printed before and with its `Error:` line."""
    return stdout if code == 0 else f"[exit {code}]\n{error}"


def run_ours(steps: list[tuple[str, str, str]]) -> dict[str, str]:
    """The session through our etcdctl, against a fresh 3-member EtcdLab."""
    lab = EtcdLab(members=3, seed=1)
    lab.run_until_leader()
    normalise = Normaliser([f"{n}:{CLIENT_PORT}" for n in lab.names], lab.names,
                           [member_id(n) for n in lab.names], [peer_url(n) for n in lab.names])
    results = {}
    for step, command, stdin in steps:
        group = lab.network.host(CLIENT_HOST).group(f"etcdctl-{step}")
        command = command.replace("{lease}", f"{normalise.leases[0]:x}" if normalise.leases
                                  else "")
        try:
            out = lab.sim.run_process(group.spawn(etcdctl.run(group, lab.names, command, stdin)),
                                      30)
            text = _result(0, out)
        except EtcdctlError as error:
            text = _result(error.exit_code, "", error.message)
        finally:
            group.stop()
        if command.startswith("lease grant"):
            normalise.granted(text)
        results[step] = unordered(step, normalise(text))
    return results


def run_real(cluster, steps: list[tuple[str, str, str]]) -> dict[str, str]:
    """The session through the real etcdctl 3.5.1 against a fresh real cluster. Its warn-level
    JSON log lines (timestamps) and the usage text it prints after a flag error are left out."""
    members = json.loads(_etcdctl(cluster, "member list -w json", "")[1])["members"]
    by_port = {m["clientURLs"][0].rsplit(":", 1)[1]: m for m in members}
    ordered = [by_port[str(port)] for port in cluster.client_ports]
    normalise = Normaliser([f"127.0.0.1:{port}" for port in cluster.client_ports],
                           [m["name"] for m in ordered], [m["ID"] for m in ordered],
                           [m["peerURLs"][0] for m in ordered])
    results = {}
    for step, command, stdin in steps:
        command = command.replace("{lease}", f"{normalise.leases[0]:x}" if normalise.leases
                                  else "")
        code, stdout, stderr = _etcdctl(cluster, command, stdin)
        text = _result(code, stdout.removesuffix("\n"), _stderr(stdout, stderr))
        if command.startswith("lease grant"):
            normalise.granted(text)
        results[step] = unordered(step, normalise(text))
    return results


def _etcdctl(cluster, command: str, stdin: str) -> tuple[int, str, str]:
    """Run the real etcdctl (bounded: 10 s). A watch runs until interrupted: it is stopped by
    its PID once it printed something and then nothing for 0.3 s (or after 5 s), and counts as
    done with what it printed."""
    words = [cluster.etcdctl, f"--endpoints={cluster.endpoints}", *shlex.split(command)]
    if not command.startswith("watch"):
        done = subprocess.run(words, input=stdin, capture_output=True, text=True, timeout=10)
        return done.returncode, done.stdout, done.stderr
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(words, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   text=True)
        start = changed = time.monotonic()
        size = 0
        while process.poll() is None and time.monotonic() - start < 5:
            time.sleep(0.05)
            now = os.fstat(out.fileno()).st_size
            if now != size:
                size, changed = now, time.monotonic()
            elif size and time.monotonic() - changed > 0.3:
                break
        code = process.poll()
        if code is None:
            process.terminate()
            process.wait(timeout=5)
            code = 0
        out.seek(0)
        err.seek(0)
        return code, out.read(), err.read()


def _stderr(stdout: str, stderr: str) -> str:
    if stdout.startswith("NAME:"):  # the usage cobra prints after a flag error
        stdout = ""
    lines = [line for line in stderr.split("\n") if not line.startswith('{"level"')]
    if "NAME:" in lines:
        lines = lines[:lines.index("NAME:")]
    lines = [line for i, line in enumerate(lines) if line and (i == 0 or line != lines[0])]
    return "\n".join([*stdout.removesuffix("\n").split("\n"), *lines]).lstrip("\n")
