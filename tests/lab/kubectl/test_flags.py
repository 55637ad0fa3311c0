"""pflag's reading of flags, as kubectl's verbs declare them: forms, conversions, errors."""

import pytest

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl.flags import Flag, parse_duration, parse_flags

FLAGS = (Flag("namespace", short="n"), Flag("force", "bool"), Flag("replicas", "int"),
         Flag("timeout", "duration"), Flag("cascade", bare="background"),
         Flag("watch", "bool", short="w"))


@pytest.mark.parametrize(
    ("words", "flags", "args"),
    [
        ("a -n x b", {"namespace": "x"}, ["a", "b"]),
        ("-nx a", {"namespace": "x"}, ["a"]),
        ("-n=x", {"namespace": "x"}, []),
        ("--namespace x --force", {"namespace": "x", "force": True}, []),
        ("--force=false", {"force": False}, []),
        ("--replicas=-3", {"replicas": -3}, []),
        ("--timeout 1m30s", {"timeout": 90.0}, []),
        ("--cascade a", {"cascade": "background"}, ["a"]),
        ("--cascade=orphan", {"cascade": "orphan"}, []),
        ("-wn x", {"watch": True, "namespace": "x"}, []),
        ("-w=false", {"watch": False}, []),
        ("a -- -n", {}, ["a", "-n"]),
    ],
)
def test_flag_forms(words, flags, args):
    assert parse_flags(words.split(), FLAGS, "usage") == (flags, args)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0.0), ("90s", 90.0), ("1m30s", 90.0), ("1.5h", 5400.0), ("250ms", 0.25),
     ("-2s", -2.0), ("1h0m0s", 3600.0)],
)
def test_go_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("--replicas=three", 'invalid argument "three" for "--replicas" flag: strconv.ParseInt: '
                             'parsing "three": invalid syntax'),
        ("--replicas=99999999999999999999", "value out of range"),
        ("--force=maybe", 'strconv.ParseBool: parsing "maybe": invalid syntax'),
        ("--timeout=5", 'time: missing unit in duration "5"'),
        ("--timeout=5d", 'time: unknown unit "d" in duration "5d"'),
        ("--timeout=soon", 'time: invalid duration "soon"'),
        ("--timeout", "error: flag needs an argument: --timeout"),
        ("-n", "error: flag needs an argument: 'n' in -n"),
        ("-x", "error: unknown shorthand flag: 'x' in -x"),
        ("--frob", "error: unknown flag: --frob"),
    ],
)
def test_flag_errors_are_pflags(words, message):
    with pytest.raises(BadRequestError) as caught:
        parse_flags(words.split(), FLAGS, "usage")
    assert message in str(caught.value)
