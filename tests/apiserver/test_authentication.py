"""Authentication: a certificate the cluster CA signed names the user and groups; an expired,
foreign or forged one, or a token nobody knows, is 401 and changes nothing; no credential at
all is system:anonymous; bootstrap tokens authenticate as system:bootstrap:<id>."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8slab.api.certificates import SERVER_AUTH, CertificateAuthority, derived_key
from k8slab.api.kubeconfig import ANONYMOUS_CREDENTIALS, Credentials
from k8slab.api.timestamps import to_time
from k8slab.apiserver.authentication import (
    EXPIRED,
    INVALID_TOKEN,
    NOT_CLIENT,
    UNKNOWN_AUTHORITY,
    Authenticator,
)
from k8slab.apiserver.bootstrap_tokens import (
    KUBEADM_GROUP,
    BootstrapTokenAuthenticator,
    secret_key,
    token_secret,
)
from k8slab.client.rest import Client
from k8slab.errors import ForbiddenError, K8sLabError, NotFoundError, UnauthorizedError
from tests.pki_fixtures import TEST_CA, credentials

FOREIGN_CA = CertificateAuthority.create("kubernetes", derived_key("another cluster"), 0.0)


def client(cp, credentials: Credentials, name: str = "c") -> Client:
    return Client(cp.network.host("worker-1").group(f"client/{name}"), credentials,
                  "control-plane")


def authn_records(cp, since: int = 0) -> list:
    return [r for r in list(cp.sim.trace)[since:] if r.kind == "authn"]


def pod_exists(cp, make_pod, name: str) -> bool:
    admin = cp.client("admin", groups=("system:masters",))
    found = cp.call(admin.get("pods", name, "default"))
    return not isinstance(found, NotFoundError)


def test_a_certificate_the_ca_signed_names_the_user_and_its_groups(cp, make_pod) -> None:
    jane = client(cp, credentials("jane", ("dev", "qa")))
    since = len(cp.sim.trace)
    # Authenticated, then refused by RBAC (no role binds jane): the 403 names her.
    answer = cp.call(jane.create(make_pod("web")))
    assert isinstance(answer, ForbiddenError) and 'User "jane"' in answer.message
    (record,) = [r for r in authn_records(cp, since) if r.obj == "pod/default/web"]
    assert record.details == {"user": "jane", "groups": ["dev", "qa", "system:authenticated"],
                              "method": "x509"}


@pytest.mark.parametrize("certificate, cause", [
    (TEST_CA.issue("jane", (), serial=7, now=0.0, validity=1.0), EXPIRED),
    (TEST_CA.issue("jane", (), serial=7, now=500.0), EXPIRED),  # not yet valid
    (FOREIGN_CA.issue("jane", ("system:masters",), serial=7, now=0.0), UNKNOWN_AUTHORITY),
    (replace(TEST_CA.issue("jane", (), serial=7, now=0.0), common_name="kubernetes-admin"),
     UNKNOWN_AUTHORITY),  # forged: the CN changed after signing
    (TEST_CA.issue("kube-apiserver", (), serial=7, now=0.0, usages=(SERVER_AUTH,)),
     NOT_CLIENT),
], ids=["expired", "not-yet-valid", "foreign-ca", "forged-cn", "serving-cert"])
def test_a_bad_certificate_is_401_and_leaves_etcd_untouched(cp, make_pod, certificate,
                                                             cause) -> None:
    revision = cp.apiserver.cache.revision
    since = len(cp.sim.trace)
    answer = cp.call(client(cp, Credentials(certificate)).create(make_pod("web")))
    assert isinstance(answer, UnauthorizedError)
    assert (answer.code, answer.reason, answer.message) == (401, "Unauthorized", "Unauthorized")
    cp.sim.run(1)
    assert cp.apiserver.cache.revision == revision
    assert not pod_exists(cp, make_pod, "web")
    (record,) = authn_records(cp, since)[:1]
    assert (record.details["decision"], record.details["cause"]) == ("failed", cause)


def test_no_credential_is_the_anonymous_user(cp, make_pod) -> None:
    since = len(cp.sim.trace)
    answer = cp.call(client(cp, ANONYMOUS_CREDENTIALS).create(make_pod("web")))
    assert isinstance(answer, ForbiddenError) and 'User "system:anonymous"' in answer.message
    (record,) = [r for r in authn_records(cp, since) if r.obj == "pod/default/web"]
    assert record.details == {"user": "system:anonymous", "groups": ["system:unauthenticated"],
                              "method": "anonymous"}


def test_with_anonymous_auth_off_no_credential_is_401(cp, make_pod) -> None:
    cp.apiserver.authenticator.anonymous = False
    answer = cp.call(client(cp, ANONYMOUS_CREDENTIALS).create(make_pod("web")))
    assert isinstance(answer, UnauthorizedError)


def test_a_token_no_authenticator_knows_is_401(cp, make_pod) -> None:
    since = len(cp.sim.trace)
    answer = cp.call(client(cp, Credentials(token="abcdef.0123456789abcdef")).list("pods"))
    assert isinstance(answer, UnauthorizedError)
    assert authn_records(cp, since)[0].details["cause"] == INVALID_TOKEN


def test_a_watch_with_a_bad_certificate_gets_a_401_error_event(cp) -> None:
    events, closed = [], []
    expired = TEST_CA.issue("jane", (), serial=7, now=0.0, validity=1.0)
    client(cp, Credentials(expired)).watch("pods", "", events.append, closed.append)
    cp.sim.run(1)
    assert [e["type"] for e in events] == ["ERROR"]
    assert events[0]["object"]["code"] == 401 and closed == ["Unauthorized"]


def test_the_api_server_makes_its_own_objects_with_its_loopback_token(cp) -> None:
    records = [r for r in authn_records(cp) if r.obj == "namespace/kube-system"]
    assert records[0].details == {"user": "system:apiserver", "groups": ["system:masters"],
                                  "method": "token:loopback"}


def test_without_a_client_ca_certificates_are_ignored() -> None:
    authenticator = Authenticator(lambda: 0.0)
    signed = TEST_CA.issue("jane", (), serial=1, now=0.0)
    assert authenticator.authenticate({"certificate": signed}).name == "system:anonymous"


# -- bootstrap tokens --------------------------------------------------------------------------

SECRETS = {secret_key("abcdef"): token_secret("abcdef", "0123456789abcdef", to_time(3600)),
           secret_key("cafe00"): {**token_secret("cafe00", "0123456789abcdef"),
                                  "type": "Opaque"}}


@pytest.mark.parametrize("token, now, user", [
    ("abcdef.0123456789abcdef", 10.0, "system:bootstrap:abcdef"),
    ("abcdef.0123456789abcdef", 7200.0, None),  # expired an hour after creation
    ("abcdef.ffffffffffffffff", 10.0, None),  # wrong secret
    ("123456.0123456789abcdef", 10.0, None),  # no such Secret
    ("cafe00.0123456789abcdef", 10.0, None),  # a Secret of the wrong type
    ("ABCDEF.0123456789abcdef", 10.0, None),  # not a bootstrap token at all
], ids=["valid", "expired", "wrong-secret", "unknown-id", "wrong-type", "not-bootstrap"])
def test_bootstrap_tokens(token, now, user) -> None:
    found = BootstrapTokenAuthenticator(SECRETS.get, lambda: now).authenticate_token(token)
    assert (found.name if found else None) == user
    if found:
        assert found.groups == ("system:bootstrappers", KUBEADM_GROUP)


def test_a_bootstrap_token_authenticates_requests_through_the_api_server(cp) -> None:
    cp.apiserver.authenticator.add_token_authenticator(
        BootstrapTokenAuthenticator(SECRETS.get, lambda: cp.sim.now))
    token = Credentials(token="abcdef.0123456789abcdef")
    since = len(cp.sim.trace)
    # kubeadm's bootstrap tokens may read nodes (kubeadm:get-nodes), not write ConfigMaps.
    answer = cp.call(client(cp, token).create({"apiVersion": "v1", "kind": "ConfigMap",
                                               "metadata": {"name": "hello",
                                                            "namespace": "default"}}))
    assert isinstance(answer, ForbiddenError)
    record = authn_records(cp, since)[0]
    assert record.details["user"] == "system:bootstrap:abcdef"
    assert record.details["groups"] == ["system:bootstrappers", KUBEADM_GROUP,
                                        "system:authenticated"]
    assert record.details["method"] == "token:bootstrap"


def test_a_client_needs_credentials_not_a_name(cp) -> None:
    with pytest.raises(K8sLabError, match="Client needs Credentials"):
        Client(cp.worker.group("c"), "kubernetes-admin", "control-plane")


# -- property: a bad credential never changes etcd ---------------------------------------------

BAD_CREDENTIALS = {
    "expired": Credentials(TEST_CA.issue("kubernetes-admin", ("kubeadm:cluster-admins",),
                                         serial=11, now=0.0, validity=1.0)),
    "foreign": Credentials(FOREIGN_CA.issue("kubernetes-super-admin", ("system:masters",),
                                            serial=11, now=0.0)),
    "forged": Credentials(replace(TEST_CA.issue("jane", (), serial=11, now=0.0),
                                  organizations=("system:masters",))),
    "unknown-token": Credentials(token="not-a-token-anyone-knows"),
    "bootstrap-shaped": Credentials(token="abcdef.0123456789abcdef"),
}
WRITES = {
    "create": lambda c, pod: c.create(pod),
    "update": lambda c, pod: c.update(pod),
    "update_status": lambda c, pod: c.update_status(pod),
    "delete": lambda c, pod: c.delete("pods", pod["metadata"]["name"], "default"),
    "bind": lambda c, pod: c.bind("default", pod["metadata"]["name"], "worker-1"),
    "evict": lambda c, pod: c.evict("default", pod["metadata"]["name"]),
}


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(credential=st.sampled_from(sorted(BAD_CREDENTIALS)), verb=st.sampled_from(sorted(WRITES)),
       name=st.sampled_from(["web", "absent"]))
def test_no_request_with_a_bad_credential_changes_etcd(cp, make_pod, credential, verb,
                                                       name) -> None:
    if not pod_exists(cp, make_pod, "web"):
        cp.ok(cp.client("admin").create(make_pod("web")))
        cp.sim.run(1)
    stored = cp.ok(cp.client("admin").get("pods", "web", "default"))
    revision = cp.apiserver.cache.revision
    pod = {**stored, "metadata": {**stored["metadata"], "name": name,
                                  "labels": {"changed": "yes"}}}
    answer = cp.call(WRITES[verb](client(cp, BAD_CREDENTIALS[credential], credential), pod))
    assert isinstance(answer, UnauthorizedError)
    cp.sim.run(1)
    assert cp.apiserver.cache.revision == revision
    assert cp.ok(cp.client("admin").get("pods", "web", "default")) == stored


def test_a_service_account_token_from_token_request_authenticates_through_the_chain(
        cp, make_pod) -> None:
    token_request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                     "spec": {}}
    answer = cp.ok(cp.client().request("token", "serviceaccounts", namespace="default",
                                       name="default", body=token_request))
    since = len(cp.sim.trace)
    refused = cp.call(client(cp, Credentials(token=answer["status"]["token"])).create(
        make_pod("web")))
    assert isinstance(refused, ForbiddenError)  # authenticated; no role lets it create pods
    (record,) = [r for r in authn_records(cp, since) if r.obj == "pod/default/web"]
    assert record.details["user"] == "system:serviceaccount:default:default"
    assert record.details["groups"] == ["system:serviceaccounts",
                                        "system:serviceaccounts:default", "system:authenticated"]
    assert record.details["method"] == "token:serviceaccount"
