"""Go's formatting as etcdctl 3.5.1 prints it: tables, sizes, durations, %q."""

import pytest

from k8slab.api.go_values import go_quote as quote
from k8slab.lab.etcdctl.gofmt import duration, human_bytes, table

# printed by the real etcdctl 3.5.1 (`member list -w table`) against a local cluster
MEMBER_TABLE = """\
+------------------+---------+------+------------------------+------------------------+------------+
|        ID        | STATUS  | NAME |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |
+------------------+---------+------+------------------------+------------------------+------------+
| 9a26c127aa4f0a49 | started |   m2 | http://127.0.0.1:23795 | http://127.0.0.1:23794 |      false |
| bc2ab8e96ffa6d18 | started |   m3 | http://127.0.0.1:23797 | http://127.0.0.1:23796 |      false |
+------------------+---------+------+------------------------+------------------------+------------+"""


def test_a_table_is_tablewriters_as_etcdctl_prints_it():
    rows = [["9a26c127aa4f0a49", "started", "m2", "http://127.0.0.1:23795",
             "http://127.0.0.1:23794", "false"],
            ["bc2ab8e96ffa6d18", "started", "m3", "http://127.0.0.1:23797",
             "http://127.0.0.1:23796", "false"]]
    header = ["ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"]
    assert table(header, rows) == MEMBER_TABLE


@pytest.mark.parametrize(("size", "printed"), [
    (0, "0 B"), (9, "9 B"), (999, "999 B"), (1000, "1.0 kB"), (1500, "1.5 kB"),
    (16384, "16 kB"), (20480, "20 kB"), (82854982, "83 MB"),
], ids=["zero", "nine", "under-a-kilo", "a-kilo", "one-and-a-half", "16KiB", "20KiB", "83MB"])
def test_sizes_are_go_humanize_bytes(size, printed):
    assert human_bytes(size) == printed


@pytest.mark.parametrize(("seconds", "printed"), [
    (0, "0s"), (5e-7, "500ns"), (1e-6, "1µs"), (0.005471379, "5.471379ms"), (0.002, "2ms"),
    (1.5, "1.5s"), (61, "1m1s"), (3661.5, "1h1m1.5s"),
], ids=["zero", "ns", "us", "ms-fraction", "ms", "s", "minute", "hour"])
def test_durations_are_go_time_durations(seconds, printed):
    assert duration(seconds) == printed


@pytest.mark.parametrize(("text", "quoted"), [
    ("/a", '"/a"'), ('say "hi"', '"say \\"hi\\""'), ("tab\there", '"tab\\there"'),
    ("\x00", '"\\x00"'), ("é", '"é"'),
], ids=["plain", "quotes", "tab", "nul", "unicode"])
def test_quote_is_gos_percent_q(text, quoted):
    assert quote(text) == quoted
