"""A read-only stand-in for the endpoint, for tests of the documents alone: plain HTTP on
loopback, answering /version, discovery, OpenAPI and LISTs (as a Table when asked) of a fixed set
of objects, so the real kubectl binary can read what discovery.py, openapi.py and tables.py
produce without the TLS server and router."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from k8slab.lab.serving.discovery import discovery_response
from k8slab.lab.serving.openapi import openapi_bytes, openapi_document
from k8slab.lab.serving.tables import table, wants_table

KUBECTL = Path(sys.executable).parent / "kubectl"
VERSION = {"major": "1", "minor": "35", "gitVersion": "v1.35.0", "platform": "linux/amd64"}


def _handler(objects: dict[str, list[dict]], now: float) -> type[BaseHTTPRequestHandler]:
    crds = objects.get("customresourcedefinitions", [])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url, accept = urlsplit(self.path), self.headers.get("Accept", "")
            if url.path == "/version":
                return self.answer(200, "application/json", json.dumps(VERSION).encode())
            found = discovery_response(url.path, accept, crds)
            if found is not None:
                return self.answer(200, found[0], json.dumps(found[1]).encode())
            document = openapi_document(url.path, crds)
            if document is not None:
                return self.answer(200, "application/json", openapi_bytes(document))
            parts = url.path.strip("/").split("/")
            if parts[-1] not in objects:
                return self.answer(404, "application/json", b"{}")
            namespace = parts[parts.index("namespaces") + 1] if "namespaces" in parts[:-1] \
                else None
            chosen = [o for o in objects[parts[-1]]
                      if namespace in (None, o["metadata"].get("namespace"))]
            if not wants_table(accept):
                listed = {"kind": "List", "apiVersion": "v1",
                          "metadata": {"resourceVersion": "1"}, "items": chosen}
                return self.answer(200, "application/json", json.dumps(listed).encode())
            include = parse_qs(url.query).get("includeObject", ["Metadata"])[0]
            document = table(parts[-1], chosen, now=now, crds=crds, include_object=include,
                             list_metadata={"resourceVersion": "1"})
            self.answer(200, "application/json;as=Table;v=v1;g=meta.k8s.io",
                        json.dumps(document).encode())

    return Handler


@contextmanager
def serving(objects: dict[str, list[dict]] | None = None, now: float = 0.0) -> Iterator[str]:
    """Serve the documents (and `objects`, by plural resource) on 127.0.0.1; yields the URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(objects or {}, now))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_kubectl(url: str, home: Path, *words: str) -> subprocess.CompletedProcess:
    """The real kubectl against `url`, with no kubeconfig and a private cache."""
    return subprocess.run(
        [str(KUBECTL), f"--server={url}", f"--cache-dir={home / 'cache'}", *words],
        capture_output=True, text=True, timeout=60,
        env={"KUBECONFIG": str(home / "no-kubeconfig"), "HOME": str(home)})
