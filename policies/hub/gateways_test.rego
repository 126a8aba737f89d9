package hub.gateways_test

import rego.v1

import data.hub.fixtures_test as fx
import data.hub.gateways

# The messages of the problems, for membership tests.
messages(ps) := {msg | some [_, msg] in ps}

test_complete_claim_is_accepted if {
	inp := fx.with_claims(fx.base, [fx.claim("cda_s115")])
	gateways.accepted == [{"gateway": "cda_s115", "priority": 4, "police_agreement": false, "categories": {"case", "identity"}}] with input as inp
	count(gateways.messages) == 0 with input as inp
	count(gateways.rejected) == 0 with input as inp
	gateways.named == ["cda_s115"] with input as inp
}

test_no_claims if {
	inp := json.remove(fx.base, ["gateway_claims"])
	count(gateways.accepted) == 0 with input as inp
	count(gateways.police_agreed) == 0 with input as inp
}

test_unknown_gateway if {
	inp := fx.with_claims(fx.base, [fx.claim("gut_feeling")])
	ps := gateways.problems with input as inp
	"gateway claim 0: unknown gateway gut_feeling" in messages(ps)
	gateways.definitions == [{}] with input as inp
	count(gateways.accepted) == 0 with input as inp
}

test_claim_without_gateway_is_unknown if {
	inp := fx.with_claims(fx.base, [json.remove(fx.claim("cda_s115"), ["gateway"])])
	ps := gateways.problems with input as inp
	"gateway claim 0: unknown gateway null" in messages(ps)
	count(gateways.accepted) == 0 with input as inp
}

# Consent is evidenced by consent records, never by a bare claim (seeds/002 L447, L2018-2026).
test_consent_is_not_a_claim if {
	inp := fx.with_claims(fx.base, [fx.claim("consent")])
	ps := gateways.problems with input as inp
	"gateway consent not accepted: consent is evidenced by a consent record, not a claim" in messages(ps)
}

# Every exemption but s35(1) is case by case: proportionate, third parties considered (seeds/002 L970).
test_case_by_case_fields_are_required if {
	c := json.remove(fx.claim("cda_s115"), ["proportionality", "third_parties_considered"])
	inp := fx.with_claims(fx.base, [c])
	msgs := gateways.messages with input as inp
	"gateway cda_s115 not accepted: missing proportionality" in msgs
	"gateway cda_s115 not accepted: missing third_parties_considered" in msgs
	gateways.rejected == {0} with input as inp
}

test_legal_obligation_needs_only_justification if {
	c := {"gateway": "legal_obligation", "justification": "court order 2026/123"}
	inp := fx.with_claims(fx.base, [c])
	count(gateways.accepted) == 1 with input as inp
}

# Crime and taxation needs a recorded prejudice test (seeds/002 L958-970).
test_prejudice_test_required if {
	c := json.patch(fx.claim("dpa_sch2_para2"), [{"op": "replace", "path": "/prejudice_test/causal_link", "value": ""}])
	inp := fx.with_claims(fx.base, [c])
	ps := gateways.problems with input as inp
	"gateway dpa_sch2_para2 not accepted: missing prejudice_test.causal_link" in messages(ps)
	count(gateways.accepted) == 0 with input as inp
	complete := fx.with_claims(fx.base, [fx.claim("dpa_sch2_para2")])
	count(gateways.accepted) == 1 with input as complete
}

# CDA 1998 s115: to a relevant authority only (seeds/002 L990).
test_s115_only_to_relevant_authority if {
	inp := fx.with_claims(fx.request("advance-idva", "idva", "safeguarding", [fx.summary]), [fx.claim("cda_s115")])
	ps := gateways.problems with input as inp
	"gateway cda_s115 not accepted: advance-idva is not a relevant authority" in messages(ps)
}

# The duty to inform Children's Services about a child in need (seeds/002 L447, L1194).
test_child_in_need_only_to_childrens_services if {
	inp := fx.with_claims(fx.base, [fx.claim("safeguarding_child_in_need")])
	ps := gateways.problems with input as inp
	"gateway safeguarding_child_in_need not accepted: recipient must be one of [\"childrens_services\"]" in messages(ps)
	childrens := fx.with_claims(fx.request("wcc-childrens", "safeguarding_lead", "safeguarding", [fx.summary]), [fx.claim("safeguarding_child_in_need")])
	count(gateways.accepted) == 1 with input as childrens
}

# DPA 1998 s35(2): in connection with legal proceedings (seeds/002 L966-970).
test_legal_proceedings_gateway_only_for_that_purpose if {
	inp := fx.with_claims(fx.base, [fx.claim("dpa_sch2_para5")])
	ps := gateways.problems with input as inp
	"gateway dpa_sch2_para5 not accepted: only for purposes [\"legal_proceedings\"]" in messages(ps)
}

test_unknown_sch1_condition if {
	c := object.union(fx.claim("cda_s115"), {"special_category_condition": "sch1_para99"})
	inp := fx.with_claims(fx.base, [c])
	ps := gateways.problems with input as inp
	"gateway cda_s115 not accepted: unknown Sch 1 condition sch1_para99" in messages(ps)
}

# Sch 1 para 6 needs a function conferred by an enactment: only MAPPA's duty to co-operate
# (CJA 2003 s325) is one here, so an ASB case officer cannot claim it.
test_the_statutory_purposes_condition_is_refused_for_other_purposes if {
	c := object.union(fx.claim("cda_s115"), {"special_category_condition": "sch1_para6"})
	inp := fx.with_claims(fx.base, [c])
	ps := gateways.problems with input as inp
	"gateway cda_s115 not accepted: Sch 1 condition sch1_para6 only for purposes [\"mappa\"]" in messages(ps)
}

test_a_condition_for_legal_claims_is_refused_for_other_purposes if {
	c := object.union(fx.claim("cda_s115"), {"special_category_condition": "sch1_para33"})
	inp := fx.with_claims(fx.base, [c])
	ps := gateways.problems with input as inp
	"gateway cda_s115 not accepted: Sch 1 condition sch1_para33 only for purposes [\"required_by_law\", \"legal_proceedings\"]" in messages(ps)
}

test_scoped_claim_applies_to_its_categories if {
	scoped := fx.with_claims(fx.base, [object.union(fx.claim("cda_s115"), {"categories": ["identity", "health"]})])
	gateways.accepted[0].categories == {"identity"} with input as scoped
	bs := gateways.bases with input as scoped
	bs.identity == {{"gateway": "cda_s115", "consent_id": null, "priority": 4}}
	bs.case == set()
	unscoped := fx.with_claims(fx.base, [fx.claim("cda_s115")])
	gateways.accepted[0].categories == {"case", "identity"} with input as unscoped
}

# Special category data (UK GDPR Art 9) only under a claim naming a DPA 2018 Sch 1 condition.
test_special_category_needs_condition if {
	record := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.summary, fx.victim_health])
	no_condition := object.union(fx.claim("cda_s115"), {"special_category_condition": null})
	inp := fx.with_claims(record, [no_condition])
	bs := gateways.bases with input as inp
	bs.health == set()
	bs.case == {{"gateway": "cda_s115", "consent_id": null, "priority": 4}}
	with_condition := fx.with_claims(record, [fx.claim("cda_s115")])
	bs2 := gateways.bases with input as with_condition
	count(bs2.health) == 1
}

# Criminal offence data (UK GDPR Art 10) likewise only under a claim naming a Sch 1 condition.
test_criminal_offence_needs_condition if {
	convictions := fx.person("party.2.convictions", "criminal_offence", "met-police", "mk1:p", "alleged_perpetrator")
	record := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.summary, convictions])
	no_condition := object.union(fx.claim("cda_s115"), {"special_category_condition": null})
	bs := gateways.bases with input as fx.with_claims(record, [no_condition])
	bs.criminal_offence == set()
	bs2 := gateways.bases with input as fx.with_claims(record, [fx.claim("cda_s115")])
	count(bs2.criminal_offence) == 1
}

# Police information in evidence only with police agreement (seeds/002 L1357).
test_police_agreement_flag if {
	agreed := object.union(fx.claim("cda_s115"), {"police_agreement": true})
	inp := fx.with_claims(fx.base, [agreed])
	gateways.police_agreed == {"case", "identity"} with input as inp
	plain := fx.with_claims(fx.base, [fx.claim("cda_s115")])
	count(gateways.police_agreed) == 0 with input as plain
}

test_police_agreement_must_be_boolean if {
	c := object.union(fx.claim("cda_s115"), {"police_agreement": "yes"})
	inp := fx.with_claims(fx.base, [c])
	"gateway cda_s115 not accepted: police_agreement must be true or false" in gateways.messages with input as inp
	count(gateways.police_agreed) == 0 with input as inp
}

test_each_accepted_claim_is_a_basis_for_its_categories if {
	lo := {"gateway": "legal_obligation", "justification": "court order 2026/77", "categories": ["identity"]}
	inp := fx.with_claims(fx.base, [fx.claim("cda_s115"), lo])
	bs := gateways.bases with input as inp
	bs.identity == {
		{"gateway": "cda_s115", "consent_id": null, "priority": 4},
		{"gateway": "legal_obligation", "consent_id": null, "priority": 1},
	}
	bs.case == {{"gateway": "cda_s115", "consent_id": null, "priority": 4}}
}
