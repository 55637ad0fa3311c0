"""Admission: the plugins every write passes after authorization and before etcd.

Mutating plugins run first, in the server's fixed order, and may change the object; then the
object is validated; then validating plugins run in the same order and may only refuse
(apiserver pkg/admission: chainAdmissionHandler, Admit then Validate). Each plugin a request
passes is in the trace as an `admit` (mutating) or `validate` record.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field

from k8slab.api.kinds import Kind, object_ref
from k8slab.apiserver.request_info import Attributes

CREATE, UPDATE, DELETE, CONNECT = "CREATE", "UPDATE", "DELETE", "CONNECT"


@dataclass
class AdmissionRequest:
    """One write as admission sees it: the operation, the kind, who asked (attributes), the
    new object (mutating plugins change it in place) and the stored one for UPDATE/DELETE."""

    operation: str
    kind: Kind
    attributes: Attributes
    obj: dict | None
    old: dict | None = None
    patches: list[str] = field(default_factory=list)  # which plugins changed the object
    # What plugins tell the client (HTTP Warning headers, which kubectl prints as
    # `Warning: ...`) and the audit log (audit annotations, e.g. PodSecurity's).
    warnings: list[str] = field(default_factory=list)
    audit_annotations: dict[str, str] = field(default_factory=dict)

    @property
    def dry_run(self) -> bool:
        """dryRun=All: nothing the request causes is stored (a quota is not charged, a webhook
        with side effects is not called)."""
        return self.attributes.dry_run

    @property
    def namespace(self) -> str:
        """The request's namespace ("" for a cluster-scoped object)."""
        return self.attributes.namespace

    @property
    def ref(self) -> str:
        """`pod/default/web`: the object the request is about, for the trace."""
        return object_ref(self.obj if self.obj is not None else (self.old or {}))


class AdmissionPlugin:
    """One admission plugin. Override `mutate` (may change `request.obj`) and/or `validate`
    (may only refuse, by raising an APIError); both are generators so a plugin may ask
    storage or call a webhook over the network."""

    name = ""
    mutating = False
    validating = False

    def mutate(self, request: AdmissionRequest) -> Generator:
        """Change `request.obj`; raise an APIError to refuse."""
        return
        yield

    def validate(self, request: AdmissionRequest) -> Generator:
        """Raise an APIError to refuse the request."""
        return
        yield


Recorder = Callable[..., None]


class AdmissionChain:
    """The enabled plugins in upstream's order; `mutate` then `validate` each run all of them
    that take part in that phase, recording each plugin in the trace."""

    def __init__(self, plugins: list[AdmissionPlugin], record: Recorder) -> None:
        self.plugins = plugins
        self._record = record

    @property
    def names(self) -> list[str]:
        """The plugin names, in the order they run."""
        return [plugin.name for plugin in self.plugins]

    def mutate(self, request: AdmissionRequest) -> Generator:
        """Run every mutating plugin in order on `request.obj`; one `admit` record names them
        and which of them changed the object (a plugin that changes it appends its name to
        `request.patches`)."""
        ran = [plugin for plugin in self.plugins if plugin.mutating]
        for plugin in ran:
            yield from plugin.mutate(request)
        self._record("admit", request.ref, operation=request.operation,
                     plugins=[plugin.name for plugin in ran], mutated_by=list(request.patches))

    def validate(self, request: AdmissionRequest) -> Generator:
        """Run every validating plugin in order; the first refusal stops the request (the
        APIError it raises names the plugin's reason). One `validate` record when all pass."""
        ran = [plugin for plugin in self.plugins if plugin.validating]
        for plugin in ran:
            yield from plugin.validate(request)
        self._record("validate", request.ref, operation=request.operation,
                     plugins=[plugin.name for plugin in ran],
                     **({"warnings": list(request.warnings)} if request.warnings else {}),
                     **({"audit_annotations": dict(sorted(request.audit_annotations.items()))}
                        if request.audit_annotations else {}))
