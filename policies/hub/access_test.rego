package hub.access_test

import rego.v1

import data.hub.access
import data.hub.fixtures_test as fx

test_known_partner_case_officer_passes if {
	count(access.errors) == 0 with input as fx.base
}

test_unknown_recipient if {
	errs := access.errors with input as object.union(fx.base, {"recipient": "acme-ltd"})
	"recipient acme-ltd is not a known partner agency: nothing is shared" in errs
}

test_unknown_requester_agency if {
	inp := json.patch(fx.base, [{"op": "replace", "path": "/requester/agency", "value": "acme-ltd"}])
	"requester agency acme-ltd is not a known partner agency" in access.errors with input as inp
}

test_unknown_purpose if {
	errs := access.errors with input as object.union(fx.base, {"purpose": "curiosity"})
	"unknown purpose curiosity: disclosure only for a specified purpose (seeds/002 L956)" in errs
}

test_role_limits_purpose if {
	inp := json.patch(fx.base, [{"op": "replace", "path": "/requester/role", "value": "dpo"}])
	"role dpo may not request data for purpose asb_case_management" in access.errors with input as inp
}

test_panel_purpose_needs_that_panel if {
	inp := fx.request("wcc-housing", "panel_member", "marac", [fx.summary])
	count(access.errors) == 0 with input as inp
	wrong := object.union(inp, {"panel": {"type": "gmap", "meeting_id": "m-2"}})
	"purpose marac is served only for a marac panel (input.panel.type)" in access.errors with input as wrong
}
