"""What a kubectl command leaves on the terminal: its lines, its error, and how long it may wait.

kubectl writes results to stdout and warnings and errors to stderr; the lab returns them as
one text, in the order a terminal shows them. A command that fails after printing something
(drain cordons a node, then refuses its pods) raises `KubectlError`, whose message is the whole
transcript and whose `output` is what was printed before the error.
"""

from __future__ import annotations

from k8slab.errors import APIError, InvalidError, K8sLabError, NotFoundError

# kubectl's waits are long: delete waits up to 168 h (delete.go: effectiveTimeout), rollout
# status and drain for ever when --timeout is 0. The lab stops waiting after ten simulated
# minutes unless --timeout asks for longer, up to a simulated day (what one run() advances).
WAIT_LIMIT = 600.0
LONGEST_WAIT = 86_400.0
# Spare simulated time for the requests around a wait (their own timeouts are far shorter).
REQUEST_MARGIN = 60.0


class KubectlError(K8sLabError):
    """kubectl exited with an error after printing `output` (possibly nothing)."""

    def __init__(self, output: list[str], error: str) -> None:
        self.output = "\n".join(output)
        self.error = error
        super().__init__("\n".join([*output, error]))


class KubectlNotFoundError(KubectlError, NotFoundError):
    """kubectl's error when the API server answered NotFound (`except NotFoundError` sees it)."""


def api_error_line(error: APIError) -> str:
    """How kubectl's checkErr prints an API error: an Invalid one as `The Pod "web" is invalid:
    <causes>` (or `The request is invalid: ...` when it names no object), others as
    `Error from server (Reason): <message>` (cmdutil.StandardErrorMessage)."""
    if isinstance(error, InvalidError):
        named, found, causes = error.message.partition(" is invalid: ")
        if found and named.strip() not in ("", '""'):
            return f"The {named} is invalid: {causes}"
        return f"The request is invalid: {causes if found else error.message}"
    reason = f" ({error.reason})" if error.reason else ""
    return f"Error from server{reason}: {error.message}"


def wait_seconds(timeout: float | None) -> float:
    """How long a waiting verb waits: its --timeout when given (0 = kubectl's "for ever",
    which the lab bounds at WAIT_LIMIT), at most LONGEST_WAIT."""
    if timeout is None or timeout <= 0:
        return WAIT_LIMIT
    return min(timeout, LONGEST_WAIT)


def bounded_note(timeout: float | None) -> str:
    """The sentence the lab adds when it stopped a wait kubectl would have continued."""
    if timeout is None or timeout <= 0:
        return (f"(the lab stops waiting after {WAIT_LIMIT:g} simulated seconds; "
                "pass --timeout=30m to wait longer, or run the cluster and look again)")
    return ""
