"""An admission webhook server whose logic is a Python function the reader writes.

The program listens on 8443 and answers every POST: it reads the AdmissionReview, calls
`handler(request)` with its `request` part (uid, kind, resource, operation, object, oldObject,
userInfo, namespace, dryRun...), and sends back `{"apiVersion", "kind": "AdmissionReview",
"response": <what the handler returned, with the request's uid>}`, as a controller-runtime
webhook does. A handler that raises makes the server answer 500 with the exception's text
(and write it to the container's log); a handler that returns something other than a mapping
has it sent as it is, which the API server cannot read. `latency` is the time each review takes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator

from k8slab.node.process import Process
from k8slab.node.programs.http import response

PORT = 8443
Handler = Callable[[dict], object]


def webhook_program(handler: Handler, latency: float = 0.0) -> Callable[[Process], Generator]:
    """The container program serving `handler` on :8443, each answer after `latency` s."""

    def main(process: Process) -> Generator:
        def serve(request: dict) -> Generator:
            if request.get("method") != "POST":
                return response(405, "method not allowed\n", **{"Content-Type": "text/plain"})
            if latency:
                yield process.env.timeout(latency)
            try:
                review = json.loads(request.get("body") or "")
                asked = review["request"]
            except (ValueError, KeyError, TypeError):
                return response(400, "the body is not an AdmissionReview\n",
                                **{"Content-Type": "text/plain"})
            try:
                answer = handler(asked)
                if isinstance(answer, dict):
                    answer = {"uid": asked.get("uid", ""), **answer}
                    answer = {"apiVersion": review.get("apiVersion", "admission.k8s.io/v1"),
                              "kind": "AdmissionReview", "response": answer}
                body = json.dumps(answer)
            except Exception as error:  # noqa: BLE001 - the reader's handler failed
                text = f"{type(error).__name__}: {error}"
                process.write(f"handler failed for {asked.get('uid', '')}: {text}", "stderr")
                return response(500, text, **{"Content-Type": "text/plain"})
            process.write(f"{asked.get('operation', '')} {asked.get('namespace', '')}/"
                          f"{asked.get('name', '')}: answered")
            return response(200, body, **{"Content-Type": "application/json"})

        process.listen(PORT, serve)
        process.write(f"serving admission reviews on :{PORT}")
        yield process.env.event()

    return main
