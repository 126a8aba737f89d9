# Gateways (legal bases) claimed by the requester, accepted or rejected with a reason.
# "Only section 35(1) is mandatory. All the other exemptions ... require that each request for
# disclosure be considered on a case by case basis ... proportionate and must take account of the
# rights of third parties" (seeds/002 L970): every gateway but legal_obligation must record
# proportionality and third parties considered (listed under "requires" in data/gateways.json).
package hub.gateways

import rego.v1

import data.hub.config
import data.hub.validate

default claims := []

claims := input.gateway_claims if is_array(input.gateway_claims)

problems contains [i, msg] if {
	some i, c in claims
	not config.gateways[c.gateway]
	msg := sprintf("gateway claim %d: unknown gateway %v", [i, object.get(c, "gateway", null)])
}

# Consent is evidenced by consent records (input.consents), never by a bare claim.
problems contains [i, msg] if {
	some i, c in claims
	config.gateways[c.gateway].evidence == "consent_record"
	msg := sprintf("gateway %v not accepted: consent is evidenced by a consent record, not a claim", [c.gateway])
}

problems contains [i, msg] if {
	some i, c in claims
	some field in config.gateways[c.gateway].requires
	not validate.nonempty(c[field])
	msg := sprintf("gateway %v not accepted: missing %v", [c.gateway, field])
}

# Crime and taxation: record what prejudice, the causal link and why it is likely.
problems contains [i, msg] if {
	some i, c in claims
	some part in config.gateways[c.gateway].prejudice_test
	not validate.nonempty(c.prejudice_test[part])
	msg := sprintf("gateway %v not accepted: missing prejudice_test.%v", [c.gateway, part])
}

# CDA 1998 s115: the power is to disclose to a relevant authority only (seeds/002 L990).
problems contains [i, msg] if {
	some i, c in claims
	config.gateways[c.gateway].relevant_authority_only
	not config.agencies[input.recipient].relevant_authority
	msg := sprintf("gateway %v not accepted: %v is not a relevant authority", [c.gateway, input.recipient])
}

problems contains [i, msg] if {
	some i, c in claims
	kinds := config.gateways[c.gateway].recipient_kinds
	not config.agencies[input.recipient].kind in kinds
	msg := sprintf("gateway %v not accepted: recipient must be one of %v", [c.gateway, kinds])
}

problems contains [i, msg] if {
	some i, c in claims
	purposes := config.gateways[c.gateway].purposes
	not input.purpose in purposes
	msg := sprintf("gateway %v not accepted: only for purposes %v", [c.gateway, purposes])
}

problems contains [i, msg] if {
	some i, c in claims
	condition := c.special_category_condition
	condition != null
	not config.controls.sch1_conditions[condition]
	msg := sprintf("gateway %v not accepted: unknown Sch 1 condition %v", [c.gateway, condition])
}

rejected := {i | some [i, _] in problems}

accepted contains c if {
	some i, c in claims
	count({j | some j in rejected; j == i}) == 0
}

messages contains msg if some [_, msg] in problems

# A claim scoped with "categories" covers those categories only; unscoped claims cover the record.
applies(c, _) if not is_array(c.categories)

applies(c, field) if validate.member(field.category, c.categories)

special(field) if config.categories[field.category].special

# Special category data needs a DPA 2018 Sch 1 condition on the claim (UK GDPR Art 9).
condition_ok(_, field) if not special(field)

condition_ok(c, _) if config.controls.sch1_conditions[c.special_category_condition]

# Accepted claims that can carry each field, as candidate bases per field path.
bases[p] := bs if {
	some p, f in validate.by_path
	bs := {b |
		some c in accepted
		applies(c, f)
		condition_ok(c, f)
		b := {"gateway": c.gateway, "consent_id": null, "priority": config.gateways[c.gateway].priority}
	}
}

# Police information is given "in strict confidence"; used in evidence only with police
# agreement (seeds/002 L1357), recorded as police_agreement on an accepted claim.
police_agreed contains p if {
	some p, f in validate.by_path
	some c in accepted
	applies(c, f)
	c.police_agreement == true
}
