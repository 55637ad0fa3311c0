"""The controller registry: upstream's names and aliases, and how --controllers reads."""

from __future__ import annotations

import pytest

from k8slab.controllers.manager import (
    KNOWN_CONTROLLERS,
    REGISTRY,
    check_controllers,
    enabled_controllers,
    is_enabled,
)
from k8slab.errors import K8sLabError


@pytest.mark.parametrize("selectors, name, expected", [
    (["*"], "node-lifecycle-controller", True),
    (["*"], "bootstrap-signer-controller", False),
    (["*", "bootstrap-signer-controller"], "bootstrap-signer-controller", True),
    (["*", "-node-lifecycle-controller"], "node-lifecycle-controller", False),
    (["-node-lifecycle-controller", "*"], "node-lifecycle-controller", False),
    (["node-lifecycle-controller", "-node-lifecycle-controller"], "node-lifecycle-controller",
     True),
    (["taint-eviction-controller"], "node-lifecycle-controller", False),
    ([], "node-lifecycle-controller", False),
], ids=["star turns on the defaults", "star leaves bootstrapsigner off",
        "named after star turns it on", "minus turns it off", "minus before star wins",
        "the first entry decides", "without star only the named run", "empty runs none"])
def test_is_enabled_reads_the_list_as_upstream(selectors, name, expected) -> None:
    assert is_enabled(name, selectors) is expected


def test_kubeadms_list_turns_on_the_two_default_off_controllers() -> None:
    enabled = enabled_controllers(["*", "bootstrapsigner", "tokencleaner"])
    assert "bootstrap-signer-controller" in enabled and "token-cleaner-controller" in enabled
    assert "node-lifecycle-controller" in enabled and "taint-eviction-controller" in enabled
    # Cloud controllers run in cloud-controller-manager, never here.
    assert "service-lb-controller" not in enabled
    assert enabled == sorted(enabled)


def test_aliases_are_read_as_their_canonical_names() -> None:
    assert check_controllers(["*", "-nodelifecycle", "replicaset"]) == [
        "*", "-node-lifecycle-controller", "replicaset-controller"]
    assert "node-lifecycle-controller" not in enabled_controllers(["*", "-nodelifecycle"])


@pytest.mark.parametrize("selector, bare", [("foo", "foo"), ("-foo", "foo")])
def test_an_unknown_controller_is_refused_in_upstreams_words(selector, bare) -> None:
    with pytest.raises(K8sLabError, match=f'^"{bare}" is not in the list of known controllers$'):
        enabled_controllers(["*", selector])


def test_every_modelled_controller_has_an_upstream_name() -> None:
    assert set(REGISTRY) <= set(KNOWN_CONTROLLERS)
    assert {"node-lifecycle-controller", "taint-eviction-controller"} <= set(REGISTRY)
