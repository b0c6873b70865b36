"""The Kubernetes reader's mapping file: how labels and namespaces become owners, names and environments.

A TOML file; every table and key is optional:

```toml
[names]
label = "app.kubernetes.io/name"   # a workload carrying this label is named by its value (else by its own name)

[owners]
label = "team"                      # the label naming a workload's team (default "team")

[owners.teams]                      # that label's value -> the id of a TEAM in the CMDB
payments = "T-PAYMENTS"
storefront = "T-WEB"

[environments]                      # namespace -> environment (PRODUCTION, STAGING, TEST, DEVELOPMENT, DR)
shop = "PRODUCTION"
shop-staging = "STAGING"
```

Labels are looked up on the workload's own metadata first, then on its pod template. A team label whose value the
file does not map gives no owner (an owner must be a team the CMDB has; the reader cannot know which exist), and a
namespace it does not list gives no environment: the CMDB's own value, or the exchange format's default, stands.
Unknown tables and keys are refused, so that a misspelt `[owner]` does not silently map nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.discovery.documents import DiscoveryInputError
from graphsvc.domain.exchange import is_id

__all__ = ["ENVIRONMENTS", "KubernetesMapping"]

ENVIRONMENTS = frozenset({"PRODUCTION", "STAGING", "TEST", "DEVELOPMENT", "DR"})
_KEYS: Mapping[str, frozenset[str]] = {
    "names": frozenset({"label"}),
    "owners": frozenset({"label", "teams"}),
    "environments": frozenset(),  # any namespace
}


@dataclass(frozen=True)
class KubernetesMapping:
    """What a mapping file says (see the module's docstring for the file); the defaults map nothing."""

    name_label: str | None = None
    owner_label: str = "team"
    owners: Mapping[str, str] = field(default_factory=dict)  # owner label value -> team id
    environments: Mapping[str, str] = field(default_factory=dict)  # namespace -> environment

    @classmethod
    def read(cls, path: Path) -> KubernetesMapping:
        """The mapping in the file at `path`; `DiscoveryInputError` naming it when it cannot be read or is invalid."""
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as e:
            raise DiscoveryInputError(f"{path}: cannot be read ({e.strerror})") from None
        except UnicodeDecodeError as e:
            raise DiscoveryInputError(f"{path}: not UTF-8 text (byte {e.start})") from None
        return cls.from_toml(text, str(path))

    @classmethod
    def from_toml(cls, text: str, where: str = "mapping") -> KubernetesMapping:
        """The mapping a TOML file's text gives; `DiscoveryInputError` naming `where` and the key when it is
        invalid."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise DiscoveryInputError(f"{where}: not valid TOML ({e})") from None
        _check_keys(data, where)
        names, owners = data.get("names", {}), data.get("owners", {})
        return cls(
            name_label=_optional_str(names, "label", f"{where}: names.label"),
            owner_label=_optional_str(owners, "label", f"{where}: owners.label") or "team",
            owners=_str_table(owners.get("teams", {}), f"{where}: owners.teams", is_id, "an item id"),
            environments=_str_table(
                data.get("environments", {}), f"{where}: environments", ENVIRONMENTS.__contains__, "an environment"
            ),
        )


def _check_keys(data: Mapping[str, Any], where: str) -> None:
    for table, value in data.items():
        if table not in _KEYS:
            raise DiscoveryInputError(f"{where}: unknown table [{table}] (known: {', '.join(sorted(_KEYS))})")
        if not isinstance(value, dict):
            raise DiscoveryInputError(f"{where}: {table} must be a table")
        unknown = sorted(set(value) - _KEYS[table]) if _KEYS[table] else []
        if unknown:
            raise DiscoveryInputError(f"{where}: unknown key {table}.{unknown[0]}")


def _optional_str(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise DiscoveryInputError(f"{where} must be a non-empty string")
    return value


def _str_table(table: Any, where: str, valid: Callable[[str], bool], expected: str) -> dict[str, str]:
    """A table of strings, each `valid`; else an error saying the key and what was `expected`."""
    if not isinstance(table, dict):
        raise DiscoveryInputError(f"{where} must be a table")
    for key, value in table.items():
        if not isinstance(value, str) or not valid(value):
            raise DiscoveryInputError(f"{where}.{key}: {value!r} is not {expected}")
    return dict(table)
