package hub.validate_test

import rego.v1

import data.hub.fixtures_test as fx
import data.hub.validate

# field_errors is a multi-value rule: regorus leaves it undefined when it has no values where OPA
# has {}, so tests count its ids rather than compare it to {}.
test_complete_input_has_no_errors if {
	count(validate.errors) == 0 with input as fx.base
	count({id | some id, _ in validate.field_errors}) == 0 with input as fx.base
	validate.well_formed == {"case.summary", "party.0.name", "party.1.name"} with input as fx.base
	count(validate.malformed) == 0 with input as fx.base
}

test_missing_parts_are_named if {
	inp := json.remove(fx.base, ["requester/agency", "purpose"])
	errs := validate.errors with input as inp
	"missing input: requester.agency" in errs
	"missing input: purpose" in errs
}

test_every_required_part_is_named if {
	inp := json.remove(fx.base, ["now", "requester", "recipient", "record/id", "record/supplier"])
	errs := validate.errors with input as inp
	errs == {
		"missing input: now", "missing input: requester.user", "missing input: requester.agency",
		"missing input: requester.role", "missing input: recipient", "missing input: record.id",
		"missing input: record.supplier",
	}
}

test_blank_string_is_missing if {
	inp := object.union(fx.base, {"recipient": "  "})
	"missing input: recipient" in validate.errors with input as inp
}

test_normalised_values_default_to_null if {
	inp := json.remove(fx.base, ["requester/acting_for", "panel", "gateway_claims", "consents"])
	validate.acting_for == null with input as inp
	validate.panel_type == null with input as inp
	validate.claims == [] with input as inp
	validate.consents == [] with input as inp
	validate.recipient_agency.kind == "housing" with input as inp
	unknown := object.union(fx.base, {"recipient": "acme-ltd"})
	validate.recipient_agency == {} with input as unknown
}

test_missing_field_kinds if {
	inp := json.remove(fx.base, ["record/field_kinds"])
	"missing input: record.field_kinds (an object of field kinds by id)" in validate.errors with input as inp
}

test_empty_field_kinds if {
	inp := json.patch(fx.base, [{"op": "replace", "path": "/record/field_kinds", "value": {}}])
	"missing input: record.field_kinds (an object of field kinds by id)" in validate.errors with input as inp
}

test_field_kinds_as_a_list_are_missing if {
	inp := json.patch(fx.base, [{"op": "replace", "path": "/record/field_kinds", "value": [fx.attributes(fx.summary)]}])
	"missing input: record.field_kinds (an object of field kinds by id)" in validate.errors with input as inp
	validate.kinds == {} with input as inp
}

test_bad_timestamp if {
	inp := object.union(fx.base, {"now": "yesterday"})
	"invalid input: now is not an RFC 3339 timestamp" in validate.errors with input as inp
}

test_timestamps if {
	validate.timestamp("2026-11-23T10:00:00Z")
	validate.timestamp("2026-11-23T10:00:00.123456+01:00")
	not validate.timestamp("2026-11-23")
	not validate.timestamp(7)
}

test_nonempty if {
	validate.nonempty("x")
	not validate.nonempty(" \t")
	not validate.nonempty(null)
	not validate.nonempty(7)
}

test_claims_and_consents_must_be_arrays if {
	inp := object.union(fx.base, {"gateway_claims": "cda_s115", "consents": {}})
	errs := validate.errors with input as inp
	"invalid input: gateway_claims must be an array" in errs
	"invalid input: consents must be an array" in errs
	validate.claims == [] with input as inp
	validate.consents == [] with input as inp
}

test_null_claims_are_allowed if {
	inp := object.union(fx.base, {"gateway_claims": null, "consents": null})
	count(validate.errors) == 0 with input as inp
}

test_claim_items_must_be_objects if {
	inp := fx.with_claims(fx.base, ["cda_s115"])
	"invalid input: gateway_claims[0] must be an object" in validate.errors with input as inp
	validate.claims == [] with input as inp
}

# Kinds carry exactly the attributes config.controls.field_attributes names (the hub builds
# them; paths never reach the policy).
test_kind_missing_an_attribute_is_malformed if {
	inp := fx.with_kind(fx.base, "x.note", json.remove(fx.attributes(fx.summary), ["confidentiality"]))
	validate.malformed == {"x.note"} with input as inp
	errs := validate.field_errors["x.note"] with input as inp
	"malformed field: it must carry exactly category, supplier, subject, subject_role, flags, confidentiality, with flags an object: withheld" in errs
	not validate.field_errors["case.summary"] with input as inp
}

test_kind_with_an_extra_attribute_is_malformed if {
	inp := fx.with_kind(fx.base, "x.note", object.union(fx.attributes(fx.summary), {"path": "x.note"}))
	validate.malformed == {"x.note"} with input as inp
}

test_kind_with_flags_not_an_object_is_malformed if {
	inp := fx.with_kind(fx.base, "x.note", object.union(fx.attributes(fx.summary), {"flags": ["youth"]}))
	validate.malformed == {"x.note"} with input as inp
}

test_unknown_category_withholds_field if {
	inp := fx.with_kind(fx.base, "x.shoe_size", fx.attributes(fx.field("x.shoe_size", "shoe_size", "wcc-asb")))
	validate.field_errors["x.shoe_size"] == {"unknown data category shoe_size: withheld"} with input as inp
	validate.unknown_categories == {"shoe_size"} with input as inp
}

test_field_without_supplier if {
	inp := fx.with_kind(fx.base, "x.note", fx.attributes(fx.field("x.note", "case", "")))
	validate.field_errors["x.note"] == {"field has no supplier: withheld"} with input as inp
	not validate.field_errors["case.summary"] with input as inp
}

test_present_categories_and_suppliers if {
	validate.present_categories == {"case", "identity"} with input as fx.base
	validate.present_suppliers == {"wcc-asb", "met-police"} with input as fx.base
}

test_special_categories_are_the_art9_ones if {
	validate.special_categories == {"health", "ethnicity", "special_category"}
}
