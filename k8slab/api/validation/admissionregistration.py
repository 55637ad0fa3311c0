"""The admissionregistration.k8s.io group: Mutating- and ValidatingWebhookConfiguration.

kubernetes pkg/apis/admissionregistration/validation/validation.go (validateMutatingWebhook,
validateRuleWithOperations, validateAdmissionReviewVersions) with apimachinery's
IsFullyQualifiedName and apiserver's pkg/util/webhook ValidateWebhookURL/Service, checked on
the defaulted object as the API server checks it. Simplified: k8slab evaluates no CEL, so a
webhook with matchConditions is refused rather than matched wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from k8slab.api.validation.field import (
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from k8slab.api.validation.labels import label_selector_errors
from k8slab.api.validation.names import dns1035_label_errors, dns1123_subdomain_errors

FAILURE_POLICIES = ["Fail", "Ignore"]
MATCH_POLICIES = ["Equivalent", "Exact"]
NO_SIDE_EFFECTS = ["None", "NoneOnDryRun"]  # v1 refuses Unknown and Some
OPERATIONS = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]
REINVOCATION_POLICIES = ["IfNeeded", "Never"]
SCOPES = ["*", "Cluster", "Namespaced"]
ADMISSION_REVIEW_VERSIONS = ["v1", "v1beta1"]
URL_FORM = "; desired format: https://host[/path]"
NO_CEL = "k8slab does not evaluate CEL: matchConditions are not supported"


def fully_qualified_name_errors(name: object, path: str) -> list[FieldError]:
    """apimachinery IsFullyQualifiedName: a DNS subdomain of at least three segments."""
    if not name:
        return [required(path)]
    text = str(name)
    problems = dns1123_subdomain_errors(text)
    if problems:
        return [invalid(path, text, ",".join(problems))]
    if len(text.split(".")) < 3:
        return [invalid(path, text, "should be a domain with at least three segments "
                                    "separated by dots")]
    return []


def _wildcard_mixed(values: list, path: str, what: str) -> list[FieldError]:
    if len(values) > 1 and "*" in values:
        return [invalid(path, values, f"if '*' is present, must not specify other {what}")]
    return []


def resources_errors(resources: list, path: str) -> list[FieldError]:
    """validateResources: `pods`, `pods/status`, `*`, `*/*`, `pods/*`, and which may mix."""
    errors = [] if resources else [required(path)]
    wildcard_sub: set[str] = set()
    wildcard_res: set[str] = set()
    double = single = plain = False
    for index, entry in enumerate(resources):
        if entry == "":
            errors.append(required(f"{path}[{index}]"))
            continue
        double = double or entry == "*/*"
        single = single or entry == "*"
        resource, slash, sub = entry.partition("/")
        if not slash:
            plain = entry != "*"
            continue
        if resource in wildcard_sub:
            errors.append(invalid(f"{path}[{index}]", entry,
                                  f"if '{resource}/*' is present, must not specify {entry}"))
        if sub in wildcard_res:
            errors.append(invalid(f"{path}[{index}]", entry,
                                  f"if '*/{sub}' is present, must not specify {entry}"))
        if sub == "*":
            wildcard_sub.add(resource)
        if resource == "*":
            wildcard_res.add(sub)
    if len(resources) > 1 and double:
        errors.append(invalid(path, resources,
                              "if '*/*' is present, must not specify other resources"))
    if single and plain:
        errors.append(invalid(path, resources, "if '*' is present, must not specify other "
                                               "resources without subresources"))
    return errors


def rule_errors(rule: dict, path: str) -> list[FieldError]:
    """validateRuleWithOperations: operations, apiGroups, apiVersions, resources, scope."""
    operations = list(rule.get("operations") or [])
    errors = [] if operations else [required(f"{path}.operations")]
    errors += _wildcard_mixed(operations, f"{path}.operations", "operations")
    errors += [not_supported(f"{path}.operations[{i}]", op, OPERATIONS)
               for i, op in enumerate(operations) if op not in OPERATIONS]
    groups, versions = list(rule.get("apiGroups") or []), list(rule.get("apiVersions") or [])
    errors += [] if groups else [required(f"{path}.apiGroups")]
    errors += _wildcard_mixed(groups, f"{path}.apiGroups", "API groups")
    errors += [] if versions else [required(f"{path}.apiVersions")]
    errors += _wildcard_mixed(versions, f"{path}.apiVersions", "API versions")
    errors += [required(f"{path}.apiVersions[{i}]") for i, v in enumerate(versions) if v == ""]
    errors += resources_errors(list(rule.get("resources") or []), f"{path}.resources")
    scope = rule.get("scope")
    if scope is not None and scope not in SCOPES:
        errors.append(not_supported(f"{path}.scope", scope, SCOPES))
    return errors


def url_errors(url: str, path: str) -> list[FieldError]:
    """ValidateWebhookURL: https, a host, no user, fragment or query."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        return [required(path, f"url must be a valid URL: {error}{URL_FORM}")]
    errors = []
    if parts.scheme != "https":
        errors.append(invalid(path, parts.scheme,
                              f"'https' is the only allowed URL scheme{URL_FORM}"))
    host = parts.netloc.rpartition("@")[2]
    if not host:
        errors.append(invalid(path, host, f"host must be specified{URL_FORM}"))
    if "@" in parts.netloc:
        errors.append(invalid(path, parts.netloc.rpartition("@")[0],
                              "user information is not permitted in the URL"))
    if parts.fragment:
        errors.append(invalid(path, parts.fragment, "fragments are not permitted in the URL"))
    if parts.query:
        errors.append(invalid(path, parts.query, "query parameters are not permitted in the URL"))
    return errors


def service_errors(service: dict, path: str) -> list[FieldError]:
    """ValidateWebhookService: name, namespace, a valid port, and a path of subdomains."""
    errors = [] if service.get("name") else [required(f"{path}.name")]
    errors += [] if service.get("namespace") else [required(f"{path}.namespace")]
    port = service.get("port", 443)
    if not 1 <= port <= 65535:
        errors.append(invalid(f"{path}.port", port,
                              "port is not valid: must be between 1 and 65535, inclusive"))
    url_path = service.get("path")
    if url_path in (None, "", "/"):
        return errors
    if url_path == "//":
        return errors + [invalid(f"{path}.path", url_path, "segment[0] may not be empty")]
    if not url_path.startswith("/"):
        errors.append(invalid(f"{path}.path", url_path, "must start with a '/'"))
    steps = url_path[1:]
    steps = steps[:-1] if steps.endswith("/") else steps
    for index, step in enumerate(steps.split("/")):
        if not step:
            errors.append(invalid(f"{path}.path", url_path, f"segment[{index}] may not be empty"))
            continue
        errors += [invalid(f"{path}.path", url_path, f"segment[{index}]: {problem}")
                   for problem in dns1123_subdomain_errors(step)]
    return errors


def client_config_errors(config: dict, path: str) -> list[FieldError]:
    """Exactly one of url or service, each valid."""
    url, service = config.get("url"), config.get("service")
    if (url is None) == (service is None):
        return [required(path, "exactly one of url or service is required")]
    if url is not None:
        return url_errors(url, f"{path}.url")
    return service_errors(service, f"{path}.service")


def review_versions_errors(versions: list, path: str) -> list[FieldError]:
    """validateAdmissionReviewVersions: DNS-1035 labels, no repeats, one the server speaks."""
    accepted = ", ".join(ADMISSION_REVIEW_VERSIONS)
    if not versions:
        return [required(path, f"must specify one of {accepted}")]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, version in enumerate(versions):
        if version in seen:
            errors.append(invalid(f"{path}[{index}]", version, "duplicate version"))
            continue
        seen.add(version)
        errors += [invalid(f"{path}[{index}]", version, problem)
                   for problem in dns1035_label_errors(str(version))]
    if not any(v in ADMISSION_REVIEW_VERSIONS for v in versions):
        errors.append(invalid(path, versions, f"must include at least one of {accepted}"))
    return errors


def webhook_errors(hook: dict, path: str, mutating: bool) -> list[FieldError]:
    """validateMutatingWebhook / validateValidatingWebhook, in upstream's order."""
    errors = fully_qualified_name_errors(hook.get("name"), f"{path}.name")
    for index, rule in enumerate(hook.get("rules") or []):
        errors += rule_errors(rule, f"{path}.rules[{index}]")
    for field, supported in (("failurePolicy", FAILURE_POLICIES),
                             ("matchPolicy", MATCH_POLICIES)):
        if hook.get(field) is not None and hook[field] not in supported:
            errors.append(not_supported(f"{path}.{field}", hook[field], supported))
    side_effects = hook.get("sideEffects")
    if side_effects is None:
        errors.append(required(f"{path}.sideEffects",
                               f"must specify one of {', '.join(NO_SIDE_EFFECTS)}"))
    elif side_effects not in NO_SIDE_EFFECTS:
        errors.append(not_supported(f"{path}.sideEffects", side_effects, NO_SIDE_EFFECTS))
    timeout = hook.get("timeoutSeconds")
    if timeout is not None and not 1 <= timeout <= 30:
        errors.append(invalid(f"{path}.timeoutSeconds", timeout,
                              "the timeout value must be between 1 and 30 seconds"))
    for field in ("namespaceSelector", "objectSelector"):
        errors += label_selector_errors(hook.get(field), f"{path}.{field}")
    policy = hook.get("reinvocationPolicy")
    if mutating and policy is not None and policy not in REINVOCATION_POLICIES:
        errors.append(not_supported(f"{path}.reinvocationPolicy", policy,
                                    REINVOCATION_POLICIES))
    errors += client_config_errors(hook.get("clientConfig") or {}, f"{path}.clientConfig")
    if hook.get("matchConditions"):
        errors.append(forbidden(f"{path}.matchConditions", NO_CEL))
    return errors


def _configuration_errors(obj: dict, mutating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    names: set[str] = set()
    for index, hook in enumerate(obj.get("webhooks") or []):
        path = f"webhooks[{index}]"
        errors += webhook_errors(hook, path, mutating)
        errors += review_versions_errors(list(hook.get("admissionReviewVersions") or []),
                                         f"{path}.admissionReviewVersions")
        name = hook.get("name")
        if name and name in names:
            errors.append(duplicate(f"{path}.name", name))
        elif name:
            names.add(name)
    return errors


def mutating_configuration_errors(obj: dict) -> list[FieldError]:
    """Every problem with a MutatingWebhookConfiguration's webhooks."""
    return _configuration_errors(obj, mutating=True)


def validating_configuration_errors(obj: dict) -> list[FieldError]:
    """Every problem with a ValidatingWebhookConfiguration's webhooks."""
    return _configuration_errors(obj, mutating=False)


ADMISSIONREGISTRATION_CHECKS: dict[str, Callable[[dict], list[FieldError]]] = {
    "MutatingWebhookConfiguration.admissionregistration.k8s.io": mutating_configuration_errors,
    "ValidatingWebhookConfiguration.admissionregistration.k8s.io":
        validating_configuration_errors,
}
