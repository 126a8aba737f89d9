"""The API's answers as typed models, so the OpenAPI document says what every route returns,
and the error answers each route may give (``responses=errors(...)``); and the case reference
every request names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub.api.limits import AgencyId, Ref

DESCRIPTIONS = {
    400: "the request names nobody: send the officer's name in X-Hub-User",
    401: "no API client token, or one that is unknown or revoked",
    403: "your role or agency may not do this (the answer says which is needed)",
    404: "nothing of that reference is available to you",
    409: "refused by the rules for the record in its current state (the answer gives the "
         "reason)",
    413: "the request body is over the size limit",
    501: "this hub cannot do that with its current store",
    503: "the audit store could not record the request, so nothing was released or changed",
}


VIEW_SHAPE = ("the released fields, nested by path: `case.party.1.name` is "
              "`view.case.party[1].name`; numbered parts are arrays, and a position withheld "
              "entirely is null, so positions keep matching the field paths in `withheld`")

class CaseRef(BaseModel):
    agency: AgencyId = Field(description="the lead agency that holds the case")
    ref: Ref = Field(description="the case reference at that agency")


class Problem(BaseModel):
    """Every refusal: a message a person can act on (or a reason code and a message)."""

    detail: str | dict[str, str]


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the refusals a route gives besides 422 (FastAPI adds it)."""
    return {code: {"model": Problem, "description": DESCRIPTIONS[code]} for code in codes}


AUTH = (400, 401)


class Health(BaseModel):
    status: str
    policy_engine: str
    bundle_revision: str


class CaseRefOut(BaseModel):
    agency: str
    ref: str


class WithheldField(BaseModel):
    field: str
    reason: str


class CaseViewAnswer(BaseModel):
    """The released fields of a case view; withheld fields are named with the reason."""

    disclosure_id: str
    decision_id: str
    bundle_revision: str
    agreement: str | None
    gateways: list[str]
    consent_ids: list[str]
    reasons: list[str]
    override: bool
    withheld: list[WithheldField]
    view: dict[str, Any] = Field(description=VIEW_SHAPE)


class NoView(BaseModel):
    """A case that does not exist and one of which nothing is released to you get this same
    answer; the refusal is recorded under ``disclosure_id`` (your DPO can see why)."""

    detail: str
    disclosure_id: str
    decision_id: str
    bundle_revision: str


class DisclosureRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    disclosure_id: str
    recorded_at: str
    requester: dict[str, str]
    recipient: str
    purpose: str
    record_kind: str
    record_ref: str
    subjects: list[str]
    decision_id: str
    allowed: bool
    released: list[str]
    withheld: dict[str, str]
    gateways: list[str]
    consent_ids: list[str]
    agreement: str | None
    reasons: list[str]
    bundle_revision: str
    engine: str


class DisclosureLogRow(DisclosureRow):
    requested_at: str | None = None
    requested: list[dict[str, Any]] = []
    released_categories: list[str] = []
    withheld_categories: list[str] = []
    suppliers: list[str] = []
    justification: str = ""
    necessity: str = ""
    special_category_condition: str | None = None
    referral: str | None = None
    override: dict[str, Any] | None = None
    redactions: list[dict[str, str]] = []
    recipient_detail: dict[str, str] | None = None
    legal_services_approval: dict[str, Any] | None = None
    override_review: dict[str, Any] | None = None
    subject_access_release: dict[str, Any] | None = None


class OverrideReviewOut(BaseModel):
    outcome: str
    note: str
    reviewer: dict[str, str]
    reviewed_at: str


class SubjectAccessEntry(BaseModel):
    disclosure_id: str
    date: str
    recipient: str
    purpose: str
    gateways: list[str]
    categories: list[str]
    suppliers: list[str]
    override: bool


class HeldBack(BaseModel):
    disclosure_id: str
    recorded_at: str
    gateways: list[str]


class SubjectAccessReport(BaseModel):
    subject: str
    disclosures: list[SubjectAccessEntry]
    held_back: list[HeldBack]
    held_back_reason: str
    consents: list[ConsentOut] = Field([], description="the person's consent and refusal "
                                                       "records, with their history")


class SubjectAccessReleaseOut(BaseModel):
    note: str
    released_by: dict[str, str]
    released_at: str


class ErasureOut(BaseModel):
    match_key: str
    reason: str
    requested_by: dict[str, str]
    erased_at: str
    keys_destroyed: int


class PartnerReportRow(BaseModel):
    partner: str
    requests: int
    released: int
    refused: int
    overrides: int
    purposes: list[str]
    gateways: list[str]
    categories: list[str]
    suppliers: list[str]
    disclosure_ids: list[str]


class AccessRow(BaseModel):
    access_id: str
    recorded_at: str
    user: str
    agency: str
    role: str
    action: str
    query: dict[str, str | None]
    result_count: int


class VerifyReportOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    checkpoints: int
    last_checkpoint_seq: int | None
    problems: list[dict[str, Any]]
    first_broken: dict[str, Any] | None
    seconds: float


class Checkpoint(BaseModel):
    seq: int
    hash: str
    signed_at: str
    public_key: str
    signature: str


class Notification(BaseModel):
    disclosure_id: str
    recorded_at: str
    recipient: str
    requester_agency: str | None
    purpose: str
    gateways: list[str]
    record_ref: str
    override: bool
    fields: list[str]
    categories: list[str]


# -- panels --------------------------------------------------------------------------------------

class PanelTypeOut(BaseModel):
    id: str
    name: str
    expansion: str
    about: str
    purpose: str
    chair: str
    chair_title: str
    members: list[str]
    data_categories: list[str]
    cadence: str
    max_cases: int | None
    min_cases: int | None
    referral_rule: str | None
    deadlines_working_days: dict[str, int]
    cite: str


class SharedFacts(BaseModel):
    """Facts about a case (prefilled from its events) as the policy released them to you;
    a recorded disclosure. Withheld facts are absent."""

    disclosure_id: str
    released: bool = Field(description="whether anything at all was released")
    facts: dict[str, Any]


class SuggestionOut(BaseModel):
    case: CaseRefOut
    facts: SharedFacts


class ReferralOut(BaseModel):
    referral_id: str
    panel_type: str
    case: CaseRefOut
    source: str
    referred_by: dict[str, str]
    referred_at: str
    status: str
    decision_reason: str | None
    meeting_id: str | None
    facts: SharedFacts | None = Field(
        None, description="only in answers meant to show the facts (referring, listing)")


class ActionOut(BaseModel):
    action_id: str
    case_agency: str
    case_ref: str
    owner: str
    description: str
    due: str
    status: str
    created_at: str
    created_by: dict[str, str]
    meeting_id: str | None = None
    meeting_held_at: str | None = None
    panel_type: str | None = None
    overdue: bool | None = None


class AgendaLine(BaseModel):
    case: CaseRefOut
    referral_id: str
    facts: SharedFacts | None = Field(
        None, description="on reading the agenda: the line's facts, a disclosure to you")


class PackRecord(BaseModel):
    agency: str
    user: str
    cases: list[str]
    disclosure_ids: list[str]
    at: str


class Minute(BaseModel):
    text: str
    by: dict[str, str]
    at: str


class PanelDecision(BaseModel):
    case: CaseRefOut
    text: str
    by: dict[str, str]
    at: str


class MeetingOut(BaseModel):
    meeting_id: str
    panel_type: str
    purpose: str
    held_at: str
    chair: str
    members: list[str]
    agenda: list[AgendaLine]
    packs: list[PackRecord]
    minutes: list[Minute]
    decisions: list[PanelDecision]
    actions: list[ActionOut]


class MeetingAgenda(MeetingOut):
    overdue_actions: list[ActionOut]


class PackEntryOut(BaseModel):
    case: CaseRefOut
    disclosure_id: str
    decision_id: str
    allowed: bool
    view: dict[str, Any] | None = None
    withheld: list[WithheldField] | None = None
    reasons: list[str] | None = None


class PackOut(BaseModel):
    meeting_id: str
    agency: str
    cases: list[PackEntryOut]


class PanelAccessRow(BaseModel):
    access_id: str
    at: str | None
    user: str
    agency: str
    role: str
    page: str
    panel_type: str | None
    meeting_id: str | None
    record_refs: list[str]
    allowed: bool
    reason: str


# -- consent -------------------------------------------------------------------------------------

class ConsentScopeOut(BaseModel):
    purposes: list[str] | None = Field(description="null on a refusal: every purpose")
    recipients: list[str]
    recipient_kinds: list[str]
    categories: list[str]
    explicit: bool


class ConsentStatus(BaseModel):
    status: str = Field(description="given, refused, withdrawn or expired")
    at: str
    reason: str


class ConsentOut(BaseModel):
    """A consent (or refusal) record: who answered, who collected it, how, when, for what,
    and its status over time."""

    consent_id: str
    receipt_id: str
    subject: str = Field(description="the person's match key")
    status: str = Field(description="given, refused, withdrawn or expired, as of now")
    refused: bool
    given_by: str
    collected_by: dict[str, str | None]
    method: str
    collected_at: str
    expires_at: str | None
    withdrawn_at: str | None
    scope: ConsentScopeOut
    history: list[ConsentStatus]


class ReceiptController(BaseModel):
    piiController: str
    onBehalf: bool
    contact: str


class ReceiptPurpose(BaseModel):
    purpose: str
    purposeCategory: list[str]
    consentType: str
    piiCategory: list[str]
    primaryPurpose: bool
    termination: str
    thirdPartyDisclosure: bool
    thirdPartyName: str


class ReceiptService(BaseModel):
    service: str
    purposes: list[ReceiptPurpose]


class ConsentReceipt(BaseModel):
    """Kantara Initiative Consent Receipt Specification v1.1.0 (docs/consent.md)."""

    version: str
    jurisdiction: str
    consentTimestamp: int
    collectionMethod: str
    consentReceiptID: str
    language: str
    piiPrincipalId: str
    piiControllers: list[ReceiptController]
    services: list[ReceiptService]
    sensitive: bool
    spiCat: list[str]


class WithdrawnConsent(BaseModel):
    consent_id: str
    subject: str
    withdrawn_at: str | None
    reason: str
    recorded_by: str


class WithdrawnConsentDisclosure(DisclosureLogRow):
    """A release that relied on a consent since withdrawn: tell its recipient."""

    withdrawn_consents: list[WithdrawnConsent]


class StatisticsAnswer(BaseModel):
    """Depersonalised counts (CDA 1998 s17A): small numbers shown as "<N", never a person."""

    disclosure_id: str
    decision_id: str
    bundle_revision: str
    group_by: str
    since: str | None
    until: str | None
    suppressed_below: int
    counts: dict[str, int | str]
    reasons: list[str]
