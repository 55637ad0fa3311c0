"""host-local IPAM: addresses from the range, one file each on the node's disk, never the same
address twice (even across a restart, which keeps the disk), released on DEL."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8slab.node.cni.conflist import flannel_conflist
from k8slab.node.cni.contract import CniError, Invocation
from k8slab.node.cni.host_local import HostLocal

IPAM = flannel_conflist("10.244.1.0/29")["plugins"][0]["ipam"]


def add(container: str) -> Invocation:
    return Invocation("ADD", container, "/var/run/netns/x")


def delete(container: str) -> Invocation:
    return Invocation("DEL", container, "/var/run/netns/x")


def test_addresses_start_after_the_gateway_and_live_in_files() -> None:
    disk: dict = {}
    ipam = HostLocal(disk, "cbr0", IPAM)
    result = ipam.allocate(add("aaa"))
    assert result == {"ips": [{"address": "10.244.1.2/29", "gateway": "10.244.1.1"}],
                      "routes": [{"dst": "10.244.0.0/16"}]}
    assert disk == {"/var/lib/cni/networks/cbr0/10.244.1.2": "aaa\r\neth0",
                    "/var/lib/cni/networks/cbr0/last_reserved_ip.0": "10.244.1.2"}


def test_an_exhausted_range_fails_in_host_locals_words_and_changes_nothing() -> None:
    disk: dict = {}
    ipam = HostLocal(disk, "cbr0", IPAM)
    for i in range(5):  # .2 to .6: a /29 has six hosts, one is the gateway
        ipam.allocate(add(f"c{i}"))
    before = dict(disk)
    with pytest.raises(CniError, match="no IP addresses available in range set: "
                                       "10.244.1.1-10.244.1.6"):
        ipam.allocate(add("one-too-many"))
    assert disk == before


def test_a_second_add_for_the_same_container_is_refused() -> None:
    ipam = HostLocal({}, "cbr0", IPAM)
    ipam.allocate(add("aaa"))
    with pytest.raises(CniError, match="10.244.1.2 has been allocated to aaa, duplicate "
                                       "allocation is not allowed"):
        ipam.allocate(add("aaa"))


def test_a_freed_address_is_not_handed_out_again_at_once() -> None:
    ipam = HostLocal({}, "cbr0", IPAM)
    ipam.allocate(add("a"))
    ipam.allocate(add("b"))
    assert ipam.release(delete("a")) == ["10.244.1.2"]
    assert ipam.allocate(add("c"))["ips"][0]["address"] == "10.244.1.4/29"
    assert ipam.release(delete("nobody")) == []  # DEL of nothing is not an error


def test_a_bad_range_is_rejected() -> None:
    with pytest.raises(CniError, match="invalid CIDR 10.244.1.0/33"):
        HostLocal({}, "cbr0", {"ranges": [[{"subnet": "10.244.1.0/33"}]]})
    with pytest.raises(CniError, match="exactly one range set"):
        HostLocal({}, "cbr0", {"ranges": []})


operations = st.lists(st.tuples(st.sampled_from(["add", "del", "restart"]),
                                st.integers(0, 7)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_no_address_is_ever_held_twice_and_del_releases(steps) -> None:
    disk: dict = {}
    ipam = HostLocal(disk, "cbr0", IPAM)
    held: dict[str, str] = {}  # container -> address, what the model expects
    for op, n in steps:
        container = f"c{n}"
        if op == "restart":  # a reboot: memory gone, the disk kept
            ipam = HostLocal(disk, "cbr0", IPAM)
        elif op == "del":
            freed = ipam.release(delete(container))
            assert freed == ([held.pop(container)] if container in held else [])
        elif container in held:
            with pytest.raises(CniError, match="duplicate allocation"):
                ipam.allocate(add(container))
        elif len(held) == 5:
            with pytest.raises(CniError, match="no IP addresses available"):
                ipam.allocate(add(container))
        else:
            ip = ipam.allocate(add(container))["ips"][0]["address"].split("/")[0]
            assert ip not in held.values() and ip != "10.244.1.1"
            held[container] = ip
        owners = ipam.allocations()
        assert {ip: owner.split("\r\n")[0] for ip, owner in owners.items()} == {
            ip: c for c, ip in held.items()}
