"""Panel types as configuration: who sits, who chairs, for which purpose, how often.

The defaults (MARAC, GMAP, HCCP, ASB Case Review) are in ``panel_types.json`` beside this file.
A partnership adds its own (MACE, MAPPA, YCPP, ...) or changes a default without code: point
``HUB_PANEL_TYPES`` at a JSON file of the same shape; its entries are added to, or replace,
the defaults. Each type names a purpose from the policy bundle
(policies/hub/config/purposes/data.json): the sharing policy, not this file, decides what each
member agency sees.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from domain.rules.calendar import add_months, add_working_days
from policies import load_bundle

DEFAULTS = Path(__file__).resolve().parent / "panel_types.json"
REFERRAL_RULES = (None, "marac", "case_review")


class PanelConfigError(ValueError):
    """A panel type the hub cannot run; the message says which entry and why."""


@dataclass(frozen=True)
class PanelType:
    id: str
    name: str
    expansion: str
    purpose: str
    chair: str
    members: tuple[str, ...]
    cadence: dict[str, Any]
    about: str = ""
    chair_title: str = ""
    data_categories: tuple[str, ...] = ()
    max_cases: int | None = None
    min_cases: int | None = None
    referral_rule: str | None = None
    refer_within_hours: int | None = None
    deadlines_working_days: dict[str, int] = field(default_factory=dict)
    cite: str = ""

    @property
    def cadence_text(self) -> str:
        if self.cadence.get("on_demand"):
            return "on demand"
        if "every_weeks" in self.cadence:
            return f"every {self.cadence['every_weeks']} weeks"
        return f"every {self.cadence.get('every', 'month')}"

    def next_sitting(self, after: datetime) -> datetime | None:
        """The next regular sitting after ``after``; None for a panel held on demand."""
        if self.cadence.get("on_demand"):
            return None
        if "every_weeks" in self.cadence:
            return after + timedelta(weeks=int(self.cadence["every_weeks"]))
        return add_months(after, 1)

    def deadlines(self, applied_at: datetime) -> dict[str, datetime]:
        """Working-day deadlines counted from an application (ASB Case Review: acknowledge 2,
        panel 10, update 12; seeds/002 L1268-1270). The appeal (10 working days) runs from the
        decision letter, so it is not listed here."""
        return {name: add_working_days(applied_at, days)
                for name, days in self.deadlines_working_days.items() if name != "appeal"}

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "expansion": self.expansion,
                "about": self.about, "purpose": self.purpose, "chair": self.chair,
                "chair_title": self.chair_title, "members": list(self.members),
                "data_categories": list(self.data_categories), "cadence": self.cadence_text,
                "max_cases": self.max_cases, "min_cases": self.min_cases,
                "referral_rule": self.referral_rule,
                "deadlines_working_days": self.deadlines_working_days, "cite": self.cite}


def _parse(type_id: str, doc: Mapping[str, Any], purposes: Mapping[str, Any],
           agencies: Mapping[str, Any]) -> PanelType:
    def fail(why: str) -> PanelConfigError:
        return PanelConfigError(f"panel type {type_id!r}: {why}")

    for name in ("name", "purpose", "chair", "members", "cadence"):
        if name not in doc:
            raise fail(f"missing {name!r}")
    purpose = doc["purpose"]
    if purpose not in purposes:
        raise fail(f"purpose {purpose!r} is not in the policy bundle's purposes "
                   f"({', '.join(sorted(purposes))}); add it there first")
    if purposes[purpose].get("panel") and purpose != type_id:
        raise fail(f"purpose {purpose!r} is served only to the {purpose} panel; use another "
                   "purpose or add a purpose for this panel to the policy bundle")
    members = tuple(doc["members"])
    unknown = [a for a in members if a not in agencies]
    if unknown:
        raise fail(f"unknown member agencies {unknown} (policies/hub/config/agencies/data.json)")
    if doc["chair"] not in members:
        raise fail(f"the chair {doc['chair']!r} must be a member agency")
    cadence = dict(doc["cadence"])
    if not ({"on_demand", "every_weeks", "every"} & cadence.keys()):
        raise fail("cadence needs one of on_demand, every_weeks, every")
    if doc.get("referral_rule") not in REFERRAL_RULES:
        raise fail(f"referral_rule must be one of {REFERRAL_RULES}")
    return PanelType(
        id=type_id, name=doc["name"], expansion=doc.get("expansion", doc["name"]),
        purpose=purpose, chair=doc["chair"], members=members, cadence=cadence,
        about=doc.get("about", ""), chair_title=doc.get("chair_title", ""),
        data_categories=tuple(doc.get("data_categories", ())),
        max_cases=doc.get("max_cases"), min_cases=doc.get("min_cases"),
        referral_rule=doc.get("referral_rule"),
        refer_within_hours=doc.get("refer_within_hours"),
        deadlines_working_days=dict(doc.get("deadlines_working_days", {})),
        cite=doc.get("cite", ""))


def load_panel_types(extra: Path | str | None = None,
                     environ: Mapping[str, str] | None = None) -> dict[str, PanelType]:
    """The default panel types plus the partnership's own (``extra`` or ``HUB_PANEL_TYPES``)."""
    docs: dict[str, Any] = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    env = os.environ if environ is None else environ
    extra = extra or env.get("HUB_PANEL_TYPES")
    if extra:
        added = json.loads(Path(extra).read_text(encoding="utf-8"))
        if not isinstance(added, dict):
            raise PanelConfigError(f"{extra}: must hold a JSON object of panel types")
        docs.update(added)
    config = load_bundle().data["hub"]["config"]
    purposes, agencies = config["purposes"], config["agencies"]
    return {type_id: _parse(type_id, doc, purposes, agencies) for type_id, doc in docs.items()}
