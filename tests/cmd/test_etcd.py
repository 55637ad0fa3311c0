"""`etcd`'s entrypoint: a member named by its flags."""

from k8slab.cmd import etcd
from k8slab.node.process import Process


def test_etcd_main_names_its_member_from_the_name_flag(host) -> None:
    group = host.group("etcd")
    group.spawn(etcd.main(Process(group, {"command": ["etcd", "--name=etcd-a"]}, [])))
    host.sim.run(1)
    assert host.memory["etcd"].name == "etcd-a"
    assert host.memory["etcd"].peers == ["etcd-a"]


def test_etcd_finds_its_data_dir_on_the_host_through_its_hostpath_mount(host) -> None:
    group = host.group("etcd")
    mounts = [{"container_path": "/var/lib/etcd", "host_path": "/var/lib/etcd-from-backup"}]
    group.spawn(etcd.main(Process(group, {"command": ["etcd", "--name=etcd-a",
                                              "--data-dir=/var/lib/etcd"], "mounts": mounts}, [])))
    host.sim.run(1)
    assert host.memory["etcd"].data_dir == "/var/lib/etcd-from-backup"
    assert "/var/lib/etcd-from-backup/member/wal" in host.disk


def test_a_path_under_no_mount_stays_where_it_is() -> None:
    mounts = [{"container_path": "/var/lib/etcd", "host_path": "/data"}]
    assert etcd.host_path("/var/lib/etcd/x", mounts) == "/data/x"
    assert etcd.host_path("/var/lib/etcd2", mounts) == "/var/lib/etcd2"
