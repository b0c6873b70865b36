"""Sorting Kubernetes documents into what the reader uses: workloads, Services, ConfigMaps, Ingresses.

Documents come as written with `kubectl apply` (one object each), as lists (`kind: List` from `kubectl get -o
json|yaml`, or an API list such as `DeploymentList`, whose items carry no kind of their own), or empty. What is used:

| kind                                | apiVersion group              | becomes                               |
|-------------------------------------|-------------------------------|---------------------------------------|
| Deployment, StatefulSet, DaemonSet  | `apps` (or old `extensions`)  | a workload: an item                   |
| Service, ConfigMap                  | core (`v1`)                   | used to resolve references; no item   |
| Ingress                             | `networking.k8s.io`, `extensions` | an item (LOAD_BALANCER)           |

Everything else is `Skipped` with its reason: other kinds (CronJob, Namespace, a custom resource, a `Service` of
Knative's group), a Secret (never read beyond its kind, name and namespace), a document that is no object, an
object without a kind or a name, and the second of two objects with one kind, namespace and name (the first one
read is used). An object without `apiVersion` is taken at its kind's word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphsvc.discovery.kubernetes_refs import as_mapping, as_str
from graphsvc.discovery.model import Skipped

__all__ = ["WORKLOAD_KINDS", "Resource", "Resources", "sort_documents"]

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
_GROUPS: Mapping[str, frozenset[str]] = {
    **{kind: frozenset({"apps", "extensions"}) for kind in WORKLOAD_KINDS},
    "Service": frozenset({""}),
    "ConfigMap": frozenset({""}),
    "Secret": frozenset({""}),
    "Ingress": frozenset({"networking.k8s.io", "extensions"}),
}
_USED = "only Deployment, StatefulSet, DaemonSet, Service, ConfigMap and Ingress are read"


@dataclass(frozen=True)
class Resource:
    """One Kubernetes object the reader uses: its kind, namespace (`default` when it names none), name, where it
    was read, and the object itself."""

    kind: str
    namespace: str
    name: str
    where: str
    body: Mapping[str, Any]

    @property
    def spec(self) -> Mapping[str, Any]:
        return as_mapping(self.body.get("spec"))

    @property
    def labels(self) -> Mapping[str, Any]:
        return as_mapping(as_mapping(self.body.get("metadata")).get("labels"))


@dataclass
class Resources:
    """The objects read, by kind, in input order, and what was skipped."""

    workloads: list[Resource] = field(default_factory=list)
    ingresses: list[Resource] = field(default_factory=list)
    services: dict[tuple[str, str], Resource] = field(default_factory=dict)  # (namespace, name) ->
    configmaps: dict[tuple[str, str], Resource] = field(default_factory=dict)  # (namespace, name) ->
    skipped: list[Skipped] = field(default_factory=list)
    _seen: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (kind, namespace, name) -> where

    def configmap_data(self) -> dict[str, dict[str, Mapping[str, Any]]]:
        """The `data` of each ConfigMap (none when it has none), by namespace and name."""
        by_namespace: dict[str, dict[str, Mapping[str, Any]]] = {}
        for (namespace, name), configmap in self.configmaps.items():
            by_namespace.setdefault(namespace, {})[name] = as_mapping(configmap.body.get("data"))
        return by_namespace

    def add(self, where: str, document: Any, in_list: bool = False) -> None:
        """Sort one document (or the items of a list) in, or skip it with a reason. A list inside a list is no
        list: its kind is skipped (so that nesting cannot run deep)."""
        if not isinstance(document, dict):
            self.skipped.append(Skipped(where, f"not an object but {_a(document)}"))
            return
        kind = as_str(document.get("kind"))
        items = document.get("items")
        if not in_list and kind is not None and kind.endswith("List") and isinstance(items, list):
            self._add_list(where, kind, document.get("apiVersion"), items)
        else:
            self._add_object(where, document)

    def _add_list(self, where: str, kind: str, api_version: Any, items: list[Any]) -> None:
        item_kind = kind.removesuffix("List") or None  # API lists (DeploymentList) leave it out of their items
        for number, item in enumerate(items, 1):
            if item_kind and isinstance(item, dict) and "kind" not in item:
                item = {**item, "kind": item_kind, "apiVersion": api_version}
            self.add(f"{where}, item {number}", item, in_list=True)

    def _add_object(self, where: str, document: Mapping[str, Any]) -> None:
        resource = _resource(where, document)
        if isinstance(resource, Skipped):
            self.skipped.append(resource)
            return
        key = (resource.kind, resource.namespace, resource.name)
        if key in self._seen:
            reason = f"{_named(resource)} again: the first one, in {self._seen[key]}, is used"
            self.skipped.append(Skipped(where, reason))
            return
        self._seen[key] = where
        self._file(resource)

    def _file(self, resource: Resource) -> None:
        if resource.kind in WORKLOAD_KINDS:
            self.workloads.append(resource)
        elif resource.kind == "Ingress":
            self.ingresses.append(resource)
        elif resource.kind == "Service":
            self.services[resource.namespace, resource.name] = resource
        elif resource.kind == "ConfigMap":
            self.configmaps[resource.namespace, resource.name] = resource
        else:  # a Secret: its data is never looked at
            self.skipped.append(Skipped(resource.where, f"{_named(resource)}: a Secret's data is never read"))


def sort_documents(documents: Iterable[tuple[str, Any]]) -> Resources:
    """The documents (each with where it was read) sorted into the objects the reader uses."""
    resources = Resources()
    for where, document in documents:
        resources.add(where, document)
    return resources


def _resource(where: str, document: Mapping[str, Any]) -> Resource | Skipped:
    kind = as_str(document.get("kind"))
    if not kind:
        return Skipped(where, "an object without a kind")
    api_version = document.get("apiVersion")
    if kind not in _GROUPS or (isinstance(api_version, str) and _group(api_version) not in _GROUPS[kind]):
        group = f" ({api_version})" if isinstance(api_version, str) else ""
        return Skipped(where, f"{kind}{group} is not read: {_USED}")
    metadata = as_mapping(document.get("metadata"))
    name, namespace = as_str(metadata.get("name")), metadata.get("namespace", "default")
    if not name:
        return Skipped(where, f"a {kind} without metadata.name")
    if not isinstance(namespace, str) or not namespace:
        return Skipped(where, f"{kind} {name}: metadata.namespace is not a name")
    return Resource(kind, namespace, name, where, document)


def _group(api_version: str) -> str:
    """`apps/v1` -> `apps`; the core group's `v1` -> ``."""
    return api_version.rpartition("/")[0]


def _named(resource: Resource) -> str:
    return f"{resource.kind} {resource.namespace}/{resource.name}"


_WHAT = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number", type(None): "null"}


def _a(value: Any) -> str:
    """What a document that is no object is, for the reason it is skipped."""
    return _WHAT.get(type(value), f"a {type(value).__name__}")
