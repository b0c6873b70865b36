"""The Kubernetes reader on hostile and malformed input: it fails with a clear DiscoveryInputError naming the file
and document, or skips what it cannot use with a reason; it never hangs, exhausts memory or keeps a secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graphsvc.discovery.documents import ALIAS_NODE_BUDGET, DiscoveryInputError
from graphsvc.discovery.kubernetes import KubernetesMapping, read_manifests
from graphsvc.discovery.model import Skipped

ONLY = "only Deployment, StatefulSet, DaemonSet, Service, ConfigMap and Ingress are read"
BILLION_LAUGHS = b"""apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
data:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def dump(document: Any) -> str:
    """A document as JSON, which is YAML too (non-ASCII as it is: YAML refuses JSON's escaped surrogate pairs)."""
    return json.dumps(document, ensure_ascii=False)


def deployment(name: str, namespace: str | None = "shop", env: dict[str, str] | None = None, **labels: str) -> str:
    """A Deployment's YAML document; `env` as container variables, `labels` on the pod template."""
    pod_labels = {"app": name, **labels}
    doc: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name} | ({"namespace": namespace} if namespace else {}),
        "spec": {
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": f"{name}:1",
                            "env": [{"name": k, "value": v} for k, v in (env or {}).items()],
                        }
                    ]
                },
            }
        },
    }
    return dump(doc)


def service(name: str, namespace: str = "shop", **selector: str) -> str:
    doc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace}}
    return dump(doc | {"spec": {"selector": selector or {"app": name}}})


def yaml_file(*documents: str, name: str = "m.yaml") -> tuple[str, bytes]:
    return name, "\n---\n".join(documents).encode()


def test_a_billion_laughs_is_refused() -> None:
    with pytest.raises(DiscoveryInputError) as refused:
        read_manifests([("bomb.yaml", BILLION_LAUGHS)], "shop")
    assert (
        str(refused.value)
        == f"bomb.yaml, document 1: its aliases expand past {ALIAS_NODE_BUDGET:,} nodes (an alias bomb?)"
    )


def test_a_document_that_holds_itself_is_refused() -> None:
    with pytest.raises(DiscoveryInputError, match=r"m.yaml, document 2: an alias refers to a node that contains it"):
        read_manifests([yaml_file(service("a"), "a: &x [1, *x]")], "shop")


def test_a_few_anchors_and_merge_keys_are_fine() -> None:
    manifest = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - &container
          name: api
          image: api:1
          env: &env
            - {name: CART_ADDR, value: "cart:7070"}
        - <<: *container
          name: sidecar
"""
    observation = read_manifests([yaml_file(manifest, deployment("cart"), service("cart"))], "shop")
    assert [(d.source, d.target, d.attributes["via"]) for d in observation.dependencies] == [
        (
            "k8s:shop:shop:deployment:api",
            "k8s:shop:shop:deployment:cart",
            "container api, env CART_ADDR; container sidecar, env CART_ADDR",
        )
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"kind: Deployment\nmetadata: {name: caf\xe9}\n", r"^bad.yaml: not UTF-8 text \(byte 37 is 0xe9\)$"),
        (
            b"a: [1, 2\nb: 3\n",
            r"^bad.yaml, document 1: while parsing a flow sequence, did not find expected ',' or '\]'",
        ),
        (
            b"---\nkind: Service\n---\na: !!python/object/apply:os.system [id]\n",
            r"^bad.yaml, document 2: could not determine a constructor",
        ),
        (b"[" * 100_000, r"^bad.yaml: nested too deeply to read$"),
        (b"a:\n" + b"".join(b" " * i + b"b:\n" for i in range(1, 2000)), r"^bad.yaml, document 1: .*nesting depth"),
    ],
)
def test_unreadable_files_fail_with_the_file_and_document(data: bytes, message: str) -> None:
    with pytest.raises(DiscoveryInputError, match=message):
        read_manifests([("good.yaml", deployment("a").encode()), ("bad.yaml", data)], "shop")


def test_a_yaml_error_does_not_quote_the_line_it_failed_on() -> None:
    with pytest.raises(DiscoveryInputError) as refused:
        read_manifests([("bad.yaml", b"data:\n  DATABASE_URL: postgresql://u:s3cr3t@db/x\n bad: [\n")], "shop")
    assert "s3cr3t" not in str(refused.value)
    assert "line" in str(refused.value)


def test_what_cannot_be_used_is_skipped_with_a_reason() -> None:
    knative = {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "metadata": {"name": "hello"}}
    observation = read_manifests(
        [
            yaml_file(
                deployment("cart"),
                "",  # empty documents are no documents
                "# only a comment",
                "- a list, not an object",
                "just text",
                dump({"apiVersion": "apps/v1", "metadata": {"name": "no-kind"}}),
                dump({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}}),
                dump(knative),
                deployment("cart"),
                deployment("cart", namespace="other"),
                dump({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x", "namespace": 7}}),
            )
        ],
        "shop",
    )
    assert [item.id for item in observation.items] == [
        "k8s:shop:other:deployment:cart",
        "k8s:shop:shop:deployment:cart",
    ]
    assert observation.skipped == [
        Skipped("m.yaml, document 4", "not an object but a list"),
        Skipped("m.yaml, document 5", "not an object but a string"),
        Skipped("m.yaml, document 6", "an object without a kind"),
        Skipped("m.yaml, document 7", "a Deployment without metadata.name"),
        Skipped(
            "m.yaml, document 8",
            f"Service (serving.knative.dev/v1) is not read: {ONLY}",
        ),
        Skipped("m.yaml, document 9", "Deployment shop/cart again: the first one, in m.yaml, document 1, is used"),
        Skipped("m.yaml, document 11", "Deployment x: metadata.namespace is not a name"),
    ]


def test_an_id_too_long_is_skipped() -> None:
    long_name = "a" * 120
    observation = read_manifests([yaml_file(deployment(long_name), deployment("b"))], "shop")
    assert [item.id for item in observation.items] == ["k8s:shop:shop:deployment:b"]
    assert observation.skipped == [
        Skipped(
            "m.yaml, document 1",
            f"Deployment shop/{long_name}: its id would be 145 characters long, more than the 128 an item id may have",
        )
    ]


def test_a_bad_cluster_name_is_refused() -> None:
    with pytest.raises(ValueError, match="cluster 'a:b'"):
        read_manifests([], "a:b")


def test_malformed_specs_read_as_absent() -> None:
    broken = [
        {"spec": "not an object"},
        {"spec": {"template": {"spec": {"containers": "nope"}}}},
        {"spec": {"replicas": "3", "template": {"spec": {"containers": [7, {"env": "x", "envFrom": [None]}]}}}},
        {"spec": {"template": {"metadata": {"labels": ["x"]}, "spec": {"containers": [{"env": [{}], "args": [1]}]}}}},
    ]  # fmt: skip
    documents = [
        dump({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": f"s{i}"}} | body)
        for i, body in enumerate(broken)
    ]
    observation = read_manifests([yaml_file(*documents)], "shop")
    assert [item.id for item in observation.items] == [f"k8s:shop:default:statefulset:s{i}" for i in range(4)]
    assert observation.items[2].fields["attributes"] == {
        "namespace": "default",
        "kind": "StatefulSet",
        "cluster": "shop",
    }


def test_an_api_list_whose_items_carry_no_kind() -> None:
    deployment_list = {
        "apiVersion": "apps/v1",
        "kind": "DeploymentList",
        "items": [
            json.loads(deployment("a")),
            {"metadata": {"name": "b", "namespace": "shop"}},
            "junk",
            {"kind": "List"},
        ],
    }
    observation = read_manifests([("list.json", json.dumps(deployment_list).encode())], "shop")
    assert [item.id for item in observation.items] == ["k8s:shop:shop:deployment:a", "k8s:shop:shop:deployment:b"]
    assert observation.skipped == [
        Skipped("list.json, document 1, item 3", "not an object but a string"),
        Skipped("list.json, document 1, item 4", f"List is not read: {ONLY}"),
    ]


def test_an_old_ingress_and_a_service_in_another_namespace() -> None:
    ingress = {
        "apiVersion": "extensions/v1beta1",
        "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "backend": {"serviceName": "front"},
            "rules": [{"http": {"paths": [{"backend": {"serviceName": "api"}}]}}],
        },
    }
    documents = [dump(ingress), deployment("front"), service("front"), deployment("api"), service("api")]
    documents += [deployment("caller", namespace="ops", env={"A": "front.shop:80", "B": "api"})]
    observation = read_manifests([yaml_file(*documents)], "shop")
    assert [(d.source, d.target, d.attributes["via"]) for d in observation.dependencies] == [
        ("k8s:shop:ops:deployment:caller", "k8s:shop:shop:deployment:front", "container main, env A"),
        ("k8s:shop:shop:ingress:web", "k8s:shop:shop:deployment:api", "rule *, path /"),
        ("k8s:shop:shop:ingress:web", "k8s:shop:shop:deployment:front", "default backend"),
    ]
    assert observation.unresolved == []  # `api` from namespace ops is a bare word that names nothing: not reported


def test_a_missing_configmap_is_reported() -> None:
    manifest = json.loads(deployment("api"))
    manifest["spec"]["template"]["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": "gone"}}]
    observation = read_manifests([yaml_file(dump(manifest))], "shop")
    assert observation.skipped == [
        Skipped(
            "m.yaml, document 1, container main",
            "configmap gone is not in the input: its keys were not read for k8s:shop:shop:deployment:api",
        )
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[owner]\nlabel = 'team'\n", "m.toml: unknown table [owner] (known: environments, names, owners)"),
        ("[owners]\nlabl = 'team'\n", "m.toml: unknown key owners.labl"),
        ("[environments]\nshop = 'PROD'\n", "m.toml: environments.shop: 'PROD' is not an environment"),
        ("[owners.teams]\npayments = 'T PAYMENTS'\n", "m.toml: owners.teams.payments: 'T PAYMENTS' is not an item id"),
        ("[names]\nlabel = 3\n", "m.toml: names.label must be a non-empty string"),
        ("[names\n", "m.toml: not valid TOML"),
    ],
)
def test_a_bad_mapping_file_is_refused(text: str, message: str) -> None:
    with pytest.raises(DiscoveryInputError) as refused:
        KubernetesMapping.from_toml(text, "m.toml")
    assert str(refused.value).startswith(message)


def test_a_mapping_file_that_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "latin1.toml").write_bytes(b"[environments]\ncaf\xe9 = 'TEST'\n")
    with pytest.raises(DiscoveryInputError, match=r"latin1.toml: not UTF-8 text \(byte 18\)"):
        KubernetesMapping.read(tmp_path / "latin1.toml")
    with pytest.raises(DiscoveryInputError, match=r"missing.toml: cannot be read \(No such file or directory\)"):
        KubernetesMapping.read(tmp_path / "missing.toml")


def test_a_50_mb_manifest_list_is_read() -> None:
    """12,000 Deployments and their Services in one `kubectl get -o json` list of about 50 MB; each calls the next
    one's Service. No timing asserted: it has to finish and count right."""
    count = 12_000
    padding = {"kubectl.kubernetes.io/last-applied-configuration": "x" * 3_600}
    items: list[Any] = []
    for i in range(count):
        env = {"NEXT_ADDR": f"svc-{(i + 1) % count}:8080", "DATABASE_URL": f"postgresql://u:pw{i}@db-{i}.example.com/x"}
        workload = json.loads(deployment(f"app-{i}", env=env, tier=f"t{i % 10}"))
        workload["metadata"]["annotations"] = padding
        items += [workload, json.loads(service(f"svc-{i}", app=f"app-{i}"))]
    data = json.dumps({"apiVersion": "v1", "kind": "List", "items": items}).encode()
    del items
    assert len(data) > 50_000_000
    observation = read_manifests([("big.json", data)], "big")
    assert len(observation.items) == count
    assert len(observation.dependencies) == count
    assert len(observation.unresolved) == count  # each db-N.example.com
    assert observation.skipped == []


_PASSWORD = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=8, max_size=40)


@settings(max_examples=50, deadline=None)
@given(_PASSWORD)
def test_a_generated_password_never_reaches_the_observation(password: str) -> None:
    assume(password.strip() == password and "\\" not in password)
    env = {
        "DATABASE_URL": f"postgresql://orders:{password}@orders-db:5432/orders",
        "DB_PASSWORD": password,
        "API_TOKEN": password,
        "OPTS": f"--password={password}",
    }
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "shop"},
        "data": {
            "REDIS_URL": f"redis://:{password}@cache:6379",
            "SECRET_KEY": password,
            "DSN": f"host=db password={password}",
        },
    }
    manifest = json.loads(deployment("api", env=env))
    manifest["spec"]["template"]["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": "cfg"}}]
    documents = [dump(manifest), dump(configmap), deployment("orders-db"), service("orders-db")]
    observation = read_manifests([yaml_file(*documents)], "shop")
    assume(password not in repr(read_manifests([yaml_file(*documents[2:])], "shop")))
    assert password not in repr(observation)
    if not any(c in password for c in "/?#") and password.split() == [password]:  # else the URI is malformed
        assert [d.target for d in observation.dependencies] == ["k8s:shop:shop:deployment:orders-db"]
