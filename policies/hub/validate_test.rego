package hub.validate_test

import rego.v1

import data.hub.fixtures_test as fx
import data.hub.validate

test_complete_input_has_no_errors if {
	count(validate.errors) == 0 with input as fx.base
	count(validate.field_errors) == 0 with input as fx.base
}

test_missing_parts_are_named if {
	inp := json.remove(fx.base, ["requester/agency", "purpose"])
	errs := validate.errors with input as inp
	"missing input: requester.agency" in errs
	"missing input: purpose" in errs
}

test_blank_string_is_missing if {
	"missing input: recipient" in validate.errors with input as object.union(fx.base, {"recipient": "  "})
}

test_missing_fields if {
	inp := json.remove(fx.base, ["record/fields"])
	"missing input: record.fields (a non-empty array of fields)" in validate.errors with input as inp
}

test_empty_fields if {
	inp := json.patch(fx.base, [{"op": "replace", "path": "/record/fields", "value": []}])
	"missing input: record.fields (a non-empty array of fields)" in validate.errors with input as inp
}

test_bad_timestamp if {
	"invalid input: now is not an RFC 3339 timestamp" in validate.errors with input as object.union(fx.base, {"now": "yesterday"})
}

test_timestamps if {
	validate.timestamp("2026-11-23T10:00:00Z")
	validate.timestamp("2026-11-23T10:00:00.123456+01:00")
	not validate.timestamp("2026-11-23")
	not validate.timestamp(7)
}

test_claims_and_consents_must_be_arrays if {
	errs := validate.errors with input as object.union(fx.base, {"gateway_claims": "cda_s115", "consents": {}})
	"invalid input: gateway_claims must be an array" in errs
	"invalid input: consents must be an array" in errs
}

test_null_claims_are_allowed if {
	count(validate.errors) == 0 with input as object.union(fx.base, {"gateway_claims": null})
}

test_claim_items_must_be_objects if {
	"invalid input: gateway_claims[0] must be an object" in validate.errors with input as fx.with_claims(fx.base, ["cda_s115"])
}

test_field_without_path if {
	inp := json.patch(fx.base, [{"op": "add", "path": "/record/fields/-", "value": {"category": "case"}}])
	"invalid input: record.fields[3] has no path" in validate.errors with input as inp
}

test_duplicate_paths if {
	inp := json.patch(fx.base, [{"op": "add", "path": "/record/fields/-", "value": fx.summary}])
	"invalid input: record.fields has duplicate paths" in validate.errors with input as inp
}

test_unknown_category_withholds_field if {
	f := fx.field("x.shoe_size", "shoe_size", "wcc-asb")
	inp := json.patch(fx.base, [{"op": "add", "path": "/record/fields/-", "value": f}])
	["x.shoe_size", "unknown data category shoe_size: withheld"] in validate.field_errors with input as inp
}

test_field_without_supplier if {
	f := fx.field("x.note", "case", "")
	inp := json.patch(fx.base, [{"op": "add", "path": "/record/fields/-", "value": f}])
	["x.note", "field has no supplier: withheld"] in validate.field_errors with input as inp
}
