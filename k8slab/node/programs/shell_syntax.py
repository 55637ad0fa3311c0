"""The busybox shell's grammar, the part Kubernetes' docs use: words, quotes and expansions,
`;` `&&` `||` `!`, `>`/`>>`/`2>&1`, `while`/`until`/`for`/`if` and `{ ...; }`.

`parse(text)` turns a script into a tree of small records; `shell.py` runs the tree. A script
outside this subset (pipes, `&`, subshells, `case`, functions) is a `ShellSyntaxError` in ash's
words, `syntax error: unexpected "|"`, so a reader sees what the model leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.errors import K8sLabError

KEYWORDS = ("while", "until", "for", "in", "do", "done", "if", "then", "elif", "else", "fi",
            "{", "}", "!")
_OPERATORS = ("&&", "||", ">>", ">&", ";", "|", "&", ">", "<", "(", ")")
_BREAK = " \t\n;&|<>()"
_SPECIAL_VARS = "?$#@*!-0123456789"


class ShellSyntaxError(K8sLabError):
    """The script is not in the modelled subset of sh; the message is ash's (`syntax error:
    unexpected "done"`)."""


@dataclass(frozen=True)
class Part:
    """A piece of a word: literal text (`lit`), `$NAME` (`var`, with `${NAME:-default}`'s
    default), `$(...)` (`sub`) or `$((...))` (`arith`); `quoted` inside double quotes."""

    kind: str
    text: str
    quoted: bool = False
    default: Word | None = None


@dataclass(frozen=True)
class Word:
    """One shell word, as its parts."""

    parts: tuple[Part, ...]

    def literal(self) -> str | None:
        """The word's text if it is one unquoted literal (a keyword or a name), else None."""
        if len(self.parts) == 1 and self.parts[0].kind == "lit" and not self.parts[0].quoted:
            return self.parts[0].text
        return None


@dataclass(frozen=True)
class Redirect:
    """`fd>target`, `fd>>target`, or `fd>&n` (target is then the other fd's number)."""

    fd: int
    op: str
    target: Word


@dataclass
class Simple:
    """A simple command: assignments, words, redirections."""

    assigns: list[tuple[str, Word]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Not:
    """`! command`: success and failure swapped."""

    command: object


@dataclass
class AndOr:
    """`a && b || c`: each next command runs or not on the status so far."""

    first: object
    rest: list[tuple[str, object]]


@dataclass
class Sequence:
    """Commands separated by `;` or newlines, run one after another."""

    commands: list[object]


@dataclass
class Loop:
    """`while COND; do BODY; done` (or `until`, which loops while COND fails)."""

    condition: Sequence
    body: Sequence
    until: bool = False


@dataclass
class For:
    """`for NAME in WORDS; do BODY; done`."""

    name: str
    items: list[Word]
    body: Sequence


@dataclass
class If:
    """`if C; then B; elif C2; then B2; else E; fi`."""

    branches: list[tuple[Sequence, Sequence]]
    otherwise: Sequence | None


@dataclass(frozen=True)
class Token:
    """A word, an operator (`;`, `&&`, `>`... with the fd before a redirection), a newline."""

    kind: str
    value: str = ""
    word: Word | None = None
    fd: int | None = None


def _describe(token: Token) -> str:
    if token.kind == "eof":
        return "end of file"
    if token.kind == "newline":
        return "newline"
    return f'"{token.value}"'


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.text[j] if j < len(self.text) else ""

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            c = self.peek()
            if c == "":
                out.append(Token("eof"))
                return out
            if c in " \t":
                self.i += 1
            elif c == "\\" and self.peek(1) == "\n":
                self.i += 2
            elif c == "#":
                while self.peek() not in ("", "\n"):
                    self.i += 1
            elif c == "\n":
                self.i += 1
                out.append(Token("newline", "\n"))
            elif c in ";&|<>()":
                op = next(o for o in _OPERATORS if self.text.startswith(o, self.i))
                self.i += len(op)
                out.append(Token("op", op))
            else:
                out.append(self.word())

    def word(self) -> Token:
        parts: list[Part] = []
        raw = ""
        while (c := self.peek()) and c not in _BREAK:
            if c == "'":
                end = self.text.find("'", self.i + 1)
                if end < 0:
                    raise ShellSyntaxError("syntax error: unterminated quoted string")
                parts.append(Part("lit", self.text[self.i + 1:end], True))
                self.i = end + 1
            elif c == '"':
                self.i += 1
                parts.extend(self.double_quoted())
            elif c == "\\":
                parts.append(Part("lit", self.peek(1), True))
                self.i += 2
            elif c == "$":
                parts.append(self.dollar(quoted=False))
            elif c == "`":
                parts.append(Part("sub", self.backquoted(), False))
            else:
                raw += c
                parts.append(Part("lit", c))
                self.i += 1
        if raw.isdigit() and len(parts) == len(raw) and self.peek() == ">":
            op = ">>" if self.text.startswith(">>", self.i) else (
                ">&" if self.text.startswith(">&", self.i) else ">")
            self.i += len(op)
            return Token("op", op, fd=int(raw))
        return Token("word", raw, Word(_merge(parts)))

    def double_quoted(self) -> list[Part]:
        parts: list[Part] = []
        while True:
            c = self.peek()
            if c == "":
                raise ShellSyntaxError("syntax error: unterminated quoted string")
            if c == '"':
                self.i += 1
                return parts
            if c == "\\" and self.peek(1) in '$`"\\\n':
                if self.peek(1) != "\n":
                    parts.append(Part("lit", self.peek(1), True))
                self.i += 2
            elif c == "$":
                parts.append(self.dollar(quoted=True))
            elif c == "`":
                parts.append(Part("sub", self.backquoted(), True))
            else:
                parts.append(Part("lit", c, True))
                self.i += 1

    def dollar(self, *, quoted: bool) -> Part:
        nxt = self.peek(1)
        if self.text.startswith("$((", self.i):
            self.i += 3
            body = self.balanced(depth=2)
            if not body.endswith(")"):
                raise ShellSyntaxError("syntax error: missing '))'")
            return Part("arith", body[:-1], quoted)
        if nxt == "(":
            self.i += 2
            return Part("sub", self.balanced(depth=1), quoted)
        if nxt == "{":
            end = self.text.find("}", self.i)
            if end < 0:
                raise ShellSyntaxError("syntax error: missing '}'")
            body = self.text[self.i + 2:end]
            self.i = end + 1
            name, sep, default = body.partition(":-")
            if not (name.isidentifier() or (len(name) == 1 and name in _SPECIAL_VARS)):
                raise ShellSyntaxError(f"syntax error: bad substitution: ${{{body}}}")
            return Part("var", name, quoted, _Lexer(default).word().word if sep else None)
        if nxt and nxt in _SPECIAL_VARS:
            self.i += 2
            return Part("var", nxt, quoted)
        if nxt and (nxt.isalpha() or nxt == "_"):
            j = self.i + 1
            while j < len(self.text) and (self.text[j].isalnum() or self.text[j] == "_"):
                j += 1
            name = self.text[self.i + 1:j]
            self.i = j
            return Part("var", name, quoted)
        self.i += 1
        return Part("lit", "$", quoted)

    def balanced(self, depth: int) -> str:
        # The text up to the `)` that closes `$(` (quotes and nested parentheses skipped).
        start = self.i
        while depth:
            c = self.peek()
            if c == "":
                raise ShellSyntaxError("syntax error: unexpected end of file (expecting \")\")")
            if c in "'\"":
                end = self.text.find(c, self.i + 1)
                if end < 0:
                    raise ShellSyntaxError("syntax error: unterminated quoted string")
                self.i = end
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            self.i += 1
        return self.text[start:self.i - 1]

    def backquoted(self) -> str:
        end = self.text.find("`", self.i + 1)
        if end < 0:
            raise ShellSyntaxError("syntax error: unterminated quoted string")
        body = self.text[self.i + 1:end]
        self.i = end + 1
        return body


def _merge(parts: list[Part]) -> tuple[Part, ...]:
    # Join neighbouring literals of the same quoting into one part.
    merged: list[Part] = []
    for part in parts:
        last = merged[-1] if merged else None
        if last and part.kind == last.kind == "lit" and part.quoted == last.quoted:
            merged[-1] = Part("lit", last.text + part.text, part.quoted)
        else:
            merged.append(part)
    return tuple(merged)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def keyword(self) -> str | None:
        word = self.token.word
        return word.literal() if word is not None and word.literal() in KEYWORDS else None

    def unexpected(self, expecting: str | None = None) -> ShellSyntaxError:
        tail = f' (expecting "{expecting}")' if expecting else ""
        return ShellSyntaxError(f"syntax error: unexpected {_describe(self.token)}{tail}")

    def skip_newlines(self) -> None:
        while self.token.kind == "newline":
            self.i += 1

    def expect(self, keyword: str) -> None:
        self.skip_newlines()
        if self.keyword() != keyword:
            raise self.unexpected(keyword)
        self.i += 1

    def sequence(self, *until: str) -> Sequence:
        """Commands up to one of the keywords `until` (or the end of the script)."""
        commands: list[object] = []
        while True:
            self.skip_newlines()
            if self.token.kind == "eof" or self.keyword() in until:
                break
            commands.append(self.and_or())
            if self.token.kind == "newline" or self.token == Token("op", ";"):
                self.i += 1
            elif self.token.kind != "eof" and self.keyword() not in until:
                raise self.unexpected()
        if not commands and until:
            raise self.unexpected()
        return Sequence(commands)

    def and_or(self) -> object:
        first = self.pipeline()
        rest: list[tuple[str, object]] = []
        while self.token.kind == "op" and self.token.value in ("&&", "||"):
            op = self.token.value
            self.i += 1
            self.skip_newlines()
            rest.append((op, self.pipeline()))
        return AndOr(first, rest) if rest else first

    def pipeline(self) -> object:
        if self.keyword() == "!":
            self.i += 1
            return Not(self.command())
        return self.command()

    def command(self) -> object:
        keyword = self.keyword()
        if keyword in ("while", "until"):
            self.i += 1
            condition = self.sequence("do")
            self.expect("do")
            body = self.sequence("done")
            self.expect("done")
            return Loop(condition, body, keyword == "until")
        if keyword == "for":
            return self.for_loop()
        if keyword == "if":
            return self.if_clause()
        if keyword == "{":
            self.i += 1
            body = self.sequence("}")
            self.expect("}")
            return body
        if keyword is not None and keyword != "in":
            raise self.unexpected()
        return self.simple()

    def for_loop(self) -> For:
        self.i += 1
        name = self.token.word.literal() if self.token.word else None
        if not name or not name.isidentifier():
            raise ShellSyntaxError(f"syntax error: bad for loop variable: {self.token.value}")
        self.i += 1
        items: list[Word] = []
        self.skip_newlines()
        if self.keyword() == "in":
            self.i += 1
            while self.token.kind == "word":
                items.append(self.token.word)
                self.i += 1
        if self.token.value == ";" or self.token.kind == "newline":
            self.i += 1
        self.expect("do")
        body = self.sequence("done")
        self.expect("done")
        return For(name, items, body)

    def if_clause(self) -> If:
        self.i += 1
        branches: list[tuple[Sequence, Sequence]] = []
        otherwise: Sequence | None = None
        while True:
            condition = self.sequence("then")
            self.expect("then")
            branches.append((condition, self.sequence("elif", "else", "fi")))
            if self.keyword() == "elif":
                self.i += 1
                continue
            if self.keyword() == "else":
                self.i += 1
                otherwise = self.sequence("fi")
            self.expect("fi")
            return If(branches, otherwise)

    def simple(self) -> Simple:
        command = Simple()
        while True:
            token = self.token
            if token.kind == "word":
                if not command.words and _is_assignment(token.word):
                    name = token.word.parts[0].text.split("=", 1)[0]
                    command.assigns.append((name, _after_equals(token.word)))
                else:
                    command.words.append(token.word)
                self.i += 1
            elif token.kind == "op" and token.value in (">", ">>", ">&"):
                self.i += 1
                if self.token.kind != "word":
                    raise self.unexpected()
                fd = token.fd if token.fd is not None else 1
                command.redirects.append(Redirect(fd, token.value, self.token.word))
                self.i += 1
            else:
                break
        if not command.words and not command.assigns and not command.redirects:
            raise self.unexpected()
        return command


def _is_assignment(word: Word) -> bool:
    if not word.parts:  # "" : an empty word, never an assignment
        return False
    first = word.parts[0]
    name, eq, _ = first.text.partition("=")
    return first.kind == "lit" and not first.quoted and bool(eq) and name.isidentifier()


def _after_equals(word: Word) -> Word:
    first = word.parts[0]
    rest = first.text.split("=", 1)[1]
    head = (Part("lit", rest, first.quoted),) if rest else ()
    return Word(head + word.parts[1:])


def parse(text: str) -> Sequence:
    """The script as a Sequence; ShellSyntaxError if it is not in the modelled subset."""
    parser = _Parser(_Lexer(text).tokens())
    script = parser.sequence()
    if parser.token.kind != "eof":
        raise parser.unexpected()
    return script


def parse_word(text: str) -> Word:
    """`text` read as the inside of double quotes (for `$((...))` holding `$name`)."""
    lexer = _Lexer(text + '"')
    return Word(_merge(lexer.double_quoted()))
