"""Person view: every role a person holds in every case and incident, across agencies, with
the facts derived from them (repeat victim or perpetrator, ASB Case Review eligibility).

Confirmed matches fold the merged person's records into the survivor's; undoing a merge
separates them again, because the view follows the Person events both ways.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from domain.model import Case, Incident, Person
from domain.rules import case_review, repeats
from hub.views.projections import View, ViewState, event_name, iso


class PersonState(ViewState):
    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}  # Person aggregate id -> match key
        self.links: dict[str, list[list[str]]] = defaultdict(list)
        self.merged_into: dict[str, str] = {}
        self.records: dict[str, dict[str, Any]] = {}  # "kind:agency/ref" -> times

    def state(self) -> dict[str, Any]:
        return {"keys": self.keys, "links": dict(self.links),
                "merged_into": self.merged_into, "records": self.records}


class PersonView(View):
    reads: ClassVar[tuple[type, ...]] = (Person.Registered, Person.LinkedToRecord,
                                         Person.MergedInto, Person.Unmerged, Incident.Reported,
                                         Case.Opened)
    state_class = PersonState
    view: PersonState

    def __init__(self, view: PersonState | None = None,
                 agency_kinds: Mapping[str, str] | None = None) -> None:
        super().__init__(view)
        self.agency_kinds = dict(agency_kinds or {})

    def apply(self, e: Any) -> None:
        name, state = event_name(e), self.view
        if name == "Incident.Reported":
            state.records[f"incident:{e.agency}/{e.ref}"] = {
                "agency": e.agency, "at": iso(e.reported_at), "occurred_at": iso(e.occurred_at)}
        elif name == "Case.Opened":
            state.records[f"case:{e.agency}/{e.ref}"] = {
                "agency": e.agency, "at": iso(e.opened_at), "occurred_at": iso(e.opened_at)}
        elif name == "Person.Registered":
            state.keys[str(e.originator_id)] = e.match_key
        elif name == "Person.LinkedToRecord":
            state.links[state.keys[str(e.originator_id)]].append([e.kind, e.agency, e.ref,
                                                                   e.role])
        elif name == "Person.MergedInto":
            state.merged_into[state.keys[str(e.originator_id)]] = e.into
        elif name == "Person.Unmerged":
            state.merged_into.pop(state.keys[str(e.originator_id)], None)

    def survivor(self, key: str) -> str:
        seen = {key}
        while key in self.view.merged_into and self.view.merged_into[key] not in seen:
            key = self.view.merged_into[key]
            seen.add(key)
        return key

    def person(self, key: str) -> dict[str, Any] | None:
        root = self.survivor(key)
        # only merged keys can resolve to another person, so look at those alone
        members = sorted({root, *(k for k in self.view.merged_into if self.survivor(k) == root)}
                         & self.view.links.keys())
        if not members:
            return None
        roles = sorted({tuple(link) for k in members for link in self.view.links[k]})
        as_victim = [self._time(kind, agency, ref) for kind, agency, ref, role in roles
                     if role in ("victim", "complainant")]
        as_perp = [self._time(kind, agency, ref) for kind, agency, ref, role in roles
                   if role == "alleged_perpetrator"]
        reports = [case_review.Report(
            agency, self.agency_kinds.get(agency, "other"),
            datetime.fromisoformat(self.view.records[f"{kind}:{agency}/{ref}"]["at"]),
            datetime.fromisoformat(self.view.records[f"{kind}:{agency}/{ref}"]["occurred_at"]))
            for kind, agency, ref, role in roles
            if kind == "incident" and role in ("victim", "complainant")
            and f"{kind}:{agency}/{ref}" in self.view.records]
        return {"match_key": root, "merged": [k for k in members if k != root],
                "roles": [dict(zip(("kind", "agency", "ref", "role"), r, strict=True))
                          for r in roles],
                "repeat_victim": repeats.is_repeat_person(t for t in as_victim if t),
                "repeat_perpetrator": repeats.is_repeat_person(t for t in as_perp if t),
                "case_review_eligible": case_review.is_eligible(reports)}

    def _time(self, kind: str, agency: str, ref: str) -> datetime | None:
        record = self.view.records.get(f"{kind}:{agency}/{ref}")
        return datetime.fromisoformat(record["at"]) if record else None
