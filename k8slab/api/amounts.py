"""Quantities as Go's resource.Quantity adds and prints them: a sum keeps the format of its
first non-zero term, and String() writes the value canonically ("500m", "1536Mi", "1500k").

A Quantity remembers the format it was written in (decimal SI, binary SI, or a decimal
exponent) (apimachinery pkg/api/resource quantity.go CanonicalizeBytes, AsCanonicalBytes,
AsCanonicalBase1024Bytes; amount.go). Pod totals follow PodRequests and PodLimits
(component-helpers resource/helpers.go): what `kubectl describe node` prints and what
ResourceQuota charges a pod.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from k8slab.api.quantity import BINARY_SUFFIXES, DECIMAL_SUFFIXES, parse_quantity
from k8slab.errors import BadRequestError

DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT = "DecimalSI", "BinarySI", "DecimalExponent"
_DECIMAL_BY_EXPONENT = {exponent: suffix for suffix, exponent in DECIMAL_SUFFIXES.items()}
_BINARY_BY_POWER = {power: suffix for suffix, power in BINARY_SUFFIXES.items()}
_POD_LEVEL = ("cpu", "memory")  # helpers.go IsSupportedPodLevelResource


@dataclass(frozen=True)
class Amount:
    """A quantity's exact value and the format Go keeps beside it."""

    value: Fraction
    format: str = DECIMAL_SI

    def __add__(self, other: Amount) -> Amount:
        # quantity.go Add: a zero quantity takes the format of what is added to it.
        return Amount(self.value + other.value, other.format if self.value == 0 else self.format)

    def __str__(self) -> str:
        return canonical(self)


ZERO = Amount(Fraction(0))


def amount(text: object, field: str) -> Amount:
    """Parse a quantity as ParseQuantity does, keeping its format; `field` names it in errors."""
    try:
        value = parse_quantity(text)  # type: ignore[arg-type]
    except ValueError as err:
        raise BadRequestError(f"error: {field} {text!r} is not a quantity: {err}") from None
    suffix = str(text).lstrip("+-0123456789.")
    if suffix in BINARY_SUFFIXES:
        return Amount(value, BINARY_SI)
    if suffix[:1] in ("e", "E") and len(suffix) > 1:  # "1e3"; a bare "E" is exa
        return Amount(value, DECIMAL_EXPONENT)
    return Amount(value, DECIMAL_SI)


def canonical(quantity: Amount) -> str:
    """Quantity.String(): "0"; binary SI as the largest exact power of 1024 ("1536Mi"), below
    1024 or fractional as decimal SI; decimal as mantissa and a multiple-of-three exponent."""
    value, form = quantity.value, quantity.format
    if value == 0:
        return "0"
    if form == BINARY_SI and (abs(value) < 1024 or value.denominator != 1):
        form = DECIMAL_SI
    if form == BINARY_SI:
        number, power = int(value), 0
        while number % 1024 == 0 and power < 60:
            number, power = number // 1024, power + 10
        return f"{number}{_BINARY_BY_POWER.get(power, '')}"
    # Values are whole nano-units (ParseQuantity rounds there); strip trailing zeros, then
    # lower the exponent to a multiple of three.
    nanos = math.ceil(value * 10**9) if value > 0 else -math.ceil(-value * 10**9)
    zeros = len(str(abs(nanos))) - len(str(abs(nanos)).rstrip("0"))
    exponent = ((zeros - 9) // 3) * 3
    mantissa = nanos // 10 ** (exponent + 9)
    if form == DECIMAL_EXPONENT:
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    suffix = _DECIMAL_BY_EXPONENT.get(exponent)
    return f"{mantissa}{suffix}" if suffix is not None else f"{mantissa}e{exponent}"


def milli_value(quantity: Amount) -> int:
    """Quantity.MilliValue: thousandths, rounded away from zero."""
    return _away_from_zero(quantity.value * 1000)


def whole_value(quantity: Amount) -> int:
    """Quantity.Value: whole units, rounded away from zero."""
    return _away_from_zero(quantity.value)


def _away_from_zero(value: Fraction) -> int:
    return math.ceil(value) if value >= 0 else -math.ceil(-value)


def resource_list(quantities: dict | None, field: str) -> dict[str, Amount]:
    """A ResourceList ({"cpu": "250m"}) as Amounts, in the order written."""
    return {name: amount(text, f"{field}.{name}") for name, text in (quantities or {}).items()}


def add_into(total: dict[str, Amount], more: dict[str, Amount]) -> None:
    for name, quantity in more.items():
        total[name] = total[name] + quantity if name in total else quantity


def max_into(total: dict[str, Amount], other: dict[str, Amount]) -> None:
    for name, quantity in other.items():
        if name not in total or quantity.value > total[name].value:
            total[name] = quantity


def pod_totals(pod: dict, field: str) -> dict[str, Amount]:
    """PodRequests (field "requests") or PodLimits ("limits") of one pod, in Go's formats.

    Containers add up; a sidecar (init container with restartPolicy Always) adds to them; a
    plain init container counts only at its peak; pod-level resources replace cpu and memory;
    overhead is added (to limits only where a limit is set). Resized resources reported in
    status (UseStatusResources) are not modelled: the spec is read.
    """
    spec = pod.get("spec") or {}
    name = pod.get("metadata", {}).get("name", "")
    total: dict[str, Amount] = {}
    for container in spec.get("containers") or []:
        add_into(total, _container(container, field, name))
    sidecars: dict[str, Amount] = {}
    init_peak: dict[str, Amount] = {}
    for container in spec.get("initContainers") or []:
        own = _container(container, field, name)
        if container.get("restartPolicy") == "Always":
            add_into(total, own)
            add_into(sidecars, own)
            running = dict(sidecars)
        else:
            running = dict(own)
            add_into(running, sidecars)
        max_into(init_peak, running)
    max_into(total, init_peak)
    pod_level = resource_list((spec.get("resources") or {}).get(field), f"pod {name} {field}")
    for resource in _POD_LEVEL:
        if resource in pod_level:
            total[resource] = pod_level[resource]
    for resource, quantity in resource_list(spec.get("overhead"), f"pod {name} overhead").items():
        if field == "requests":
            add_into(total, {resource: quantity})
        elif resource in total and total[resource].value != 0:
            total[resource] = total[resource] + quantity
    return total


def _container(container: dict, field: str, pod: str) -> dict[str, Amount]:
    resources = container.get("resources") or {}
    return resource_list(resources.get(field), f"pod {pod} container {container.get('name')}")
