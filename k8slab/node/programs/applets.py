"""busybox's applets over a container's files: sleep, echo, cat, touch, rm, mkdir, ls, test,
true, false, date, hostname, env, printenv, head, tail.

Each is an applet (`streams.Invocation` -> exit status) and, through `applet_program`, a program
a container can run as its command. Messages are busybox's (`cat: can't open 'X': No such file
or directory`). Simplified: directories exist only as the paths of the files in them, so
`mkdir` creates nothing `ls` would show, and there are no owners, modes or times.
"""

from __future__ import annotations

import math
import re
from collections.abc import Generator
from datetime import timedelta

from k8slab.api.timestamps import EPOCH
from k8slab.node.process import Filesystem
from k8slab.node.programs.streams import Invocation

# sleep's suffixes (busybox sleep with FEATURE_FANCY_SLEEP).
_SLEEP_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
# How often `tail -f` looks at the file again: busybox's tail sleeps 1 s between reads.
TAIL_POLL_SECONDS = 1.0


def absolute(inv: Invocation, path: str) -> str:
    """`path` made absolute against $PWD."""
    if path.startswith("/"):
        return path
    return inv.env.get("PWD", "/").rstrip("/") + "/" + path


def listing(fs: Filesystem, directory: str) -> list[str]:
    """The names directly inside `directory`, sorted (files, and directories files imply)."""
    prefix = directory.rstrip("/") + "/"
    paths = list(fs.layer) + [mount.rstrip("/") + "/" + inner.lstrip("/")
                              for mount, files in fs.mounts.items() for inner in files]
    paths += list(fs.mounts)
    names = {path[len(prefix):].split("/", 1)[0] for path in paths
             if path.startswith(prefix) and len(path) > len(prefix)}
    return sorted(names)


def _is_dir(fs: Filesystem, path: str) -> bool:
    return fs.exists(path) and fs.read(path) is None


def sleep(inv: Invocation) -> Generator:
    """`sleep N...`: N in seconds (fractions allowed, suffix s/m/h/d), summed; `infinity`."""
    if len(inv.argv) < 2:
        inv.err("Usage: sleep [N]...")
        return 1
    total = 0.0
    for arg in inv.argv[1:]:
        match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+|inf|infinity)([smhd]?)", arg)
        if not match:
            inv.err(f"sleep: invalid number '{arg}'")
            return 1
        total += float(match.group(1)) * _SLEEP_UNITS[match.group(2)]
    if math.isinf(total):
        yield inv.process.env.event()  # never triggered: sleeps until killed
    yield inv.process.env.timeout(total)
    return 0


def echo(inv: Invocation) -> Generator:
    """`echo [-n] [-e] ARGS`: the arguments, one space apart, and a newline unless -n."""
    args = inv.argv[1:]
    newline, escapes = True, False
    while args and re.fullmatch(r"-[ne]+", args[0]):
        newline = newline and "n" not in args[0]
        escapes = escapes or "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = text.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
    inv.stdout.write(text + ("\n" if newline else ""))
    return 0
    yield


def cat(inv: Invocation) -> Generator:
    """`cat FILE...`: the files' contents; a missing one is reported and makes the status 1."""
    status = 0
    for name in inv.argv[1:]:
        text = inv.process.fs.read(absolute(inv, name))
        if text is None:
            reason = "Is a directory" if _is_dir(inv.process.fs, absolute(inv, name)) \
                else "No such file or directory"
            inv.err(f"cat: read error: {reason}" if reason == "Is a directory"
                    else f"cat: can't open '{name}': {reason}")
            status = 1
        else:
            inv.stdout.write(text)
    return status
    yield


def touch(inv: Invocation) -> Generator:
    """`touch FILE...`: create each file that does not exist (times are not modelled)."""
    for name in inv.argv[1:]:
        if name.startswith("-"):
            continue
        path = absolute(inv, name)
        if inv.process.fs.read(path) is None and not _is_dir(inv.process.fs, path):
            inv.process.fs.write(path, "")
    return 0
    yield


def rm(inv: Invocation) -> Generator:
    """`rm [-f] [-r] FILE...`: remove files (and with -r, everything under a directory)."""
    flags = "".join(a[1:] for a in inv.argv[1:] if a.startswith("-") and len(a) > 1)
    force, recursive = "f" in flags, "r" in flags or "R" in flags
    status = 0
    fs = inv.process.fs
    for name in (a for a in inv.argv[1:] if not a.startswith("-") or a == "-"):
        path = absolute(inv, name)
        if _is_dir(fs, path):
            if not recursive:
                inv.err(f"rm: '{name}' is a directory")
                status = 1
                continue
            for child in _walk(fs, path):
                fs.remove(child)
        elif not fs.remove(path) and not force:
            inv.err(f"rm: can't remove '{name}': No such file or directory")
            status = 1
    return status
    yield


def _walk(fs: Filesystem, directory: str) -> list[str]:
    out: list[str] = []
    for name in listing(fs, directory):
        path = directory.rstrip("/") + "/" + name
        out.extend(_walk(fs, path) if _is_dir(fs, path) else [path])
    return out


def mkdir(inv: Invocation) -> Generator:
    """`mkdir [-p] DIR...`: directories are implied by files, so only the error is modelled."""
    parents = "-p" in inv.argv[1:]
    for name in (a for a in inv.argv[1:] if not a.startswith("-")):
        if inv.process.fs.exists(absolute(inv, name)) and not parents:
            inv.err(f"mkdir: can't create directory '{name}': File exists")
            return 1
    return 0
    yield


def ls(inv: Invocation) -> Generator:
    """`ls [PATH...]`: a directory's names, one per line (sorted), or the file's own name."""
    names = [a for a in inv.argv[1:] if not a.startswith("-")] or [inv.env.get("PWD", "/")]
    status = 0
    for name in names:
        path = absolute(inv, name)
        if inv.process.fs.read(path) is not None:
            inv.out(name)
        elif inv.process.fs.exists(path) or path == "/":
            for entry in listing(inv.process.fs, path):
                inv.out(entry)
        else:
            inv.err(f"ls: {name}: No such file or directory")
            status = 1
    return status
    yield


def test(inv: Invocation) -> Generator:
    """`test EXPR` and `[ EXPR ]`: -e -f -d -s -z -n, = !=, -eq -ne -lt -le -gt -ge, !."""
    args = inv.argv[1:]
    if inv.argv[0].rsplit("/", 1)[-1] == "[":
        if not args or args[-1] != "]":
            inv.err("[: missing ]")
            return 2
        args = args[:-1]
    try:
        return 0 if _test(inv, args) else 1
    except ValueError as error:
        inv.err(f"{inv.argv[0]}: {error}")
        return 2
    yield


def _test(inv: Invocation, args: list[str]) -> bool:
    fs = inv.process.fs
    if not args:
        return False
    if args[0] == "!":
        return not _test(inv, args[1:])
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, operand = args
        path = absolute(inv, operand)
        checks = {"-e": lambda: fs.exists(path), "-f": lambda: fs.read(path) is not None,
                  "-d": lambda: _is_dir(fs, path), "-s": lambda: bool(fs.read(path)),
                  "-z": lambda: operand == "", "-n": lambda: operand != ""}
        if op not in checks:
            raise ValueError(f"{op}: unknown operand")
        return checks[op]()
    if len(args) == 3:
        left, op, right = args
        if op in ("=", "=="):
            return left == right
        if op == "!=":
            return left != right
        numeric = {"-eq": int.__eq__, "-ne": int.__ne__, "-lt": int.__lt__, "-le": int.__le__,
                   "-gt": int.__gt__, "-ge": int.__ge__}
        if op in numeric:
            for value in (left, right):
                if not re.fullmatch(r"\s*-?\d+\s*", value):
                    raise ValueError(f"invalid number '{value}'")
            return numeric[op](int(left), int(right))
        raise ValueError(f"{op}: unknown operand")
    raise ValueError("syntax error")


def true(inv: Invocation) -> Generator:
    """`true`: status 0."""
    return 0
    yield


def false(inv: Invocation) -> Generator:
    """`false`: status 1."""
    return 1
    yield


def date(inv: Invocation) -> Generator:
    """`date [-u] [+FORMAT]`: the simulated time in UTC (busybox's default format); the
    simulation's second 0 is 2026-01-01T00:00:00Z."""
    moment = EPOCH + timedelta(seconds=int(inv.process.now))
    formats = [a[1:] for a in inv.argv[1:] if a.startswith("+")]
    fmt = formats[0] if formats else "%a %b %e %H:%M:%S %Z %Y"
    fmt = fmt.replace("%s", str(int(moment.timestamp()))).replace("%Z", "UTC")
    inv.out(moment.strftime(fmt))
    return 0
    yield


def hostname(inv: Invocation) -> Generator:
    """`hostname`: the pod's name (the UTS namespace's hostname, which $HOSTNAME carries)."""
    name = inv.env.get("HOSTNAME") or (inv.process.fs.read("/etc/hostname") or "").strip()
    inv.out(name or "localhost")
    return 0
    yield


def env(inv: Invocation) -> Generator:
    """`env` / `printenv [NAME]`: the environment, NAME=value per line, or one value."""
    names = inv.argv[1:]
    if names and inv.argv[0].rsplit("/", 1)[-1] == "printenv":
        missing = [n for n in names if n not in inv.env]
        for name in names:
            if name in inv.env:
                inv.out(inv.env[name])
        return 1 if missing else 0
    for name, value in inv.env.items():
        inv.out(f"{name}={value}")
    return 0
    yield


def _lines_option(inv: Invocation) -> tuple[int, list[str], set[str]]:
    count, names, flags = 10, [], set()
    args = iter(inv.argv[1:])
    for arg in args:
        if arg == "-n" or re.fullmatch(r"-n.+", arg):
            value = arg[2:] or next(args, "")
            if not value.isdigit():
                raise ValueError(f"invalid number '{value}'")
            count = int(value)
        elif re.fullmatch(r"-\d+", arg):
            count = int(arg[1:])
        elif arg.startswith("-") and len(arg) > 1:
            flags.update(arg[1:])
        else:
            names.append(arg)
    return count, names, flags


def head(inv: Invocation) -> Generator:
    """`head [-n N] FILE`: the first N lines (10)."""
    try:
        count, names, _ = _lines_option(inv)
    except ValueError as error:
        inv.err(f"head: {error}")
        return 1
    for name in names:
        text = inv.process.fs.read(absolute(inv, name))
        if text is None:
            inv.err(f"head: can't open '{name}': No such file or directory")
            return 1
        inv.stdout.write("".join(text.splitlines(keepends=True)[:count]))
    return 0
    yield


def tail(inv: Invocation) -> Generator:
    """`tail [-n N] [-f|-F] FILE`: the last N lines (10); -f/-F then print what is appended,
    looking again every second (busybox's tail sleeps 1 s between reads); -F waits for a
    missing file to appear."""
    try:
        count, names, flags = _lines_option(inv)
    except ValueError as error:
        inv.err(f"tail: {error}")
        return 1
    follow = bool(flags & {"f", "F"})
    if not names:
        return 0
    path = absolute(inv, names[0])
    text = inv.process.fs.read(path)
    if text is None:
        inv.err(f"tail: can't open '{names[0]}': No such file or directory")
        if not follow:
            return 1
    else:
        inv.stdout.write("".join(text.splitlines(keepends=True)[-count:] if count else []))
    seen = len(text or "")
    while follow:
        yield inv.process.env.timeout(TAIL_POLL_SECONDS)
        text = inv.process.fs.read(path)
        if text is None:
            continue
        if len(text) < seen:
            inv.err(f"tail: {names[0]}: file truncated")
            seen = 0
        inv.stdout.write(text[seen:])
        seen = len(text)
    return 0
