"""ImageLocality against the cases of kk .../imagelocality/image_locality_test.go, in our words."""

import pytest

from k8slab.scheduler.node_info import NodeInfo
from k8slab.scheduler.plugins.image_locality import (
    MB,
    ImageLocality,
    calculate_priority,
    normalized_image_name,
)


def image(name, megabytes):
    return {"names": [name], "sizeBytes": megabytes * MB}


def pod_with_images(make_pod, *images):
    pod = make_pod("p", [None] * len(images))
    for container, name in zip(pod["spec"]["containers"], images, strict=True):
        container["image"] = name
    return pod


@pytest.fixture
def nodes(make_node):
    # node403002000 holds the 40, 300 and 2000 MB images; node25010 the 250 and 10 MB ones.
    return [
        NodeInfo(
            make_node(
                "node403002000",
                images=[
                    image("gcr.io/40:latest", 40),
                    image("gcr.io/300:latest", 300),
                    image("gcr.io/2000:latest", 2000),
                ],
            )
        ),
        NodeInfo(
            make_node(
                "node25010", images=[image("gcr.io/250:latest", 250), image("gcr.io/10:v1", 10)]
            )
        ),
    ]


def test_each_image_counts_by_size_times_its_spread(make_pod, scores_of, nodes):
    # two nodes, each image on one: spread 1/2. node1: 40/2 = 20 MB < 23 MB → 0.
    # node2: 250/2 = 125 MB → 100 × (125 − 23) div (2 × 1000 − 23) = 5
    pod = pod_with_images(make_pod, "gcr.io/40", "gcr.io/250")
    assert scores_of(ImageLocality(), pod, nodes) == {"node403002000": 0, "node25010": 5}


def test_images_add_up(make_pod, scores_of, nodes):
    # node1: (40 + 300) / 2 = 170 MB → 100 × 147 div 1977 = 7
    pod = pod_with_images(make_pod, "gcr.io/40", "gcr.io/300")
    assert scores_of(ImageLocality(), pod, nodes) == {"node403002000": 7, "node25010": 0}


def test_the_sum_is_clamped_between_the_thresholds(make_pod, scores_of, nodes):
    # node1: 2000/2 = 1000 MB of a 1000 MB (one container) maximum → 100
    pod = pod_with_images(make_pod, "gcr.io/2000")
    assert scores_of(ImageLocality(), pod, nodes) == {"node403002000": 100, "node25010": 0}


def test_an_image_everywhere_counts_in_full(make_pod, make_node, scores_of):
    infos = [NodeInfo(make_node(n, images=[image("nginx:1.27", 500)])) for n in ("a", "b")]
    pod = pod_with_images(make_pod, "nginx:1.27")
    # 500 MB × 2/2 → 100 × 477 div 977 = 48
    assert scores_of(ImageLocality(), pod, infos) == {"a": 48, "b": 48}


def test_the_spread_counts_every_node_of_the_cluster(make_pod, make_node, scores_of):
    holder = NodeInfo(make_node("a", images=[image("nginx:1.27", 500)]))
    others = [NodeInfo(make_node(n)) for n in ("b", "c", "d")]
    pod = pod_with_images(make_pod, "nginx:1.27")
    # only `a` is scored, but the spread is 1/4: 125 MB → 100 × 102 div 977 = 10
    assert scores_of(ImageLocality(), pod, [holder], all_nodes=[holder, *others]) == {"a": 10}


def test_init_containers_count_too(make_pod, scores_of, nodes):
    pod = pod_with_images(make_pod, "gcr.io/300")
    pod["spec"]["initContainers"] = [{"name": "init", "image": "gcr.io/40"}]
    # (300 + 40) / 2 = 170 MB of a 2 × 1000 MB maximum → 7
    assert scores_of(ImageLocality(), pod, nodes)["node403002000"] == 7


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("nginx", "nginx:latest"),
        ("nginx:1.27", "nginx:1.27"),
        ("localhost:5000/app", "localhost:5000/app:latest"),
        ("localhost:5000/app:v2", "localhost:5000/app:v2"),
    ],
)
def test_untagged_images_mean_latest(name, normalized):
    assert normalized_image_name(name) == normalized


def test_calculate_priority_bounds():
    assert calculate_priority(0, 1) == 0
    assert calculate_priority(23 * MB, 1) == 0
    assert calculate_priority(5000 * MB, 1) == 100
    assert calculate_priority(5000 * MB, 0) == 0
