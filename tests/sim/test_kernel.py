"""The kernel: one clock, random generators derived from the seed and a name, and running one
process until it returns."""

import pytest

from k8slab.errors import K8sLabError, NotFoundError
from k8slab.sim.kernel import RunLimitExceeded, Simulation


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


def sleeper(sim: Simulation, seconds: float, answer: object = "done"):
    """A process that waits `seconds`, then returns `answer` (or raises it, if an exception)."""
    yield sim.env.timeout(seconds)
    if isinstance(answer, Exception):
        raise answer
    return answer


def test_run_process_returns_what_the_process_returned_when_it_returned():
    sim = Simulation(1)
    assert sim.run_process(sim.env.process(sleeper(sim, 4.0)), limit=10.0) == "done"
    assert sim.now == 4.0


def test_run_process_raises_what_the_process_raised_and_the_world_runs_on():
    sim = Simulation(1)
    with pytest.raises(NotFoundError, match="gone"):
        sim.run_process(sim.env.process(sleeper(sim, 1.0, NotFoundError("gone"))), limit=10.0)
    sim.run(20.0)
    assert sim.now == 21.0


def test_run_process_gives_up_with_a_clear_error_when_the_limit_passes():
    sim = Simulation(1)
    process = sim.env.process(sleeper(sim, 30.0))
    with pytest.raises(RunLimitExceeded, match="did not return within 3 simulated seconds"):
        sim.run_process(process, limit=3.0)
    assert sim.now == 3.0 and process.is_alive
    assert issubclass(RunLimitExceeded, K8sLabError)


def test_run_process_with_a_hook_calls_it_after_every_event_up_to_the_return():
    sim = Simulation(1)
    seen: list[float] = []
    for at in (0.5, 1.5, 9.0):
        sim.env.timeout(at)
    process = sim.env.process(sleeper(sim, 2.0))
    assert sim.run_process(process, 10.0, after_event=lambda: seen.append(sim.now)) == "done"
    # The process's start, the timeouts at 0.5 and 1.5, then its own timeout at 2.0.
    assert seen == [0.0, 0.5, 1.5, 2.0]


def test_run_process_with_a_hook_raises_the_failure_and_the_limit_too():
    sim = Simulation(1)
    failing = sim.env.process(sleeper(sim, 1.0, NotFoundError("gone")))
    with pytest.raises(NotFoundError, match="gone"):
        sim.run_process(failing, 10.0, after_event=lambda: None)
    sim.run(1.0, after_event=lambda: None)
    with pytest.raises(RunLimitExceeded):
        sim.run_process(sim.env.process(sleeper(sim, 30.0)), 3.0, after_event=lambda: None)
    assert sim.now == 5.0
