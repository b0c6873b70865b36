"""Saved what-if scenarios: a planning team's named list of edits ("DC2 decommissioned"), checked against the estate
of now when saved, and answered on any estate later (usecases/estate.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graphsvc.db import scenarios as db
from graphsvc.db.audit import Audit
from graphsvc.db.connection import Database
from graphsvc.db.items import ItemRepository
from graphsvc.domain.text import control_characters
from graphsvc.domain.validation import DocumentInvalid, Problem
from graphsvc.domain.whatif import Edit, apply_edits, edit_json, edit_of
from graphsvc.usecases.estate import EstateAt, EstateCache, estate_at

__all__ = ["delete_scenario", "get_scenario", "list_scenarios", "save_scenario", "scenario_estate"]

MAX_NAME = 200
MAX_DESCRIPTION = 4000


def _text(field: str, value: str | None, limit: int, *, required: bool) -> list[Problem]:
    if value is None or not value.strip():
        return [Problem(field, "must not be empty")] if required else []
    if len(value) > limit:
        return [Problem(field, f"at most {limit} characters (got {len(value)})")]
    if found := control_characters(value.replace("\n", "").replace("\t", "")):
        return [Problem(field, f"must not hold control characters (found {', '.join(found)})")]
    return []


async def save_scenario(
    db_: Database,
    repo: ItemRepository,
    scenario_id: str,
    name: str,
    description: str | None,
    edits: Sequence[Edit],
    *,
    cache: EstateCache | None,
    audit: Audit,
) -> db.SavedScenario:
    """Save the scenario once its edits apply to the estate of now (an InvalidEdit names the one that does not)."""
    problems = _text("id", scenario_id, MAX_NAME, required=True) + _text("name", name, MAX_NAME, required=True)
    problems += _text("description", description, MAX_DESCRIPTION, required=False)
    if not edits:
        problems.append(Problem("edits", "a scenario needs at least one edit"))
    if problems:
        raise DocumentInvalid(problems)
    now = await estate_at(repo, None, cache=cache)
    apply_edits(now.reads.estate, edits)  # raises InvalidEdit; the estate itself is never changed
    saved = [edit_json(e) for e in edits]
    return await db_.bind(db.save_scenario)(scenario_id.strip(), name.strip(), description, saved, audit=audit)


async def delete_scenario(db_: Database, scenario_id: str, *, audit: Audit) -> db.SavedScenario:
    return await db_.bind(db.delete_scenario)(scenario_id, audit=audit)


async def list_scenarios(repo: ItemRepository) -> list[db.SavedScenario]:
    return await db.list_scenarios(repo)


async def get_scenario(repo: ItemRepository, scenario_id: str) -> db.SavedScenario | None:
    return await db.get_scenario(repo, scenario_id)


async def scenario_estate(
    repo: ItemRepository, scenario: db.SavedScenario, as_of: datetime | None, cache: EstateCache | None
) -> EstateAt:
    """The estate (now, or as of a time) with the scenario's edits applied."""
    return await estate_at(repo, as_of, [edit_of(e) for e in scenario.edits], cache)
