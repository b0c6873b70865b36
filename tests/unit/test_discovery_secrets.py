"""Scrubbing secrets out of what discovery keeps (graphsvc/discovery/secrets.py), and the host tokenising that
must never mistake a password for a host (graphsvc/discovery/hosts.py)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from graphsvc.discovery.hosts import host_references, is_host_name
from graphsvc.discovery.secrets import is_secret_name, scrub_text, scrub_uri, scrub_value, split_uri


@pytest.mark.parametrize(
    ("uri", "scrubbed"),
    [
        ("postgresql://user:pw@host:5432/db", "postgresql://host:5432/db"),
        (
            "postgresql://orders:s3cr3t@orders-db:5432/orders?sslmode=require",
            "postgresql://orders-db:5432/orders?sslmode=require",
        ),
        ("https://api.example.com/v1?page=2&api_key=abc&access_token=t#frag", "https://api.example.com/v1?page=2"),
        ("redis://:hunter2@Redis-Cart:6379/0", "redis://redis-cart:6379/0"),
        ("amqp://guest@rabbitmq", "amqp://rabbitmq"),
        ("jdbc:mysql://db:3306/shop?user=app&password=x", "jdbc:mysql://db:3306/shop?user=app"),
        ("http://[::1]:8080/", "http://[::1]:8080/"),
        ("http://svc/", "http://svc/"),
        # not percent-encoded: the password's tail looks like a path, a query or a fragment; all of it goes
        ("postgresql://u:pa/ss@db/x", "postgresql://u"),
        ("postgresql://u:pa?ss@db/x", "postgresql://u"),
        ("redis://:pa#ss@db", "redis://"),
        ("mongodb://u:p@ss@db:27017", "mongodb://db:27017"),
        ("mongodb://u:p@m-0.m:27017,m-1.m/shop?replicaSet=rs0", "mongodb://m-0.m:27017,m-1.m/shop?replicaSet=rs0"),
        ("https://h/x?page=1&token=a&b&c=d", "https://h/x?page=1"),
        ("not a uri", ""),
    ],
)
def test_scrub_uri(uri: str, scrubbed: str) -> None:
    assert scrub_uri(uri) == scrubbed


def test_split_uri_gives_the_host_and_port() -> None:
    parts = split_uri("postgresql://orders:s3cr3t@orders-db.shop.svc.cluster.local:5432/orders")
    assert parts is not None
    assert (parts.scheme, parts.host, parts.port, parts.path) == (
        "postgresql",
        "orders-db.shop.svc.cluster.local",
        5432,
        "/orders",
    )
    assert split_uri("cartservice:7070") is None
    assert split_uri("http://host:99999/").port is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "name",
    [
        "PASSWORD", "DB_PASSWORD", "dbPassword", "POSTGRES_PASSWD", "DB_PASS", "MYSQL_PWD", "CLIENT_SECRET",
        "GITHUB_TOKEN", "api-key", "API_KEY", "STRIPE_APIKEY", "PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID", "GOOGLE_APPLICATION_CREDENTIALS", "credential", "BASIC_AUTH", "oauthClient", "SSH_KEY",
        "SESSION_COOKIE", "password", "Jwt", "sentry.dsn",
    ],
)  # fmt: skip
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["DATABASE_URL", "REDIS_ADDR", "CART_ADDR", "PORT", "COMPASS_HEADING", "LOG_LEVEL", "KEYCLOAK_HOST_X", "monkey"],
)
def test_names_that_are_no_secrets(name: str) -> None:
    assert not is_secret_name(name)


def test_host_names() -> None:
    assert all(map(is_host_name, ["DB_HOST", "redisAddr", "--api-url", "KAFKA_BROKERS", "ENDPOINT", "auth.server"]))
    assert not any(map(is_host_name, ["GHOST", "HOSTNAME_PREFIX", "PORT", "url_path"]))


def test_scrub_value_and_text() -> None:
    assert scrub_value("DB_PASSWORD", "postgresql://db/x") is None
    assert scrub_value("DATABASE_URL", "postgresql://u:s3cr3t@db/x") == "postgresql://db/x"
    text = "primary=postgresql://u:s3cr3t@db1/x, replica 'mysql://root:t0p@db2:3306/y' done"
    assert scrub_text(text) == "primary=postgresql://db1/x, replica 'mysql://db2:3306/y' done"


@pytest.mark.parametrize(
    ("value", "name", "hosts"),
    [
        ("cartservice:7070", "CART_ADDR", ["cartservice"]),
        ("http://productcatalog.shop.svc.cluster.local:3550", "PRODUCT_URL", ["productcatalog.shop.svc.cluster.local"]),
        ("postgresql://orders:s3cr3t@orders-db:5432/orders", "DATABASE_URL", ["orders-db"]),
        ("kafka-0.kafka:9092,kafka-1.kafka:9092", "BOOTSTRAP", ["kafka-0.kafka", "kafka-1.kafka"]),
        ("mongodb://app:pw@mongo-0.mongo:27017,mongo-1.mongo/shop", "MONGO_URL", ["mongo-0.mongo", "mongo-1.mongo"]),
        ("PLAINTEXT://kafka-0:9092,PLAINTEXT://kafka-1:9092", "LISTENERS", ["kafka-0", "kafka-1"]),
        ("redis://:pa;ss,w@redis:6379", "CACHE", ["redis"]),
        ("info", "LOG_LEVEL", ["?info"]),
        ("payments", "PAYMENTS_HOST", ["payments"]),
        ("api.stripe.com", None, ["api.stripe.com"]),
        ("app.jar config.yaml com.example.Main 1.2.3 5432", None, ["?app.jar", "?config.yaml", "?com.example.main"]),
        ("10.0.0.7", None, ["10.0.0.7"]),
        ("localhost:8080 127.0.0.1 http://localhost/", None, []),
        ("mycartservice2;cartservice", None, ["?mycartservice2", "?cartservice"]),
        ("--db-host=orders-db --password=hunter.two", None, ["orders-db"]),
        ("host=db user=app password=p.q.r", "DB_CONN", ["db", "?app"]),
        # a secret's value: only its URIs are read, never a bare word that might be the password
        ("hunter.two", "DB_PASSWORD", []),
        ("redis://:pw@redis-cart:6379", "REDIS_PASSWORD", ["redis-cart"]),
        # a host's name wins over a secret's: a host is no secret
        ("auth", "AUTH_HOST", ["auth"]),
    ],
)  # fmt: skip
def test_host_references(value: str, name: str | None, hosts: list[str]) -> None:
    """Each host found, "?"-prefixed when it is not worth reporting should it name nothing known."""
    assert [("" if ref.reportable else "?") + ref.host for ref in host_references(value, name)] == hosts


# RFC 3986 userinfo characters (unreserved, sub-delimiters, percent-encodings) but ":"
_USERINFO = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%"), min_size=8
)
_ANY_PASSWORD = st.text(st.characters(blacklist_categories=("Cs",)), min_size=8)
_LABEL = r"[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?"
_HOST = st.from_regex(rf"{_LABEL}(?:\.{_LABEL}){{0,3}}", fullmatch=True)
_SCHEME = st.sampled_from(["postgresql", "mysql", "redis", "mongodb", "amqp", "https", "jdbc:postgresql"])
_PATH = st.from_regex(r"(/[a-z0-9_-]{0,12}){0,3}", fullmatch=True)


@given(_SCHEME, _USERINFO, _USERINFO, _HOST, st.integers(1, 65535), _PATH)
def test_a_generated_password_never_survives_scrubbing(
    scheme: str, user: str, password: str, host: str, port: int, path: str
) -> None:
    uri = f"{scheme}://{user}:{password}@{host}:{port}{path}?sslmode=require&password={password}"
    # a password that is also part of what is kept (the host, or the text around the URI) proves nothing
    assume(password not in f"{scheme}://{host}:{port}{path}?sslmode=require DATABASE_URL= and more")
    assert password not in scrub_uri(uri)
    assert password not in scrub_text(f"DATABASE_URL={uri} and more")
    assert all(password not in ref.host for ref in host_references(uri, "DATABASE_URL"))
    assert [ref.host for ref in host_references(uri, "DATABASE_URL")] == [host]


@given(_SCHEME, _ANY_PASSWORD, _HOST, _PATH)
def test_even_a_malformed_password_never_survives_scrub_uri(scheme: str, password: str, host: str, path: str) -> None:
    """Any characters at all, including `/`, `?`, `#`, `@` and whitespace that a URI should have encoded."""
    assume(password not in f"{scheme}://{host}{path}")
    assert password not in scrub_uri(f"{scheme}://app:{password}@{host}{path}")
    assert password not in scrub_uri(f"{scheme}://:{password}@{host}{path}")


@given(st.sampled_from(["DB_PASSWORD", "API_TOKEN", "CLIENT_SECRET", "STRIPE_API_KEY", "dbPass"]), _ANY_PASSWORD)
def test_a_secret_variable_never_yields_its_value(name: str, password: str) -> None:
    assert scrub_value(name, password) is None
    assert all(password not in ref.host for ref in host_references(password, name))
