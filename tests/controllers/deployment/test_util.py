"""The Deployment's arithmetic against upstream's tables (deployment_util_test.go)."""

import pytest

from k8slab.controllers.deployment.hash import compute_hash, fnv32a, safe_encode_string
from k8slab.controllers.deployment.history import set_new_replica_set_annotations
from k8slab.controllers.deployment.util import (
    get_proportion,
    max_surge,
    max_unavailable,
    resolve_fenceposts,
    scaled_value,
)
from k8slab.errors import K8sLabError

from .conftest import deployment, template


@pytest.mark.parametrize(("surge", "unavailable", "desired", "want"), [
    ("0%", "0%", 0, (0, 1)),
    ("39%", "39%", 10, (4, 3)),       # surge rounds up (3.9 -> 4), unavailable down (3.9 -> 3)
    (None, "39%", 10, (0, 3)),
    ("39%", None, 10, (4, 0)),
    (None, None, 10, (0, 1)),         # both resolve to 0: maxUnavailable becomes 1
    ("25%", "25%", 10, (3, 2)),       # the defaults on 10 replicas
    ("25%", "25%", 1, (1, 0)),
    ("1%", "25%", 2, (1, 0)),
    ("0%", "1%", 1, (0, 1)),
    (3, 2, 10, (3, 2)),
], ids=["zero-percent", "39-percent", "no-surge", "no-unavailable", "neither", "defaults",
        "defaults-one", "one-percent-surge", "one-percent-unavailable", "absolute"])
def test_resolve_fenceposts(surge, unavailable, desired, want):
    assert resolve_fenceposts(surge, unavailable, desired) == want


@pytest.mark.parametrize(("value", "words"), [
    ("oops", "string is not a percentage"),
    ("urg%", 'invalid value "urg%": strconv.Atoi: parsing "urg": invalid syntax'),
    (1.5, "an integer or a percent"),
])
def test_a_bad_int_or_percent_is_named(value, words):
    with pytest.raises(K8sLabError, match=words):
        scaled_value(value, 10, True)


def test_max_unavailable_is_capped_at_replicas_and_zero_for_recreate():
    assert max_unavailable(deployment(replicas=2, unavailable=5)) == 2
    assert max_unavailable(deployment(replicas=0)) == 0
    recreate = deployment(strategy={"type": "Recreate"})
    assert (max_surge(recreate), max_unavailable(recreate)) == (0, 0)
    assert (max_surge(deployment(strategy={})), max_unavailable(deployment(strategy={}))) == (3, 2)


def test_fnv32a_and_the_safe_alphabet():
    # FNV-1a test vectors (Fowler/Noll/Vo): "" and "a", "foobar".
    assert fnv32a(b"") == 0x811C9DC5
    assert fnv32a(b"a") == 0xE40C292C
    assert fnv32a(b"foobar") == 0xBF9CF968
    # Decimal digits map to the vowel-free alphabet: '0' is byte 48, 48 % 27 = 21 -> "4".
    assert safe_encode_string("0123456789") == "456789bcdf"


def test_the_pod_template_hash_follows_the_template_and_the_collision_count():
    first = compute_hash(template("nginx:1.27"))
    assert first == compute_hash(template("nginx:1.27"))
    assert set(first) <= set("456789bcdf")
    assert first != compute_hash(template("nginx:1.28"))
    assert compute_hash(template(), 1) not in (first, compute_hash(template(), 2))


def rs_of(size, max_replicas):
    return {"metadata": {"annotations": {"deployment.kubernetes.io/max-replicas":
                                         str(max_replicas)}}, "spec": {"replicas": size}}


def test_get_proportion_as_the_documentation_example():
    # kubernetes.io Deployments, "Proportional scaling": 10 replicas, maxSurge 3, stuck with
    # 8 old and 5 new; scaled to 15, 3 of the 5 new replicas go to the old set, 2 to the new.
    d = deployment(replicas=15, surge=3, unavailable=2)
    old = get_proportion(rs_of(8, 13), d, 5, 0)
    assert (old, get_proportion(rs_of(5, 13), d, 5, old)) == (3, 2)
    # Scaling down hands out negative shares, never more than is left to remove.
    d = deployment(replicas=5, surge=3, unavailable=2)
    assert get_proportion(rs_of(8, 13), d, -5, 0) == -3
    assert get_proportion(rs_of(8, 13), d, -5, -4) == -1
    assert get_proportion(rs_of(0, 13), d, -5, 0) == 0


def test_a_rollback_bumps_the_revision_and_keeps_the_old_one_in_history():
    d = deployment()
    rs = {"metadata": {"annotations": {"deployment.kubernetes.io/revision": "1"}}}
    assert set_new_replica_set_annotations(d, rs, "3", True)
    assert rs["metadata"]["annotations"] == {"deployment.kubernetes.io/revision": "3",
                                             "deployment.kubernetes.io/revision-history": "1"}
    assert set_new_replica_set_annotations(d, rs, "5", True)
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1,3"
    assert not set_new_replica_set_annotations(d, rs, "4", True)  # never lowered
    # The history is bounded in characters; the oldest entries go first.
    assert set_new_replica_set_annotations(d, rs, "6", True, history_chars=4)
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "3,5"
