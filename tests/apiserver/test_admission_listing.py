"""The index the LimitRanger and ResourceQuota plugins read: fed like the watch cache, it keeps
only LimitRanges and ResourceQuotas, and answers one namespace's by key."""

from k8slab.api.kinds import LIMIT_RANGE, RESOURCE_QUOTA
from k8slab.apiserver.admission.listing import KindIndex


def obj(name: str) -> dict:
    return {"metadata": {"name": name}}


def test_the_index_keeps_its_kinds_by_namespace_and_follows_changes():
    index = KindIndex((LIMIT_RANGE, RESOURCE_QUOTA))
    index.reset({"/registry/resourcequotas/team/b": obj("b"),
                 "/registry/resourcequotas/team/a": obj("a"),
                 "/registry/resourcequotas/team2/c": obj("c"),
                 "/registry/pods/team/web": obj("web"),
                 "/registry/health": obj("health")})
    assert [o["metadata"]["name"] for o in index.list(RESOURCE_QUOTA, "team")] == ["a", "b"]
    assert index.list(LIMIT_RANGE, "team") == []
    index.apply("/registry/limitranges/team/lr", obj("lr"))
    index.apply("/registry/resourcequotas/team/a", None)
    index.apply("/registry/services/specs/team/svc", obj("svc"))
    assert [o["metadata"]["name"] for o in index.list(RESOURCE_QUOTA, "team")] == ["b"]
    assert [o["metadata"]["name"] for o in index.list(LIMIT_RANGE, "team")] == ["lr"]
    listed = index.list(LIMIT_RANGE, "team")[0]
    listed["metadata"]["name"] = "changed"  # copies: a plugin cannot change the index
    assert index.list(LIMIT_RANGE, "team")[0]["metadata"]["name"] == "lr"
