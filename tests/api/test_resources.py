"""Pod requests (upstream PodRequests) and node allocatable, in millicores and bytes."""

from hypothesis import given
from hypothesis import strategies as st

from k8slab.api.quantity import format_cpu, format_memory
from k8slab.api.resources import node_allocatable, pod_requests, resource_amount

MI = 2**20


def container(cpu=None, memory=None, **extra):
    requests = {}
    if cpu is not None:
        requests["cpu"] = cpu
    if memory is not None:
        requests["memory"] = memory
    return {"name": "c", "image": "i", "resources": {"requests": requests}, **extra}


def pod(containers=(), init=(), **spec):
    return {
        "kind": "Pod",
        "spec": {"containers": list(containers), "initContainers": list(init), **spec},
    }


def test_app_containers_add_up():
    assert pod_requests(pod([container("250m", "64Mi"), container("0.5", "64Mi")])) == {
        "cpu": 750,
        "memory": 128 * MI,
    }


def test_absent_requests_count_zero():
    assert pod_requests(pod([{"name": "c", "image": "i"}])) == {"cpu": 0, "memory": 0}
    assert pod_requests({"kind": "Pod"}) == {"cpu": 0, "memory": 0}


def test_init_containers_count_by_their_peak():
    spec = pod([container("100m", "100Mi")], init=[container("2", "10Mi"), container("1", "50Mi")])
    assert pod_requests(spec) == {"cpu": 2000, "memory": 100 * MI}


def test_sidecars_run_alongside_and_add_up():
    sidecar = container("100m", "10Mi", restartPolicy="Always")
    later_init = container("500m", "1Mi")
    spec = pod([container("200m", "20Mi")], init=[sidecar, later_init])
    # app containers + sidecar = 300m / 30Mi; the later init runs with the sidecar: 600m / 11Mi
    assert pod_requests(spec) == {"cpu": 600, "memory": 30 * MI}


def test_overhead_is_added():
    spec = pod([container("100m", "1Mi")], overhead={"cpu": "10m", "memory": "1Mi"})
    assert pod_requests(spec) == {"cpu": 110, "memory": 2 * MI}


def test_pod_level_requests_replace_the_container_sum():
    spec = pod([container("100m", "1Mi")], resources={"requests": {"cpu": "1"}})
    assert pod_requests(spec) == {"cpu": 1000, "memory": MI}


def test_other_resources_are_whole_units():
    gpu = {"name": "c", "image": "i", "resources": {"requests": {"example.com/gpu": 2}}}
    assert pod_requests(pod([gpu, gpu])) == {"cpu": 0, "memory": 0, "example.com/gpu": 4}
    assert resource_amount("ephemeral-storage", "1Gi") == 2**30


def test_node_allocatable():
    node = {"status": {"allocatable": {"cpu": "3800m", "memory": "7Gi", "pods": "110"}}}
    assert node_allocatable(node) == {"cpu": 3800, "memory": 7 * 2**30, "pods": 110}
    assert node_allocatable({"kind": "Node"}) == {"cpu": 0, "memory": 0, "pods": 0}


@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2**40)), min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2**40)), max_size=5),
)
def test_requests_are_max_of_app_sum_and_init_peak(apps, inits):
    spec = pod(
        [container(format_cpu(c), format_memory(m)) for c, m in apps],
        init=[container(format_cpu(c), format_memory(m)) for c, m in inits],
    )
    got = pod_requests(spec)
    assert got["cpu"] == max([sum(c for c, _ in apps)] + [c for c, _ in inits])
    assert got["memory"] == max([sum(m for _, m in apps)] + [m for _, m in inits])
