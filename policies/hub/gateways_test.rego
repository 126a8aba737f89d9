package hub.gateways_test

import rego.v1

import data.hub.fixtures_test as fx
import data.hub.gateways

test_complete_claim_is_accepted if {
	inp := fx.with_claims(fx.base, [fx.claim("cda_s115")])
	count(gateways.accepted) == 1 with input as inp
	count(gateways.messages) == 0 with input as inp
}

test_no_claims if {
	count(gateways.accepted) == 0 with input as json.remove(fx.base, ["gateway_claims"])
}

test_unknown_gateway if {
	inp := fx.with_claims(fx.base, [fx.claim("gut_feeling")])
	ps := gateways.problems with input as inp
	"gateway claim 0: unknown gateway gut_feeling" in {msg | some [_, msg] in ps}
	count(gateways.accepted) == 0 with input as inp
}

test_consent_is_not_a_claim if {
	inp := fx.with_claims(fx.base, [fx.claim("consent")])
	ps := gateways.problems with input as inp
	"gateway consent not accepted: consent is evidenced by a consent record, not a claim" in {msg | some [_, msg] in ps}
}

test_case_by_case_fields_are_required if {
	c := json.remove(fx.claim("cda_s115"), ["proportionality", "third_parties_considered"])
	ps := gateways.problems with input as fx.with_claims(fx.base, [c])
	msgs := {msg | some [_, msg] in ps}
	"gateway cda_s115 not accepted: missing proportionality" in msgs
	"gateway cda_s115 not accepted: missing third_parties_considered" in msgs
}

test_legal_obligation_needs_only_justification if {
	c := {"gateway": "legal_obligation", "justification": "court order 2026/123"}
	count(gateways.accepted) == 1 with input as fx.with_claims(fx.base, [c])
}

test_prejudice_test_required if {
	c := json.patch(fx.claim("dpa_sch2_para2"), [{"op": "replace", "path": "/prejudice_test/causal_link", "value": ""}])
	ps := gateways.problems with input as fx.with_claims(fx.base, [c])
	"gateway dpa_sch2_para2 not accepted: missing prejudice_test.causal_link" in {msg | some [_, msg] in ps}
}

test_s115_only_to_relevant_authority if {
	inp := fx.with_claims(fx.request("advance-idva", "idva", "safeguarding", [fx.summary]), [fx.claim("cda_s115")])
	ps := gateways.problems with input as inp
	"gateway cda_s115 not accepted: advance-idva is not a relevant authority" in {msg | some [_, msg] in ps}
}

test_child_in_need_only_to_childrens_services if {
	inp := fx.with_claims(fx.base, [fx.claim("safeguarding_child_in_need")])
	ps := gateways.problems with input as inp
	"gateway safeguarding_child_in_need not accepted: recipient must be one of [\"childrens_services\"]" in {msg | some [_, msg] in ps}
}

test_legal_proceedings_gateway_only_for_that_purpose if {
	inp := fx.with_claims(fx.base, [fx.claim("dpa_sch2_para5")])
	ps := gateways.problems with input as inp
	"gateway dpa_sch2_para5 not accepted: only for purposes [\"legal_proceedings\"]" in {msg | some [_, msg] in ps}
}

test_unknown_sch1_condition if {
	c := object.union(fx.claim("cda_s115"), {"special_category_condition": "sch1_para99"})
	ps := gateways.problems with input as fx.with_claims(fx.base, [c])
	"gateway cda_s115 not accepted: unknown Sch 1 condition sch1_para99" in {msg | some [_, msg] in ps}
}

test_scoped_claim_applies_to_its_categories if {
	c := object.union(fx.claim("cda_s115"), {"categories": ["identity"]})
	gateways.applies(c, fx.victim_name)
	not gateways.applies(c, fx.summary)
	gateways.applies(fx.claim("cda_s115"), fx.summary)
}

test_special_category_needs_condition if {
	record := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.summary, fx.victim_health])
	no_condition := object.union(fx.claim("cda_s115"), {"special_category_condition": null})
	inp := fx.with_claims(record, [no_condition])
	bs := gateways.bases with input as inp
	count(bs["party.0.health"]) == 0
	bs["case.summary"] == {{"gateway": "cda_s115", "consent_id": null, "priority": 4}}
	with_condition := fx.with_claims(record, [fx.claim("cda_s115")])
	bs2 := gateways.bases with input as with_condition
	count(bs2["party.0.health"]) == 1
}

test_police_agreement_flag if {
	agreed := object.union(fx.claim("cda_s115"), {"police_agreement": true})
	inp := fx.with_claims(fx.base, [agreed])
	"party.0.name" in gateways.police_agreed with input as inp
	plain := fx.with_claims(fx.base, [fx.claim("cda_s115")])
	count(gateways.police_agreed) == 0 with input as plain
}
