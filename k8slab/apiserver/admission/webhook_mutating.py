"""The MutatingAdmissionWebhook plugin: every matching mutating webhook, one after another,
each seeing the object as the ones before it left it (apiserver pkg/admission/plugin/webhook/
mutating/dispatcher.go).

Reinvocation as upstream's webhookReinvokeContext: when a webhook changes the object, every
webhook called before it with reinvocationPolicy IfNeeded is called once more, in a second
round, and no third round follows. Simplified: upstream also reruns the in-tree mutating
plugins in that round; here only the webhooks run again.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import MUTATING_WEBHOOK_CONFIGURATION
from k8slab.apiserver.admission import AdmissionPlugin, AdmissionRequest
from k8slab.apiserver.admission.webhook_call import WebhookClient
from k8slab.apiserver.admission.webhook_match import exempt, should_call, webhooks_in


class MutatingAdmissionWebhook(AdmissionPlugin):
    """Calls the MutatingWebhookConfigurations' webhooks and applies their JSON patches."""

    name = "MutatingAdmissionWebhook"
    mutating = True

    def __init__(self, client: WebhookClient) -> None:
        self.client = client

    def mutate(self, request: AdmissionRequest) -> Generator:
        """Round 0 over every matching webhook; round 1 over the IfNeeded ones a later
        webhook's change calls back."""
        if exempt(request.kind):
            return
        objects = self.client.objects()
        hooks = [hook for hook in webhooks_in(objects, MUTATING_WEBHOOK_CONFIGURATION)
                 if should_call(hook, request, objects)]
        invoked: list[tuple[str, str]] = []  # IfNeeded webhooks called so far
        reinvoke: set[tuple[str, str]] = set()
        changed_any = False
        for hook in hooks:
            changed = yield from self.client.call(hook, request, mutating=True)
            if changed:
                changed_any = True
                reinvoke.update(invoked)
            if hook.spec.get("reinvocationPolicy") == "IfNeeded":
                invoked.append(hook.key)
        for hook in hooks:
            if hook.key in reinvoke:
                changed_any |= (yield from self.client.call(hook, request, mutating=True,
                                                            round_=1))
        if changed_any and self.name not in request.patches:
            request.patches.append(self.name)
