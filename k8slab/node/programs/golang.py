"""What the Go programs (agnhost, vish/stress, goproxy) print the way Go prints it: the `log`
package's timestamp, `%v` of a float64, and `time.ParseDuration`'s values and errors."""

from __future__ import annotations

import re
from datetime import timedelta

from k8slab.api.timestamps import EPOCH
from k8slab.errors import K8sLabError
from k8slab.node.process import Process

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class GoFlagError(K8sLabError):
    """A flag the program rejects (Go's flag package or cobra's words)."""


def log(process: Process, text: str) -> None:
    """`log.Printf`: `2026/01/01 00:00:05 text` on stderr (simulated time, UTC)."""
    moment = EPOCH + timedelta(seconds=int(process.now))
    process.write(f"{moment:%Y/%m/%d %H:%M:%S} {text}", "stderr")


def float_v(value: float) -> str:
    """`fmt.Sprintf("%v", x)` for a float64: the shortest text that reads back (`10.5`, `12`)."""
    text = repr(float(value))
    if "e" in text or "inf" in text or "nan" in text:
        return text
    return text[:-2] if text.endswith(".0") else text


def parse_duration(text: str) -> float:
    """Go's time.ParseDuration in seconds: `1s`, `100ms`, `1m30s`; its error otherwise."""
    if text in ("0", "+0", "-0"):
        return 0.0
    match = re.fullmatch(r"([-+]?)((?:\d*\.?\d+|\d+\.)(?:ns|us|µs|ms|s|m|h))+", text)
    if not match:
        raise GoFlagError(f'time: invalid duration "{text}"')
    body = text.lstrip("+-")
    total = sum(float(number) * _UNITS[unit]
                for number, unit in re.findall(r"(\d*\.?\d+|\d+\.)(ns|us|µs|ms|s|m|h)", body))
    return -total if text.startswith("-") else total


def parse_flags(argv: list[str], defaults: dict[str, str]) -> dict[str, str]:
    """`-name value`, `--name=value` as Go's flag package reads them; unknown -> its error.

    A flag whose default is "true" or "false" is a bool: `-name` alone sets it."""
    values = dict(defaults)
    args = list(argv)
    while args:
        arg = args.pop(0)
        if not arg.startswith("-") or arg in ("-", "--"):
            break
        name, eq, value = arg.lstrip("-").partition("=")
        if name not in defaults:
            raise GoFlagError(f"flag provided but not defined: -{name}")
        if not eq and defaults[name] in ("true", "false"):
            value = "true"
        elif not eq:
            if not args:
                raise GoFlagError(f"flag needs an argument: -{name}")
            value = args.pop(0)
        values[name] = value
    return values


def int_flag(flags: dict[str, str], name: str) -> int:
    """An integer flag's value; pflag's `invalid argument` error if it is not one."""
    value = flags[name]
    if not re.fullmatch(r"[-+]?\d+", value):
        raise GoFlagError(f'invalid argument "{value}" for "--{name}" flag: strconv.ParseInt: '
                          f'parsing "{value}": invalid syntax')
    return int(value)
