package hub.access_test

import rego.v1

import data.hub.access
import data.hub.fixtures_test as fx

test_known_partner_case_officer_passes if {
	count(access.errors) == 0 with input as fx.base
}

test_unknown_recipient if {
	inp := object.union(fx.base, {"recipient": "acme-ltd"})
	errs := access.errors with input as inp
	"recipient acme-ltd is not a known partner agency: nothing is shared" in errs
}

test_unknown_requester_agency if {
	inp := json.patch(fx.base, [{"op": "replace", "path": "/requester/agency", "value": "acme-ltd"}])
	"requester agency acme-ltd is not a known partner agency" in access.errors with input as inp
}

test_unknown_purpose if {
	inp := object.union(fx.base, {"purpose": "curiosity"})
	errs := access.errors with input as inp
	"unknown purpose curiosity: disclosure only for a specified purpose (seeds/002 L956)" in errs
	access.purpose_definition == null with input as inp
}

# Information is shared with officers "as authorised and on a 'need to know' basis only"
# (seeds/002 L1976).
test_role_limits_purpose if {
	inp := json.patch(fx.base, [{"op": "replace", "path": "/requester/role", "value": "dpo"}])
	"role dpo may not request data for purpose asb_case_management" in access.errors with input as inp
}

test_unknown_role_may_request_nothing if {
	inp := json.patch(fx.base, [{"op": "replace", "path": "/requester/role", "value": "janitor"}])
	"role janitor may not request data for purpose asb_case_management" in access.errors with input as inp
	access.role_purposes == [] with input as inp
}

# Panel purposes are served only to that panel (DOMAIN.md, Panels; seeds/002 L881-893, seeds/001 L395).
test_panel_purpose_needs_that_panel if {
	inp := fx.request("wcc-housing", "panel_member", "marac", [fx.summary])
	count(access.errors) == 0 with input as inp
	wrong := object.union(inp, {"panel": {"type": "gmap", "meeting_id": "m-2"}})
	"purpose marac is served only for a marac panel (input.panel.type)" in access.errors with input as wrong
	none := object.union(inp, {"panel": null})
	"purpose marac is served only for a marac panel (input.panel.type)" in access.errors with input as none
}
