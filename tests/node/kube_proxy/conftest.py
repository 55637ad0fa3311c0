"""Fixtures for the kube-proxy tests."""

import pytest

from tests.node.kube_proxy.helpers import fixture_objects, ports_of


@pytest.fixture
def fixture_ports() -> list:
    """The fixture's service ports with their endpoints, as worker-1's proxier sees them."""
    return ports_of(*fixture_objects())
