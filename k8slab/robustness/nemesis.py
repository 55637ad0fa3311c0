"""A nemesis for etcd: schedules of crashes, restarts, partitions, lost, duplicated and reordered
messages, run against a cluster while clients keep writing and reading one key.

Afterwards everything is healed and every member restarted; then the Raft safety checks and the
linearizability check must find nothing, and the members must agree again.
"""

from __future__ import annotations

import random
from collections.abc import Generator

from k8slab.etcd.client import EtcdClient
from k8slab.etcd.member import REQUEST_TIMEOUT
from k8slab.robustness.etcd_lab import CLIENT_HOST, EtcdLab

KINDS = ("write", "read", "crash", "restart", "partition", "heal", "loss", "faults", "wait")


def random_schedule(rng: random.Random, members: int, length: int) -> list[tuple]:
    """`length` random actions, in the shape `run_nemesis` takes."""
    actions = []
    for _ in range(length):
        kind = rng.choice(KINDS)
        if kind == "write":
            actions.append((kind, rng.randrange(3), rng.randrange(10)))
        elif kind in ("read", "crash", "restart"):
            actions.append((kind, rng.randrange(max(members, 3))))
        elif kind == "partition":
            actions.append((kind, rng.randrange(1, 2 ** members - 1), rng.random() < 0.5))
        elif kind == "loss":
            actions.append((kind, rng.choice([0.0, 0.1, 0.3])))
        elif kind == "faults":
            actions.append((kind, rng.choice([0.0, 0.2]), rng.choice([0.0, 0.02])))
        elif kind == "wait":
            actions.append((kind, rng.choice([0.05, 0.3, 1.0, 3.0])))
        else:
            actions.append((kind, 0))
    return actions


def workload(lab: EtcdLab, client: EtcdClient, number: int) -> Generator:
    """A client that keeps writing and reading one shared key, one call after another."""
    i = 0
    while True:
        if i % 2 == number % 2:
            yield from lab.record_put(client, "/w", f"{number}-{i}")
        else:
            yield from lab.record_get(client, "/w")
        i += 1
        yield lab.sim.env.timeout(0.02)


def run_nemesis(members: int, seed: int, actions: list[tuple]) -> EtcdLab:
    """Apply a schedule of faults and client calls, then heal everything and settle."""
    lab = EtcdLab(members, seed)
    lab.run_until_leader()
    # Each client starts at a different member, so some read from followers.
    clients = [lab.client(lab.names[i % members:] + lab.names[:i % members]) for i in range(3)]
    group = lab.network.host(CLIENT_HOST).group("nemesis")
    for i, client in enumerate(clients):
        group.spawn(workload(lab, client, i))
    for action in actions:
        _act(lab, group, clients, action)
        lab.run(action[1] if action[0] == "wait" else 0.05)
    group.stop()
    lab.heal()
    lab.network.set_faults()
    for name in lab.names:
        lab.network.set_link(name, "switch", loss=0.0)
        if not lab.network.host(name).up:
            lab.restart(name)
    lab.run(REQUEST_TIMEOUT + 5)
    return lab


def _act(lab: EtcdLab, group, clients: list[EtcdClient], action: tuple) -> None:
    kind, members = action[0], len(lab.names)
    name = lab.names[action[1] % members] if kind in ("crash", "restart") else None
    if kind == "write":
        group.spawn(lab.record_put(clients[action[1]], f"/k{action[2] % 3}", str(action[2])))
    elif kind == "read":
        group.spawn(lab.record_get(clients[action[1] % 3], f"/k{action[1] % 3}"))
    elif kind == "crash" and lab.network.host(name).up:
        lab.crash(name)
    elif kind == "restart" and not lab.network.host(name).up:
        lab.restart(name)
    elif kind == "partition":
        side = [n for i, n in enumerate(lab.names) if action[1] >> i & 1]
        rest = [n for n in lab.names if n not in side]
        lab.partition(side + [CLIENT_HOST] if action[2] else side, rest)
    elif kind == "heal":
        lab.heal()
    elif kind == "loss":
        for member in lab.names:
            lab.network.set_link(member, "switch", loss=action[1])
    elif kind == "faults":
        lab.network.set_faults(duplicate=action[1], jitter=action[2])
