"""The commands a busybox (or alpine, or debian) image has on its PATH, and their shell.

`busybox_commands()` is a fresh table of applet programs with `sh` over that same table, so a
script run by `sh -c` finds exactly what the image holds; an image adds its own programs
(`with_shell(agnhost=...)`) and its `sh` sees them too.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.node.process import Process
from k8slab.node.programs import applets, applets_net, nslookup
from k8slab.node.programs.shell import shell_program
from k8slab.node.programs.streams import applet_program

Program = Callable[[Process], Generator]

# runc's rule (NO_TERM_HANDLER): these install no SIGTERM handler, so as PID 1 they ignore it.
_IGNORE_SIGTERM = ("sleep", "tail", "cat")

APPLETS = {
    "sleep": applets.sleep, "echo": applets.echo, "cat": applets.cat, "touch": applets.touch,
    "rm": applets.rm, "mkdir": applets.mkdir, "ls": applets.ls, "test": applets.test,
    "[": applets.test, "true": applets.true, "false": applets.false, "date": applets.date,
    "hostname": applets.hostname, "env": applets.env, "printenv": applets.env,
    "head": applets.head, "tail": applets.tail, "wget": applets_net.wget,
    "nslookup": nslookup.nslookup, "nc": applets_net.nc, "ping": applets_net.ping,
}


def with_shell(applet_names: tuple[str, ...] | None = None, **programs: Program) -> dict:
    """A PATH: the named applets (all by default), `programs`, and `sh`/`ash` over them all."""
    names = tuple(APPLETS) if applet_names is None else applet_names
    commands: dict[str, Program] = {
        name: applet_program(APPLETS[name], ignores_sigterm=name in _IGNORE_SIGTERM)
        for name in names
    }
    commands.update(programs)
    shell = shell_program(commands)
    commands["sh"] = commands["ash"] = shell
    return commands
