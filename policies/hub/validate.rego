# Input validation. A request missing a required part is refused as a whole (default deny):
# the hub must never release data because an input was half-filled.
package hub.validate

import rego.v1

import data.hub.config

# Parts of the input every request must carry (paths into input).
required := [
	["now"],
	["requester", "user"],
	["requester", "agency"],
	["requester", "role"],
	["recipient"],
	["purpose"],
	["record", "id"],
	["record", "supplier"],
]

nonempty(x) if {
	is_string(x)
	trim_space(x) != ""
}

# RFC 3339 timestamps only, checked before parsing so both engines fail the same way.
timestamp(x) if {
	is_string(x)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`, x)
}

errors contains msg if {
	some path in required
	not nonempty(object.get(input, path, null))
	msg := sprintf("missing input: %s", [concat(".", path)])
}

errors contains "missing input: record.fields (a non-empty array of fields)" if {
	not nonempty_array(input.record.fields)
}

errors contains "invalid input: now is not an RFC 3339 timestamp" if {
	nonempty(input.now)
	not timestamp(input.now)
}

errors contains msg if {
	some key in ["gateway_claims", "consents"]
	value := object.get(input, key, [])
	value != null
	not is_array(value)
	msg := sprintf("invalid input: %s must be an array", [key])
}

# The record's fields, or none when the input is malformed (engines then agree: nothing released).
default fields := []

fields := input.record.fields if is_array(input.record.fields)

# member is `in` that is false, not an error, when the collection is not an array.
member(x, collection) if {
	is_array(collection)
	x in collection
}

# Fields by path, when every path is unique. Per-field rules below and in the other modules are
# partial rules keyed by path, and every function in this bundle is pure (arguments and config
# only): with regorus 0.13, functions that read input or other rules gave wrong answers when
# called repeatedly or under `with` (see docs/policies.md, "Engine notes").
by_path := {f.path: f | some f in fields; nonempty(f.path)} if unique_paths

unique_paths if {
	paths := [f.path | some f in fields]
	count({p | some p in paths}) == count(paths)
}

errors contains msg if {
	some i, f in fields
	not nonempty(f.path)
	msg := sprintf("invalid input: record.fields[%d] has no path", [i])
}

errors contains "invalid input: record.fields has duplicate paths" if {
	paths := [f.path | some f in fields]
	count({p | some p in paths}) != count(paths)
}

nonempty_array(x) if {
	is_array(x)
	count(x) > 0
}

# Field-level problems withhold that field only, as [path, reason] pairs.
field_errors contains [f.path, msg] if {
	some f in fields
	not config.categories[f.category]
	msg := sprintf("unknown data category %v: withheld", [object.get(f, "category", null)])
}

field_errors contains [f.path, "field has no supplier: withheld"] if {
	some f in fields
	not nonempty(f.supplier)
}

errors contains msg if {
	some key in ["gateway_claims", "consents"]
	value := object.get(input, key, [])
	is_array(value)
	some i, item in value
	not is_object(item)
	msg := sprintf("invalid input: %s[%d] must be an object", [key, i])
}
