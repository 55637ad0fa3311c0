"""`kubectl get` rows for the admission webhook configurations (kubectl's printers:
printMutatingWebhook / printValidatingWebhook: NAME, WEBHOOKS, AGE)."""

from __future__ import annotations

from k8slab.lab.kubectl.printers import _age, name_of


def webhook_configuration_cells(configuration: dict, now: float) -> list[str]:
    """NAME WEBHOOKS AGE: WEBHOOKS counts the configuration's webhooks."""
    webhooks = configuration.get("webhooks") or []
    return [name_of(configuration), str(len(webhooks)), _age(configuration, now)]
