"""Files that ship with the package: schema migrations, Cypher statements, the demo seed.

In a wheel they sit inside the package (hatch force-include: `_schema`, `_cypher`, `_seeds`); in a source checkout
or editable install they are read from the repository's top-level folders.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

__all__ = ["resource_dir"]

_REPO = Path(__file__).resolve().parent.parent
_FOLDERS = {"schema": ("_schema", "schema"), "cypher": ("_cypher", "cypher"), "seeds": ("_seeds", "seeds")}


def resource_dir(name: str) -> Traversable:
    """The shipped folder `schema`, `cypher` or `seeds`."""
    packaged, repo_folder = _FOLDERS[name]
    inside = resources.files("graphsvc").joinpath(packaged)
    if inside.is_dir():
        return inside
    return _REPO / repo_folder
