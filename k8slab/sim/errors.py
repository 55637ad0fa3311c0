"""The simulation's own errors: a host that does not exist, a connection refused, a request lost.

They speak the network's language, not the API's: the API client turns the ones a request meets
into what kubectl prints, and the etcd client decides from them which member to try next.
"""

from __future__ import annotations

from k8slab.errors import K8sLabError


class NetworkError(K8sLabError):
    """Base class of the errors the simulated network raises."""


class UnknownHostError(NetworkError):
    """No host has that name; the message names the hosts that exist."""


class NoLinkError(NetworkError):
    """No cable joins the two hosts named."""


class UnreachableError(NetworkError):
    """A request could not reach its server, or its answer could not come back."""


class RefusedError(UnreachableError):
    """Nothing listens on the host's port: the connection is refused and nothing was sent."""


class TimedOutError(UnreachableError):
    """No answer came in time: the request or its answer was lost, or the server was too slow.

    The request may have been carried out all the same.
    """
