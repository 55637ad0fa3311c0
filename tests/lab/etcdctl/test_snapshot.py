"""`etcdctl snapshot save|status|restore` print what etcdctl 3.5.1 prints, step by step.

Each row is (id, command, what etcdctl printed), recorded with the real etcdctl 3.5.1 against a
real 3-member cluster and normalised as transcript.py says; `{ep0}` is the first member's
endpoint and `{dir}` a directory for files (a temporary one for the real run, a path on the
client host's disk for ours, which holds `notes.txt`, a file that is no snapshot). Hash, key
count and size differ by nature (our db file is not bbolt: k8slab.etcd.dbfile) and are
normalised; the format, the revision and the errors are compared. etcdctl's zap log lines on
stderr are left out; its deprecation line is compared.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import pytest

from k8slab.etcd.membership import CLIENT_PORT, member_id, peer_url
from k8slab.lab import etcdctl
from k8slab.lab.etcdctl import EtcdctlError
from k8slab.robustness.etcd_lab import CLIENT_HOST, EtcdLab
from tests.lab.etcdctl.transcript import Normaliser, _etcdctl, _result, _stderr

RESTORE = ("snapshot restore {dir}/s.db --data-dir {dir}/restored --name m9 "
           "--initial-cluster m9=http://127.0.0.1:24800 --initial-cluster-token tok "
           "--initial-advertise-peer-urls http://127.0.0.1:24800")
DEPRECATED_STATUS = "Deprecated: Use `etcdutl snapshot status` instead."
DEPRECATED_RESTORE = "Deprecated: Use `etcdutl snapshot restore` instead."

SESSION: list[tuple[str, str, str]] = [
    ("put-a", "put /a 1", "OK"),
    ("put-b", "put /b 2", "OK"),
    ("del-a", "del /a", "1"),
    ("save-to-every-member", "snapshot save {dir}/x.db",
     "[exit 5]\nError: snapshot must be requested to one selected node, not multiple "
     "[<endpoint0> <endpoint1> <endpoint2>]"),
    ("save-no-file", "snapshot save --endpoints={ep0}",
     "[exit 128]\nError: snapshot save expects one argument"),
    ("save-two-files", "snapshot save a.db b.db --endpoints={ep0}",
     "[exit 128]\nError: snapshot save expects one argument"),
    ("save", "snapshot save {dir}/s.db --endpoints={ep0}", "Snapshot saved at <dir>/s.db"),
    ("status", "snapshot status {dir}/s.db", "<hash>, 4, <keys>, <size>"),
    ("status-table", "snapshot status {dir}/s.db -w table",
     "+-+\n| HASH | REVISION | TOTAL KEYS | TOTAL SIZE |\n+-+\n"
     "| <hash> | 4 | <keys> | <size> |\n+-+"),
    ("status-json", "snapshot status {dir}/s.db -w json",
     '{"hash":<hash>,"revision":4,"totalKey":<keys>,"totalSize":<size>}'),
    ("status-fields", "snapshot status {dir}/s.db -w fields",
     '"Hash" : <hash>\n"Revision" : 4\n"Keys" : <keys>\n"Size" : <size>'),
    ("status-protobuf", "snapshot status {dir}/s.db -w protobuf",
     f"[exit 4]\n{DEPRECATED_STATUS}\nError: protobuf not supported as output format"),
    ("status-missing-file", "snapshot status {dir}/nope.db",
     f"[exit 1]\n{DEPRECATED_STATUS}\nError: stat <dir>/nope.db: no such file or directory"),
    ("status-not-a-db", "snapshot status {dir}/notes.txt",
     f"[exit 1]\n{DEPRECATED_STATUS}\nError: invalid database"),
    ("status-no-file", "snapshot status",
     f"[exit 128]\n{DEPRECATED_STATUS}\nError: snapshot status requires exactly one argument"),
    ("restore", RESTORE, ""),
    ("restore-into-a-full-dir", RESTORE,
     f"[exit 1]\n{DEPRECATED_RESTORE}\n"
     'Error: data-dir "<dir>/restored" not empty or could not be read'),
    ("restore-missing-file", "snapshot restore {dir}/nope.db --data-dir {dir}/r2",
     f"[exit 1]\n{DEPRECATED_RESTORE}\nError: open <dir>/nope.db: no such file or directory"),
    ("restore-not-a-snapshot", "snapshot restore {dir}/notes.txt --data-dir {dir}/r3",
     f"[exit 1]\n{DEPRECATED_RESTORE}\n"
     "Error: snapshot missing hash but --skip-hash-check=false"),
    ("restore-unknown-name", "snapshot restore {dir}/s.db --data-dir {dir}/r4 --name zz "
     "--initial-cluster m9=http://127.0.0.1:24800",
     f"[exit 1]\n{DEPRECATED_RESTORE}\n"
     'Error: couldn\'t find local name "zz" in the initial cluster configuration'),
    ("restore-advertise-mismatch", "snapshot restore {dir}/s.db --data-dir {dir}/r5 --name m9 "
     "--initial-cluster m9=http://127.0.0.1:24800 "
     "--initial-advertise-peer-urls http://127.0.0.1:24801",
     f"[exit 1]\n{DEPRECATED_RESTORE}\n"
     "Error: --initial-cluster has m9=<scheme>127.0.0.1:24800 but missing from "
     "--initial-advertise-peer-urls=<scheme>127.0.0.1:24801 "
     '("<scheme>127.0.0.1:24801"(resolved from "<scheme>127.0.0.1:24801") != '
     '"<scheme>127.0.0.1:24800"(resolved from "<scheme>127.0.0.1:24800"))'),
    ("restore-no-file", "snapshot restore",
     f"[exit 128]\n{DEPRECATED_RESTORE}\nError: snapshot restore requires exactly one argument"),
]
IDS = [step for step, _, _ in SESSION]
OURS_DIR = "/root/backup"
NOTES = "these are notes, not an etcd snapshot\n"  # 37 bytes: no checksum


def _db_fields(text: str) -> str:
    """Hash, key count and size are our db file's, not bbolt's: placeholders for all three."""
    text = re.sub(r"^[0-9a-f]+, (\d+), \d+, <size>$", r"<hash>, \1, <keys>, <size>", text,
                  flags=re.MULTILINE)
    text = re.sub(r"^\| [0-9a-f]+ \| (\d+) \| \d+ \| <size> \|$",
                  r"| <hash> | \1 | <keys> | <size> |", text, flags=re.MULTILINE)
    text = re.sub(r'"hash":\d+,"revision":(\d+),"totalKey":\d+,"totalSize":\d+',
                  r'"hash":<hash>,"revision":\1,"totalKey":<keys>,"totalSize":<size>', text)
    text = re.sub(r'"(Hash|Keys)" : \d+', lambda m: f'"{m[1]}" : <{m[1].lower()}>', text)
    return re.sub(r'"Size" : \d+', '"Size" : <size>', text)


def run_ours() -> dict[str, str]:
    lab = EtcdLab(members=3, seed=1)
    lab.run_until_leader()
    lab.network.host(CLIENT_HOST).disk[f"{OURS_DIR}/notes.txt"] = NOTES.encode()
    normalise = Normaliser([f"{n}:{CLIENT_PORT}" for n in lab.names], lab.names,
                           [member_id(n) for n in lab.names], [peer_url(n) for n in lab.names])
    results = {}
    for step, command, _ in SESSION:
        group = lab.network.host(CLIENT_HOST).group(f"etcdctl-{step}")
        command = command.format(dir=OURS_DIR, ep0=f"{lab.names[0]}:{CLIENT_PORT}")
        try:
            out = lab.sim.run_process(group.spawn(etcdctl.run(group, lab.names, command)), 30)
            text = _result(0, out)
        except EtcdctlError as error:
            text = _result(error.exit_code, "", error.message)
        finally:
            group.stop()
        results[step] = _db_fields(normalise(text.replace(OURS_DIR, "<dir>")))
    return results


def run_real(cluster, root) -> dict[str, str]:
    members = json.loads(_etcdctl(cluster, "member list -w json", "")[1])["members"]
    by_port = {m["clientURLs"][0].rsplit(":", 1)[1]: m for m in members}
    ordered = [by_port[str(port)] for port in cluster.client_ports]
    normalise = Normaliser([f"127.0.0.1:{port}" for port in cluster.client_ports],
                           [m["name"] for m in ordered], [m["ID"] for m in ordered],
                           [m["peerURLs"][0] for m in ordered])
    (root / "notes.txt").write_text(NOTES)
    results = {}
    for step, command, _ in SESSION:
        command = command.format(dir=root, ep0=f"127.0.0.1:{cluster.client_ports[0]}")
        code, stdout, stderr = _run_real_etcdctl(cluster, command)
        # restore's zap logger writes console lines ("<time>\tinfo\t...") on stderr
        stderr = "\n".join(line for line in stderr.split("\n") if "\tinfo\t" not in line)
        text = _result(code, stdout.removesuffix("\n"), _stderr(stdout, stderr))
        results[step] = _db_fields(normalise(text.replace(str(root), "<dir>")))
    return results


def _run_real_etcdctl(cluster, command: str) -> tuple[int, str, str]:
    """The real etcdctl, given every endpoint unless the command names its own (pflag adds a
    repeated --endpoints to the list rather than replacing it)."""
    words = shlex.split(command)
    if not any(word.startswith("--endpoints") for word in words):
        words.insert(0, f"--endpoints={cluster.endpoints}")
    done = subprocess.run([cluster.etcdctl, *words], capture_output=True, text=True, timeout=10)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def ours() -> dict[str, str]:
    return run_ours()


@pytest.fixture(scope="module")
def real(real_etcd_cluster, tmp_path_factory) -> dict[str, str]:
    return run_real(real_etcd_cluster, tmp_path_factory.mktemp("snapshots"))


@pytest.mark.parametrize(("step", "printed"), [(s, p) for s, _, p in SESSION], ids=IDS)
def test_ours_prints_what_etcdctl_printed(ours, step, printed):
    assert ours[step] == printed


@pytest.mark.parametrize(("step", "printed"), [(s, p) for s, _, p in SESSION], ids=IDS)
def test_the_recording_is_what_etcdctl_3_5_1_prints(real, step, printed):
    assert real[step] == printed
