"""Authentication: which user sent a request, proven by the credential it carries.

kube-apiserver asks its authenticators in turn (apiserver pkg/authentication/request/union;
kk pkg/kubeapiserver/authenticator/config.go): a client certificate the cluster CA signed
(--client-ca-file) names the user in its CN and the groups in its O entries; a bearer token is
offered to each token authenticator (the API server's own loopback token, bootstrap tokens,
ServiceAccount tokens) and one that none accepts is refused. A request with no credential at
all is system:anonymous in system:unauthenticated (--anonymous-auth=true, the default). A bad
certificate or token is 401 Unauthorized, whatever else the request carries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from k8slab.api.certificates import CLIENT_AUTH, Certificate, CertificateAuthority
from k8slab.apiserver.request_info import ALL_AUTHENTICATED, ANONYMOUS, SYSTEM_MASTERS, UserInfo
from k8slab.errors import UnauthorizedError

X509, TOKEN, ANONYMOUS_METHOD = "x509", "token", "anonymous"
# What the x509 verifier logs (Go crypto/x509's words); the client only ever sees Unauthorized.
UNKNOWN_AUTHORITY = "x509: certificate signed by unknown authority"
EXPIRED = "x509: certificate has expired or is not yet valid"
NOT_CLIENT = "x509: certificate specifies an incompatible key usage"
INVALID_TOKEN = "invalid bearer token"
# The API server's loopback identity (apiserver pkg/server/config.go AuthorizeClientBearerToken).
APISERVER_USER = "system:apiserver"


class TokenAuthenticator(Protocol):
    """One kind of bearer token (bootstrap, ServiceAccount...): the user a token proves, or
    None when it is not a token of this kind or not a valid one; `name` labels it in the trace
    (`token:<name>`; the class name when it has none)."""

    name: str

    def authenticate_token(self, token: str) -> UserInfo | None:
        """The user `token` authenticates, or None."""
        ...


class LoopbackToken:
    """The token kube-apiserver makes at start for its own requests to itself: user
    system:apiserver in system:masters."""

    name = "loopback"

    def __init__(self, token: str, uid: str) -> None:
        self.token = token
        self.user = UserInfo(APISERVER_USER, (SYSTEM_MASTERS,), uid)

    def authenticate_token(self, token: str) -> UserInfo | None:
        """The API server itself for its own token, else None."""
        return self.user if token == self.token else None


class Authenticator:
    """The API server's authentication chain: x509 against `client_ca` (None: no
    --client-ca-file, certificates are ignored), the token authenticators in order, then
    anonymous when allowed. `now` is the simulated time certificates are checked at."""

    def __init__(self, now: Callable[[], float], client_ca: CertificateAuthority | None = None,
                 tokens: list[TokenAuthenticator] | None = None, anonymous: bool = True) -> None:
        self.now = now
        self.client_ca = client_ca
        self.tokens: list[TokenAuthenticator] = list(tokens or [])
        self.anonymous = anonymous
        # Certificates already verified, by signature: a TLS session's verification, reused
        # for the same certificate object (a forged copy of a signature is checked afresh).
        self._verified: dict[str, tuple[Certificate, UserInfo]] = {}

    def add_token_authenticator(self, authenticator: TokenAuthenticator) -> None:
        """Add a kind of bearer token (the ServiceAccount token authenticator goes here)."""
        self.tokens.append(authenticator)

    def authenticate(self, request: dict) -> UserInfo:
        """The user a request comes from; UnauthorizedError for a bad credential."""
        return self.identify(request)[0]

    def identify(self, request: dict) -> tuple[UserInfo, str]:
        """(user, how it was proven: x509, token:<authenticator> or anonymous); a certificate
        or token that does not verify raises UnauthorizedError naming why in `cause`."""
        certificate = request.get("certificate")
        if certificate is not None and self.client_ca is not None:
            cause = self._certificate_problem(certificate)
            if cause:
                raise UnauthorizedError("Unauthorized", cause=cause)
            return self._verified[certificate.signature][1], X509
        token = request.get("token")
        if token:
            for authenticator in self.tokens:
                user = authenticator.authenticate_token(token)
                if user is not None:
                    label = getattr(authenticator, "name", type(authenticator).__name__)
                    method = f"{TOKEN}:{label}"
                    if isinstance(authenticator, LoopbackToken):
                        return user, method  # system:masters only: no group is added
                    return _authenticated(user.name, user.groups, user.uid, user.extra), method
            raise UnauthorizedError("Unauthorized", cause=INVALID_TOKEN)
        if not self.anonymous:
            raise UnauthorizedError("Unauthorized", cause="no credentials and anonymous "
                                                         "requests are disabled")
        return ANONYMOUS, ANONYMOUS_METHOD

    def _certificate_problem(self, certificate: object) -> str:
        if not isinstance(certificate, Certificate):
            return UNKNOWN_AUTHORITY
        known = self._verified.get(certificate.signature)
        if known is None or known[0] is not certificate:
            if not self.client_ca.signed(certificate):
                return UNKNOWN_AUTHORITY
            user = _authenticated(certificate.common_name, certificate.organizations)
            self._verified[certificate.signature] = (certificate, user)
        if not certificate.valid_at(self.now()):
            return EXPIRED
        if CLIENT_AUTH not in certificate.usages:
            return NOT_CLIENT
        return ""


def _authenticated(name: str, groups: tuple[str, ...], uid: str = "",
                   extra: tuple = ()) -> UserInfo:
    """The user with system:authenticated added, as upstream's AuthenticatedGroupAdder does."""
    if ALL_AUTHENTICATED not in groups:
        groups = (*groups, ALL_AUTHENTICATED)
    return UserInfo(name, tuple(groups), uid, extra)
