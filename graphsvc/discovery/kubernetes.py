"""The Kubernetes reader: manifests (multi-document YAML as applied with kubectl, kustomize output, or the JSON list
of `kubectl get deploy,sts,ds,svc,cm,ingress -A -o json`) -> an `Observation` with the source `kubernetes:<cluster>`.
Pure: it reads the bytes it is given and nothing else. The rules (SEMANTICS.md, "Discovery"):

- **Items.** Each Deployment, StatefulSet and DaemonSet is a CONFIGURATION_ITEM of type APPLICATION, a StatefulSet
  running a known database, cache or broker image (`DATABASE_IMAGES`, matched on the image name's last path segment
  without tag or digest: `docker.io/bitnami/postgresql:16` is `postgresql`) one of type DATABASE; each Ingress one
  of type LOAD_BALANCER. Ids are `k8s:CLUSTER:NAMESPACE:KIND:NAME` (kind in lower case, namespace `default` when
  absent); an object whose id would not be a valid item id (too long: over 128 characters) is skipped with that
  reason. Fields: `name` (the object's name, or the label the mapping names), `type`, `environment` and `owner`
  where the mapping says (kubernetes_mapping.py), and `attributes`: `namespace`, `kind`, `cluster`, plus `images`
  (comma-joined, containers then init containers, each once) and `replicas` (1 when not given; none for a
  DaemonSet) for workloads, `hosts` and `ingressClass` for an Ingress.
- **Dependencies.** Workload A depends (HARD) on workload B when a container of A names, in a value
  kubernetes_refs.py lists, a host (hosts.py) that is a Service selecting B's pods: the Service's `spec.selector`
  is matched against the pod template's labels of the workloads in its namespace (all its pairs present; an empty or
  missing selector selects nothing). An Ingress depends on the workloads its backends' Services select
  (`spec.rules[].http.paths[].backend.service.name`, `spec.defaultBackend`, and the older `serviceName`). A Service
  selecting two workloads gives a dependency on each; none on the workload itself; one per pair, whose `via` lists
  the places it was found (up to `MAX_VIA_PLACES`, in order).
- **Hosts and Services.** A host names the Service `svc` of namespace `ns` as `svc` (the workload's own namespace),
  `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<cluster domain>`, or as a pod of a headless Service: `pod.svc`,
  `pod.svc.ns`, `pod.svc.ns.svc.<cluster domain>`. The first reading that names a Service the input holds wins.
- **Unresolved.** A host that names no Service is reported with the item and the place, when the host heuristic
  (hosts.py) says it is one; so is a Service named that selects no workload read (no selector, `ExternalName`, or
  its workloads not in the input): the dependency is real, its target is not in the CMDB.
- **Never kept**: values. Only names (of variables, keys, ConfigMaps, containers) and hosts leave the reader, so a
  password in a URI, a ConfigMap or a variable named like a secret cannot reach the CMDB (secrets.py); a Secret's
  data is never read.

Items, dependencies and unresolved references come sorted (by id, by pair, by item and place), so the same cluster
read from YAML manifests or from `kubectl get -o json` gives the same lists; skipped input comes in input order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphsvc.discovery.documents import DiscoveryInputError, read_documents
from graphsvc.discovery.hosts import HostRef, host_references
from graphsvc.discovery.kubernetes_mapping import KubernetesMapping
from graphsvc.discovery.kubernetes_refs import MissingConfigMap, as_list, as_mapping, as_str, pod_values
from graphsvc.discovery.kubernetes_resources import Resource, Resources, sort_documents
from graphsvc.discovery.model import Observation, SeenDependency, SeenItem, Skipped, Unresolved
from graphsvc.domain.exchange import is_id
from graphsvc.domain.text import control_characters, strip_controls
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "DATABASE_IMAGES",
    "MAX_VIA_PLACES",
    "DiscoveryInputError",
    "KubernetesMapping",
    "image_name",
    "read_manifests",
    "service_candidates",
]

# Images whose StatefulSet is a DATABASE: databases, caches, search indexes, coordination stores and message brokers
# (each holds state the workloads using it lose with it), by the names their official and Bitnami images go by.
DATABASE_IMAGES = frozenset(
    {
        "postgres", "postgresql", "postgis", "timescaledb", "mysql", "mariadb", "percona-server", "mongo", "mongodb",
        "redis", "redis-stack-server", "valkey", "keydb", "memcached", "cassandra", "scylla", "elasticsearch",
        "opensearch", "etcd", "zookeeper", "kafka", "rabbitmq", "clickhouse-server", "cockroach", "couchdb",
        "influxdb", "neo4j",
    }
)  # fmt: skip
MAX_VIA_PLACES = 10
_CLUSTER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


def read_manifests(
    files: Sequence[tuple[str, bytes]], cluster: str, mapping: KubernetesMapping | None = None
) -> Observation:
    """What the manifests in `files` (each a name, for messages, and its bytes) say cluster `cluster` runs.
    `DiscoveryInputError` when a file cannot be read (nothing is read then); `ValueError` for a bad cluster name."""
    if not _CLUSTER.fullmatch(cluster):
        raise ValueError(f"cluster {cluster!r}: letters, digits, '.', '_' and '-' only, up to 63 characters")
    resources = sort_documents(document for name, data in files for document in read_documents(name, data))
    return _Reader(cluster, mapping or KubernetesMapping(), resources).read()


def image_name(image: str) -> str:
    """An image reference's name without registry, path, tag or digest: `docker.io/bitnami/redis:7@sha256:..` ->
    `redis`."""
    return image.partition("@")[0].rsplit("/", 1)[-1].partition(":")[0].lower()


def service_candidates(host: str, namespace: str) -> list[tuple[str, str]]:
    """The (namespace, service) pairs `host`, seen from `namespace`, may name, most likely first (module rules)."""
    parts = host.rstrip(".").split(".")
    if len(parts) == 1:
        return [(namespace, parts[0])]
    if len(parts) == 2:
        return [(parts[1], parts[0]), (namespace, parts[1])]
    if parts[2] == "svc":
        return [(parts[1], parts[0])]
    if len(parts) == 3 or parts[3] == "svc":
        return [(parts[2], parts[1])]
    return []


class _Reader:
    """One read of one cluster's resources into an Observation."""

    def __init__(self, cluster: str, mapping: KubernetesMapping, resources: Resources) -> None:
        self.cluster = cluster
        self.mapping = mapping
        self.resources = resources
        self.observation = Observation(source=f"kubernetes:{cluster}", skipped=list(resources.skipped))
        self.pods: dict[tuple[str, str, str], set[str]] = {}  # (namespace, label, value) -> workload item ids
        self.places: dict[tuple[str, str], list[str]] = {}  # (from, to) -> where found
        self.unresolved: dict[tuple[str, str, str], None] = {}  # (item, where, host), in order
        self.selected: dict[tuple[str, str], list[str]] = {}  # (namespace, service) -> workload item ids
        self.configmaps = resources.configmap_data()

    def read(self) -> Observation:
        workloads = [(w, item_id) for w in self.resources.workloads if (item_id := self._workload(w)) is not None]
        ingresses = [(i, item_id) for i in self.resources.ingresses if (item_id := self._ingress(i)) is not None]
        for workload, item_id in workloads:
            self._workload_references(workload, item_id)
        for ingress, item_id in ingresses:
            self._ingress_references(ingress, item_id)
        return self._finish()

    # items

    def _workload(self, workload: Resource) -> str | None:
        template = as_mapping(workload.spec.get("template"))
        pod_labels = as_mapping(as_mapping(template.get("metadata")).get("labels"))
        containers = as_list(as_mapping(template.get("spec")).get("containers"))
        images = _images(as_mapping(template.get("spec")))
        ci_type = "APPLICATION"
        if workload.kind == "StatefulSet" and any(_is_database(c) for c in map(as_mapping, containers)):
            ci_type = "DATABASE"
        attributes: dict[str, Any] = {"images": ", ".join(images)} if images else {}
        if workload.kind != "DaemonSet":
            replicas = workload.spec.get("replicas", 1)
            if isinstance(replicas, int) and not isinstance(replicas, bool):
                attributes["replicas"] = replicas
        item_id = self._item(workload, ci_type, attributes, pod_labels)
        if item_id is not None:
            for key, value in pod_labels.items():
                if isinstance(value, str):
                    self.pods.setdefault((workload.namespace, key, value), set()).add(item_id)
        return item_id

    def _ingress(self, ingress: Resource) -> str | None:
        hosts = [h for rule in as_list(ingress.spec.get("rules")) if (h := as_str(as_mapping(rule).get("host")))]
        ingress_class = as_str(ingress.spec.get("ingressClassName")) or as_str(
            as_mapping(as_mapping(ingress.body.get("metadata")).get("annotations")).get("kubernetes.io/ingress.class")
        )
        attributes: dict[str, Any] = {"hosts": ", ".join(dict.fromkeys(hosts))} if hosts else {}
        if ingress_class:
            attributes["ingressClass"] = strip_controls(ingress_class)
        return self._item(ingress, "LOAD_BALANCER", attributes, {})

    def _item(
        self, resource: Resource, ci_type: str, attributes: dict[str, Any], pod_labels: Mapping[str, Any]
    ) -> str | None:
        """Add the item for `resource` and give its id, or skip it (an invalid id) and give None."""
        item_id = f"k8s:{self.cluster}:{resource.namespace}:{resource.kind.lower()}:{resource.name}"
        if not is_id(item_id):
            reason = f"{resource.kind} {resource.namespace}/{resource.name}"[:200]
            self.observation.skipped.append(Skipped(resource.where, f"{reason}: {_id_problem(item_id)}"))
            return None
        fields: dict[str, Any] = {"name": self._name(resource, pod_labels), "type": ci_type}
        environment = self.mapping.environments.get(resource.namespace)
        if environment is not None:
            fields["environment"] = environment
        owner = self._owner(resource, pod_labels)
        if owner is not None:
            fields["owner"] = owner
        common = {"namespace": resource.namespace, "kind": resource.kind, "cluster": self.cluster}
        fields["attributes"] = {
            **common,
            **{k: strip_controls(v) if isinstance(v, str) else v for k, v in attributes.items()},
        }
        self.observation.items.append(SeenItem(item_id, Kind.CONFIGURATION_ITEM, fields))
        return item_id

    def _label(self, resource: Resource, pod_labels: Mapping[str, Any], label: str) -> str | None:
        return as_str(resource.labels.get(label)) or as_str(pod_labels.get(label))

    def _name(self, resource: Resource, pod_labels: Mapping[str, Any]) -> str:
        """The mapping's name label when the object carries a usable one, else the object's name."""
        if self.mapping.name_label is not None:
            named = self._label(resource, pod_labels, self.mapping.name_label)
            if named and named.strip() and not control_characters(named):
                return named
        return resource.name

    def _owner(self, resource: Resource, pod_labels: Mapping[str, Any]) -> str | None:
        team = self._label(resource, pod_labels, self.mapping.owner_label)
        return self.mapping.owners.get(team) if team is not None else None

    # references

    def _workload_references(self, workload: Resource, item_id: str) -> None:
        pod_spec = as_mapping(as_mapping(workload.spec.get("template")).get("spec"))
        missing: set[str] = set()
        for found in pod_values(pod_spec, self.configmaps.get(workload.namespace, {})):
            if isinstance(found, MissingConfigMap):
                if found.name not in missing:
                    missing.add(found.name)
                    reason = f"configmap {found.name} is not in the input: its keys were not read for {item_id}"
                    self.observation.skipped.append(Skipped(f"{workload.where}, {found.where}", reason))
                continue
            for ref in host_references(found.value, found.name):
                self._reference(item_id, workload.namespace, found.where, ref)

    def _ingress_references(self, ingress: Resource, item_id: str) -> None:
        for where, service in _backends(ingress.spec):
            self._reference(item_id, ingress.namespace, where, HostRef(service, reportable=True), exact=True)

    def _reference(self, item_id: str, namespace: str, where: str, ref: HostRef, exact: bool = False) -> None:
        """Record what `ref` names: dependencies on the workloads of the Service it names, or an unresolved host."""
        candidates = [(namespace, ref.host)] if exact else service_candidates(ref.host, namespace)
        service = next((c for c in candidates if c in self.resources.services), None)
        if service is None:
            if ref.reportable:
                self.unresolved[item_id, where, ref.host] = None
            return
        targets = self._selected(service)
        if not targets:
            self.unresolved[item_id, where, ref.host] = None
        for target in targets:
            if target != item_id:
                self.places.setdefault((item_id, target), []).append(where)

    def _selected(self, service: tuple[str, str]) -> list[str]:
        """The workload items whose pods the Service selects, by id."""
        if service not in self.selected:
            namespace = service[0]
            selector = as_mapping(self.resources.services[service].spec.get("selector"))
            chosen: set[str] | None = None
            for key, value in selector.items():
                matching = self.pods.get((namespace, key, value), set()) if isinstance(value, str) else set()
                chosen = matching if chosen is None else chosen & matching
            self.selected[service] = sorted(chosen or ())
        return self.selected[service]

    def _finish(self) -> Observation:
        observation = self.observation
        observation.items.sort(key=lambda item: item.id)
        for (source, target), places in sorted(self.places.items()):
            observation.dependencies.append(SeenDependency(source, target, "HARD", {"via": _via(places)}))
        observation.unresolved.extend(
            Unresolved(item, strip_controls(where), host) for item, where, host in sorted(self.unresolved)
        )
        return observation


def _images(pod_spec: Mapping[str, Any]) -> list[str]:
    containers = as_list(pod_spec.get("containers")) + as_list(pod_spec.get("initContainers"))
    images = (as_str(as_mapping(c).get("image")) for c in containers)
    return list(dict.fromkeys(image for image in images if image))


def _is_database(container: Mapping[str, Any]) -> bool:
    image = as_str(container.get("image"))
    return image is not None and image_name(image) in DATABASE_IMAGES


def _backends(spec: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """Each (place, service name) an Ingress sends traffic to."""
    default = _backend_service(spec.get("defaultBackend") or spec.get("backend"))
    if default:
        yield "default backend", default
    for rule in map(as_mapping, as_list(spec.get("rules"))):
        host = as_str(rule.get("host")) or "*"
        for path in map(as_mapping, as_list(as_mapping(rule.get("http")).get("paths"))):
            service = _backend_service(path.get("backend"))
            if service:
                yield f"rule {host}, path {as_str(path.get('path')) or '/'}", service


def _backend_service(backend: Any) -> str | None:
    """networking.k8s.io/v1's `backend.service.name`, or extensions/v1beta1's `backend.serviceName`."""
    backend = as_mapping(backend)
    return as_str(as_mapping(backend.get("service")).get("name")) or as_str(backend.get("serviceName"))


def _via(places: list[str]) -> str:
    """The places a dependency was found, as one attribute value (free text: control characters dropped)."""
    unique = list(dict.fromkeys(strip_controls(place) for place in places))
    shown = "; ".join(unique[:MAX_VIA_PLACES])
    return shown if len(unique) <= MAX_VIA_PLACES else f"{shown}; and {len(unique) - MAX_VIA_PLACES} more"


def _id_problem(item_id: str) -> str:
    if len(item_id) > 128:
        return f"its id would be {len(item_id)} characters long, more than the 128 an item id may have"
    return f"its id {item_id[:140]!r} would not be a valid item id (letters, digits and '._:-' only)"
