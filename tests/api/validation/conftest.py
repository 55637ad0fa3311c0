"""Shared builders for the validation tests: a valid Pod to change, and the 422 message."""

import pytest

from k8slab.api.validation import validate
from k8slab.errors import BadRequestError, InvalidError


@pytest.fixture
def pod():
    """Build a valid Pod "web" in "default"; keyword arguments replace fields of its spec."""

    def build(**spec_changes) -> dict:
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"containers": [{"name": "web", "image": "nginx"}], **spec_changes},
        }

    return build


@pytest.fixture
def rejection():
    """The message of the 422 Invalid error validate() raises for an object."""

    def message(obj: dict) -> str:
        with pytest.raises(InvalidError) as caught:
            validate(obj)
        assert caught.value.code == 422 and caught.value.reason == "Invalid"
        return str(caught.value)

    return message


@pytest.fixture
def undecodable():
    """The message of the 400 BadRequest validate() raises for an object that does not decode."""

    def message(obj: dict) -> str:
        with pytest.raises(BadRequestError) as caught:
            validate(obj)
        assert caught.value.code == 400 and caught.value.reason == "BadRequest"
        return str(caught.value)

    return message
