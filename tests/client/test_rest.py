"""The API client: one request per call, answered by the API server or raised as its error."""

from k8slab.errors import BadRequestError


def test_client_requests_need_what_the_resource_needs(cp):
    error = cp.call(cp.client().get("pods", "web"))
    assert isinstance(error, BadRequestError) and error.message == "Namespace parameter required."
