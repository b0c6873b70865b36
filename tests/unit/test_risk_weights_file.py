"""A bad risk weights file stops the server's start with the reason, before anything connects."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.settings import Settings
from graphsvc.usecases.changes import weights_from
from graphsvc.web.app import create_app


async def test_a_bad_weights_file_stops_the_start(tmp_path: Path) -> None:
    bad = tmp_path / "risk.toml"
    bad.write_text("per_sla = 3\nper_sandwich = 1\n", encoding="utf-8")
    app = create_app(Settings(risk_weights_file=bad))
    with pytest.raises(ValueError, match="per_sandwich"):
        async with app.router.lifespan_context(app):
            pass


def test_the_weights_file_is_read(tmp_path: Path) -> None:
    good = tmp_path / "risk.json"
    good.write_text('{"per_sla": 7}', encoding="utf-8")
    assert weights_from(good).per_sla == 7
    assert weights_from(None).per_sla == 2
