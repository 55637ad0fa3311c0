"""The handlers that write (create and update, delete, namespaces, custom resources, PATCH),
built together over one storage: the server has one set over etcd and one over a dry run's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from k8slab.apiserver.admission import AdmissionChain
from k8slab.apiserver.crd_handler import CustomResourceHandler
from k8slab.apiserver.deletion import Deleter
from k8slab.apiserver.managed_fields_apply import server_side_apply
from k8slab.apiserver.namespace_lifecycle import NamespaceRegistry
from k8slab.apiserver.patch import Patcher
from k8slab.apiserver.storage import Storage
from k8slab.apiserver.writes import Writer


@dataclass(frozen=True)
class WritePaths:
    """One API server's write handlers, all over the same storage."""

    writes: Writer
    deleter: Deleter
    namespaces: NamespaceRegistry
    custom: CustomResourceHandler
    patches: Patcher

    @classmethod
    def over(cls, storage: Storage, admission: AdmissionChain, rng: Random,
             now: Callable[[], float], record: Callable[..., None]) -> WritePaths:
        """The handlers over `storage`, sharing `admission`, the name and uid `rng`, the clock
        and the trace."""
        deleter = Deleter(storage, now)
        writes = Writer(storage, admission, deleter, rng, now, record)
        custom = CustomResourceHandler(storage, admission, deleter, rng, now)
        return cls(writes, deleter, NamespaceRegistry(storage, deleter, now), custom,
                   Patcher(storage, writes, custom, deleter, now, apply=server_side_apply))
