package hub.consent_test

import rego.v1

import data.hub.consent
import data.hub.fixtures_test as fx

# Consent-gated sharing: seeds/002 L447, L1451, L2018-2026.

record := fx.request("wcc-housing", "case_officer", "asb_case_management", [fx.summary, fx.victim_name, fx.victim_health])

housing_consent := fx.consent_record("c-1", "mk1:v", ["asb_case_management"], ["identity", "health"], ["wcc-housing"])

refusal := {"id": "c-9", "subject": "mk1:v", "refused": true}

# Tests bind the input to a variable first: with regorus 0.13 a `with input as` value that calls a
# function of this test package evaluated to undefined. bases and notes are keyed rules with no
# entry for a kind or subject without consents, so absence is tested by counting a comprehension.
test_live_consent_covers_field if {
	inp := fx.with_consents(record, [housing_consent])
	consent.bases["party.0.name"] == {{"gateway": "consent", "consent_id": "c-1", "priority": 2}} with input as inp
	consent.subjects == {"mk1:v"} with input as inp
	consent.usable["mk1:v"] == [{"id": "c-1", "categories": {"identity", "health"}}] with input as inp
}

test_consent_scope_must_match if {
	other_recipient := fx.with_consents(record, [object.union(housing_consent, {"recipients": ["met-police"]})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as other_recipient
	other_subject := fx.with_consents(record, [object.union(housing_consent, {"subject": "mk1:x"})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as other_subject
	consent.about == {"mk1:v": []} with input as other_subject
	other_purpose := fx.with_consents(record, [object.union(housing_consent, {"purposes": ["marac"]})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as other_purpose
	inp := fx.with_consents(record, [housing_consent])
	count({b | some b in consent.bases["case.summary"]}) == 0 with input as inp
}

test_consent_without_scopes_covers_nothing if {
	bare := json.remove(housing_consent, ["purposes", "categories", "recipients"])
	inp := fx.with_consents(record, [bare])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as inp
	count(consent.errors) == 0 with input as inp
}

# Special category data only by explicit consent (UK GDPR Art 9(2)(a)).
test_explicit_consent_for_special_category if {
	inp := fx.with_consents(record, [housing_consent])
	count(consent.bases["party.0.health"]) == 1 with input as inp
	oral := fx.with_consents(record, [object.union(housing_consent, {"method": "implied"})])
	count({b | some b in consent.bases["party.0.health"]}) == 0 with input as oral
	count(consent.bases["party.0.name"]) == 1 with input as oral
}

# A consent may name its recipients by kind of agency ("support": every support service).
test_consent_names_recipients_by_kind if {
	by_kind := object.union(json.remove(housing_consent, ["recipients"]), {"recipient_kinds": ["housing"]})
	inp := fx.with_consents(record, [by_kind])
	consent.bases["party.0.name"] == {{"gateway": "consent", "consent_id": "c-1", "priority": 2}} with input as inp
	other_kind := fx.with_consents(record, [object.union(by_kind, {"recipient_kinds": ["support"]})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as other_kind
}

# A record that says it is not explicit carries no special category data, whatever its method.
test_consent_marked_not_explicit_carries_no_special_category if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"explicit": false})])
	count({b | some b in consent.bases["party.0.health"]}) == 0 with input as inp
	count(consent.bases["party.0.name"]) == 1 with input as inp
	explicit := fx.with_consents(record, [object.union(housing_consent, {"explicit": true})])
	count(consent.bases["party.0.health"]) == 1 with input as explicit
}

# A withdrawal takes effect for every decision after it.
test_withdrawn_consent_no_longer_counts if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"withdrawn_at": "2026-11-23T09:59:00Z"})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as inp
	"consent c-1 was withdrawn at 2026-11-23T09:59:00Z" in consent.notes["mk1:v"] with input as inp
}

test_future_withdrawal_not_yet_effective if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"withdrawn_at": "2026-12-01T00:00:00Z"})])
	count(consent.bases["party.0.name"]) == 1 with input as inp
	consent.notes["mk1:v"] == set() with input as inp
}

test_malformed_withdrawal_counts_as_withdrawn if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"withdrawn_at": "last week"})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as inp
	"consent c-1 was withdrawn at last week" in consent.notes["mk1:v"] with input as inp
}

test_expired_consent if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"expires_at": "2026-11-01T00:00:00Z"})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as inp
	"consent c-1 expired at 2026-11-01T00:00:00Z" in consent.notes["mk1:v"] with input as inp
}

test_consent_collected_in_the_future_does_not_count if {
	inp := fx.with_consents(record, [object.union(housing_consent, {"collected_at": "2026-12-01T00:00:00Z"})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as inp
}

test_consent_without_collection_record_does_not_count if {
	no_collector := fx.with_consents(record, [object.union(housing_consent, {"collected_by": ""})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as no_collector
	no_method := fx.with_consents(record, [json.remove(housing_consent, ["method"])])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as no_method
	bad_date := fx.with_consents(record, [object.union(housing_consent, {"collected_at": "1 October"})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as bad_date
}

# A refusal that lists no purposes refuses every purpose (seeds/002 L447).
test_refusal_for_every_purpose if {
	inp := fx.with_consents(record, [refusal])
	consent.refused == {"mk1:v"} with input as inp
	consent.refusing["mk1:v"] == [refusal] with input as inp
	"the subject refused consent (record c-9)" in consent.notes["mk1:v"] with input as inp
	refused_record := fx.with_consents(record, [object.union(housing_consent, {"refused": true})])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as refused_record
}

test_withdrawn_or_expired_refusal_no_longer_stands if {
	withdrawn := fx.with_consents(record, [object.union(refusal, {"withdrawn_at": "2026-11-22T00:00:00Z"})])
	count(consent.refused) == 0 with input as withdrawn
	expired := fx.with_consents(record, [object.union(refusal, {"expires_at": "2026-11-01T00:00:00Z"})])
	count(consent.refused) == 0 with input as expired
	later := fx.with_consents(record, [object.union(refusal, {"withdrawn_at": "2026-12-01T00:00:00Z"})])
	consent.refused == {"mk1:v"} with input as later
	garbled := fx.with_consents(record, [object.union(refusal, {"withdrawn_at": "last week"})])
	consent.refused == {"mk1:v"} with input as garbled
}

test_refusal_scoped_to_purposes if {
	inp := fx.with_consents(record, [object.union(refusal, {"purposes": ["marac"]})])
	count(consent.refused) == 0 with input as inp
	marac := object.union(inp, {"purpose": "marac"})
	consent.refused == {"mk1:v"} with input as marac
}

test_no_consents if {
	inp := json.remove(record, ["consents"])
	count({b | some b in consent.bases["party.0.name"]}) == 0 with input as inp
	count(consent.refused) == 0 with input as inp
	count(consent.errors) == 0 with input as inp
}

# A consent record the hub cannot read refuses the request: a refusal misread as "no refusal"
# would release what the person said no to.
test_malformed_consent_records_are_errors if {
	inp := fx.with_consents(record, [
		{"refused": "yes", "purposes": "marac", "categories": {}, "recipients": 7, "recipient_kinds": "support", "explicit": "yes"},
		{"id": " ", "subject": 5},
	])
	consent.errors == {
		"invalid input: consents[0] has no id", "invalid input: consents[0] has no subject",
		"invalid input: consents[0].refused must be true or false",
		"invalid input: consents[0].purposes must be a list",
		"invalid input: consents[0].categories must be a list",
		"invalid input: consents[0].recipients must be a list",
		"invalid input: consents[0].recipient_kinds must be a list",
		"invalid input: consents[0].explicit must be true or false",
		"invalid input: consents[1] has no id", "invalid input: consents[1] has no subject",
		"invalid input: consents[1].refused must be true or false",
	} with input as inp
}

test_null_scopes_are_not_errors if {
	c := object.union(housing_consent, {"explicit": null, "purposes": null, "categories": null, "recipients": null, "recipient_kinds": null})
	inp := fx.with_consents(record, [c])
	count(consent.errors) == 0 with input as inp
}

# A record that does not say whether it is a refusal cannot be read as consent given.
test_refused_must_be_said if {
	missing := fx.with_consents(record, [object.remove(housing_consent, ["refused"])])
	consent.errors == {"invalid input: consents[0].refused must be true or false"} with input as missing
	nulled := fx.with_consents(record, [object.union(housing_consent, {"refused": null})])
	consent.errors == {"invalid input: consents[0].refused must be true or false"} with input as nulled
}

# An end date that cannot be parsed never keeps a consent open (undefined in a stock OPA server).
test_consent_end_dates_must_be_open_to_count if {
	consent.still_open(null)
	consent.still_open("2026-12-01T00:00:00Z") with input as record
	not consent.still_open("2026-11-01T00:00:00Z") with input as record
	not consent.still_open("soon") with input as record
}
