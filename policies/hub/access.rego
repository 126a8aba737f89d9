# Who is asking, for whom and why. Any failure here refuses the whole request.
package hub.access

import rego.v1

import data.hub.config

errors contains msg if {
	not config.agencies[input.recipient]
	msg := sprintf("recipient %v is not a known partner agency: nothing is shared", [input.recipient])
}

errors contains msg if {
	not config.agencies[input.requester.agency]
	msg := sprintf("requester agency %v is not a known partner agency", [input.requester.agency])
}

errors contains msg if {
	not config.purposes[input.purpose]
	msg := sprintf("unknown purpose %v: disclosure only for a specified purpose (seeds/002 L956)", [input.purpose])
}

# Roles limit purposes: information is shared with officers "as authorised and on a 'need to know'
# basis only" (seeds/002 L1976).
errors contains msg if {
	config.purposes[input.purpose]
	not input.purpose in config.roles[input.requester.role].purposes
	msg := sprintf("role %v may not request data for purpose %v", [input.requester.role, input.purpose])
}

# Panel purposes are served only to that panel: "access limited to members and to the purpose of
# that panel" (DOMAIN.md, Panels; seeds/002 L881-893, seeds/001 L395).
errors contains msg if {
	config.purposes[input.purpose].panel
	not input.panel.type == input.purpose
	msg := sprintf("purpose %v is served only for a %v panel (input.panel.type)", [input.purpose, input.purpose])
}
