"""Leader election through a Lease: one holder at a time, takeover only once the lease expires."""

from k8slab.client.leader_election import LEASE_DURATION, RENEW_DEADLINE, LeaderElector


def elector(cp, host: str, log: list) -> LeaderElector:
    client = cp.client("kube-scheduler", host)
    e = LeaderElector(client, "kube-scheduler",
                      on_started=lambda: log.append((host, "started", round(cp.sim.now, 3))),
                      on_stopped=lambda: log.append((host, "stopped", round(cp.sim.now, 3))))
    e.start()
    return e


def holder(cp) -> str:
    lease = cp.ok(cp.client().get("leases", "kube-scheduler", "kube-system"))
    return lease["spec"]["holderIdentity"]


def test_one_candidate_leads_and_the_other_waits(cp):
    log = []
    a, b = elector(cp, "worker-1", log), elector(cp, "worker-2", log)
    cp.sim.run(30)
    assert [entry[:2] for entry in log] == [("worker-1", "started")]
    assert a.leading and not b.leading
    assert holder(cp) == a.identity


def test_the_other_takes_over_only_after_the_lease_expires(cp):
    log = []
    a, b = elector(cp, "worker-1", log), elector(cp, "worker-2", log)
    cp.sim.run(10)
    cut = cp.sim.now
    a.client.group.stop()  # the leader's process dies without giving the lease back
    cp.sim.run(40)
    [(host, what, when)] = [entry for entry in log if entry[0] == "worker-2"]
    assert (host, what) == ("worker-2", "started")
    assert cut + LEASE_DURATION <= when <= cut + LEASE_DURATION + 2 * 2.0 * 2.2
    lease = cp.ok(cp.client().get("leases", "kube-scheduler", "kube-system"))
    assert lease["spec"]["holderIdentity"] == b.identity
    assert lease["spec"]["leaseTransitions"] == 1


def test_a_leader_cut_off_from_the_api_server_stops_leading_after_the_renew_deadline(cp):
    log = []
    a = elector(cp, "worker-1", log)
    cp.sim.run(10)
    cut = cp.sim.now
    cp.network.partition(["worker-1"], ["control-plane"])
    cp.sim.run(30)
    stopped = [when for host, what, when in log if what == "stopped"]
    assert not a.leading
    assert stopped and cut + RENEW_DEADLINE <= stopped[0] <= cut + RENEW_DEADLINE + 12
