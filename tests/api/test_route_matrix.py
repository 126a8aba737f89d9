"""Every route of the app, for every role in the policy bundle plus no token and a forged one:
the expected status, and nothing of the case data in any refusal (nor anywhere for the DPO,
whose role may see the logs but never case data).

The routes are enumerated from ``app.routes`` (with the routers included in it): a route added
without a line here fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from domain.model.consent import held_scope
from hub.consent import changes
from hub.panels.service import PanelService
from hub.sharing import Requester
from policies import load_bundle
from tests.api.conftest import ORIGIN, ROLE_CLIENTS, SECRETS, Hub, sign_in
from tests.panels.data import party

ROLES = tuple(load_bundle().data["hub"]["config"]["roles"])
ANON = ("none", "bad")
# Where each role's client sits (tests/api/conftest.py): MARAC members and its coordinator.
# Panel pages admit a role whose purposes include the panel's, at a member agency
# (hub/panels/service.py require_member): not the DPO (logs, never case data), nor the MAPPA
# offender manager, the communications officer or the analyst, though their agencies sit on MARAC.
MEMBER = {"case_officer", "panel_member", "panel_chair", "safeguarding_lead", "police_officer",
          "idva"}
COORD = {"panel_chair"}
# Action A is owned by wcc-housing; the chair's agency (met-police) may update it too.
OWNER_OR_CHAIR = {"case_officer", "panel_member", "panel_chair", "police_officer"}
# The roles whose purposes and agreements cover asb_case_management (policies/).
ASB_CASE_MANAGEMENT = {"case_officer", "police_officer", "legal_officer", "mediator"}
# The mediation service takes personal data only with consent and no one in ASB-77 gave it:
# not even the case's facts go (docs/policies.md stage 8), so it gets the one 404.
ASB_CASE_VIEW = ASB_CASE_MANAGEMENT - {"mediator"}
# The roles whose purposes include statistics, at a relevant authority (CDA 1998 s17A).
STATISTICS = {"case_officer", "police_officer", "analyst"}
# The roles that record consent (HUB_CONSENT_ROLES' default); the seeded consent is wcc-housing's.
CONSENT_STAFF = {"case_officer", "safeguarding_lead", "police_officer", "idva", "mediator"}
CONSENT_OWNER = {"case_officer", "dpo"}
NOPE = {"agency": "wcc-asb", "ref": "NOPE-1"}
UNKNOWN = "00000000-0000-4000-8000-000000000000"
CHAIR = Requester("DI Chair", "met-police", "panel_chair")


def only(allowed: set[str], yes: int, no: int = 403) -> Callable[[str], int]:
    return lambda role: yes if role in allowed else no


def everyone(status: int) -> Callable[[str], int]:
    return lambda _role: status


@dataclass
class Call:
    method: str
    path: str  # the route's template
    expect: Callable[[str], int]
    url: str = ""  # the template filled in; the template itself if empty
    json: dict[str, Any] | None = None
    form: dict[str, Any] = field(default_factory=dict)
    open: bool = False  # answers without a token or session


def consent_calls(ids: dict[str, str]) -> list[Call]:
    c = ids["consent"]

    def seeded_consent(role: str) -> int:
        return 200 if role in CONSENT_OWNER else 404 if role in CONSENT_STAFF else 403

    return [
        Call("POST", "/v1/consents", only(CONSENT_STAFF, 201), json={
            "subject": ids["subject"], "status": "given", "method": "written",
            "collected_at": ids["collected_at"], "scope": {
                "purposes": ["marac"], "recipients": ["advance-idva"],
                "categories": ["identity"]}}),
        Call("GET", "/v1/consents", only(CONSENT_STAFF | {"dpo"}, 200),
             url=f"/v1/consents?subject={ids['subject']}"),
        Call("GET", "/v1/consents/{consent_id}", seeded_consent, url=f"/v1/consents/{c}"),
        Call("GET", "/v1/consents/{consent_id}/receipt", seeded_consent,
             url=f"/v1/consents/{c}/receipt"),
        Call("POST", "/v1/consents/{consent_id}/withdrawal", only(CONSENT_STAFF, 404),
             url="/v1/consents/wcc-housing:NOPE/withdrawal", json={"reason": "asked"}),
        Call("GET", "/v1/dpo/withdrawn-consents", only({"dpo"}, 200)),
    ]


def api_calls(ids: dict[str, str], due: str, held_at: str) -> list[Call]:
    m, r, a = ids["meeting"], ids["referral"], ids["action"]
    case = {"agency": "wcc-housing", "ref": "HASB-1"}
    return [*consent_calls(ids),
        Call("GET", "/health", everyone(200), open=True),
        Call("GET", "/ready", everyone(200), open=True),
        Call("GET", "/metrics", everyone(403)),  # the operator role only (not a policy role)
        Call("GET", "/openapi.json", everyone(200), open=True),
        Call("GET", "/docs", everyone(200), open=True),
        Call("GET", "/docs/oauth2-redirect", everyone(200), open=True),
        Call("GET", "/redoc", everyone(200), open=True),
        Call("POST", "/v1/case-views", only(ASB_CASE_VIEW, 200, 404), json={
            "case": {"agency": "wcc-asb", "ref": "ASB-77"}, "purpose": "asb_case_management"}),
        # No ties are recorded in the seeded partnership: every asker gets the one 404.
        Call("POST", "/v1/family-views", everyone(404), json={
            "case": case, "party": {"index": 0, "role": "victim"}, "purpose": "gmap",
            "panel_type": "gmap"}),
        Call("GET", "/v1/statistics", only(STATISTICS, 200)),
        Call("GET", "/v1/disclosures", only({"dpo"}, 200)),
        Call("GET", "/v1/dpo/disclosures", only({"dpo"}, 200)),
        Call("GET", "/v1/dpo/refusals", only({"dpo"}, 200)),
        Call("GET", "/v1/dpo/overrides", only({"dpo"}, 200)),
        Call("POST", "/v1/dpo/overrides/{disclosure_id}/review", only({"dpo"}, 404),
             url=f"/v1/dpo/overrides/{UNKNOWN}/review",
             json={"outcome": "upheld", "note": "checked"}),
        Call("GET", "/v1/dpo/subject-access/{person}", only({"dpo"}, 200),
             url="/v1/dpo/subject-access/mk1:" + "0" * 64),
        Call("POST", "/v1/dpo/subject-access/{disclosure_id}/release", only({"dpo"}, 404),
             url=f"/v1/dpo/subject-access/{UNKNOWN}/release", json={"note": "ok"}),
        Call("POST", "/v1/dpo/erasures", only({"dpo"}, 200),
             json={"match_key": "mk1:" + "1" * 64, "reason": "Art 17 request 1"}),
        Call("GET", "/v1/dpo/partner-report", only({"dpo"}, 200)),
        Call("GET", "/v1/dpo/access-log", only({"dpo"}, 200)),
        Call("GET", "/v1/dpo/audit/verify", only({"dpo"}, 200)),
        Call("POST", "/v1/dpo/audit/checkpoints", only({"dpo"}, 200)),
        Call("GET", "/v1/notifications", everyone(200)),
        Call("GET", "/v1/panels/types", everyone(200)),
        Call("GET", "/v1/panels/{panel_type}/suggestions", only(COORD, 200),
             url="/v1/panels/marac/suggestions"),
        Call("POST", "/v1/panels/{panel_type}/suggestions/refer", only(COORD, 201),
             url="/v1/panels/marac/suggestions/refer"),
        Call("GET", "/v1/panels/referrals", everyone(200)),
        Call("POST", "/v1/panels/referrals", only(MEMBER, 404),
             json={"panel_type": "marac", "case": NOPE, "reason": "probing"}),
        Call("POST", "/v1/panels/referrals/{referral_id}/decision", only(COORD, 409),
             url=f"/v1/panels/referrals/{r}/decision", json={"accept": True, "reason": "x"}),
        Call("POST", "/v1/panels/meetings", only(COORD, 201),
             json={"panel_type": "marac", "held_at": held_at}),
        Call("GET", "/v1/panels/meetings/{meeting_id}", only(MEMBER, 200),
             url=f"/v1/panels/meetings/{m}"),
        Call("POST", "/v1/panels/meetings/{meeting_id}/agenda", only(COORD, 200),
             url=f"/v1/panels/meetings/{m}/agenda", json={"referral_ids": []}),
        Call("GET", "/v1/panels/meetings/{meeting_id}/pack", only(MEMBER, 200),
             url=f"/v1/panels/meetings/{m}/pack"),
        Call("GET", "/v1/panels/meetings/{meeting_id}/cases/{case_agency}/{case_ref}",
             only(MEMBER, 200), url=f"/v1/panels/meetings/{m}/cases/wcc-housing/HASB-1"),
        Call("POST", "/v1/panels/meetings/{meeting_id}/minutes", only(COORD, 200),
             url=f"/v1/panels/meetings/{m}/minutes", json={"text": "Minuted."}),
        Call("POST", "/v1/panels/meetings/{meeting_id}/decisions", only(COORD, 200),
             url=f"/v1/panels/meetings/{m}/decisions", json={"case": case, "text": "Agreed."}),
        Call("POST", "/v1/panels/meetings/{meeting_id}/actions", only(COORD, 201),
             url=f"/v1/panels/meetings/{m}/actions", json={
                 "case": case, "owner": "wcc-housing", "description": "Visit", "due": due}),
        Call("POST", "/v1/panels/meetings/{meeting_id}/actions/{action_id}/status",
             lambda role: 403 if role not in MEMBER else 200 if role in OWNER_OR_CHAIR
             else 409, url=f"/v1/panels/meetings/{m}/actions/{a}/status",
             json={"status": "open"}),
        Call("GET", "/v1/panels/actions", everyone(200)),
        Call("GET", "/v1/panels/access-log", only({"dpo"}, 200)),
    ]


def page_calls(ids: dict[str, str], due: str, held_at: str) -> list[Call]:
    m, r, a = ids["meeting"], ids["referral"], ids["action"]
    return [
        Call("GET", "/panels/static/panels.css", everyone(200), open=True),
        Call("GET", "/panels/static/panels.js", everyone(200), open=True),
        Call("GET", "/panels/sign-in", everyone(200), open=True),
        Call("GET", "/panels/", everyone(200)),
        Call("GET", "/panels/{panel_type}/coordinate", only(COORD, 200),
             url="/panels/marac/coordinate"),
        Call("POST", "/panels/{panel_type}/refer", only(MEMBER, 303), url="/panels/marac/refer",
             form={"case_agency": "wcc-asb", "case_ref": "NOPE-1", "reason": "probing"}),
        Call("POST", "/panels/referrals/{referral_id}/decide", only(COORD, 303),
             url=f"/panels/referrals/{r}/decide", form={"decision": "accept", "reason": "x"}),
        Call("POST", "/panels/{panel_type}/meetings", only(COORD, 303),
             url="/panels/marac/meetings", form={"held_at": held_at}),
        Call("POST", "/panels/meetings/{meeting_id}/agenda", only(COORD, 303),
             url=f"/panels/meetings/{m}/agenda", form={"referral_id": r}),
        Call("GET", "/panels/meetings/{meeting_id}", only(MEMBER, 200),
             url=f"/panels/meetings/{m}"),
        Call("GET", "/panels/meetings/{meeting_id}/pack", only(MEMBER, 200),
             url=f"/panels/meetings/{m}/pack"),
        Call("GET", "/panels/meetings/{meeting_id}/cases/{case_agency}/{case_ref}",
             only(MEMBER, 200), url=f"/panels/meetings/{m}/cases/wcc-housing/HASB-1"),
        Call("POST", "/panels/meetings/{meeting_id}/minutes", only(COORD, 303),
             url=f"/panels/meetings/{m}/minutes", form={"text": "Minuted."}),
        Call("POST", "/panels/meetings/{meeting_id}/decisions", only(COORD, 303),
             url=f"/panels/meetings/{m}/decisions",
             form={"case": "wcc-housing/HASB-1", "text": "Agreed."}),
        Call("POST", "/panels/meetings/{meeting_id}/actions", only(COORD, 303),
             url=f"/panels/meetings/{m}/actions", form={
                 "case": "wcc-housing/HASB-1", "owner": "wcc-housing", "description": "Visit",
                 "due": due}),
        Call("POST", "/panels/meetings/{meeting_id}/actions/{action_id}/status",
             only(MEMBER, 303), url=f"/panels/meetings/{m}/actions/{a}/status",
             form={"status": "open"}),
        Call("GET", "/panels/actions", everyone(200)),
    ]


def seed_panel(seeded: Hub) -> dict[str, str]:
    """A MARAC meeting with one accepted referral on its agenda and one action; a consent
    the victim of HASB-1 gave wcc-housing."""
    service, chair, now = PanelService(seeded.hub, seeded.engine), CHAIR, seeded.now
    (referral, _), *_ = service.refer_suggested(chair, "marac", now=now)
    service.decide_referral(chair, str(referral.id), accept=True, reason="met", now=now)
    meeting = service.schedule(chair, "marac", now + timedelta(days=2), now=now)
    service.add_to_agenda(chair, str(meeting.id), [str(referral.id)], now=now)
    action = service.create_action(chair, str(meeting.id), "wcc-housing", "HASB-1",
                                   "wcc-housing", "Fit door locks", now.date(), now=now)
    victim = party("Victim HASB-1", "1980-01-10", "victim")["match_key"]
    collected = now - timedelta(hours=1)
    consent = changes.record(
        seeded.hub, Requester("H. Officer", "wcc-housing", "case_officer"), ref="CON-1",
        subject=victim, refused=False, given_by="subject", method="written",
        collected_at=collected, expires_at=None, note="", now=now,
        scope=held_scope({"purposes": ["marac"], "recipients": ["advance-idva"],
                          "categories": ["identity", "contact"]}, refused=False))
    return {"meeting": str(meeting.id), "referral": str(referral.id),
            "action": action["action_id"], "consent": consent.consent_id,
            "subject": victim, "collected_at": collected.isoformat()}


def test_every_route_for_every_role(client: TestClient, seeded: Hub) -> None:
    ids = seed_panel(seeded)
    due, held_at = str(seeded.now.date()), (seeded.now + timedelta(days=9)).isoformat()
    api, pages = api_calls(ids, due, held_at), page_calls(ids, due, held_at)
    routes = {(method, route.path) for route in iter_route_contexts(seeded.app.routes)
              for method in route.methods or () if method != "HEAD"}
    covered = {(c.method, c.path) for c in [*api, *pages]} | {
        ("POST", "/panels/sign-in"), ("POST", "/panels/sign-out")}
    assert routes == covered, f"routes without a line in the matrix: {routes - covered}"

    wrong: list[str] = []

    def check(role: str, call: Call, answer: Any) -> None:
        expected = call.expect(role) if (call.open or role not in ANON) else (
            401 if not call.path.startswith("/panels") else
            403 if call.method == "POST" else 303)
        if answer.status_code != expected:
            wrong.append(f"{role:18} {call.method} {call.path}: {answer.status_code} "
                         f"(expected {expected}) {answer.text[:120]}")
        if answer.status_code >= 300 or role in (*ANON, "dpo"):
            leaked = [s for s in SECRETS if s in answer.text]
            if leaked:
                wrong.append(f"{role:18} {call.method} {call.path}: shows {leaked}")

    for role in (*ROLES, *ANON):
        headers = ({} if role == "none" else
                   {"Authorization": "Bearer role-dpo.forged", "X-Hub-User": "x"}
                   if role == "bad" else seeded.headers(role))
        for call in api:
            check(role, call, client.request(call.method, call.url or call.path,
                                             json=call.json, headers=headers))
        client.cookies.clear()
        token = sign_in(client, seeded, role) if role in ROLE_CLIENTS else "none"
        for call in pages:
            data = {**call.form, "csrf_token": token} if call.method == "POST" else None
            check(role, call, client.request(call.method, call.url or call.path, data=data,
                                             headers={"Origin": ORIGIN},
                                             follow_redirects=False))
        if role in ROLE_CLIENTS:
            out = client.post("/panels/sign-out", data={"csrf_token": token},
                              headers={"Origin": ORIGIN}, follow_redirects=False)
            assert out.status_code == 303, role
    assert not wrong, "\n".join(wrong)
