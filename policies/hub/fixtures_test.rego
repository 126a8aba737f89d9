# Shared test inputs for the Rego unit tests (a *_test.rego file: not part of the bundle revision).
#
# A kind is built with its id (`field("case.summary", ...)`); request() puts the kinds into
# record.field_kinds as {id: attributes}, the shape hub/policy/kinds.py sends. The ids reuse the
# field paths of the examples so each test reads as the record it came from.
package hub.fixtures_test

import rego.v1

now := "2026-11-23T10:00:00Z"

field(id, category, supplier) := {
	"id": id, "category": category, "supplier": supplier,
	"subject": null, "subject_role": null,
	"flags": {"domestic_abuse": false, "youth": false, "anonymity_requested": false},
	"confidentiality": "standard",
}

person(id, category, supplier, subject, role) := object.union(
	field(id, category, supplier),
	{"subject": subject, "subject_role": role},
)

flagged(k, name) := object.union(k, {"flags": object.union(k.flags, {name: true})})

# A kind's attributes as the engine receives them (everything but its id).
attributes(k) := object.remove(k, ["id"])

field_kinds(kinds) := {k.id: attributes(k) | some k in kinds}

summary := field("case.summary", "case", "wcc-asb")

victim_name := person("party.0.name", "identity", "met-police", "mk1:v", "victim")

victim_health := person("party.0.health", "health", "wcc-asb", "mk1:v", "victim")

complainant_name := person("party.1.name", "identity", "wcc-asb", "mk1:c", "complainant")

request(agency, role, purpose, kinds) := {
	"now": now,
	"requester": {"user": "u1", "agency": agency, "role": role, "acting_for": null},
	"recipient": agency,
	"purpose": purpose,
	"panel": panel_for(purpose),
	"gateway_claims": [],
	"consents": [],
	"record": {"kind": "case_view", "id": "case-1", "supplier": "wcc-asb", "field_kinds": field_kinds(kinds)},
}

panel_for(purpose) := {"type": purpose, "meeting_id": "m-1"} if purpose in {"marac", "gmap", "hccp", "asb_case_review"}

panel_for(purpose) := null if not purpose in {"marac", "gmap", "hccp", "asb_case_review"}

base := request("wcc-housing", "case_officer", "asb_case_management", [summary, victim_name, complainant_name])

with_claims(inp, claims) := object.union(inp, {"gateway_claims": claims})

with_consents(inp, consents) := object.union(inp, {"consents": consents})

# The request with one kind's attributes put in as given (added, or replacing that id's):
# for kinds the fixtures cannot build, such as one missing an attribute.
with_kind(inp, id, attrs) := json.patch(inp, [{"op": "add", "path": sprintf("/record/field_kinds/%s", [id]), "value": attrs}])

claim(gateway) := {
	"gateway": gateway,
	"justification": "risk of serious harm to the victim",
	"proportionality": "only the fields needed for the action plan",
	"third_parties_considered": "neighbours named in the log were removed",
	"prejudice_test": {
		"prejudice": "prevention of further assaults",
		"causal_link": "without the address police cannot visit",
		"likelihood": "two assaults in the last month",
	},
	"special_category_condition": "sch1_para10",
	"police_agreement": false,
}

consent_record(id, subject, purposes, categories, recipients) := {
	"id": id, "subject": subject, "purposes": purposes, "categories": categories,
	"recipients": recipients, "collected_by": "h.jones", "collected_at": "2026-10-01T09:00:00Z",
	"method": "written", "expires_at": null, "withdrawn_at": null, "refused": false,
}
