"""The traffic figures say their point in the title: the chi-square verdict on the split, how
many requests failed and when, the latency percentiles; and they stay legible (9 pt or more as
displayed, axes labelled, colours in a legend). The panel's SVG charts read the same numbers."""

import random

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from k8slab.errors import K8sLabError
from k8slab.lab.plots.style import MIN_POINTS, displayed_points
from k8slab.lab.plots.traffic import (
    endpoint_histogram,
    even_split,
    latency_cdf,
    percentile,
    requests_over_time,
)
from k8slab.lab.plots.traffic_svg import endpoint_histogram_svg, requests_over_time_svg
from k8slab.lab.traffic import Request, TrafficReport
from tests.lab.widgets.chart import font_sizes, texts, tips

ENDPOINTS = ["10.244.1.2:80", "10.244.1.3:80", "10.244.2.2:80"]
REFUSED = "wget: can't connect to remote host (10.244.2.2): Connection refused"


def uniform(count: int = 3000, seed: int = 1) -> TrafficReport:
    """`count` requests at 100 a second, each to an endpoint drawn uniformly (as iptables'
    statistic match would), answered in 1 to 3 ms."""
    rng = random.Random(seed)
    requests = [Request(20 + i / 100, rng.choice(ENDPOINTS), 0.001 + rng.random() * 0.002, None)
                for i in range(count)]
    return TrafficReport("client", "http://web", 100.0, count / 100, requests)


def skewed() -> TrafficReport:
    """Half the requests to the first endpoint: what a wrong probability would give."""
    requests = [Request(i / 100, ENDPOINTS[0] if i % 2 else ENDPOINTS[1 + i % 4 // 2], 0.002,
                        None) for i in range(3000)]
    return TrafficReport("client", "http://web", 100.0, 30.0, requests)


def killed() -> TrafficReport:
    """10 s of traffic; the pod at 10.244.2.2 is killed at t = 3 s and requests to it are
    refused until t = 5 s, when the rules no longer name it."""
    requests = []
    for i in range(1000):
        at = i / 100
        endpoint = ENDPOINTS[i % 3] if at < 5 else ENDPOINTS[i % 2]
        refused = endpoint == ENDPOINTS[2] and at >= 3
        requests.append(Request(at, endpoint, None if refused else 0.002,
                                REFUSED if refused else None))
    return TrafficReport("client", "http://web", 100.0, 10.0, requests)


def shown_texts(figure: Figure) -> list[Text]:
    figure.canvas.draw()
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_an_even_split_is_said_to_be_one():
    counts, evenly, verdict = even_split(uniform())
    assert list(counts) == ENDPOINTS and evenly == ENDPOINTS
    assert sum(counts.values()) == 3000
    assert verdict.startswith("χ² = ") and verdict.endswith("consistent with an even split")
    figure = endpoint_histogram(uniform())
    assert figure.axes[0].get_title() == verdict
    assert figure.texts[0].get_text() == ("3,000 answered requests from client to http://web "
                                          "over 3 endpoint(s)")


def test_a_skewed_split_is_said_not_to_be_even():
    _, _, verdict = even_split(skewed())
    # 1500, 750, 750 against 1000 each: (500² + 250² + 250²) / 1000 = 375.
    assert verdict == "χ² = 375.00 on 2 d.f., p = 0.000: not an even split (p < 0.05)"


def test_an_expected_endpoint_that_got_nothing_counts_and_an_unexpected_one_is_grey():
    report = uniform(300)
    counts, evenly, verdict = even_split(report, ENDPOINTS[:2] + ["10.244.3.9:80"])
    assert list(counts) == [*ENDPOINTS[:2], "10.244.3.9:80", ENDPOINTS[2]]
    assert counts["10.244.3.9:80"] == 0
    assert "not an even split" in verdict
    figure = endpoint_histogram(report, ENDPOINTS[:2] + ["10.244.3.9:80"])
    colours = [tuple(round(c, 3) for c in bar.get_facecolor()[:3])
               for bar in figure.axes[0].patches]
    assert colours[3] != colours[0]  # the endpoint nobody expected is drawn apart
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels[-1] == "not an expected endpoint"


def test_one_endpoint_or_none_answering_has_no_test_to_make():
    assert even_split(uniform(10), ENDPOINTS[:1])[2] == "1 endpoint: no split to test"
    empty = TrafficReport("client", "http://web", 1, 1, [])
    assert even_split(empty, ENDPOINTS)[2] == "no request answered by the expected endpoints"


def test_expected_must_be_a_list_of_endpoints():
    with pytest.raises(K8sLabError, match="expected must be a list of endpoints"):
        even_split(uniform(10), "10.244.1.2:80")


def test_the_over_time_title_says_how_many_failed_and_when():
    figure = requests_over_time(killed(), [(3.0, "pod killed"), (5.0, "rules synced")])
    ax = figure.axes[0]
    assert ax.get_title() == ("66 of 1,000 requests to http://web failed, between t = 3 s and "
                              "t = 5 s")
    marked = [t.get_text() for t in ax.texts]
    assert marked == [" pod killed", " rules synced"]
    assert [line.get_xdata()[0] for line in ax.lines] == [3.0, 5.0]
    assert requests_over_time(uniform(100)).axes[0].get_title() == (
        "all 100 requests from client to http://web answered")


@pytest.mark.parametrize("events", ["pod killed", [("3", "pod killed")], [(3.0,)],
                                    [(True, "x")], 3])
def test_events_that_are_not_time_label_pairs_are_refused(events):
    with pytest.raises(K8sLabError, match=r"events must be a sequence of \(time, label\) pairs"):
        requests_over_time(killed(), events)


def test_the_latency_cdf_marks_the_median_and_the_99th_percentile():
    report = TrafficReport("client", "http://web", 100, 1,
                           [Request(i / 100, ENDPOINTS[0], (i + 1) / 1000, None)
                            for i in range(100)])
    assert percentile([(i + 1) for i in range(100)], 0.99) == 99
    assert percentile([5.0], 0.5) == 5.0
    title = latency_cdf(report).axes[0].get_title()
    assert title == "latency of 100 answered requests: p50 = 50.00 ms, p99 = 99.00 ms"
    nothing = latency_cdf(TrafficReport("client", "http://web", 1, 1, [
        Request(0.0, None, None, REFUSED)])).axes[0].get_title()
    assert nothing == "no request from client was answered: no latency to draw"


@pytest.mark.parametrize("draw", [lambda: endpoint_histogram(uniform()),
                                  lambda: requests_over_time(killed(), [(3.0, "pod killed")]),
                                  lambda: latency_cdf(uniform())],
                         ids=["endpoint_histogram", "requests_over_time", "latency_cdf"])
def test_the_figures_are_legible_labelled_and_explained(draw):
    figure = draw()
    small = [t.get_text() for t in shown_texts(figure)
             if displayed_points(t.get_fontsize(), figure) < MIN_POINTS - 1e-9]
    assert not small
    ax = figure.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_legend() is not None and ax.get_legend().get_texts()


def test_the_panel_charts_read_the_same_numbers():
    names = {ENDPOINTS[0]: "web-a", ENDPOINTS[1]: "web-b"}
    markup = endpoint_histogram_svg(uniform(), names=names)
    counts = uniform().by_endpoint()
    assert tips(markup)[:3] == [f"web-a {ENDPOINTS[0]}: {counts[ENDPOINTS[0]]} answered",
                                f"web-b {ENDPOINTS[1]}: {counts[ENDPOINTS[1]]} answered",
                                f"{ENDPOINTS[2]}: {counts[ENDPOINTS[2]]} answered"]
    assert even_split(uniform())[2] in texts(markup)
    over = requests_over_time_svg(killed(), [(3.0, "pod killed"), (99.0, "later")])
    assert texts(over)[0] == ("66 of 1,000 requests to http://web failed, between t = 3 s and "
                              "t = 5 s")
    assert "t = 3 s: 33 failed" in tips(over)  # a third of the 100 requests sent in second 3
    assert "t = 3 s: pod killed" in tips(over)
    assert not any("later" in tip for tip in tips(over))  # outside the traffic's time
    assert min(font_sizes(markup + over)) >= 12


def test_the_panel_charts_say_when_there_is_nothing_to_draw():
    empty = TrafficReport("client", "http://web", 1, 1, [])
    assert "no request answered" in texts(endpoint_histogram_svg(empty))
    assert "no request sent yet" in texts(requests_over_time_svg(empty))
