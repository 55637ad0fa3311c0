"""Label selectors in their text form, as a list or watch carries them: `app=web,tier in (a,b),!x`.

A reading of apimachinery pkg/labels/selector.go's grammar: requirements separated by commas,
each `[!]key`, `key=value` / `==` / `!=`, `key in (a,b)` / `notin`, or `key>1` / `key<1`; the
errors are the parser's words, prefixed "unable to parse requirement: " for a bad requirement,
which the API server answers as a 400.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.api.validation.names import label_value_errors, qualified_name_errors
from k8slab.errors import BadRequestError

_SPECIALS = "=!(),><"
_SYMBOLS = {")": "close", ",": "comma", "!": "not", "==": "eqeq", "=": "eq", ">": "gt",
            "<": "lt", "!=": "neq", "(": "open"}
_KEYWORDS = {"in": "in", "notin": "notin"}
_OPERATORS = {"in": "in", "notin": "notin", "eq": "=", "eqeq": "==", "neq": "!=", "gt": "gt",
              "lt": "lt"}
BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"  # selector.go binaryOperators


@dataclass(frozen=True)
class Requirement:
    """One requirement of a parsed selector: key, operator ("in", "=", "exists"...), values."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        """Requirement.Matches: In/= need the key and a listed value, NotIn/!= the opposite."""
        present, value = self.key in labels, labels.get(self.key)
        if self.operator in ("in", "=", "=="):
            return present and value in self.values
        if self.operator in ("notin", "!="):
            return not present or value not in self.values
        if self.operator == "exists":
            return present
        if self.operator == "!":
            return not present
        try:  # gt / lt compare integers; a label that is no integer matches neither
            number, bound = int(value or ""), int(self.values[0])
        except ValueError:
            return False
        return number > bound if self.operator == "gt" else number < bound


def _lex(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position == len(text):
            return [*tokens, ("end", "")]
        start = position
        if text[position] in _SPECIALS:
            found = None
            while position < len(text) and text[position] in _SPECIALS:
                candidate = text[start:position + 1]
                if candidate in _SYMBOLS:
                    found = candidate
                elif found is not None:
                    break
                position += 1
            if found is None:
                tokens.append(("error", f"error expected: keyword found '{text[start:position]}'"))
            else:
                position = start + len(found)
                tokens.append((_SYMBOLS[found], found))
        else:
            while position < len(text) and text[position] not in _SPECIALS + " \t\r\n":
                position += 1
            word = text[start:position]
            tokens.append((_KEYWORDS.get(word, "id"), word))


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.position = 0

    def peek(self, values: bool = True) -> tuple[str, str]:
        kind, literal = self.tokens[self.position]
        return ("id" if values and kind in _KEYWORDS else kind), literal

    def take(self, values: bool = True) -> tuple[str, str]:
        token = self.peek(values)
        self.position += 1
        return token

    def parse(self) -> list[Requirement]:
        requirements = []
        while True:
            kind, literal = self.peek()
            if kind == "end":
                return requirements
            if kind not in ("id", "not"):
                raise ValueError(f"found '{literal}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self.requirement())
            except ValueError as error:
                raise ValueError(f"unable to parse requirement: {error}") from None
            kind, literal = self.take()
            if kind == "end":
                return requirements
            if kind != "comma":
                raise ValueError(f"found '{literal}', expected: ',' or 'end of string'")
            if self.peek()[0] not in ("id", "not"):
                raise ValueError(f"found '{self.peek()[1]}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        kind, key = self.take()
        negated = kind == "not"
        if negated:
            kind, key = self.take()
        if kind != "id":
            raise ValueError(f"found '{key}', expected: identifier")
        problems = qualified_name_errors(key)
        if problems:
            raise ValueError(f'<nil>: Invalid value: "{key}": {"; ".join(problems)}')
        if negated:
            return Requirement(key, "!")
        if self.peek()[0] in ("end", "comma"):
            return Requirement(key, "exists")
        kind, literal = self.take(values=False)
        if kind not in _OPERATORS:
            raise ValueError(f"found '{literal}', expected: {BINARY_OPERATORS}")
        operator = _OPERATORS[kind]
        values = self.set_values() if operator in ("in", "notin") else self.exact_value()
        return _checked(key, operator, values)

    def set_values(self) -> list[str]:
        kind, literal = self.take()
        if kind != "open":
            raise ValueError(f"found '{literal}' expected: '('")
        kind, literal = self.peek()
        if kind == "close":
            self.take()
            return [""]
        if kind not in ("id", "comma"):
            raise ValueError(f"found '{literal}', expected: ',', ')' or identifier")
        values: list[str] = []
        while True:
            kind, literal = self.take()
            if kind == "id":
                values.append(literal)
                following, shown = self.peek()
                if following == "close":
                    self.take()
                    return sorted(set(values))
                if following != "comma":
                    raise ValueError(f"found '{shown}', expected: ',' or ')'")
            elif kind == "comma":  # an empty value: "(,a)", "(a,)" or "(a,,b)"
                if not values:
                    values.append("")
                following = self.peek()[0]
                if following == "close":
                    self.take()
                    return sorted({*values, ""})
                if following == "comma":
                    self.take()
                    values.append("")
            else:
                raise ValueError(f"found '{literal}', expected: ',', or identifier")

    def exact_value(self) -> list[str]:
        if self.peek()[0] in ("end", "comma"):
            return [""]
        kind, literal = self.take()
        if kind != "id":
            raise ValueError(f"found '{literal}', expected: identifier")
        return [literal]


def _checked(key: str, operator: str, values: list[str]) -> Requirement:
    # NewRequirement's checks on the values (the key was checked as it was read).
    problems = []
    if operator in ("gt", "lt"):
        for index, value in enumerate(values):
            try:
                int(value)
            except ValueError:
                problems.append(f'values[{index}]: Invalid value: "{value}": for \'Gt\', \'Lt\' '
                                "operators, the value must be an integer")
    for index, value in enumerate(values):
        errors = label_value_errors(value)
        if errors:
            problems.append(f'values[{index}][{key}]: Invalid value: "{value}": '
                            f'{"; ".join(errors)}')
    if problems:
        raise ValueError(problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]")
    return Requirement(key, operator, tuple(values))


def parse_label_selector(text: str | None) -> tuple[Requirement, ...]:
    """Parse a labelSelector parameter into requirements sorted by key; "" selects everything.

    A selector that does not parse is a 400 BadRequest in the parser's words, e.g.
    `unable to parse requirement: found '', expected: identifier`.
    """
    if not text:
        return ()
    try:
        requirements = _Parser(text).parse()
    except ValueError as error:
        raise BadRequestError(str(error)) from None
    return tuple(sorted(requirements, key=lambda requirement: requirement.key))


def labels_match(obj: dict | None, requirements: tuple[Requirement, ...]) -> bool:
    """True if `obj` exists and its metadata.labels satisfy every requirement."""
    if obj is None:
        return False
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(requirement.matches(labels) for requirement in requirements)
