"""`kubectl get` of custom kinds: NAME, the CRD's printer columns (wide ones with -o wide), AGE
when it declares none, each cell shown by its column's type; and `kubectl get crd`."""

import pytest

from k8slab.lab.kubectl.custom_printers import cell, crd_cells, value_at
from k8slab.lab.kubectl.get import kubectl
from k8slab.lab.kubectl.resources import custom_resource_types

NOW = 3600.0
CREATED = "2026-01-01T00:00:00Z"


def crd(columns: list | None) -> dict:
    version = {"name": "v1", "served": True, "storage": True}
    if columns is not None:
        version["additionalPrinterColumns"] = columns
    return {"metadata": {"name": "webapps.example.com", "creationTimestamp": CREATED},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "webapps", "kind": "WebApp", "shortNames": ["wa"]},
                     "versions": [version]},
            "status": {"conditions": [{"type": "Established", "status": "True"}]}}


APP = {"apiVersion": "example.com/v1", "kind": "WebApp",
       "metadata": {"name": "web", "namespace": "default", "creationTimestamp": CREATED},
       "spec": {"replicas": 3, "ratio": 0.5, "on": True, "ports": [{"port": 80}]},
       "status": {"conditions": [{"type": "Ready"}]}}


class Reader:
    """Objects by resource, as the API server lists them."""

    now = NOW

    def __init__(self, columns: list | None) -> None:
        self.objects = {"customresourcedefinitions": [crd(columns)], "webapps": [APP]}

    def list(self, resource, namespace):
        return self.objects[resource]

    def get(self, resource, namespace, name):
        return next(o for o in self.objects[resource] if o["metadata"]["name"] == name)


@pytest.mark.parametrize(("column", "shown"), [
    ({"type": "integer", "jsonPath": ".spec.replicas"}, "3"),
    ({"type": "number", "jsonPath": ".spec.ratio"}, "0.5"),
    ({"type": "number", "jsonPath": ".spec.replicas"}, "3"),
    ({"type": "boolean", "jsonPath": ".spec.on"}, "true"),
    ({"type": "string", "jsonPath": ".status.conditions[0].type"}, "Ready"),
    ({"type": "integer", "jsonPath": ".spec.ports[0].port"}, "80"),
    ({"type": "integer", "jsonPath": ".spec.missing"}, ""),
    ({"type": "string", "jsonPath": ".spec.missing"}, ""),
    ({"type": "boolean", "jsonPath": ".spec.replicas"}, ""),
    ({"type": "date", "jsonPath": ".spec.missing"}, ""),
    ({"type": "integer", "jsonPath": ".spec.ratio"}, "0"),
    ({"type": "date", "jsonPath": ".metadata.creationTimestamp"}, "60m"),
], ids=lambda v: v.get("jsonPath", "") + v.get("type", "") if isinstance(v, dict) else v)
def test_a_cell_is_shown_by_its_columns_type(column, shown):
    assert cell(column, APP, NOW) == shown


def test_value_at_follows_a_simple_json_path():
    assert value_at(APP, ".spec.ports[0].port") == 80
    assert value_at(APP, ".spec.ports[3].port") is None


def test_printer_columns_and_wide_ones():
    reader = Reader([{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                     {"name": "Ratio", "type": "number", "jsonPath": ".spec.ratio",
                      "priority": 1}])
    assert kubectl(reader, "get webapps") == "NAME   REPLICAS\nweb    3"
    assert kubectl(reader, "get wa -o wide") == "NAME   REPLICAS   RATIO\nweb    3          0.5"
    assert kubectl(reader, "get webapp.example.com web -o name") == "webapp.example.com/web"


def test_a_crd_without_columns_shows_age():
    assert kubectl(Reader(None), "get webapps") == "NAME   AGE\nweb    60m"


def test_get_crd_shows_name_and_creation_time():
    assert crd_cells(crd(None), NOW) == ["webapps.example.com", CREATED]
    assert kubectl(Reader(None), "get crd") == (
        "NAME                  CREATED AT\nwebapps.example.com   2026-01-01T00:00:00Z")


def test_an_unestablished_crd_serves_no_kind():
    definition = crd(None)
    definition["status"] = {}
    assert custom_resource_types([definition]) == ()
