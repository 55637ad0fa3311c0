"""The kernel: one clock, and random generators derived from the seed and a name."""

import pytest

from k8slab.sim.kernel import Simulation


def draws(sim: Simulation, name: str, n: int = 5) -> list[float]:
    rng = sim.rng(name)
    return [rng.random() for _ in range(n)]


def test_same_seed_and_name_give_the_same_numbers_in_two_simulations():
    assert draws(Simulation(7), "etcd/cp/raft") == draws(Simulation(7), "etcd/cp/raft")


def test_another_name_or_another_seed_gives_other_numbers():
    reference = draws(Simulation(7), "network")
    assert draws(Simulation(7), "scheduler") != reference
    assert draws(Simulation(8), "network") != reference


def test_drawing_from_one_generator_does_not_shift_another():
    busy, quiet = Simulation(3), Simulation(3)
    draws(busy, "kubelet/worker-1", 100)
    assert draws(busy, "network") == draws(quiet, "network")


def test_the_generator_of_a_name_is_kept_and_continues():
    sim = Simulation(3)
    first = sim.rng("a").random()
    assert sim.rng("a") is sim.rng("a")
    assert sim.rng("a").random() != first


@pytest.mark.parametrize("seed", ["1", 1.0, True, None])
def test_a_seed_that_is_not_an_int_is_refused(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        Simulation(seed)


def test_run_advances_the_clock_by_the_seconds_given_and_records_carry_the_time():
    sim = Simulation(1)
    sim.run(2.5)
    sim.record("cp", "etcd", "restore", "cp", revision=1)
    sim.run(0.5)
    assert sim.now == 3.0
    [rec] = list(sim.trace)
    assert (rec.time, rec.host, rec.component, rec.kind, rec.obj) == (2.5, "cp", "etcd",
                                                                      "restore", "cp")
    assert rec.details == {"revision": 1}


def test_run_until_stops_when_the_event_fires():
    sim = Simulation(1)
    event = sim.env.timeout(4.0)
    assert sim.run_until(event, limit=10.0) is True
    assert sim.now == 4.0


def test_run_until_gives_up_after_the_limit():
    sim = Simulation(1)
    never = sim.env.event()
    assert sim.run_until(never, limit=3.0) is False
    assert sim.now == 3.0
