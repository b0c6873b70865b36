"""The lock files pin every dependency pyproject.toml declares, inside the range it declares.

`make install`, CI and the Dockerfile install from requirements/*.lock with --no-deps: a dependency added to
pyproject.toml without `make lock` would be missing at run time, and one whose range was narrowed would be installed
outside it. This is the check that catches both before a user does."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
# The platform the suite, CI and the image run on; markers of the lock are read for it.
HERE = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux"}


def pins(lock: str) -> dict[str, list[tuple[str, str | None]]]:
    """Each pinned name with its versions and their markers (a universal lock may pin one name per Python)."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        match = PIN.match(line)
        if match:
            found.setdefault(canonicalize_name(match[1]), []).append((match[2], match[3]))
    return found


def pinned_here(lock: str, name: str) -> str | None:
    for version, marker in pins(lock).get(canonicalize_name(name), []):
        if marker is None or Marker(marker).evaluate(HERE):
            return version
    return None


def declared(group: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [Requirement(text) for text in texts]


def unmet(lock: str, requirements: list[Requirement]) -> list[str]:
    problems = []
    for req in requirements:
        if req.marker is not None and not req.marker.evaluate(HERE):
            continue
        version = pinned_here(lock, req.name)
        if version is None:
            problems.append(f"{req.name}: not in requirements/{lock}")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: {lock} pins {version}, pyproject.toml asks {req.specifier}")
    return problems


def test_every_runtime_dependency_is_locked_within_its_range() -> None:
    assert unmet("runtime.lock", declared(None)) == []


def test_the_dev_lock_holds_runtime_dev_and_build_dependencies() -> None:
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    wanted = declared(None) + declared("dev") + [Requirement(text) for text in build]
    assert unmet("dev.lock", wanted) == []


def test_the_dev_lock_agrees_with_the_runtime_lock() -> None:
    runtime, dev = pins("runtime.lock"), pins("dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_every_pin_carries_a_hash() -> None:
    for lock in ("runtime.lock", "build.lock", "dev.lock"):
        text = (ROOT / "requirements" / lock).read_text()
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        unhashed = [block.split(" ", 1)[0] for block in blocks if "==" in block and "--hash=sha256:" not in block]
        assert unhashed == [], f"{lock}: pins without a hash: {unhashed}"


def test_the_checker_notices_a_missing_and_an_out_of_range_pin() -> None:
    assert unmet("runtime.lock", [Requirement("no-such-package-graphsvc>=1")]) == [
        "no-such-package-graphsvc: not in requirements/runtime.lock"
    ]
    assert unmet("runtime.lock", [Requirement("uvicorn<0.1")])[0].startswith("uvicorn: runtime.lock pins ")
