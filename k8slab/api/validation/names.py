"""Name formats: DNS-1123 labels and subdomains, qualified names (label keys), label values.

Each check returns the reasons a string is not of its format, [] when it is, with the regexes,
limits and messages of k8s.io/apimachinery/pkg/util/validation/validation.go.
"""

from __future__ import annotations

import re

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_LABEL_ERROR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + r"(\." + DNS1123_LABEL_FMT + ")*"
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1123_SUBDOMAIN_ERROR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QUALIFIED_NAME_MAX_LENGTH = 63
QUALIFIED_NAME_ERROR = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
LABEL_VALUE_FMT = f"({QUALIFIED_NAME_FMT})?"
LABEL_VALUE_MAX_LENGTH = 63
LABEL_VALUE_ERROR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character"
)


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    # validation.go RegexError, including its double space: "(e.g. 'a',  or 'b', regex ...)".
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def _too_long(value: str, limit: int) -> list[str]:
    # validation.go MaxLenError.
    return [f"must be no more than {limit} characters"] if len(value) > limit else []


def dns1123_label_errors(value: str) -> list[str]:
    """Why value is not a DNS-1123 label ("my-name"); [] when it is one."""
    errors = _too_long(value, DNS1123_LABEL_MAX_LENGTH)
    if not re.fullmatch(DNS1123_LABEL_FMT, value):
        if re.fullmatch(DNS1123_SUBDOMAIN_FMT, value):
            errors.append("must not contain dots")
        else:
            errors.append(
                _regex_error(DNS1123_LABEL_ERROR, DNS1123_LABEL_FMT, "my-name", "123-abc")
            )
    return errors


# validation.go IsDNS1035Label: a Service's name, a DNS label that starts with a letter.
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_ERROR = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)


def dns1035_label_errors(value: str) -> list[str]:
    """Why value is not a DNS-1035 label ("my-name", starting with a letter); [] when it is."""
    errors = _too_long(value, DNS1123_LABEL_MAX_LENGTH)
    if not re.fullmatch(DNS1035_LABEL_FMT, value):
        errors.append(_regex_error(DNS1035_LABEL_ERROR, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def dns1123_subdomain_errors(value: str) -> list[str]:
    """Why value is not a DNS-1123 subdomain ("example.com"); [] when it is one."""
    errors = _too_long(value, DNS1123_SUBDOMAIN_MAX_LENGTH)
    if not re.fullmatch(DNS1123_SUBDOMAIN_FMT, value):
        errors.append(_regex_error(DNS1123_SUBDOMAIN_ERROR, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def qualified_name_errors(value: str) -> list[str]:
    """Why value is not a label key such as "app" or "node.kubernetes.io/not-ready"."""
    name_error = _regex_error(
        QUALIFIED_NAME_ERROR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"
    )
    parts = value.split("/")
    if len(parts) > 2:
        return [
            f"a qualified name {name_error} with an optional DNS subdomain prefix "
            "and '/' (e.g. 'example.com/MyName')"
        ]
    errors = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors += [f"prefix part {message}" for message in dns1123_subdomain_errors(prefix)]
    name = parts[-1]
    if not name:
        errors.append("name part must be non-empty")
    else:
        errors += [f"name part {message}" for message in _too_long(name, QUALIFIED_NAME_MAX_LENGTH)]
    if not re.fullmatch(QUALIFIED_NAME_FMT, name):
        errors.append(f"name part {name_error}")
    return errors


def label_value_errors(value: str) -> list[str]:
    """Why value is not a label value (empty, or up to 63 of [A-Za-z0-9-_.])."""
    errors = _too_long(value, LABEL_VALUE_MAX_LENGTH)
    if not re.fullmatch(LABEL_VALUE_FMT, value):
        examples = ("MyValue", "my_value", "12345")
        errors.append(_regex_error(LABEL_VALUE_ERROR, LABEL_VALUE_FMT, *examples))
    return errors


PERCENT_FMT = "[0-9]+%"
PERCENT_ERROR = "a valid percent string must be a numeric string followed by an ending '%'"


def percent_errors(value: str) -> list[str]:
    """validation.IsValidPercent: digits then "%", such as "25%"."""
    if re.fullmatch(PERCENT_FMT, value, flags=re.ASCII):
        return []
    return [_regex_error(PERCENT_ERROR, PERCENT_FMT, "1%", "93%")]
