"""Only lab/components.py looks a running component up in a host's memory (and lab/kubeadm.py,
which builds the hosts as kubeadm does); the rest of the lab reads through the views it returns.

The test parses every module of k8slab/lab and names each file and line that reaches `.memory`.
"""

import ast
from pathlib import Path

import k8slab.lab

LAB = Path(k8slab.lab.__file__).parent
ALLOWED = {"components.py", "kubeadm.py"}


def memory_reads(path: Path) -> list[int]:
    """The lines of `path` with an attribute access named `memory` (host.memory...)."""
    tree = ast.parse(path.read_text(), str(path))
    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr == "memory")


def test_only_the_lookup_module_reads_a_host_s_memory():
    offenders = [
        f"{path.relative_to(LAB.parent.parent)}:{line}"
        for path in sorted(LAB.rglob("*.py"))
        if str(path.relative_to(LAB)) not in ALLOWED
        for line in memory_reads(path)
    ]
    assert offenders == [], "read running components through k8slab.lab.components: " + ", ".join(
        offenders)


def test_the_check_sees_a_memory_read(tmp_path):
    module = tmp_path / "plot.py"
    module.write_text("def f(host):\n    return host.memory.get('etcd')\n")
    assert memory_reads(module) == [2]
    assert memory_reads(LAB / "components.py")
