"""The kubelet's projected token volume: the token a program in the pod reads, and the token
manager's refresh once 80 % of the token's lifetime has passed."""

from collections.abc import Generator

from k8slab.api.timestamps import to_time
from k8slab.lab.cluster import Cluster
from k8slab.node.volumes import ProjectedToken, refresh_tokens
from k8slab.sim.kernel import Simulation

TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount"


class TokenServer:
    """Answers TokenRequests as the API server does (status.expirationTimestamp at now plus
    the seconds asked), recording when each was asked."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.asked: list[float] = []

    def create_token(self, namespace: str, name: str, body: dict) -> Generator:
        self.asked.append(self.sim.now)
        seconds = body["spec"]["expirationSeconds"]
        return {"spec": {"expirationSeconds": seconds},
                "status": {"token": f"token-{len(self.asked)}",
                           "expirationTimestamp": to_time(self.sim.now + seconds)}}
        yield


def test_a_token_is_refreshed_when_80_percent_of_its_life_has_passed():
    sim = Simulation(1)
    server = TokenServer(sim)
    pod = {"metadata": {"name": "web", "namespace": "default", "uid": "u"},
           "spec": {"serviceAccountName": "default"}}
    source = {"expirationSeconds": 3607, "path": "token"}
    first = sim.env.process(_first(server, pod, source))
    sim.run(1)
    volumes = {"kube-api-access-x": {"/token": first.value["status"]["token"]}}
    alive = [True]
    tokens = [ProjectedToken("kube-api-access-x", "/token", source, first.value)]
    sim.env.process(refresh_tokens(server, pod, volumes, tokens, lambda: sim.now,
                                   sim.env.timeout, lambda: alive[0], sim.rng("jitter")))
    sim.run(2885.6 - 11)  # 80 % of 3607 s, less the largest jitter
    assert volumes["kube-api-access-x"]["/token"] == "token-1"
    sim.run(12)
    assert volumes["kube-api-access-x"]["/token"] == "token-2"
    assert 2885.6 - 10 <= server.asked[1] <= 2885.6
    sim.run(2885.6)
    assert len(server.asked) == 3  # each new token is refreshed at 80 % of its own life
    alive[0] = False
    sim.run(3000)
    assert len(server.asked) == 3  # the pod is gone: no more refreshes


def _first(server: TokenServer, pod: dict, source: dict) -> Generator:
    body = {"spec": {"expirationSeconds": source["expirationSeconds"]}}
    return (yield from server.create_token("default", "default", body))


def test_a_program_in_the_pod_reads_its_token_ca_and_namespace():
    cluster = Cluster(1, seed=3)
    cluster.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                   "spec": {"containers": [{"name": "app", "image": "busybox:1.36",
                                            "command": ["sleep", "3600"]}]}})
    cluster.run(15)
    token = cluster.kubectl(f"exec web -- cat {TOKEN}/token").strip()
    apiserver = cluster.network.host(cluster.control_planes[0]).memory["kube-apiserver"]
    assert token.count(".") == 2 and token.startswith("eyJ")
    assert cluster.kubectl(f"exec web -- cat {TOKEN}/namespace").strip() == "default"
    assert cluster.kubectl(f"exec web -- cat {TOKEN}/ca.crt").startswith(
        "-----BEGIN CERTIFICATE-----")
    user = apiserver.service_account_tokens.authenticate_token(token)
    assert user.name == "system:serviceaccount:default:default"
    assert dict(user.extra)["authentication.kubernetes.io/pod-name"] == ("web",)
