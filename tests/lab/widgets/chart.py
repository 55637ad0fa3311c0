"""Reading a panel's chart: the SVG text of one or more pictures, parsed as XML."""

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def pictures(markup: str) -> list[ET.Element]:
    """The <svg> elements of a panel's chart (the etcd panel shows two, one after the other)."""
    return list(ET.fromstring(f"<div>{markup}</div>"))


def texts(markup: str) -> list[str]:
    """Every text drawn in the chart, in drawing order."""
    return [t.text or "" for svg in pictures(markup) for t in svg.iter(f"{SVG}text")]


def font_sizes(markup: str) -> list[float]:
    return [float(t.get("font-size")) for svg in pictures(markup)
            for t in svg.iter(f"{SVG}text")]


def tips(markup: str) -> list[str]:
    """The hover texts of the chart's shapes (a bar's value, a log entry's index and term)."""
    return [title.text for svg in pictures(markup) for title in svg.iter(f"{SVG}title")]
