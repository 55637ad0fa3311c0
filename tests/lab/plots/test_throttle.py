"""The throttle chart samples a container's cgroup CPU counters once a second: the docs' cpu-demo
(vish/stress -cpus 2 under a 1-CPU limit) progresses at one CPU-second per second."""

import pytest

from k8slab.errors import K8sLabError
from k8slab.lab.cluster import Cluster
from k8slab.lab.plots.throttle import CpuSample, sample_cpu, throttle_chart
from tests.lab.widgets.chart import tips

CPU_DEMO = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "cpu-demo"},
    "spec": {"containers": [{"name": "cpu-demo-ctr", "image": "vish/stress",
                             "args": ["-cpus", "2"],
                             "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "0.5"}}}]},
}


def test_two_threads_under_one_cpu_progress_at_one_cpu_second_per_second():
    c = Cluster(workers=1, seed=1)
    c.apply(CPU_DEMO)
    c.run(5)
    samples = sample_cpu(c, "worker-1", "cpu-demo", "cpu-demo-ctr", 10)
    assert len(samples) == 11
    assert samples[-1].time - samples[0].time == pytest.approx(10)
    used = samples[-1].cpu_seconds - samples[0].cpu_seconds
    assert used == pytest.approx(10, rel=0.02)
    # Every 100 ms period both threads wanted more than the 100 ms cpu.max allows.
    assert samples[-1].throttled_periods - samples[0].throttled_periods == pytest.approx(100, abs=2)
    picture = throttle_chart(samples, 1, 2, "cpu-demo")
    assert repr(picture).startswith("cpu-demo: 1.00 CPU-seconds per second over 10 s")
    assert tips(picture.markup) == ["2 CPUs wanted", "CPU seconds the cgroup counted",
                                    "limit 1 CPU"]


def test_a_container_that_is_not_running_is_named_with_what_is_there():
    c = Cluster(workers=1, seed=1)
    c.apply(CPU_DEMO)
    c.run(5)
    before = c.now
    with pytest.raises(K8sLabError, match="has no running container 'web'; its containers are "
                                          "cpu-demo-ctr"):
        sample_cpu(c, "worker-1", "cpu-demo", "web", 3)
    assert c.now == before


def test_one_sample_is_not_enough_to_draw():
    picture = throttle_chart([CpuSample(1.0, 0.5, 0)], 1, 2, "short")
    assert "not enough samples" in picture.markup
