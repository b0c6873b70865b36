"""The spreadsheet reader's mapping file: which column is which exchange field, how a sheet's values translate, and
the values a sheet leaves out. A TOML file; every table is optional:

```toml
[columns]                 # header (compared without case) -> an exchange field, `attributes.KEY`, or "" to ignore
"Asset Tag" = "attributes.serial"
"Host" = "attributes.hostname"
"Server Name" = "name"
"Notes" = ""

[values.type]             # per field: the sheet's value (compared without case) -> the exchange value
"Physical" = "SERVER"
"VM" = "VIRTUAL_MACHINE"

[defaults]                # a field's value where the sheet has no column for it or leaves the cell empty
type = "SERVER"
environment = "PRODUCTION"
```

Unknown tables and fields are refused, so that a misspelt `[column]` or `"nmae"` does not silently map nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.discovery.documents import DiscoveryInputError

__all__ = ["ATTR", "FIELDS", "SheetMapping", "field_of"]

ATTR = "attributes."
# The exchange fields a row may set (ConfigurationItem's and Service's), and `kind`, which says which of the two.
FIELDS = (
    "id",
    "kind",
    "name",
    "type",
    "environment",
    "status",
    "criticality",
    "tier",
    "monthlyCost",
    "rtoMinutes",
    "rpoMinutes",
    "availabilityTarget",
    "utilization",
    "site",
    "owner",
    "vendor",
)
_BY_LOWER = {f.lower(): f for f in FIELDS}


def field_of(target: str) -> str | None:
    """The exchange field `target` names (without case), `attributes.KEY` as given, or None when it names none."""
    if target.lower().startswith(ATTR) and len(target) > len(ATTR):
        return ATTR + target[len(ATTR) :].strip()
    return _BY_LOWER.get(target.strip().lower())


@dataclass(frozen=True)
class SheetMapping:
    """What a mapping file says (see the module's docstring); the defaults map by header name only."""

    columns: Mapping[str, str] = field(default_factory=dict)  # lower-cased header -> field ("" : ignored)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # field -> lower-cased value -> value
    defaults: Mapping[str, str] = field(default_factory=dict)  # field -> value

    @classmethod
    def read(cls, path: Path) -> SheetMapping:
        """The mapping in the file at `path`; `DiscoveryInputError` naming it when it cannot be read or is invalid."""
        try:
            data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise DiscoveryInputError(f"{path}: cannot read the mapping file ({exc})") from None
        return cls.parse(str(path), data)

    @classmethod
    def parse(cls, where: str, data: Mapping[str, Any]) -> SheetMapping:
        """The mapping a parsed TOML document gives."""
        unknown = sorted(set(data) - {"columns", "values", "defaults"})
        if unknown:
            raise DiscoveryInputError(f"{where}: unknown table(s) {', '.join(unknown)} (columns, values, defaults)")
        columns: dict[str, str] = {}
        for header, target in _table(where, data, "columns").items():
            if not isinstance(target, str):
                raise DiscoveryInputError(f"{where}: [columns] {header!r} must be a field name (got {target!r})")
            found = field_of(target) if target else ""
            if found is None:
                raise DiscoveryInputError(f"{where}: [columns] {header!r} names no field ({target!r})")
            columns[header.strip().lower()] = found
        values: dict[str, dict[str, str]] = {}
        for name, table in _table(where, data, "values").items():
            target = field_of(name)
            if target is None or not isinstance(table, dict):
                raise DiscoveryInputError(f"{where}: [values.{name}] must be a table of a field's values")
            values[target] = {str(k).strip().lower(): _text(where, f"values.{name}", k, v) for k, v in table.items()}
        defaults: dict[str, str] = {}
        for name, value in _table(where, data, "defaults").items():
            target = field_of(name)
            if target is None or target == "id":
                raise DiscoveryInputError(f"{where}: [defaults] {name!r} names no field a default may set")
            defaults[target] = _text(where, "defaults", name, value)
        return cls(columns, values, defaults)


def _table(where: str, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise DiscoveryInputError(f"{where}: [{name}] must be a table")
    return table


def _text(where: str, table: str, key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DiscoveryInputError(f"{where}: [{table}] {key!r} must be a string or a number (got {value!r})")
    return str(value)
