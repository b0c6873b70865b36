"""The initial load's CSV files (db/initial_load.py). The bulk importer's read buffer (`read_buffer`), sized from the
longest entry of journal states the files hold, holds every row of those files, counted in bytes of UTF-8 and in
Java chars alike, whatever the strings hold (quotes doubled by the CSV, characters beyond the BMP, line breaks); a
line written by hand (`plain_line`, for those entries) is the csv module's line."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.db import initial_load
from graphsvc.db.audit import Audit
from graphsvc.domain.validation import validate_structure

NOW = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)


def rows(path: Path) -> list[str]:
    """Each row of a CSV file as written (a quoted value's line breaks inside it)."""
    csv.field_size_limit(1 << 30)
    text = path.read_text(encoding="utf-8")
    out, buffer = [], io.StringIO(text)
    start = 0
    for _ in csv.reader(buffer, strict=True):
        end = buffer.tell()
        out.append(text[start:end])
        start = end
    return out


def written(tmp_path: Path, document: Any) -> tuple[initial_load.CsvFiles, list[str]]:
    directory = Path(tmp_path) / f"csv-{len(list(Path(tmp_path).iterdir()))}"
    directory.mkdir()
    files = initial_load.write_csv(validate_structure(document), directory, NOW, Audit("a", "b", "import"), workers=1)
    return files, [row for path in sorted(directory.rglob("*.csv")) for row in rows(path)]


def test_the_demo_needs_the_default_buffer_and_its_longest_entry_is_measured(
    tmp_path: Path, demo_document: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(initial_load, "STATES_PER_ENTRY", 100)
    files, lines = written(tmp_path, demo_document)
    states = [line for line in lines if ',"STATE",' in line]
    assert len(states) == -(-files.items // 100)
    # the longest entry's JSON, its doubled quotes undone, is what `longest` says
    longest = max(len(next(csv.reader([line]))[-1]) for line in states)
    assert files.longest == longest
    assert initial_load.read_buffer(files.longest) == initial_load.READ_BUFFER_MIN


def test_a_longer_entry_gets_a_larger_buffer() -> None:
    assert initial_load.read_buffer(0) == 4 << 20
    assert initial_load.read_buffer(1_000_000) == 4 << 20
    assert initial_load.read_buffer(1_100_000) == 8 << 20
    assert initial_load.read_buffer(10_000_000) == 64 << 20


# any character but a lone surrogate (which no stored text can hold: the content hash cannot encode it)
_text = st.text(
    st.sampled_from(['"', ",", "\n", "\r", "a", " ", "ü", "数", "\U0001f600", "\\"])
    | st.characters(blacklist_categories=("Cs",)),
    max_size=400,
) | st.builds(str.__mul__, st.sampled_from(['"', "\U0001f600", "数", '"\U0001f600']), st.integers(100, 3000))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_text, min_size=1, max_size=6))
def test_every_row_fits_the_buffer_sized_from_the_longest_entry(tmp_path: Path, values: list[str]) -> None:
    cis = [
        {"id": f"CI-{n}", "name": f"ci {n}", "type": "SERVER", "attributes": {"text": value, "more": value * 3}}
        for n, value in enumerate(values)
    ]
    deps = [{"from": f"CI-{n}", "to": f"CI-{n + 1}", "kind": "RUNS_ON"} for n in range(len(values) - 1)]
    files, lines = written(tmp_path, {"format": "graphsvc-cmdb/1", "configurationItems": cis, "dependencies": deps})
    longest_row = max(max(len(line.encode("utf-8")), len(line.encode("utf-16-le")) // 2) for line in lines)
    # the bound itself, without the margin the buffer adds to it
    assert longest_row <= 4 * files.longest + 1024
    assert longest_row <= initial_load.read_buffer(files.longest)


@given(cells=st.lists(st.text() | st.integers(), min_size=1, max_size=8))
def test_a_line_by_hand_is_the_csv_writers_line(cells: list[object]) -> None:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerow(cells)
    assert initial_load.plain_line(list(cells)) == out.getvalue()


def test_a_line_by_hand_refuses_what_it_cannot_write_as_the_csv_writer_would() -> None:
    with pytest.raises(TypeError, match="float"):
        initial_load.plain_line(["a", 1.5])
