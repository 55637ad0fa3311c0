"""Where this lab's etcdctl stops short of the real one, it says so and names what it supports."""

import pytest

from tests.lab.etcdctl.transcript import run_ours

CASES = [
    ("snapshot-wal-dir", "snapshot restore s.db --wal-dir /w", "leave --wal-dir out"),
    ("watch-without-rev", "watch /a", "give --rev N"),
    ("keep-alive-forever", "lease keep-alive 1", "add --once"),
    ("get-protobuf", "get /a -w protobuf", "use -w simple, json or fields"),
    ("put-fields", "put /a 1 -w fields", "-w fields for get only"),
    ("hex", "get /a --hex", "--hex is not supported"),
    ("endpoint-unknown", "endpoint hashkv", "etcdctl endpoint has health, status"),
    ("endpoint-alone", "endpoint", "a subcommand is needed"),
    ("not-a-member", "get /a --endpoints=nowhere:2379", "which is not an etcd member"),
    ("txn-single-quotes", "txn", "use double quotes"),
    ("txn-lease-compare", "txn", "cannot compare a lease"),
    ("txn-bad-operator", "txn", "the operator is one of =, !=, >, <"),
]
STDIN = {"txn-single-quotes": "\nput /a 'one value'\n\n\n",
         "txn-lease-compare": 'lease("/a") = "0"\n\n\n\n',
         "txn-bad-operator": 'value("/a") == "1"\n\n\n\n'}


@pytest.mark.parametrize(("step", "command", "said"), CASES, ids=[c[0] for c in CASES])
def test_what_the_lab_does_not_do_is_a_clear_error(step, command, said):
    printed = run_ours([(step, command, STDIN.get(step, ""))])[step]
    assert printed.startswith("[exit ")
    assert said in printed


def test_tls_flags_as_kubeadm_docs_pass_them_are_accepted():
    pki = "/etc/kubernetes/pki/etcd"
    command = (f"put /a 1 --cacert={pki}/ca.crt --cert={pki}/server.crt "
               f"--key={pki}/server.key")
    assert run_ours([("tls", command, "")])["tls"] == "OK"
