"""The spreadsheet reader: an asset list (CSV) as items, and optionally a second CSV of dependencies between them.

One row per item (docs/discovery.md, "Spreadsheets"). A column is an exchange field when its header names one
(without case: `id`, `name`, `type`, `environment`, `status`, `criticality`, `monthlyCost`, `rtoMinutes`,
`rpoMinutes`, `utilization`, `site`, `owner`, `vendor`, and for services `kind`, `tier`, `availabilityTarget`), or
when the mapping file (spreadsheet_mapping.py) maps it to one; `attributes.KEY` columns and every other column are
attributes (strings). A column named like a secret (`password`, `api_key`, ...) is not read; a URI's credentials
are dropped. `kind` is CONFIGURATION_ITEM unless a row says SERVICE. Enumerated values are compared without case
and with spaces for underscores (`virtual machine` is VIRTUAL_MACHINE).

Ids: the `id` column; without one, `csv:` and the row's hostname (lower case), else `csv:` and its serial. The
hostname, serial and cloudResourceId attributes are the row's identity: a row naming a machine the CMDB has under
another id merges into it (reconcile.py).

Every bad row is reported with its line and column, validated by the exchange format's own models (that an owner
or site exists is the database's check): any bad row fails the whole file and nothing is written, unless
`skip_bad_rows`, which keeps the good rows and lists the others as skipped. The file must be UTF-8 (a byte-order
mark is allowed) in the Excel dialect (`,` or the given delimiter, `"` quoting); an empty file, a file without rows
and a header that lacks a required column are errors.

The dependencies file has the columns `from`, `to` and optionally `strength` (HARD, the default, or SOFT); `from`
and `to` name an item by id or by the hostname of a row of the items file (or an item the CMDB has, when the caller
says which ids exist).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, ValidationError

from graphsvc.discovery.documents import DiscoveryInputError, decode_text
from graphsvc.discovery.model import Observation, SeenDependency, SeenItem, Skipped
from graphsvc.discovery.secrets import is_secret_name, scrub_text
from graphsvc.discovery.spreadsheet_mapping import ATTR, SheetMapping, field_of
from graphsvc.domain.exchange import ConfigurationItem, Service, is_id
from graphsvc.domain.vocabulary import Kind

__all__ = ["MAX_LISTED", "SheetMapping", "read_csv"]

IDENTITY = ("hostname", "serial", "cloudResourceId")
MAX_LISTED = 1000  # bad rows listed in one error message
_ENUMS = frozenset({"kind", "type", "environment", "status", "tier"})
_INTEGERS = frozenset({"criticality", "rtoMinutes", "rpoMinutes"})
_FLOATS = frozenset({"utilization", "availabilityTarget"})
_THOUSANDS = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_MODELS: dict[Kind, type[BaseModel]] = {Kind.CONFIGURATION_ITEM: ConfigurationItem, Kind.SERVICE: Service}


class BadCell(ValueError):
    """A cell that cannot be read: its column and why."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


@dataclass
class _Sheet:
    file: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    skipped: list[Skipped] = field(default_factory=list)


def read_csv(
    name: str,
    items: bytes,
    dependencies: bytes | None,
    mapping: SheetMapping | None,
    skip_bad_rows: bool,
    *,
    dependencies_name: str = "dependencies.csv",
    delimiter: str = ",",
    known_ids: Collection[str] | None = None,
) -> Observation:
    """The items (and dependencies) the CSV files show, as the source `csv:<file name of name>`. `known_ids`: the
    ids the CMDB has, which a dependency may name beside the file's own (None: any well-formed id is taken)."""
    file = PurePath(name).name
    rules = mapping or SheetMapping()
    sheet = _parse(file, items, delimiter)
    columns = _columns(sheet, rules)
    observation = Observation(f"csv:{file}", skipped=list(sheet.skipped))
    bad: list[tuple[str, str]] = []  # (where, why)
    by_id: dict[str, int] = {}
    by_identity: dict[tuple[str, str], int] = {}
    hostnames: dict[str, str] = {}
    dropped: dict[str, int] = {}  # id or hostname of a bad row -> its line
    for line, cells in sheet.rows:
        where = f"{file} line {line}"
        try:
            item = _item(cells, columns, rules, len(sheet.headers))
            key = item.id
            if key in by_id:
                raise BadCell(columns.header("id"), f"duplicate id {key!r} (also line {by_id[key]})")
            for pair in sorted(item.identity.items()):
                ident = (pair[0], pair[1].lower())
                if ident in by_identity:
                    raise BadCell(
                        columns.header(ATTR + pair[0]), f"{pair[0]} {pair[1]!r} is also line {by_identity[ident]}'s"
                    )
        except BadCell as exc:
            bad.append((f"{where}, column {exc.column}" if exc.column else where, str(exc)))
            for ref in _references(cells, columns):
                dropped.setdefault(ref, line)
            continue
        by_id[item.id] = line
        for k, v in item.identity.items():
            by_identity[(k, v.lower())] = line
        if "hostname" in item.identity:
            hostnames.setdefault(item.identity["hostname"].lower(), item.id)
        observation.items.append(item)
    if dependencies is not None:
        ids = {i.id for i in observation.items}
        refs = _Refs(ids, hostnames, dropped, known_ids)
        deps, dep_bad = _dependencies(dependencies_name, dependencies, delimiter, refs)
        observation.dependencies.extend(deps)
        bad.extend(dep_bad)
    if bad and not skip_bad_rows:
        listed = [f"  {where}: {why}" for where, why in bad[:MAX_LISTED]]
        more = [f"  ... and {len(bad) - MAX_LISTED} more"] if len(bad) > MAX_LISTED else []
        raise DiscoveryInputError(
            f"{file}: {len(bad)} bad row(s), nothing read (--skip-bad-rows reads the rest):\n"
            + "\n".join(listed + more)
        )
    observation.skipped.extend(Skipped(where, why) for where, why in bad)
    # a bad row's item is held, not retired: by its id, or the id made of its hostname
    observation.held.update(r for ref in dropped for r in (ref, f"csv:{ref.lower()}"))
    observation.sees_dependencies = dependencies is not None
    return observation


def _decode(file: str, data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DiscoveryInputError(f"{file}: UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8'")
    try:
        return decode_text(file, data)
    except DiscoveryInputError as exc:
        raise DiscoveryInputError(f"{exc}; save it as 'CSV UTF-8'") from None


def _parse(file: str, data: bytes, delimiter: str) -> _Sheet:
    """The header and the non-empty rows of a CSV file, each row with the line it starts on."""
    text = _decode(file, data)
    if not text.strip():
        raise DiscoveryInputError(f"{file}: the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel", delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = [c.strip() for c in cells]
            else:
                rows.append((start, cells))
    except csv.Error as exc:
        raise DiscoveryInputError(f"{file} line {reader.line_num}: {exc}") from None
    if headers is None:
        raise DiscoveryInputError(f"{file}: the file is empty")
    seen: dict[str, int] = {}
    for number, header in enumerate(headers, start=1):
        if header and header.lower() in seen:
            raise DiscoveryInputError(f"{file} line 1: columns {seen[header.lower()]} and {number} are both {header!r}")
        seen[header.lower()] = number
    if not rows:
        raise DiscoveryInputError(f"{file}: a header but no rows (a run would retire everything it saw before)")
    return _Sheet(file, headers, rows)


@dataclass(frozen=True)
class _Columns:
    targets: list[str | None]  # per column: the field (`attributes.KEY` included), None: not read
    headers: list[str]

    def header(self, target: str) -> str:
        for header, found in zip(self.headers, self.targets, strict=True):
            if found == target:
                return header
        return target


def _columns(sheet: _Sheet, rules: SheetMapping) -> _Columns:
    targets: list[str | None] = []
    for number, header in enumerate(sheet.headers, start=1):
        mapped = rules.columns.get(header.lower())
        target = mapped if mapped is not None else field_of(header)
        if target is None:
            target = ATTR + header
        if not header or target == "":
            if not header:
                sheet.skipped.append(Skipped(f"{sheet.file}, column {number}", "no header: not read"))
            targets.append(None)
        elif target.startswith(ATTR) and is_secret_name(target[len(ATTR) :]):
            sheet.skipped.append(Skipped(f"{sheet.file}, column {header}", "named like a secret: not read"))
            targets.append(None)
        else:
            targets.append(target)
    named = [t for t in targets if t is not None]
    twice = sorted({t for t in named if named.count(t) > 1})
    if twice:
        raise DiscoveryInputError(f"{sheet.file} line 1: more than one column is {', '.join(twice)}")
    have = set(named) | set(rules.defaults)
    missing = [] if "name" in have else ["name"]
    if not have & {"id", ATTR + "hostname", ATTR + "serial"}:
        missing.append("id (or attributes.hostname or attributes.serial)")
    if "type" not in have and "kind" not in have:
        missing.append("type")
    if missing:
        raise DiscoveryInputError(
            f"{sheet.file} line 1: the header lacks the column(s) {', '.join(missing)} (found: "
            f"{', '.join(sheet.headers)}); a mapping file can say which column is which"
        )
    return _Columns(targets, sheet.headers)


def _references(cells: list[str], columns: _Columns) -> list[str]:
    """What a dependency may call a row by: its id and its hostname (for a bad row's dependencies)."""
    out = []
    for target, cell in zip(columns.targets, cells, strict=False):
        if target in ("id", ATTR + "hostname") and cell.strip():
            out.append(cell.strip() if target == "id" else cell.strip().lower())
    return out


def _item(cells: list[str], columns: _Columns, rules: SheetMapping, width: int) -> SeenItem:
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        raise BadCell("", f"{len(cells)} cells, but the header has {width} columns")
    values: dict[str, Any] = {}
    headers: dict[str, str] = {}
    raw: dict[str, str] = {}  # the cells as the sheet has them, for messages
    for target, header, cell in zip(columns.targets, columns.headers, cells, strict=False):
        if target is None or not cell.strip():
            continue
        headers[target] = header
        raw[target] = cell.strip()
        values[target] = _value(target, header, cell.strip(), rules)
    if "kind" not in values and "kind" in rules.defaults:
        values["kind"] = _value("kind", "kind (default)", rules.defaults["kind"], rules)
    kind = Kind.SERVICE if values.pop("kind", "CONFIGURATION_ITEM") == "SERVICE" else Kind.CONFIGURATION_ITEM
    accepts = _MODELS[kind].model_fields
    for target, default in rules.defaults.items():
        base = "attributes" if target.startswith(ATTR) else target
        if target not in values and target != "kind" and base in accepts:  # a SERVICE takes no default type
            headers[target] = f"{target} (default)"
            values[target] = _value(target, headers[target], default, rules)
    attributes = {k[len(ATTR) :]: v for k, v in values.items() if k.startswith(ATTR)}
    fields = {k: v for k, v in values.items() if not k.startswith(ATTR)}
    identity = {k: str(attributes[k]) for k in IDENTITY if attributes.get(k)}
    if "id" not in fields:
        key = identity.get("hostname", "").lower() or identity.get("serial")
        if not key:
            column = "id" if "id" in columns.targets else ATTR + "hostname"
            raise BadCell(columns.header(column), "no id, and no hostname or serial to make one of")
        fields["id"] = f"csv:{key}"
    if kind is Kind.SERVICE and attributes:
        first = sorted(attributes)[0]
        raise BadCell(headers[ATTR + first], "a SERVICE row has no attributes (leave the cell empty)")
    data = {**fields, **({"attributes": attributes} if attributes else {})}
    try:
        _MODELS[kind].model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(p) for p in error["loc"]]
        target = ATTR + loc[1] if loc[0] == "attributes" and len(loc) > 1 else loc[0]
        raise BadCell(headers.get(target, target), _message(kind, error, raw.get(target))) from None
    item_id = fields.pop("id")
    return SeenItem(item_id, kind, {**fields, **({"attributes": attributes} if attributes else {})}, identity)


def _message(kind: Kind, error: Any, cell: str | None) -> str:
    given = cell if cell is not None else error.get("input")
    if error["type"] == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"{given!r} is not one of {expected}"
    if error["type"] == "missing":
        return f"a {kind.value} needs a value here"
    if error["type"] == "extra_forbidden":
        return f"a {kind.value} has no such field (leave the cell empty)"
    message = str(error["msg"]).removeprefix("Value error, ")
    return message if "(got " in message else f"{given!r}: {message}"


def _value(target: str, header: str, text: str, rules: SheetMapping) -> Any:
    mapped = rules.values.get(target, {}).get(text.lower())
    if mapped is not None:
        text = mapped
    if target in _ENUMS:
        text = re.sub(r"[\s-]+", "_", text.strip()).upper()
        return "CONFIGURATION_ITEM" if target == "kind" and text == "CI" else text
    if target in _INTEGERS:
        try:
            number = float(text)
        except ValueError:
            raise BadCell(header, f"{text!r} is not a whole number") from None
        if not math.isfinite(number) or not number.is_integer():
            raise BadCell(header, f"{text!r} is not a whole number")
        return int(number)
    if target in _FLOATS:
        try:
            number = float(text.removesuffix("%").strip())
        except ValueError:
            raise BadCell(header, f"{text!r} is not a number") from None
        if not math.isfinite(number):
            raise BadCell(header, f"{text!r} is not a finite number")
        return number
    if target == "monthlyCost" and _THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    return scrub_text(text) if target.startswith(ATTR) else text


@dataclass(frozen=True)
class _Refs:
    """What a dependency row may name an item by."""

    ids: Collection[str]  # the good rows' ids
    hostnames: Mapping[str, str]  # a good row's hostname (lower case) -> its id
    dropped: Mapping[str, int]  # a bad row's id or hostname (lower case) -> its line
    known_ids: Collection[str] | None  # the CMDB's ids (None: any well-formed id)

    def end(self, column: str, text: str) -> str:
        if not text:
            raise BadCell(column, "empty: it must name an item (an id or a hostname of the items file)")
        if text in self.ids:
            return text
        if text.lower() in self.hostnames:
            return self.hostnames[text.lower()]
        for ref in (text, text.lower()):
            if ref in self.dropped:
                raise BadCell(
                    column, f"{text!r} is the row on line {self.dropped[ref]} of the items file, which is bad"
                )
        if self.known_ids is not None and text in self.known_ids:
            return text
        if self.known_ids is None and is_id(text):
            return text
        raise BadCell(column, f"{text!r} names no item (no id or hostname of the items file, no item of the CMDB)")


def _dependencies(
    file: str, data: bytes, delimiter: str, refs: _Refs
) -> tuple[list[SeenDependency], list[tuple[str, str]]]:
    file = PurePath(file).name
    sheet = _parse(file, data, delimiter)
    index = {h.lower(): i for i, h in enumerate(sheet.headers)}
    missing = [c for c in ("from", "to") if c not in index]
    if missing:
        raise DiscoveryInputError(f"{file} line 1: the header lacks the column(s) {', '.join(missing)}")
    deps: dict[tuple[str, str], SeenDependency] = {}
    bad: list[tuple[str, str]] = []
    for line, cells in sheet.rows:
        cell = {c: (cells[i].strip() if i < len(cells) else "") for c, i in index.items()}
        try:
            ends = [refs.end(c, cell[c]) for c in ("from", "to")]
            strength = cell.get("strength", "").upper() or "HARD"
            if strength not in ("HARD", "SOFT"):
                raise BadCell(sheet.headers[index["strength"]], f"{cell['strength']!r} is not one of HARD, SOFT")
            if ends[0] == ends[1]:
                raise BadCell("to", f"{ends[0]!r} cannot depend on itself")
        except BadCell as exc:
            bad.append((f"{file} line {line}, column {exc.column}", str(exc)))
            continue
        deps.setdefault((ends[0], ends[1]), SeenDependency(ends[0], ends[1], strength, {"via": file}))
    return list(deps.values()), bad
