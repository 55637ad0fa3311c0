"""The pod-template-hash: how a Deployment names the ReplicaSet of one pod template.

Upstream (kk pkg/controller/controller_utils.go ComputeHash) feeds the template's printed form
to FNV-32a, then collisionCount as 8 little-endian bytes when set, and writes the 32-bit sum's
decimal digits through rand.SafeEncodeString (apimachinery util/rand), which maps each byte to
an alphabet without vowels so that no word appears in a name: "web-7d4b9c5f6".
Simplified: Go prints the template with go-spew (DeepHashObject); we hash its JSON form with
sorted keys instead, so the algorithm is upstream's but the hash of a given template differs
from the one a real cluster computes.
"""

from __future__ import annotations

import json

# apimachinery pkg/util/rand/rand.go: "We omit vowels from the set of available characters to
# reduce the chances of 'bad words' being formed."
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193


def fnv32a(data: bytes, start: int = _FNV32_OFFSET) -> int:
    """FNV-1a, 32 bits (Go's hash/fnv New32a), continued from `start` when given."""
    value = start
    for byte in data:
        value = ((value ^ byte) * _FNV32_PRIME) & 0xFFFFFFFF
    return value


def safe_encode_string(text: str) -> str:
    """rand.SafeEncodeString: each byte of `text` becomes SAFE_ALPHABET[byte % 27]."""
    return "".join(SAFE_ALPHABET[byte % len(SAFE_ALPHABET)] for byte in text.encode())


def compute_hash(template: dict, collision_count: int | None = None) -> str:
    """The pod-template-hash of a pod template, changed by collisionCount when set."""
    printed = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    value = fnv32a(printed)
    if collision_count is not None:
        value = fnv32a((collision_count & 0xFFFFFFFF).to_bytes(4, "little") + bytes(4), value)
    return safe_encode_string(str(value))
