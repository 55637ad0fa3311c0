"""The pieces every `kubectl describe` layout is written with: an indenting writer, label and
annotation blocks, tolerations, RFC 1123 times, and the Events section
(kubectl pkg/describe/describe.go, v1.35: PrefixWriter, printLabelsMultiline,
printAnnotationsMultiline, printPodTolerationsMultiline, DescribeEvents).
"""

from __future__ import annotations

from datetime import timedelta

from k8slab.lab.kubectl.durations import EPOCH, parse_timestamp
from k8slab.lab.kubectl.event_printers import interval, last_timestamp_at
from k8slab.lab.kubectl.gotabwriter import align

# describe.go: annotations longer than this are folded; last-applied-configuration is hidden.
MAX_ANNOTATION_LENGTH = 140
SKIPPED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


class DescribeWriter:
    """kubectl's PrefixWriter over a tabwriter: text at indentation levels of two spaces."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._buffer: list[str] = []

    def write(self, level: int, text: str) -> None:
        """Write `text` (tabs separate cells) after `level` indentations."""
        self._buffer.append("  " * level + text)

    def flush(self) -> None:
        """End every column block: what follows aligns on its own."""
        self._parts.append("".join(self._buffer))
        self._buffer = []

    def text(self) -> str:
        """Everything written, aligned, without the final newline (as print() adds one)."""
        self.flush()
        return align(self._parts).removesuffix("\n")


def rfc1123z(timestamp: str | None, field: str) -> str:
    """Go's time.RFC1123Z of an RFC3339 time: `Thu, 01 Jan 2026 00:00:30 +0000`."""
    if not timestamp:
        return "Mon, 01 Jan 0001 00:00:00 +0000"  # Go's zero time, as kubectl prints it
    moment = EPOCH + timedelta(seconds=parse_timestamp(timestamp, field))
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def labels_block(w: DescribeWriter, title: str, labels: dict[str, str] | None) -> None:
    """`Labels:  app=web` then one sorted `key=value` per line; `<none>` when there are none."""
    w.write(0, f"{title}:\t")
    keys = sorted(labels or {})
    if not keys:
        w.write(0, "<none>\n")
        return
    for index, key in enumerate(keys):
        if index:
            w.write(0, "\t")
        w.write(0, f"{key}={labels[key]}\n")


def annotations_block(w: DescribeWriter, title: str, annotations: dict[str, str] | None) -> None:
    """`Annotations:  key: value`, sorted; long or multi-line values folded below their key."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k not in SKIPPED_ANNOTATIONS)
    if not keys:
        w.write(0, "<none>\n")
        return
    for index, key in enumerate(keys):
        if index:
            w.write(0, "\t")
        value = annotations[key].removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LENGTH or "\n" in value:
            w.write(0, f"{key}:\n")
            for line in value.split("\n"):
                w.write(0, f"\t  {_shorten(line, MAX_ANNOTATION_LENGTH - 2)}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def _shorten(text: str, limit: int) -> str:
    return text[:limit] + "..." if len(text) > limit else text


def tolerations_block(w: DescribeWriter, title: str, tolerations: list[dict] | None) -> None:
    """`Tolerations:  node.kubernetes.io/not-ready:NoExecute op=Exists for 300s`, by key."""
    w.write(0, f"{title}:\t")
    if not tolerations:
        w.write(0, "<none>\n")
        return
    for index, toleration in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if index:
            w.write(0, "\t")
        key, value = toleration.get("key", ""), toleration.get("value", "")
        effect = toleration.get("effect", "")
        text = key + (f"={value}" if value else "") + (f":{effect}" if effect else "")
        if toleration.get("operator") == "Exists" and not value:
            text += " op=Exists" if key or effect else "op=Exists"
        if toleration.get("tolerationSeconds") is not None:
            text += f" for {toleration['tolerationSeconds']}s"
        w.write(0, text + "\n")


def conditions_table(w: DescribeWriter, conditions: list[dict]) -> None:
    """A Deployment's or ReplicaSet's `Conditions:` table: Type, Status, Reason."""
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
    w.write(1, "----\t------\t------\n")
    for condition in conditions:
        w.write(1, f"{condition.get('type', '')} \t{condition.get('status', '')}"
                   f"\t{condition.get('reason', '')}\n")


def events_section(w: DescribeWriter, events: list[dict], now: float) -> None:
    """`Events:` with Type, Reason, Age, From, Message, oldest first; `<none>` when none."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    # sort.Sort by lastTimestamp; Go's sort is not stable, ours keeps the list order on ties.
    for event in sorted(events, key=last_timestamp_at):
        source = (event.get("source") or {}).get("component") or event.get(
            "reportingComponent", "")
        message = event.get("message", "").strip()
        field_path = (event.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(1, f"{event.get('type', '')}\t{event.get('reason', '')}\t{interval(event, now)}"
                   f"\t{source}\t{message}\n")


def events_for(all_events: list[dict], obj: dict, *, with_kind: bool) -> list[dict]:
    """The events whose involvedObject is `obj`: name, namespace, uid, and kind when asked.

    kubectl asks the API server with a field selector (involvedObject.name=..., .namespace,
    .kind, .uid); this lab's API server has no field selectors, so describe lists the
    namespace's events and filters them here.
    """
    metadata = obj.get("metadata", {})
    wanted = {"name": metadata.get("name", ""), "namespace": metadata.get("namespace", "")}
    if metadata.get("uid"):
        wanted["uid"] = metadata["uid"]
    if with_kind:
        wanted["kind"] = obj.get("kind", "")
    return [
        event for event in all_events
        if all((event.get("involvedObject") or {}).get(field, "") == value
               for field, value in wanted.items())
    ]


def controlled_by(obj: dict) -> str:
    """`ReplicaSet/web-5d4f8` for an object with a controller ownerReference, else ""."""
    for owner in obj.get("metadata", {}).get("ownerReferences") or []:
        if owner.get("controller"):
            return f"{owner.get('kind', '')}/{owner.get('name', '')}"
    return ""
