# Who is asking, for whom and why. Any failure here refuses the whole request.
package hub.access

import rego.v1

import data.hub.config

errors := ((unknown_recipient | (unknown_requester | (unknown_purpose | (role_refused | panel_refused)))) | recipient_refused) | depersonalised_refused if {
	recipient := data.hub.validate.recipient
	requester := data.hub.validate.requester_agency
	purpose := data.hub.validate.purpose
	role := data.hub.validate.requester_role
	definition := purpose_definition
	unknown_recipient := {msg |
		data.hub.validate.recipient_agency == {}
		msg := sprintf("recipient %v is not a known partner agency: nothing is shared", [recipient])
	}
	unknown_requester := {msg |
		data.hub.validate.requester_agency_entry == {}
		msg := sprintf("requester agency %v is not a known partner agency", [requester])
	}
	unknown_purpose := {msg |
		definition == null
		msg := sprintf("unknown purpose %v: disclosure only for a specified purpose (seeds/002 L956)", [purpose])
	}

	# Roles limit purposes: information is shared with officers "as authorised and on a 'need to
	# know' basis only" (seeds/002 L1976).
	role_refused := {msg |
		definition != null
		not purpose in role_purposes
		msg := sprintf("role %v may not request data for purpose %v", [role, purpose])
	}

	# Panel purposes are served only to that panel: "access limited to members and to the purpose
	# of that panel" (DOMAIN.md, Panels; seeds/002 L881-893, seeds/001 L395).
	panel_refused := {msg |
		definition.panel == true
		data.hub.validate.panel_type != purpose
		msg := sprintf("purpose %v is served only for a %v panel (input.panel.type)", [purpose, purpose])
	}

	# Who may ask and who may receive, where the purpose says (purposes data): publicity is the
	# council's (seeds/002 L1042); a referral goes to a support service that takes personal data
	# only with consent (seeds/002 L1451, L2026); s17A statistics go to relevant authorities
	# (seeds/002 L989).
	requester_kind := object.get(data.hub.validate.requester_agency_entry, "kind", null)
	receiver := data.hub.validate.recipient_agency
	kinds_refused := {msg |
		definition != null
		kinds := object.get(definition, "requester_kinds", null)
		kinds != null
		not requester_kind in kinds
		msg := sprintf("purpose %v may be requested only by an agency of kind %v", [purpose, kinds])
	}
	referral_refused := {msg |
		definition != null
		object.get(definition, "recipient_requires_consent", false) == true
		object.get(receiver, "requires_consent", false) != true
		msg := sprintf("purpose %v is a referral to a support service that takes personal data only with consent: %v is not one", [purpose, recipient])
	}
	authority_refused := {msg |
		definition != null
		object.get(definition, "statutory", null) != null
		object.get(receiver, "relevant_authority", false) != true
		msg := sprintf("purpose %v is a duty between relevant authorities: %v is not one", [purpose, recipient])
	}
	recipient_refused := (kinds_refused | referral_refused) | authority_refused
}

# A depersonalised purpose (s17A statistics, seeds/002 L987-989) is served only as counts
# (record kind `statistics`, GET /v1/statistics): any other record asked for it, such as a case
# view, would be record-level data about people, and its 404-or-200 answer would tell whether
# the record exists. So the whole request is refused, whatever the record holds.
default record_kind := null

record_kind := input.record.kind

default depersonalised_refused := set()

depersonalised_refused := {msg} if {
	purpose_definition.depersonalised == true
	record_kind != "statistics"
	msg := sprintf("purpose %v is depersonalised: only counts are released for it (GET /v1/statistics), never a %v record (seeds/002 L987-989)", [data.hub.validate.purpose, record_kind])
}

default purpose_definition := null

purpose_definition := config.purposes[data.hub.validate.purpose]

default role_purposes := []

role_purposes := config.roles[data.hub.validate.requester_role].purposes
