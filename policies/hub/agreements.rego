# Sharing agreements (information sharing protocols) as data. Partners may share "with signatories
# to the Information Sharing protocol, provided such information sharing is in accordance with the
# guidance provided by that protocol" (seeds/002 L981). A lapsed, suspended or unsigned agreement
# shares nothing.
package hub.agreements

import rego.v1

import data.hub.config
import data.hub.validate

now_ns := time.parse_rfc3339_ns(input.now) if validate.timestamp(input.now)

# passed holds for a timestamp at or before now; a malformed one counts as passed (fail closed).
passed(ts, now) if {
	validate.timestamp(ts)
	time.parse_rfc3339_ns(ts) <= now
}

passed(ts, _) if {
	ts != null
	not validate.timestamp(ts)
}

# Agreements whose review date or expiry has passed as of input.now.
ended contains id if {
	some id, a in config.agreements
	some ts in [a.review_date, object.get(a, "expires_at", null)]
	passed(ts, now_ns)
}

# Effective status as of input.now: an active agreement past its review date or expiry is lapsed,
# an "active" one without a signature date is unsigned.
status[id] := "unsigned" if {
	some id, a in config.agreements
	a.status == "active"
	not validate.timestamp(a.signed_at)
}

status[id] := "lapsed" if {
	some id, a in config.agreements
	a.status == "active"
	validate.timestamp(a.signed_at)
	id in ended
}

status[id] := "active" if {
	some id, a in config.agreements
	a.status == "active"
	validate.timestamp(a.signed_at)
	count({e | some e in ended; e == id}) == 0
}

status[id] := a.status if {
	some id, a in config.agreements
	a.status != "active"
}

# Active agreements under which the recipient is a signatory for this purpose.
covering contains id if {
	some id, a in config.agreements
	status[id] == "active"
	input.purpose in a.signatories[input.recipient].purposes
}

# One agreement is relied on per decision: the first covering one by id, so the choice is stable.
agreement := min(covering) if count(covering) > 0

covered := {c | some c in config.agreements[agreement].signatories[input.recipient].categories}

none_covering if count(covering) == 0

reasons contains msg if {
	none_covering
	msg := sprintf("no active sharing agreement covers %v for purpose %v", [input.recipient, input.purpose])
}

reasons contains msg if {
	none_covering
	some id, a in config.agreements
	a.signatories[input.recipient]
	status[id] != "active"
	msg := sprintf("agreement %v is %v as of %v: it shares nothing", [id, status[id], input.now])
}

reasons contains msg if {
	none_covering
	some id, a in config.agreements
	status[id] == "active"
	a.signatories[input.recipient]
	not input.purpose in a.signatories[input.recipient].purposes
	msg := sprintf("agreement %v does not cover purpose %v for %v", [id, input.purpose, input.recipient])
}
