"""Cluster.delete's cascade must be one of kubectl's policies; any other value, of any type,
is refused by name before anything is sent."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.lab.cluster import Cluster


@pytest.mark.parametrize("cascade", [[], {}, 3, None, "Background"])
def test_a_cascade_that_is_not_a_policy_is_refused(cascade):
    c = Cluster(0, skip_phases=["addon"])
    before = c.now
    with pytest.raises(K8sLabError, match="cascade must be one of background, foreground, "
                                          "orphan"):
        c.delete("pods", "web", cascade=cascade)
    assert c.now == before
