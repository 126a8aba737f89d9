"""Decision-table cases drawn from the source documents, shared by the engine tests.

Each case is one request and what must hold for it: fields released, fields withheld (with a
substring of the reason), the gateway or consent relied on, and record-level reasons.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

NOW = "2026-11-23T10:00:00Z"
VICTIM, COMPLAINANT, WITNESS, PERP, CHILD = "mk1:v", "mk1:c", "mk1:w", "mk1:p", "mk1:y"
PANELS = {"marac", "gmap", "hccp", "asb_case_review"}


def fld(
    path: str,
    category: str,
    supplier: str,
    subject: str | None = None,
    role: str | None = None,
    *,
    strict: bool = False,
    **flags: bool,
) -> dict[str, Any]:
    return {
        "path": path,
        "category": category,
        "supplier": supplier,
        "subject": subject,
        "subject_role": role,
        "flags": {"domestic_abuse": False, "youth": False, "anonymity_requested": False, **flags},
        "confidentiality": "strict" if strict else "standard",
    }


# A domestic abuse / ASB case view as the hub's projections produce it.
F = {
    "summary": fld("case.summary", "case", "wcc-asb"),
    "risk": fld("case.risk_summary", "risk", "met-police", VICTIM, "victim", domestic_abuse=True),
    "da": fld("case.da_history", "domestic_abuse", "met-police", VICTIM, "victim"),
    "v_name": fld("victim.name", "identity", "met-police", VICTIM, "victim"),
    "v_addr": fld("victim.address", "address", "wcc-housing", VICTIM, "victim"),
    "v_health": fld("victim.health", "health", "nw-icb", VICTIM, "victim"),
    "v_eth": fld("victim.ethnicity", "ethnicity", "met-police", VICTIM, "victim"),
    "c_name": fld("complainant.name", "identity", "wcc-asb", COMPLAINANT, "complainant"),
    "c_anon": fld(
        "complainant2.name", "identity", "wcc-asb", "mk1:c2", "complainant",
        anonymity_requested=True,
    ),
    "w_phone": fld("witness.phone", "contact", "met-police", WITNESS, "witness"),
    "p_name": fld("perpetrator.name", "identity", "met-police", PERP, "alleged_perpetrator"),
    "p_conv": fld(
        "perpetrator.convictions", "criminal_offence", "met-police", PERP,
        "alleged_perpetrator", strict=True,
    ),
    "intel": fld("police.intelligence", "police_intelligence", "met-police", strict=True),
    "med": fld("mediation.outcome", "mediation", "mediation-service"),
    "y_name": fld("youth.name", "identity", "met-police", CHILD, "alleged_perpetrator", youth=True),
    "odd": fld("x.shoe_size", "shoe_size", "wcc-asb"),
    # special category and criminal offence data as the case view labels them (docs/domain.md)
    "v_mh": fld("party.0.health.mental_health", "health", "nw-icb", VICTIM, "victim"),
    "v_disab": fld("party.0.health.disability", "health", "wcc-adults", VICTIM, "victim"),
    "v_faith": fld("party.0.religion", "special_category", "met-police", VICTIM, "victim"),
    "v_orient": fld("party.0.sexual_orientation", "special_category", "met-police", VICTIM,
                    "victim"),
    "hate_race": fld("incident.0.hate_motivation.0", "ethnicity", "met-police", VICTIM,
                     "victim"),
    "hate_faith": fld("incident.0.hate_motivation.1", "special_category", "met-police",
                      VICTIM, "victim"),
    "p_prev": fld("party.2.previous_offences.0", "criminal_offence", "met-police", PERP,
                  "alleged_perpetrator"),
    "dash": fld("case.risk.dash_answers.q14", "risk", "wcc-housing", VICTIM, "victim",
                domestic_abuse=True),
    "h_child": fld("household.child.0.name", "identity", "wcc-housing", "mk1:y2", "victim",
                   youth=True),
    "sc_phone": fld("party.0.contact", "contact", "wcc-childrens", VICTIM, "victim"),
    "c_health": fld("party.0.health.mental_health", "health", "wcc-housing", VICTIM, "victim"),
    # the council housing officer's domestic abuse interview notes (seeds/002 L447, L1988-2026)
    "c_da": fld("case.da_interview", "domestic_abuse", "wcc-housing", VICTIM, "victim"),
    # Identity protection by person (docs/policies.md): every identifying field of the
    # complainant, free text about them, a home that is not identifying, an eviction date.
    "c_summary": fld("incident.0.summary", "incident", "wcc-asb", COMPLAINANT, "complainant"),
    "v_summary": fld("case.victim_summary", "case", "wcc-asb", VICTIM, "victim"),
    "c_dob": fld("complainant.date_of_birth", "identity", "wcc-asb", COMPLAINANT, "complainant"),
    "c_phone": fld("complainant.contact", "contact", "wcc-asb", COMPLAINANT, "complainant"),
    "c_addr": fld("case.location.address", "address", "wcc-asb", COMPLAINANT, "complainant"),
    "c_postcode": fld("case.location.postcode", "address", "wcc-asb", COMPLAINANT,
                      "complainant"),
    "ward": fld("case.location.ward", "case", "wcc-asb"),
    "anon_addr": fld("incident.1.location.address", "address", "wcc-asb", "mk1:c2",
                     "complainant", anonymity_requested=True),
    # A protected person's data beyond identity: what the perpetrator's side never gets.
    "c_mh": fld("party.1.health.0.note", "health", "wcc-asb", COMPLAINANT, "complainant"),
    "c_hate": fld("incident.0.hate_motivation.0", "health", "met-police", COMPLAINANT,
                  "complainant"),
    "c_dash": fld("case.risk.dash_answers.q2", "risk", "wcc-housing", COMPLAINANT,
                  "complainant", domestic_abuse=True),
    "c_da_text": fld("case.summary", "domestic_abuse", "wcc-housing", COMPLAINANT,
                     "complainant", domestic_abuse=True),
    "w_prev": fld("party.3.previous_offences.0.offence", "criminal_offence", "met-police",
                  WITNESS, "witness"),
    "anon_v_health": fld("party.4.health.0.note", "health", "wcc-asb", VICTIM, "victim",
                         anonymity_requested=True),
    "evict": fld("case.intervention.0.scheduled_for", "case", "wcc-asb",
                 enforcement_pending=True),
    "evicted": fld("case.intervention.1.scheduled_for", "case", "wcc-asb",
                   enforcement_pending=False),
}


def request(
    agency: str,
    role: str,
    purpose: str,
    fields: list[str],
    *,
    recipient: str | None = None,
    claims: list[dict[str, Any]] | None = None,
    consents: list[dict[str, Any]] | None = None,
    acting_for: str | None = None,
    panel: Any = "auto",
) -> dict[str, Any]:
    if panel == "auto":
        panel = {"type": purpose, "meeting_id": "m-2026-11"} if purpose in PANELS else None
    return {
        "now": NOW,
        "requester": {"user": "u.test", "agency": agency, "role": role, "acting_for": acting_for},
        "recipient": recipient or agency,
        "purpose": purpose,
        "panel": panel,
        "gateway_claims": claims or [],
        "consents": consents or [],
        "record": {
            "kind": "case_view",
            "id": "wcc-asb:ASB-2026-0042",
            "supplier": "wcc-asb",
            "fields": [copy.deepcopy(F[name]) for name in fields],
        },
    }


def claim(gateway: str, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "gateway": gateway,
        "justification": "high risk of serious harm to the victim (MARAC referral)",
        "proportionality": "only the fields the action plan needs",
        "third_parties_considered": "neighbours named in the log are not included",
        "prejudice_test": {
            "prejudice": "prevention of further assaults",
            "causal_link": "without the history police cannot assess the risk",
            "likelihood": "two assaults reported in the last month",
        },
        "special_category_condition": "sch1_para18",
        "police_agreement": False,
    }
    base.update(over)
    return base


def consent(
    cid: str,
    subject: str,
    purposes: list[str],
    categories: list[str],
    recipients: list[str],
    **over: Any,
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": cid,
        "subject": subject,
        "purposes": purposes,
        "categories": categories,
        "recipients": recipients,
        "collected_by": "h.jones",
        "collected_at": "2026-10-01T09:00:00Z",
        "method": "written",
        "expires_at": None,
        "withdrawn_at": None,
        "refused": False,
    }
    base.update(over)
    return base


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # where in the documents the rule comes from
    input: dict[str, Any]
    released: tuple[str, ...] = ()
    withheld: dict[str, str] = field(default_factory=dict)  # path -> reason substring
    gateway: dict[str, str | None] = field(default_factory=dict)
    consent_id: dict[str, str | None] = field(default_factory=dict)
    record_reason: str | None = None
    allowed: bool | None = None
    agreement: str | None = None


HOUSING_MARAC = ("wcc-housing", "panel_member", "marac")
PERP_SIDE: dict[str, Any] = {"acting_for": "alleged_perpetrator"}
ASB = ("wcc-asb", "case_officer", "asb_case_management")
HOUSING_ASB = ("wcc-housing", "case_officer", "asb_case_management")
P = {f: F[f]["path"] for f in F}
NEVER = "complainant identity is never released to someone acting for the alleged perpetrator"
NOTHING = "but redacted free text is released to someone acting for the alleged perpetrator"
L1728 = "not given to witnesses or complainants before it has taken place (seeds/002 L1728)"

CASES: list[Case] = [
    Case("marac housing member sees the DA risk summary", "002 L881-886, L1976",
         request(*HOUSING_MARAC, ["risk", "summary"]),
         released=(P["risk"], P["summary"]), agreement="swp-isp", allowed=True),
    Case("marac housing member: victim's health withheld without a gateway", "002 L970; Art 9",
         request(*HOUSING_MARAC, ["risk", "v_health"]),
         released=(P["risk"],), withheld={P["v_health"]: "special category data (health)"}),
    Case("marac housing member: health released under s115 with a Sch 1 para 18 condition",
         "002 L990; DPA 2018 Sch 1 para 18",
         request(*HOUSING_MARAC, ["v_health"], claims=[claim("cda_s115")]),
         released=(P["v_health"],), gateway={P["v_health"]: "cda_s115"}),
    Case("marac housing member: health released on explicit written consent", "002 L2018-2026",
         request(*HOUSING_MARAC, ["v_health"],
                 consents=[consent("c-1", VICTIM, ["marac"], ["health"], ["wcc-housing"])]),
         released=(P["v_health"],), gateway={P["v_health"]: "consent"},
         consent_id={P["v_health"]: "c-1"}),
    Case("marac: a verbal, non-explicit consent does not release health", "UK GDPR Art 9(2)(a)",
         request(*HOUSING_MARAC, ["v_health"], consents=[
             consent("c-1", VICTIM, ["marac"], ["health"], ["wcc-housing"], method="implied")]),
         withheld={P["v_health"]: "special category"}),
    Case("perpetrator-side housing officer never sees the complainant's name", "002 L1208",
         request("wcc-housing", "case_officer", "asb_case_management", ["c_name", "summary"],
                 **PERP_SIDE),
         released=(P["summary"],),
         withheld={P["c_name"]: "never released to someone acting for the alleged perpetrator"}),
    Case("perpetrator side: not even with a court order claim", "002 L1208, L316",
         request("wcc-housing", "case_officer", "asb_case_management", ["c_name"],
                 claims=[{"gateway": "legal_obligation", "justification": "order 2026/9"}],
                 **PERP_SIDE),
         withheld={P["c_name"]: "never released"}, allowed=False),
    Case("perpetrator side: witness contact details withheld", "002 L316",
         request("wcc-asb", "case_officer", "asb_case_management", ["w_phone"], **PERP_SIDE),
         withheld={P["w_phone"]: "witness identity is never released"}),
    Case("perpetrator side: the complainant's own agency still protects the name", "002 L1208",
         request("wcc-asb", "case_officer", "asb_case_management", ["c_name"], **PERP_SIDE),
         withheld={P["c_name"]: "never released"}),
    Case("perpetrator side: no part of the complainant's identity, home address included",
         "002 L1208, L261, L316",
         request(*HOUSING_ASB, ["c_name", "c_dob", "c_phone", "c_addr", "c_postcode", "ward",
                                "c_summary"], **PERP_SIDE),
         released=(P["ward"], P["c_summary"]),
         withheld={P["c_name"]: NEVER, P["c_dob"]: NEVER, P["c_phone"]: NEVER,
                   P["c_addr"]: NEVER, P["c_postcode"]: NEVER}),
    Case("perpetrator side: not the complainant's health, hate motivation, DASH or DA record "
         "either, even under a Sch 1 claim", "002 L1208, L261, L316",
         request(*HOUSING_ASB, ["c_mh", "c_hate", "c_dash", "c_da_text", "w_prev", "c_summary",
                                "ward"],
                 claims=[claim("cda_s115", special_category_condition="sch1_para10")],
                 **PERP_SIDE),
         released=(P["c_summary"], P["ward"]),
         withheld={P["c_mh"]: NOTHING, P["c_hate"]: NOTHING, P["c_dash"]: NOTHING,
                   P["c_da_text"]: NOTHING, P["w_prev"]: NOTHING}),
    Case("perpetrator side: anonymity asked by a victim withholds their health from the "
         "supplier too", "000 L433; 002 L1208",
         request(*ASB, ["anon_v_health", "v_health"],
                 claims=[claim("cda_s115", special_category_condition="sch1_para10")],
                 **PERP_SIDE),
         withheld={P["anon_v_health"]: "asked for anonymity: nothing about them"}),
    Case("anonymity covers the person's home address too", "000 L433",
         request("met-police", "police_officer", "asb_case_management", ["anon_addr", "ward"]),
         released=(P["ward"],), withheld={P["anon_addr"]: "asked for anonymity"}),
    Case("free text about the victim goes to the IDVA only with the victim's consent",
         "002 L1450, L2026",
         request("advance-idva", "idva", "marac", ["v_summary", "v_name"]),
         withheld={P["v_summary"]: "only with the person's consent",
                   P["v_name"]: "only with the person's consent"}, allowed=False),
    Case("free text about the victim goes to the IDVA with the victim's consent",
         "002 L2026",
         request("advance-idva", "idva", "marac", ["v_summary"], consents=[
             consent("c-idva", VICTIM, ["marac"], ["case"], ["advance-idva"])]),
         released=(P["v_summary"],), consent_id={P["v_summary"]: "c-idva"}),
    Case("free text about the complainant is withheld when the complainant refused consent",
         "002 L447",
         request(*HOUSING_ASB, ["c_summary", "ward"],
                 consents=[{"id": "c-no", "subject": COMPLAINANT, "refused": True}]),
         released=(P["ward"],), withheld={P["c_summary"]: "refused consent"}),
    Case("a scheduled eviction date is not given to a witness before the eviction", "002 L1728",
         request(*ASB, ["evict", "evicted", "ward"], acting_for="witness"),
         released=(P["evicted"], P["ward"]), withheld={P["evict"]: L1728}),
    Case("nor to a complainant, even with a court order claim", "002 L1728",
         request(*ASB, ["evict"], acting_for="complainant",
                 claims=[{"gateway": "legal_obligation", "justification": "order 2026/9"}]),
         withheld={P["evict"]: L1728}, allowed=False),
    Case("the tenant is told the eviction date", "002 L1728",
         request(*ASB, ["evict"], **PERP_SIDE), released=(P["evict"],)),
    Case("GP practice outside any agreement sees nothing", "002 L981",
         request("gp-practice-x", "case_officer", "safeguarding", ["summary", "v_name", "risk"]),
         withheld={P["summary"]: "no active sharing agreement covers gp-practice-x"},
         record_reason="no active sharing agreement covers gp-practice-x", allowed=False),
    Case("GP practice: a s115 claim does not make it a signatory", "002 L981, L990",
         request("gp-practice-x", "case_officer", "safeguarding", ["summary"],
                 claims=[claim("cda_s115")]),
         withheld={P["summary"]: "no active sharing agreement"},
         record_reason="gp-practice-x is not a relevant authority", allowed=False),
    Case("ICB signed for MARAC and safeguarding only: no ASB case management", "ISP signatory",
         request("nw-icb", "case_officer", "asb_case_management", ["summary"]),
         record_reason="agreement swp-isp does not cover purpose asb_case_management for nw-icb",
         allowed=False),
    Case("ICB at MARAC sees the risk summary", "003 L75, 002 L881",
         request("nw-icb", "panel_member", "marac", ["risk", "summary"]),
         released=(P["risk"], P["summary"])),
    Case("a withdrawn consent blocks the next request", "DOMAIN: consent can be withdrawn",
         request(*HOUSING_MARAC, ["v_health"], consents=[
             consent("c-1", VICTIM, ["marac"], ["health"], ["wcc-housing"],
                     withdrawn_at="2026-11-23T09:30:00Z")]),
         withheld={P["v_health"]: "consent c-1 was withdrawn"}),
    Case("a withdrawal dated later has not yet taken effect", "issue 4 item 3",
         request(*HOUSING_MARAC, ["v_health"], consents=[
             consent("c-1", VICTIM, ["marac"], ["health"], ["wcc-housing"],
                     withdrawn_at="2026-11-24T09:30:00Z")]),
         released=(P["v_health"],), consent_id={P["v_health"]: "c-1"}),
    Case("an expired consent does not count", "issue 4 item 3",
         request(*HOUSING_MARAC, ["v_health"], consents=[
             consent("c-1", VICTIM, ["marac"], ["health"], ["wcc-housing"],
                     expires_at="2026-11-01T00:00:00Z")]),
         withheld={P["v_health"]: "consent c-1 expired"}),
    Case("consent for another recipient does not count", "issue 4 item 3",
         request(*HOUSING_MARAC, ["v_health"], consents=[
             consent("c-1", VICTIM, ["marac"], ["health"], ["advance-idva"])]),
         withheld={P["v_health"]: "special category"}),
    Case("a child-in-need referral goes through without consent", "002 L447, L1194",
         request("wcc-housing", "case_officer", "safeguarding", ["y_name", "summary"],
                 recipient="wcc-childrens",
                 consents=[{"id": "c-r", "subject": CHILD, "refused": True}],
                 claims=[claim("safeguarding_child_in_need")]),
         released=(P["y_name"], P["summary"]),
         gateway={P["y_name"]: "safeguarding_child_in_need"}),
    Case("a refusal is not overridden by s115", "002 L447",
         request("wcc-housing", "case_officer", "safeguarding", ["y_name"],
                 recipient="wcc-childrens",
                 consents=[{"id": "c-r", "subject": CHILD, "refused": True}],
                 claims=[claim("cda_s115")]),
         withheld={P["y_name"]: "refused consent"}),
    Case("a refusal withholds even ordinary fields shared under the agreement", "002 L447",
         request("wcc-housing", "case_officer", "safeguarding", ["y_name"],
                 recipient="wcc-childrens",
                 consents=[{"id": "c-r", "subject": CHILD, "refused": True}]),
         withheld={P["y_name"]: "the subject refused consent (record c-r)"}),
    Case("child-in-need gateway only to Children's Services", "002 L447",
         request("wcc-housing", "case_officer", "asb_case_management", ["da"],
                 claims=[claim("safeguarding_child_in_need")]),
         withheld={P["da"]: "need-to-know"},
         record_reason="gateway safeguarding_child_in_need not accepted: recipient must be"),
    Case("a suspended agreement shares nothing", "issue 4 item 1",
         request("peabody-rp", "case_officer", "asb_case_management", ["summary"]),
         record_reason="agreement rp-dsa-peabody is suspended", allowed=False),
    Case("an agreement past its review date has lapsed", "issue 4 item 1",
         request("wcc-yot", "case_officer", "asb_case_management", ["summary"]),
         record_reason="agreement yot-protocol is lapsed", allowed=False),
    Case("an unsigned draft shares nothing", "issue 4 item 1",
         request("victim-support", "case_officer", "asb_case_management", ["summary"]),
         record_reason="agreement swp-isp-v4-draft is unsigned", allowed=False),
    Case("mediation details are never shared with housing staff", "002 L1453",
         request("wcc-housing", "case_officer", "asb_case_management", ["med", "summary"]),
         released=(P["summary"],), withheld={P["med"]: "never shared with housing staff"}),
    Case("mediation outcome may go to the council ASB team", "002 L1453 (housing only)",
         request("wcc-asb", "case_officer", "asb_case_management", ["med"]),
         released=(P["med"],)),
    Case("the mediation service gets its own notes back", "own data",
         request("mediation-service", "mediator", "asb_case_management", ["med"]),
         released=(P["med"],)),
    Case("the mediation service receives a party's name only with consent", "002 L1450",
         request("mediation-service", "mediator", "asb_case_management", ["p_name", "summary"]),
         withheld={P["p_name"]: "only with the person's consent",
                   P["summary"]: "the facts of a record about people go to mediation-service"},
         allowed=False),
    Case("with a party's consent the mediator is told the case's facts too", "002 L1450",
         request("mediation-service", "mediator", "asb_case_management", ["p_name", "summary"],
                 consents=[consent("c-med", PERP, ["asb_case_management"], ["identity"],
                                   ["mediation-service"])]),
         released=(P["p_name"], P["summary"]), consent_id={P["p_name"]: "c-med"}),
    Case("a consent refused by the person tells the IDVA nothing of the record", "002 L447",
         request("advance-idva", "idva", "marac", ["v_name", "summary", "ward"], consents=[
             consent("c-no", VICTIM, ["marac"], ["identity"], ["advance-idva"],
                     refused=True)]),
         withheld={P["v_name"]: "refused consent",
                   P["summary"]: "the facts of a record about people go to advance-idva",
                   P["ward"]: "the facts of a record about people go to advance-idva"},
         allowed=False),
    Case("with the data consent form the mediator receives the name", "002 L1450",
         request("mediation-service", "mediator", "asb_case_management", ["p_name"], consents=[
             consent("c-med", PERP, ["asb_case_management"], ["identity"],
                     ["mediation-service"])]),
         released=(P["p_name"],), consent_id={P["p_name"]: "c-med"}),
    Case("police information in evidence needs police agreement", "002 L1357",
         request("wcc-legal", "legal_officer", "legal_proceedings", ["p_conv", "summary"],
                 claims=[claim("dpa_sch2_para5")]),
         released=(P["summary"],), withheld={P["p_conv"]: "strict confidence"}),
    Case("with police agreement the convictions may be used in evidence", "002 L1357",
         request("wcc-legal", "legal_officer", "legal_proceedings", ["p_conv"],
                 claims=[claim("dpa_sch2_para5", police_agreement=True)]),
         released=(P["p_conv"],), gateway={P["p_conv"]: "dpa_sch2_para5"}),
    # -- special category data (UK GDPR Art 9) and criminal offence data (Art 10) ------------
    Case("mental health withheld from housing without a Sch 1 condition", "Art 9; DPA s10(2)",
         request("wcc-housing", "case_officer", "asb_case_management", ["v_mh", "summary"],
                 claims=[claim("cda_s115", special_category_condition=None)]),
         released=(P["summary"],),
         withheld={P["v_mh"]: "special category data (health)"}),
    Case("disability released for safeguarding under s115 with Sch 1 para 18",
         "DPA 2018 Sch 1 para 18",
         request("wcc-housing", "case_officer", "safeguarding", ["v_disab"],
                 claims=[claim("cda_s115")]),
         released=(P["v_disab"],), gateway={P["v_disab"]: "cda_s115"}),
    Case("hate incident: a race motivation (ethnicity) needs a Sch 1 condition", "002 L80; Art 9",
         request("wcc-asb", "case_officer", "asb_case_management", ["hate_race", "summary"]),
         released=(P["summary"],),
         withheld={P["hate_race"]: "special category data (ethnicity)"}),
    Case("hate incident: motivations released to prevent or detect crime (Sch 1 para 10)",
         "002 L80; DPA 2018 Sch 1 para 10",
         request("wcc-asb", "case_officer", "asb_case_management", ["hate_race", "hate_faith"],
                 claims=[claim("dpa_sch2_para2", special_category_condition="sch1_para10")]),
         released=(P["hate_race"], P["hate_faith"]),
         gateway={P["hate_race"]: "dpa_sch2_para2", P["hate_faith"]: "dpa_sch2_para2"}),
    Case("religion released on explicit written consent", "Art 9(2)(a)",
         request("wcc-asb", "case_officer", "asb_case_management", ["v_faith", "v_orient"],
                 consents=[consent("c-faith", VICTIM, ["asb_case_management"],
                                   ["special_category"], ["wcc-asb"])]),
         released=(P["v_faith"], P["v_orient"]), consent_id={P["v_faith"]: "c-faith"}),
    Case("sexual orientation: a consent that is not explicit does not release it", "Art 9(2)(a)",
         request("wcc-asb", "case_officer", "asb_case_management", ["v_orient"],
                 consents=[consent("c-o", VICTIM, ["asb_case_management"],
                                   ["special_category"], ["wcc-asb"], method="implied")]),
         withheld={P["v_orient"]: "special category data (special_category)"}),
    Case("sexual orientation outside the recipient's agreement categories", "002 L975-981",
         request("wcc-housing", "case_officer", "asb_case_management", ["v_orient"],
                 claims=[claim("cda_s115")]),
         withheld={P["v_orient"]: "does not cover category special_category"}),
    Case("previous offences withheld from housing without a Sch 1 condition",
         "Art 10; DPA 2018 s10(5)",
         request("wcc-housing", "case_officer", "asb_case_management", ["p_prev"],
                 claims=[claim("cda_s115", special_category_condition=None)]),
         withheld={P["p_prev"]: "criminal offence data (criminal_offence)"}),
    Case("previous offences released to prevent crime under Sch 1 para 10",
         "Art 10; DPA 2018 s10(5), Sch 1 para 10",
         request("wcc-housing", "case_officer", "asb_case_management", ["p_prev"],
                 claims=[claim("dpa_sch2_para2", special_category_condition="sch1_para10")]),
         released=(P["p_prev"],), gateway={P["p_prev"]: "dpa_sch2_para2"}),
    Case("previous offences released on the person's (not explicit) consent", "DPA Sch 1 para 29",
         request("wcc-housing", "case_officer", "asb_case_management", ["p_prev"],
                 consents=[consent("c-p", PERP, ["asb_case_management"], ["criminal_offence"],
                                   ["wcc-housing"], method="recorded_verbal", explicit=False)]),
         released=(P["p_prev"],), consent_id={P["p_prev"]: "c-p"}),
    Case("the police get their own offence data back", "own data",
         request("met-police", "police_officer", "asb_case_management", ["p_prev"]),
         released=(P["p_prev"],)),
    Case("DASH answers are domestic abuse risk: need-to-know outside MARAC", "002 L1976, L2022",
         request("wcc-asb", "case_officer", "asb_case_management", ["dash"]),
         withheld={P["dash"]: "need-to-know"}),
    Case("DASH answers go to the MARAC", "002 L2018-2026",
         request("met-police", "panel_member", "marac", ["dash"]),
         released=(P["dash"],)),
    Case("a child in the household is a youth record outside safeguarding", "002 L1038-1042",
         request("wcc-asb", "case_officer", "asb_case_management", ["h_child"]),
         withheld={P["h_child"]: "youth records"}),
    Case("a child in the household goes to Children's Services for safeguarding",
         "002 L1038-1042, L1194",
         request("wcc-housing", "case_officer", "safeguarding", ["h_child"],
                 recipient="wcc-childrens"),
         released=(P["h_child"],)),
    Case("police intelligence for case management stays within the ISP", "002 L1351-1357",
         request("wcc-housing", "case_officer", "asb_case_management", ["intel"]),
         released=(P["intel"],), gateway={P["intel"]: None}),
    Case("police use their own strict information in evidence", "own data",
         request("met-police", "police_officer", "legal_proceedings", ["p_conv"]),
         released=(P["p_conv"],)),
    Case("anonymity request honoured with the police", "000 L433",
         request("met-police", "police_officer", "asb_case_management", ["c_anon", "summary"]),
         released=(P["summary"],), withheld={P["c_anon"]: "asked for anonymity"}),
    Case("anonymity request: the supplier still sees its own record", "000 L433",
         request("wcc-asb", "case_officer", "asb_case_management", ["c_anon"]),
         released=(P["c_anon"],)),
    Case("domestic abuse history is need-to-know outside MARAC", "002 L1976",
         request("wcc-housing", "case_officer", "asb_case_management", ["da", "risk"]),
         withheld={P["da"]: "need-to-know", P["risk"]: "need-to-know"}, allowed=False),
    Case("domestic abuse history under a complete s115 claim", "002 L990",
         request("wcc-housing", "case_officer", "asb_case_management", ["da"],
                 claims=[claim("cda_s115")]),
         released=(P["da"],), gateway={P["da"]: "cda_s115"}),
    Case("a s115 claim without proportionality is not accepted", "002 L970",
         request("wcc-housing", "case_officer", "asb_case_management", ["da"],
                 claims=[claim("cda_s115", proportionality="")]),
         withheld={P["da"]: "need-to-know"},
         record_reason="gateway cda_s115 not accepted: missing proportionality"),
    Case("a s115 claim without third parties considered is not accepted", "002 L970",
         request("wcc-housing", "case_officer", "asb_case_management", ["da"],
                 claims=[claim("cda_s115", third_parties_considered=None)]),
         withheld={P["da"]: "need-to-know"},
         record_reason="missing third_parties_considered"),
    Case("crime exemption needs the prejudice test", "002 L958-970",
         request("wcc-housing", "case_officer", "asb_case_management", ["da"],
                 claims=[claim("dpa_sch2_para2", prejudice_test={"prejudice": "x"})]),
         withheld={P["da"]: "need-to-know"},
         record_reason="missing prejudice_test.causal_link"),
    Case("crime exemption with a recorded prejudice test", "002 L958-970",
         request("wcc-housing", "case_officer", "asb_case_management", ["da"],
                 claims=[claim("dpa_sch2_para2")]),
         released=(P["da"],), gateway={P["da"]: "dpa_sch2_para2"}),
    Case("a court order releases the DA history for case management", "002 L970",
         request("wcc-housing", "case_officer", "asb_case_management", ["da"],
                 claims=[{"gateway": "legal_obligation", "justification": "order 2026/77"}]),
         released=(P["da"],), gateway={P["da"]: "legal_obligation"}),
    Case("s115 only to a relevant authority: not to the IDVA service", "002 L990",
         request("advance-idva", "idva", "marac", ["v_name"], claims=[claim("cda_s115")]),
         withheld={P["v_name"]: "only with the person's consent"},
         record_reason="advance-idva is not a relevant authority"),
    Case("IDVA referral with the victim's agreement", "002 L2026",
         request("advance-idva", "idva", "marac", ["v_name", "risk"], consents=[
             consent("c-idva", VICTIM, ["marac"], ["identity", "risk"], ["advance-idva"])]),
         released=(P["v_name"], P["risk"]),
         consent_id={P["v_name"]: "c-idva", P["risk"]: "c-idva"}),
    Case("youth records are kept out of ASB case management", "002 L1038-1042",
         request("wcc-housing", "case_officer", "asb_case_management", ["y_name"]),
         withheld={P["y_name"]: "youth records are restricted"}),
    Case("youth records go to GMAP", "002 L890-893",
         request("met-police", "panel_member", "gmap", ["y_name"]),
         released=(P["y_name"],)),
    Case("fire brigade's agreement does not cover health", "ISP categories",
         request("lfb", "case_officer", "asb_case_management", ["v_health", "v_addr"]),
         released=(P["v_addr"],),
         withheld={P["v_health"]: "does not cover category health for lfb"}),
    Case("ethnicity is outside housing's categories even with a gateway", "ISP categories",
         request(*HOUSING_MARAC, ["v_eth"], claims=[claim("cda_s115")]),
         withheld={P["v_eth"]: "does not cover category ethnicity"}),
    Case("a claim scoped to identity does not lift health", "issue 4 item 2",
         request(*HOUSING_MARAC, ["v_health", "v_name"],
                 claims=[claim("cda_s115", categories=["identity"])]),
         released=(P["v_name"],), withheld={P["v_health"]: "special category"},
         gateway={P["v_name"]: "cda_s115"}),
    Case("MARAC data only for a MARAC panel", "DOMAIN Panels",
         request(*HOUSING_MARAC, ["risk"], panel=None),
         withheld={P["risk"]: "served only for a marac panel"}, allowed=False),
    Case("the DPO never sees case data", "002 L1976",
         request("wcc-asb", "dpo", "asb_case_management", ["summary"]),
         record_reason="role dpo may not request data", allowed=False),
    Case("an unknown partner sees nothing", "default deny",
         request("acme-ltd", "case_officer", "asb_case_management", ["summary"]),
         record_reason="acme-ltd is not a known partner agency", allowed=False),
    Case("an unknown data category is withheld, the rest released", "default deny",
         request("wcc-housing", "case_officer", "asb_case_management", ["odd", "summary"]),
         released=(P["summary"],), withheld={P["odd"]: "unknown data category"}),
    Case("legal obligation outranks consent as the basis relied on", "002 L970",
         request("wcc-housing", "case_officer", "asb_case_management", ["v_name"],
                 claims=[{"gateway": "legal_obligation", "justification": "order 2026/77"}],
                 consents=[consent("c-1", VICTIM, ["asb_case_management"], ["identity"],
                                   ["wcc-housing"])]),
         released=(P["v_name"],), gateway={P["v_name"]: "legal_obligation"},
         consent_id={P["v_name"]: None}),
]


POLICE_SAFEGUARDING = ("met-police", "police_officer", "safeguarding")
L447 = "forwarded only with the person's consent or if required by law"

CASES += [
    Case("council DA interview notes to the police with no consent on record are withheld",
         "002 L447", request(*POLICE_SAFEGUARDING, ["c_da", "summary"]),
         released=(P["summary"],), withheld={P["c_da"]: L447}),
    Case("council DA interview notes: a s115 claim does not stand in for consent", "002 L447",
         request(*POLICE_SAFEGUARDING, ["c_da"], claims=[claim("cda_s115")]),
         withheld={P["c_da"]: L447}),
    Case("council DA interview notes go to the police with the victim's consent", "002 L447",
         request(*POLICE_SAFEGUARDING, ["c_da"], consents=[
             consent("c-da", VICTIM, ["safeguarding"], ["domestic_abuse"], ["met-police"])]),
         released=(P["c_da"],), gateway={P["c_da"]: "consent"}, consent_id={P["c_da"]: "c-da"}),
    Case("a consent may name its recipients by kind of agency", "issue 18 item 1",
         request(*POLICE_SAFEGUARDING, ["c_da"], consents=[
             consent("c-kind", VICTIM, ["safeguarding"], ["domestic_abuse"], [],
                     recipient_kinds=["police"])]),
         released=(P["c_da"],), consent_id={P["c_da"]: "c-kind"}),
    Case("council DA interview notes: a court order is a legal requirement", "002 L447, L970",
         request(*POLICE_SAFEGUARDING, ["c_da"],
                 claims=[{"gateway": "legal_obligation", "justification": "order 2026/91"}]),
         released=(P["c_da"],), gateway={P["c_da"]: "legal_obligation"}),
    Case("council DA interview notes: a child in need goes to Children's Services", "002 L447",
         request("wcc-housing", "case_officer", "safeguarding", ["c_da"],
                 recipient="wcc-childrens", claims=[claim("safeguarding_child_in_need")]),
         released=(P["c_da"],), gateway={P["c_da"]: "safeguarding_child_in_need"}),
    Case("council DA interview notes are discussed at MARAC", "002 L1999-2010",
         request("met-police", "panel_member", "marac", ["c_da"]), released=(P["c_da"],)),
    Case("a consent recorded as not explicit does not carry health", "UK GDPR Art 9(2)(a)",
         request(*HOUSING_MARAC, ["v_health"], consents=[
             consent("c-1", VICTIM, ["marac"], ["health"], ["wcc-housing"], explicit=False)]),
         withheld={P["v_health"]: "special category"}),
    Case("a refusal of consent withholds the DA notes even with a s115 claim", "002 L447",
         request(*POLICE_SAFEGUARDING, ["c_da"], claims=[claim("cda_s115")],
                 consents=[{"id": "c-no", "subject": VICTIM, "refused": True}]),
         withheld={P["c_da"]: "refused consent"}),
    Case("a refusal later withdrawn no longer blocks the consent given since", "issue 18 item 1",
         request(*POLICE_SAFEGUARDING, ["c_da"], consents=[
             {"id": "c-no", "subject": VICTIM, "refused": True,
              "withdrawn_at": "2026-11-01T00:00:00Z"},
             consent("c-yes", VICTIM, ["safeguarding"], ["domestic_abuse"], ["met-police"],
                     collected_at="2026-11-02T00:00:00Z")]),
         released=(P["c_da"],), consent_id={P["c_da"]: "c-yes"}),
    Case("a refusal withdrawn only later still blocks now", "issue 18 item 1",
         request(*POLICE_SAFEGUARDING, ["c_da"], consents=[
             {"id": "c-no", "subject": VICTIM, "refused": True,
              "withdrawn_at": "2026-12-01T00:00:00Z"},
             consent("c-yes", VICTIM, ["safeguarding"], ["domestic_abuse"], ["met-police"])]),
         withheld={P["c_da"]: "refused consent"}),
    Case("acting for a party role written any other way refuses the request", "002 L1208",
         request("wcc-housing", "case_officer", "asb_case_management", ["c_name", "summary"],
                 acting_for="alleged perpetrator"),
         withheld={P["c_name"]: "requester.acting_for must be one of"}, allowed=False),
    Case("a field whose role is not a known party role is withheld", "002 L1208",
         request("wcc-housing", "case_officer", "asb_case_management", ["summary"],
                 acting_for="alleged_perpetrator")
         | {"record": {"kind": "case_view", "id": "wcc-asb:ASB-2026-0042",
                       "supplier": "wcc-asb", "fields": [
                           F["summary"], {**F["c_name"], "subject_role": "Complainant"}]}},
         released=(P["summary"],), withheld={P["c_name"]: "subject_role must be one of"}),
    Case("a field whose confidentiality is not a known level is withheld", "002 L1357",
         request("wcc-legal", "legal_officer", "legal_proceedings", [])
         | {"record": {"kind": "case_view", "id": "wcc-asb:ASB-2026-0042",
                       "supplier": "wcc-asb", "fields": [
                           {**F["p_conv"], "confidentiality": "Strict"}]}},
         withheld={P["p_conv"]: "confidentiality must be one of"}),
    Case("a consent record that does not say whether it is a refusal refuses the request",
         "issue 18 item 6",
         request(*POLICE_SAFEGUARDING, ["c_da"], consents=[
             {k: v for k, v in consent("c-da", VICTIM, ["safeguarding"], ["domestic_abuse"],
                                       ["met-police"]).items() if k != "refused"}]),
         withheld={P["c_da"]: "consents[0].refused must be true or false"}, allowed=False),
    Case("a refusal naming an empty list of purposes refuses every purpose", "docs/consent.md",
         request("wcc-housing", "case_officer", "safeguarding", ["y_name"],
                 recipient="wcc-childrens",
                 consents=[{"id": "c-r", "subject": CHILD, "refused": True, "purposes": []}]),
         withheld={P["y_name"]: "refused consent"}),
    Case("a leap second is not a timestamp either engine accepts", "RFC 3339",
         request("met-police", "police_officer", "asb_case_management", ["summary"])
         | {"now": "2026-06-30T23:59:60Z"},
         withheld={P["summary"]: "now is not an RFC 3339 timestamp"}, allowed=False),
    Case("a consent not yet collected (dated later) does not count", "issue 18 item 1",
         request(*POLICE_SAFEGUARDING, ["c_da"], consents=[
             consent("c-later", VICTIM, ["safeguarding"], ["domestic_abuse"], ["met-police"],
                     collected_at="2026-11-24T09:00:00Z")]),
         withheld={P["c_da"]: L447}),
]


# A gang nominal's family as hub/views/family_view.py labels it: every field in the family
# category, supplied by the agency that recorded the tie, about the relative (seeds/002 L890).
SIBLING, CHILD_SIBLING = "mk1:sib", "mk1:ysib"
FAM = {
    "sib_rel": fld("family.0.relationship", "family", "met-police", SIBLING),
    "sib_name": fld("family.0.name", "family", "met-police", SIBLING),
    "child_name": fld("family.1.name", "family", "wcc-childrens", CHILD_SIBLING, youth=True),
    "anon_name": fld("family.2.name", "family", "met-police", "mk1:anon",
                     anonymity_requested=True),
    "wit_name": fld("family.3.name", "family", "met-police", WITNESS, "witness"),
}
FP = {f: FAM[f]["path"] for f in FAM}
NOT_FAMILY = "does not cover category family"


def family_request(agency: str, role: str, purpose: str, fields: list[str],
                   **over: Any) -> dict[str, Any]:
    found = request(agency, role, purpose, [], **over)
    found["record"] = {"kind": "family_view", "id": "wcc-asb:GANG-7:party.0",
                       "supplier": "wcc-asb", "fields": [copy.deepcopy(FAM[f]) for f in fields]}
    return found


GMAP_MEMBER = ("wcc-asb", "panel_member", "gmap")
CASES += [
    Case("GMAP: a member sees the nominal's siblings, a child sibling too", "002 L890, L1038",
         family_request(*GMAP_MEMBER, ["sib_rel", "sib_name", "child_name"]),
         released=(FP["sib_rel"], FP["sib_name"], FP["child_name"]), agreement="swp-isp",
         allowed=True),
    Case("GMAP: Children's Services at the panel see the family too", "002 L890",
         family_request("wcc-childrens", "panel_member", "gmap", ["sib_rel", "child_name"]),
         released=(FP["sib_rel"], FP["child_name"])),
    Case("family relationships are not shared for ASB case management", "002 L890, L956",
         family_request("wcc-asb", "case_officer", "asb_case_management",
                        ["sib_rel", "child_name"]),
         withheld={FP["sib_rel"]: NOT_FAMILY, FP["child_name"]: NOT_FAMILY}, allowed=False),
    Case("family relationships are not shared at HCCP", "002 L890; 001 L395-397",
         family_request("wcc-housing", "panel_member", "hccp", ["sib_rel"]),
         withheld={FP["sib_rel"]: NOT_FAMILY}, allowed=False),
    Case("family relationships are not shared for safeguarding", "002 L890",
         family_request("wcc-childrens", "safeguarding_lead", "safeguarding", ["sib_rel"]),
         withheld={FP["sib_rel"]: NOT_FAMILY}, allowed=False),
    Case("family relationships are not shared at MARAC", "002 L890",
         family_request("wcc-asb", "panel_member", "marac", ["sib_rel"]),
         withheld={FP["sib_rel"]: NOT_FAMILY}, allowed=False),
    Case("GMAP family: a case officer's role may not ask for GMAP", "002 L1976",
         family_request("wcc-asb", "case_officer", "gmap", ["sib_rel"]),
         withheld={FP["sib_rel"]: "may not request data for purpose gmap"},
         record_reason="role case_officer may not request data for purpose gmap",
         allowed=False),
    Case("GMAP family asked for under another panel is refused", "002 L890-893",
         family_request(*GMAP_MEMBER, ["sib_rel"], panel={"type": "hccp"}),
         record_reason="purpose gmap is served only for a gmap panel", allowed=False),
    Case("GMAP family: a member agency the protocol does not cover for GMAP gets nothing",
         "002 L981", family_request("wcc-housing", "panel_member", "gmap", ["sib_rel"]),
         withheld={FP["sib_rel"]: "does not cover purpose gmap"}, allowed=False),
    Case("GMAP family: a relative who asked for anonymity is left out", "000 L433",
         family_request(*GMAP_MEMBER, ["sib_rel", "anon_name"]),
         released=(FP["sib_rel"],), withheld={FP["anon_name"]: "asked for anonymity"}),
    Case("GMAP family: a witness relative is never named to the perpetrator's side",
         "002 L316", family_request(*GMAP_MEMBER, ["sib_rel", "wit_name"], **PERP_SIDE),
         released=(FP["sib_rel"],), withheld={FP["wit_name"]: "never released"}),
]


# A consent used for one decision and withdrawn before the next.
_C1 = consent("c-1", VICTIM, ["marac"], ["health"], ["wcc-housing"])
CONSENT_FLOW = (
    request(*HOUSING_MARAC, ["v_health"], consents=[_C1]),
    request(*HOUSING_MARAC, ["v_health"],
            consents=[{**_C1, "withdrawn_at": "2026-11-23T09:59:59Z"}]),
)


# Purposes and recipients (issue 12 part 2): MAPPA, support referrals, publicity, disclosure
# required by law to a named recipient outside the protocol, depersonalised statistics.
def outside(inp: dict[str, Any], recipient: str, **detail: str) -> dict[str, Any]:
    return inp | {"recipient": recipient, "recipient_detail": detail}


ORDER = {"gateway": "legal_obligation", "justification": "order WMC 2026/123 to produce records"}
APPROVED = claim("publicity_approved", necessity="deter further ASB on the estate",
                 legal_services_approval={"by": "j.legal", "at": "2026-11-20T10:00:00Z"})
COURT = {"name": "Westminster Magistrates' Court", "reference": "WMC 2026/123"}
COUNT = {"path": "counts.noise", "category": "statistics", "supplier": "partnership",
         "subject": None, "subject_role": None, "flags": {}, "confidentiality": "standard"}


def stats(agency: str, role: str, names: list[str]) -> dict[str, Any]:
    inp = request(agency, role, "statistics", names)
    inp["record"] = {**inp["record"], "kind": "statistics", "id": "statistics:2026",
                     "supplier": "partnership"}
    inp["record"]["fields"] = [COUNT, *inp["record"]["fields"]]
    return inp


def by_council(inp: dict[str, Any]) -> dict[str, Any]:
    """The fields as the council (ASB team) supplied them: what it may hand over itself."""
    for f in inp["record"]["fields"]:
        f["supplier"] = "wcc-asb"
    return inp


CASES += [
    Case("MAPPA: probation gets the council's case and address", "002 L895-898",
         request("probation", "offender_manager", "mappa", ["summary", "v_addr", "p_conv"]),
         released=(P["summary"], P["v_addr"], P["p_conv"]), agreement="swp-isp"),
    Case("MAPPA: the council's DA records are beyond its duty to cooperate", "002 L898",
         request("probation", "offender_manager", "mappa", ["c_da", "summary"]),
         released=(P["summary"],),
         withheld={P["c_da"]: "cooperates with MAPPA only as far as its statutory duties allow"}),
    Case("MAPPA: children's social care is the council too: its contact details stay", "002 L898",
         request("probation", "offender_manager", "mappa", ["summary", "sc_phone"]),
         released=(P["summary"],),
         withheld={P["sc_phone"]: "cooperates with MAPPA only as far as its statutory duties"}),
    Case("MAPPA: a mediator may not ask for it", "002 L895 (Responsible Authorities)",
         request("mediation-service", "mediator", "mappa", ["summary"]),
         record_reason="role mediator may not request data for purpose mappa", allowed=False),
    Case("support referral: the IDVA gets the housing interview with the victim's consent",
         "002 L438, L2026",
         request("wcc-housing", "case_officer", "support_referral", ["c_da"],
                 recipient="advance-idva", consents=[
                     consent("c-ref", VICTIM, ["support_referral"], ["domestic_abuse"],
                             ["advance-idva"])]),
         released=(P["c_da"],), gateway={P["c_da"]: "consent"}, consent_id={P["c_da"]: "c-ref"}),
    Case("support referral: without consent nothing about the person goes", "002 L1450, L2026",
         request("wcc-housing", "case_officer", "support_referral", ["c_da"],
                 recipient="advance-idva"),
         withheld={P["c_da"]: "only with the person's consent"}, allowed=False),
    Case("support referral: the referrer hands over only its own records", "002 L981",
         request("wcc-housing", "case_officer", "support_referral", ["v_name"],
                 recipient="advance-idva", consents=[
                     consent("c-ref", VICTIM, ["support_referral"], ["identity"],
                             ["advance-idva"])]),
         withheld={P["v_name"]: "met-police supplied it"}),
    Case("support referral only to a service that works on consent", "002 L1450",
         request("wcc-housing", "case_officer", "support_referral", ["summary"],
                 recipient="met-police"),
         record_reason="met-police is not one", allowed=False),
    Case("court order: the council's records go to the named court under para 5(1)",
         "002 L966, L970",
         outside(request("wcc-legal", "legal_officer", "required_by_law",
                         ["summary", "c_da", "p_conv"], claims=[ORDER]), "court", **COURT),
         released=(P["summary"], P["c_da"]),
         gateway={P["summary"]: "legal_obligation", P["c_da"]: "legal_obligation"},
         withheld={P["p_conv"]: "met-police supplied it"}),
    Case("court order: the council's health record goes to the court only under the legal "
         "claims condition", "002 L970; UK GDPR Art 9(2)(f)",
         outside(request("wcc-legal", "legal_officer", "required_by_law",
                         ["summary", "c_health"],
                         claims=[{**ORDER, "special_category_condition": "sch1_para33"}]),
                 "court", **COURT),
         released=(P["summary"], P["c_health"]),
         gateway={P["summary"]: "legal_obligation", P["c_health"]: "legal_obligation"}),
    Case("court order without a condition: the health record stays", "002 L970",
         outside(request("wcc-legal", "legal_officer", "required_by_law",
                         ["summary", "c_health"], claims=[ORDER]), "court", **COURT),
         released=(P["summary"],),
         withheld={P["c_health"]: "special category data (health)"}),
    Case("the legal claims condition carries nothing for case management", "002 L970",
         request("met-police", "police_officer", "asb_case_management", ["c_health"],
                 claims=[claim("cda_s115", special_category_condition="sch1_para33")]),
         withheld={P["c_health"]: "special category data (health)"},
         record_reason="only for purposes", allowed=False),
    Case("court order: a discretionary gateway is no basis outside the protocol", "002 L970",
         outside(request("wcc-legal", "legal_officer", "required_by_law", ["summary"],
                         claims=[claim("dpa_sch2_para5")]), "court", **COURT),
         withheld={P["summary"]: "outside the protocol: released only under"},
         record_reason="receives only under [\"legal_obligation\"]", allowed=False),
    Case("court order: the court must be named with the order reference", "002 L970",
         outside(request("wcc-legal", "legal_officer", "required_by_law", ["summary"],
                         claims=[ORDER]), "court", name="A court"),
         record_reason="missing input: recipient_detail.reference", allowed=False),
    Case("a court is no partner: nothing for case management", "002 L981",
         outside(request("wcc-legal", "legal_officer", "asb_case_management", ["summary"],
                         claims=[ORDER]), "court", **COURT),
         record_reason="court is outside the protocol: it receives only for purposes",
         allowed=False),
    Case("publicity: the perpetrator named with Legal Services approval", "002 L1040-1042",
         by_council(outside(request("wcc-asb", "communications_officer", "publicity",
                                    ["p_name", "summary"], claims=[APPROVED]),
                            "public", name="Press release: injunction granted")),
         released=(P["p_name"], P["summary"]), gateway={P["p_name"]: "publicity_approved"}),
    Case("publicity: refused without a recorded Legal Services approval", "002 L1042",
         by_council(outside(request("wcc-asb", "communications_officer", "publicity",
                                    ["p_name"], claims=[
                                        {**APPROVED, "legal_services_approval": None}]),
                            "public", name="Press release")),
         withheld={P["p_name"]: "released only under"},
         record_reason="missing legal_services_approval.by", allowed=False),
    Case("publicity: an approval dated after the request is no approval", "002 L1042",
         by_council(outside(request("wcc-asb", "communications_officer", "publicity",
                                    ["p_name"], claims=[{**APPROVED, "legal_services_approval": {
                                        "by": "j.legal", "at": "2026-11-30T10:00:00Z"}}]),
                            "public", name="Press release")),
         withheld={P["p_name"]: "released only under"},
         record_reason="legal_services_approval.at must be an RFC 3339 time", allowed=False),
    Case("publicity: a young person needs a recorded justification", "002 L1040",
         by_council(outside(request("wcc-asb", "communications_officer", "publicity",
                                    ["y_name", "p_name"], claims=[APPROVED]),
                            "public", name="Press release")),
         released=(P["p_name"],), withheld={P["y_name"]: "youth_justification"}),
    Case("publicity: a young person named only with the justification recorded", "002 L1040",
         by_council(outside(request("wcc-asb", "communications_officer", "publicity",
                                    ["y_name"], claims=[{**APPROVED, "youth_justification":
                                                         "reporting restrictions lifted"}]),
                            "public", name="Press release")),
         released=(P["y_name"],)),
    Case("publicity never names a victim or complainant", "002 L1034-1040",
         by_council(outside(request("wcc-asb", "communications_officer", "publicity",
                                    ["v_name", "c_name"], claims=[APPROVED]),
                            "public", name="Press release")),
         withheld={P["v_name"]: "never released to it", P["c_name"]: "never released to it"}),
    Case("publicity is the council's: not housing's", "002 L1042",
         outside(request("wcc-housing", "case_officer", "publicity", ["summary"],
                         claims=[APPROVED]), "public", name="Newsletter"),
         record_reason="may be requested only by an agency of kind", allowed=False),
    Case("statistics: counts go to a relevant authority under s17A", "002 L987-989",
         stats("met-police", "analyst", []), released=("counts.noise",), agreement=None),
    Case("statistics never carry a person", "002 L987-989",
         stats("met-police", "analyst", ["v_name", "summary"]), released=("counts.noise",),
         withheld={P["v_name"]: "depersonalised",
                   P["summary"]: "does not cover category case"}),
    Case("statistics only between relevant authorities", "002 L989",
         stats("advance-idva", "analyst", []),
         record_reason="advance-idva is not one", allowed=False),
    Case("statistics: a case view asked for them is refused whole (no record-level data)",
         "002 L987-989",
         request("met-police", "analyst", "statistics", ["summary", "v_name"]),
         withheld={P["summary"]: "never a case_view record", P["v_name"]: "never a case_view"},
         record_reason="only counts are released for it (GET /v1/statistics)", allowed=False),
]
