"""DefaultBinder: the Bind plugin that tells the API server which node the pod goes to.

Upstream (kk pkg/scheduler/framework/plugins/defaultbinder/default_binder.go) POSTs a Binding to
pods/<name>/binding. Here the binding is a callback `bind(pod, node)` given by the scheduler loop,
which may return a SimPy process to wait on; Framework.run_bind returns what it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from k8slab.errors import K8sLabError
from k8slab.scheduler.framework.cycle_state import CycleState
from k8slab.scheduler.framework.interface import Plugin


class DefaultBinder(Plugin):
    """Bind the pod to the chosen node through the `bind(pod, node)` callback."""

    name = "DefaultBinder"
    extends = ("bind",)

    def __init__(self, bind: Callable[[dict, str], Any] | None = None) -> None:
        self.binder = bind

    def bind(self, state: CycleState, pod: dict, node: str) -> Any:
        """Call the bind callback and return its answer."""
        if self.binder is None:
            raise K8sLabError(
                "DefaultBinder has no bind callback; build it as DefaultBinder(bind=callable) "
                "or set .binder before running Bind"
            )
        return self.binder(pod, node)
