# Consent records. A consent covers a field when its subject, purposes, categories and recipients
# all match and it is live as of input.now; a withdrawal takes effect for every decision after it.
# Consent-gated sharing: seeds/002 L447, L1450, L2018-2026.
package hub.consent

import rego.v1

import data.hub.agreements
import data.hub.config
import data.hub.validate

default records := []

records := input.consents if is_array(input.consents)

# Live: not a refusal, fully recorded, collected by now, neither expired nor withdrawn by now.
live contains r if {
	some r in records
	not r.refused == true
	validate.nonempty(r.id)
	validate.nonempty(r.collected_by)
	validate.nonempty(r.method)
	validate.timestamp(r.collected_at)
	time.parse_rfc3339_ns(r.collected_at) <= agreements.now_ns
	ends := [object.get(r, "expires_at", null), object.get(r, "withdrawn_at", null)]
	count({t | some t in ends; agreements.passed(t, agreements.now_ns)}) == 0
}

about(r, field) if {
	validate.nonempty(field.subject)
	r.subject == field.subject
}

in_scope(r, field, purpose, recipient) if {
	about(r, field)
	validate.member(purpose, r.purposes)
	validate.member(field.category, r.categories)
	validate.member(recipient, r.recipients)
}

# Special category data by consent needs explicit consent (UK GDPR Art 9(2)(a)).
explicit_enough(_, field) if not config.categories[field.category].special

explicit_enough(r, _) if r.method in config.controls.explicit_consent_methods

# Consent bases per field path.
bases[p] := bs if {
	some p, f in validate.by_path
	bs := {b |
		some r in live
		in_scope(r, f, input.purpose, input.recipient)
		explicit_enough(r, f)
		b := {"gateway": "consent", "consent_id": r.id, "priority": config.gateways.consent.priority}
	}
}

# A refusal for this purpose (or for every purpose when none is listed) blocks discretionary sharing.
refusal_scope(r, _) if not is_array(r.purposes)

refusal_scope(r, purpose) if validate.member(purpose, r.purposes)

refusing := {r | some r in records; r.refused == true; refusal_scope(r, input.purpose)}

refused contains p if {
	some p, f in validate.by_path
	some r in refusing
	about(r, f)
}

# Why a consent on file did not count, per field path, for the field's reasons.
notes[p] := withdrawn | expired | refusals if {
	some p, f in validate.by_path
	withdrawn := {msg |
		some r in records
		about(r, f)
		agreements.passed(r.withdrawn_at, agreements.now_ns)
		msg := sprintf("consent %v was withdrawn at %v", [r.id, r.withdrawn_at])
	}
	expired := {msg |
		some r in records
		about(r, f)
		agreements.passed(r.expires_at, agreements.now_ns)
		msg := sprintf("consent %v expired at %v", [r.id, r.expires_at])
	}
	refusals := {msg |
		some r in refusing
		about(r, f)
		msg := sprintf("the subject refused consent (record %v)", [r.id])
	}
}
