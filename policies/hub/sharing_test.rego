package hub.sharing_test

import rego.v1

import data.hub.fixtures_test as fx
import data.hub.sharing

test_agreement_releases_ordinary_fields if {
	d := sharing.decision with input as fx.base
	d.allowed
	d.agreement == "swp-isp"
	d.reasons == []
	d.fields["case.summary"] == {
		"allowed": true, "gateway": null, "consent_id": null,
		"reasons": ["shared with wcc-housing under agreement swp-isp (version 3.1) for purpose asb_case_management"],
	}
}

test_bundle_revision_is_reported if {
	sharing.decision.bundle_revision == "sha256:abc" with input as fx.base with data.hub.bundle.revision as "sha256:abc"
}

test_invalid_request_denies_everything if {
	inp := json.remove(fx.base, ["purpose"])
	d := sharing.decision with input as inp
	not d.allowed
	d.agreement == null
	"missing input: purpose" in d.reasons
	"nothing released: every field was withheld (default deny)" in d.reasons
	d.fields["case.summary"].reasons == ["missing input: purpose"]
}

test_invalid_field_is_withheld if {
	inp := json.patch(fx.base, [{"op": "add", "path": "/record/fields/-", "value": fx.field("x.y", "shoe_size", "wcc-asb")}])
	r1 := sharing.decision with input as inp
	r1.fields["x.y"].reasons == ["unknown data category shoe_size: withheld"]
	r2 := sharing.decision with input as inp
	r2.fields["case.summary"].allowed
}

test_bar_withholds_even_own_data if {
	inp := fx.request("wcc-asb", "case_officer", "asb_case_management", [fx.complainant_name])
	perp := json.patch(inp, [{"op": "replace", "path": "/requester/acting_for", "value": "alleged_perpetrator"}])
	r3 := sharing.decision with input as perp
	not r3.fields["party.1.name"].allowed
	r4 := sharing.decision with input as inp
	r4.fields["party.1.name"].reasons == ["own data returned to its supplier wcc-asb"]
}

test_no_agreement_shares_nothing if {
	inp := fx.request("gp-practice-x", "case_officer", "safeguarding", [fx.summary])
	d := sharing.decision with input as inp
	not d.allowed
	d.agreement == null
	"no active sharing agreement covers gp-practice-x for purpose safeguarding" in d.reasons
	d.fields["case.summary"].reasons == ["no active sharing agreement covers gp-practice-x for purpose safeguarding"]
}

test_category_outside_agreement if {
	inp := fx.request("lfb", "case_officer", "asb_case_management", [fx.victim_health])
	r5 := sharing.decision with input as inp
	r5.fields["party.0.health"].reasons == ["agreement swp-isp does not cover category health for lfb"]
}

test_special_category_with_gateway if {
	req := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.victim_health])
	inp := fx.with_claims(req, [fx.claim("cda_s115")])
	r6 := sharing.decision with input as inp
	f := r6.fields["party.0.health"]
	f.allowed
	f.gateway == "cda_s115"
	"lawful basis: gateway cda_s115 (Crime and Disorder Act 1998 s115: necessary or expedient, to a relevant authority only)" in f.reasons
}

test_special_category_without_basis if {
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.victim_health])
	r7 := sharing.decision with input as inp
	f := r7.fields["party.0.health"]
	not f.allowed
	f.reasons == ["special category data (health) needs a gateway with a DPA 2018 Sch 1 condition or explicit consent"]
}

test_consent_is_relied_on_and_named if {
	c := fx.consent_record("c-1", "mk1:v", ["marac"], ["health"], ["advance-idva", "wcc-housing"])
	inp := fx.with_consents(fx.request("wcc-housing", "panel_member", "marac", [fx.victim_health]), [c])
	r8 := sharing.decision with input as inp
	f := r8.fields["party.0.health"]
	f.allowed
	f.gateway == "consent"
	f.consent_id == "c-1"
	"lawful basis: consent record c-1" in f.reasons
}

test_lowest_consent_id_wins if {
	c1 := fx.consent_record("c-2", "mk1:v", ["asb_case_management"], ["identity"], ["wcc-housing"])
	c2 := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["identity"], ["wcc-housing"])
	inp := fx.with_consents(fx.base, [c1, c2])
	r9 := sharing.decision with input as inp
	r9.fields["party.0.name"].consent_id == "c-1"
}

test_legal_obligation_beats_consent if {
	c := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["identity"], ["wcc-housing"])
	lo := {"gateway": "legal_obligation", "justification": "court order 2026/77"}
	inp := fx.with_claims(fx.with_consents(fx.base, [c]), [lo])
	r10 := sharing.decision with input as inp
	f := r10.fields["party.0.name"]
	f.gateway == "legal_obligation"
	f.consent_id == null
}

test_withdrawn_consent_explains_denial if {
	c := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["health"], ["wcc-housing"])
	w := object.union(c, {"withdrawn_at": "2026-11-22T00:00:00Z"})
	inp := fx.with_consents(fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.victim_health]), [w])
	r11 := sharing.decision with input as inp
	f := r11.fields["party.0.health"]
	not f.allowed
	"consent c-1 was withdrawn at 2026-11-22T00:00:00Z" in f.reasons
}

test_refusal_overridden_only_by_child_in_need if {
	refusal := {"id": "c-9", "subject": "mk1:v", "refused": true}
	base := fx.request("wcc-childrens", "safeguarding_lead", "safeguarding", [fx.victim_name])
	refused := fx.with_consents(base, [refusal])
	r12 := sharing.decision with input as refused
	not r12.fields["party.0.name"].allowed
	s115 := fx.with_claims(refused, [fx.claim("cda_s115")])
	r13 := sharing.decision with input as s115
	not r13.fields["party.0.name"].allowed
	cin := fx.with_claims(refused, [fx.claim("safeguarding_child_in_need")])
	r14 := sharing.decision with input as cin
	r14.fields["party.0.name"].gateway == "safeguarding_child_in_need"
}

test_consent_only_recipient if {
	inp := fx.request("advance-idva", "idva", "marac", [fx.victim_name])
	r15 := sharing.decision with input as inp
	not r15.fields["party.0.name"].allowed
	c := fx.consent_record("c-3", "mk1:v", ["marac"], ["identity"], ["advance-idva"])
	with_c := fx.with_consents(inp, [c])
	r16 := sharing.decision with input as with_c
	r16.fields["party.0.name"].consent_id == "c-3"
	refused := fx.with_consents(inp, [object.union(c, {"id": "c-4", "refused": true}), c])
	r17 := sharing.decision with input as refused
	not r17.fields["party.0.name"].allowed
}

test_gateway_rejections_are_record_reasons if {
	bad := json.remove(fx.claim("cda_s115"), ["proportionality"])
	inp := fx.with_claims(fx.base, [bad])
	d := sharing.decision with input as inp
	"gateway cda_s115 not accepted: missing proportionality" in d.reasons
}
