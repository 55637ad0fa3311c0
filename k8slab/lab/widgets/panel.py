"""What every control panel shares: rows of controls above a status line, a message line and an
Output the figures are drawn into; handlers that act, say what happened, and redraw.

ipywidgets loads on first use; outside IPython (scripts, tests) nothing is drawn into the Output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from k8slab.errors import K8sLabError

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

NO_WORKERS = "this cluster has no worker nodes to choose from"


def show(out: Any, *figures: Any) -> None:
    """Replace what `out` shows with `figures`; outside IPython (scripts, tests) do nothing.

    Without a kernel an Output widget captures nothing and would print to stdout instead.
    """
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is None:
        return
    with out:
        out.clear_output(wait=True)
        for figure in figures:
            display(figure)


class Panel:
    """A panel on `cluster`: a subclass makes its controls, wires them, lays them out with
    `_lay_out`, and says in `refresh` what to redraw. Show it with `panel.ui` (or the panel)."""

    advance_seconds: float = 10

    def __init__(self, cluster: Cluster) -> None:
        import ipywidgets as widgets

        self.cluster = cluster
        self.status = widgets.Label()
        self.message = widgets.Label()
        self.out = widgets.Output()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    def _lay_out(self, rows: Sequence[Sequence[Any]], *below: Any) -> None:
        """`ui`: each row of controls side by side, then the status and message lines, the Output
        and anything `below`; then draw it all once."""
        import ipywidgets as widgets

        self.ui = widgets.VBox([*(widgets.HBox(list(row)) for row in rows),
                                self.status, self.message, self.out, *below])
        self.refresh()

    @staticmethod
    def _wire(*pairs: tuple[Any, Callable[[], None]]) -> None:
        """Make each (button, handler) pair call the handler when the button is clicked."""
        for button, handler in pairs:
            button.on_click(lambda _, handler=handler: handler())

    # -- what every panel does ----------------------------------------------------------------

    def advance(self) -> None:
        """Let simulated time run for the panel's `advance_seconds`."""
        self.cluster.run(self.advance_seconds)
        self._say(f"ran {self.advance_seconds} s")
        self.refresh()

    def refresh(self) -> None:
        """Redraw the status line and the figures from the cluster (each panel says which)."""
        raise NotImplementedError

    # -- helpers --------------------------------------------------------------------------------

    def _attempt(self, action: Callable[[], str],
                 failed: Callable[[K8sLabError], str] = str) -> None:
        """Run `action` and say what it answers, or say its error (in `failed`'s words); redraw."""
        try:
            self._say(action())
        except K8sLabError as error:
            self._say(failed(error))
        self.refresh()

    def _act_on(self, name: str, action: Callable[[str], object], done: str) -> None:
        """`action(name)`, then say "<name> <done>" (or the error); redraw."""
        def act() -> str:
            action(name)
            return f"{name} {done}"
        self._attempt(act)

    def _chosen_worker(self, dropdown: Any) -> str | None:
        """The node chosen in `dropdown`; None, said so, when the cluster has no worker."""
        if dropdown.value is None:
            self._say(NO_WORKERS)
        return dropdown.value

    def _say(self, text: str) -> None:
        self.message.value = text
