# The sharing decision: per field kind allow/deny, the gateway or consent relied on and reasons.
# Default deny: a field is released only by one of the "released" stages below.
#
# The hub sends a record's fields grouped into kinds (fields whose attributes other than the path
# are equal) and maps each kind's answer to every path of that kind, so the cost of a decision
# grows with the number of kinds, not the number of fields (docs/policies.md, "Field kinds").
# Each stage below is a set of kind ids worked out with set operations over the whole record,
# and each kind is answered by the first stage it falls in.
package hub.sharing

import rego.v1

import data.hub.config

record_errors := (data.hub.validate.errors | data.hub.access.errors) | consent_errors

default consent_errors := set()

consent_errors := data.hub.consent.errors if count(data.hub.validate.consents) > 0

refused_request := count(record_errors) > 0

default bundle_revision := null

bundle_revision := data.hub.bundle.revision

default agreement_id := null

agreement_id := data.hub.agreements.agreement if not refused_request

reasons contains msg if some msg in record_errors

reasons contains msg if {
	not refused_request
	some msg in data.hub.agreements.reasons
}

reasons contains msg if {
	count(data.hub.validate.claims) > 0
	some msg in data.hub.gateways.messages
}

reasons contains "nothing released: every field was withheld (default deny)" if not allowed

default allowed := false

allowed := count(released_kinds) > 0 if not refused_request

# -- the stages, as sets of kind ids ------------------------------------------------------------
# 1 request refused, 2 field invalid, 3 absolute bar, 4 own data, 5 no agreement,
# 6 category outside the agreement, 7 released on a lawful basis, 8 needs a basis it lacks,
# 9 released under the agreement. Worked out in one rule: in regorus every rule evaluated and
# every reference to another rule has a cost, while local variables are nearly free.
stages := {
	"invalid": invalid,
	"barred": barred,
	"own": own,
	"no_agreement": no_agreement,
	"outside_agreement": outside_agreement,
	"on_basis": on_basis,
	"lacking": lacking,
	"under_agreement": under_agreement,
} if {
	kinds := data.hub.validate.kinds

	# (Ids by comprehension: regorus leaves a multi-value rule with no values undefined, where
	# OPA has an empty object, so object.keys() over one would differ.)
	invalid := {id | some id, _ in data.hub.validate.field_errors}
	barred := {id | some id, _ in data.hub.controls.bars} - invalid
	own := (data.hub.controls.own - invalid) - barred
	open_after_own := ((object.keys(kinds) - invalid) - barred) - own
	no_agreement := {id | data.hub.agreements.none_covering; some id in open_after_own}
	uncovered := data.hub.validate.present_categories - data.hub.agreements.covered
	outside_agreement := {id |
		count(uncovered) > 0
		some id in open_after_own - no_agreement
		kinds[id].category in uncovered
	}
	open_after_agreement := (open_after_own - no_agreement) - outside_agreement
	on_basis := {id | some id, _ in best} & open_after_agreement
	lacking := ({id | some id, _ in data.hub.controls.needs} & open_after_agreement) - on_basis
	under_agreement := (open_after_agreement - on_basis) - lacking
}

released_kinds := (stages.own | stages.on_basis) | stages.under_agreement

# -- lawful bases ---------------------------------------------------------------------------------

# Refusals of consent are overridden only by gateways marked overrides_refusal (legal obligation,
# child in need: seeds/002 L447, L1194, L1988-2026).
overriding := {g | some g, definition in config.gateways; definition.overrides_refusal == true}

# Bases a kind may rely on: overriding gateways always; consent unless refused; other gateways
# unless refused, the recipient takes personal data only with consent, or the record is
# consent-gated (controls.consent_gated). Only kinds with some
# basis on offer are looked at: a category an accepted claim covers, or a consent on file.
candidates := {id: bases |
	some id, k in kinds
	claimed := object.get(claim_bases, k.category, set())
	consented := object.get(consent_bases, id, set())
	count(claimed) + count(consented) > 0
	refused := id in refusing
	consent_only := id in consent_needed
	always := {b | some b in claimed; b.gateway in overrides}
	by_consent := {b | some b in consented; not refused}
	discretionary := {b | some b in claimed; not refused; not consent_only}
	bases := (always | by_consent) | discretionary
} if {
	kinds := data.hub.validate.kinds
	claim_bases := data.hub.gateways.bases
	consent_bases := consent_bases_given
	refusing := data.hub.controls.refused
	consent_needed := data.hub.controls.consent_only | data.hub.controls.consent_gated
	overrides := overriding
}

default consent_bases_given := {}

consent_bases_given := data.hub.consent.bases if count(data.hub.validate.consents) > 0

# The strongest basis: lowest priority number in the gateways data, then the lowest consent id
# (arrays compare element by element).
best := {id: {"gateway": top[1], "consent_id": top[2]} |
	some id, bs in candidates
	count(bs) > 0
	top := min({[b.priority, b.gateway, b.consent_id] | some b in bs})
}

basis_reason(basis, _) := sprintf("lawful basis: consent record %v", [basis.consent_id]) if basis.gateway == "consent"

basis_reason(basis, gateways) := msg if {
	basis.gateway != "consent"
	msg := sprintf("lawful basis: gateway %v (%v)", [basis.gateway, gateways[basis.gateway].title])
}

default shared_reason := ""

shared_reason := sprintf("shared with %v under agreement %v (version %v) for purpose %v", [
	data.hub.validate.recipient, data.hub.agreements.agreement,
	config.agreements[data.hub.agreements.agreement].version, data.hub.validate.purpose,
])

# Without an agreement: a statutory duty (s17A statistics) or a named recipient outside the
# protocol (agreements.rego).
shared_reason := sprintf("shared with %v for purpose %v under %v", [
	data.hub.validate.recipient, data.hub.validate.purpose,
	config.purposes[data.hub.validate.purpose].statutory,
]) if data.hub.agreements.statutory

shared_reason := sprintf("disclosed to %v (%v), outside the protocol, for purpose %v", [
	data.hub.validate.recipient_detail.name, data.hub.validate.recipient, data.hub.validate.purpose,
]) if data.hub.agreements.outside

# -- the answer per kind --------------------------------------------------------------------------

# Each kind's answer. No function is called per kind and shared answers are built once: in
# regorus a user function call costs about as much as twenty comprehension steps.
withheld_for_request := {"allowed": false, "gateway": null, "consent_id": null, "reasons": sort(record_errors)}

field_kinds := {id: answer | some id, _ in data.hub.validate.kinds} if {
	refused_request
	answer := withheld_for_request
}

field_kinds := object.union_n([
	{id: {"allowed": false, "gateway": null, "consent_id": null, "reasons": sort(errors[id])} | some id in s.invalid},
	{id: {"allowed": false, "gateway": null, "consent_id": null, "reasons": sort(bars[id])} | some id in s.barred},
	{id: {"allowed": true, "gateway": null, "consent_id": null, "reasons": [msg]} |
		some id in s.own
		msg := sprintf("own data returned to its supplier %v", [kinds[id].supplier])
	},
	{id: no_agreement_answer | some id in s.no_agreement},
	{id: {"allowed": false, "gateway": null, "consent_id": null, "reasons": [msg]} |
		some id in s.outside_agreement
		msg := sprintf("agreement %v does not cover category %v for %v", [agreement, kinds[id].category, recipient])
	},
	{id: {"allowed": true, "gateway": b.gateway, "consent_id": b.consent_id, "reasons": sort([shared, basis_reasons[[b.gateway, b.consent_id]]])} |
		some id in s.on_basis
		b := chosen[id]
	},
	{id: {"allowed": false, "gateway": null, "consent_id": null, "reasons": sort(needs[id] | object.get(notes, [kinds[id].subject], set()))} |
		some id in s.lacking
	},
	{id: under_agreement_answer | some id in s.under_agreement},
]) if {
	not refused_request
	s := stages
	kinds := data.hub.validate.kinds
	errors := {id: msgs | some id, msgs in data.hub.validate.field_errors}
	bars := {id: msgs | some id, msgs in data.hub.controls.bars}
	needs := {id: msgs | some id, msgs in data.hub.controls.needs}
	no_agreement_answer := {"allowed": false, "gateway": null, "consent_id": null, "reasons": sort(data.hub.agreements.reasons)}
	agreement := agreement_id
	recipient := data.hub.validate.recipient
	shared := shared_reason
	under_agreement_answer := {"allowed": true, "gateway": null, "consent_id": null, "reasons": [shared]}
	chosen := best
	basis_reasons := {[b.gateway, b.consent_id]: reason |
		some b in chosen
		reason := basis_reason(b, config.gateways)
	}
	notes := consent_notes_given
}

default consent_notes_given := {}

consent_notes_given := data.hub.consent.notes if count(data.hub.validate.consents) > 0

decision := {
	"allowed": allowed,
	"agreement": agreement_id,
	"reasons": sort([m | some m in reasons]),
	"field_kinds": field_kinds,
	"bundle_revision": bundle_revision,
}
