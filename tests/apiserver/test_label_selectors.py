"""The labelSelector text form: apimachinery labels.Parse's grammar, matching and error words."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8slab.api.labels import selector_matches
from k8slab.apiserver.label_selectors import Requirement, labels_match, parse_label_selector
from k8slab.errors import BadRequestError


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", ()),
        ("app=web", (Requirement("app", "=", ("web",)),)),
        ("app==web", (Requirement("app", "==", ("web",)),)),
        ("app!=web", (Requirement("app", "!=", ("web",)),)),
        ("app=", (Requirement("app", "=", ("",)),)),
        ("tier in (b, a)", (Requirement("tier", "in", ("a", "b")),)),
        ("x in (foo,,baz),y,z notin ()",
         (Requirement("x", "in", ("", "baz", "foo")), Requirement("y", "exists"),
          Requirement("z", "notin", ("",)))),
        ("!canary", (Requirement("canary", "!"),)),
        ("z, a", (Requirement("a", "exists"), Requirement("z", "exists"))),
        ("a notin (in,notin)", (Requirement("a", "notin", ("in", "notin")),)),
        ("n>1", (Requirement("n", "gt", ("1",)),)),
    ],
    ids=["empty", "equals", "double-equals", "not-equals", "empty-value", "in-sorted",
         "upstream-example", "does-not-exist", "sorted-by-key", "keywords-as-values", "gt"],
)
def test_parse(text, parsed):
    assert parse_label_selector(text) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("a in b", "unable to parse requirement: found 'b' expected: '('"),
        ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("a=b,", "found '', expected: identifier after ','"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("a>b", "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' "
                "operators, the value must be an integer"),
        ("a=-b", 'unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label '
                 "must be an empty string or consist of alphanumeric characters"),
        ("-a", 'unable to parse requirement: <nil>: Invalid value: "-a": name part must consist '
               "of alphanumeric characters"),
    ],
)
def test_bad_selectors_are_400s_in_the_parsers_words(text, message):
    with pytest.raises(BadRequestError) as caught:
        parse_label_selector(text)
    assert caught.value.message.startswith(message)


def test_gt_and_lt_compare_integers():
    assert labels_match({"metadata": {"labels": {"n": "10"}}}, parse_label_selector("n>9"))
    assert not labels_match({"metadata": {"labels": {"n": "x"}}}, parse_label_selector("n>9"))
    assert not labels_match({"metadata": {}}, parse_label_selector("n<9"))
    assert not labels_match(None, ())


keys = st.sampled_from(["a", "b", "c"])
values = st.sampled_from(["1", "2", "x"])


@given(st.dictionaries(keys, values),
       st.lists(st.tuples(keys, st.sampled_from(["in", "notin", "exists", "!", "=", "!="]),
                          st.lists(values, min_size=1, max_size=2, unique=True)),
                max_size=3))
def test_the_text_form_selects_what_the_structured_form_selects(labels, parts):
    # The same selection written as labelSelector text and as a metav1.LabelSelector.
    texts, expressions = [], []
    operators = {"in": "In", "notin": "NotIn", "=": "In", "!=": "NotIn", "exists": "Exists",
                 "!": "DoesNotExist"}
    for key, operator, vals in parts:
        if operator in ("=", "!="):
            vals = vals[:1]
        if operator in ("in", "notin"):
            texts.append(f"{key} {operator} ({','.join(vals)})")
        elif operator == "exists":
            texts.append(key)
        elif operator == "!":
            texts.append(f"!{key}")
        else:
            texts.append(f"{key}{operator}{vals[0]}")
        expression = {"key": key, "operator": operators[operator]}
        if operator not in ("exists", "!"):
            expression["values"] = vals
        expressions.append(expression)
    parsed = parse_label_selector(",".join(texts))
    assert labels_match({"metadata": {"labels": labels}}, parsed) == selector_matches(
        {"matchExpressions": expressions}, labels)
