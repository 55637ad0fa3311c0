"""What every control panel shares: a line saying what its controls do, rows of controls, a status
line and a message line that wrap, a chart, and an Output for anything else drawn below.

Handlers act, say what happened, and redraw. A panel's chart is SVG text that the browser draws at
once (matplotlib needs 40-100 ms a figure to rasterize; a click must answer within 100 ms).
ipywidgets loads on first use; outside IPython (scripts, tests) nothing is drawn into the Output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from k8slab.errors import K8sLabError

if TYPE_CHECKING:
    from k8slab.lab.cluster import Cluster

NO_WORKERS = "this cluster has no worker nodes to choose from"
FALLBACK = "{name}: run this cell to get the panel ({about})"
PANEL_CLASS = "k8slab-panel"
# A Label keeps to one line and clips at the panel's width; in a panel, its lines wrap instead.
WRAPPING = (f"<style>.{PANEL_CLASS} .widget-label {{white-space: normal; overflow: visible; "
            "height: auto; line-height: 1.4; overflow-wrap: anywhere;}</style>")


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


@cache
def _panel_box_class() -> type:
    import ipywidgets as widgets

    class PanelBox(widgets.VBox):
        """A panel's VBox, shown as `fallback` where widgets cannot be drawn."""

        fallback = ""

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            bundle = super()._repr_mimebundle_(**kwargs)
            bundle["text/plain"] = self.fallback
            return bundle

    return PanelBox


def panel_box(children: Sequence[Any], fallback: str) -> Any:
    """A VBox of `children` whose plain-text form is `fallback`: what a notebook shows in its place
    where the widget cannot be drawn (before the cell runs, on GitHub, in a terminal)."""
    box = _panel_box_class()(list(children))
    box.fallback = fallback
    box.add_class(PANEL_CLASS)
    return box


class Panel:
    """A panel on `cluster`: a subclass makes its controls, wires them, lays them out with
    `_lay_out`, and says in `refresh` what to redraw. Show it with `panel.ui` (or the panel)."""

    advance_seconds: float = 10

    def __init__(self, cluster: Cluster) -> None:
        import ipywidgets as widgets

        self.cluster = cluster
        self.about = widgets.Label()
        self.status = widgets.Label()
        self.message = widgets.Label()
        self.chart = widgets.HTML()
        self.out = widgets.Output()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    def _lay_out(self, rows: Sequence[Sequence[Any]], *below: Any, about: str = "") -> None:
        """`ui`: a line saying `about` the controls, each row of controls side by side, the status
        and message lines, the chart, the Output and anything `below`; then draw it all once."""
        import ipywidgets as widgets

        self.about.value = about
        fallback = FALLBACK.format(name=type(self).__name__, about=about or "a control panel")
        self.ui = panel_box([widgets.HTML(WRAPPING), self.about,
                             *(widgets.HBox(list(row)) for row in rows),
                             self.status, self.message, self.chart, self.out, *below], fallback)
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
