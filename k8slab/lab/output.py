"""Drawing into a panel's Output widget: shared by every widget panel of the lab."""

from __future__ import annotations

from typing import Any


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
