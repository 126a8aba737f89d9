"""Council ASB case management: cases pushed as JSON by webhook to a receiver the connector runs.

Consent records (connectors/council_consents.py) come the same way, to ``/webhook/consents``.

The case management system POSTs one case (or a JSON array of cases) to ``/webhook`` with the
header ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the shared secret>``.
The receiver checks the HMAC (401 if wrong), maps and validates each case to ``case.opened``,
spools what is valid (202, with event ids) and answers 422 with row, field and reason for what
is not (also written to the agency's rejects file). A background sender drains the spool, so the
webhook answers at once even while the broker is away. ``run council-webhook --source
cases.json`` replays an export of the same JSON from a file. Mapping document:
docs/connectors/council-webhook.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors import council_consents
from connectors.publisher import SpoolSender
from connectors.runner import RejectsFile, spool_envelopes
from connectors.spool import Spool
from connectors.toolkit import (
    ConnectorSpec,
    Context,
    MappingError,
    Reject,
    envelope_for,
    location,
    lookup,
    map_one,
    normalise_code,
    party,
    read_json_records,
    required,
    subject_for,
    timestamp,
    version_of,
)
from domain.contract.envelope import Envelope

NAME = "council-webhook"
EVENT_TYPE = "case.opened"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY = 5 * 1024 * 1024

CASE_TYPES = {
    "noise": "noise", "harassment": "verbal_abuse_harassment",
    "verbal abuse": "verbal_abuse_harassment", "hate": "hate_related",
    "domestic abuse": "domestic_abuse", "violence": "physical_violence", "drugs": "drugs",
    "alcohol": "alcohol", "street drinking": "alcohol",
    "prostitution": "prostitution_kerb_crawling",
    "vehicles": "vehicle_nuisance", "animals": "pets_animals",
    "communal areas": "misuse_of_communal_areas", "vandalism": "vandalism",
    "graffiti": "vandalism", "fly-tipping": "litter_fly_tipping", "litter": "litter_fly_tipping",
    "gardens": "garden_nuisance", "criminal behaviour": "criminal_behaviour",
}
PRIORITIES = {"p1": "tier1_immediate", "p2": "tier2_priority", "excluded": "excluded"}
ROLES = {"victim": "victim", "complainant": "complainant", "witness": "witness",
         "perpetrator": "alleged_perpetrator", "alleged perpetrator": "alleged_perpetrator"}
FLAGS = {"domestic_abuse", "hate", "safeguarding", "youth"}


def sign_body(secret: bytes, body: bytes) -> str:
    """The header value the case management system sends: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _people(record: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
    people = record.get("people") or []
    if not isinstance(people, list):
        raise MappingError("people", "must be a list")
    parties = []
    for index, person in enumerate(people):
        where = f"people[{index}]"
        if not isinstance(person, dict):
            raise MappingError(where, "must be an object")
        role = ROLES.get(normalise_code(str(person.get("role", ""))))
        if role is None:
            raise MappingError(f"{where}.role", f"unknown role {person.get('role')!r}; known: "
                                                f"{', '.join(sorted(ROLES))}")
        try:
            found = party(ctx, person, role, "fullName", "dob",
                          anonymity_requested=bool(person.get("anonymous")) or None,
                          witness_type=person.get("witnessType") or None)
        except MappingError as exc:
            raise MappingError(f"{where}.{exc.field}", exc.reason) from None
        if found:
            parties.append(found)
    return parties


def to_envelope(record: dict[str, Any], ctx: Context) -> Envelope:
    if "_not_an_object" in record:
        raise MappingError("(case)", "each case must be a JSON object")
    ref = required(record, "caseId")
    version = version_of(record, "revision")
    category = lookup(CASE_TYPES, record, "type", "case type")
    parties = _people(record, ctx)
    place = record.get("location") or {}
    loc = location(ctx, place) if isinstance(place, dict) else None
    flags = {name: True for name in record.get("flags") or [] if name in FLAGS}
    unknown = [name for name in record.get("flags") or [] if name not in FLAGS]
    if unknown:
        raise MappingError("flags", f"unknown flag(s) {unknown}; known: {sorted(FLAGS)}")
    refs = record.get("linkedIncidents") or []
    if not all(isinstance(r, dict) and r.get("agency") and r.get("ref") for r in refs):
        raise MappingError("linkedIncidents", "each entry needs agency and ref")
    data: dict[str, Any] = {
        "record": {"ref": ref, "version": version},
        "opened_at": timestamp(record, "openedAt"),
        "category": category,
        "summary": str(record.get("description") or ""),
        "parties": parties,
        "incident_refs": [{"agency": str(r["agency"]), "ref": str(r["ref"])} for r in refs],
        "flags": {"domestic_abuse": category == "domestic_abuse",
                  "hate": category == "hate_related", **flags},
    }
    officer = record.get("officer")
    if isinstance(officer, dict) and officer.get("name"):
        data["lead_officer"] = str(officer["name"])
    if record.get("priority"):
        data["triage_tier"] = lookup(PRIORITIES, record, "priority", "priority")
    if loc:
        data["location"] = loc
    return envelope_for(ctx, EVENT_TYPE, ref, version, subject_for(ctx, parties, loc, ref), data)


SPEC = ConnectorSpec(NAME, read_json_records, to_envelope,
                     "council ASB case management (JSON by webhook)", ref_field="caseId")


class WebhookReceiver:
    """A small stdlib HTTP server: authenticate, map, validate, spool; a thread sends."""

    def __init__(self, *, host: str, port: int, secret: bytes, agency: str,
                 partnership_key: bytes, key: Ed25519PrivateKey, spool: Spool,
                 sender: SpoolSender | None, rejects: RejectsFile | None,
                 send_interval: float = 1.0) -> None:
        self.specs = {"/webhook": SPEC, "/webhook/consents": council_consents.SPEC}
        self.contexts = {path: Context(agency, partnership_key, spec.source_urn(agency))
                         for path, spec in self.specs.items()}
        self.secret, self.key, self.spool = secret, key, spool
        self.sender, self.rejects = sender, rejects
        self.send_interval = send_interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self.received = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:
                receiver.handle(self)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/webhook"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        spec = self.specs.get(request.path)
        if spec is None:
            return _reply(request, 404, {"error": "POST cases to /webhook, consent records "
                                                  "to /webhook/consents"})
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return _reply(request, 413, {"error": f"body over {MAX_BODY} bytes"})
        body = request.rfile.read(length)
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given, sign_body(self.secret, body)):
            return _reply(request, 401, {"error": f"missing or wrong {SIGNATURE_HEADER}"})
        try:
            doc = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _reply(request, 400, {"error": f"body is not JSON: {exc}"})
        records = doc if isinstance(doc, list) else [doc]
        results = [map_one(spec, self.contexts[request.path], row,
                           record if isinstance(record, dict) else {"_not_an_object": record},
                           source="webhook")
                   for row, record in enumerate(records, start=1)]
        with self._lock:
            spool_envelopes(results, spool=self.spool, key=self.key, rejects=self.rejects)
            self.received += len(results)
        self._wake.set()
        accepted = [r.id for r in results if isinstance(r, Envelope)]
        rejected = [{"row": r.row, "ref": r.ref, "field": r.field, "reason": r.reason}
                    for r in results if isinstance(r, Reject)]
        _reply(request, 422 if rejected else 202, {"accepted": accepted, "rejected": rejected})

    def _send_loop(self) -> None:
        assert self.sender is not None
        while not self._stop.is_set():
            self.sender.drain(stop=self._stop)
            self._wake.wait(self.send_interval)
            self._wake.clear()

    def start(self) -> WebhookReceiver:
        self._threads = [threading.Thread(target=self.server.serve_forever, daemon=True)]
        if self.sender is not None:
            self._threads.append(threading.Thread(target=self._send_loop, daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(10)


def _reply(request: BaseHTTPRequestHandler, status: int, doc: dict[str, Any]) -> None:
    body = json.dumps(doc).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)
