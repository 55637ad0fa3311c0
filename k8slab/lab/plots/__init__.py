"""Pictures of a live cluster, one module per figure family: the architecture map, the life of
one object (swimlane), pods per node, Raft inside etcd (roles, logs, messages, status), and the
scheduler's view of how full each node is (utilization).

Every figure is a closed matplotlib `Figure`, so a notebook cell ending in one shows it once. The
control panels redraw on every click, so the families they show also draw an SVG chart (`svg.py`)
from the same rows, which the browser draws at once.
"""
