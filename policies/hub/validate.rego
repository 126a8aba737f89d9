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

# RFC 3339 timestamps only, checked before parsing so both engines fail the same way.
timestamp(x) if {
	is_string(x)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`, x)
}

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

default requester_agency_entry := {}

requester_agency_entry := config.agencies[requester_agency]

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
errors := ((missing | bad_now) | (not_arrays | not_objects)) | kinds_errors if {
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
		not regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`, now)
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

# Field-level problems withhold that kind only: reasons by kind id (kinds without problems are
# left out).
field_errors := {id: reasons |
	some id, k in kinds
	reasons := ({malformed_reason | id in broken} | {msg |
		k.category in unknown
		msg := sprintf("unknown data category %v: withheld", [k.category])
	}) | {"field has no supplier: withheld" | object.get(k, "supplier", null) in unnamed}
	count(reasons) > 0
} if {
	broken := malformed
	unknown := unknown_categories
	unnamed := unnamed_suppliers
	count(broken) + count(unknown) + count(unnamed) > 0
	malformed_reason := sprintf("malformed field: it must carry exactly %v, with flags an object: withheld", [concat(", ", config.controls.field_attributes)])
}

default field_errors := {}

# Special category data (UK GDPR Art 9). A set rather than a function: regorus 0.13 answers
# false for a function of another package that reads data (docs/policies.md, "Engine notes").
special_categories := {c | some c, definition in config.categories; definition.special == true}
