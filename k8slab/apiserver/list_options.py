"""A list's or a watch's options (metav1.ListOptions) read from a request, checked as upstream does.

resourceVersion "" means the most recent state, "0" any state, "<n>" one not older than n;
resourceVersionMatch makes "<n>" NotOlderThan or Exact; limit and continue page a list;
sendInitialEvents and allowWatchBookmarks shape a watch. A combination upstream forbids is a
422 on `ListOptions.meta.k8s.io` in apimachinery's words (pkg/apis/meta/internalversion/
validation ValidateListOptions); a resourceVersion that is no number is a 400.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8slab.api.validation.field import FieldError, aggregate, forbidden, not_supported
from k8slab.errors import BadRequestError, InvalidError

EXACT, NOT_OLDER_THAN = "Exact", "NotOlderThan"


@dataclass(frozen=True)
class ListOptions:
    """What a list or watch asked for (resourceVersion as sent: "" is unset)."""

    resource_version: str = ""
    match: str = ""
    limit: int = 0
    continue_token: str = ""
    send_initial_events: bool | None = None
    allow_bookmarks: bool = False

    @property
    def revision(self) -> int:
        """resourceVersion as a number (0 for "" and "0")."""
        return int(self.resource_version or 0)


def list_options(request: dict, *, watch: bool) -> ListOptions:
    """The request's options, or the 422 / 400 upstream answers for them."""
    options = ListOptions(
        resource_version=str(request.get("resource_version") or ""),
        match=str(request.get("resource_version_match") or ""),
        limit=_limit(request.get("limit")),
        continue_token=str(request.get("continue") or ""),
        send_initial_events=request.get("send_initial_events"),
        allow_bookmarks=bool(request.get("allow_watch_bookmarks")),
    )
    errors = _watch_errors(options) if watch else _list_errors(options)
    if errors:
        raise InvalidError(f'ListOptions.meta.k8s.io "" is invalid: {aggregate(errors)}')
    if options.resource_version:
        try:
            if int(options.resource_version) < 0:
                raise ValueError
        except ValueError:
            raise BadRequestError(
                f'invalid resource version "{options.resource_version}"') from None
    return options


def _limit(value: object) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequestError(f"limit must be a whole number, not {value!r}")
    return max(value, 0)  # a negative limit means none, as upstream's store reads it


def _list_errors(options: ListOptions) -> list[FieldError]:
    errors = []
    if options.match:
        if not options.resource_version:
            errors.append(forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden "
                                    "unless resourceVersion is provided"))
        if options.continue_token:
            errors.append(forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden "
                                    "when continue is provided"))
        if options.match not in (EXACT, NOT_OLDER_THAN):
            errors.append(not_supported("resourceVersionMatch", options.match,
                                        [EXACT, NOT_OLDER_THAN, ""]))
        if options.match == EXACT and options.resource_version == "0":
            errors.append(forbidden("resourceVersionMatch", 'resourceVersionMatch "exact" is '
                                    'forbidden for resourceVersion "0"'))
    if options.send_initial_events is not None:
        errors.append(forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"))
    return errors


def _watch_errors(options: ListOptions) -> list[FieldError]:
    # The WatchList feature gate is on in v1.35 (beta since 1.32), so sendInitialEvents is allowed.
    errors = []
    if options.send_initial_events is not None and options.match != NOT_OLDER_THAN:
        errors.append(forbidden("resourceVersionMatch", "sendInitialEvents requires setting "
                                f"resourceVersionMatch to {NOT_OLDER_THAN}"))
    if options.match:
        if options.send_initial_events is None:
            errors.append(forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden "
                                    "for watch unless sendInitialEvents is provided"))
        if options.match != NOT_OLDER_THAN:
            errors.append(not_supported("resourceVersionMatch", options.match, [NOT_OLDER_THAN]))
        if options.continue_token:
            errors.append(forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden "
                                    "when continue is provided"))
    return errors
