"""The host's token of "the database moved" (db/movement.py): shared through a file that is never trusted blindly
and never crashes a process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.db import movement


@pytest.fixture
def token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """movement's file moved to a private directory of this test's, and the suite's own put back afterwards."""
    saved = movement._shared, movement._shared_tried
    where = tmp_path / "private"
    monkeypatch.setenv("GRAPHSVC_MOVEMENT_FILE", str(where / "movement"))
    movement._shared, movement._shared_tried = None, False
    yield where / "movement"
    if movement._shared is not None and movement._shared != saved[0]:
        os.close(movement._shared)
    movement._shared, movement._shared_tried = saved


def test_a_move_changes_the_stamp_and_the_shared_token(token_file: Path) -> None:
    before = movement.stamp()
    token = token_file.read_bytes()
    movement.moved()
    assert movement.stamp() != before and token_file.read_bytes() != token
    assert len(token_file.read_bytes()) == movement.TOKEN_BYTES


def test_another_process_writing_the_token_changes_the_stamp(token_file: Path) -> None:
    before = movement.stamp()
    token_file.write_bytes(os.urandom(movement.TOKEN_BYTES))  # what another graphsvc process's write does
    assert movement.stamp() != before


def test_a_file_cut_short_is_read_short_not_a_crash(token_file: Path) -> None:
    before = movement.stamp()
    token_file.write_bytes(b"")
    assert movement.stamp() != before
    movement.moved()
    assert len(token_file.read_bytes()) == movement.TOKEN_BYTES


def test_a_directory_others_may_enter_is_not_used(token_file: Path) -> None:
    token_file.parent.mkdir(mode=0o755)
    token_file.parent.chmod(0o755)
    before = movement.stamp()  # refused: the process still knows its own moves
    assert before[1] == b"" and not token_file.exists()
    movement.moved()
    assert movement.stamp() != before


def test_a_symlink_in_its_place_is_not_followed(token_file: Path, tmp_path: Path) -> None:
    token_file.parent.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    token_file.symlink_to(victim)
    movement.moved()
    assert victim.read_bytes() == b"precious"
    assert movement.stamp()[1] == b""
