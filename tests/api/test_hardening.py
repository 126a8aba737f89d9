"""Hostile input: size limits (413 for the body, 422 naming the field), the OpenAPI document
declaring them; the pages: form tokens, origin checks, server-side sign-out, security headers
and Secure cookies."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient

from hub.runtime import ApiServer
from hub.web import session_options
from hub.web.sessions import WebSession
from tests.api.conftest import ORIGIN, SECRETS, Hub, form_token, sign_in

ASK = {"case": {"agency": "wcc-asb", "ref": "ASB-77"}, "purpose": "asb_case_management"}
MB = 1024 * 1024


def stored_disclosures(seeded: Hub) -> int:
    return sum(1 for _ in seeded.hub.disclosures())


def test_a_10_mb_body_is_refused_before_it_is_read(client: TestClient, seeded: Hub) -> None:
    huge = {**ASK, "override": {"justification": "x" * (10 * MB)}}
    answer = client.post("/v1/case-views", json=huge, headers=seeded.headers("police"))
    assert answer.status_code == 413
    assert "HUB_MAX_BODY_BYTES" in answer.json()["detail"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert stored_disclosures(seeded) == 0


def test_a_chunked_body_over_the_limit_is_refused_by_the_real_server(seeded: Hub) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count
        yield b'{"purpose": "asb_case_management", "note": "'
        for _ in range(8):
            yield b"y" * 16_384
        yield b'"}'

    with ApiServer(seeded.settings, seeded.hub, seeded.engine) as server:
        answer = httpx.post(f"{server.url}/v1/case-views", content=chunks(), headers={
            **seeded.headers("police"), "Content-Type": "application/json"})
    assert answer.status_code == 413, answer.text
    assert stored_disclosures(seeded) == 0


def test_over_long_fields_are_refused_by_name_and_nothing_is_stored(client: TestClient,
                                                                   seeded: Hub) -> None:
    police = seeded.headers("police")
    long_reason = {**ASK, "override": {"justification": "j" * 9_000}}
    answer = client.post("/v1/case-views", json=long_reason, headers=police)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "override", "justification"]
    long_user = client.post("/v1/case-views", json=ASK,
                            headers={**police, "X-Hub-User": "n" * 60_000})
    assert long_user.status_code == 422
    assert long_user.json()["detail"][0]["loc"] == ["header", "x-hub-user"]
    claims = client.post("/v1/case-views", headers=police, json={
        **ASK, "gateway_claims": [{"gateway": "s115"}] * 51})
    assert claims.status_code == 422
    ref = client.post("/v1/case-views", headers=police, json={
        **ASK, "case": {"agency": "wcc-asb", "ref": "R" * 101}})
    assert ref.status_code == 422
    assert stored_disclosures(seeded) == 0

    # The sign-in form: a 60,000-character name starts no session.
    token = form_token(client.get("/panels/sign-in").text)
    signed = client.post("/panels/sign-in", headers={"Origin": ORIGIN}, data={
        "csrf_token": token, "user": "n" * 60_000, "token": seeded.tokens["police"]})
    assert signed.status_code == 422
    assert not list(seeded.hub.process_recorder.select_notifications(
        start=1, limit=10, topics=[get_topic(WebSession.Started)]))
    assert not any(s in answer.text + long_user.text + signed.text for s in SECRETS)


def test_the_openapi_document_declares_limits_security_and_answers(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["Override"]["properties"]["justification"]["maxLength"] == 4000
    assert schemas["CaseRef"]["properties"]["ref"]["maxLength"] == 100
    assert schemas["CaseViewRequest"]["properties"]["gateway_claims"]["maxItems"] == 50
    assert doc["components"]["securitySchemes"]["client token"] == {
        "type": "http", "scheme": "bearer",
        "description": "an API client token (`hub clients create` prints it once)"}
    case_view = doc["paths"]["/v1/case-views"]["post"]
    header = next(p for p in case_view["parameters"] if p["name"] == "x-hub-user")
    assert header["schema"]["anyOf"][0]["maxLength"] == 200
    assert {"200", "400", "401", "403", "404", "413", "422", "503"} <= set(
        case_view["responses"])
    assert case_view["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CaseViewAnswer"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            ok = next(c for c in operation["responses"] if c.startswith("2"))
            media = "text/plain" if path == "/metrics" else "application/json"
            assert operation["responses"][ok]["content"][media]["schema"], where
            if path not in {"/health", "/ready"}:  # probes by orchestrators carry no token
                assert operation.get("security") == [{"client token": []}], where
                assert "401" in operation["responses"], where


def test_forms_from_another_origin_or_without_the_token_change_nothing(
        client: TestClient, seeded: Hub) -> None:
    token = sign_in(client, seeded, "police-chair", "DI Chair")
    form = {"case_agency": "wcc-asb", "case_ref": "ASB-77", "reason": "Cross-site referral"}
    forged = [
        client.post("/panels/gmap/refer", data={**form, "csrf_token": token},
                    headers={"Origin": "https://evil.example"}, follow_redirects=False),
        client.post("/panels/gmap/refer", data={**form, "csrf_token": token},
                    headers={"Referer": "https://evil.example/page"}, follow_redirects=False),
        client.post("/panels/gmap/refer", data={**form, "csrf_token": token},
                    follow_redirects=False),  # neither Origin nor Referer
        client.post("/panels/gmap/refer", data=form, headers={"Origin": ORIGIN},
                    follow_redirects=False),  # no token
        client.post("/panels/gmap/refer", data={**form, "csrf_token": "guess"},
                    headers={"Origin": ORIGIN}, follow_redirects=False),
    ]
    assert [f.status_code for f in forged] == [403] * 5
    assert "not sent from the hub" in forged[0].text
    assert "expired" in forged[4].text
    assert client.get("/v1/panels/referrals", headers=seeded.headers("police-chair")).json() == []
    # The same form from the hub's own page goes through (Referer alone is enough).
    own = client.post("/panels/gmap/refer", data={**form, "csrf_token": token},
                      headers={"Referer": f"{ORIGIN}/panels/gmap/coordinate"},
                      follow_redirects=False)
    assert own.status_code == 303
    assert len(client.get("/v1/panels/referrals",
                          headers=seeded.headers("police-chair")).json()) == 1
    # Signing in is a form too: a login from another site is refused.
    client.cookies.clear()
    login = client.post("/panels/sign-in", data={"user": "x", "token": seeded.tokens["police"]},
                        headers={"Origin": ORIGIN}, follow_redirects=False)
    assert login.status_code == 403


def test_a_cookie_stops_working_at_sign_out(client: TestClient, seeded: Hub) -> None:
    token = sign_in(client, seeded, "police", "PC Member")
    copied = dict(client.cookies)
    assert client.get("/panels/actions", follow_redirects=False).status_code == 200
    out = client.post("/panels/sign-out", data={"csrf_token": token},
                      headers={"Origin": ORIGIN}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    client.cookies.update(copied)  # someone kept a copy of the cookie
    again = client.get("/panels/actions", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/panels/sign-in")


def test_security_headers_and_secure_cookies(client: TestClient, seeded: Hub) -> None:
    sign_in(client, seeded, "police", "PC Member")
    for path in ("/health", "/panels/", "/panels/actions", "/openapi.json"):
        answer = client.get(path)
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp, path
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["cache-control"] == "no-store", path
    assert "frame-ancestors 'none'" in client.get("/docs").headers["content-security-policy"]
    assert "cache-control" not in client.get("/panels/static/panels.css").headers
    refused = client.post("/v1/case-views", json=ASK, headers=seeded.headers("gp"))
    assert refused.headers["cache-control"] == "no-store"

    client.cookies.clear()
    cookie = client.get("/panels/sign-in").headers.get("set-cookie", "")
    assert "secure" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert session_options({})["https_only"] is True
    assert session_options({"HUB_ALLOW_HTTP_SESSIONS": "1"})["https_only"] is False


def test_a_meeting_date_out_of_range_is_refused_and_nothing_is_stored(
        client: TestClient, seeded: Hub) -> None:
    """A date at the edge of the calendar used to be stored and then break every panel page
    with a 500 (outside probe): it is refused before anything is saved."""
    token = sign_in(client, seeded, "police-chair", "DI Chair")
    for held_at in ("9999-12-31T23:59-05:00", "0001-01-01T00:00+05:00", "2099-01-01T10:00"):
        answer = client.post("/panels/gmap/meetings",
                             data={"held_at": held_at, "csrf_token": token},
                             headers={"Origin": ORIGIN}, follow_redirects=False)
        assert answer.status_code in (303, 422), answer.text
    api = client.post("/v1/panels/meetings", json={"panel_type": "gmap",
                                                   "held_at": "9999-12-31T23:59:00-05:00"},
                      headers=seeded.headers("police-chair"))
    assert api.status_code == 409 and "a year ago to five years ahead" in api.text
    assert client.get("/panels/").status_code == 200
    coordinate = client.get("/panels/gmap/coordinate")
    assert coordinate.status_code == 200
    assert "9999" not in coordinate.text and "2099" not in coordinate.text


def test_the_public_origin_is_the_only_origin_when_it_is_set() -> None:
    """Behind a proxy that passes the Host header through, a form "from" the attacker's host
    must not count as the hub's own (outside probe)."""
    from starlette.requests import Request

    from hub.web.security import own_origins

    request = Request({"type": "http", "scheme": "https", "server": ("evil.example", 443),
                       "path": "/", "headers": [(b"host", b"evil.example")]})
    assert own_origins(request, {}) == {"https://evil.example"}
    assert own_origins(request, {"HUB_PUBLIC_ORIGIN": "https://hub.example.org/"}) == {
        "https://hub.example.org"}
