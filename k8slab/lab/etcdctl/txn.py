"""`etcdctl txn`'s input: compares, an empty line, success requests, an empty line, failure
requests, an empty line (txn_command.go). Each line must end in a newline, as etcdctl reads
stdin line by line: input that ends before the third empty line is etcdctl's `Error: EOF`.

A compare is `target("key") op "value"` (targets version/ver, create/c, mod/m, value/val);
a request is a `put`, `get` or `del` command line with its flags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from k8slab.etcd.wire import Compare
from k8slab.lab.etcdctl.flags import EXIT_INVALID_INPUT, fail, parse_int

TARGETS = {"ver": "version", "version": "version", "c": "create", "create": "create",
           "m": "mod", "mod": "mod", "val": "value", "value": "value"}
OPS = ("=", "!=", ">", "<")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# etcdctl's argify: a double-quoted string, a single-quoted one, or a run without spaces
_ARG = re.compile(r"""\"(?:[^"\\]|\\.)*\"|'[^']*'|[^'"\s]\S*[^'"\s]?""")


class Reader:
    """Reads stdin line by line as bufio.Reader.ReadString('\\n') does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def line(self) -> str:
        end = self.text.find("\n", self.at)
        if end < 0:
            raise fail("EOF", EXIT_INVALID_INPUT)
        line, self.at = self.text[self.at:end], end + 1
        return line.strip()

    def section(self) -> list[str]:
        """The lines up to the next empty one."""
        lines = []
        while line := self.line():
            lines.append(line)
        return lines


def parse_compare(line: str) -> Compare:
    """One compare line, or etcdctl's `malformed comparison` / `invalid txn compare request`."""
    target, paren, rest = line.partition("(")
    if not paren:
        raise fail(f"malformed comparison: {line}", EXIT_INVALID_INPUT)
    key, op, value, scanned = _scan(rest)
    if scanned != 3:
        raise fail(f"malformed comparison: {line}; got {target}({_go_quote(key)}) {op} "
                   f"{_go_quote(value)}", EXIT_INVALID_INPUT)
    if target == "lease":
        # etcdctl 3.5.1 builds a lease compare from the text and panics ("bad value")
        raise fail(f"invalid txn compare request: {line} (etcdctl 3.5 cannot compare a lease "
                   "from txn input; compare version, create, mod or value)", EXIT_INVALID_INPUT)
    if target not in TARGETS:
        raise fail(f"malformed comparison: {line} (unknown target {target})", EXIT_INVALID_INPUT)
    if op not in OPS:
        # clientv3.Compare panics ("Unknown result op") on any other operator
        raise fail(f"invalid txn compare request: {line} (the operator is one of "
                   f"{', '.join(OPS)})", EXIT_INVALID_INPUT)
    if TARGETS[target] == "value":
        return Compare(key, "value", op, value)
    try:
        number = parse_int(value, 10)
    except ValueError:
        raise fail(f"invalid txn compare request: {line}", EXIT_INVALID_INPUT) from None
    return Compare(key, TARGETS[target], op, number)


def _scan(text: str) -> tuple[str, str, str, int]:
    """fmt.Sscanf(text, `%q) %s %q`): the key, the operator, the value and how many it read."""
    key = _QUOTED.match(text)
    if key is None:
        return "", "", "", 0
    rest = text[key.end():]
    if not rest.startswith(") "):
        return _unquote(key.group()), "", "", 1
    rest = rest[2:].lstrip(" ")
    op = rest.split(" ", 1)[0]
    if not op:
        return _unquote(key.group()), "", "", 1
    value = _QUOTED.match(rest[len(op):].lstrip(" "))
    if value is None:
        return _unquote(key.group()), op, "", 2
    return _unquote(key.group()), op, _unquote(value.group()), 3


def _unquote(quoted: str) -> str:
    return json.loads(quoted)


def _go_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def argify(line: str) -> list[str]:
    """A request line's words, double-quoted ones unquoted, as etcdctl's argify."""
    words = _ARG.findall(line)
    if any(w.startswith("'") for w in words):
        # argify cuts a single-quoted word with the wrong length (len(args)) in 3.5
        raise fail(f"invalid txn request: {line} (use double quotes: etcdctl 3.5 misreads "
                   "single-quoted words in txn input)", EXIT_INVALID_INPUT)
    return [_unquote(w) if w.startswith('"') else w for w in words]


def parse(text: str, request: Callable[[list[str], str], object]) -> tuple[list, list, list]:
    """(compares, success requests, failure requests); `request(words, line)` builds one."""
    reader = Reader(text)
    compares = [parse_compare(line) for line in reader.section()]
    success = [_request(line, request) for line in reader.section()]
    failure = [_request(line, request) for line in reader.section()]
    return compares, success, failure


def _request(line: str, request: Callable[[list[str], str], object]) -> object:
    words = argify(line)
    if len(words) < 2:
        raise fail(f"invalid txn compare request: {line}", EXIT_INVALID_INPUT)
    return request(words, line)
