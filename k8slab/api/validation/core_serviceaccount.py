"""A ServiceAccount, checked as kubernetes pkg/apis/core/validation ValidateServiceAccount
checks it: by its metadata alone (a DNS-subdomain name in a namespace). Its secrets and
imagePullSecrets are references that need not resolve, and upstream checks none of them.
"""

from __future__ import annotations

from k8slab.api.validation.field import FieldError


def service_account_errors(obj: dict) -> list[FieldError]:
    """A ServiceAccount's own fields hold nothing to check beyond their types (decoding)."""
    return []
