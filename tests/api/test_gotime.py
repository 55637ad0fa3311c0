"""Go's time.Parse errors for the API's two time layouts, as a reader would meet them."""

import pytest

from k8slab.api.gotime import RFC3339, RFC3339_MICRO, go_quote, go_time_error


@pytest.mark.parametrize(
    ("layout", "text", "error"),
    [
        (RFC3339, "2026-01-01T00:00:00Z", None),
        (RFC3339, "2026-01-01T00:00:00.5+01:00", None),
        (RFC3339, "x", 'cannot parse "x" as "2006"'),
        (RFC3339, "2026-01-01", 'cannot parse "" as "T"'),
        (RFC3339, "2026/01/01", 'cannot parse "/01/01" as "-"'),
        (RFC3339, "2026-13-01T00:00:00Z", "month out of range"),
        (RFC3339, "2026-02-30T00:00:00Z", "day out of range"),
        (RFC3339, "2026-01-01T00:60:00Z", "minute out of range"),
        (RFC3339, "2026-01-01T00:00:00Zjunk", 'extra text: "junk"'),
        (RFC3339_MICRO, "2026-01-01T00:00:00.000000Z", None),
        (RFC3339_MICRO, "2026-01-01T00:00:00Z", 'cannot parse "Z" as ".000000"'),
        (RFC3339_MICRO, "2026-01-01T00:00:00.1234567Z", 'cannot parse "7Z" as "Z07:00"'),
    ],
)
def test_parse_errors(layout, text, error):
    result = go_time_error(layout, text)
    if error is None:
        assert result is None
    else:
        assert result.startswith(f'parsing time "{text}"') and result.endswith(error)


def test_quote_escapes_as_go_does():
    assert go_quote('a"b\\é') == '"a\\"b\\\\\\xc3\\xa9"'
