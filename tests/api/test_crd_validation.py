"""A CustomResourceDefinition is checked as apiextensions-apiserver checks it: the name, group,
names, versions (one storage version), a structural schema and printer columns, with the API
server's field paths and words (pkg/apis/apiextensions/validation, pkg/apiserver/schema)."""

import copy

import pytest

from k8slab.api.defaults import apply_defaults
from k8slab.api.validation import validate
from k8slab.errors import InvalidError

GOOD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "webapps.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "webapps", "kind": "WebApp"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {
                               "type": "object",
                               "properties": {"spec": {"type": "object", "properties": {
                                   "replicas": {"type": "integer", "default": 1},
                                   "tags": {"type": "array", "items": {"type": "string"}}}}}}},
                           "additionalPrinterColumns": [
                               {"name": "Replicas", "type": "integer",
                                "jsonPath": ".spec.replicas"}]}]}}
SCHEMA = "spec.versions[0].schema.openAPIV3Schema"


def changed(edit) -> dict:
    crd = copy.deepcopy(GOOD)
    edit(crd)
    return crd


def errors_of(crd: dict) -> str:
    with pytest.raises(InvalidError) as caught:
        validate(apply_defaults(crd))
    prefix = f'CustomResourceDefinition.apiextensions.k8s.io "{crd["metadata"]["name"]}" ' \
             "is invalid: "
    assert caught.value.message.startswith(prefix)
    return caught.value.message[len(prefix):]


def test_a_good_crd_is_defaulted_and_valid():
    crd = apply_defaults(GOOD)
    validate(crd)
    assert crd["spec"]["names"] == {"plural": "webapps", "kind": "WebApp",
                                    "singular": "webapp", "listKind": "WebAppList"}
    assert crd["spec"]["conversion"] == {"strategy": "None"}


def _set(path: list, value):
    def edit(crd):
        target = crd
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return edit


def _drop(path: list):
    def edit(crd):
        target = crd
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
    return edit


SCHEMA_PATH = ["spec", "versions", 0, "schema", "openAPIV3Schema"]
CASES = [
    ("name-not-plural-dot-group", _set(["metadata", "name"], "webapp.example.com"),
     'metadata.name: Invalid value: "webapp.example.com": must be '
     'spec.names.plural+"."+spec.group'),
    ("group-without-dot", lambda c: (c["spec"].update(group="example"),
                                     c["metadata"].update(name="webapps.example")),
     'spec.group: Invalid value: "example": should be a domain with at least one dot'),
    ("no-versions", _set(["spec", "versions"], []),
     "spec.versions: Invalid value: []v1.CustomResourceDefinitionVersion{...}: must have "
     "exactly one version marked as storage version"),
    ("two-storage-versions",
     lambda c: c["spec"]["versions"].append(dict(c["spec"]["versions"][0], name="v2")),
     "spec.versions: Invalid value: []v1.CustomResourceDefinitionVersion{...}: must have "
     "exactly one version marked as storage version"),
    ("root-without-type", _drop([*SCHEMA_PATH, "type"]),
     f"{SCHEMA}.type: Required value: must not be empty at the root"),
    ("root-not-object", _set([*SCHEMA_PATH, "type"], "string"),
     f'{SCHEMA}.type: Invalid value: "string": must be object at the root'),
    ("field-without-type",
     _drop([*SCHEMA_PATH, "properties", "spec", "properties", "replicas", "type"]),
     f"{SCHEMA}.properties[spec].properties[replicas].type: Required value: must not be empty "
     "for specified object fields"),
    ("array-without-items",
     _drop([*SCHEMA_PATH, "properties", "spec", "properties", "tags", "items"]),
     f"{SCHEMA}.properties[spec].properties[tags].items: Required value: must be specified"),
    ("no-schema", _drop(["spec", "versions", 0, "schema"]),
     f"{SCHEMA}: Required value"),
    ("bad-default",
     _set([*SCHEMA_PATH, "properties", "spec", "properties", "replicas", "default"], "one"),
     f'{SCHEMA}.properties[spec].properties[replicas].default: Invalid value: "one": <root> in '
     'body must be of type integer: "string"'),
    ("bad-scope", _set(["spec", "scope"], "Global"),
     'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'),
    ("bad-column-type",
     _set(["spec", "versions", 0, "additionalPrinterColumns", 0, "type"], "int"),
     'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "int": must be one of '
     "boolean,date,integer,number,string"),
    ("kind-equals-list-kind", _set(["spec", "names", "listKind"], "WebApp"),
     'spec.names.listKind: Invalid value: "WebApp": kind and listKind may not be the same'),
    ("scale-path-outside-spec",
     _set(["spec", "versions", 0, "subresources"],
          {"scale": {"specReplicasPath": ".replicas", "statusReplicasPath": ".status.r"}}),
     'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".replicas": '
     "should be a json path under .spec"),
]


@pytest.mark.parametrize(("edit", "expected"), [(e, x) for _, e, x in CASES],
                         ids=[case[0] for case in CASES])
def test_a_bad_crd_is_refused_with_upstreams_words(edit, expected):
    assert errors_of(changed(edit)) == expected
