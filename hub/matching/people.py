"""Everyone one person key stands for once links are followed: the records a view, a trigger
or a panel fact must join. Follows merges up to the survivor and down through every record
merged into it, so an un-link (``Unmerged`` + ``Released``) takes those records out again."""

from __future__ import annotations

from typing import Any

from domain.model import Person


def root_of(app: Any, key: str) -> str:
    """The key every record linked with ``key`` is gathered under (``app.person`` loads one)."""
    root, seen = key, {key}
    person = app.person(key)
    while person is not None and person.merged_into and person.merged_into not in seen:
        root = person.merged_into
        seen.add(root)
        person = app.person(root)
    return root


def linked_people(app: Any, key: str) -> list[Person]:
    """The Person of ``key`` and every Person linked with it."""
    root = root_of(app, key)
    found: list[Person] = []
    queue, visited = [root], set()
    while queue:
        current = queue.pop()
        if current in visited:
            continue
        visited.add(current)
        held = app.person(current)
        if held is None:
            continue
        found.append(held)
        queue += [k for k in held.absorbed if k not in visited]
    return found
