"""The ValidatingAdmissionWebhook plugin: every matching validating webhook may refuse the
request, none may change it (apiserver pkg/admission/plugin/webhook/validating).

Simplified: upstream calls them all in parallel and answers with a refusal when any refuses;
here they are called one after another in the order configurations are sorted, and the first
refusal ends the request (so later webhooks are not called, and the time adds up).
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.api.kinds import VALIDATING_WEBHOOK_CONFIGURATION
from k8slab.apiserver.admission import AdmissionPlugin, AdmissionRequest
from k8slab.apiserver.admission.webhook_call import WebhookClient
from k8slab.apiserver.admission.webhook_match import exempt, should_call, webhooks_in


class ValidatingAdmissionWebhook(AdmissionPlugin):
    """Calls the ValidatingWebhookConfigurations' webhooks; any of them may refuse."""

    name = "ValidatingAdmissionWebhook"
    validating = True

    def __init__(self, client: WebhookClient) -> None:
        self.client = client

    def validate(self, request: AdmissionRequest) -> Generator:
        """Call each matching webhook; its refusal (or failure, failing closed) is raised."""
        if exempt(request.kind):
            return
        objects = self.client.objects()
        for hook in webhooks_in(objects, VALIDATING_WEBHOOK_CONFIGURATION):
            if should_call(hook, request, objects):
                yield from self.client.call(hook, request, mutating=False)
