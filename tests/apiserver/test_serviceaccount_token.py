"""Bound ServiceAccount tokens: TokenRequest through the API server, the JWT's claims, and the
authenticator accepting or refusing a token (signature, issuer, audience, expiry, bound pod)."""

import base64
import json

import pytest

from k8slab.apiserver.serviceaccount_token import (
    ISSUER,
    InvalidToken,
    ServiceAccountTokenAuthenticator,
    read_claims,
    signing_key,
    unix_time,
)
from k8slab.errors import BadRequestError, ConflictError, InvalidError


def token_request(cp, name="default", namespace="default", user="tester", **spec):
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}
    return cp.call(cp.client(user).create_token(namespace, name, body))


def bound_pod(cp, make_pod, name="web", node="worker-1"):
    pod = cp.ok(cp.client().create(make_pod(name)))
    if node:
        cp.ok(cp.client().bind("default", name, node))
    return pod


def payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def stored(cp, key: str) -> dict:
    return cp.apiserver.cache.objects[key]


def test_a_plain_token_has_upstreams_claims(cp):
    answer = token_request(cp)
    assert answer["spec"] == {"expirationSeconds": 3600, "audiences": [ISSUER]}
    claims = payload(answer["status"]["token"])
    now = unix_time(cp.sim.now)
    account = stored(cp, "/registry/serviceaccounts/default/default")
    assert list(claims) == sorted(claims)  # go-jose writes the keys sorted
    assert claims == {
        "aud": [ISSUER], "exp": now + 3600, "iat": now, "nbf": now, "iss": ISSUER,
        "jti": claims["jti"], "sub": "system:serviceaccount:default:default",
        "kubernetes.io": {"namespace": "default", "serviceaccount": {
            "name": "default", "uid": account["metadata"]["uid"]}}}
    header = json.loads(base64.urlsafe_b64decode(answer["status"]["token"].split(".")[0] + "=="))
    assert header["alg"] == "HS256"
    assert answer["status"]["expirationTimestamp"] == "2026-01-01T01:00:02Z"


def test_the_kubelets_pod_token_lasts_a_year_and_warns_after_3607_seconds(cp, make_pod):
    pod = bound_pod(cp, make_pod)
    ref = {"apiVersion": "v1", "kind": "Pod", "name": "web", "uid": pod["metadata"]["uid"]}
    answer = token_request(cp, expirationSeconds=3607, boundObjectRef=ref)
    claims = payload(answer["status"]["token"])
    assert claims["exp"] - claims["iat"] == 365 * 24 * 3600
    private = claims["kubernetes.io"]
    assert private["warnafter"] == claims["iat"] + 3607
    assert private["pod"] == {"name": "web", "uid": pod["metadata"]["uid"]}
    assert private["node"] == {"name": "worker-1", "uid": ""}  # no Node object in this world
    # The status still says when the 3607 s the kubelet asked for run out.
    assert answer["status"]["expirationTimestamp"] == "2026-01-01T01:00:09Z"


def test_bad_token_requests_get_upstreams_errors(cp, make_pod):
    error = token_request(cp, expirationSeconds=300)
    assert isinstance(error, InvalidError)
    assert error.message == ('TokenRequest.authentication.k8s.io "" is invalid: '
                             "spec.expirationSeconds: Invalid value: 300: may not specify a "
                             "duration less than 10 minutes")
    pod = bound_pod(cp, make_pod, node=None)
    cp.ok(cp.client().create({"apiVersion": "v1", "kind": "ServiceAccount",
                              "metadata": {"name": "robot", "namespace": "default"}}))
    ref = {"apiVersion": "v1", "kind": "Pod", "name": "web"}
    error = token_request(cp, "robot", boundObjectRef=ref)
    assert isinstance(error, BadRequestError)
    assert error.message == ('cannot bind token for serviceaccount "robot" to pod running '
                             'with serviceaccount "default"')
    error = token_request(cp, boundObjectRef=dict(ref, uid="not-the-uid"))
    assert isinstance(error, ConflictError) and pod["metadata"]["uid"] in error.message
    error = token_request(cp, boundObjectRef={"apiVersion": "apps/v1", "kind": "Deployment",
                                              "name": "x"})
    assert error.message == "cannot bind token to object of type apps/v1, Kind=Deployment"
    assert token_request(cp, "nobody").message == 'serviceaccounts "nobody" not found'


def authenticator(cp) -> ServiceAccountTokenAuthenticator:
    return cp.apiserver.service_account_tokens


def test_a_valid_bound_token_authenticates_as_its_account(cp, make_pod):
    pod = bound_pod(cp, make_pod)
    ref = {"apiVersion": "v1", "kind": "Pod", "name": "web", "uid": pod["metadata"]["uid"]}
    token = token_request(cp, expirationSeconds=3607, boundObjectRef=ref)["status"]["token"]
    user = authenticator(cp).authenticate_token(token)
    account = stored(cp, "/registry/serviceaccounts/default/default")
    assert user.name == "system:serviceaccount:default:default"
    assert user.groups == ("system:serviceaccounts", "system:serviceaccounts:default",
                           "system:authenticated")
    assert user.uid == account["metadata"]["uid"]
    extra = dict(user.extra)
    assert extra["authentication.kubernetes.io/pod-name"] == ("web",)
    assert extra["authentication.kubernetes.io/pod-uid"] == (pod["metadata"]["uid"],)
    assert extra["authentication.kubernetes.io/credential-id"] == (
        f"JTI={payload(token)['jti']}",)


def test_an_expired_token_is_refused_after_a_minute_of_leeway(cp):
    token = token_request(cp, expirationSeconds=600)["status"]["token"]
    issued = cp.sim.now
    cp.sim.run_until(issued + 600 + 59)
    assert authenticator(cp).authenticate_token(token) is not None
    cp.sim.run_until(issued + 600 + 62)
    assert authenticator(cp).authenticate_token(token) is None
    with pytest.raises(InvalidToken, match="service account token has expired"):
        authenticator(cp).verify(token)


def test_a_token_for_another_audience_is_refused(cp):
    token = token_request(cp, audiences=["vault"])["status"]["token"]
    with pytest.raises(InvalidToken) as refused:
        authenticator(cp).verify(token)
    assert str(refused.value) == (f'token audiences ["vault"] is invalid for the target '
                                  f'audiences ["{ISSUER}"]')


def test_a_token_of_a_deleted_pod_is_invalidated(cp, make_pod):
    pod = bound_pod(cp, make_pod, node=None)
    ref = {"apiVersion": "v1", "kind": "Pod", "name": "web", "uid": pod["metadata"]["uid"]}
    token = token_request(cp, boundObjectRef=ref)["status"]["token"]
    cp.ok(cp.client().delete("pods", "web", "default"))  # unbound: gone at once
    cp.sim.run(0.5)
    with pytest.raises(InvalidToken, match="service account token has been invalidated"):
        authenticator(cp).verify(token)
    cp.ok(cp.client().create(make_pod("web")))  # same name, new uid
    cp.sim.run(0.5)
    with pytest.raises(InvalidToken, match="does not match service account pod ref claim"):
        authenticator(cp).verify(token)


def test_a_token_of_a_recreated_account_is_refused(cp):
    token = token_request(cp)["status"]["token"]
    cp.ok(cp.client().delete("serviceaccounts", "default", "default"))
    cp.sim.run(3.0)  # the serviceaccount controller makes a new `default`, with a new uid
    assert "/registry/serviceaccounts/default/default" in cp.apiserver.cache.objects
    with pytest.raises(InvalidToken, match="service account UID"):
        authenticator(cp).verify(token)


def test_a_tampered_or_foreign_token_is_refused(cp):
    token = token_request(cp)["status"]["token"]
    header, body, signature = token.split(".")
    claims = payload(token)
    claims["sub"] = "system:serviceaccount:kube-system:default"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for bad in (f"{header}.{forged}.{signature}", "not-a-jwt", f"{header}.{body}.AAAA"):
        assert authenticator(cp).authenticate_token(bad) is None
    with pytest.raises(InvalidToken, match="invalid token signature"):
        read_claims(token, signing_key(cp.sim.seed + 1))


def test_the_same_seed_issues_the_same_token(control_plane_factory):
    tokens = []
    for _ in range(2):
        cp = control_plane_factory(7)
        tokens.append(token_request(cp)["status"]["token"])
    assert tokens[0] == tokens[1]
