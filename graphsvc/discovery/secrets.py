"""Nothing that looks like a secret is kept (SEMANTICS.md, "Discovery"): the scrubbing every reader uses.

Readers see passwords and tokens: in the userinfo of connection URIs (`postgresql://orders:s3cr3t@orders-db/orders`),
in their query parameters (`?password=...`, `?access_token=...`), and as the values of variables and keys named
like secrets (`DB_PASSWORD`, `STRIPE_API_KEY`). The rules:

- `is_secret_name`: a variable, key or parameter name looks like a secret when, upper-cased and with its separators
  removed, it contains one of `SECRET_MARKERS` (`DBPASSWORD`, `myApiKey`, `OAUTH_CLIENT_SECRET`), or when one of
  its words (split at `_`, `-`, `.`, spaces and camelCase) is one of `SECRET_WORDS` (`DB_PASS`, `SSH_KEY`). Naming
  something a secret that is not one costs nothing (its value is simply not kept), so the lists err wide.
- `scrub_uri`: a URI keeps its scheme, hosts, ports and path, and its query parameters up to the first one named
  like a secret; the userinfo and the fragment are dropped. Parts that do not parse cleanly (a port that is not a
  number, a path or parameter holding `@`, which happens when a password with `/`, `?` or `#` was not
  percent-encoded) are dropped too: a scrubbed URI is rebuilt from checked parts only, never by deleting from the
  original.
- `scrub_text`: every URI inside free text scrubbed as above; `scrub_value`: nothing at all for a secret's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "SECRET_MARKERS",
    "SECRET_WORDS",
    "UriParts",
    "is_secret_name",
    "name_words",
    "scrub_text",
    "scrub_uri",
    "scrub_value",
    "split_uri",
]

# Substrings of a name (upper case, separators removed) that make it a secret's name.
SECRET_MARKERS = (
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "PRIVATEKEY",
    "CREDENTIAL",  # and CREDENTIALS
    "AUTH",  # AUTH, OAUTH, AUTHORIZATION, BASIC_AUTH
    "ACCESSKEY",
    "SECRETKEY",
    "SESSIONKEY",
    "SIGNINGKEY",
    "ENCRYPTIONKEY",
    "MASTERKEY",
    "COOKIE",
    "CERTKEY",
)
# Whole words of a name that make it a secret's name (too short to look for as substrings: PASS in COMPASS).
SECRET_WORDS = frozenset({"PASS", "PWD", "PW", "KEY", "KEYS", "SALT", "PIN", "PSK", "JWT", "OTP", "DSN"})

_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_HOST = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\]")
_PARAM_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]+")
# A URI inside free text: a scheme, `://`, and everything up to whitespace, a double quote or an angle bracket (RFC
# 3986, appendix C: the delimiters of a URI in text); userinfo may hold `'`, `(` and `)`, so they do not end one.
_URI_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"<>`]*")


def name_words(name: str) -> list[str]:
    """The words of a variable or key name, upper case: `dbPassword` -> DB, PASSWORD; `REDIS_ADDR` -> REDIS, ADDR."""
    return [word.upper() for part in _SEPARATORS.split(name) for word in _CAMEL.split(part) if word]


def is_secret_name(name: str) -> bool:
    """Whether a variable, key or parameter named `name` holds a secret (see the module's rules)."""
    words = name_words(name)
    joined = "".join(words)
    return any(marker in joined for marker in SECRET_MARKERS) or any(word in SECRET_WORDS for word in words)


@dataclass(frozen=True)
class UriParts:
    """The parts of a URI that may be kept: no userinfo, no fragment, only query parameters not named like secrets.
    `hosts` are (host, port) pairs, more than one for `mongodb://a:27017,b:27017/db`; a host is lower case, and
    empty when the URI's does not look like one; a port is None when the URI gives none."""

    scheme: str
    hosts: tuple[tuple[str, int | None], ...]
    path: str
    query: tuple[tuple[str, str], ...]

    @property
    def host(self) -> str:
        """The first host."""
        return self.hosts[0][0]

    @property
    def port(self) -> int | None:
        """The first host's port."""
        return self.hosts[0][1]

    def __str__(self) -> str:
        netloc = ",".join(host if port is None else f"{host}:{port}" for host, port in self.hosts)
        query = "&".join(f"{name}={value}" if value else name for name, value in self.query)
        return f"{self.scheme}://{netloc}{self.path}" + (f"?{query}" if query else "")


def split_uri(text: str) -> UriParts | None:
    """`text` as a URI with an authority (`scheme://...`), its kept parts checked one by one; None when it is none.

    The authority ends at the first `/`, `?` or `#` (RFC 3986); its userinfo is what comes before its last `@`;
    its hosts are separated by commas (several hosts: MongoDB's and PostgreSQL's multi-host URIs).
    A `jdbc:` prefix is read through and kept (`jdbc:postgresql://db/x` has the scheme `jdbc:postgresql`)."""
    prefix = "jdbc:" if text[:5].lower() == "jdbc:" else ""
    scheme, sep, rest = text[len(prefix) :].partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        return None
    rest = rest.partition("#")[0]
    end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    hosts = tuple(_host_and_port(hostport) for hostport in authority.rpartition("@")[2].split(","))
    path, _, query = tail.partition("?")
    return UriParts(prefix + scheme.lower(), hosts, "" if "@" in path else path, _kept_params(query))


def _host_and_port(hostport: str) -> tuple[str, int | None]:
    """The checked host and port of an authority without userinfo: whatever does not look like one is dropped."""
    host, port_text = hostport, ""
    if hostport.startswith("["):
        bracket = hostport.find("]")
        host, port_text = hostport[: bracket + 1], hostport[bracket + 1 :].removeprefix(":")
    elif ":" in hostport:
        host, _, port_text = hostport.rpartition(":")
    port = int(port_text) if port_text.isascii() and port_text.isdigit() and int(port_text) <= 65535 else None
    return (host.lower() if _HOST.fullmatch(host) else ""), port


def _kept_params(query: str) -> tuple[tuple[str, str], ...]:
    """The query parameters worth keeping: plainly named, not named like a secret, no `@` in them, and none after a
    secret's (an `&` its value should have encoded would make the value's tail look like a parameter)."""
    kept = []
    for param in query.split("&"):
        name, _, value = param.partition("=")
        if is_secret_name(name):
            break
        if _PARAM_NAME.fullmatch(name) and "@" not in value:
            kept.append((name, value))
    return tuple(kept)


def scrub_uri(uri: str) -> str:
    """`uri` without its userinfo, fragment and secret query parameters (`postgresql://u:pw@db:5432/x` ->
    `postgresql://db:5432/x`); text that is no `scheme://` URI comes back empty, since it cannot be checked."""
    parts = split_uri(uri)
    return "" if parts is None else str(parts)


def scrub_text(text: str) -> str:
    """Free text with every URI in it scrubbed (`scrub_uri`); the text around them is kept as it is."""
    return _URI_IN_TEXT.sub(lambda m: scrub_uri(m[0]), text)


def scrub_value(name: str, value: str) -> str | None:
    """The value of the variable or key `name` as it may be kept: None when the name is a secret's, else
    `scrub_text(value)`."""
    return None if is_secret_name(name) else scrub_text(value)
