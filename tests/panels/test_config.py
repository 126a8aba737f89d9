"""Panel types are configuration: the defaults cite their sources, and a partnership adds its
own panel (here a Youth Crime Prevention Panel) without code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.panels.config import PanelConfigError, load_panel_types
from hub.sharing import NoCaseView
from tests.panels.conftest import Seeded

YCPP = {"ycpp": {
    "name": "YCPP", "expansion": "Youth Crime Prevention Panel",
    "about": "Young people at risk of offending (a partnership's own panel)",
    "purpose": "safeguarding", "chair": "wcc-yot", "chair_title": "YOT manager",
    "members": ["wcc-yot", "wcc-childrens", "met-police"],
    "data_categories": ["identity", "case", "risk"], "cadence": {"every_weeks": 4},
    "max_cases": 8, "cite": "seeds/003 L331-339"}}


def test_default_panel_types_follow_the_documents() -> None:
    types = load_panel_types(environ={})
    assert set(types) == {"marac", "gmap", "hccp", "asb_case_review"}
    marac, gmap, hccp, review = (types[t] for t in ("marac", "gmap", "hccp",
                                                    "asb_case_review"))
    assert marac.chair == "met-police" and marac.cadence_text == "every month"
    assert "002 L881" in marac.cite and marac.referral_rule == "marac"
    assert (gmap.max_cases, gmap.min_cases, gmap.cadence_text) == (10, 7, "every 6 weeks")
    assert hccp.chair == "wcc-housing" and "001 L395" in hccp.cite
    assert review.next_sitting(datetime.now(UTC)) is None
    assert review.deadlines_working_days == {"acknowledge": 2, "panel": 10, "update": 12,
                                             "appeal": 10}
    assert "002 L1268" in review.cite
    start = datetime(2026, 3, 31, 10, tzinfo=UTC)
    assert gmap.next_sitting(start) == start + timedelta(weeks=6)


@pytest.mark.parametrize("change, message", [
    ({"purpose": "marac"}, "served only to the marac panel"),
    ({"purpose": "gossip"}, "not in the policy bundle"),
    ({"members": ["wcc-yot", "nobody"]}, "unknown member agencies"),
    ({"chair": "met-police", "members": ["wcc-yot"]}, "chair"),
    ({"cadence": {}}, "cadence"),
])
def test_a_panel_type_the_hub_cannot_run_is_refused(tmp_path: Path, change: dict[str, object],
                                                    message: str) -> None:
    path = tmp_path / "panels.json"
    path.write_text(json.dumps({"ycpp": {**YCPP["ycpp"], **change}}))
    with pytest.raises(PanelConfigError, match=message):
        load_panel_types(path)


def test_a_partnership_adds_its_own_panel_without_code(seeded: Seeded, tmp_path: Path) -> None:
    path = tmp_path / "our-panels.json"
    path.write_text(json.dumps(YCPP))
    types = load_panel_types(environ={"HUB_PANEL_TYPES": str(path)})
    assert {"marac", "ycpp"} <= set(types)
    service, now = seeded.service(panel_types=types), seeded.now
    yot, lead = seeded.who("yot"), seeded.who("childrens-safeguarding")
    # The policy decides the referral's facts too: the chair's role may not have
    # safeguarding data, so it cannot refer (or learn anything of) another agency's case.
    with pytest.raises(NoCaseView):
        service.refer(yot, "ycpp", "wcc-asb", "ASB-77", note="Sibling at risk", now=now)
    # Housing's domestic abuse case goes to Children's Services only with the person's consent
    # or a legal requirement (seeds/002 L447): nothing of it leaves for a safeguarding panel.
    with pytest.raises(NoCaseView):
        service.refer(lead, "ycpp", "wcc-housing", "HASB-2", note="Sibling at risk", now=now)
    referral, shared = service.refer(lead, "ycpp", "wcc-asb", "ASB-77",
                                     note="Younger sibling at risk of exploitation", now=now)
    assert shared.released["facts"]["category"] == "noise"
    service.decide_referral(yot, str(referral.id), accept=True, reason="agreed", now=now)
    meeting = service.schedule(yot, "ycpp", now + timedelta(days=7), now=now)
    service.add_to_agenda(yot, str(meeting.id), now=now)

    pack = service.pack(lead, str(meeting.id), now=now)
    assert len(pack) == 1 and pack[0].shared.allowed
    assert pack[0].shared.released["case"]["ref"] == "ASB-77"
    logged = {str(d.originator_id): d for d in seeded.hub.disclosures()}
    assert logged[pack[0].shared.disclosure_id].purpose == "safeguarding"
    # The policy still decides: a panel_chair role may not ask for safeguarding data.
    chair_pack = service.pack(yot, str(meeting.id), now=now)
    assert not chair_pack[0].shared.allowed
