"""The command line is read as kubectl reads it, and a bad one is refused in kubectl's words."""

import pytest

from k8slab.errors import BadRequestError
from k8slab.lab.kubectl.command import parse_command
from k8slab.lab.kubectl.resources import RESOURCE_TYPES


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("", "error: no command given"),
        ("kubectl", "error: no command given"),
        ("delete pod web-1", 'error: unknown command "delete" for "kubectl"'),
        ("get", "You must specify the type of resource to get."),
        ("get foo", 'error: the server doesn\'t have a resource type "foo"'),
        ("get pods --bogus", "error: unknown flag: --bogus"),
        ("get pods -x", "error: unknown shorthand flag: 'x' in -x"),
        ("get pods -n", "error: flag needs an argument: 'n' in -n"),
        ("get pods --output", "error: flag needs an argument: --output"),
        (
            "get pods -o table",
            'the output format "table", allowed formats are: json,name,wide,yaml',
        ),
        ("get pods --show-labels=maybe", 'error: invalid argument "maybe" for "--show-labels"'),
        (
            "get pods web-1 -A",
            "error: a resource cannot be retrieved by name across all namespaces",
        ),
        ("get pods pod/web-1", "error: there is no need to specify a resource type"),
        ("get pod/", "must have a single resource and name"),
        ("get pod/a/b", "must have a single resource and name"),
        ("get pod/a node/b", "gets one resource type at a time"),
        ("get foo/a", 'error: the server doesn\'t have a resource type "foo"'),
        ('get pods -l "app=web', "error: cannot read the command"),
    ],
)
def test_bad_commands_say_what_was_wrong(command, message):
    with pytest.raises(BadRequestError) as caught:
        parse_command(command)
    assert message in str(caught.value)


def test_a_command_must_be_a_string():
    with pytest.raises(BadRequestError, match="a command is a string"):
        parse_command(None)


def test_unknown_words_list_what_is_supported():
    with pytest.raises(BadRequestError) as caught:
        parse_command("get frobs")
    listed = str(caught.value).partition("kubectl get <")[2].partition(">")[0].split("|")
    assert listed == [rtype.plural for rtype in RESOURCE_TYPES]
    assert listed[:2] == ["pods", "nodes"]
