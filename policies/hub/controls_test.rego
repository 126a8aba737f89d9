package hub.controls_test

import rego.v1

import data.hub.controls
import data.hub.fixtures_test as fx

perpetrator_side := json.patch(fx.base, [{"op": "replace", "path": "/requester/acting_for", "value": "alleged_perpetrator"}])

test_complainant_never_named_to_perpetrator_side if {
	r1 := controls.bars with input as perpetrator_side
	"complainant identity is never released to someone acting for the alleged perpetrator (seeds/002 L1208, L261, L316)" in {msg | some [q, msg] in r1; q == "party.1.name"}
	r2 := controls.bars with input as perpetrator_side
	count({msg | some [q, msg] in r2; q == "case.summary"}) == 0
	base_bars := controls.bars with input as fx.base
	count({msg | some [q, msg] in base_bars; q == "party.1.name"}) == 0
}

test_anonymity_withheld_except_from_supplier if {
	anon := fx.flagged(fx.complainant_name, "anonymity_requested")
	inp := fx.request("met-police", "police_officer", "asb_case_management", [anon])
	r3 := controls.bars with input as inp
	"the person asked for anonymity: identity is withheld from every partner but the supplier (seeds/000 L433)" in {msg | some [q, msg] in r3; q == "party.1.name"}
	own := fx.request("wcc-asb", "case_officer", "asb_case_management", [anon])
	r4 := controls.bars with input as own
	count({msg | some [q, msg] in r4; q == "party.1.name"}) == 0
}

test_mediation_never_to_housing if {
	notes := fx.field("mediation.notes", "mediation", "wcc-asb")
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [notes])
	r5 := controls.bars with input as inp
	"mediation details are never shared with housing staff (seeds/002 L1453)" in {msg | some [q, msg] in r5; q == "mediation.notes"}
	asb := fx.request("wcc-asb", "case_officer", "asb_case_management", [notes])
	r6 := controls.bars with input as asb
	count({msg | some [q, msg] in r6; q == "mediation.notes"}) == 0
}

test_mediator_supplied_field_is_mediation if {
	controls.mediation(fx.field("party.0.phone", "contact", "mediation-service"))
	not controls.mediation(fx.summary)
}

test_housing_requester_on_behalf_is_housing_staff if {
	inp := object.union(fx.base, {"recipient": "wcc-asb"})
	controls.housing_staff with input as inp
	police := fx.request("met-police", "police_officer", "asb_case_management", [fx.summary])
	not controls.housing_staff with input as police
}

test_strict_police_information_in_evidence if {
	strict := object.union(fx.victim_name, {"confidentiality": "strict"})
	inp := fx.request("wcc-legal", "legal_officer", "legal_proceedings", [strict])
	r7 := controls.bars with input as inp
	"police information is supplied in strict confidence: use in evidence needs police agreement on an accepted gateway claim (seeds/002 L1357)" in {msg | some [q, msg] in r7; q == "party.0.name"}
	agreed := fx.with_claims(inp, [object.union(fx.claim("dpa_sch2_para5"), {"police_agreement": true})])
	r8 := controls.bars with input as agreed
	count({msg | some [q, msg] in r8; q == "party.0.name"}) == 0
	police := fx.request("met-police", "police_officer", "legal_proceedings", [strict])
	r9 := controls.bars with input as police
	count({msg | some [q, msg] in r9; q == "party.0.name"}) == 0
}

test_special_category_needs_basis if {
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.victim_health])
	r10 := controls.needs with input as inp
	"special category data (health) needs a gateway with a DPA 2018 Sch 1 condition or explicit consent" in {msg | some [q, msg] in r10; q == "party.0.health"}
}

test_domestic_abuse_need_to_know if {
	da := fx.flagged(fx.summary, "domestic_abuse")
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [da])
	r11 := controls.needs with input as inp
	"domestic abuse records are need-to-know: only for MARAC or safeguarding, otherwise under a gateway (seeds/002 L1976, L447)" in {msg | some [q, msg] in r11; q == "case.summary"}
	marac := fx.request("wcc-housing", "case_officer", "marac", [da])
	r12 := controls.needs with input as marac
	count({msg | some [q, msg] in r12; q == "case.summary"}) == 0
	controls.domestic_abuse(fx.field("da.risk", "domestic_abuse", "met-police"))
}

test_youth_records if {
	young := fx.flagged(fx.victim_name, "youth")
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [young])
	r13 := controls.needs with input as inp
	"youth records are restricted to GMAP, safeguarding and MARAC, otherwise under a gateway (seeds/002 L1038-1042)" in {msg | some [q, msg] in r13; q == "party.0.name"}
	gmap := fx.request("met-police", "police_officer", "gmap", [young])
	r14 := controls.needs with input as gmap
	count({msg | some [q, msg] in r14; q == "party.0.name"}) == 0
}

test_consent_only_recipients if {
	inp := fx.request("advance-idva", "idva", "marac", [fx.victim_name, fx.summary])
	r15 := controls.needs with input as inp
	"advance-idva receives personal data only with the person's consent (seeds/002 L1450, L2026)" in {msg | some [q, msg] in r15; q == "party.0.name"}
	r16 := controls.needs with input as inp
	count({msg | some [q, msg] in r16; q == "case.summary"}) == 0
}

test_refusal_needs_overriding_basis if {
	inp := fx.with_consents(fx.base, [{"id": "c-9", "subject": "mk1:v", "refused": true}])
	r17 := controls.needs with input as inp
	"the person refused consent: only a legal obligation or a child-in-need referral overrides it (seeds/002 L447, L1194)" in {msg | some [q, msg] in r17; q == "party.0.name"}
}

test_own_data if {
	inp := fx.request("wcc-asb", "case_officer", "asb_case_management", [fx.summary])
	"case.summary" in controls.own with input as inp
	not "case.summary" in controls.own with input as fx.base
}
