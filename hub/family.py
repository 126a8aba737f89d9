"""Disclosing a nominal's family to a panel member: decided, recorded, then released.

A family view goes out like a case view (hub/sharing.py ``disclose_fields``): the policy
decides each field for the asking agency and the stated purpose, the disclosure or refusal
is recorded first, and a request for a case or party that does not exist is a recorded
refusal with the same answer. A panel purpose (GMAP) is served only to that panel: the hub
passes the panel on to the policy only when the asking agency is one of its member agencies;
otherwise the request is refused, and recorded, before the policy is asked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.application import PartnershipHub
from hub.panels.config import PanelType
from hub.policy import PolicyEngine
from hub.sharing import Requester, SharedView, disclose_fields, record_miss
from hub.views.family_view import build_family_view

RECORD_KIND = "family_view"
NO_FAMILY = "no family view available to you for this reference"


def family_ref(case_agency: str, case_ref: str, party_index: int) -> str:
    """What the disclosure log names: the case and the party whose family was asked for."""
    return f"{case_agency}:{case_ref}:party.{party_index}"


def disclose_family_view(app: PartnershipHub, engine: PolicyEngine, requester: Requester, *,
                         case_agency: str, case_ref: str, party_index: int, party_role: str,
                         purpose: str, panel_type: PanelType | None = None,
                         panel_type_id: str | None = None,
                         gateway_claims: list[dict[str, Any]] | None = None,
                         now: datetime | None = None) -> SharedView:
    """The nominal's current relatives, as the policy releases them to ``requester``.

    ``panel_type_id`` is the panel the requester says they ask for; ``panel_type`` its
    configuration (None if the hub knows no such panel)."""
    now = now or datetime.now(UTC)
    ref = family_ref(case_agency, case_ref, party_index)
    panel = None
    if panel_type_id is not None:
        if panel_type is None or requester.agency not in panel_type.members:
            why = (f"{requester.agency} is not a member agency of the {panel_type.name} panel"
                   if panel_type is not None else f"there is no panel type {panel_type_id!r}")
            return record_miss(app, engine, requester, record_kind=RECORD_KIND,
                               record_ref=ref, purpose=purpose,
                               panel={"type": panel_type_id}, now=now,
                               reasons=[f"{why}: a panel's data is for its members and its "
                                        "purpose only (seeds/002 L890-893)"])
        panel = {"type": panel_type.id}
    view = build_family_view(app, case_agency, case_ref, party_index, party_role, now.date())
    if view is None:
        return record_miss(app, engine, requester, record_kind=RECORD_KIND, record_ref=ref,
                           purpose=purpose, panel=panel, now=now)
    return disclose_fields(app, engine, requester, record_kind=RECORD_KIND, record_ref=ref,
                           supplier=case_agency, subjects=view.subjects,
                           fields=view.fields(now.date()), purpose=purpose,
                           gateway_claims=gateway_claims, panel=panel, now=now)
