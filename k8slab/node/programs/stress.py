"""Two stress programs the Kubernetes docs use to fill a container's memory or CPU.

polinux/stress is Amos Waterland's `stress` (C): `--vm N --vm-bytes 150M` allocates and touches
N x 150 MiB (its suffixes are powers of 1024), `--cpu N` spins N workers, `--timeout T` ends the
run. vish/stress (Go): `-mem-total 150Mi -mem-alloc-size 10Mi -mem-alloc-sleep 1s` allocates
step by step, `-cpus 2` burns two threads. Past memory.max, `process.allocate` raises the OOM
kill (the docs' memory-demo-2 ends OOMKilled); past cpu.max, `process.compute` is throttled.
Simplified: a vm worker allocates once and keeps it (re-dirtying the same pages changes nothing
the cgroup counts), and the workers take their turns in one loop, memory first, then CPU.
"""

from __future__ import annotations

import re
from collections.abc import Generator

from k8slab.api.quantity import memory_bytes
from k8slab.node.process import Process
from k8slab.node.programs import golang

# CPU is burnt in slices of this many wall seconds, so a reader sees progress every second.
CPU_SLICE_SECONDS = 1.0
_STRESS_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_STRESS_OPTIONS = {"-c": "cpu", "--cpu": "cpu", "-m": "vm", "--vm": "vm", "--vm-bytes": "vm-bytes",
                   "--vm-hang": "vm-hang", "--vm-stride": "vm-stride", "-t": "timeout",
                   "--timeout": "timeout", "-i": "io", "--io": "io", "-d": "hdd", "--hdd": "hdd",
                   "--hdd-bytes": "hdd-bytes", "--backoff": "backoff"}


def _stress_bytes(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)([bkmgBKMG]?)", text)
    return int(match.group(1)) * _STRESS_UNITS[match.group(2).lower()] if match else None


def _stress_seconds(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)([smhdy]?)", text)
    units = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "y": 31536000}
    return int(match.group(1)) * units[match.group(2)] if match else None


def polinux_stress(process: Process) -> Generator:
    """`stress [--cpu N] [--vm N [--vm-bytes B] [--vm-hang S]] [--timeout T]`."""
    options = {"cpu": "0", "vm": "0", "vm-bytes": "256M", "timeout": "", "io": "0", "hdd": "0"}
    args = process.argv[1:]
    if not args or args[0] in ("-?", "--help"):
        process.write("Usage: stress [OPTION [ARG]] ...")
        return 0
    while args:
        flag, args = args[0], args[1:]
        if flag in ("-v", "--verbose", "-q", "--quiet"):
            continue
        name = _STRESS_OPTIONS.get(flag)
        if name is None or not args:
            process.write(f"stress: FAIL: [1] unrecognized option: {flag}", "stderr")
            return 1
        options[name], args = args[0], args[1:]
    counts = {k: options[k] for k in ("cpu", "io", "vm", "hdd")}
    size = _stress_bytes(options["vm-bytes"])
    timeout = _stress_seconds(options["timeout"]) if options["timeout"] else None
    bad = [f"{k} {v}" for k, v in counts.items() if not v.isdigit()]
    if bad or size is None or (options["timeout"] and timeout is None):
        process.write(f"stress: FAIL: [1] invalid argument: {(bad or [options['vm-bytes']])[0]}",
                      "stderr")
        return 1
    cpu, io, vm, hdd = (int(counts[k]) for k in ("cpu", "io", "vm", "hdd"))
    process.write(f"stress: info: [1] dispatching hogs: {cpu} cpu, {io} io, {vm} vm, {hdd} hdd")
    if io or hdd:
        process.write("stress: FAIL: [1] io and hdd hogs are not modelled in k8slab", "stderr")
        return 1
    started = process.now
    for _ in range(vm):
        process.allocate(size)  # the OOM killer ends the container here past memory.max
    while timeout is None or process.now - started < timeout:
        left = CPU_SLICE_SECONDS if timeout is None else \
            min(CPU_SLICE_SECONDS, timeout - (process.now - started))
        if cpu:
            limit = process.cgroup.cpu_limit()
            rate = cpu if limit is None else min(cpu, limit)
            yield from process.compute(left * rate, threads=cpu)
        elif timeout is None:
            yield process.env.event()  # hogs hold their memory until killed
        else:
            yield process.env.timeout(left)
    process.free()
    process.write(f"stress: info: [1] successful run completed in {round(process.now - started)}s")
    return 0


polinux_stress.sigterm_seconds = None  # C, no SIGTERM handler: as PID 1 it ignores SIGTERM


def vish_stress(process: Process) -> Generator:
    """`stress [-mem-total Q] [-mem-alloc-size Q] [-mem-alloc-sleep D] [-cpus N]`."""
    try:
        flags = golang.parse_flags(process.argv[1:], {
            "mem-total": "0", "mem-alloc-size": "4Ki", "mem-alloc-sleep": "1ms", "cpus": "0",
            "logtostderr": "false", "alsologtostderr": "false", "v": "0"})
        total = memory_bytes(flags["mem-total"])
        step = memory_bytes(flags["mem-alloc-size"])
        pause = golang.parse_duration(flags["mem-alloc-sleep"])
        cpus = golang.int_flag(flags, "cpus")
    except (golang.GoFlagError, ValueError) as error:
        process.write(str(error), "stderr")
        return 2
    allocated = 0
    while step > 0 and allocated < total:
        chunk = min(step, total - allocated)
        process.allocate(chunk)
        allocated += chunk
        yield process.env.timeout(pause)
    while cpus > 0:
        limit = process.cgroup.cpu_limit()
        rate = cpus if limit is None else min(cpus, limit)
        yield from process.compute(CPU_SLICE_SECONDS * rate, threads=cpus)
    yield process.env.event()


vish_stress.sigterm_seconds = 0.0  # Go: SIGTERM ends it at once
