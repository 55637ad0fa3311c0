"""The serviceaccount controller (kk pkg/controller/serviceaccount/serviceaccounts_controller.go):
every Active namespace has a ServiceAccount named `default`, made again if deleted.

It watches namespaces (an added or changed one is synced) and ServiceAccounts (a deleted one
syncs its namespace). A sync creates each missing account; AlreadyExists means another sync
won, and a namespace that is going away (403/404) is left alone. One worker, as upstream runs.
"""

from __future__ import annotations

from collections.abc import Generator

from k8slab.client.workqueue import WorkQueue, run_workers
from k8slab.controllers.context import ControllerContext
from k8slab.errors import AlreadyExistsError, ForbiddenError, NotFoundError

# ServiceAccountsControllerOptions: the accounts every namespace gets.
SERVICE_ACCOUNTS = ("default",)
WORKERS = 1


class ServiceAccountsController:
    """Keeps the `default` ServiceAccount in every Active namespace."""

    NAME = "serviceaccount-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.namespaces = ctx.informers.informer("namespaces")
        self.accounts = ctx.informers.informer("serviceaccounts")
        self.queue = WorkQueue(ctx.group, "serviceaccount")

    def start(self) -> None:
        """Sync each namespace added or changed, and the namespace of a deleted account."""
        self.namespaces.on_add.append(self._enqueue)
        self.namespaces.on_update.append(lambda _old, new: self._enqueue(new))
        self.accounts.on_delete.append(self._account_deleted)
        run_workers(self.queue, self.sync, WORKERS)

    def _enqueue(self, namespace: dict) -> None:
        self.queue.add(namespace["metadata"]["name"])

    def _account_deleted(self, account: dict) -> None:
        if account["metadata"]["name"] in SERVICE_ACCOUNTS:
            self.queue.add(account["metadata"]["namespace"])

    def sync(self, name: str) -> Generator:
        """Create the accounts an Active namespace lacks."""
        namespace = self.namespaces.get(name)
        if namespace is None or (namespace.get("status") or {}).get("phase") != "Active":
            return
        for account in SERVICE_ACCOUNTS:
            if self.accounts.get(f"{name}/{account}") is not None:
                continue
            body = {"apiVersion": "v1", "kind": "ServiceAccount",
                    "metadata": {"name": account, "namespace": name}}
            try:
                yield from self.client.create(body)
            except (AlreadyExistsError, ForbiddenError, NotFoundError):
                continue  # made meanwhile, or the namespace is terminating or gone
