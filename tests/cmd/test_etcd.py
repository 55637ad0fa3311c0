"""`etcd`'s entrypoint: a member named by its flags."""

from k8slab.cmd import etcd


def test_etcd_main_names_its_member_from_the_name_flag(host) -> None:
    group = host.group("etcd")
    group.spawn(etcd.main(group, {"command": ["etcd", "--name=etcd-a"]}))
    host.sim.run(1)
    assert host.memory["etcd"].name == "etcd-a"
    assert host.memory["etcd"].peers == ["etcd-a"]
