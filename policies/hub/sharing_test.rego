package hub.sharing_test

import rego.v1

import data.hub.fixtures_test as fx
import data.hub.sharing

under_agreement := "shared with wcc-housing under agreement swp-isp (version 3.1) for purpose asb_case_management"

default_deny := "nothing released: every field was withheld (default deny)"

test_agreement_releases_ordinary_fields if {
	d := sharing.decision with input as fx.base
	d.allowed
	d.agreement == "swp-isp"
	d.reasons == []
	d.field_kinds["case.summary"] == {"allowed": true, "gateway": null, "consent_id": null, "reasons": [under_agreement]}
	object.keys(d.field_kinds) == {"case.summary", "party.0.name", "party.1.name"}
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
	default_deny in d.reasons
	d.field_kinds["case.summary"].allowed == false
	"missing input: purpose" in d.field_kinds["case.summary"].reasons
}

test_invalid_field_is_withheld if {
	inp := fx.with_kind(fx.base, "x.y", fx.attributes(fx.field("x.y", "shoe_size", "wcc-asb")))
	d := sharing.decision with input as inp
	d.field_kinds["x.y"] == {"allowed": false, "gateway": null, "consent_id": null, "reasons": ["unknown data category shoe_size: withheld"]}
	d.field_kinds["case.summary"].allowed
}

# Complainants are not named to perpetrators (seeds/002 L1208), even from the supplier's own data.
test_bar_withholds_even_own_data if {
	inp := fx.request("wcc-asb", "case_officer", "asb_case_management", [fx.complainant_name])
	perp := json.patch(inp, [{"op": "replace", "path": "/requester/acting_for", "value": "alleged_perpetrator"}])
	d := sharing.decision with input as perp
	not d.field_kinds["party.1.name"].allowed
	not d.allowed
	own := sharing.decision with input as inp
	own.field_kinds["party.1.name"].reasons == ["own data returned to its supplier wcc-asb"]
}

# A suspended agreement shares nothing (seeds/000 L160), but a partner still gets its own data back.
test_own_data_without_an_agreement if {
	inp := fx.request("peabody-rp", "case_officer", "asb_case_management", [fx.field("case.note", "case", "peabody-rp"), fx.summary])
	d := sharing.decision with input as inp
	d.allowed
	d.agreement == null
	d.field_kinds["case.note"].reasons == ["own data returned to its supplier peabody-rp"]
	not d.field_kinds["case.summary"].allowed
}

# Sharing only with signatories, in accordance with the protocol (seeds/002 L981).
test_no_agreement_shares_nothing if {
	inp := fx.request("gp-practice-x", "case_officer", "safeguarding", [fx.summary])
	d := sharing.decision with input as inp
	not d.allowed
	d.agreement == null
	"no active sharing agreement covers gp-practice-x for purpose safeguarding" in d.reasons
	d.field_kinds["case.summary"].reasons == ["no active sharing agreement covers gp-practice-x for purpose safeguarding"]
}

test_category_outside_agreement if {
	inp := fx.request("lfb", "case_officer", "asb_case_management", [fx.victim_health])
	d := sharing.decision with input as inp
	d.field_kinds["party.0.health"].reasons == ["agreement swp-isp does not cover category health for lfb"]
}

test_special_category_with_gateway if {
	req := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.victim_health])
	inp := fx.with_claims(req, [fx.claim("cda_s115")])
	d := sharing.decision with input as inp
	f := d.field_kinds["party.0.health"]
	f.allowed
	f.gateway == "cda_s115"
	"lawful basis: gateway cda_s115 (Crime and Disorder Act 1998 s115: necessary or expedient, to a relevant authority only)" in f.reasons
}

test_special_category_without_basis if {
	inp := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.victim_health])
	d := sharing.decision with input as inp
	f := d.field_kinds["party.0.health"]
	not f.allowed
	f.reasons == ["special category data (health) needs a gateway with a DPA 2018 Sch 1 condition or explicit consent"]
}

test_consent_is_relied_on_and_named if {
	c := fx.consent_record("c-1", "mk1:v", ["marac"], ["health"], ["advance-idva", "wcc-housing"])
	inp := fx.with_consents(fx.request("wcc-housing", "panel_member", "marac", [fx.victim_health]), [c])
	d := sharing.decision with input as inp
	f := d.field_kinds["party.0.health"]
	f.allowed
	f.gateway == "consent"
	f.consent_id == "c-1"
	"lawful basis: consent record c-1" in f.reasons
}

test_lowest_consent_id_wins if {
	c1 := fx.consent_record("c-2", "mk1:v", ["asb_case_management"], ["identity"], ["wcc-housing"])
	c2 := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["identity"], ["wcc-housing"])
	inp := fx.with_consents(fx.base, [c1, c2])
	d := sharing.decision with input as inp
	d.field_kinds["party.0.name"].consent_id == "c-1"
}

test_legal_obligation_beats_consent if {
	c := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["identity"], ["wcc-housing"])
	lo := {"gateway": "legal_obligation", "justification": "court order 2026/77"}
	inp := fx.with_claims(fx.with_consents(fx.base, [c]), [lo])
	d := sharing.decision with input as inp
	f := d.field_kinds["party.0.name"]
	f.gateway == "legal_obligation"
	f.consent_id == null
}

# A withdrawal takes effect for every decision after it, and the field says why.
test_withdrawn_consent_explains_denial if {
	c := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["health"], ["wcc-housing"])
	w := object.union(c, {"withdrawn_at": "2026-11-22T00:00:00Z"})
	inp := fx.with_consents(fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.victim_health]), [w])
	d := sharing.decision with input as inp
	f := d.field_kinds["party.0.health"]
	not f.allowed
	"consent c-1 was withdrawn at 2026-11-22T00:00:00Z" in f.reasons
}

# A refusal is overridden only by a child-in-need referral or a legal obligation
# (seeds/002 L447, L1194, L1988-2026).
test_refusal_overridden_only_by_child_in_need if {
	refusal := {"id": "c-9", "subject": "mk1:v", "refused": true}
	base := fx.request("wcc-childrens", "safeguarding_lead", "safeguarding", [fx.victim_name])
	refused := fx.with_consents(base, [refusal])
	r1 := sharing.decision with input as refused
	not r1.field_kinds["party.0.name"].allowed
	s115 := fx.with_claims(refused, [fx.claim("cda_s115")])
	r2 := sharing.decision with input as s115
	not r2.field_kinds["party.0.name"].allowed
	cin := fx.with_claims(refused, [fx.claim("safeguarding_child_in_need")])
	r3 := sharing.decision with input as cin
	r3.field_kinds["party.0.name"].gateway == "safeguarding_child_in_need"
}

# IDVA and mediators take personal data only with consent (seeds/002 L1451, L2026).
test_consent_only_recipient if {
	inp := fx.request("advance-idva", "idva", "marac", [fx.victim_name])
	r1 := sharing.decision with input as inp
	not r1.field_kinds["party.0.name"].allowed
	c := fx.consent_record("c-3", "mk1:v", ["marac"], ["identity"], ["advance-idva"])
	with_c := fx.with_consents(inp, [c])
	r2 := sharing.decision with input as with_c
	r2.field_kinds["party.0.name"].consent_id == "c-3"
	refused := fx.with_consents(inp, [object.union(c, {"id": "c-4", "refused": true}), c])
	r3 := sharing.decision with input as refused
	not r3.field_kinds["party.0.name"].allowed
	s115 := fx.with_claims(inp, [fx.claim("legal_obligation")])
	r4 := sharing.decision with input as s115
	r4.field_kinds["party.0.name"].gateway == "legal_obligation"
}

test_gateway_rejections_are_record_reasons if {
	bad := json.remove(fx.claim("cda_s115"), ["proportionality"])
	inp := fx.with_claims(fx.base, [bad])
	d := sharing.decision with input as inp
	"gateway cda_s115 not accepted: missing proportionality" in d.reasons
}

# -- malformed input: missing keys, nulls and wrong types -------------------------------------------
# Inputs that made the old bundle fail open (a refusal read as "no refusal", a claim accepted
# without its justification) or fail silently on OPA (a rule left undefined). Each now has one
# answer on the decision, the same on both engines.

health_request := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.summary, fx.victim_health])

special_need := "special category data (health) needs a gateway with a DPA 2018 Sch 1 condition or explicit consent"

refusal := {"id": "c-9", "subject": "mk1:v", "refused": true}

refusal_reasons := [
	"the person refused consent: only a legal obligation or a child-in-need referral overrides it (seeds/002 L447, L1194)",
	"the subject refused consent (record c-9)",
]

malformed := "malformed field: it must carry exactly category, supplier, subject, subject_role, flags, confidentiality, with flags an object: withheld"

withheld(reasons) := {"allowed": false, "gateway": null, "consent_id": null, "reasons": reasons}

shared := {"allowed": true, "gateway": null, "consent_id": null, "reasons": [under_agreement]}

s115_reasons := [
	"lawful basis: gateway cda_s115 (Crime and Disorder Act 1998 s115: necessary or expedient, to a relevant authority only)",
	under_agreement,
]

on_s115 := {"allowed": true, "gateway": "cda_s115", "consent_id": null, "reasons": s115_reasons}

# The health record with one claim (tests bind the result to a variable before `with input as`).
claimed(c) := fx.with_claims(health_request, [c])

# The base record with one kind added or replaced.
with_kind(id, attrs) := fx.with_kind(fx.base, id, attrs)

note := fx.attributes(fx.field("x.note", "case", "wcc-asb"))

# A refused request: every kind withheld with the record's reasons, nothing released.
refused_with(d, msg) if {
	d.allowed == false
	d.agreement == null
	d.reasons == [msg, default_deny]
	count(d.field_kinds) > 0
	every _, k in d.field_kinds {
		k == withheld([msg])
	}
}

# The base record decided normally apart from the kind under test.
others_decided(d, id) if {
	d.allowed
	d.reasons == []
	every other in {"case.summary", "party.0.name", "party.1.name"} - {id} {
		d.field_kinds[other] == shared
	}
}

# Consent refusals (seeds/002 L447): one that lists no purposes refuses every purpose.
test_refusal_without_purposes_refuses_every_purpose if {
	inp := fx.with_consents(fx.base, [refusal])
	d := sharing.decision with input as inp
	d.field_kinds["party.0.name"] == withheld(refusal_reasons)
	others_decided(d, "party.0.name")
	safeguarding := object.union(inp, {"purpose": "safeguarding"})
	d2 := sharing.decision with input as safeguarding
	d2.field_kinds["party.0.name"] == withheld(refusal_reasons)
	d2.field_kinds["party.1.name"].allowed
}

test_refusal_with_null_purposes_refuses_every_purpose if {
	inp := fx.with_consents(fx.base, [object.union(refusal, {"purposes": null})])
	d := sharing.decision with input as inp
	d.field_kinds["party.0.name"] == withheld(refusal_reasons)
	others_decided(d, "party.0.name")
}

test_refusal_with_purposes_not_a_list_refuses_the_request if {
	inp := fx.with_consents(fx.base, [object.union(refusal, {"purposes": "marac"})])
	d := sharing.decision with input as inp
	refused_with(d, "invalid input: consents[0].purposes must be a list")
}

test_consent_with_refused_not_a_boolean_refuses_the_request if {
	inp := fx.with_consents(fx.base, [object.union(refusal, {"refused": "yes"})])
	d := sharing.decision with input as inp
	refused_with(d, "invalid input: consents[0].refused must be true or false")
}

test_consent_with_explicit_not_a_boolean_refuses_the_request if {
	c := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["identity"], ["wcc-housing"])
	inp := fx.with_consents(fx.base, [object.union(c, {"explicit": "yes"})])
	d := sharing.decision with input as inp
	refused_with(d, "invalid input: consents[0].explicit must be true or false")
}

# Case by case gateways must record a justification (seeds/002 L970).
test_claim_without_justification_is_not_accepted if {
	inp := claimed(json.remove(fx.claim("cda_s115"), ["justification"]))
	d := sharing.decision with input as inp
	d.reasons == ["gateway cda_s115 not accepted: missing justification"]
	d.field_kinds["party.0.health"] == withheld([special_need])
	d.field_kinds["case.summary"] == shared
}

test_claim_with_null_justification_is_not_accepted if {
	inp := claimed(object.union(fx.claim("cda_s115"), {"justification": null}))
	d := sharing.decision with input as inp
	d.reasons == ["gateway cda_s115 not accepted: missing justification"]
	d.field_kinds["party.0.health"] == withheld([special_need])
}

test_claim_with_numeric_justification_is_not_accepted if {
	inp := claimed(object.union(fx.claim("cda_s115"), {"justification": 42}))
	d := sharing.decision with input as inp
	d.reasons == ["gateway cda_s115 not accepted: missing justification"]
	d.field_kinds["party.0.health"] == withheld([special_need])
}

# A claim without a categories scope covers every category; a scope that is not a list is
# rejected rather than read as covering everything.
test_claim_without_categories_covers_every_category if {
	inp := claimed(fx.claim("cda_s115"))
	d := sharing.decision with input as inp
	d.reasons == []
	d.field_kinds["party.0.health"] == on_s115
	d.field_kinds["case.summary"] == on_s115
}

test_claim_with_null_categories_covers_every_category if {
	inp := claimed(object.union(fx.claim("cda_s115"), {"categories": null}))
	d := sharing.decision with input as inp
	d.reasons == []
	d.field_kinds["party.0.health"] == on_s115
	d.field_kinds["case.summary"] == on_s115
}

test_claim_with_categories_not_a_list_is_not_accepted if {
	inp := claimed(object.union(fx.claim("cda_s115"), {"categories": "health"}))
	d := sharing.decision with input as inp
	d.reasons == ["gateway cda_s115 not accepted: categories must be a list of data categories"]
	d.field_kinds["party.0.health"] == withheld([special_need])
	d.field_kinds["case.summary"] == shared
}

test_claim_with_empty_categories_covers_nothing if {
	inp := claimed(object.union(fx.claim("cda_s115"), {"categories": []}))
	d := sharing.decision with input as inp
	d.reasons == []
	d.field_kinds["party.0.health"] == withheld([special_need])
	d.field_kinds["case.summary"] == shared
}

# Crime and taxation needs a recorded prejudice test (seeds/002 L958-970).
prejudice_missing := [
	"gateway dpa_sch2_para2 not accepted: missing prejudice_test.causal_link",
	"gateway dpa_sch2_para2 not accepted: missing prejudice_test.likelihood",
	"gateway dpa_sch2_para2 not accepted: missing prejudice_test.prejudice",
]

test_claim_without_prejudice_test_is_not_accepted if {
	inp := claimed(json.remove(fx.claim("dpa_sch2_para2"), ["prejudice_test"]))
	d := sharing.decision with input as inp
	d.reasons == prejudice_missing
	d.field_kinds["party.0.health"] == withheld([special_need])
	d.field_kinds["case.summary"] == shared
}

test_claim_with_null_prejudice_test_is_not_accepted if {
	inp := claimed(object.union(fx.claim("dpa_sch2_para2"), {"prejudice_test": null}))
	d := sharing.decision with input as inp
	d.reasons == prejudice_missing
	d.field_kinds["party.0.health"] == withheld([special_need])
}

test_claim_with_prejudice_test_not_an_object_is_not_accepted if {
	inp := claimed(object.union(fx.claim("dpa_sch2_para2"), {"prejudice_test": "obvious"}))
	d := sharing.decision with input as inp
	d.reasons == prejudice_missing
	d.field_kinds["party.0.health"] == withheld([special_need])
}

test_claim_with_complete_prejudice_test_is_relied_on if {
	inp := claimed(fx.claim("dpa_sch2_para2"))
	d := sharing.decision with input as inp
	d.reasons == []
	d.field_kinds["party.0.health"].gateway == "dpa_sch2_para2"
}

# Special category data (UK GDPR Art 9) only under a claim naming a DPA 2018 Sch 1 condition.
test_claim_without_sch1_condition_withholds_special_category if {
	inp := claimed(json.remove(fx.claim("cda_s115"), ["special_category_condition"]))
	d := sharing.decision with input as inp
	d.reasons == []
	d.field_kinds["party.0.health"] == withheld([special_need])
	d.field_kinds["case.summary"] == on_s115
}

test_claim_with_null_sch1_condition_withholds_special_category if {
	inp := claimed(object.union(fx.claim("cda_s115"), {"special_category_condition": null}))
	d := sharing.decision with input as inp
	d.field_kinds["party.0.health"] == withheld([special_need])
	d.field_kinds["case.summary"] == on_s115
}

test_claim_with_sch1_condition_not_a_string_is_not_accepted if {
	inp := claimed(object.union(fx.claim("cda_s115"), {"special_category_condition": 10}))
	d := sharing.decision with input as inp
	d.reasons == ["gateway cda_s115 not accepted: unknown Sch 1 condition 10"]
	d.field_kinds["party.0.health"] == withheld([special_need])
	d.field_kinds["case.summary"] == shared
}

test_claims_not_a_list_refuse_the_request if {
	inp := object.union(health_request, {"gateway_claims": fx.claim("cda_s115")})
	d := sharing.decision with input as inp
	refused_with(d, "invalid input: gateway_claims must be an array")
}

# A malformed field kind is withheld with its reason; the other kinds are decided as usual.
test_kind_missing_an_attribute_is_withheld if {
	inp := with_kind("x.note", json.remove(note, ["subject_role"]))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld([malformed])
	others_decided(d, "x.note")
}

test_kind_missing_its_supplier_is_withheld if {
	inp := with_kind("x.note", json.remove(note, ["supplier"]))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld(["field has no supplier: withheld", malformed])
	others_decided(d, "x.note")
}

test_kind_missing_its_category_is_withheld if {
	inp := with_kind("x.note", json.remove(note, ["category"]))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld([malformed])
	others_decided(d, "x.note")
}

test_kind_with_flags_not_an_object_is_withheld if {
	attrs := object.union(fx.attributes(fx.victim_name), {"flags": "anonymity_requested"})
	inp := with_kind("party.0.name", attrs)
	d := sharing.decision with input as inp
	d.field_kinds["party.0.name"] == withheld([malformed])
	others_decided(d, "party.0.name")
}

test_kind_with_null_flags_is_withheld if {
	inp := with_kind("x.note", object.union(note, {"flags": null}))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld([malformed])
	others_decided(d, "x.note")
}

test_kind_with_unknown_category_is_withheld if {
	inp := with_kind("x.note", object.union(note, {"category": "shoe_size"}))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld(["unknown data category shoe_size: withheld"])
	others_decided(d, "x.note")
}

test_kind_with_null_category_is_withheld if {
	inp := with_kind("x.note", object.union(note, {"category": null}))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld(["unknown data category null: withheld"])
	others_decided(d, "x.note")
}

test_kind_with_numeric_category_is_withheld if {
	inp := with_kind("x.note", object.union(note, {"category": 3}))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld(["unknown data category 3: withheld"])
	others_decided(d, "x.note")
}

test_kind_with_empty_supplier_is_withheld if {
	inp := with_kind("x.note", object.union(note, {"supplier": ""}))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld(["field has no supplier: withheld"])
	others_decided(d, "x.note")
}

test_kind_with_numeric_supplier_is_withheld if {
	inp := with_kind("x.note", object.union(note, {"supplier": 7}))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld(["field has no supplier: withheld"])
	others_decided(d, "x.note")
}

test_kind_with_null_supplier_is_withheld if {
	inp := with_kind("x.note", object.union(note, {"supplier": null}))
	d := sharing.decision with input as inp
	d.field_kinds["x.note"] == withheld(["field has no supplier: withheld"])
	others_decided(d, "x.note")
}

# A flag counts unless it is false: "yes" or null restricts the field rather than being ignored.
test_flag_that_is_not_a_boolean_counts_as_set if {
	flags := {"youth": "yes", "domestic_abuse": false, "anonymity_requested": false}
	inp := with_kind("party.0.name", object.union(fx.attributes(fx.victim_name), {"flags": flags}))
	d := sharing.decision with input as inp
	d.field_kinds["party.0.name"] == withheld(["youth records are restricted to GMAP, safeguarding and MARAC, otherwise under a gateway (seeds/002 L1038-1042)"])
	others_decided(d, "party.0.name")
}

test_null_flag_counts_as_set if {
	flags := {"youth": false, "domestic_abuse": null, "anonymity_requested": false}
	inp := with_kind("case.summary", object.union(fx.attributes(fx.summary), {"flags": flags}))
	d := sharing.decision with input as inp
	d.field_kinds["case.summary"] == withheld([council_domestic_abuse, "domestic abuse records are need-to-know: only for MARAC or safeguarding, otherwise under a gateway (seeds/002 L1976, L447)"])
	others_decided(d, "case.summary")
}

council_domestic_abuse := "domestic abuse information from the council is forwarded only with the person's consent or if required by law; a child in need is the exception (seeds/002 L447)"

# Without a usable now, no agreement, expiry or withdrawal can be judged: the request is refused.
test_missing_now_refuses_the_request if {
	inp := json.remove(fx.base, ["now"])
	d := sharing.decision with input as inp
	refused_with(d, "missing input: now")
}

test_malformed_now_refuses_the_request if {
	inp := object.union(fx.base, {"now": "23/11/2026"})
	d := sharing.decision with input as inp
	refused_with(d, "invalid input: now is not an RFC 3339 timestamp")
	date_only := object.union(fx.base, {"now": "2026-11-23"})
	d2 := sharing.decision with input as date_only
	refused_with(d2, "invalid input: now is not an RFC 3339 timestamp")
}

test_now_not_a_string_refuses_the_request if {
	inp := object.union(fx.base, {"now": 1795428000})
	d := sharing.decision with input as inp
	refused_with(d, "missing input: now")
}

# No field kinds: nothing to decide, and the request is refused with the reason.
field_kinds_missing := "missing input: record.field_kinds (an object of field kinds by id)"

test_missing_field_kinds_refuses_the_request if {
	inp := json.remove(fx.base, ["record/field_kinds"])
	d := sharing.decision with input as inp
	d == {"allowed": false, "agreement": null, "reasons": [field_kinds_missing, default_deny], "field_kinds": {}, "bundle_revision": d.bundle_revision}
}

test_field_kinds_not_an_object_refuse_the_request if {
	as_list := json.patch(fx.base, [{"op": "replace", "path": "/record/field_kinds", "value": [note]}])
	d1 := sharing.decision with input as as_list
	d1.reasons == [field_kinds_missing, default_deny]
	d1.field_kinds == {}
	not d1.allowed
	as_null := json.patch(fx.base, [{"op": "replace", "path": "/record/field_kinds", "value": null}])
	d2 := sharing.decision with input as as_null
	d2.reasons == [field_kinds_missing, default_deny]
	as_string := json.patch(fx.base, [{"op": "replace", "path": "/record/field_kinds", "value": "case.summary"}])
	d3 := sharing.decision with input as as_string
	d3.reasons == [field_kinds_missing, default_deny]
	d3.field_kinds == {}
}

# -- consent-gated domestic abuse information -------------------------------------------------------
# Information from the council's domestic abuse service "will only be forwarded to other agencies
# with consent or if required by law", a child in need excepted (seeds/002 L447).

da_notes := fx.person("da.notes", "domestic_abuse", "wcc-asb", "mk1:v", "victim")

da_request := fx.request("wcc-housing", "case_officer", "safeguarding", [da_notes, fx.summary])

test_council_domestic_abuse_needs_consent_or_a_legal_requirement if {
	d := sharing.decision with input as da_request
	d.field_kinds["da.notes"] == withheld([council_domestic_abuse])
	d.field_kinds["case.summary"].allowed
	s115 := fx.with_claims(da_request, [fx.claim("cda_s115")])
	d2 := sharing.decision with input as s115
	d2.field_kinds["da.notes"] == withheld([council_domestic_abuse])
	d2.field_kinds["case.summary"].gateway == "cda_s115"
	lo := fx.with_claims(da_request, [{"gateway": "legal_obligation", "justification": "court order 2026/77"}])
	d3 := sharing.decision with input as lo
	d3.field_kinds["da.notes"].gateway == "legal_obligation"
	c := fx.consent_record("c-5", "mk1:v", ["safeguarding"], ["domestic_abuse"], ["wcc-housing"])
	consented := fx.with_consents(da_request, [c])
	d4 := sharing.decision with input as consented
	d4.field_kinds["da.notes"].consent_id == "c-5"
}

test_child_in_need_overrides_the_domestic_abuse_gate if {
	req := fx.request("wcc-childrens", "safeguarding_lead", "safeguarding", [da_notes])
	d := sharing.decision with input as req
	d.field_kinds["da.notes"] == withheld([council_domestic_abuse])
	cin := fx.with_claims(req, [fx.claim("safeguarding_child_in_need")])
	d2 := sharing.decision with input as cin
	d2.field_kinds["da.notes"].gateway == "safeguarding_child_in_need"
}

test_marac_is_not_consent_gated if {
	req := fx.request("wcc-housing", "panel_member", "marac", [da_notes])
	d := sharing.decision with input as req
	d.field_kinds["da.notes"].allowed
}
