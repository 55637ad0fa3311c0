"""A tiny POSIX-ish shell, busybox's `sh` (ash), running scripts over a container's files.

`shell_program(commands)` is the `sh` of an image whose PATH holds `commands`. It runs
`sh -c 'SCRIPT' [NAME [ARGS...]]` and `sh FILE`; a bare `sh` reads its stdin, which a container
without `stdin: true` does not have, so it exits 0 at once (why `busybox` with no command ends
Completed). Commands cost no simulated time unless they sleep; simplified: a loop iteration in
which no time passed costs 1 ms, so `while true; do :; done` burns the clock, not the simulation.
No pipes, `&`, globbing, `case`, functions or `trap`: those are syntax errors or `not found`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Mapping

from k8slab.node.process import Process
from k8slab.node.programs import shell_syntax as ast
from k8slab.node.programs.arithmetic import ArithmeticError_, evaluate
from k8slab.node.programs.streams import (
    CaptureSink,
    FileSink,
    Invocation,
    NullSink,
    Sink,
    applet_program,
)

Program = Callable[[Process], Generator]
# What a busy loop costs per iteration, so that it cannot stall simulated time (a modelling
# choice, not a measurement).
IDLE_ITERATION_SECONDS = 0.001
NOT_FOUND, SYNTAX_ERROR = 127, 2


class _Exit(Exception):  # noqa: N818 - control flow inside the interpreter
    def __init__(self, status: int) -> None:
        self.status = status


class _Break(Exception):  # noqa: N818
    pass


class _Continue(Exception):  # noqa: N818
    pass


class Shell:
    """One shell process: variables, `$?`, positional parameters, and the commands on PATH."""

    def __init__(self, inv: Invocation, commands: Mapping[str, Program],
                 positional: list[str]) -> None:
        self.inv = inv
        self.process = inv.process
        self.commands = commands
        self.vars: dict[str, str] = dict(inv.env)
        self.exported = set(inv.env)
        self.positional = positional
        self.status = 0

    # Running the tree -----------------------------------------------------------------------

    def run(self, node: object, out: Sink, err: Sink) -> Generator:
        """Run one node of the tree; its exit status is the generator's value (and `$?`)."""
        if isinstance(node, ast.Sequence):
            for command in node.commands:
                yield from self.run(command, out, err)
        elif isinstance(node, ast.AndOr):
            yield from self.run(node.first, out, err)
            for op, command in node.rest:
                if (self.status == 0) == (op == "&&"):
                    yield from self.run(command, out, err)
        elif isinstance(node, ast.Not):
            yield from self.run(node.command, out, err)
            self.status = int(self.status == 0)
        elif isinstance(node, ast.Loop):
            yield from self.loop(node, out, err)
        elif isinstance(node, ast.For):
            yield from self.for_loop(node, out, err)
        elif isinstance(node, ast.If):
            yield from self.if_clause(node, out, err)
        else:
            self.status = yield from self.simple(node, out, err)
        return self.status

    def loop(self, node: ast.Loop, out: Sink, err: Sink) -> Generator:
        status = 0
        while True:
            started = self.process.now
            condition = yield from self.run(node.condition, out, err)
            if (condition == 0) == node.until:
                break
            try:
                status = yield from self.run(node.body, out, err)
            except _Break:
                break
            except _Continue:
                pass
            if self.process.now == started:
                yield self.process.env.timeout(IDLE_ITERATION_SECONDS)
        self.status = status

    def for_loop(self, node: ast.For, out: Sink, err: Sink) -> Generator:
        items: list[str] = []
        for word in node.items:
            items.extend((yield from self.expand(word, err)))
        self.status = 0
        for item in items:
            self.vars[node.name] = item
            try:
                yield from self.run(node.body, out, err)
            except _Break:
                break
            except _Continue:
                continue

    def if_clause(self, node: ast.If, out: Sink, err: Sink) -> Generator:
        for condition, body in node.branches:
            if (yield from self.run(condition, out, err)) == 0:
                yield from self.run(body, out, err)
                return
        self.status = 0
        if node.otherwise is not None:
            yield from self.run(node.otherwise, out, err)

    def simple(self, node: ast.Simple, out: Sink, err: Sink) -> Generator:
        try:
            argv: list[str] = []
            for word in node.words:
                argv.extend((yield from self.expand(word, err)))
            assigned = {}
            for name, word in node.assigns:
                assigned[name] = " ".join((yield from self.expand(word, err, split=False)))
            out, err = yield from self.redirected(node.redirects, out, err)
        except (ArithmeticError_, ast.ShellSyntaxError) as error:
            err.write(f"sh: {error}\n")
            raise _Exit(SYNTAX_ERROR) from None
        if not argv:
            self.vars.update(assigned)
            return 0
        return (yield from self.execute(argv, assigned, out, err))

    def redirected(self, redirects: list[ast.Redirect], out: Sink, err: Sink) -> Generator:
        streams = {1: out, 2: err}
        for redirect in redirects:
            target = " ".join((yield from self.expand(redirect.target, err, split=False)))
            if redirect.op == ">&":
                if target not in ("1", "2"):
                    raise _Exit(_report(err, f"sh: {target}: bad file descriptor", 1))
                streams[redirect.fd] = streams[int(target)]
            elif target == "/dev/null":
                streams[redirect.fd] = NullSink()
            else:
                streams[redirect.fd] = FileSink(self.process, self.path(target),
                                                append=redirect.op == ">>")
        return streams.get(1, out), streams.get(2, err)

    def path(self, name: str) -> str:
        """An absolute path for `name`, relative to $PWD (`/` when unset)."""
        if name.startswith("/"):
            return name
        return self.vars.get("PWD", "/").rstrip("/") + "/" + name

    # Expansion ------------------------------------------------------------------------------

    def expand(self, word: ast.Word, err: Sink, *, split: bool = True) -> Generator:
        """The fields a word expands to: variables, `$(...)`, `$((...))`; unquoted expansions
        are split on blanks (no globbing: `*` stays `*`)."""
        fields: list[str] = []
        current = ""
        started = False
        for part in word.parts:
            value = yield from self.value(part, err)
            if part.kind == "lit" or part.quoted or not split:
                current += value
                started = True
                continue
            pieces = value.split()
            if not pieces:
                continue
            if value[0].isspace() and started:
                fields.append(current)
                current = ""
            current += pieces[0]
            started = True
            for piece in pieces[1:]:
                fields.append(current)
                current = piece
            if value[-1].isspace():
                fields.append(current)
                current, started = "", False
        if started:
            fields.append(current)
        return fields

    def value(self, part: ast.Part, err: Sink) -> Generator:
        if part.kind == "lit":
            return part.text
        if part.kind == "arith":
            text = "".join((yield from self.expand(
                ast.parse_word(part.text), err, split=False))) if "$" in part.text else part.text
            return str(evaluate(text, lambda name: self.vars.get(name, "")))
        if part.kind == "sub":
            return (yield from self.substitute(part.text, err))
        value = self.variable(part.text)
        if not value and part.default is not None:
            return " ".join((yield from self.expand(part.default, err, split=False)))
        return value

    def variable(self, name: str) -> str:
        """`$name`, with the special parameters `$?`, `$$`, `$#`, `$0`..`$9`, `$@`, `$*`."""
        if name == "?":
            return str(self.status)
        if name == "$":
            return "1"  # the shell is PID 1 of its container (an exec'd shell would not be)
        if name == "#":
            return str(max(0, len(self.positional) - 1))
        if name in ("@", "*"):
            return " ".join(self.positional[1:])
        if name.isdigit():
            index = int(name)
            return self.positional[index] if index < len(self.positional) else ""
        return self.vars.get(name, "")

    def substitute(self, script: str, err: Sink) -> Generator:
        """`$(script)`: run it in a copy of this shell; its stdout, trailing newlines cut."""
        capture = CaptureSink()
        child = Shell(self.inv, self.commands, self.positional)
        child.vars, child.exported, child.status = dict(self.vars), set(self.exported), self.status
        try:
            yield from child.run(ast.parse(script), capture, err)
        except ast.ShellSyntaxError as error:
            err.write(f"sh: {error}\n")
        except _Exit:
            pass
        self.status = child.status
        return capture.text().rstrip("\n")

    # Commands -------------------------------------------------------------------------------

    def execute(self, argv: list[str], assigned: dict[str, str], out: Sink,
                err: Sink) -> Generator:
        """Run a builtin, an applet or a program with `argv`; its exit status."""
        name = argv[0]
        builtin = _BUILTINS.get(name)
        if builtin is not None:
            return builtin(self, argv, err)
        if name == "exec":
            if len(argv) == 1:
                return 0
            raise _Exit((yield from self.execute(argv[1:], assigned, out, err)))
        program = self.commands.get(name.rsplit("/", 1)[-1])
        if program is None or (name.startswith("/") and name.rsplit("/", 1)[0] not in (
                "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "")):
            return _report(err, f"sh: {name}: not found", NOT_FOUND)
        env = {k: v for k, v in self.vars.items() if k in self.exported} | assigned
        applet = getattr(program, "applet", None)
        if applet is not None:
            return (yield from applet(Invocation(self.process, argv, env, out, err)))
        return (yield from run_child(self.process, program, argv, env, out, err))


def run_child(process: Process, program: Program, argv: list[str], env: dict[str, str],
              out: Sink, err: Sink) -> Generator:
    """Run a program as a child process sharing the container's files, network and cgroup;
    its output goes to `out`/`err`. Its memory and ports are released when it ends."""
    child = process.child(argv, env)
    child.on_output.append(lambda line: (out if line.stream == "stdout" else err)
                           .write(line.text + "\n"))
    try:
        return int((yield from program(child)) or 0)
    finally:
        child.release()


def _report(err: Sink, message: str, status: int) -> int:
    err.write(message + "\n")
    return status


def _exit(shell: Shell, argv: list[str], err: Sink) -> int:
    if len(argv) > 1 and not re.fullmatch(r"-?\d+", argv[1]):
        err.write(f"sh: exit: Illegal number: {argv[1]}\n")
        raise _Exit(SYNTAX_ERROR)
    raise _Exit(int(argv[1]) & 0xFF if len(argv) > 1 else shell.status)


def _export(shell: Shell, argv: list[str], err: Sink) -> int:
    for item in argv[1:]:
        name, eq, value = item.partition("=")
        if eq:
            shell.vars[name] = value
        shell.exported.add(name)
    return 0


def _unset(shell: Shell, argv: list[str], err: Sink) -> int:
    for name in argv[1:]:
        shell.vars.pop(name, None)
        shell.exported.discard(name)
    return 0


def _cd(shell: Shell, argv: list[str], err: Sink) -> int:
    target = shell.path(argv[1]) if len(argv) > 1 else shell.vars.get("HOME", "/")
    if not shell.process.fs.exists(target) and target != "/":
        return _report(err, f"sh: cd: can't cd to {argv[1]}: No such file or directory", 2)
    shell.vars["PWD"] = target
    return 0


def _break(shell: Shell, argv: list[str], err: Sink) -> int:
    raise _Break


def _continue(shell: Shell, argv: list[str], err: Sink) -> int:
    raise _Continue


_BUILTINS: dict[str, Callable[[Shell, list[str], Sink], int]] = {
    "exit": _exit, "export": _export, "unset": _unset, "cd": _cd, ":": lambda *_: 0,
    "break": _break, "continue": _continue,
}


def shell_applet(commands: Mapping[str, Program]) -> Callable[[Invocation], Generator]:
    """`sh` over an image's commands, as an applet (see the module's docstring)."""

    def sh(inv: Invocation) -> Generator:
        args = inv.argv[1:]
        if args[:1] == ["-c"]:
            if len(args) < 2:
                return _report(inv.stderr, "sh: -c requires an argument", SYNTAX_ERROR)
            script, positional = args[1], args[2:] or [inv.argv[0]]
        elif args:
            script = inv.process.fs.read(args[0])
            if script is None:
                return _report(inv.stderr, f"sh: can't open '{args[0]}': No such file or "
                                           "directory", SYNTAX_ERROR)
            positional = args
        else:
            return 0
        shell = Shell(inv, commands, positional)
        try:
            tree = ast.parse(script)
        except ast.ShellSyntaxError as error:
            return _report(inv.stderr, f"sh: {error}", SYNTAX_ERROR)
        try:
            return (yield from shell.run(tree, inv.stdout, inv.stderr))
        except _Exit as done:
            return done.status
        except (_Break, _Continue):
            return shell.status

    return sh


def shell_program(commands: Mapping[str, Program]) -> Program:
    """The `sh` binary of an image whose PATH holds `commands` (it may include itself).

    As PID 1 it has no SIGTERM handler: `kubectl delete` waits the grace period for it."""
    return applet_program(shell_applet(commands), ignores_sigterm=True)
