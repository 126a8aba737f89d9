"""A view as a flat list of fields, each labelled with what the sharing policy needs to know.

The policy decides field by field, so every value leaves the hub with its data category, the
agency that supplied it, whose data it is, and the flags that restrict it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.views.names import NamedPerson


@dataclass(frozen=True)
class ViewField:
    path: str
    value: Any
    category: str
    supplier: str
    subject: str | None = None
    subject_role: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    confidentiality: str = "standard"
    # Free text only: the people it names (never shown to the policy; the release redacts
    # the names of those whose identity it does not release).
    names: tuple[NamedPerson, ...] = ()

    def policy_view(self) -> dict[str, Any]:
        """What the policy engine sees: everything but the value itself."""
        return {"path": self.path, "category": self.category, "supplier": self.supplier,
                "subject": self.subject, "subject_role": self.subject_role,
                "flags": self.flags, "confidentiality": self.confidentiality}


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"case.party.1.name": v}`` -> ``{"case": {"party": [None, {"name": v}]}}``.

    A level whose keys are all numbers is a list, in path order: a position the policy
    withheld entirely is ``None``, so ``party[1]`` is still the field ``case.party.1``.
    """
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return {key: _listed(value) for key, value in tree.items()}


def _listed(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    children = {key: _listed(value) for key, value in node.items()}
    if children and all(key.isdigit() for key in children):
        found: list[Any] = [None] * (max(int(key) for key in children) + 1)
        for key, value in children.items():
            found[int(key)] = value
        return found
    return children
