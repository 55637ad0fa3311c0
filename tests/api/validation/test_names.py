"""Name formats: apimachinery's tables (pkg/util/validation/validation_test.go) and messages.

Upstream's tables are lists of good and bad values without names, so each value is its own id.
"""

import pytest

from k8slab.api.validation.names import (
    dns1123_label_errors,
    dns1123_subdomain_errors,
    label_value_errors,
    qualified_name_errors,
)


def case_id(value: str) -> str:
    """A value as its test id; a long run of one letter as upstream writes it, strings.Repeat."""
    parts = value.split("/")
    if len(value) > 20 and all(len(set(part)) == 1 for part in parts):
        return "/".join(f"Repeat({part[0]!r},{len(part)})" for part in parts)
    return repr(value)


def cases(*values: str):
    """pytest.param for each value, with its id."""
    return [pytest.param(value, id=case_id(value)) for value in values]


# TestIsDNS1123Label
@pytest.mark.parametrize(
    "value",
    cases(
        "a", "ab", "abc", "a1", "a-1", "a--1--2--b",
        "0", "01", "012", "1a", "1-a", "1--a--b--2",
        "a" * 63,
    ),
)
def test_dns1123_label_good_values(value):
    assert dns1123_label_errors(value) == []


@pytest.mark.parametrize(
    "value",
    cases(
        "", "A", "ABC", "aBc", "A1", "A-1", "1-A",
        "-", "a-", "-a", "1-", "-1",
        "_", "a_", "_a", "a_b", "1_", "_1", "1_2",
        ".", "a.", ".a", "a.b", "1.", ".1", "1.2",
        " ", "a ", " a", "a b", "1 ", " 1", "1 2",
        "a" * 64,
    ),
)
def test_dns1123_label_bad_values(value):
    assert dns1123_label_errors(value) != []


# TestIsDNS1123Subdomain
@pytest.mark.parametrize(
    "value",
    cases(
        "a", "ab", "abc", "a1", "a-1", "a--1--2--b",
        "0", "01", "012", "1a", "1-a", "1--a--b--2",
        "a.a", "ab.a", "abc.a", "a1.a", "a-1.a", "a--1--2--b.a",
        "a.1", "ab.1", "abc.1", "a1.1", "a-1.1", "a--1--2--b.1",
        "0.a", "01.a", "012.a", "1a.a", "1-a.a",
        "0.1", "01.1", "012.1", "1a.1", "1-a.1", "1--a--b--2.1",
        "a.b.c.d.e", "aa.bb.cc.dd.ee", "1.2.3.4.5", "11.22.33.44.55",
        "a" * 253,
    ),
)
def test_dns1123_subdomain_good_values(value):
    assert dns1123_subdomain_errors(value) == []


@pytest.mark.parametrize(
    "value",
    cases(
        "", "A", "ABC", "aBc", "A1", "A-1", "1-A",
        "-", "a-", "-a", "1-", "-1",
        "_", "a_", "_a", "a_b", "1_", "_1", "1_2",
        ".", "a.", ".a", "a..b", "1.", ".1", "1..2",
        " ", "a ", " a", "a b", "1 ", " 1", "1 2",
        "A.a", "aB.a", "ab.A", "A1.a", "a1.A",
        "A.1", "aB.1", "A1.1", "1A.1",
        "0.A", "01.A", "012.A", "1A.a", "1a.A",
        "A.B.C.D.E", "AA.BB.CC.DD.EE", "a.B.c.d.e", "aa.bB.cc.dd.ee",
        "a@b", "a,b", "a;b",
        "a:b", "a%b", "a?b", "a$b",
        "a" * 254,
    ),
)
def test_dns1123_subdomain_bad_values(value):
    assert dns1123_subdomain_errors(value) != []


# TestIsQualifiedName
@pytest.mark.parametrize(
    "value",
    cases(
        "simple",
        "now-with-dashes",
        "1-starts-with-num",
        "1234",
        "simple/simple",
        "now-with-dashes/simple",
        "now-with-dashes/now-with-dashes",
        "now.with.dots/simple",
        "now-with.dashes-and.dots/simple",
        "1-num.2-num/3-num",
        "1234/5678",
        "1.2.3.4/5678",
        "Uppercase_Is_OK_123",
        "example.com/Uppercase_Is_OK_123",
        "requests.storage-foo",
        "a" * 63,
        "a" * 253 + "/" + "b" * 63,
    ),
)
def test_qualified_name_success_cases(value):
    assert qualified_name_errors(value) == []


@pytest.mark.parametrize(
    "value",
    cases(
        "nospecialchars%^=@",
        "cantendwithadash-",
        "-cantstartwithadash-",
        "only/one/slash",
        "Example.com/abc",
        "example_com/abc",
        "example.com/",
        "/simple",
        "a" * 64,
        "a" * 254 + "/abc",
    ),
)
def test_qualified_name_error_cases(value):
    assert qualified_name_errors(value) != []


# TestIsValidLabelValue
@pytest.mark.parametrize(
    "value",
    cases("simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "a" * 63, ""),
)
def test_label_value_success_cases(value):
    assert label_value_errors(value) == []


@pytest.mark.parametrize(
    "value",
    cases(
        "nospecialchars%^=@",
        "Tama-nui-te-rā.is.Māori.sun",
        "\\backslashes\\are\\bad",
        "-starts-with-dash",
        "ends-with-dash-",
        ".starts.with.dot",
        "ends.with.dot.",
        "a" * 64,
    ),
)
def test_label_value_error_cases(value):
    assert label_value_errors(value) != []


SUBDOMAIN_REGEX_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def test_messages_are_upstreams():
    assert dns1123_label_errors("a" * 64)[0] == "must be no more than 63 characters"
    assert dns1123_label_errors("a.b") == ["must not contain dots"]
    assert dns1123_subdomain_errors("Example.com") == [SUBDOMAIN_REGEX_MESSAGE]
    assert qualified_name_errors("/x") == ["prefix part must be non-empty"]
    assert qualified_name_errors("a/b/c")[0].startswith("a qualified name must consist of")
    assert qualified_name_errors("example.com/" + "a" * 64)[0] == (
        "name part must be no more than 63 characters"
    )
    assert label_value_errors("-1") == [
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
        "'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    ]
