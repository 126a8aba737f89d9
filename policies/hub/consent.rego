# Consent records. A consent covers a field when its subject, purposes, categories and recipients
# all match and it is live as of now; a withdrawal takes effect for every decision after it.
# Consent-gated sharing: seeds/002 L447, L1451, L2018-2026.
#
# Consents and refusals are about a person, so they are gathered once per subject in the record.
package hub.consent

import rego.v1

import data.hub.config

# A record the hub cannot read refuses the whole request: a refusal that was misread as
# "no refusal" would release what the person said no to.
errors contains msg if {
	some i, r in data.hub.validate.consents
	not data.hub.validate.nonempty(object.get(r, "id", null))
	msg := sprintf("invalid input: consents[%d] has no id", [i])
}

errors contains msg if {
	some i, r in data.hub.validate.consents
	not data.hub.validate.nonempty(object.get(r, "subject", null))
	msg := sprintf("invalid input: consents[%d] has no subject", [i])
}

errors contains msg if {
	some i, r in data.hub.validate.consents
	not object.get(r, "refused", null) in {true, false}
	msg := sprintf("invalid input: consents[%d].refused must be true or false", [i])
}

errors contains msg if {
	some i, r in data.hub.validate.consents
	not object.get(r, "explicit", null) in {true, false, null}
	msg := sprintf("invalid input: consents[%d].explicit must be true or false", [i])
}

errors contains msg if {
	some i, r in data.hub.validate.consents
	some scope in ["purposes", "categories", "recipients", "recipient_kinds"]
	value := object.get(r, scope, null)
	value != null
	not is_array(value)
	msg := sprintf("invalid input: consents[%d].%v must be a list", [i, scope])
}

refusal(r) if object.get(r, "refused", false) == true

subjects := {k.subject | some k in data.hub.validate.kinds; is_string(k.subject); k.subject != ""}

about := {s: [r | some r in data.hub.validate.consents; object.get(r, "subject", null) == s] | some s in subjects}

# Live: not a refusal, fully recorded, collected by now, neither expired nor withdrawn by now.
live(r) if {
	not refusal(r)
	data.hub.validate.nonempty(object.get(r, "collected_by", null))
	data.hub.validate.nonempty(object.get(r, "method", null))
	data.hub.validate.timestamp(object.get(r, "collected_at", null))
	time.parse_rfc3339_ns(r.collected_at) <= data.hub.agreements.now_ns
	still_open(object.get(r, "expires_at", null))
	still_open(object.get(r, "withdrawn_at", null))
}

# A consent's end date that has not come: null, or a timestamp after now. Written positively so
# that a date that cannot be parsed (undefined in a stock OPA server) closes the consent.
still_open(ts) if ts == null

still_open(ts) if {
	data.hub.validate.timestamp(ts)
	time.parse_rfc3339_ns(ts) > data.hub.agreements.now_ns
}

# The categories a consent can carry: special category data only by explicit consent
# (UK GDPR Art 9(2)(a)).
# A record that says it is not explicit (explicit: false) carries none, whatever its method.
carries(r) := scope if {
	object.get(r, "method", null) in config.controls.explicit_consent_methods
	object.get(r, "explicit", null) != false
	scope := {c | some c in list(object.get(r, "categories", null))}
} else := {c | some c in list(object.get(r, "categories", null))} - data.hub.validate.special_categories

# A consent names its recipients by agency id or by kind of agency ("support": every support
# service), so "the IDVA service" can be consented to before the hub knows which one.
names_recipient(r, recipient, kind) if recipient in list(object.get(r, "recipients", null))

names_recipient(r, recipient, kind) if kind in list(object.get(r, "recipient_kinds", null))

list(x) := x if is_array(x)

list(x) := [] if not is_array(x)

# Live consents per subject that name this purpose and this recipient (subjects with none are
# left out, so a field of theirs costs nothing here).
usable[s] := rs if {
	recipient := data.hub.validate.recipient
	kind := object.get(data.hub.validate.recipient_agency, "kind", null)
	purpose := data.hub.validate.purpose
	some s in subjects
	rs := [{"id": r.id, "categories": carries(r)} |
		some r in about[s]
		live(r)
		purpose in list(object.get(r, "purposes", null))
		names_recipient(r, recipient, kind)
	]
	count(rs) > 0
}

priority := config.gateways.consent.priority

# Consent bases per field kind.
bases[id] := {b |
	some r in usable[k.subject]
	k.category in r.categories
	b := {"gateway": "consent", "consent_id": r.id, "priority": priority}
} if {
	some id, k in data.hub.validate.kinds
	usable[k.subject]
}

# A refusal for this purpose (or for every purpose when it lists none: null or []) blocks
# discretionary sharing.
refusal_scope(r) if object.get(r, "purposes", null) in {null, []}

refusal_scope(r) if data.hub.validate.purpose in list(object.get(r, "purposes", null))

# A refusal stands until it is withdrawn or expires (the person may later change their mind and
# consent); one with a malformed date keeps standing (fail closed).
standing(r) if {
	not withdrawn_or_expired(r)
}

withdrawn_or_expired(r) if {
	some key in ["withdrawn_at", "expires_at"]
	ts := object.get(r, key, null)
	data.hub.validate.timestamp(ts)
	time.parse_rfc3339_ns(ts) <= data.hub.agreements.now_ns
}

refusing[s] := rs if {
	some s, records in about
	rs := [r | some r in records; refusal(r); refusal_scope(r); standing(r)]
	count(rs) > 0
}

refused := {s | some s, _ in refusing}

# Why a consent on file did not count, per subject, for the field's reasons.
notes[s] := withdrawn | expired | refusals if {
	some s, records in about
	count(records) > 0
	withdrawn := {msg |
		some r in about[s]
		data.hub.agreements.passed(object.get(r, "withdrawn_at", null), data.hub.agreements.now_ns)
		msg := sprintf("consent %v was withdrawn at %v", [r.id, r.withdrawn_at])
	}
	expired := {msg |
		some r in about[s]
		data.hub.agreements.passed(object.get(r, "expires_at", null), data.hub.agreements.now_ns)
		msg := sprintf("consent %v expired at %v", [r.id, r.expires_at])
	}
	refusals := {msg |
		some r in object.get(refusing, s, [])
		msg := sprintf("the subject refused consent (record %v)", [r.id])
	}
}
