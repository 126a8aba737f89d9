# Purposes and recipients: MAPPA, support referrals, publicity, court orders, statistics.
package hub.purposes_test

import rego.v1

import data.hub.fixtures_test as fx
import data.hub.sharing

housing_address := fx.person("party.0.address", "address", "wcc-housing", "mk1:v", "victim")

housing_da := fx.person("party.0.da", "domestic_abuse", "wcc-housing", "mk1:v", "victim")

perp_name := fx.person("party.2.name", "identity", "wcc-asb", "mk1:p", "alleged_perpetrator")

youth_name := fx.flagged(fx.person("party.3.name", "identity", "wcc-asb", "mk1:y", "alleged_perpetrator"), "youth")

count_kind := fx.field("counts.noise", "statistics", "partnership")

to(inp, recipient, detail) := object.union(inp, {"recipient": recipient, "recipient_detail": detail})

order := {"gateway": "legal_obligation", "justification": "order 2026/123"}

approved := object.union(fx.claim("publicity_approved"), {
	"necessity": "deter further ASB on the estate",
	"legal_services_approval": {"by": "j.legal", "at": "2026-11-20T10:00:00Z"},
})

test_mappa_council_data_limited_to_its_duties if {
	inp := fx.request("probation", "offender_manager", "mappa", [housing_address, housing_da, fx.victim_name])
	d := sharing.decision with input as inp
	d.field_kinds["party.0.address"].allowed
	d.field_kinds["party.0.name"].allowed
	not d.field_kinds["party.0.da"].allowed
	contains(d.field_kinds["party.0.da"].reasons[0], "seeds/002 L898")
}

test_court_order_needs_a_named_recipient_and_para_5_1 if {
	inp := fx.with_claims(fx.request("wcc-legal", "legal_officer", "required_by_law", [fx.summary, fx.victim_name]), [order, fx.claim("cda_s115")])
	d := sharing.decision with input as to(inp, "court", {"name": "Westminster Magistrates' Court", "reference": "2026/123"})
	d.field_kinds["case.summary"].gateway == "legal_obligation"
	d.agreement == null
	contains(d.field_kinds["party.0.name"].reasons[0], "met-police supplied it")
	"gateway cda_s115 not accepted: court is outside the protocol and receives only under [\"legal_obligation\"]" in d.reasons
	unnamed := sharing.decision with input as to(inp, "court", {"name": "A court"})
	"missing input: recipient_detail.reference (court is outside the protocol and must be named)" in unnamed.reasons
	not unnamed.allowed
	bare := sharing.decision with input as to(fx.request("wcc-legal", "legal_officer", "required_by_law", [fx.summary]), "court", {"name": "A court", "reference": "1"})
	contains(bare.field_kinds["case.summary"].reasons[0], "outside the protocol: released only under")
	wrong := sharing.decision with input as to(fx.request("wcc-legal", "legal_officer", "legal_proceedings", [fx.summary]), "court", {"name": "A court", "reference": "1"})
	"court is outside the protocol: it receives only for purposes [\"required_by_law\"]" in wrong.reasons
}

test_publicity_needs_legal_services_approval_and_care_for_youth if {
	inp := to(fx.request("wcc-asb", "communications_officer", "publicity", [fx.summary, perp_name, youth_name, fx.complainant_name]), "public", {"name": "Press release"})
	d := sharing.decision with input as fx.with_claims(inp, [approved])
	d.field_kinds["party.2.name"].gateway == "publicity_approved"
	contains(d.field_kinds["party.3.name"].reasons[0], "youth_justification")
	contains(d.field_kinds["party.1.name"].reasons[0], "never released to it")
	youth := sharing.decision with input as fx.with_claims(inp, [object.union(approved, {"youth_justification": "reporting restrictions lifted"})])
	youth.field_kinds["party.3.name"].allowed
	unapproved := sharing.decision with input as fx.with_claims(inp, [object.remove(approved, ["legal_services_approval"])])
	not unapproved.allowed
	"gateway publicity_approved not accepted: missing legal_services_approval.by (Legal Services approve publicity before publication, seeds/002 L1042)" in unapproved.reasons
	later := sharing.decision with input as fx.with_claims(inp, [object.union(approved, {"legal_services_approval": {"by": "j.legal", "at": "2026-12-01T10:00:00Z"}})])
	not later.allowed
	"gateway publicity_approved not accepted: legal_services_approval.at must be an RFC 3339 time at or before the request (Legal Services approve before publication, seeds/002 L1042)" in later.reasons
	loose := sharing.decision with input as fx.with_claims(inp, [object.union(approved, {"legal_services_approval": {"by": "j.legal", "at": "last Tuesday"}})])
	not loose.allowed
	housing := sharing.decision with input as to(fx.request("wcc-housing", "case_officer", "publicity", [fx.summary]), "public", {"name": "Newsletter"})
	"purpose publicity may be requested only by an agency of kind [\"council\"]" in housing.reasons
}

test_support_referral_only_to_consent_services if {
	d := sharing.decision with input as to(fx.request("wcc-housing", "case_officer", "support_referral", [fx.summary]), "met-police", null)
	"purpose support_referral is a referral to a support service that takes personal data only with consent: met-police is not one" in d.reasons
}

stats_request(agency, kinds) := json.patch(fx.request(agency, "analyst", "statistics", kinds), [{"op": "replace", "path": "/record/kind", "value": "statistics"}])

test_statistics_are_depersonalised if {
	inp := stats_request("met-police", [count_kind, fx.victim_name])
	d := sharing.decision with input as inp
	d.field_kinds["counts.noise"].reasons == ["shared with met-police for purpose statistics under Crime and Disorder Act 1998 s17A (depersonalised information)"]
	contains(d.field_kinds["party.0.name"].reasons[0], "depersonalised")
	idva := sharing.decision with input as stats_request("advance-idva", [count_kind])
	"purpose statistics is a duty between relevant authorities: advance-idva is not one" in idva.reasons
}

# A depersonalised purpose is served only as counts: a case view asked for it is refused whole,
# so neither its fields nor whether the case exists reach the analyst (seeds/002 L987-989).
test_statistics_purpose_refuses_any_record_but_counts if {
	d := sharing.decision with input as fx.request("met-police", "analyst", "statistics", [count_kind, fx.summary])
	d.allowed == false
	"purpose statistics is depersonalised: only counts are released for it (GET /v1/statistics), never a case_view record (seeds/002 L987-989)" in d.reasons
	d.field_kinds["counts.noise"].allowed == false
	no_kind := json.patch(fx.request("met-police", "analyst", "statistics", [count_kind]), [{"op": "remove", "path": "/record/kind"}])
	unnamed := sharing.decision with input as no_kind
	"purpose statistics is depersonalised: only counts are released for it (GET /v1/statistics), never a null record (seeds/002 L987-989)" in unnamed.reasons
}
