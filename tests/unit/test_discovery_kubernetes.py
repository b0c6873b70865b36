"""The Kubernetes reader (graphsvc/discovery/kubernetes.py) on the "shop" cluster of tests/fixtures/k8s/, as YAML
manifests and as `kubectl get -o json`, and on hostile input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphsvc.discovery.kubernetes import KubernetesMapping, image_name, read_manifests, service_candidates
from graphsvc.discovery.model import Observation, SeenDependency, Skipped, Unresolved

FIXTURES = Path(__file__).parent.parent / "fixtures" / "k8s"
SECRETS = ("s3cr3t", "czNjcjN0", "hunter2", "c4t4l0g", "k9.Zx-very.secret", "r3p0rt")
ONLY = "only Deployment, StatefulSet, DaemonSet, Service, ConfigMap and Ingress are read"


def fixture(name: str) -> tuple[str, bytes]:
    return name, (FIXTURES / name).read_bytes()


def mapping() -> KubernetesMapping:
    return KubernetesMapping.read(FIXTURES / "mapping.toml")


def k8s(namespace: str, kind: str, name: str) -> str:
    return f"k8s:shop:{namespace}:{kind}:{name}"


FRONTEND = k8s("shop", "deployment", "frontend")
CART = k8s("shop", "deployment", "cartservice")
CATALOG = k8s("shop", "deployment", "productcatalog")
CHECKOUT = k8s("shop", "deployment", "checkout")
REDIS_CART = k8s("shop", "deployment", "redis-cart")
MEMCACHED = k8s("shop", "deployment", "memcached")
ORDERS_DB = k8s("shop", "statefulset", "orders-db")
INGRESS = k8s("shop", "ingress", "shop")
CATALOG_DB = k8s("data", "statefulset", "catalog-db")
SESSIONS = k8s("data", "statefulset", "sessions")
LOG_SHIPPER = k8s("monitoring", "daemonset", "log-shipper")
STATUS_PAGE = k8s("default", "deployment", "status-page")

CATALOG_DB_IMAGES = "docker.io/bitnami/postgresql:16.2.0-debian-12-r6, docker.io/bitnami/postgres-exporter:0.15.0"
# id -> (name, type, environment, owner, images, replicas)
EXPECTED_ITEMS: dict[str, tuple[str, str, str | None, str | None, str, int | None]] = {
    CATALOG_DB: ("catalog-db", "DATABASE", "PRODUCTION", None, CATALOG_DB_IMAGES, 2),
    SESSIONS: ("sessions", "DATABASE", "PRODUCTION", None, "redis:7-alpine", 3),
    STATUS_PAGE: ("status-page", "APPLICATION", None, None, "ghcr.io/example/status-page:2024.5", 1),
    LOG_SHIPPER: ("log-shipper", "APPLICATION", "PRODUCTION", None, "cr.fluentbit.io/fluent/fluent-bit:3.0", None),
    CART: ("cartservice", "APPLICATION", "PRODUCTION", "T-WEB", "gcr.io/shop/cartservice:v1.4.2", 2),
    CHECKOUT: ("checkout", "APPLICATION", "PRODUCTION", "T-PAYMENTS", "gcr.io/shop/checkout:v2.0.1, busybox:1.36", 2),
    FRONTEND: ("storefront-web", "APPLICATION", "PRODUCTION", "T-WEB", "gcr.io/shop/frontend:v1.4.2", 3),
    MEMCACHED: ("memcached", "APPLICATION", "PRODUCTION", None, "memcached:1.6", 1),
    CATALOG: ("productcatalog", "APPLICATION", "PRODUCTION", "T-WEB", "gcr.io/shop/productcatalog:v1.4.2", 1),
    REDIS_CART: ("redis-cart", "APPLICATION", "PRODUCTION", None, "redis:7-alpine", 1),
    ORDERS_DB: ("orders-db", "DATABASE", "PRODUCTION", "T-PAYMENTS", "postgres:16", 1),
}  # fmt: skip

ORDERS_URL = "container api, configmap orders-config, key DATABASE_URL"
EXPECTED_DEPENDENCIES = [
    (STATUS_PAGE, CHECKOUT, "container checker, args"),
    (STATUS_PAGE, FRONTEND, "container checker, args"),
    (CART, REDIS_CART, "container cart, args"),
    (CHECKOUT, ORDERS_DB, f"{ORDERS_URL}; init container wait-for-db, command"),
    (FRONTEND, SESSIONS, "container server, env SESSION_STORE"),
    (FRONTEND, CART, "container server, env CART_ADDR"),
    (FRONTEND, CHECKOUT, "container server, env CHECKOUT_ADDR"),
    (FRONTEND, MEMCACHED, "container server, configmap frontend-config, key CACHE_HOST"),
    (FRONTEND, CATALOG, "container server, env PRODUCT_URL"),
    (FRONTEND, REDIS_CART, "container server, configmap frontend-config, key CACHE_HOST"),
    (CATALOG, CATALOG_DB, "container catalog, env CATALOG_DB, configmap catalog-config, key db"),
    (INGRESS, CHECKOUT, "rule shop.example.com, path /api/checkout"),
    (INGRESS, FRONTEND, "default backend"),
]  # fmt: skip

EXPECTED_UNRESOLVED = [
    Unresolved(LOG_SHIPPER, "container fluent-bit, env FLUENT_ELASTICSEARCH_HOST", "elasticsearch.logging"),
    Unresolved(CHECKOUT, "container api, configmap orders-config, key ERP_URL", "legacy-erp"),  # selects nothing
    Unresolved(CHECKOUT, "container api, configmap orders-config, key PAYMENT_GATEWAY", "payments.example.com"),
    Unresolved(CHECKOUT, "container api, env INVENTORY_HOST", "inventory"),
    Unresolved(FRONTEND, "container server, env CURRENCY_ADDR", "currencyservice"),
    Unresolved(INGRESS, "rule shop.example.com, path /gift-cards", "giftcards"),
]


def expected_items() -> list[tuple[str, dict[str, Any]]]:
    items = []
    for item_id, (name, ci_type, environment, owner, images, replicas) in EXPECTED_ITEMS.items():
        kind = {"deployment": "Deployment", "statefulset": "StatefulSet", "daemonset": "DaemonSet"}[
            item_id.split(":")[3]
        ]
        attributes: dict[str, Any] = {"namespace": item_id.split(":")[2], "kind": kind, "cluster": "shop"}
        attributes |= {"images": images} | ({"replicas": replicas} if replicas is not None else {})
        fields: dict[str, Any] = {"name": name, "type": ci_type}
        fields |= ({"environment": environment} if environment else {}) | ({"owner": owner} if owner else {})
        items.append((item_id, fields | {"attributes": attributes}))
    ingress = {"namespace": "shop", "kind": "Ingress", "cluster": "shop", "hosts": "shop.example.com"}
    ingress_fields = {"name": "shop", "type": "LOAD_BALANCER", "environment": "PRODUCTION", "owner": "T-WEB"}
    items.append((INGRESS, ingress_fields | {"attributes": ingress | {"ingressClass": "nginx"}}))
    return sorted(items)


def assert_the_shop_cluster(observation: Observation) -> None:
    assert observation.source == "kubernetes:shop"
    assert [(item.id, dict(item.fields)) for item in observation.items] == expected_items()
    assert {item.kind.value for item in observation.items} == {"CONFIGURATION_ITEM"}
    assert observation.dependencies == [
        SeenDependency(s, t, "HARD", {"via": via}) for s, t, via in EXPECTED_DEPENDENCIES
    ]
    assert observation.unresolved == EXPECTED_UNRESOLVED


def test_the_shop_cluster_from_manifests() -> None:
    observation = read_manifests([fixture("shop.yaml")], "shop", mapping())
    assert_the_shop_cluster(observation)
    assert observation.skipped == [
        Skipped("shop.yaml, document 1", f"Namespace (v1) is not read: {ONLY}"),
        Skipped("shop.yaml, document 2", f"Namespace (v1) is not read: {ONLY}"),
        Skipped("shop.yaml, document 6", "Secret shop/orders-db-credentials: a Secret's data is never read"),
        Skipped("shop.yaml, document 23", f"CronJob (batch/v1) is not read: {ONLY}"),
    ]


def test_the_same_cluster_from_kubectl_get_json() -> None:
    from_json = read_manifests([fixture("shop-kubectl.json")], "shop", mapping())
    assert_the_shop_cluster(from_json)
    assert from_json.skipped == []
    from_yaml = read_manifests([fixture("shop.yaml")], "shop", mapping())
    assert (from_json.items, from_json.dependencies, from_json.unresolved) == (
        from_yaml.items,
        from_yaml.dependencies,
        from_yaml.unresolved,
    )


@pytest.mark.parametrize("name", ["shop.yaml", "shop-kubectl.json"])
def test_no_secret_is_kept(name: str) -> None:
    observation = read_manifests([fixture(name)], "shop", mapping())
    assert (FIXTURES / name).read_bytes().count(b"s3cr3t") >= 1
    for secret in SECRETS:
        assert secret not in repr(observation)


def test_without_a_mapping_names_are_the_objects_and_nothing_is_owned() -> None:
    observation = read_manifests([fixture("shop.yaml")], "shop")
    by_id = {item.id: item.fields for item in observation.items}
    assert by_id[FRONTEND]["name"] == "frontend"
    assert not any("owner" in fields or "environment" in fields for fields in by_id.values())
    assert len(observation.dependencies) == len(EXPECTED_DEPENDENCIES)


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("postgres:16", "postgres"),
        ("redis:7-alpine", "redis"),
        ("docker.io/bitnami/postgresql:16.2.0", "postgresql"),
        ("registry.local:5000/team/Mongo@sha256:0123abcd", "mongo"),
        ("gcr.io/shop/frontend", "frontend"),
    ],
)
def test_image_name(image: str, name: str) -> None:
    assert image_name(image) == name


@pytest.mark.parametrize(
    ("host", "candidates"),
    [
        ("cartservice", [("shop", "cartservice")]),
        ("orders-db.data", [("data", "orders-db"), ("shop", "data")]),
        ("orders-db.data.svc", [("data", "orders-db")]),
        ("orders-db.data.svc.cluster.local.", [("data", "orders-db")]),
        ("orders-db-0.orders-db.data.svc.cluster.local", [("data", "orders-db")]),
        ("orders-db-0.orders-db.data", [("data", "orders-db")]),
        ("api.stripe.com", [("com", "stripe")]),
        ("a.b.c.d", []),
    ],
)
def test_service_candidates(host: str, candidates: list[tuple[str, str]]) -> None:
    assert service_candidates(host, "shop") == candidates
