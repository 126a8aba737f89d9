package hub.consent_test

import rego.v1

import data.hub.consent
import data.hub.fixtures_test as fx

record := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.summary, fx.victim_name, fx.victim_health])

housing_consent := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["identity", "health"], ["wcc-housing"])

# Tests bind the input to a variable first: with regorus 0.13 a `with input as` value that calls a
# function of this test package evaluated to undefined.
test_live_consent_covers_field if {
	inp := fx.with_consents(record, [housing_consent])
	consent.bases["party.0.name"] == {{"gateway": "consent", "consent_id": "c-1", "priority": 2}} with input as inp
}

test_consent_scope_must_match if {
	other_recipient := fx.with_consents(record, [object.union(housing_consent, {"recipients": ["met-police"]})])
	count(consent.bases["party.0.name"]) == 0 with input as other_recipient
	other_subject := fx.with_consents(record, [object.union(housing_consent, {"subject": "mk1:x"})])
	count(consent.bases["party.0.name"]) == 0 with input as other_subject
	inp := fx.with_consents(record, [housing_consent])
	count(consent.bases["case.summary"]) == 0 with input as inp
}

test_explicit_consent_for_special_category if {
	inp := fx.with_consents(record, [housing_consent])
	count(consent.bases["party.0.health"]) == 1 with input as inp
	oral := fx.with_consents(record, [object.union(housing_consent, {"method": "implied"})])
	count(consent.bases["party.0.health"]) == 0 with input as oral
	count(consent.bases["party.0.name"]) == 1 with input as oral
}

test_withdrawn_consent_no_longer_counts if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"withdrawn_at": "2026-11-23T09:59:00Z"})])
	count(consent.bases["party.0.name"]) == 0 with input as inp
	"consent c-1 was withdrawn at 2026-11-23T09:59:00Z" in consent.notes["party.0.name"] with input as inp
}

test_future_withdrawal_not_yet_effective if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"withdrawn_at": "2026-12-01T00:00:00Z"})])
	count(consent.bases["party.0.name"]) == 1 with input as inp
}

test_expired_consent if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"expires_at": "2026-11-01T00:00:00Z"})])
	count(consent.bases["party.0.name"]) == 0 with input as inp
	"consent c-1 expired at 2026-11-01T00:00:00Z" in consent.notes["party.0.name"] with input as inp
}

test_consent_collected_in_the_future_does_not_count if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"collected_at": "2026-12-01T00:00:00Z"})])
	count(consent.bases["party.0.name"]) == 0 with input as inp
}

test_consent_without_collector_does_not_count if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"collected_by": ""})])
	count(consent.bases["party.0.name"]) == 0 with input as inp
}

test_refusal_for_every_purpose if {
	inp := fx.with_consents(record, [{"id": "c-9", "subject": "mk1:v", "refused": true}])
	"party.0.name" in consent.refused with input as inp
	not "case.summary" in consent.refused with input as inp
	"the subject refused consent (record c-9)" in consent.notes["party.0.name"] with input as inp
	refused_record := fx.with_consents(record, [object.union(housing_consent, {"refused": true})])
	count(consent.bases["party.0.name"]) == 0 with input as refused_record
}

test_refusal_scoped_to_purposes if {
	inp := fx.with_consents(record, [{"id": "c-9", "subject": "mk1:v", "refused": true, "purposes": ["marac"]}])
	not "party.0.name" in consent.refused with input as inp
	marac := object.union(inp, {"purpose": "marac"})
	"party.0.name" in consent.refused with input as marac
}

test_no_consents if {
	inp := json.remove(record, ["consents"])
	count(consent.bases["party.0.name"]) == 0 with input as inp
}
