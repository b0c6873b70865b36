"""The CLI's doors for numbers and text that would poison the CMDB (hardening, point 4): `graphsvc import` refuses
them with the path of the value and writes nothing; a file in another encoding or nested absurdly gets one clear
line, never a traceback; `export` of a database written before these checks refuses to write a file that is not
JSON; names are printed to a terminal with their control characters escaped."""

from __future__ import annotations

import json
from pathlib import Path

from neo4j import Driver
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import Connection
from tests.conftest import counts, make_token
from tests.integration.test_cli import env

runner = CliRunner()
DOC = {
    "format": "graphsvc-cmdb/1",
    "configurationItems": [
        {"id": "CI-1", "name": "db", "type": "DATABASE"},
        {"id": "CI-2", "name": "app", "type": "APPLICATION"},
    ],
    "dependencies": [{"from": "CI-2", "to": "CI-1", "weight": 2}],
}


def imported(conn: Connection, path: Path, data: bytes) -> tuple[int, str]:
    path.write_bytes(data)
    result = runner.invoke(app, ["import", str(path)], env=env(conn))
    return result.exit_code, result.output


def test_import_refuses_what_json_readers_cannot_read_back(
    empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    text = json.dumps(DOC)
    cases = {
        "Infinity": "dependencies[0].weight: Infinity is not a JSON number (numbers must be finite)",
        "NaN": "dependencies[0].weight: NaN is not a JSON number",
        "1e400": "dependencies[0].weight: 1e400 is too large to be a finite number",
        "9" * 5000: "dependencies[0].weight: an integer of 5000 digits is out of range",
        str(2**63): "dependencies[0].weight: 9223372036854775808 is out of range (integers must be within +-2^53)",
    }
    for literal, expected in cases.items():
        code, output = imported(
            empty_db, tmp_path / "doc.json", text.replace('"weight": 2', f'"weight": {literal}').encode()
        )
        assert code != 0 and expected in output, (literal, output)
        assert "Traceback" not in output
    assert counts(sync_driver, empty_db.database) == (0, 0)


def test_import_refuses_a_lone_surrogate_and_says_where(
    empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    # JSON can spell half of a UTF-16 pair (\\ud800); it is no character, and no database or hash can store it
    doc = {**DOC, "configurationItems": [{**DOC["configurationItems"][0], "attributes": {"note": "x\ud800"}}]}
    code, output = imported(empty_db, tmp_path / "doc.json", json.dumps({**doc, "dependencies": []}).encode())
    assert code != 0 and "configurationItems[0].attributes.note: holds a lone surrogate (\\ud800)" in output, output
    assert "Traceback" not in output
    assert counts(sync_driver, empty_db.database) == (0, 0)


def test_encodings_and_nesting_get_one_clear_line(empty_db: Connection, sync_driver: Driver, tmp_path: Path) -> None:
    code, output = imported(
        empty_db, tmp_path / "latin1.json", json.dumps(DOC).replace("app", "caf\u00e9").encode("latin-1")
    )
    assert code != 0 and "is not valid UTF-8 (bad byte at offset" in output and "save it as UTF-8" in output
    code, output = imported(empty_db, tmp_path / "deep.json", b"[" * 200_000 + b"]" * 200_000)
    assert code != 0 and "nests too deeply" in output
    code, output = imported(
        empty_db, tmp_path / "deep2.json", b'{"format": "graphsvc-cmdb/1", "x": ' + b"[" * 100 + b"]" * 100 + b"}"
    )
    assert code != 0 and "x[0][0]" in output and "nests more than 64 levels deep" in output
    assert counts(sync_driver, empty_db.database) == (0, 0)
    # A UTF-16 file with its byte-order mark (as Windows tools write) is read as what it says it is.
    code, output = imported(empty_db, tmp_path / "utf16.json", json.dumps(DOC, ensure_ascii=False).encode("utf-16"))
    assert code == 0, output
    assert counts(sync_driver, empty_db.database) == (2, 1)


def test_export_of_a_database_poisoned_before_these_checks_refuses_and_says_where(
    empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    assert imported(empty_db, tmp_path / "doc.json", json.dumps(DOC).encode())[0] == 0
    # What an import before this release could leave behind, written directly.
    sync_driver.execute_query(
        "MATCH (:ConfigurationItem {id: 'CI-2'})-[d:DEPENDS_ON]->() SET d.weight = $inf",
        inf=float("inf"),
        database_=empty_db.database,
    )
    out = tmp_path / "export.json"
    result = runner.invoke(app, ["export", str(out)], env=env(empty_db))
    assert result.exit_code != 0
    assert "dependencies[0].weight: inf is not a finite number" in result.output
    assert not out.exists()


def test_token_names_cannot_carry_escapes_and_old_ones_are_printed_escaped(
    empty_db: Connection, sync_driver: Driver
) -> None:
    made = runner.invoke(app, ["token", "create", "--name", "bot\x1b[2J", "--role", "viewer"], env=env(empty_db))
    assert (
        made.exit_code != 0
        and "must not hold control or bidirectional-override characters (found U+001B)" in made.output
    )
    # an argument that was not UTF-8 (bytes 0xff) reaches Python as a lone surrogate: refused, never sent to Neo4j
    made = runner.invoke(app, ["token", "create", "--name", "bot\udcff", "--role", "viewer"], env=env(empty_db))
    assert made.exit_code != 0 and "must be text (found lone surrogates U+DCFF)" in made.output, made.output
    make_token(sync_driver, empty_db.database, "viewer", name="evil\x1b]0;owned\x07\u202etxt")  # stored before
    listed = runner.invoke(app, ["token", "list"], env=env(empty_db))
    assert listed.exit_code == 0, listed.output
    assert "\x1b" not in listed.output and "\u202e" not in listed.output and "\x07" not in listed.output
    assert "evil\\x1b]0;owned\\x07\\u202etxt" in listed.output
