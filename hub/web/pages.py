"""The panel pages: sign in, coordinator's view, agenda, pack, case timeline, action tracker.

A user signs in with their agency's API client token and their own name; the signed session
cookie holds only a server-side session id (hub/web/sessions.py) and the form token, and the
session and its client are looked up again on every request, so signing out, or a revoked
client, stops a session at once. Every form post carries the session's form token and must
come from the hub's own origin (hub/web/security.py). Every page goes through the same service
layer (hub/panels/service.py) and the same policy decisions as the JSON API: case data, the
facts on referrals and agenda lines included, only through a recorded disclosure, every other
page into the panel access log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from domain.model.errors import DomainRefused
from domain.model.panels import ACCEPTED, REFERRED
from hub.api.limits import ID_MAX, MINUTES_MAX, TEXT_MAX, TOKEN_MAX, USER_MAX
from hub.application import PartnershipHub
from hub.panels.config import PanelType
from hub.panels.facts import summary
from hub.panels.service import PanelNotFound, PanelRefused, PanelService, risk_rank
from hub.policy import PolicyEngine
from hub.sharing import NO_VIEW, AuditUnavailable, NoCaseView, Requester, SharedView
from hub.web.security import CSRF_FIELD, form_refusal, form_token
from hub.web.sessions import SessionStore

HERE = Path(__file__).resolve().parent
LONDON = ZoneInfo("Europe/London")
templates = Jinja2Templates(directory=HERE / "templates")


Id = Annotated[str, Form(max_length=ID_MAX)]
Text = Annotated[str, Form(max_length=TEXT_MAX)]
Token = Annotated[str, Form(alias=CSRF_FIELD, max_length=100)]


def _label(path: str) -> str:
    parts = []
    for part in path.split("."):
        parts.append(f"#{int(part) + 1}" if part.isdigit() else part.replace("_", " "))
    return " ".join(parts).capitalize()


def view_sections(shared: SharedView) -> list[dict[str, Any]]:
    """The released view as sections (the case, then each incident) of labelled rows."""
    sections: dict[str, dict[str, Any]] = {}
    for path, value in shared.flat.items():
        head, _, rest = path.partition(".")
        if head == "incident":
            n, _, rest = rest.partition(".")
            key, title = f"incident.{n}", f"Incident {int(n) + 1}"
        else:
            key, title = head, head.capitalize()
        section = sections.setdefault(key, {"key": key, "title": title, "rows": []})
        section["rows"].append({"path": path, "label": _label(rest), "value": value})
    return list(sections.values())


def local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(LONDON).strftime("%a %d %b %Y, %H:%M")


def web_router(hub: PartnershipHub, engine: PolicyEngine,
               panel_types: dict[str, PanelType] | None = None) -> APIRouter:
    service = PanelService(hub, engine, panel_types)
    sessions = SessionStore(hub)
    router = APIRouter(prefix="/panels", include_in_schema=False)

    def now() -> datetime:
        return datetime.now(UTC)

    def who_or_none(request: Request) -> Requester | None:
        session = sessions.current(request.session.get("sid"), now())
        if session is None:  # never signed in, signed out, expired
            return None
        client = request.app.state.registry.get().clients.get(session.client_id)
        if client is None:  # revoked since sign-in
            sessions.end(session, now(), "client revoked")
            request.session.clear()
            return None
        return Requester(user=session.user, agency=client.agency, role=client.role)

    def flash(request: Request, message: str, kind: str = "ok") -> None:
        request.session["flash"] = [*request.session.get("flash", []), [kind, message]]

    def render(request: Request, name: str, who: Requester | None, status_code: int = 200,
               **context: Any) -> HTMLResponse:
        messages = request.session.pop("flash", [])
        my_types = [t for t in service.types.values() if who and who.agency in t.members]
        return templates.TemplateResponse(request, name, {
            "who": who, "messages": messages, "my_types": my_types, "local": local,
            "csrf_field": CSRF_FIELD, "csrf_token": form_token(request.session),
            "today": now().astimezone(LONDON).date(), **context}, status_code=status_code)

    def page(request: Request, build: Callable[[Requester], Response]) -> Response:
        who = who_or_none(request)
        if who is None:
            return RedirectResponse(f"/panels/sign-in?next={request.url.path}", 303)
        try:
            return build(who)
        except PanelRefused as exc:
            return render(request, "refused.html", who, 403, reason=str(exc))
        except PanelNotFound as exc:
            return render(request, "refused.html", who, 404, reason=str(exc),
                          title="Not found")
        except AuditUnavailable as exc:
            return render(request, "refused.html", who, 503, reason=str(exc),
                          title="Not available")

    def refuse_form(request: Request, token: str) -> Response | None:
        """A form post from another origin or without the session's token changes nothing."""
        why = form_refusal(request, token)
        if why is None:
            return None
        who = who_or_none(request)
        if who is not None:
            service.record_access(who, "form", allowed=False, reason=why)
        return render(request, "refused.html", who, 403, reason=why,
                      title="Form not accepted")

    def act(request: Request, token: str, back: str, do: Callable[[Requester], str]
            ) -> Response:
        """A form post: check it, do it, say what happened, go back (post/redirect/get)."""
        refused = refuse_form(request, token)
        if refused is not None:
            return refused

        def build(who: Requester) -> Response:
            try:
                flash(request, do(who))
            except DomainRefused as exc:
                flash(request, str(exc), "error")
            except NoCaseView:
                flash(request, f"{NO_VIEW[0].upper()}{NO_VIEW[1:]}.", "error")
            return RedirectResponse(back, 303)
        return page(request, build)

    # -- sign in ----------------------------------------------------------------------------

    @router.get("/static/panels.css")
    def stylesheet() -> FileResponse:
        return FileResponse(HERE / "static" / "panels.css", media_type="text/css")

    @router.get("/static/panels.js")
    def script() -> FileResponse:
        return FileResponse(HERE / "static" / "panels.js", media_type="text/javascript")

    @router.get("/sign-in", response_class=HTMLResponse)
    def sign_in_form(request: Request, next: str = "/panels/") -> HTMLResponse:
        return render(request, "sign_in.html", None, next=next if next.startswith("/") else "/")

    @router.post("/sign-in")
    def sign_in(request: Request, csrf: Token = "",
                token: Annotated[str, Form(max_length=TOKEN_MAX)] = "",
                user: Annotated[str, Form(max_length=USER_MAX)] = "",
                next: Annotated[str, Form(max_length=ID_MAX * 4)] = "/panels/") -> Response:
        refused = refuse_form(request, csrf)
        if refused is not None:
            return refused
        client = request.app.state.registry.get().authenticate(token.strip())
        name = user.strip()
        if client is None or not name:
            why = ("That token is not a registered API client." if client is None
                   else "Give your name: every disclosure records who asked.")
            return render(request, "sign_in.html", None, 401, error=why, next=next,
                          user=name)
        request.session.clear()  # a new session id and a new form token
        request.session["sid"] = sessions.start(client.client_id, name, now())
        service.record_access(Requester(name, client.agency, client.role), "sign_in")
        return RedirectResponse(next if next.startswith("/panels") else "/panels/", 303)

    @router.post("/sign-out")
    def sign_out(request: Request, csrf: Token = "") -> Response:
        refused = refuse_form(request, csrf)
        if refused is not None:
            return refused
        session = sessions.current(request.session.get("sid"), now())
        if session is not None:
            sessions.end(session, now(), "signed out")
        request.session.clear()
        return RedirectResponse("/panels/sign-in", 303)

    # -- home, coordinator ------------------------------------------------------------------

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        def build(who: Requester) -> Response:
            mine = [t for t in service.types.values() if who.agency in t.members]
            meetings = [m for m in service.meetings() if who.agency in m.members
                        and m.held_at >= now() - timedelta(days=1)]
            service.record_access(who, "home")
            return render(request, "home.html", who, types=mine, meetings=meetings,
                          coordinator={t.id for t in mine if service.is_coordinator(who, t)})
        return page(request, build)

    @router.get("/{panel_type}/coordinate", response_class=HTMLResponse)
    def coordinate(request: Request, panel_type: str) -> Response:
        def build(who: Requester) -> Response:
            ptype = service.panel_type(panel_type)
            service.require_coordinator(who, ptype, "coordinate")
            at = now()
            referrals = service.referrals(panel_type)
            suggestions = [{"s": s, "facts": summary(shared.released)}
                           for s, shared in service.shown_suggestions(who, panel_type, at)]
            meetings = [m for m in service.meetings(panel_type) if m.held_at >= at]
            nxt = meetings[0] if meetings else None
            service.record_access(who, "coordinate", panel_type=panel_type,
                                  record_refs=sorted(r.case_key for r in referrals), now=at)
            accepted = sorted((r for r in referrals if r.status == ACCEPTED),
                              key=lambda r: [-x for x in _rank(r)])
            waiting = [r for r in referrals if r.status == REFERRED]
            shown = service.shown_referrals(who, [*waiting, *accepted], at)
            facts = {str(r.id): summary(shared.released) for r, shared in shown}
            suggested_next = ptype.next_sitting(at)
            return render(request, "coordinate.html", who, panel=ptype,
                          suggestions=suggestions, facts=facts, waiting=waiting,
                          accepted=accepted, decided=[r for r in referrals
                                                      if r.status not in (REFERRED,)],
                          meetings=meetings, next_meeting=nxt,
                          default_held_at=(suggested_next or at + timedelta(days=10))
                          .astimezone(LONDON).strftime("%Y-%m-%dT%H:%M"))
        return page(request, build)

    @router.post("/{panel_type}/refer")
    def refer(request: Request, panel_type: str, case_agency: Id, case_ref: Id,
              csrf: Token = "", triggers: Text = "", reason: Text = "") -> Response:
        def do(who: Requester) -> str:
            found = [t for t in triggers.split(",") if t.strip()]
            r, _ = service.refer(who, panel_type, case_agency.strip(), case_ref.strip(),
                                 triggers=found, note=reason, now=now())
            return f"Referred {r.case_key} to {service.panel_type(panel_type).name}."
        return act(request, csrf, f"/panels/{panel_type}/coordinate", do)

    @router.post("/referrals/{referral_id}/decide")
    def decide(request: Request, referral_id: str, decision: Id, csrf: Token = "",
               reason: Text = "") -> Response:
        def do(who: Requester) -> str:
            r = service.decide_referral(who, referral_id, accept=decision == "accept",
                                        reason=reason, now=now())
            return f"Referral of {r.case_key} {r.status}."
        try:
            back = f"/panels/{service.referral(referral_id).panel_type}/coordinate"
        except PanelNotFound:
            back = "/panels/"
        return act(request, csrf, back, do)

    @router.post("/{panel_type}/meetings")
    def schedule(request: Request, panel_type: str, held_at: Id, csrf: Token = ""
                 ) -> Response:
        def do(who: Requester) -> str:
            try:
                when = datetime.fromisoformat(held_at)
            except ValueError:
                raise DomainRefused("bad-date", "give the meeting date and time") from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=LONDON)
            m = service.schedule(who, panel_type, when, now=now())
            return f"{service.panel_type(panel_type).name} meeting scheduled for " \
                   f"{local(m.held_at)}."
        return act(request, csrf, f"/panels/{panel_type}/coordinate", do)

    @router.post("/meetings/{meeting_id}/agenda")
    def build_agenda(request: Request, meeting_id: str, csrf: Token = "",
                     referral_id: Annotated[list[str] | None, Form(max_length=50)] = None
                     ) -> Response:
        def do(who: Requester) -> str:
            if not referral_id:
                raise DomainRefused("nothing-chosen", "choose at least one referral")
            m = service.add_to_agenda(who, meeting_id, referral_id, now=now())
            return f"The agenda now lists {len(m.items)} cases, highest risk first."
        return act(request, csrf, f"/panels/meetings/{meeting_id}", do)

    # -- meeting, pack, case ----------------------------------------------------------------

    @router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
    def meeting(request: Request, meeting_id: str) -> Response:
        def build(who: Requester) -> Response:
            agenda = service.agenda(who, meeting_id, now=now())
            ptype: PanelType = agenda["panel"]
            return render(request, "meeting.html", who, meeting=agenda["meeting"],
                          panel=ptype, items=agenda["items"],
                          lines=[{"item": item, "facts": summary(shared.released)}
                                 for item, shared in agenda["lines"]],
                          overdue=agenda["overdue_actions"],
                          chair=service.is_coordinator(who, ptype),
                          default_due=(now() + timedelta(days=14)).date().isoformat())
        return page(request, build)

    @router.get("/meetings/{meeting_id}/pack", response_class=HTMLResponse)
    def pack(request: Request, meeting_id: str) -> Response:
        def build(who: Requester) -> Response:
            entries = service.pack(who, meeting_id, now=now())
            m = service.meeting(meeting_id)
            return render(request, "pack.html", who, meeting=m,
                          panel=service.panel_type(m.panel_type),
                          entries=[{"item": e.item, "shared": e.shared,
                                    "sections": view_sections(e.shared)} for e in entries])
        return page(request, build)

    @router.get("/meetings/{meeting_id}/cases/{case_agency}/{case_ref}",
                response_class=HTMLResponse)
    def case(request: Request, meeting_id: str, case_agency: str, case_ref: str) -> Response:
        def build(who: Requester) -> Response:
            entry = service.pack_case(who, meeting_id, case_agency, case_ref, now=now())
            m = service.meeting(meeting_id)
            # Panel free text and triggers only beside a case view that released something.
            timeline = [{**h, "source": "panel"} for h in service.panel_history(
                case_agency, case_ref, with_text=entry.shared.allowed)]
            released = dict(entry.shared.flat)
            if "case.opened_at" in released:
                timeline.append({"at": released["case.opened_at"], "what": "case_opened",
                                 "agency": released.get("case.agency", case_agency),
                                 "source": "case"})
            for path, value in released.items():
                if path.startswith("incident.") and path.endswith(".occurred_at"):
                    n = path.split(".")[1]
                    timeline.append({"at": value, "what": "incident", "source": "case",
                                     "agency": released.get(f"incident.{n}.agency", ""),
                                     "category": released.get(f"incident.{n}.category", "")})
            timeline.sort(key=lambda e: _when(e["at"]))
            return render(request, "case.html", who, meeting=m,
                          panel=service.panel_type(m.panel_type), item=entry.item,
                          shared=entry.shared, sections=view_sections(entry.shared),
                          timeline=[{**e, "when": local(_when(e["at"]))} for e in timeline])
        return page(request, build)

    @router.post("/meetings/{meeting_id}/minutes")
    def minutes(request: Request, meeting_id: str, csrf: Token = "",
                text: Annotated[str, Form(max_length=MINUTES_MAX)] = "") -> Response:
        def do(who: Requester) -> str:
            service.record_minutes(who, meeting_id, text, now=now())
            return "Minutes recorded."
        return act(request, csrf, f"/panels/meetings/{meeting_id}", do)

    @router.post("/meetings/{meeting_id}/decisions")
    def decision(request: Request, meeting_id: str, case: Id, csrf: Token = "",
                 text: Text = "") -> Response:
        def do(who: Requester) -> str:
            agency, _, ref = case.partition("/")
            service.record_decision(who, meeting_id, agency, ref, text, now=now())
            return f"Decision recorded for {case}."
        return act(request, csrf, f"/panels/meetings/{meeting_id}", do)

    @router.post("/meetings/{meeting_id}/actions")
    def action(request: Request, meeting_id: str, case: Id, owner: Id, due: Id,
               csrf: Token = "", description: Text = "") -> Response:
        def do(who: Requester) -> str:
            agency, _, ref = case.partition("/")
            try:
                when = date.fromisoformat(due)
            except ValueError:
                raise DomainRefused("bad-date", "give the due date as a date") from None
            a = service.create_action(who, meeting_id, agency, ref, owner, description, when,
                                      now=now())
            return f"Action {a['action_id']} assigned to {owner}, due {when:%d %b %Y}."
        return act(request, csrf, f"/panels/meetings/{meeting_id}", do)

    @router.post("/meetings/{meeting_id}/actions/{action_id}/status")
    def action_status(request: Request, meeting_id: str, action_id: str, status: Id,
                      csrf: Token = "", note: Text = "") -> Response:
        def do(who: Requester) -> str:
            service.set_action_status(who, meeting_id, action_id, status, note, now=now())
            return f"Action {action_id} is now {status.replace('_', ' ')}."
        return act(request, csrf, "/panels/actions", do)

    @router.get("/actions", response_class=HTMLResponse)
    def actions(request: Request) -> Response:
        def build(who: Requester) -> Response:
            rows = service.actions(who, now=now())
            return render(request, "actions.html", who, actions=rows)
        return page(request, build)

    return router


def _rank(referral: Any) -> list[int]:
    return risk_rank(referral.facts, referral.triggers)


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
