# Input validation and normalisation. A request missing a required part is refused as a whole
# (default deny): the hub must never release data because an input was half-filled.
#
# Every other module reads the request through this one: the values below are always defined
# (a missing or wrongly typed input becomes null, [] or {}), so no rule anywhere negates an
# undefined reference. OPA treats `not f(x)` and `not a[x]` with x undefined as undefined (the
# rule does not fire) where regorus treats them as true; normalising here makes both engines
# read the same meaning into every rule (docs/policies.md, "One meaning on both engines").
package hub.validate

import rego.v1

import data.hub.config

nonempty(x) if {
	is_string(x)
	trim_space(x) != ""
}

# RFC 3339 timestamps only, with every part in range, checked before parsing so both engines
# fail the same way (no leap second: regorus accepts :60 where OPA refuses it). A date that
# still cannot be parsed (30 February) is an evaluation error in regorus and in OPA with strict
# builtin errors, and undefined in a stock OPA server: every rule that reads a date is written
# so that undefined withholds (see consent.rego `open`).
timestamp(x) if {
	is_string(x)
	regex.match(timestamp_pattern, x)
}

timestamp_pattern := `^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`

# The request, normalised: each value is what the input holds, or null. (Direct references with
# defaults rather than object.get(input, ...): regorus copies a builtin's arguments, and the
# input holds the whole record.)
default recipient := null

recipient := input.recipient

default purpose := null

purpose := input.purpose

default requester_user := null

requester_user := input.requester.user

default requester_agency := null

requester_agency := input.requester.agency

default requester_role := null

requester_role := input.requester.role

default acting_for := null

acting_for := input.requester.acting_for

default panel_type := null

panel_type := input.panel.type

default now := null

now := input.now

default record_id := null

record_id := input.record.id

default record_supplier := null

record_supplier := input.record.supplier

# The recipient's and the requester's entries in the agencies data ({} for an unknown agency).
default recipient_agency := {}

recipient_agency := config.agencies[recipient]

# A recipient outside the protocol (a court, a coroner, the public: config.recipients) has an
# entry shaped like an agency's (kind, relevant_authority, requires_consent), so the rules that
# read the recipient's kind read it the same way; agency ids and outside recipient ids are
# distinct (tests/policy/test_bundle.py).
recipient_agency := outside_recipient if outside_recipient != {}

default outside_recipient := {}

outside_recipient := config.recipients[recipient]

# Who the outside recipient is, as the request names it (name; reference of the order).
default recipient_detail := {}

recipient_detail := input.recipient_detail if is_object(input.recipient_detail)

default requester_agency_entry := {}

requester_agency_entry := config.agencies[requester_agency]

# now is a timestamp that parses (undefined, so refused, when it does not).
now_parses if {
	timestamp(now)
	time.parse_rfc3339_ns(now)
}

# Claims and consent records that are objects (anything else is a record error below).
default claims := []

claims := [c | some c in input.gateway_claims; is_object(c)] if is_array(input.gateway_claims)

default consents := []

consents := [c | some c in input.consents; is_object(c)] if is_array(input.consents)

default gateway_claims_given := null

gateway_claims_given := input.gateway_claims

default consents_given := null

consents_given := input.consents

# (nonempty/timestamp are written out rather than called here and below: in regorus a user
# function call costs about as much as twenty comprehension steps, and this runs on every
# decision.)
errors := ((((missing | bad_now) | (not_arrays | not_objects)) | kinds_errors) | bad_acting_for) | unnamed_recipient if {
	values := [
		["now", now], ["requester.user", requester_user], ["requester.agency", requester_agency],
		["requester.role", requester_role], ["recipient", recipient], ["purpose", purpose],
		["record.id", record_id], ["record.supplier", record_supplier],
	]
	missing := {sprintf("missing input: %s", [name]) | some [name, value] in values; not is_string(value)} | {sprintf("missing input: %s", [name]) |
		some [name, value] in values
		is_string(value)
		trim_space(value) == ""
	}
	bad_now := {"invalid input: now is not an RFC 3339 timestamp" |
		is_string(now)
		trim_space(now) != ""
		not now_parses
	}
	# Whose side the requester works for is one of the party roles or nothing: free text such
	# as "alleged perpetrator" must not slip past the identity protection (seeds/002 L1208).
	bad_acting_for := {sprintf("invalid input: requester.acting_for must be one of %v or null", [config.controls.subject_roles]) |
		acting_for != null
		not acting_for in config.controls.subject_roles
	}
	# A disclosure outside the protocol names who receives it, and for a court order the order
	# (seeds/002 L966, L970): the disclosure log keeps both.
	outside := outside_recipient
	detail := recipient_detail
	unnamed_recipient := {sprintf("missing input: recipient_detail.%v (%v is outside the protocol and must be named)", [part, recipient]) |
		outside != {}
		some part in {"name"} | {"reference" | outside.requires_reference == true}
		not nonempty(object.get(detail, part, null))
	}
	given := [["gateway_claims", gateway_claims_given], ["consents", consents_given]]
	not_arrays := {sprintf("invalid input: %s must be an array", [key]) |
		some [key, value] in given
		value != null
		not is_array(value)
	}
	not_objects := {sprintf("invalid input: %s[%d] must be an object", [key, i]) |
		some [key, value] in given
		is_array(value)
		some i, item in value
		not is_object(item)
	}
}

# -- field kinds --------------------------------------------------------------------------------
# The hub groups a record's fields into kinds: fields whose attributes (everything but the path:
# config.controls.field_attributes) are equal get the same decision, so each kind is decided once
# and the hub maps the answer to every path of that kind (hub/policy/kinds.py). The kinds come as
# an object by kind id. Rules over kinds read attributes positively (never `not` around a
# reference that a malformed kind could leave undefined), and a malformed kind is withheld here.

default kinds := {}

kinds := input.record.field_kinds if is_object(input.record.field_kinds)

kinds_errors := {"missing input: record.field_kinds (an object of field kinds by id)" | count(kinds) == 0}

attribute_names := {a | some a in config.controls.field_attributes}

# Kinds that carry exactly the attributes, with flags an object (kinds must be objects: the
# hub builds them, and anything else is an evaluation error, which denies everything). A JSON
# Schema check of all kinds at once (json.match_schema) was measured slower in regorus.
well_formed := {id |
	some id, k in kinds
	object.keys(k) == attribute_names
	is_object(k.flags)
}

malformed := object.keys(kinds) - well_formed

known_categories := object.keys(config.categories)

present_categories := {k.category | some k in kinds}

unknown_categories := present_categories - known_categories

# Distinct suppliers, so a check on suppliers costs one pass over the kinds.
present_suppliers := {object.get(k, "supplier", null) | some k in kinds}

unnamed_suppliers := {s | some s in present_suppliers; not is_string(s)} | {s |
	some s in present_suppliers
	is_string(s)
	trim_space(s) == ""
}

# Distinct roles, confidentiality levels and subjects, checked once each: an unknown value
# ("Complainant", "Strict") would otherwise slip past the rule that looks for the known one.
present_roles := {object.get(k, "subject_role", null) | some k in kinds}

unknown_roles := {r | some r in present_roles; r != null; not r in config.controls.subject_roles}

present_levels := {object.get(k, "confidentiality", null) | some k in kinds}

unknown_levels := {c | some c in present_levels; not c in config.controls.confidentiality_levels}

present_subjects := {object.get(k, "subject", null) | some k in kinds}

bad_subjects := {s | some s in present_subjects; s != null; not is_string(s)} | {s |
	some s in present_subjects
	is_string(s)
	trim_space(s) == ""
}

# Field-level problems withhold that kind only: reasons by kind id (kinds without problems are
# left out).
field_errors := {id: reasons |
	some id, k in kinds
	reasons := (({malformed_reason | id in broken} | {msg |
		k.category in unknown
		msg := sprintf("unknown data category %v: withheld", [k.category])
	}) | {"field has no supplier: withheld" | object.get(k, "supplier", null) in unnamed}) | {msg |
		some [values, attribute, known] in odd
		object.get(k, attribute, null) in values
		msg := sprintf("malformed field: %v must be %v: withheld", [attribute, known])
	}
	count(reasons) > 0
} if {
	broken := malformed
	unknown := unknown_categories
	unnamed := unnamed_suppliers
	odd := [
		[unknown_roles, "subject_role", sprintf("one of %v or null", [config.controls.subject_roles])],
		[unknown_levels, "confidentiality", sprintf("one of %v", [config.controls.confidentiality_levels])],
		[bad_subjects, "subject", "a match key or null"],
	]
	count(broken) + count(unknown) + count(unnamed) + count(unknown_roles) + count(unknown_levels) + count(bad_subjects) > 0
	malformed_reason := sprintf("malformed field: it must carry exactly %v, with flags an object: withheld", [concat(", ", config.controls.field_attributes)])
}

default field_errors := {}

# Special category data (UK GDPR Art 9). A set rather than a function: regorus 0.13 answers
# false for a function of another package that reads data (docs/policies.md, "Engine notes").
special_categories := {c | some c, definition in config.categories; definition.special == true}

# Criminal offence data (UK GDPR Art 10): processed only under a DPA 2018 Sch 1 condition
# (s10(5)); with special category data, the categories a gateway claim carries only when it names
# one (hub.gateways). Consent is a Sch 1 condition too (para 29), and need not be explicit.
offence_categories := {c | some c, definition in config.categories; definition.art10 == true}

sch1_categories := special_categories | offence_categories
