"""Document shape: what the decoder rejects before validation, with its messages."""

import pytest

from k8slab.api.validation.shape import check_shape
from k8slab.errors import ManifestError


@pytest.mark.parametrize(
    ("document", "text"),
    [
        (["a"], "a manifest must be a mapping"),
        ("Pod", "a manifest must be a mapping"),
        (
            {"apiVersion": "v1", "metadata": {"name": "x"}},
            'Object \'Kind\' is missing in \'{"apiVersion":"v1","metadata":{"name":"x"}}\'',
        ),
        ({"kind": "Pod"}, "Object 'apiVersion' is missing in '{\"kind\":\"Pod\"}'"),
        ({"kind": ["Pod"], "apiVersion": "v1"}, "kind must be a string"),
        (
            {"kind": "Pod", "apiVersion": "v1", "metadata": ["x"]},
            'Pod field "metadata" must be a mapping',
        ),
        ({"kind": "Pod", "apiVersion": "v1", "spec": "x"}, 'Pod field "spec" must be a mapping'),
    ],
    ids=[
        "a list",
        "a string",
        "no kind",
        "no apiVersion",
        "kind not a string",
        "metadata not a mapping",
        "spec not a mapping",
    ],
)
def test_check_shape(document, text):
    with pytest.raises(ManifestError) as caught:
        check_shape(document)
    assert text in str(caught.value)


def test_a_long_document_is_cut_in_the_message():
    with pytest.raises(ManifestError) as caught:
        check_shape({"apiVersion": "v1", "metadata": {"name": "x" * 300}})
    assert str(caught.value).endswith("...'")
