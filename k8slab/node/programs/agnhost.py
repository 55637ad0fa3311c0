"""agnhost, Kubernetes' e2e test image (test/images/agnhost): one binary, many subcommands.

Modelled: `liveness` (the docs' http-liveness server: /healthz is 200 "ok" for the first 10 s
after start, then 500 "error: <seconds>"), `netexec` (/hostname, /clientip, /echo?msg=,
/healthz, / on --http-port; `hostname`, `echo X`, `clientip` over UDP on --udp-port),
`serve-hostname` (its hostname on --port 9376), `pause`, and
`grpc-health-checking` (gRPC health on --port 5000; /make-serving and /make-not-serving on
--http-port 8080). Other subcommands are cobra's `unknown command`.
/clientip answers the caller's address as the server saw it (pods talk without NAT; a Service
DNATs only the destination); upstream writes Go's RemoteAddr, `ip:port`, and the port is left
out when the connection carries none.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from k8slab.node.process import Process
from k8slab.node.programs import golang
from k8slab.node.programs.http import response, route

# Resident memory of the Go binary (plausible, not measured).
RESIDENT_BYTES = 8 * 1024 * 1024


def _hostname(process: Process) -> str:
    return process.environ.get("HOSTNAME", "localhost")


def liveness(process: Process, args: list[str]) -> Generator:
    """HTTP :8080: /healthz 200 `ok` while at most 10 s have passed since start, then 500."""
    started = process.now

    def handle(request: dict) -> Generator:
        path, query = route(request)
        if path == "/healthz":
            elapsed = process.now - started
            if elapsed > 10:
                return response(500, f"error: {golang.float_v(elapsed)}")
            return response(200, "ok")
        if path == "/redirect":
            return response(302, "", Location=query.get("loc", [""])[0])
        return response(404, "404 page not found\n")
        yield

    process.listen(8080, handle)
    yield process.env.event()


def _client(request: dict) -> str:
    address, port = request.get("remote_addr", ""), request.get("remote_port")
    return f"{address}:{port}" if port is not None else str(address)


def netexec(process: Process, args: list[str]) -> Generator:
    """HTTP on --http-port (8080): /hostname, /clientip, /echo?msg=, /healthz, / (the time);
    UDP on --udp-port (8081): `hostname`, `echo X`, `clientip`."""
    flags = golang.parse_flags(args, {"http-port": "8080", "udp-port": "8081",
                                      "sctp-port": "-1", "delay-shutdown": "0"})
    port = golang.int_flag(flags, "http-port")

    def handle(request: dict) -> Generator:
        path, query = route(request)
        golang.log(process, f"GET {path}")
        if path == "/hostname":
            return response(200, _hostname(process))
        if path == "/clientip":
            return response(200, _client(request))
        if path == "/echo":
            return response(200, query.get("msg", [""])[0])
        if path == "/healthz":
            return response(200, "")
        if path == "/":
            return response(200, f"NOW: {golang.float_v(process.now)}")
        return response(404, "404 page not found\n")
        yield

    def handle_udp(request: dict) -> Generator:
        # netexec's UDP server: one datagram in, one out; an unknown command gets nothing.
        command, _, rest = str(request.get("payload", "")).strip().partition(" ")
        replies = {"hostname": _hostname(process), "echo": rest, "clientip": _client(request)}
        return {"payload": replies.get(command)}
        yield

    golang.log(process, f"Started HTTP server on port {port}")
    process.listen(port, handle)
    udp_port = golang.int_flag(flags, "udp-port")
    # Simplified: a namespace keeps one listener per port number, TCP or UDP alike, so the
    # UDP server stays off when --http-port took its number.
    if udp_port > 0 and udp_port != port:
        golang.log(process, f"Started UDP server on port {udp_port}")
        process.listen(udp_port, handle_udp)
    yield process.env.event()


def serve_hostname(process: Process, args: list[str]) -> Generator:
    """HTTP on --port (9376): every request answered with the pod's hostname."""
    flags = golang.parse_flags(args, {"port": "9376", "http": "true", "tcp": "false",
                                      "udp": "false"})

    def handle(request: dict) -> Generator:
        return response(200, _hostname(process))
        yield

    golang.log(process, f"Serving on port {flags['port']}.")
    process.listen(golang.int_flag(flags, "port"), handle)
    yield process.env.event()


def pause(process: Process, args: list[str]) -> Generator:
    """Print `Paused` and wait for a signal."""
    process.write("Paused")
    yield process.env.event()


def grpc_health_checking(process: Process, args: list[str]) -> Generator:
    """gRPC health (grpc.health.v1) on --port, SERVING until /make-not-serving on --http-port."""
    flags = golang.parse_flags(args, {"port": "5000", "http-port": "8080", "service": "",
                                      "delay-unhealthy-sec": "-1"})
    state = {"serving": True}

    def health(request: dict) -> Generator:
        service = request.get("service", "")
        if service not in ("", flags["service"]):
            return {"status": "SERVICE_UNKNOWN"}
        return {"status": "SERVING" if state["serving"] else "NOT_SERVING"}
        yield

    def control(request: dict) -> Generator:
        path, _ = route(request)
        if path in ("/make-serving", "/make-not-serving"):
            state["serving"] = path == "/make-serving"
            golang.log(process, f"Mark as {'serving' if state['serving'] else 'not serving'}")
            return response(200, "")
        return response(404, "404 page not found\n")
        yield

    process.listen(golang.int_flag(flags, "port"), health)
    process.listen(golang.int_flag(flags, "http-port"), control)
    golang.log(process, f"gRPC server starting to listen on :{flags['port']}")
    yield process.env.event()


SUBCOMMANDS: dict[str, Callable[[Process, list[str]], Generator]] = {
    "liveness": liveness, "netexec": netexec, "serve-hostname": serve_hostname,
    "pause": pause, "grpc-health-checking": grpc_health_checking,
}


def main(process: Process) -> Generator:
    """`agnhost SUBCOMMAND [FLAGS]`: run the subcommand; cobra's errors otherwise (exit 1)."""
    args = process.argv[1:]
    if not args:
        process.write("Usage:\n  agnhost [command]\n\nAvailable Commands:")
        for name in sorted(SUBCOMMANDS):
            process.write(f"  {name}")
        return 0
    subcommand = SUBCOMMANDS.get(args[0])
    if subcommand is None:
        process.write(f'Error: unknown command "{args[0]}" for "agnhost"', "stderr")
        process.write("Run 'agnhost --help' for usage.", "stderr")
        return 1
    process.allocate(RESIDENT_BYTES)
    try:
        return (yield from subcommand(process, args[1:]))
    except golang.GoFlagError as error:
        text = str(error).replace("flag provided but not defined: -", "unknown flag: --")
        process.write(f"Error: {text}", "stderr")
        return 1


main.sigterm_seconds = 0.0  # a Go server: SIGTERM ends it at once
