# Gateways (legal bases) claimed by the requester, accepted or rejected with a reason.
# "Only section 35(1) is mandatory. All the other exemptions ... require that each request for
# disclosure be considered on a case by case basis ... proportionate and must take account of the
# rights of third parties" (seeds/002 L970): every gateway but legal_obligation must record
# proportionality and third parties considered (listed under "requires" in gateways data).
#
# A claim applies to data categories, never to a particular field, so the bases are worked out
# once per category present in the record.
package hub.gateways

import rego.v1

import data.hub.config

# The gateway each claim names, and its definition ({} for an unknown gateway), by claim index.
named := [object.get(c, "gateway", null) | some c in data.hub.validate.claims]

definitions := [definition |
	some g in named
	definition := object.get(gateways, [g], {})
] if gateways := config.gateways

problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	definitions[i] == {}
	msg := sprintf("gateway claim %d: unknown gateway %v", [i, named[i]])
}

# Consent is evidenced by consent records (input.consents), never by a bare claim.
problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	definitions[i].evidence == "consent_record"
	msg := sprintf("gateway %v not accepted: consent is evidenced by a consent record, not a claim", [named[i]])
}

problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	some field in object.get(definitions[i], "requires", [])
	not data.hub.validate.nonempty(object.get(c, field, null))
	msg := sprintf("gateway %v not accepted: missing %v", [named[i], field])
}

# Crime and taxation: record what prejudice, the causal link and why it is likely.
problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	some part in object.get(definitions[i], "prejudice_test", [])
	not data.hub.validate.nonempty(object.get(c, ["prejudice_test", part], null))
	msg := sprintf("gateway %v not accepted: missing prejudice_test.%v", [named[i], part])
}

# CDA 1998 s115: the power is to disclose to a relevant authority only (seeds/002 L990).
problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	definitions[i].relevant_authority_only == true
	data.hub.validate.recipient_agency.relevant_authority != true
	msg := sprintf("gateway %v not accepted: %v is not a relevant authority", [named[i], data.hub.validate.recipient])
}

problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	kinds := definitions[i].recipient_kinds
	not object.get(data.hub.validate.recipient_agency, "kind", null) in kinds
	msg := sprintf("gateway %v not accepted: recipient must be one of %v", [named[i], kinds])
}

problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	purposes := definitions[i].purposes
	not data.hub.validate.purpose in purposes
	msg := sprintf("gateway %v not accepted: only for purposes %v", [named[i], purposes])
}

problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	condition := object.get(c, "special_category_condition", null)
	condition != null
	not config.controls.sch1_conditions[condition]
	msg := sprintf("gateway %v not accepted: unknown Sch 1 condition %v", [named[i], condition])
}

# A condition tied to purposes (legal claims: only for legal proceedings and court orders)
# carries special category data for those purposes alone.
problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	condition := object.get(c, "special_category_condition", null)
	purposes := config.controls.sch1_conditions[condition].purposes
	not data.hub.validate.purpose in purposes
	msg := sprintf("gateway %v not accepted: Sch 1 condition %v only for purposes %v", [named[i], condition, purposes])
}

# A claim scoped with "categories" covers those categories only; a scope that is not a list is
# rejected rather than read as covering everything.
problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	scope := object.get(c, "categories", null)
	scope != null
	not is_array(scope)
	msg := sprintf("gateway %v not accepted: categories must be a list of data categories", [named[i]])
}

problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	not object.get(c, "police_agreement", false) in {true, false, null}
	msg := sprintf("gateway %v not accepted: police_agreement must be true or false", [named[i]])
}

# Publicity: the council's Legal Services approve a press release before publication, and the
# approval (who, when) is recorded on the claim (seeds/002 L1042).
problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	some part in object.get(definitions[i], "approval", [])
	not data.hub.validate.nonempty(object.get(c, ["legal_services_approval", part], null))
	msg := sprintf("gateway %v not accepted: missing legal_services_approval.%v (Legal Services approve publicity before publication, seeds/002 L1042)", [named[i], part])
}

# The approval precedes publication: a time (RFC 3339) at or before the request.
problems contains [i, msg] if {
	some i, c in data.hub.validate.claims
	count(object.get(definitions[i], "approval", [])) > 0
	at := object.get(c, ["legal_services_approval", "at"], null)
	data.hub.validate.nonempty(at)
	not approved_by_now(at)
	msg := sprintf("gateway %v not accepted: legal_services_approval.at must be an RFC 3339 time at or before the request (Legal Services approve before publication, seeds/002 L1042)", [named[i]])
}

approved_by_now(at) if {
	regex.match(data.hub.validate.timestamp_pattern, at)
	time.parse_rfc3339_ns(at) <= data.hub.agreements.now_ns
}

# A recipient outside the protocol receives only under the gateways its entry lists: a court
# only what the law or its order requires, para 5(1), "the only mandatory one" (seeds/002 L970).
problems contains [i, msg] if {
	allowed := object.get(data.hub.validate.outside_recipient, "gateways", null)
	allowed != null
	some i, c in data.hub.validate.claims
	not named[i] in allowed
	msg := sprintf("gateway %v not accepted: %v is outside the protocol and receives only under %v", [named[i], data.hub.validate.recipient, allowed])
}

rejected := {i | some [i, _] in problems}

messages contains msg if some [_, msg] in problems

# Each accepted claim as a basis and the categories present in the record that it can carry:
# those in its "categories" scope (every category when unscoped), less special category and
# criminal offence data unless it names a DPA 2018 Sch 1 condition (UK GDPR Art 9, Art 10;
# DPA 2018 s10(2), s10(5)).
accepted := [claim |
	some i, c in data.hub.validate.claims
	not i in rejected
	scope := object.get(c, "categories", null)
	in_scope := scoped(scope)
	carried := carries_special(c, in_scope)
	claim := {
		"gateway": c.gateway,
		"priority": config.gateways[c.gateway].priority,
		"police_agreement": object.get(c, "police_agreement", false) == true,
		"categories": carried,
	}
]

scoped(scope) := data.hub.validate.present_categories if scope == null

scoped(scope) := data.hub.validate.present_categories & {c | some c in scope} if is_array(scope)

carries_special(c, in_scope) := in_scope if {
	config.controls.sch1_conditions[object.get(c, "special_category_condition", null)]
} else := in_scope - data.hub.validate.sch1_categories

# Candidate bases per category present in the record.
bases[category] := {b |
	some claim in accepted
	category in claim.categories
	b := {"gateway": claim.gateway, "consent_id": null, "priority": claim.priority}
} if some category in data.hub.validate.present_categories

# Police information is given "in strict confidence"; used in evidence only with police
# agreement (seeds/002 L1357), recorded as police_agreement on an accepted claim.
police_agreed := {category |
	some claim in accepted
	claim.police_agreement
	some category in claim.categories
}

# Extra care where young people are involved (seeds/002 L1040): an accepted claim records why a
# young person's data must be part of it (controls.rego bars youth records otherwise where the
# purpose asks for it).
default youth_justified := false

youth_justified if {
	some i, c in data.hub.validate.claims
	not i in rejected
	data.hub.validate.nonempty(object.get(c, "youth_justification", null))
}
