"""Accept negotiation (Table, JSON, YAML), request bodies in encoding/json's words, and Status
details read from upstream's message shapes."""

from __future__ import annotations

import json

import pytest

from k8slab.errors import (
    AlreadyExistsError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    K8sLabError,
    NotFoundError,
)
from k8slab.lab.serving.media import negotiate
from k8slab.lab.serving.request_body import decode_body, go_json_error
from k8slab.lab.serving.status import error_status

KUBECTL_GET = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
               "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")


@pytest.mark.parametrize("accept, table_built, media_type, table_version", [
    (KUBECTL_GET, True, "application/json", "v1"),
    (KUBECTL_GET, False, "application/json", ""),  # no table builder yet: plain JSON
    ("application/json;as=Table;v=v1beta1;g=meta.k8s.io", True, "application/json",
     "v1beta1"),
    ("", True, "application/json", ""),
    ("*/*", True, "application/json", ""),
    ("application/yaml", True, "application/yaml", ""),
    ("application/vnd.kubernetes.protobuf, application/json", True, "application/json", ""),
    ("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io, application/json",
     True, "application/json", ""),
    ("application/json;q=0.5, application/yaml", True, "application/yaml", ""),
    ("application/yaml;q=0, application/json;q=0.1", True, "application/json", ""),
])
def test_the_first_range_the_server_can_answer_wins(accept, table_built, media_type,
                                                    table_version):
    chosen = negotiate(accept, table=table_built)
    assert chosen is not None
    assert (chosen.media_type, chosen.table_version) == (media_type, table_version)


def test_a_table_answer_names_its_content_type_and_version():
    chosen = negotiate(KUBECTL_GET, table=True)
    response = chosen.response(200, {"kind": "Table", "rows": []})
    assert response.content_type == "application/json;as=Table;v=v1;g=meta.k8s.io"
    assert json.loads(response.body)["apiVersion"] == "meta.k8s.io/v1"


@pytest.mark.parametrize("accept", ["application/vnd.kubernetes.protobuf", "text/html",
                                    "application/json;as=Table;v=v2;g=meta.k8s.io"])
def test_nothing_the_server_can_answer_is_none(accept):
    assert negotiate(accept, table=True) is None


@pytest.mark.parametrize("text, words", [
    ("", "unexpected end of JSON input"),
    ('{"kind": "Pod"', "unexpected end of JSON input"),
    ("{kind: 1}", "invalid character 'k' looking for beginning of object key string"),
    ('{"a" 1}', "invalid character '1' after object key"),
    ('{"a": 1 "b": 2}', "invalid character '\"' after object key:value pair"),
    ("[1 2]", "invalid character '2' after array element"),
    ('{"a": 1}}', "invalid character '}' after top-level value"),
    ("nope", "invalid character 'o' in literal null (expecting 'u')"),
    ("[tru]", "invalid character ']' in literal true (expecting 'e')"),
    ("@", "invalid character '@' looking for beginning of value"),
])
def test_json_errors_in_go_words(text, words):
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        found = go_json_error(error)
    assert found == words


def test_a_malformed_body_is_400_in_the_create_handlers_words():
    with pytest.raises(BadRequestError) as error:
        decode_body(b'{"kind": "Pod", ', "application/json", "Pod")
    assert error.value.message == (
        "the object provided is unrecognized (must be of type Pod): couldn't get version/kind;"
        ' json parse error: unexpected end of JSON input ({"kind": "Pod", )')


def test_a_yaml_body_is_read_and_bad_yaml_is_400():
    assert decode_body(b"kind: Pod\nmetadata: {name: web}\n", "application/yaml",
                       "Pod") == {"kind": "Pod", "metadata": {"name": "web"}}
    with pytest.raises(BadRequestError, match="error converting YAML to JSON: yaml: line"):
        decode_body(b"kind: [Pod\n", "application/yaml", "Pod")


@pytest.mark.parametrize("error, details", [
    (NotFoundError('deployments.apps "web" not found'),
     {"name": "web", "group": "apps", "kind": "deployments"}),
    (AlreadyExistsError('pods "web" already exists'), {"name": "web", "kind": "pods"}),
    (ConflictError('Operation cannot be fulfilled on pods "web": the object has been '
                   "modified; please apply your changes to the latest version and try again"),
     {"name": "web", "kind": "pods"}),
    (ForbiddenError('pods "web" is forbidden: User "jane" cannot get resource "pods" in API '
                    'group "" in the namespace "default"'), {"name": "web", "kind": "pods"}),
    (BadRequestError("Upgrade request required"), None),
])
def test_status_details_come_from_the_message_shape(error, details):
    status = error_status(error)
    assert status.get("details") == details
    assert (status["code"], status["reason"]) == (error.code, error.reason)


def test_a_plain_k8slab_error_is_a_400():
    status = error_status(K8sLabError("seed must be an integer"))
    assert (status["code"], status["reason"], status["message"]) == (
        400, "BadRequest", "seed must be an integer")
