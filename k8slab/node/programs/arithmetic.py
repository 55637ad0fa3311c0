"""`$((...))`: the shell's integer arithmetic (+ - * / %, comparisons, parentheses, names).

A name reads the variable (empty or unset is 0), as in POSIX sh; anything else is ash's
`arithmetic syntax error`. Division truncates toward zero, as C's does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from k8slab.errors import K8sLabError

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|&&|\|\||[-+*/%()<>!]))")
_LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))


class ArithmeticError_(K8sLabError):  # noqa: N801 - the builtin ArithmeticError is Python's
    """`$((...))` that is not arithmetic, or divides by zero."""


def evaluate(text: str, lookup: Callable[[str], str]) -> int:
    """The value of the expression; names are read with `lookup`."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while text[pos:].strip():
        match = _TOKEN.match(text, pos)
        if not match:
            raise ArithmeticError_("arithmetic syntax error")
        number, name, op = match.groups()
        tokens.append(("num", number) if number else ("name", name) if name else ("op", op))
        pos = match.end()
    parser = _Parser(tokens, lookup)
    value = parser.binary(0)
    if parser.i != len(tokens):
        raise ArithmeticError_("arithmetic syntax error")
    return value


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], lookup: Callable[[str], str]) -> None:
        self.tokens = tokens
        self.lookup = lookup
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "")

    def binary(self, level: int) -> int:
        if level == len(_LEVELS):
            return self.unary()
        value = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in _LEVELS[level]:
            op = self.tokens[self.i][1]
            self.i += 1
            value = _apply(op, value, self.binary(level + 1))
        return value

    def unary(self) -> int:
        kind, text = self.peek()
        self.i += 1
        if kind == "num":
            return int(text)
        if kind == "name":
            raw = self.lookup(text).strip() or "0"
            if not re.fullmatch(r"-?\d+", raw):
                raise ArithmeticError_("arithmetic syntax error")
            return int(raw)
        if (kind, text) == ("op", "-"):
            return -self.unary()
        if (kind, text) == ("op", "+"):
            return self.unary()
        if (kind, text) == ("op", "!"):
            return int(not self.unary())
        if (kind, text) == ("op", "("):
            value = self.binary(0)
            if self.peek() != ("op", ")"):
                raise ArithmeticError_("arithmetic syntax error")
            self.i += 1
            return value
        raise ArithmeticError_("arithmetic syntax error")


def _apply(op: str, a: int, b: int) -> int:
    if op in ("/", "%"):
        if b == 0:
            raise ArithmeticError_("divide by zero")
        quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
        return quotient if op == "/" else a - b * quotient
    results = {"+": a + b, "-": a - b, "*": a * b, "<": a < b, ">": a > b, "<=": a <= b,
               ">=": a >= b, "==": a == b, "!=": a != b, "&&": bool(a and b), "||": bool(a or b)}
    return int(results[op])
