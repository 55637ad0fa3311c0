"""The CNI contract between a runtime and its plugins: the CNI_* variables a plugin is run with,
and the error object it prints when it fails (CNI spec v1.0.0, SPEC.md "Parameters", "Error").

A plugin here is a function, not an executable in /opt/cni/bin; the variables and the JSON that
go in and come out are the spec's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from k8slab.errors import K8sLabError

CNI_VERSION = "1.0.0"
CNI_PATH = "/opt/cni/bin"
COMMANDS = ("ADD", "DEL", "CHECK")
# Well-known error codes (SPEC.md "Error"): 7 invalid network config, 11 try again later;
# a plugin's plain Go error reaches the runtime as 999 (skel wraps it as types.ErrInternal).
INVALID_CONFIG = 7
TRY_AGAIN_LATER = 11
INTERNAL = 999


class CniError(K8sLabError):
    """A plugin failed: `code` and `msg` are the error object the plugin printed."""

    def __init__(self, msg: str, code: int = INTERNAL, details: str = "") -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.details = details

    def to_json(self) -> dict:
        """The error as the plugin prints it on stdout."""
        return {"cniVersion": CNI_VERSION, "code": self.code, "msg": self.msg,
                "details": self.details}


@dataclass(frozen=True)
class Invocation:
    """One run of a plugin: the CNI_* environment the runtime sets."""

    command: str
    container_id: str
    netns: str
    ifname: str = "eth0"
    args: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.command not in COMMANDS:
            raise CniError(f"unknown CNI_COMMAND: {self.command!r}; accepted: "
                           f"{', '.join(COMMANDS)}", INVALID_CONFIG)
        if not self.container_id:
            raise CniError("required env variables [CNI_CONTAINERID] missing", INVALID_CONFIG)

    def environ(self) -> dict[str, str]:
        """The variables as the plugin's process sees them."""
        return {"CNI_COMMAND": self.command, "CNI_CONTAINERID": self.container_id,
                "CNI_NETNS": self.netns, "CNI_IFNAME": self.ifname,
                "CNI_ARGS": format_args(self.args), "CNI_PATH": CNI_PATH}


def format_args(args: dict[str, str]) -> str:
    """CNI_ARGS as containerd passes them: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;...`."""
    return ";".join(f"{key}={value}" for key, value in {"IgnoreUnknown": "1", **args}.items())


def parse_args(text: str) -> dict[str, str]:
    """CNI_ARGS back into pairs; a pair without `=` is rejected in the plugins' words."""
    pairs: dict[str, str] = {}
    for item in filter(None, text.split(";")):
        key, sep, value = item.partition("=")
        if not sep:
            raise CniError(f'ARGS: invalid pair "{item}"', INVALID_CONFIG)
        pairs[key] = value
    return pairs
