"""kubectl's flag parser (spf13/pflag) for this lab's verbs: `-n x`, `-nx`, `--namespace=x`,
`-A`, `--force`, `--grace-period=0`, `--timeout=90s`, with pflag's error messages.

Each verb declares its flags as `Flag` records; `parse_flags` splits a command's words into the
flags it set (converted to Python values) and the positional arguments.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from k8slab.errors import BadRequestError

KINDS = ("string", "bool", "int", "duration")


@dataclass(frozen=True)
class Flag:
    """One flag a verb accepts: its long name, value type, one-letter shorthand, and the value
    it takes when given bare (pflag's NoOptDefVal: `--cascade` alone means background)."""

    name: str
    kind: str = "string"
    short: str = ""
    bare: str | None = None


NAMESPACE = Flag("namespace", short="n")


def split_command(command: object) -> list[str]:
    """The words of a command line as a POSIX shell splits them, without a leading `kubectl`."""
    if not isinstance(command, str):
        raise BadRequestError(f"error: a command is a string like 'get pods', got {command!r}")
    try:
        words = shlex.split(command)
    except ValueError as err:
        raise BadRequestError(f"error: cannot read the command {command!r}: {err}") from None
    return words[1:] if words[:1] == ["kubectl"] else words


def parse_flags(words: Sequence[str], flags: Sequence[Flag], usage: str) -> tuple[dict, list[str]]:
    """Split `words` into {flag name: value} and positional arguments, as pflag does.

    Values are converted by the flag's kind (int, bool, duration in seconds); a word that names
    no declared flag, or a value that does not read, is pflag's error followed by `usage`.
    """
    by_name = {flag.name: flag for flag in flags}
    by_short = {flag.short: flag for flag in flags if flag.short}
    found: dict = {}
    args: list[str] = []
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word == "--":
            args += rest
            break
        if word.startswith("--"):
            name, has_value, value = word[2:].partition("=")
            flag = by_name.get(name)
            if flag is None:
                raise BadRequestError(f"error: unknown flag: --{name}\n{usage}")
            if not has_value:
                if flag.kind == "bool" or flag.bare is not None:
                    value = "true" if flag.kind == "bool" else flag.bare
                elif not rest:
                    raise BadRequestError(f"error: flag needs an argument: --{name}\n{usage}")
                else:
                    value = rest.pop(0)
            found[name] = convert(flag, value)
        elif word.startswith("-") and word != "-":
            _shorthands(word, rest, by_short, found, usage)
        else:
            args.append(word)
    return found, args


def _shorthands(word: str, rest: list[str], by_short: dict, found: dict, usage: str) -> None:
    """`-A`, `-w=false`, `-n kube-system`, `-nkube-system`, `-n=kube-system`, `-Ao wide`."""
    letters = word[1:]
    while letters:
        letter, letters = letters[0], letters[1:]
        flag = by_short.get(letter)
        if flag is None:
            raise BadRequestError(f"error: unknown shorthand flag: '{letter}' in {word}\n{usage}")
        if flag.kind == "bool":
            if letters.startswith("="):  # -w=false
                found[flag.name] = convert(flag, letters[1:])
                return
            found[flag.name] = True
            continue
        value = letters.removeprefix("=")
        if not letters:
            if not rest:
                raise BadRequestError(
                    f"error: flag needs an argument: '{letter}' in {word}\n{usage}")
            value = rest.pop(0)
        found[flag.name] = convert(flag, value)
        return


def convert(flag: Flag, value: str) -> object:
    """A flag's text as its kind's value; pflag's `invalid argument` error when it won't read."""
    try:
        if flag.kind == "bool":
            return parse_bool(value)
        if flag.kind == "int":
            return parse_int(value)
        if flag.kind == "duration":
            return parse_duration(value)
    except ValueError as err:
        raise BadRequestError(
            f'error: invalid argument "{value}" for "--{flag.name}" flag: {err}') from None
    return value


def parse_bool(value: str) -> bool:
    """Go's strconv.ParseBool: 1, t, T, true, TRUE, True and their false spellings."""
    if value in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if value in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{value}": invalid syntax')


def parse_int(value: str) -> int:
    """Go's strconv.ParseInt in base 0 (pflag's IntVar): an optional sign, then digits."""
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        raise ValueError(f'strconv.ParseInt: parsing "{value}": invalid syntax')
    number = int(value)
    if not -(2**63) <= number < 2**63:
        raise ValueError(f'strconv.ParseInt: parsing "{value}": value out of range')
    return number


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_TERM = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def parse_duration(value: str) -> float:
    """Go's time.ParseDuration, in seconds: "90s", "1m30s", "1.5h", "0"; errors in Go's words."""
    text = value.removeprefix("-").removeprefix("+")
    sign = -1.0 if value.startswith("-") else 1.0
    if text == "0":
        return 0.0
    if not text:
        raise ValueError(f'time: invalid duration "{value}"')
    total, position = 0.0, 0
    while position < len(text):
        match = _TERM.match(text, position)
        number, unit = match.group(1), match.group(2)
        if number in ("", "."):
            raise ValueError(f'time: invalid duration "{value}"')
        if not unit:
            raise ValueError(f'time: missing unit in duration "{value}"')
        if unit not in _UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{value}"')
        total += float(number) * _UNITS[unit]
        position = match.end()
    return sign * total
