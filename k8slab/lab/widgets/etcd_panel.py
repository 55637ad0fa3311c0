"""A control panel for the etcd members of a highly available cluster.

Kill, restart or isolate a member, send writes through etcdctl, advance time; the Raft roles
timeline, the members' logs and an "invariants hold" line follow, all from one read of the members.
Every handler calls only the `Cluster` methods a reader could call in a cell. ipywidgets loads on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8slab.lab.plots.raft_logs import raft_logs_svg
from k8slab.lab.plots.raft_roles import role_segments, roles_timeline_svg
from k8slab.lab.widgets.panel import Panel

if TYPE_CHECKING:
    from k8slab.etcd.status import MemberStatus
    from k8slab.lab.cluster import Cluster

ADVANCE_SECONDS = 2
WRITE_KEY = "/demo/counter"
# After a restart, the kubelet starts the etcd static pod again; the panel runs the cluster in
# steps of STEP_SECONDS until the member runs (0.6 s in chapter 03's cluster), at most REJOIN_LIMIT.
STEP_SECONDS = 0.1
REJOIN_LIMIT = 10.0
ABOUT = ("Kill / Restart / Isolate act on the chosen member's host · Write: etcdctl put the next "
         f"value of {WRITE_KEY} · Advance: let {ADVANCE_SECONDS} simulated seconds pass · "
         "Heal network: remove every partition.")


class EtcdPanel(Panel):
    """Buttons that act on the etcd members of `cluster`, and the Raft plots kept current."""

    advance_seconds = ADVANCE_SECONDS

    def __init__(self, cluster: Cluster) -> None:
        import ipywidgets as widgets

        super().__init__(cluster)
        self.writes = 0
        self.members: dict[str, MemberStatus | None] = {}
        self.member_dropdown = widgets.Dropdown(options=cluster.control_planes,
                                                description="Member")
        self.kill_button = widgets.Button(description="Kill", button_style="danger")
        self.restart_button = widgets.Button(description="Restart", button_style="success")
        self.isolate_button = widgets.Button(description="Isolate")
        self.heal_button = widgets.Button(description="Heal network")
        self.write_button = widgets.Button(description="Write", icon="pencil")
        self.advance_button = widgets.Button(description=f"Advance {ADVANCE_SECONDS} s")
        self._wire((self.kill_button, self.kill), (self.restart_button, self.restart),
                   (self.isolate_button, self.isolate), (self.heal_button, self.heal),
                   (self.write_button, self.write), (self.advance_button, self.advance))
        self._lay_out([[self.member_dropdown, self.kill_button, self.restart_button,
                        self.isolate_button],
                       [self.write_button, self.advance_button, self.heal_button]],
                      about=ABOUT)

    # -- handlers -----------------------------------------------------------------------------

    def kill(self) -> None:
        """Crash the chosen member's host."""
        self._act_on(self.member_dropdown.value, self.cluster.kill_node, "killed")

    def restart(self) -> None:
        """Boot the chosen member's host again and run the cluster until its etcd member runs
        (rejoining from its WAL), so the status shows it back without a separate Advance."""
        name = self.member_dropdown.value

        def boot() -> str:
            self.cluster.restart_node(name)
            started = self.cluster.now
            while self.cluster.etcd_status()[name] is None:
                if self.cluster.now - started >= REJOIN_LIMIT:
                    return (f"{name} restarted; its etcd member is not running after "
                            f"{REJOIN_LIMIT:g} s")
                self.cluster.run(STEP_SECONDS)
            return (f"{name} restarted; its etcd member runs again after "
                    f"{self.cluster.now - started:.1f} s")
        self._attempt(boot)

    def isolate(self) -> None:
        """Cut the chosen member off from every other host."""
        def cut(name: str) -> None:
            others = [h for h in self.cluster.hosts if h != name]
            self.cluster.partition([name], others)
        self._act_on(self.member_dropdown.value, cut, "isolated")

    def heal(self) -> None:
        """Remove every partition."""
        self.cluster.heal()
        self._say("network healed")
        self.refresh()

    def write(self) -> None:
        """`etcdctl put` one more value of the demo counter."""
        self.writes += 1
        put = f"put {WRITE_KEY} {self.writes}"

        def send() -> str:
            self.cluster.etcdctl(put)
            return f"{put}: OK at t = {self.cluster.now:.2f} s"
        self._attempt(send, lambda error: f"{put}: {error}")

    def refresh(self) -> None:
        """Read the members once; draw the status line, the roles timeline and the logs from it."""
        self.members = self.cluster.etcd_status()
        now = self.cluster.now
        self.status.value = self.status_text()
        self.chart.value = (roles_timeline_svg(role_segments(self.cluster), 0, now)
                            + raft_logs_svg({name: status.raft if status else None
                                             for name, status in self.members.items()}, now))

    def status_text(self) -> str:
        """Time, the leader and its term, and whether every Raft invariant holds, from the last
        read of the members (the leader: the highest term among those that believe they lead)."""
        members = self.members
        up = sum(m is not None for m in members.values())
        leaders = [m for m in members.values() if m is not None and m.is_leader]
        leader = max(leaders, key=lambda status: status.term) if leaders else None
        head = f"t = {self.cluster.now:.1f} s · {up} of {len(members)} members up · "
        head += f"leader: {leader.member} (term {leader.term})" if leader else "no leader"
        violations = self.cluster.invariants()
        tail = "invariants hold ✓" if not violations else f"{len(violations)} violations ✗"
        return f"{head} · {tail}"
