"""A control panel for the etcd members of a highly available cluster.

Kill, restart or isolate a member, send writes through etcdctl, advance time; the Raft roles
timeline, the members' logs and an "invariants hold" line follow. Every handler calls only the
`Cluster` methods a reader could call in a cell. ipywidgets loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8slab.lab.plots.raft_logs import raft_logs
from k8slab.lab.plots.raft_roles import roles_timeline
from k8slab.lab.widgets.panel import Panel, show

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from k8slab.lab.cluster import Cluster

ADVANCE_SECONDS = 2
WRITE_KEY = "/demo/counter"


class EtcdPanel(Panel):
    """Buttons that act on the etcd members of `cluster`, and the Raft plots kept current."""

    advance_seconds = ADVANCE_SECONDS

    def __init__(self, cluster: Cluster) -> None:
        import ipywidgets as widgets

        super().__init__(cluster)
        self.writes = 0
        self.figures: list[Figure] = []
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
                       [self.write_button, self.advance_button, self.heal_button]])

    # -- handlers -----------------------------------------------------------------------------

    def kill(self) -> None:
        """Crash the chosen member's host."""
        self._act_on(self.member_dropdown.value, self.cluster.kill_node, "killed")

    def restart(self) -> None:
        """Boot the chosen member's host again; the member rejoins from its WAL."""
        self._act_on(self.member_dropdown.value, self.cluster.restart_node, "restarted")

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
        """Update the status line and redraw the plots (outside IPython, only the status)."""
        self.status.value = self.status_text()
        self.figures = [roles_timeline(self.cluster), raft_logs(self.cluster)]
        show(self.out, *self.figures)

    def status_text(self) -> str:
        """Time, the leader and its term, and whether every Raft invariant holds."""
        leader = self.cluster.etcd_leader()
        members = self.cluster.etcd_status()
        up = sum(m is not None for m in members.values())
        term = members[leader].term if leader else None
        head = f"t = {self.cluster.now:.1f} s · {up} of {len(members)} members up · "
        head += f"leader: {leader} (term {term})" if leader else "no leader"
        violations = self.cluster.invariants()
        tail = "invariants hold ✓" if not violations else f"{len(violations)} violations ✗"
        return f"{head} · {tail}"
