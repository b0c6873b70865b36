"""Physical backups of the managed Neo4j: `graphsvc backup` and `graphsvc restore`.

A backup is one file, `graphsvc-backup-<time>.tar`, holding Neo4j's own dump of the database (`neo4j-admin database
dump`, from the same Maven Central artifacts the server runs on) and `manifest.json`: when it was taken, the Neo4j
and schema versions, and how many items and audit entries it holds. Neo4j Community dumps a stopped database only, so
the server is stopped for the dump and started again after it (the API answers "database unavailable" meanwhile:
seconds at 100k CIs, docs/operations.md). What it does not hold: the data directory's generated password and the
`system` database (users): a restore keeps the target's own.

A restore loads the dump into a data directory whose server is stopped (`neo4j-admin database load`). It is refused,
with nothing changed, when the server runs there, when the directory already holds a database and `replace` is not
given, and when the backup is newer than this graphsvc (a schema version it does not know, or a newer Neo4j): it
could not read it. An older backup is brought up to date by `graphsvc migrate`, as at every start.

The logical route (`graphsvc export` / `import`, the exchange document) stays the way to move a CMDB between
versions or engines; it carries the items and readings, not the audit trail.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphsvc.db.local_server import LocalNeo4j, LocalNeo4jError, version_key

__all__ = ["BACKUP_FORMAT", "BackupError", "Manifest", "backup", "read_manifest", "restore"]

BACKUP_FORMAT = "graphsvc-backup/1"
DATABASE = "neo4j"  # the managed server's one database


class BackupError(Exception):
    """A backup or restore that cannot be done; nothing was changed."""


@dataclass(frozen=True)
class Manifest:
    format: str
    taken_at: str  # RFC 3339, UTC
    graphsvc_version: str
    neo4j_version: str
    schema_version: int  # the newest migration applied
    items: int
    audit_entries: int


def _admin(server: LocalNeo4j, *args: str) -> str:
    try:
        return server.admin(*args)
    except LocalNeo4jError as exc:
        raise BackupError(str(exc)) from None


def backup(
    server: LocalNeo4j,
    to_dir: Path,
    read_counts: Callable[[], tuple[int, int, int]],
    *,
    graphsvc_version: str,
    say: Callable[[str], Any],
) -> tuple[Path, Manifest]:
    """Dump the managed database into `to_dir`/graphsvc-backup-<time>.tar. `read_counts()` gives (schema version,
    items, audit entries) from the running server; it is called before the server is stopped. The server is left
    running if it was, stopped if it was not."""
    was_running = server.status().running
    if not was_running:
        say("starting Neo4j to read what the backup holds")
        server.start()
    schema, items, entries = read_counts()
    taken = datetime.now(UTC).replace(microsecond=0)
    manifest = Manifest(
        BACKUP_FORMAT,
        taken.isoformat().replace("+00:00", "Z"),
        graphsvc_version,
        server.version,
        schema,
        items,
        entries,
    )
    to_dir.mkdir(parents=True, exist_ok=True)
    target = to_dir / f"graphsvc-backup-{taken:%Y%m%dT%H%M%SZ}.tar"
    if target.exists():
        raise BackupError(f"{target} exists already: wait a second, or give another --to")
    with tempfile.TemporaryDirectory(dir=to_dir, prefix=".graphsvc-backup-") as work:
        say("stopping Neo4j for the dump (Neo4j Community dumps a stopped database)")
        server.stop()
        try:
            _admin(server, "database", "dump", DATABASE, f"--to-path={work}")
        finally:
            if was_running:
                say("starting Neo4j again")
                server.start()
        dump = Path(work) / f"{DATABASE}.dump"
        (Path(work) / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2) + "\n")
        partial = target.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(work) / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname="neo4j.dump")
        partial.rename(target)
    if not was_running:
        server.stop()
    return target, manifest


def read_manifest(file: Path) -> Manifest:
    """The manifest of a backup file; BackupError naming what is wrong with the file."""
    if not file.is_file():
        raise BackupError(f"{file}: no such file")
    try:
        with tarfile.open(file, "r") as tar:
            member = tar.extractfile("manifest.json")
            if member is None or "neo4j.dump" not in tar.getnames():
                raise KeyError("neo4j.dump")
            raw = json.loads(member.read())
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise BackupError(f"{file} is not a graphsvc backup (a tar with manifest.json and neo4j.dump): {exc}") from None
    if raw.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{file}: format {raw.get('format')!r}, not {BACKUP_FORMAT!r}")
    try:
        return Manifest(**raw)
    except TypeError as exc:
        raise BackupError(f"{file}: its manifest does not read as {BACKUP_FORMAT}: {exc}") from None


def restore(server: LocalNeo4j, file: Path, *, known_schema: int, graphsvc_version: str, replace: bool) -> Manifest:
    """Load a backup into the server's data directory (the server stopped); refused, nothing changed, when the
    server runs, when a database is there and `replace` is false, or when the backup is newer than this graphsvc."""
    manifest = read_manifest(file)
    status = server.status()
    if status.running:
        raise BackupError(
            f"Neo4j is running on {server.data_dir} (pid {status.pid}): stop it first (`graphsvc db stop`); "
            "a restore replaces the database it serves"
        )
    if manifest.schema_version > known_schema:
        raise BackupError(
            f"the backup is at schema version {manifest.schema_version}, newer than this graphsvc knows "
            f"({known_schema}; graphsvc {graphsvc_version}, the backup's {manifest.graphsvc_version}): "
            "upgrade graphsvc first"
        )
    if version_key(manifest.neo4j_version) > version_key(server.version):
        raise BackupError(
            f"the backup was taken on Neo4j {manifest.neo4j_version}, newer than this server's {server.version}: "
            "set GRAPHSVC_NEO4J_VERSION to it (a store is not opened by an older Neo4j)"
        )
    holds = (server.data_dir / "data" / "databases" / DATABASE).exists()
    if holds and not replace:
        raise BackupError(
            f"{server.data_dir} holds a database already: restoring replaces it. Give --replace to go on "
            "(take a backup of it first if it may be needed), or restore into another --data-dir"
        )
    with tempfile.TemporaryDirectory(prefix=".graphsvc-restore-", dir=server.data_dir.parent) as work:
        with tarfile.open(file, "r") as tar:
            tar.extract("neo4j.dump", work, filter="data")
        shutil.move(Path(work) / "neo4j.dump", Path(work) / f"{DATABASE}.dump")
        server.data_dir.mkdir(parents=True, exist_ok=True)
        for sub in ("conf", "data", "logs", "run"):
            (server.data_dir / sub).mkdir(exist_ok=True)
        _admin(server, "database", "load", DATABASE, f"--from-path={work}", "--overwrite-destination=true")
    return manifest
