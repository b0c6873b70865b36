"""KeptByIdentity: a value is made once per object (and per `also`), an equal object is another key, and the oldest
entry goes first."""

from __future__ import annotations

import gc

from graphsvc.util import KeptByIdentity


class Doc:
    """Equal to every other Doc, as two parsed documents of the same text are; hashing it is an error."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Doc)

    def __hash__(self) -> int:
        raise AssertionError("KeptByIdentity must not hash its objects")


def test_made_once_per_object_and_also() -> None:
    kept: KeptByIdentity[list[str]] = KeptByIdentity(8)
    made: list[str] = []

    def make(tag: str) -> list[str]:
        made.append(tag)
        return [tag]

    a, b = Doc(), Doc()
    first = kept.get_or_make(a, lambda: make("a"), "schema-1")
    assert kept.get_or_make(a, lambda: make("again"), "schema-1") is first
    assert kept.get_or_make(b, lambda: make("b"), "schema-1") == ["b"]  # equal, but another object
    assert kept.get_or_make(a, lambda: make("a2"), "schema-2") == ["a2"]  # made for another schema: made again
    assert kept.get_or_make(a, lambda: make("a3"), ("rules",)) == ["a3"]
    assert kept.get_or_make(a, lambda: make("again"), ("rules",)) == ["a3"]  # `also` compared with ==
    assert made == ["a", "b", "a2", "a3"]


def test_the_oldest_goes_first_and_an_entry_keeps_its_object() -> None:
    kept: KeptByIdentity[int] = KeptByIdentity(2)
    objects = [Doc(), Doc(), Doc()]
    for n, obj in enumerate(objects):
        kept.get_or_make(obj, lambda n=n: n)
    assert len(kept) == 2
    assert kept.get_or_make(objects[0], lambda: 99) == 99  # dropped, made again
    assert kept.get_or_make(objects[2], lambda: 98) == 2
    # an object only the entry holds stays alive, so no new object can take its id and its value
    kept.get_or_make(Doc(), lambda: 7)
    gc.collect()
    fresh = [Doc() for _ in range(100)]
    assert all(kept.get_or_make(f, lambda: -1) == -1 for f in fresh)
