"""ImageLocality against the cases of kk .../imagelocality/image_locality_test.go."""

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


# The images of upstream's test nodes (name, MB), by the node's name in image_locality_test.go.
NODE_IMAGES = {
    "node403002000": [
        ("gcr.io/40:latest", 40),
        ("gcr.io/300:latest", 300),
        ("gcr.io/2000:latest", 2000),
    ],
    "node25010": [("gcr.io/250:latest", 250), ("gcr.io/10:latest", 10)],
    "node60040900": [
        ("gcr.io/600:latest", 600),
        ("gcr.io/40:latest", 40),
        ("gcr.io/900:latest", 900),
    ],
    "node300600900": [
        ("gcr.io/300:latest", 300),
        ("gcr.io/600:latest", 600),
        ("gcr.io/900:latest", 900),
    ],
    "node400030": [("gcr.io/4000:latest", 4000), ("gcr.io/30:latest", 30)],
    "node203040": [("gcr.io/20:latest", 20), ("gcr.io/30:latest", 30), ("gcr.io/40:latest", 40)],
    "nodeWithNoImages": [],
}

# TestImageLocalityPriority: (name, the pod's container images, its init container images, the
# image sets of node1, node2, ..., the scores). Each image counts its size × the share of nodes
# holding it; the sum is clamped to [23 MB, 1000 MB × containers] and scaled to 0..100.
SCORE_CASES = [
    (
        "two images spread on two nodes, prefer the larger image one",
        ["gcr.io/40", "gcr.io/250"],
        [],
        ["node403002000", "node25010"],
        [0, 5],
    ),
    (
        "two images on one node, prefer this node",
        ["gcr.io/40", "gcr.io/300"],
        [],
        ["node403002000", "node25010"],
        [7, 0],
    ),
    (
        "if exceed limit, use limit",
        ["gcr.io/4000", "gcr.io/10"],
        [],
        ["node400030", "node25010"],
        [100, 0],
    ),
    (
        "if exceed limit, use limit (with node which has no images present)",
        ["gcr.io/4000", "gcr.io/10"],
        [],
        ["node400030", "node25010", "nodeWithNoImages"],
        [66, 0, 0],
    ),
    (
        "pod with multiple large images, node2 is preferred",
        ["gcr.io/300", "gcr.io/600", "gcr.io/900"],
        [],
        ["node60040900", "node300600900", "nodeWithNoImages"],
        [32, 36, 0],
    ),
    (
        "pod with multiple small images",
        ["gcr.io/30", "gcr.io/40"],
        [],
        ["node203040", "node400030"],
        [1, 0],
    ),
    (
        "include InitContainers: two images spread on two nodes, prefer the larger image one",
        ["gcr.io/30"],
        ["gcr.io/300"],
        ["node403002000", "node203040"],
        [6, 0],
    ),
]


@pytest.mark.parametrize(
    ("images", "init_images", "node_kinds", "expected"),
    [case[1:] for case in SCORE_CASES],
    ids=[case[0] for case in SCORE_CASES],
)
def test_score(make_pod, make_node, scores_of, images, init_images, node_kinds, expected):
    infos = [
        NodeInfo(make_node(f"node{i + 1}", images=[image(n, mb) for n, mb in NODE_IMAGES[kind]]))
        for i, kind in enumerate(node_kinds)
    ]
    pod = pod_with_images(make_pod, *images)
    if init_images:
        pod["spec"]["initContainers"] = [
            {"name": f"i{j}", "image": n} for j, n in enumerate(init_images)
        ]
    assert scores_of(ImageLocality(), pod, infos) == {
        info.name: score for info, score in zip(infos, expected, strict=True)
    }


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


DIGEST = "sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2"


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("root", "root:latest"),
        ("gcr.io:5000/root", "gcr.io:5000/root:latest"),
        ("root:tag", "root:tag"),
        (f"root@{DIGEST}", f"root@{DIGEST}"),
    ],
    # TestNormalizedImageName
    ids=["add :latest postfix 1", "add :latest postfix 2", "keep it as is 1", "keep it as is 2"],
)
def test_untagged_images_mean_latest(name, normalized):
    assert normalized_image_name(name) == normalized


def test_calculate_priority_bounds():
    assert calculate_priority(0, 1) == 0
    assert calculate_priority(23 * MB, 1) == 0
    assert calculate_priority(5000 * MB, 1) == 100
    assert calculate_priority(5000 * MB, 0) == 0
