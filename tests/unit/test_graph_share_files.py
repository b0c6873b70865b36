"""Which graph files a worker removes when it has made a newer one (usecases/graph_share.py): only the same
database's older files, never one a process holds the lock of, one being written, a newer one or another database's."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from graphsvc.db.connection import Connection
from graphsvc.usecases.graph_share import GraphShare

FINGERPRINT = (3, 10, 5, 2, (1, 2, 3))


def share(folder: Path, uri: str = "bolt://127.0.0.1:7687") -> GraphShare:
    return GraphShare(folder, Connection(uri, "neo4j", "secret", "neo4j", False))


def test_names_tell_databases_and_versions_apart(tmp_path: Path) -> None:
    here, there = share(tmp_path), share(tmp_path, "bolt://elsewhere:7687")
    assert here.name(FINGERPRINT) == here.name(FINGERPRINT)
    assert here.name(FINGERPRINT) != here.name((4, *FINGERPRINT[1:]))  # type: ignore[arg-type]
    assert here.name(FINGERPRINT)[:15] == here.name((4, 1, 1, 1, ()))[:15]  # graph-<database>-: the same
    assert here.name(FINGERPRINT)[:15] != there.name(FINGERPRINT)[:15]


def test_only_older_unlocked_files_of_the_same_database_go(tmp_path: Path) -> None:
    here, there = share(tmp_path), share(tmp_path, "bolt://elsewhere:7687")
    names = [here.name((v, 1, 1, 1, ())) for v in range(5)]
    for age, name in enumerate(names):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (1_000 + age, 1_000 + age))
    old, busy, kept, newer = names[0], names[1], names[3], names[4]
    other = tmp_path / there.name(FINGERPRINT)
    other.write_bytes(b"x")
    os.utime(other, (1, 1))
    partial = tmp_path / f"{old}.123.partial"
    partial.write_bytes(b"x")
    os.utime(partial, (1, 1))
    fd = os.open(tmp_path / f"{busy}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another worker mapping (or loading) it
    try:
        here._forget_others(kept)
    finally:
        os.close(fd)
    left = {p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")}
    assert left == {busy, kept, newer, other.name, partial.name}  # names[0] and names[2] went
