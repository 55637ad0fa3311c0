"""The package is the architecture diagram: every import edge must be one DESIGN.md allows.

Each module is parsed (ast) and every `import k8slab...` in it counts, at module level, inside a
function, or under TYPE_CHECKING. A broken rule fails with the file and line of the edge. Only
the cycle check leaves out imports under TYPE_CHECKING: they never run (SimPy's core and events
name each other the same way), while for the layering a type is a dependency like any other.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "k8slab"

# Which top-level packages each package may import (besides itself and k8slab.errors, the root
# of every error). Read it as the diagram: foundation at the bottom, the lab on top.
MAY_IMPORT = {
    "sim": set(),
    "api": set(),
    "raft": set(),
    "etcd": {"sim", "raft"},
    "apiserver": {"sim", "api", "etcd"},
    "client": {"sim", "api"},
    "scheduler": {"sim", "api", "client"},
    "controllers": {"sim", "api", "client"},
    "cloud": {"sim", "api", "client"},
    "node": {"sim", "api", "client"},
    "addons": {"sim", "api", "client"},
    "cmd": {"sim", "api", "etcd", "apiserver", "client", "scheduler", "controllers", "cloud",
            "node", "addons"},
    "robustness": {"sim", "raft", "etcd"},
    "lab": {"sim", "api", "raft", "etcd", "apiserver", "client", "scheduler", "controllers",
            "cloud", "node", "addons", "cmd", "robustness"},
}

# Inside the packages: who may reach a component's internals.
ONLY_IMPORTED_BY = {
    # The kubelet is the only caller of containerd's CRI; containerd the only one to start
    # containerd-shim-runc-v2; the shim the only caller of runc. cmd/node.py installs them on
    # every node, as the distribution's packages and systemd do.
    "k8slab.node.containerd": ("k8slab.node.kubelet", "k8slab.node.pleg", "k8slab.cmd.node"),
    "k8slab.node.shim": ("k8slab.node.containerd", "k8slab.cmd.node"),
    "k8slab.node.runc": ("k8slab.node.shim", "k8slab.cmd.node"),
    # Only the API server's storage speaks to etcd; etcdctl and the robustness checks of a bare
    # etcd cluster are etcd's own tools.
    "k8slab.etcd.client": ("k8slab.apiserver.storage", "k8slab.lab.etcdctl", "k8slab.robustness"),
}


TYPE_CHECKING = {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


# What the plots and widgets may read of a component: its view, a snapshot in plain data. They
# reach the running components through k8slab.lab.components, never by importing them.
VIEWS = (
    "k8slab.raft.status",
    "k8slab.etcd.status",
    "k8slab.etcd.wire",
    "k8slab.scheduler.view",
    "k8slab.scheduler.framework.diagnosis",
    "k8slab.node.kubelet_status",
    "k8slab.node.container_state",
)
COMPONENTS = ("raft", "etcd", "apiserver", "client", "scheduler", "controllers", "cloud", "node",
              "addons")


@dataclass(frozen=True)
class Edge:
    """One import: `source` imports `target` at `path`:`line`."""

    source: str
    target: str
    path: str
    line: int
    type_only: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.source} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(name: str) -> str:
    """The module an imported name lives in: `k8slab.a.b.Thing` -> `k8slab.a.b`."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def edges_of(module: str, path: Path | None = None) -> list[Edge]:
    """Every k8slab import in `module` (read from `path`, by default the module's own file)."""
    path = path or MODULES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    type_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in TYPE_CHECKING
        for statement in node.body
        for child in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        rel = path.name if not path.is_relative_to(ROOT) else str(path.relative_to(ROOT))
        found += [Edge(module, resolve(n), rel, node.lineno, id(node) in type_only)
                  for n in names if n == "k8slab" or n.startswith("k8slab.")]
    return found


EDGES = [edge for module in MODULES for edge in edges_of(module)]


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_kind_of_import_is_an_edge(tmp_path: Path) -> None:
    module = tmp_path / "kubelet.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "import k8slab.sim.kernel\n"
        "from . import containerd\n"
        "if TYPE_CHECKING:\n"
        "    from k8slab.api.kinds import kind_info\n"
        "def sync():\n"
        "    from ..client.rest import Client\n"
    )
    edges = [(e.target, e.line, e.type_only) for e in edges_of("k8slab.node.kubelet", module)]
    assert edges == [
        ("k8slab.sim.kernel", 2, False),
        ("k8slab.node.containerd", 3, False),
        ("k8slab.api.kinds", 5, True),
        ("k8slab.client.rest", 7, False),
    ]


def test_every_package_is_in_the_diagram() -> None:
    packages = {top(m) for m in MODULES} - {"", "errors"}
    assert sorted(packages - MAY_IMPORT.keys()) == [], "add the package to MAY_IMPORT"


def test_packages_import_only_what_is_below_them() -> None:
    broken = [
        str(e) for e in EDGES
        if top(e.source) in MAY_IMPORT and top(e.target) not in {top(e.source), "errors"}
        and top(e.target) not in MAY_IMPORT[top(e.source)]
    ]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("target", sorted(ONLY_IMPORTED_BY))
def test_internals_have_only_their_callers(target: str) -> None:
    allowed = ONLY_IMPORTED_BY[target]
    broken = [str(e) for e in EDGES if e.target == target and e.source != target
              and not any(e.source == a or e.source.startswith(a + ".") for a in allowed)]
    assert not broken, "\n".join(broken)


def test_plots_and_widgets_read_components_only_through_their_views() -> None:
    broken = [
        str(e) for e in EDGES
        if e.source.startswith(("k8slab.lab.plots", "k8slab.lab.widgets"))
        and top(e.target) in COMPONENTS and e.target not in VIEWS
    ]
    assert not broken, "\n".join(broken)


def test_no_import_cycle() -> None:
    graph = nx.DiGraph()
    for e in EDGES:
        if e.source != e.target and not e.type_only:
            graph.add_edge(e.source, e.target, edge=e)
    knots = sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)
    cycles = [[str(graph.edges[a, b]["edge"]) for a, b in nx.find_cycle(graph.subgraph(k))]
              for k in knots]
    assert not cycles, "\n\n".join("\n".join(cycle) for cycle in cycles)
