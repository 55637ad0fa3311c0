"""One etcdctl session, step by step, and how to compare two runs of it.

Each step is (id, command, stdin). `{lease}` in a command is the lease the session granted.
Both runs (the real etcdctl 3.5.1 against a real 3-member cluster, ours against the model's)
start from a fresh cluster, so revisions match; what differs by nature is normalised, each
said where it is replaced: member and cluster IDs, member names and URLs, endpoints, lease IDs,
DB sizes, the Raft index, health-check durations, a lease's remaining seconds.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess

from k8slab.etcd.member import CLIENT_PORT, member_id, peer_url
from k8slab.lab import etcdctl
from k8slab.lab.etcdctl import EtcdctlError
from k8slab.robustness.etcd_lab import CLIENT_HOST, EtcdLab

TXN_OK = 'value("/t") = "1"\nmod("/t") > "0"\n\nput /t 2\nget /t\n\nget /u\n\n'
TXN_FAIL = 'value("/t") = "1"\n\nput /t 3\n\nget /t\nput /u x\n\n'

STEPS: list[tuple[str, str, str]] = [
    ("put", "put /a 1", ""),
    ("put-json", "put /b 2 -w json", ""),
    ("put-prev-kv", "put /a 3 --prev-kv", ""),
    ("put-prev-kv-json", "put /c 4 --prev-kv -w json", ""),
    ("put-value-from-stdin", "put /d", "from stdin"),
    ("put-no-value", "put /d", ""),
    ("put-bad-lease", "put /d x --lease=zz", ""),
    ("put-unknown-lease", "put /d x --lease=99", ""),
    ("get", "get /a", ""),
    ("get-missing", "get /nope", ""),
    ("get-missing-json", "get /nope -w json", ""),
    ("get-range-end", "get /a /c", ""),
    ("get-every-key", "get '' --prefix", ""),
    ("get-from-key-keys-only", "get /b --from-key --keys-only", ""),
    ("get-limit-json", "get / --prefix --limit 2 -w json", ""),
    ("get-sorted", "get / --prefix --sort-by=MODIFY --order=DESCEND", ""),
    ("get-descending-keys", "get / --prefix --order=descend --limit 2", ""),
    ("get-print-value-only", "get / --prefix --print-value-only", ""),
    ("get-count-only-fields", "get / --prefix --count-only -w fields", ""),
    ("get-fields", "get /a -w fields", ""),
    ("get-count-only-simple", "get / --prefix --count-only", ""),
    ("get-rev", "get /a --rev 2 -w json", ""),
    ("get-future-rev", "get /a --rev 99", ""),
    ("get-no-key", "get", ""),
    ("get-prefix-and-from-key", "get /a --prefix --from-key", ""),
    ("get-prefix-and-range-end", "get /a /b --prefix", ""),
    ("get-keys-and-count-only", "get /a --keys-only --count-only", ""),
    ("get-bad-sort-target", "get / --prefix --sort-by=SIZE", ""),
    ("get-bad-order", "get / --prefix --order=UP", ""),
    ("get-bad-consistency", "get /a --consistency=x", ""),
    ("get-bad-limit", "get /a --limit=many", ""),
    ("get-unknown-flag", "get /a --frob", ""),
    ("get-unknown-shorthand", "get /a -x", ""),
    ("get-table", "get /a -w table", ""),
    ("get-yaml", "get /a -w yaml", ""),
    ("del-missing", "del /nope", ""),
    ("del-prev-kv", "del /d --prev-kv", ""),
    ("del-range-end-json", "del /b /c -w json", ""),
    ("del-no-key", "del", ""),
    ("put-t", "put /t 1", ""),
    ("txn-success", "txn", TXN_OK),
    ("txn-failure-json", "txn -w json", TXN_FAIL),
    ("txn-no-compares", "txn", "\nput /v 1\n\n\n"),
    ("txn-duplicate-key", "txn", "\nput /x 1\nput /x 2\n\n\n"),
    ("txn-eof", "txn", "\nput /x 1\n"),
    ("txn-unknown-target", "txn", 'size("/t") = "1"\n\n\n\n'),
    ("txn-no-operator-space", "txn", 'value("/t")="1"\n\n\n\n'),
    ("txn-bad-number", "txn", 'version("/t") > "x"\n\n\n\n'),
    ("txn-unknown-request", "txn", "\nfrob /t\n\n\n"),
    ("txn-request-without-key", "txn", "\nget\n\n\n"),
    ("txn-argument", "txn /t", ""),
    ("lease-grant", "lease grant 600", ""),
    ("lease-grant-json", "lease grant 300 -w json", ""),
    ("lease-list", "lease list", ""),
    ("lease-list-json", "lease list -w json", ""),
    ("lease-grant-minimum", "lease grant 1", ""),
    ("lease-grant-bad-ttl", "lease grant abc", ""),
    ("lease-grant-no-ttl", "lease grant", ""),
    ("put-with-lease", "put /l/1 a --lease={lease}", ""),
    ("put-with-lease-2", "put /l/2 b --lease={lease}", ""),
    ("lease-timetolive", "lease timetolive {lease}", ""),
    ("lease-timetolive-keys", "lease timetolive {lease} --keys", ""),
    ("lease-timetolive-keys-json", "lease timetolive {lease} --keys -w json", ""),
    ("lease-timetolive-unknown", "lease timetolive 1234", ""),
    ("lease-timetolive-unknown-json", "lease timetolive 1234 -w json", ""),
    ("lease-keep-alive-once", "lease keep-alive --once {lease}", ""),
    ("lease-keep-alive-once-json", "lease keep-alive --once {lease} -w json", ""),
    ("lease-keep-alive-unknown", "lease keep-alive --once 1234", ""),
    ("lease-revoke", "lease revoke {lease}", ""),
    ("lease-revoke-again", "lease revoke {lease}", ""),
    ("lease-revoke-bad-id", "lease revoke zz", ""),
    ("get-after-revoke", "get /l/ --prefix", ""),
    ("watch-history", "watch /t --rev 2", ""),
    ("watch-prev-kv", "watch /t --rev 2 --prev-kv", ""),
    ("watch-prefix-json", "watch /l/ --prefix --rev 13 -w json", ""),
    ("watch-no-key", "watch", ""),
    ("compact", "compaction 5", ""),
    ("compact-short-name-json", "compact 6 -w json", ""),
    ("compact-again", "compaction 6", ""),
    ("compact-older", "compaction 3", ""),
    ("compact-future", "compaction 999", ""),
    ("compact-not-a-number", "compaction abc", ""),
    ("compact-no-revision", "compaction", ""),
    ("get-compacted-rev", "get /a --rev 4", ""),
    ("watch-compacted", "watch /t --rev 2", ""),
    ("get-every-key-at-the-end", "get '' --prefix --keys-only", ""),
    ("endpoint-status", "endpoint status", ""),
    ("endpoint-status-table", "endpoint status -w table", ""),
    ("endpoint-status-json", "endpoint status -w json", ""),
    ("endpoint-health-json", "endpoint health -w json", ""),
    ("member-list", "member list", ""),
    ("member-list-table", "member list -w table", ""),
    ("member-list-json", "member list -w json", ""),
    ("unknown-command", "frob", ""),
]


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
        text = re.sub(r'"ttl":\d+,"granted-ttl"', '"ttl":<ttl>,"granted-ttl"', text)
        text = re.sub(r"(true|false)(, | +\| +)(true|false)(, | +\| +)(\d+)(, | +\| +)\d+"
                      r"(, | +\| +)\d+", r"\1\2\3\4\5\6<index>\7<index>", text)
        text = re.sub(r'"(ClusterID|MemberID)" : \S+', r'"\1" : <\1>', text)
        # table widths follow the names, which differ between the runs
        text = re.sub(r"^\+[-+]+\+$", "+-+", text, flags=re.MULTILINE)
        return re.sub(r"(?<=\|) +| +(?=\|)", " ", text)


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
    """Run the real etcdctl; a watch, which runs until interrupted, is stopped after 1 s and
    counts as done with what it printed by then."""
    words = [cluster.etcdctl, f"--endpoints={cluster.endpoints}", *shlex.split(command)]
    try:
        done = subprocess.run(words, input=stdin, capture_output=True, text=True,
                              timeout=1 if command.startswith("watch") else 10)
    except subprocess.TimeoutExpired as stopped:
        if not command.startswith("watch"):
            raise
        out = stopped.stdout or ""
        return 0, out.decode() if isinstance(out, bytes) else out, ""
    return done.returncode, done.stdout, done.stderr


def _stderr(stdout: str, stderr: str) -> str:
    if stdout.startswith("NAME:"):  # the usage cobra prints after a flag error
        stdout = ""
    lines = [line for line in stderr.split("\n") if not line.startswith('{"level"')]
    if "NAME:" in lines:
        lines = lines[:lines.index("NAME:")]
    lines = [line for i, line in enumerate(lines) if line and (i == 0 or line != lines[0])]
    return "\n".join([*stdout.removesuffix("\n").split("\n"), *lines]).lstrip("\n")
