"""Finding the hosts a configuration value names: the tokenising rule of the Kubernetes reader (and any reader that
looks for hosts in free text).

A value (an environment value, a ConfigMap value, a command argument) is split into words at whitespace, and a word
into pieces at commas and semicolons, except inside a URI (its userinfo may hold both; a comma or semicolon that
starts another `scheme://` still ends it). Each piece is then one of:

- a URI (`scheme://...`, `jdbc:` included), wherever it starts (`--url=postgresql://...`): its hosts (several in
  `mongodb://a:27017,b:27017/db`);
- `key=value` (`--db-host=orders-db`, `host=db`): the value is a token, named by the key; the key never is one,
  and nothing is taken from a key named like a secret (`password=...`);
- otherwise the word itself is a token.

A token names a host only when it is one whole host-like token, `host[:port][/path]`: DNS labels (letters, digits,
`-`), optionally a numeric port and a path. A service name inside a longer word (`mycartservice2`, `cartservice_v2`)
is no reference. Quotes and brackets around a token are ignored.

Every host found may resolve to something the reader knows; whether one that resolves to nothing is *reported*
(`HostRef.reportable`) follows the host heuristic, so that words like `true`, `info` or `app.jar` are not
reported as unknown hosts:

- a URI's host always is;
- a bare `host:port` always is;
- a dotted name is when it is an IPv4 address, or all lower case with a last label of two or more letters that is
  no common file extension (`api.stripe.com`, `orders-db.shop`; not `app.jar`, `config.yaml`, `com.example.Main`);
- any host-like token is when the variable, key or flag that holds it is named like a host: its last word is one of
  `HOST_WORDS` (`REDIS_HOST`, `cartAddr`, `--db-endpoint`).

Secrets (secrets.py): a value whose name looks like a secret yields hosts from its URIs only (a password is never
mistaken for a host and reported), unless the name is also a host's name (`AUTH_HOST`, `TOKEN_URL`): a host is no
secret. Only hosts ever leave this module; localhost and its addresses are never references.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from graphsvc.discovery.secrets import is_secret_name, name_words, split_uri

__all__ = ["FILE_EXTENSIONS", "HOST_WORDS", "HostRef", "host_references", "is_host_name"]

# The last word of a variable, key or flag named like a host (or a list of hosts).
HOST_WORDS = frozenset(
    {
        "HOST", "HOSTS", "HOSTNAME", "ADDR", "ADDRS", "ADDRESS", "ADDRESSES", "URL", "URLS", "URI", "URIS",
        "ENDPOINT", "ENDPOINTS", "SERVER", "SERVERS", "BROKERS", "DSN",
    }
)  # fmt: skip
# Last labels that make a dotted word a file name rather than a host.
FILE_EXTENSIONS = frozenset(
    {
        "py", "js", "mjs", "cjs", "ts", "jar", "war", "ear", "class", "go", "rb", "sh", "bash", "ps1", "yaml", "yml",
        "json", "xml", "toml", "ini", "conf", "cfg", "config", "properties", "env", "txt", "log", "md", "html", "htm",
        "css", "pem", "crt", "cert", "key", "csr", "der", "jks", "pid", "sock", "lock", "tmp", "so", "dll", "exe",
        "bin", "gz", "tgz", "zip", "tar", "sql", "csv", "lua", "php", "pl", "tpl", "tmpl", "j2", "db", "sqlite",
    }
)  # fmt: skip
LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "127.0.0.1", "0.0.0.0", "[::1]", "[::]", "::1"})

_URI_START = re.compile(r"(?:jdbc:)?[A-Za-z][A-Za-z0-9+.\-]*://", re.IGNORECASE)
# Where a word holding URIs splits: at a comma or semicolon that starts another URI (userinfo may hold both).
_BEFORE_URI = re.compile(r"[,;](?=(?:jdbc:)?[A-Za-z][A-Za-z0-9+.\-]*://)", re.IGNORECASE)
_LIST_SEPARATORS = re.compile(r"[,;]+")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_HOST_TOKEN = re.compile(rf"(?P<host>{_LABEL}(?:\.{_LABEL})*)\.?(?::(?P<port>[0-9]{{1,5}}))?(?P<path>/\S*)?")
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])")
_ENCLOSING = "\"'`()[]{}<>"


@dataclass(frozen=True)
class HostRef:
    """A host a value names (lower case, no port, no trailing dot), and whether naming nothing known is worth
    reporting (the host heuristic)."""

    host: str
    reportable: bool


def is_host_name(name: str) -> bool:
    """Whether a variable, key or flag named `name` holds a host, an address or a URI: its last word is one of
    `HOST_WORDS` (`DB_HOST`, `redisAddr`, `--api-url`; not `GHOST`)."""
    words = name_words(name)
    return bool(words) and words[-1] in HOST_WORDS


def host_references(value: str, name: str | None = None) -> list[HostRef]:
    """The hosts `value` names, in order, each once (the first time decides whether it is reportable); `name` is
    the variable, key or flag that holds it, if any."""
    found: dict[str, HostRef] = {}
    for ref in _references(value, name):
        if ref.host not in LOCAL_HOSTS:
            found.setdefault(ref.host, ref)
    return list(found.values())


def _references(value: str, name: str | None) -> Iterator[HostRef]:
    host_named = name is not None and is_host_name(name)
    uris_only = name is not None and is_secret_name(name) and not host_named
    for piece in (piece for word in value.split() for piece in _BEFORE_URI.split(word)):
        uri = _URI_START.search(piece)
        if uri is not None:
            yield from _uri_hosts(piece[uri.start() :])
            piece = piece[: uri.start()]  # what comes before it: `--url=`, `a,b,`
        if not uris_only:
            yield from _bare_hosts(piece, host_named)


def _uri_hosts(text: str) -> Iterator[HostRef]:
    parts = split_uri(text.rstrip(_ENCLOSING))
    for host, _port in parts.hosts if parts is not None else ():
        if host:
            yield HostRef(host, reportable=True)


def _bare_hosts(text: str, host_named: bool) -> Iterator[HostRef]:
    """The hosts of `key=value` and bare tokens, in a text already split at whitespace and free of URIs."""
    for word in _LIST_SEPARATORS.split(text):
        key, sep, token = word.partition("=")
        if sep and is_secret_name(key):
            continue
        ref = _bare_host(token if sep else word, host_named or (bool(sep) and is_host_name(key)))
        if ref is not None:
            yield ref


def _bare_host(token: str, host_named: bool) -> HostRef | None:
    """`token` as `host[:port][/path]`, or None when it is no such thing (or all digits, like a port or a count)."""
    match = _HOST_TOKEN.fullmatch(token.strip(_ENCLOSING))
    if match is None:
        return None
    host = match["host"]
    if _IPV4.fullmatch(host):
        return HostRef(host, reportable=True)
    if not any(char.isalpha() for char in host):
        return None
    reportable = host_named or match["port"] is not None or _dotted_host(host)
    return HostRef(host.lower(), reportable)


def _dotted_host(host: str) -> bool:
    """A dotted name that reads as a host rather than a file or a class name (see the module's heuristic)."""
    if "." not in host or host != host.lower():
        return False
    last = host.rsplit(".", 1)[1]
    return len(last) >= 2 and last.isalpha() and last not in FILE_EXTENSIONS
