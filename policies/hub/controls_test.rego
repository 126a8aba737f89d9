package hub.controls_test

import rego.v1

import data.hub.controls
import data.hub.fixtures_test as fx

# bars and needs are multi-value rules keyed by kind id: regorus leaves them undefined when they
# have no values (OPA: {}), so a kind without a bar is tested with `not controls.bars[id]`.

perpetrator_side := json.patch(fx.base, [{"op": "replace", "path": "/requester/acting_for", "value": "alleged_perpetrator"}])

test_complainant_never_named_to_perpetrator_side if {
	controls.perpetrator_side with input as perpetrator_side
	bars := controls.bars with input as perpetrator_side
	bars["party.1.name"] == {"complainant identity is never released to someone acting for the alleged perpetrator (seeds/002 L1208, L261, L316)"}
	not bars["case.summary"]
	not bars["party.0.name"]
	not controls.perpetrator_side with input as fx.base
	not controls.bars["party.1.name"] with input as fx.base
}

test_witness_never_named_to_perpetrator_side if {
	witness := fx.person("party.2.address", "address", "wcc-asb", "mk1:w", "witness")
	req := fx.request("wcc-housing", "case_officer", "asb_case_management", [witness])
	inp := json.patch(req, [{"op": "replace", "path": "/requester/acting_for", "value": "alleged_perpetrator"}])
	"witness identity is never released to someone acting for the alleged perpetrator (seeds/002 L1208, L261, L316)" in controls.bars["party.2.address"] with input as inp
}

# Nothing about a complainant or witness but free text reaches the perpetrator's side: their health,
# risk and domestic abuse records neither (seeds/002 L1208, L261, L316).
test_protected_persons_data_withheld_from_perpetrator_side if {
	health := fx.person("party.1.health.0.note", "health", "wcc-asb", "mk1:c", "complainant")
	risk := fx.person("case.risk.summary", "risk", "wcc-housing", "mk1:c", "complainant")
	da := fx.person("case.summary", "domestic_abuse", "wcc-housing", "mk1:w", "witness")
	text := fx.person("incident.0.summary", "incident", "met-police", "mk1:c", "complainant")
	req := fx.request("wcc-housing", "case_officer", "asb_case_management", [health, risk, da, text, fx.victim_health])
	inp := acting_for(req, "alleged_perpetrator")
	controls.bars["party.1.health.0.note"] == {"nothing about a complainant but redacted free text is released to someone acting for the alleged perpetrator (seeds/002 L1208, L261, L316)"} with input as inp
	controls.bars["case.risk.summary"] with input as inp
	"nothing about a witness but redacted free text is released to someone acting for the alleged perpetrator (seeds/002 L1208, L261, L316)" in controls.bars["case.summary"] with input as inp
	not controls.bars["incident.0.summary"] with input as inp
	not controls.bars["party.0.health"] with input as inp
	not controls.bars["party.1.health.0.note"] with input as req
}

# Anonymity asked by anyone (a victim here) bars all but free text from the perpetrator's side,
# the supplier included (seeds/000 L433).
test_anonymous_persons_data_withheld_from_perpetrator_side if {
	anon := fx.flagged(fx.victim_health, "anonymity_requested")
	text := fx.flagged(fx.person("case.summary", "case", "wcc-asb", "mk1:v", "victim"), "anonymity_requested")
	req := fx.request("wcc-asb", "case_officer", "asb_case_management", [anon, text])
	inp := acting_for(req, "alleged_perpetrator")
	controls.bars["party.0.health"] == {"the person asked for anonymity: nothing about them but redacted free text is released to someone acting for the alleged perpetrator (seeds/000 L433, seeds/002 L1208)"} with input as inp
	not controls.bars["case.summary"] with input as inp
	not controls.bars["party.0.health"] with input as req
}

# Anonymity on request (seeds/000 L433).
test_anonymity_withheld_except_from_supplier if {
	anon := fx.flagged(fx.complainant_name, "anonymity_requested")
	inp := fx.request("met-police", "police_officer", "asb_case_management", [anon])
	"the person asked for anonymity: identity is withheld from every partner but the supplier (seeds/000 L433)" in controls.bars["party.1.name"] with input as inp
	own := fx.request("wcc-asb", "case_officer", "asb_case_management", [anon])
	not controls.bars["party.1.name"] with input as own
}

# A scheduled eviction date is not given to witnesses before it has taken place (seeds/002 L1728).
eviction := fx.field("case.intervention.0.scheduled_for", "case", "wcc-asb")

acting_for(inp, role) := json.patch(inp, [{"op": "replace", "path": "/requester/acting_for", "value": role}])

test_pending_enforcement_date_withheld_from_witness_side if {
	pending := fx.flagged(eviction, "enforcement_pending")
	req := fx.request("wcc-asb", "case_officer", "asb_case_management", [pending, fx.summary])
	some role in ["witness", "complainant"]
	inp := acting_for(req, role)
	controls.witness_side with input as inp
	controls.bars["case.intervention.0.scheduled_for"] == {"a scheduled enforcement date is not given to witnesses or complainants before it has taken place (seeds/002 L1728)"} with input as inp
	not controls.bars["case.summary"] with input as inp
}

test_enforcement_date_given_to_the_tenant_side_and_after_the_event if {
	pending := fx.flagged(eviction, "enforcement_pending")
	tenant := acting_for(fx.request("wcc-asb", "case_officer", "asb_case_management", [pending]), "alleged_perpetrator")
	not controls.witness_side with input as tenant
	not controls.bars["case.intervention.0.scheduled_for"] with input as tenant
	past := object.union(eviction, {"flags": object.union(eviction.flags, {"enforcement_pending": false})})
	after := acting_for(fx.request("wcc-asb", "case_officer", "asb_case_management", [past]), "witness")
	not controls.bars["case.intervention.0.scheduled_for"] with input as after
	unflagged := acting_for(fx.request("wcc-asb", "case_officer", "asb_case_management", [eviction]), "witness")
	not controls.bars["case.intervention.0.scheduled_for"] with input as unflagged
}

# "no specific details of the mediation will be shared with housing staff" (seeds/002 L1453).
test_mediation_never_to_housing if {
	notes := fx.field("mediation.notes", "mediation", "wcc-asb")
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [notes])
	"mediation details are never shared with housing staff (seeds/002 L1453)" in controls.bars["mediation.notes"] with input as inp
	asb := fx.request("wcc-asb", "case_officer", "asb_case_management", [notes])
	not controls.bars["mediation.notes"] with input as asb
}

test_mediator_supplied_field_is_mediation if {
	phone := fx.field("party.0.phone", "contact", "mediation-service")
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [phone, fx.summary])
	controls.bars["party.0.phone"] == {"mediation details are never shared with housing staff (seeds/002 L1453)"} with input as inp
	not controls.bars["case.summary"] with input as inp
	controls.mediators == {"mediation-service"}
}

test_housing_requester_on_behalf_is_housing_staff if {
	inp := object.union(fx.base, {"recipient": "wcc-asb"})
	controls.housing_staff with input as inp
	police := fx.request("met-police", "police_officer", "asb_case_management", [fx.summary])
	not controls.housing_staff with input as police
}

# Police information "in strict confidence"; in evidence only with police agreement (seeds/002 L1357).
test_strict_police_information_in_evidence if {
	strict := object.union(fx.victim_name, {"confidentiality": "strict"})
	inp := fx.request("wcc-legal", "legal_officer", "legal_proceedings", [strict])
	"police information is supplied in strict confidence: use in evidence needs police agreement on an accepted gateway claim (seeds/002 L1357)" in controls.bars["party.0.name"] with input as inp
	agreed := fx.with_claims(inp, [object.union(fx.claim("dpa_sch2_para5"), {"police_agreement": true})])
	not controls.bars["party.0.name"] with input as agreed
	police := fx.request("met-police", "police_officer", "legal_proceedings", [strict])
	not controls.bars["party.0.name"] with input as police
}

# UK GDPR Art 9: special category data needs a Sch 1 condition or explicit consent.
test_special_category_needs_basis if {
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.victim_health, fx.summary])
	controls.needs["party.0.health"] == {"special category data (health) needs a gateway with a DPA 2018 Sch 1 condition or explicit consent"} with input as inp
	not controls.needs["case.summary"] with input as inp
}

# UK GDPR Art 10, DPA 2018 s10(5): criminal offence data needs a Sch 1 condition or consent.
test_criminal_offence_needs_basis if {
	convictions := fx.person("party.2.convictions", "criminal_offence", "met-police", "mk1:p", "alleged_perpetrator")
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [convictions, fx.summary])
	controls.needs["party.2.convictions"] == {"criminal offence data (criminal_offence) needs a gateway with a DPA 2018 Sch 1 condition or the person's consent (UK GDPR Art 10; DPA 2018 s10(5))"} with input as inp
	not controls.needs["case.summary"] with input as inp
}

# MAPPA rests on a statutory duty (CJA 2003 s325): Sch 1 para 6 is its condition, for the
# offender whose risk is managed; the victim's health still needs its own condition or consent.
test_statutory_purpose_supplies_the_condition if {
	convictions := fx.person("party.2.convictions", "criminal_offence", "met-police", "mk1:p", "alleged_perpetrator")
	inp := fx.request("probation", "offender_manager", "mappa", [convictions, fx.victim_health])
	controls.statutory_condition == "sch1_para6" with input as inp
	not controls.needs["party.2.convictions"] with input as inp
	controls.needs["party.0.health"] == {"special category data (health) needs a gateway with a DPA 2018 Sch 1 condition or explicit consent"} with input as inp
	other := fx.request("probation", "offender_manager", "asb_case_management", [convictions])
	controls.statutory_condition == null with input as other
}

# Domestic abuse records are need-to-know (seeds/002 L1976, L447).
test_domestic_abuse_need_to_know if {
	msg := "domestic abuse records are need-to-know: only for MARAC or safeguarding, otherwise under a gateway (seeds/002 L1976, L447)"
	da := fx.flagged(fx.summary, "domestic_abuse")
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [da])
	msg in controls.needs["case.summary"] with input as inp
	marac := fx.request("wcc-housing", "case_officer", "marac", [da])
	not controls.needs["case.summary"] with input as marac
	risk := fx.field("da.risk", "domestic_abuse", "met-police")
	by_category := fx.request("wcc-housing", "case_officer", "asb_case_management", [risk])
	controls.needs["da.risk"] == {msg} with input as by_category
}

# Young people get extra care (seeds/002 L1038-1042).
test_youth_records if {
	young := fx.flagged(fx.victim_name, "youth")
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [young])
	"youth records are restricted to GMAP, safeguarding and MARAC, otherwise under a gateway (seeds/002 L1038-1042)" in controls.needs["party.0.name"] with input as inp
	gmap := fx.request("met-police", "police_officer", "gmap", [young])
	not controls.needs["party.0.name"] with input as gmap
}

# A flag counts unless it is false: a flag holding anything else restricts the field.
test_flag_that_is_not_false_counts if {
	young := object.union(fx.victim_name, {"flags": {"domestic_abuse": false, "youth": "yes", "anonymity_requested": null}})
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [young])
	"youth records are restricted to GMAP, safeguarding and MARAC, otherwise under a gateway (seeds/002 L1038-1042)" in controls.needs["party.0.name"] with input as inp
	"the person asked for anonymity: identity is withheld from every partner but the supplier (seeds/000 L433)" in controls.bars["party.0.name"] with input as inp
}

# Council domestic abuse information leaves only with consent or if required by law (seeds/002 L447).
test_council_domestic_abuse_is_consent_gated if {
	msg := "domestic abuse information from the council is forwarded only with the person's consent or if required by law; a child in need is the exception (seeds/002 L447)"
	council := fx.field("da.risk", "domestic_abuse", "wcc-asb")
	housing := fx.flagged(fx.field("case.note", "case", "wcc-housing"), "domestic_abuse")
	police := fx.field("da.log", "domestic_abuse", "met-police")
	inp := fx.request("wcc-housing", "case_officer", "safeguarding", [council, housing, police, fx.summary])
	controls.consent_gated == {"da.risk", "case.note"} with input as inp
	controls.needs["da.risk"] == {msg} with input as inp
	controls.needs["case.note"] == {msg} with input as inp
	not controls.needs["da.log"] with input as inp
	marac := fx.request("wcc-housing", "panel_member", "marac", [council, housing])
	count(controls.consent_gated) == 0 with input as marac
}

# Referrals to support services and mediators need the person's agreement (seeds/002 L1451, L2026).
test_consent_only_recipients if {
	inp := fx.request("advance-idva", "idva", "marac", [fx.victim_name, fx.summary])
	controls.consent_only == {"party.0.name", "case.summary"} with input as inp
	"advance-idva receives personal data only with the person's consent (seeds/002 L1451, L2026)" in controls.needs["party.0.name"] with input as inp
	"the facts of a record about people go to advance-idva only when one of them consented to it for this purpose (seeds/002 L1451, L2026)" in controls.needs["case.summary"] with input as inp
	controls.person_consented == false with input as inp
}

# The facts of a record about people (no subject of their own) go to a consent-only recipient
# once one of its people consented to it; a record about nobody is not held back.
test_consent_only_record_facts_follow_a_persons_consent if {
	given := fx.consent_record("c-i", "mk1:v", ["marac"], ["identity"], ["advance-idva"])
	inp := fx.with_consents(fx.request("advance-idva", "idva", "marac", [fx.victim_name, fx.summary]), [given])
	controls.person_consented with input as inp
	controls.consent_only == {"party.0.name"} with input as inp
	not controls.needs["case.summary"] with input as inp
	refusing := fx.with_consents(inp, [object.union(given, {"refused": true})])
	controls.person_consented == false with input as refusing
	"case.summary" in controls.consent_only with input as refusing
	nobody := fx.request("advance-idva", "idva", "marac", [fx.summary])
	count(controls.consent_only) == 0 with input as nobody
}

# A refusal withholds unless a legal obligation or child-in-need referral applies (seeds/002 L447, L1194).
test_refusal_needs_overriding_basis if {
	inp := fx.with_consents(fx.base, [{"id": "c-9", "subject": "mk1:v", "refused": true}])
	controls.refused == {"party.0.name"} with input as inp
	"the person refused consent: only a legal obligation or a child-in-need referral overrides it (seeds/002 L447, L1194)" in controls.needs["party.0.name"] with input as inp
	not controls.needs["party.1.name"] with input as inp
}

test_own_data if {
	inp := fx.request("wcc-asb", "case_officer", "asb_case_management", [fx.summary, fx.victim_name])
	controls.own == {"case.summary"} with input as inp
	count(controls.own) == 0 with input as fx.base
}

test_ordinary_request_has_no_bars_or_needs if {
	count({id | some id, _ in controls.bars}) == 0 with input as fx.base
	count({id | some id, _ in controls.needs}) == 0 with input as fx.base
}
