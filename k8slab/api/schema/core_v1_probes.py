"""k8s.io/api/core/v1 Probe and its handlers (exec, httpGet, tcpSocket, grpc), field by field.

Typed to the leaf so that a probe with a field of the wrong JSON type fails at decoding, as the
API server's JSON decoder fails it, before validation reads the numbers (types.go, v1.35).
"""

from __future__ import annotations

from k8slab.api.schema.types import (
    INT32,
    INT64,
    INT_OR_STRING,
    STRING,
    STRINGS,
    ListOf,
    Struct,
    enum,
)

EXEC_ACTION = Struct("v1.ExecAction", {"command": STRINGS})
HTTP_HEADER = Struct("v1.HTTPHeader", {"name": STRING, "value": STRING})
HTTP_GET_ACTION = Struct(
    "v1.HTTPGetAction",
    {
        "path": STRING,
        "port": INT_OR_STRING,
        "host": STRING,
        "scheme": enum("v1.URIScheme"),
        "httpHeaders": ListOf(HTTP_HEADER),
    },
)
TCP_SOCKET_ACTION = Struct("v1.TCPSocketAction", {"port": INT_OR_STRING, "host": STRING})
GRPC_ACTION = Struct("v1.GRPCAction", {"port": INT32, "service": STRING})

PROBE = Struct(
    "v1.Probe",
    {
        "exec": EXEC_ACTION,
        "httpGet": HTTP_GET_ACTION,
        "tcpSocket": TCP_SOCKET_ACTION,
        "grpc": GRPC_ACTION,
        "initialDelaySeconds": INT32,
        "timeoutSeconds": INT32,
        "periodSeconds": INT32,
        "successThreshold": INT32,
        "failureThreshold": INT32,
        "terminationGracePeriodSeconds": INT64,
    },
)
