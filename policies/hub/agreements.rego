# Sharing agreements (information sharing protocols) as data. Partners may share "with signatories
# to the Information Sharing protocol, provided such information sharing is in accordance with the
# guidance provided by that protocol" (seeds/002 L981). A lapsed, suspended or unsigned agreement
# shares nothing.
#
# Dates in the agreements data are RFC 3339 timestamps or null: `python -m policies check` and
# the bundle loader refuse a bundle with any other value, so they are parsed here without the
# regular-expression guard that input timestamps need.
package hub.agreements

import rego.v1

import data.hub.config

# now as nanoseconds; a malformed now is a record error (validate), and 0 keeps every rule defined.
default now_ns := 0

now_ns := time.parse_rfc3339_ns(data.hub.validate.now) if data.hub.validate.timestamp(data.hub.validate.now)

# passed holds for an input timestamp at or before now; a malformed one counts as passed
# (fail closed).
passed(ts, now) if {
	data.hub.validate.timestamp(ts)
	time.parse_rfc3339_ns(ts) <= now
}

passed(ts, _) if {
	ts != null
	not data.hub.validate.timestamp(ts)
}

# The agreements the recipient signed, and its entry in each.
signed := {id: entry | some id, a in config.agreements; entry := a.signatories[data.hub.validate.recipient]}

# Effective status as of now: an active agreement past its review date or expiry is lapsed,
# an "active" one without a signature date is unsigned.
status[id] := a.status if {
	some id, _ in signed
	a := config.agreements[id]
	a.status != "active"
}

status[id] := "unsigned" if {
	some id, _ in signed
	a := config.agreements[id]
	a.status == "active"
	a.signed_at == null
}

status[id] := "lapsed" if {
	some id in ended
	config.agreements[id].signed_at != null
}

status[id] := "active" if {
	some id, _ in signed
	a := config.agreements[id]
	a.status == "active"
	a.signed_at != null
	not id in ended
}

ended contains id if {
	some id, _ in signed
	a := config.agreements[id]
	a.status == "active"
	some ts in [a.review_date, a.expires_at]
	ts != null
	time.parse_rfc3339_ns(ts) <= now_ns
}

# Active agreements under which the recipient is a signatory for this purpose.
covering contains id if {
	some id, entry in signed
	status[id] == "active"
	data.hub.validate.purpose in entry.purposes
}

# One agreement is relied on per decision: the first covering one by id, so the choice is stable.
agreement := min(covering) if count(covering) > 0

# Two disclosures rest on something other than a sharing agreement, and the categories come
# from there instead: a statutory duty between relevant authorities (s17A depersonalised
# statistics, seeds/002 L987-989: the purpose's categories), and a recipient outside the protocol
# (a court under an order, the public for approved publicity: config.recipients, seeds/002 L970,
# L1042), for the purposes its entry lists. Outside recipients still need a gateway for every
# field (controls.rego).
default statutory := false

statutory if {
	object.get(config.purposes, [data.hub.validate.purpose, "statutory"], null) != null
	data.hub.validate.recipient_agency.relevant_authority == true
}

default outside := false

outside if data.hub.validate.purpose in object.get(data.hub.validate.outside_recipient, "purposes", [])

default without_agreement := false

without_agreement if statutory

without_agreement if outside

# The data categories the recipient may receive under that agreement (none without one): those
# it receives for every purpose it signed for, plus those it receives only for this purpose
# (`purpose_categories`: family relationships only for GMAP, seeds/002 L890).
default covered := set()

covered := {c | some c in signed[agreement].categories} | {c |
	some purpose, categories in object.get(signed[agreement], "purpose_categories", {})
	purpose == data.hub.validate.purpose
	some c in categories
} if not without_agreement

covered := {c | some c in config.purposes[data.hub.validate.purpose].categories} if statutory

covered := outside_categories if outside

outside_categories := data.hub.validate.present_categories if data.hub.validate.outside_recipient.categories == "all"

outside_categories := {c | some c in data.hub.validate.outside_recipient.categories} if is_array(data.hub.validate.outside_recipient.categories)

none_covering := count(covering) == 0 if not without_agreement

none_covering := false if without_agreement

reasons contains msg if {
	none_covering
	msg := sprintf("no active sharing agreement covers %v for purpose %v", [data.hub.validate.recipient, data.hub.validate.purpose])
}

reasons contains msg if {
	none_covering
	purposes := object.get(data.hub.validate.outside_recipient, "purposes", null)
	purposes != null
	msg := sprintf("%v is outside the protocol: it receives only for purposes %v", [data.hub.validate.recipient, purposes])
}

reasons contains msg if {
	none_covering
	some id, state in status
	state != "active"
	msg := sprintf("agreement %v is %v as of %v: it shares nothing", [id, state, data.hub.validate.now])
}

reasons contains msg if {
	none_covering
	some id, entry in signed
	status[id] == "active"
	not data.hub.validate.purpose in entry.purposes
	msg := sprintf("agreement %v does not cover purpose %v for %v", [id, data.hub.validate.purpose, data.hub.validate.recipient])
}
