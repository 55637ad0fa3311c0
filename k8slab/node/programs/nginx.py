"""nginx: serves the files under /usr/share/nginx/html on port 80, logs each request.

As the official image runs it (`nginx -g 'daemon off;'`): the default index.html answers `/`,
a missing file is nginx's 404 page (and an `open() ... failed` line in the error log), and each
request is an access-log line on stdout in the image's `main` format (combined plus
X-Forwarded-For). Simplified: no /docker-entrypoint.sh, no nginx.conf; one worker process.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from functools import lru_cache

from k8slab.api.timestamps import EPOCH
from k8slab.node.process import Process
from k8slab.node.programs.http import reason, response, route

ROOT = "/usr/share/nginx/html"
PORT = 80
# The version a tag like `latest` runs (nginx mainline when v1.35 shipped; plausible figure).
DEFAULT_VERSION = "1.29.3"
# Resident memory of the master and one worker: a few MiB (plausible, not measured).
RESIDENT_BYTES = 6 * 1024 * 1024

INDEX_HTML = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""


def version(process: Process) -> str:
    """The nginx version of the image's tag (`nginx:1.25` -> 1.25), else DEFAULT_VERSION."""
    tag = str(process.bundle.get("image", "")).rsplit("/", 1)[-1].partition(":")[2]
    return tag if tag[:1].isdigit() else DEFAULT_VERSION


def error_page(status: int, server: str) -> str:
    """nginx's built-in error page."""
    title = f"{status} {reason(status) if status != 405 else 'Not Allowed'}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>{server}</center>\r\n"
            "</body>\r\n</html>\r\n")


def _clock(process: Process, fmt: str) -> str:
    return _stamp(int(process.now), fmt)


@lru_cache(maxsize=256)  # a log line a request: the same second is formatted once
def _stamp(seconds: int, fmt: str) -> str:
    return (EPOCH + timedelta(seconds=seconds)).strftime(fmt)


def main(process: Process) -> Generator:
    """`nginx [-g DIRECTIVES]`: start, listen on :80, serve until killed."""
    args = process.argv[1:]
    while args:
        if args[0] in ("-g", "-c") and len(args) > 1:
            args = args[2:]
        else:
            process.write(f'nginx: invalid option: "{args[0].lstrip("-")}"', "stderr")
            return 1
    server = f"nginx/{version(process)}"
    notice = _clock(process, "%Y/%m/%d %H:%M:%S")
    process.allocate(RESIDENT_BYTES)

    def log_error(level: str, text: str, pid: int = 1) -> None:
        process.write(f"{_clock(process, '%Y/%m/%d %H:%M:%S')} [{level}] {pid}#{pid}: {text}",
                      "stderr")

    def handle(request: dict) -> Generator:
        path, _ = route(request)
        headers = request.get("headers", {})
        file = path + "index.html" if path.endswith("/") else path
        body = process.fs.read(ROOT + file)
        if request.get("method", "GET") not in ("GET", "HEAD"):
            status, body = 405, error_page(405, server)
        elif body is None:
            status = 404
            log_error("error", f'*1 open() "{ROOT}{file}" failed (2: No such file or directory),'
                      f' client: {request.get("remote_addr", "127.0.0.1")}, server: localhost,'
                      f' request: "{request.get("method", "GET")} {path} HTTP/1.1",'
                      f' host: "{headers.get("Host", "localhost")}"', pid=29)
            body = error_page(404, server)
        else:
            status = 200
        process.write(
            f'{request.get("remote_addr", "127.0.0.1")} - - '
            f'[{_clock(process, "%d/%b/%Y:%H:%M:%S +0000")}] '
            f'"{request.get("method", "GET")} {request.get("path", "/")} HTTP/1.1" {status} '
            f'{len(body.encode())} "{headers.get("Referer", "-")}" '
            f'"{headers.get("User-Agent", "-")}" "{headers.get("X-Forwarded-For", "-")}"')
        return response(status, body, Server=server)
        yield

    try:
        process.listen(PORT, handle)
    except OSError:
        process.write(f"{notice} [emerg] 1#1: bind() to 0.0.0.0:{PORT} failed "
                      "(98: Address already in use)", "stderr")
        return 1
    for text in ('using the "epoll" event method', server, "start worker processes",
                 "start worker process 29"):
        log_error("notice", text)
    yield process.env.event()  # serves until killed


main.sigterm_seconds = 0.0  # nginx's fast shutdown on SIGTERM
