"""How the kubelet words an image pull's duration: Go's Duration text, truncated to ms."""

import pytest

from k8slab.node.images import go_seconds


@pytest.mark.parametrize(("seconds", "text"), [
    (2.0, "2s"), (2.5, "2.5s"), (2.9994, "2.999s"), (0.0015, "1ms"),
    (1.9999999999996, "2s"),  # float noise of summed simulated times, not 1.999s
])
def test_pull_durations_read_as_go_prints_them(seconds, text):
    assert go_seconds(seconds) == text
