"""Reading an etcdctl command line as cobra and pflag read it: the command path, then flags
anywhere among the arguments (`--name=value`, `--name value`, `-w json`), `--` ending them.

Errors carry etcdctl's words and exit codes (cobrautl: 1 error, 3 invalid input, 4 bad
feature, 128 bad arguments); etcdctl then prints the command's usage, which we leave out.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from k8slab.errors import K8sLabError

EXIT_ERROR, EXIT_BAD_CONNECTION, EXIT_INVALID_INPUT, EXIT_BAD_FEATURE = 1, 2, 3, 4
EXIT_INTERRUPTED, EXIT_BAD_ARGS = 5, 128
OUTPUT_FORMATS = ("fields", "json", "protobuf", "simple", "table")


class EtcdctlError(K8sLabError):
    """etcdctl stopped with an error: `message` is what it printed (its `Error: ...` line, after
    anything it printed first), `exit_code` its exit status."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def fail(text: str, exit_code: int = EXIT_ERROR, printed: list[str] | None = None) -> EtcdctlError:
    """The error etcdctl's ExitWithError gives: `Error: <text>` after what was printed."""
    return EtcdctlError("\n".join([*(printed or []), f"Error: {text}"]), exit_code)


@dataclass(frozen=True)
class Flag:
    """One flag: its long name, its shorthand, its kind (bool, int or str) and default."""

    name: str
    kind: type
    default: object
    short: str = ""


# --cacert/--cert/--key as kubeadm's docs pass them: accepted, not read (the model has no TLS)
GLOBAL_FLAGS = (Flag("write-out", str, "simple", "w"), Flag("endpoints", str, ""),
                Flag("hex", bool, False), Flag("cacert", str, ""), Flag("cert", str, ""),
                Flag("key", str, ""))


def split(command: str) -> list[str]:
    """The words of a command line, as a shell splits them; a leading `etcdctl` is dropped."""
    if not isinstance(command, str):
        raise EtcdctlError(f"an etcdctl command is a string like 'get /a', got {command!r}",
                           EXIT_BAD_ARGS)
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise EtcdctlError(f"cannot read the command {command!r}: {error}", EXIT_BAD_ARGS) from None
    return words[1:] if words[:1] == ["etcdctl"] else words


def parse(words: list[str], flags: tuple[Flag, ...]) -> tuple[dict[str, object], list[str]]:
    """(flag values by long name, positional arguments), as pflag parses interspersed flags."""
    by_name = {f.name: f for f in flags}
    by_short = {f.short: f for f in flags if f.short}
    values: dict[str, object] = {f.name: f.default for f in flags}
    args: list[str] = []
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word == "--":
            return values, args + rest
        if word.startswith("--"):
            name, equals, text = word[2:].partition("=")
            flag = by_name.get(name)
            if flag is None:
                raise fail(f"unknown flag: --{name}")
            shown = f"--{name}"
        elif word.startswith("-") and len(word) > 1:
            short, text = word[1], word[2:].removeprefix("=")
            equals = "=" if len(word) > 2 else ""
            flag = by_short.get(short)
            if flag is None:
                raise fail(f"unknown shorthand flag: '{short}' in {word}")
            shown = f"-{short}, --{flag.name}"
        else:
            args.append(word)
            continue
        if flag.kind is bool and not equals:
            values[flag.name] = True
            continue
        if not equals:
            if not rest:
                raise fail(f"flag needs an argument: {shown.split(',')[0]}")
            text = rest.pop(0)
        values[flag.name] = convert(text, flag, shown)
    return values, args


def convert(text: str, flag: Flag, shown: str) -> object:
    """A flag's text as its kind, or pflag's `invalid argument` error."""
    if flag.kind is str:
        return text
    if flag.kind is bool:
        if text in ("1", "t", "T", "true", "TRUE", "True"):
            return True
        if text in ("0", "f", "F", "false", "FALSE", "False"):
            return False
        reason = f'strconv.ParseBool: parsing "{text}": invalid syntax'
    else:
        try:
            return parse_int(text, 10)
        except ValueError as error:
            reason = str(error)
    raise fail(f'invalid argument "{text}" for "{shown}" flag: {reason}')


def parse_int(text: str, base: int) -> int:
    """Go's strconv.ParseInt(text, base, 64); ValueError carries Go's message."""
    digits = "0-9" if base == 10 else "0-9a-fA-F"
    if not re.fullmatch(f"[+-]?[{digits}]+", text):
        raise ValueError(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    value = int(text, base)
    if not -(2**63) <= value < 2**63:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": value out of range')
    return value
