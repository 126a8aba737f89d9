# Supplier controls and identity protection, per field path, as [path, reason] pairs.
# "bars" are absolute (no gateway lifts them); "needs" make a field need a lawful basis beyond the
# agreement (an accepted gateway claim or a consent record).
package hub.controls

import rego.v1

import data.hub.config
import data.hub.consent
import data.hub.gateways
import data.hub.validate

flag(field, name) if field.flags[name] == true

identifying(field) if field.category in config.controls.identifying_categories

domestic_abuse(field) if field.category == "domestic_abuse"

domestic_abuse(field) if flag(field, "domestic_abuse")

mediation(field) if field.category == "mediation"

mediation(field) if config.agencies[field.supplier].kind == "mediator"

# The agency that supplied a field gets it back: returning data to its own controller is not a
# disclosure, so it needs no agreement or gateway (identity protection below still applies).
own contains p if {
	some p, f in validate.by_path
	f.supplier == input.recipient
	f.supplier == input.requester.agency
}

housing_staff if config.agencies[input.recipient].kind in config.controls.mediation_barred_kinds

housing_staff if config.agencies[input.requester.agency].kind in config.controls.mediation_barred_kinds

# Complainants are not named to perpetrators (seeds/002 L1208); hearsay "without revealing the
# identity" (seeds/002 L261); "Protection of witnesses will always be given priority" (seeds/002 L316).
bars contains [p, msg] if {
	some p, f in validate.by_path
	identifying(f)
	f.subject_role in config.controls.protected_subject_roles
	input.requester.acting_for in config.controls.perpetrator_side
	msg := sprintf("%v identity is never released to someone acting for the alleged perpetrator (seeds/002 L1208, L261, L316)", [f.subject_role])
}

# Anonymity on request (seeds/000 L433): identity withheld from every partner but the supplier.
bars contains [p, msg] if {
	some p, f in validate.by_path
	identifying(f)
	flag(f, "anonymity_requested")
	f.supplier != input.recipient
	msg := "the person asked for anonymity: identity is withheld from every partner but the supplier (seeds/000 L433)"
}

# "no specific details of the mediation will be shared with housing staff" (seeds/002 L1453).
bars contains [p, msg] if {
	some p, f in validate.by_path
	mediation(f)
	housing_staff
	msg := "mediation details are never shared with housing staff (seeds/002 L1453)"
}

# Police information "in strict confidence"; in evidence only with police agreement (seeds/002 L1357).
bars contains [p, msg] if {
	some p, f in validate.by_path
	f.confidentiality == "strict"
	input.purpose in config.controls.strict_evidence_purposes
	count({1 | own[p]}) == 0
	count({1 | gateways.police_agreed[p]}) == 0
	msg := "police information is supplied in strict confidence: use in evidence needs police agreement on an accepted gateway claim (seeds/002 L1357)"
}

needs contains [p, msg] if {
	some p, f in validate.by_path
	config.categories[f.category].special
	msg := sprintf("special category data (%v) needs a gateway with a DPA 2018 Sch 1 condition or explicit consent", [f.category])
}

# Domestic abuse records are need-to-know (seeds/002 L1976); forwarded "only ... with consent or if
# required by law" (seeds/002 L447).
needs contains [p, msg] if {
	some p, f in validate.by_path
	domestic_abuse(f)
	not input.purpose in config.controls.domestic_abuse_need_to_know_purposes
	msg := "domestic abuse records are need-to-know: only for MARAC or safeguarding, otherwise under a gateway (seeds/002 L1976, L447)"
}

# Young people get extra care (seeds/002 L1038-1042): youth records for GMAP, safeguarding or MARAC.
needs contains [p, msg] if {
	some p, f in validate.by_path
	flag(f, "youth")
	not input.purpose in config.controls.youth_purposes
	msg := "youth records are restricted to GMAP, safeguarding and MARAC, otherwise under a gateway (seeds/002 L1038-1042)"
}

# Referrals to support services and mediators need the person's agreement (seeds/002 L1450, L2026).
consent_only contains p if {
	config.agencies[input.recipient].requires_consent
	some p, f in validate.by_path
	validate.nonempty(f.subject)
}

needs contains [p, msg] if {
	some p in consent_only
	msg := sprintf("%v receives personal data only with the person's consent (seeds/002 L1450, L2026)", [input.recipient])
}

needs contains [p, msg] if {
	some p in consent.refused
	msg := "the person refused consent: only a legal obligation or a child-in-need referral overrides it (seeds/002 L447, L1194)"
}
