# The sharing decision: per field allow/deny, the gateway or consent relied on and reasons.
# Default deny: a field is released only by one of the "released" stages below.
package hub.sharing

import rego.v1

import data.hub.access
import data.hub.agreements
import data.hub.config
import data.hub.consent
import data.hub.controls
import data.hub.gateways
import data.hub.validate

record_errors := validate.errors | access.errors

default bundle_revision := null

bundle_revision := data.hub.bundle.revision

default agreement_id := null

agreement_id := agreements.agreement if count(record_errors) == 0

reasons contains msg if some msg in record_errors

reasons contains msg if {
	count(record_errors) == 0
	some msg in agreements.reasons
}

reasons contains msg if some msg in gateways.messages

reasons contains "nothing released: every field was withheld (default deny)" if allowed == false

default allowed := false

allowed if {
	some d in fields
	d.allowed
}

denied(msgs) := {"allowed": false, "gateway": null, "consent_id": null, "reasons": sort([m | some m in msgs])}

released(basis, msgs) := {
	"allowed": true,
	"gateway": basis.gateway,
	"consent_id": basis.consent_id,
	"reasons": sort([m | some m in msgs]),
}

no_basis := {"gateway": null, "consent_id": null}

# Refusals of consent are overridden only by gateways marked overrides_refusal (legal obligation,
# child in need: seeds/002 L447, L1194, L1988-2026).
overriding(b) if config.gateways[b.gateway].overrides_refusal

# Bases a field may rely on: overriding gateways always; consent unless refused; other gateways
# unless refused or the recipient takes personal data only with consent.
candidates[p] := (always | by_consent) | discretionary if {
	some p, _ in validate.by_path
	all := gateways.bases[p] | consent.bases[p]
	refused := count({1 | consent.refused[p]}) > 0
	consent_only := count({1 | controls.consent_only[p]}) > 0
	always := {b | some b in all; overriding(b)}
	by_consent := {b | some b in all; b.gateway == "consent"; refused == false}
	discretionary := {b | some b in all; refused == false; consent_only == false}
}

# The strongest basis: lowest priority number in data/gateways.json, then the lowest consent id
# (arrays compare element by element).
best[p] := {"gateway": top[1], "consent_id": top[2]} if {
	some p, bs in candidates
	count(bs) > 0
	top := min({[b.priority, b.gateway, b.consent_id] | some b in bs})
}

basis_reason(basis) := sprintf("lawful basis: consent record %v", [basis.consent_id]) if basis.gateway == "consent"

basis_reason(basis) := msg if {
	basis.gateway != "consent"
	msg := sprintf("lawful basis: gateway %v (%v)", [basis.gateway, config.gateways[basis.gateway].title])
}

shared_reason := sprintf("shared with %v under agreement %v (version %v) for purpose %v", [
	input.recipient, agreements.agreement,
	config.agreements[agreements.agreement].version, input.purpose,
])

# [path, reason] pairs grouped by path, only for the paths that have any (keeps this linear-ish).
group(pairs) := {p: {m | some [q, m] in pairs; q == p} | some [p, _] in pairs}

field_errors := group(validate.field_errors)

bars := group(controls.bars)

needs := group(controls.needs)

# Each field goes to the first stage that applies (lowest number wins):
# 1 request refused, 2 field invalid, 3 absolute bar, 4 own data, 5 no agreement,
# 6 category outside the agreement, 7 released on a lawful basis, 8 needs a basis it lacks,
# 9 released under the agreement.
stage[p] := min(s) if {
	some p, f in validate.by_path
	s1 := {1 | count(record_errors) > 0}
	s2 := {2 | field_errors[p]}
	s3 := {3 | bars[p]}
	s4 := {4 | controls.own[p]}
	s5 := {5 | agreements.none_covering}
	s6 := {6 | count({c | some c in agreements.covered; c == f.category}) == 0}
	s7 := {7 | best[p]}
	s8 := {8 | needs[p]}
	s := ((((((((s1 | s2) | s3) | s4) | s5) | s6) | s7) | s8) | {9})
}

fields[p] := denied(record_errors) if stage[p] == 1

fields[p] := denied(field_errors[p]) if stage[p] == 2

fields[p] := denied(bars[p]) if stage[p] == 3

fields[p] := released(no_basis, {msg}) if {
	stage[p] == 4
	msg := sprintf("own data returned to its supplier %v", [validate.by_path[p].supplier])
}

fields[p] := denied(agreements.reasons) if stage[p] == 5

fields[p] := denied({msg}) if {
	stage[p] == 6
	category := validate.by_path[p].category
	msg := sprintf("agreement %v does not cover category %v for %v", [agreements.agreement, category, input.recipient])
}

fields[p] := released(best[p], {shared_reason, basis_reason(best[p])}) if stage[p] == 7

fields[p] := denied(needs[p] | consent.notes[p]) if stage[p] == 8

fields[p] := released(no_basis, {shared_reason}) if stage[p] == 9

decision := {
	"allowed": allowed,
	"agreement": agreement_id,
	"reasons": sort([m | some m in reasons]),
	"fields": fields,
	"bundle_revision": bundle_revision,
}
