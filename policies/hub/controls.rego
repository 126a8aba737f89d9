# Supplier controls and identity protection, per field kind: reasons by kind id.
# "bars" are absolute (no gateway lifts them); "needs" make a field need a lawful basis beyond the
# agreement (an accepted gateway claim or a consent record).
#
# Each rule first checks what holds for the whole request (purpose, recipient, which categories
# and suppliers are present), so a rule that cannot apply costs nothing per kind.
# A flag counts as set unless it is false (`k.flags.x != false`), so a flag holding anything but
# true or false restricts the field rather than being ignored.
package hub.controls

import rego.v1

import data.hub.config

recipient_kind := data.hub.validate.recipient_agency.kind

requester_kind := data.hub.validate.requester_agency_entry.kind

# The agency that supplied a field gets it back: returning data to its own controller is not a
# disclosure, so it needs no agreement or gateway (identity protection below still applies).
own contains id if {
	data.hub.validate.recipient == data.hub.validate.requester_agency
	recipient := data.hub.validate.recipient
	recipient in data.hub.validate.present_suppliers
	some id, k in data.hub.validate.kinds
	k.supplier == recipient
}

housing_staff if recipient_kind in config.controls.mediation_barred_kinds

housing_staff if requester_kind in config.controls.mediation_barred_kinds

perpetrator_side if data.hub.validate.acting_for in config.controls.perpetrator_side

witness_side if data.hub.validate.acting_for in config.controls.witness_side

identifying := {c | some c in config.controls.identifying_categories}

mediators := {a | some a, agency in config.agencies; agency.kind == "mediator"}

# Complainants are not named to perpetrators (seeds/002 L1208); hearsay "without revealing the
# identity" (seeds/002 L261); "Protection of witnesses will always be given priority" (seeds/002 L316).
bars[id] contains msg if {
	perpetrator_side
	identity := identifying
	protected := {r | some r in config.controls.protected_subject_roles}
	some id, k in data.hub.validate.kinds
	k.category in identity
	k.subject_role in protected
	msg := sprintf("%v identity is never released to someone acting for the alleged perpetrator (seeds/002 L1208, L261, L316)", [k.subject_role])
}

# Beyond identity: nothing about a complainant or witness reaches the perpetrator's side but free
# text (`perpetrator_side_free_text_categories`, whose names hub/sharing.py redacts). Their health,
# hate motivations, DASH answers, risk, offences and family would identify or expose them
# (seeds/002 L1208 "the perpetrator may at some stage guess", L261, L316 "Protection of witnesses
# will always be given priority"). Categories outside the list are withheld: fail closed.
bars[id] contains msg if {
	perpetrator_side
	identity := identifying
	free_text := {c | some c in config.controls.perpetrator_side_free_text_categories}
	protected := {r | some r in config.controls.protected_subject_roles}
	some id, k in data.hub.validate.kinds
	k.subject_role in protected
	not k.category in free_text
	not k.category in identity
	msg := sprintf("nothing about a %v but redacted free text is released to someone acting for the alleged perpetrator (seeds/002 L1208, L261, L316)", [k.subject_role])
}

# Anonymity on request (seeds/000 L433) on the perpetrator's side: as for a complainant, nothing
# but redacted free text, whatever the person's role and whoever supplied it.
bars[id] contains "the person asked for anonymity: nothing about them but redacted free text is released to someone acting for the alleged perpetrator (seeds/000 L433, seeds/002 L1208)" if {
	perpetrator_side
	free_text := {c | some c in config.controls.perpetrator_side_free_text_categories}
	some id, k in data.hub.validate.kinds
	k.flags.anonymity_requested != false
	not k.category in free_text
}

# Anonymity on request (seeds/000 L433): identity withheld from every partner but the supplier.
bars[id] contains "the person asked for anonymity: identity is withheld from every partner but the supplier (seeds/000 L433)" if {
	identity := identifying
	count(data.hub.validate.present_categories & identity) > 0
	recipient := data.hub.validate.recipient
	some id, k in data.hub.validate.kinds
	k.flags.anonymity_requested != false
	k.category in identity
	k.supplier != recipient
}

# Witnesses are told an eviction "has been scheduled, without giving the precise date", and told
# after it has taken place (seeds/002 L1728): the hub flags a scheduled enforcement date as
# pending until the day has passed, and it is withheld from anyone acting for a witness or
# complainant until then (the supplier too: the rule is about who it reaches).
bars[id] contains "a scheduled enforcement date is not given to witnesses or complainants before it has taken place (seeds/002 L1728)" if {
	witness_side
	some id, k in data.hub.validate.kinds
	k.flags.enforcement_pending != false
}

# "no specific details of the mediation will be shared with housing staff" (seeds/002 L1453):
# the mediation category, or anything a mediator supplied.
bars[id] contains mediation_bar if {
	housing_staff
	"mediation" in data.hub.validate.present_categories
	some id, k in data.hub.validate.kinds
	k.category == "mediation"
}

bars[id] contains mediation_bar if {
	housing_staff
	mediating := mediators
	count(data.hub.validate.present_suppliers & mediating) > 0
	some id, k in data.hub.validate.kinds
	k.supplier in mediating
}

mediation_bar := "mediation details are never shared with housing staff (seeds/002 L1453)"

# Police information "in strict confidence"; in evidence only with police agreement (seeds/002 L1357).
bars[id] contains "police information is supplied in strict confidence: use in evidence needs police agreement on an accepted gateway claim (seeds/002 L1357)" if {
	data.hub.validate.purpose in config.controls.strict_evidence_purposes
	returned := own
	agreed := data.hub.gateways.police_agreed
	some id, k in data.hub.validate.kinds
	k.confidentiality == "strict"
	not id in returned
	not k.category in agreed
}

# A purpose whose statute supplies a Sch 1 condition (MAPPA: the duty to co-operate, CJA 2003
# s325, is a function conferred by an enactment, Sch 1 para 6) needs no further one, for the
# people that function is about (MAPPA: the offender whose risk is managed); null if none.
statutory_purpose := object.get(config.purposes, [data.hub.validate.purpose], {})

statutory_condition := object.get(statutory_purpose, "sch1_condition", null)

statutory_roles := {r | some r in object.get(statutory_purpose, "sch1_subject_roles", [])}

# Anyone else's special category or offence data (a victim's health asked for under MAPPA)
# still needs a claim naming a condition or the person's consent.
statutorily_covered(k) if {
	statutory_condition != null
	object.get(k, "subject_role", null) in statutory_roles
}

needs[id] contains msg if {
	special := data.hub.validate.special_categories
	count(data.hub.validate.present_categories & special) > 0
	some id, k in data.hub.validate.kinds
	k.category in special
	not statutorily_covered(k)
	msg := sprintf("special category data (%v) needs a gateway with a DPA 2018 Sch 1 condition or explicit consent", [k.category])
}

# Criminal offence data: "only under the control of official authority or when ... authorised by
# domestic law" (UK GDPR Art 10), i.e. a DPA 2018 Sch 1 condition (s10(5)): a claim naming one
# (para 10, para 18) or the person's consent (Sch 1 para 29, which need not be explicit).
needs[id] contains msg if {
	offences := data.hub.validate.offence_categories
	count(data.hub.validate.present_categories & offences) > 0
	some id, k in data.hub.validate.kinds
	k.category in offences
	not statutorily_covered(k)
	msg := sprintf("criminal offence data (%v) needs a gateway with a DPA 2018 Sch 1 condition or the person's consent (UK GDPR Art 10; DPA 2018 s10(5))", [k.category])
}

# Domestic abuse records (by category or flag) are need-to-know (seeds/002 L1976); forwarded
# "only ... with consent or if required by law" (seeds/002 L447).
needs[id] contains domestic_abuse_need if {
	not data.hub.validate.purpose in config.controls.domestic_abuse_need_to_know_purposes
	"domestic_abuse" in data.hub.validate.present_categories
	some id, k in data.hub.validate.kinds
	k.category == "domestic_abuse"
}

needs[id] contains domestic_abuse_need if {
	not data.hub.validate.purpose in config.controls.domestic_abuse_need_to_know_purposes
	some id, k in data.hub.validate.kinds
	k.flags.domestic_abuse != false
}

domestic_abuse_need := "domestic abuse records are need-to-know: only for MARAC or safeguarding, otherwise under a gateway (seeds/002 L1976, L447)"

# Young people get extra care (seeds/002 L1038-1042): youth records for GMAP, safeguarding or MARAC.
needs[id] contains "youth records are restricted to GMAP, safeguarding and MARAC, otherwise under a gateway (seeds/002 L1038-1042)" if {
	not data.hub.validate.purpose in config.controls.youth_purposes
	some id, k in data.hub.validate.kinds
	k.flags.youth != false
}

# Domestic abuse information from the council's services "will only be forwarded to other agencies
# with consent or if required by law", a child in need excepted (seeds/002 L447): outside MARAC,
# such a field is released only on the person's consent or a gateway that overrides a refusal.
consent_gated contains id if {
	gate := config.controls.consent_gated_domestic_abuse
	not data.hub.validate.purpose in gate.except_purposes
	kinds := {a | some a, agency in config.agencies; agency.kind in gate.supplier_kinds}
	some id, k in data.hub.validate.kinds
	k.supplier in kinds
	k.category == "domestic_abuse"
}

consent_gated contains id if {
	gate := config.controls.consent_gated_domestic_abuse
	not data.hub.validate.purpose in gate.except_purposes
	kinds := {a | some a, agency in config.agencies; agency.kind in gate.supplier_kinds}
	some id, k in data.hub.validate.kinds
	k.supplier in kinds
	k.flags.domestic_abuse != false
}

needs[id] contains "domestic abuse information from the council is forwarded only with the person's consent or if required by law; a child in need is the exception (seeds/002 L447)" if {
	some id in consent_gated
}

# Referrals to support services and mediators need the person's agreement (seeds/002 L1451, L2026).
consent_only contains id if {
	data.hub.validate.recipient_agency.requires_consent == true
	some id, k in data.hub.validate.kinds
	is_string(k.subject)
	k.subject != ""
}

needs[id] contains msg if {
	msg := sprintf("%v receives personal data only with the person's consent (seeds/002 L1451, L2026)", [data.hub.validate.recipient])
	some id in consent_only
}

# The facts of a record about people with no subject of their own (case reference, category,
# dates, ward) tell a consent-only recipient that those people have, say, a domestic abuse case:
# they are personal data of the record's people (seeds/002 L1451, L2026). So they go only when a
# person of the record has a live consent for this recipient and purpose that carries one of
# their own fields here (not refused, not barred); a record about nobody is not covered. Rules
# of their own, apart from the field-by-field rule above (docs/policies.md stage 8).
consent_only contains id if {
	data.hub.validate.recipient_agency.requires_consent == true
	count(data.hub.consent.subjects) > 0
	not person_consented
	some id, k in data.hub.validate.kinds
	not object.get(k, "subject", null) in data.hub.consent.subjects
}

needs[id] contains msg if {
	data.hub.validate.recipient_agency.requires_consent == true
	count(data.hub.consent.subjects) > 0
	not person_consented
	msg := sprintf("the facts of a record about people go to %v only when one of them consented to it for this purpose (seeds/002 L1451, L2026)", [data.hub.validate.recipient])
	some id, k in data.hub.validate.kinds
	not object.get(k, "subject", null) in data.hub.consent.subjects
}

# Some person of the record has a consent on file that releases one of their fields to this
# recipient for this purpose (consent.rego bases), neither refused nor barred.
default person_consented := false

person_consented if {
	count(data.hub.validate.consents) > 0
	barred := {id | some id, _ in bars}
	refusing := {id | some id in refused}
	some id, bs in data.hub.consent.bases
	count(bs) > 0
	not id in barred
	not id in refusing
}

# A refusal of consent by the person (see consent.rego) withholds their fields.
refused contains id if {
	count(data.hub.validate.consents) > 0
	refusing := data.hub.consent.refused
	count(refusing) > 0
	some id, k in data.hub.validate.kinds
	k.subject in refusing
}

needs[id] contains "the person refused consent: only a legal obligation or a child-in-need referral overrides it (seeds/002 L447, L1194)" if {
	some id in refused
}

# -- purposes and recipients (purposes data, config.recipients) ----------------------------------

purpose_definition := object.get(config.purposes, data.hub.validate.purpose, {})

# MAPPA: the council "has a duty to cooperate with the Responsible Authorities, but only to the
# extent that it is compatible with existing statutory duties" (seeds/002 L898): what any of the
# council's services supplied (housing, ASB, children's and adults' social care...) goes only in
# the categories the purpose lists.
bars[id] contains msg if {
	cooperation := object.get(purpose_definition, "cooperation", null)
	cooperation != null
	suppliers := {a |
		some a, agency in config.agencies
		object.get(agency, "controller", null) in cooperation.controllers
	}
	some id, k in data.hub.validate.kinds
	k.supplier in suppliers
	not k.category in cooperation.categories
	msg := sprintf("the council cooperates with MAPPA only as far as its statutory duties allow (seeds/002 L898): %v supplied by %v is not shared for it", [k.category, k.supplier])
}

# Handing over to someone else (a referral, a court, the public): only the controller that holds
# the data hands it over; another partner's data is that partner's to disclose. Agencies of one
# controller (the council's services) count as one.
bars[id] contains msg if {
	object.get(purpose_definition, "handover", false) == true
	recipient := data.hub.validate.recipient
	recipient != data.hub.validate.requester_agency
	controllers := {a: object.get(agency, "controller", a) | some a, agency in config.agencies}
	mine := object.get(controllers, data.hub.validate.requester_agency, data.hub.validate.requester_agency)
	some id, k in data.hub.validate.kinds
	object.get(controllers, k.supplier, k.supplier) != mine
	msg := sprintf("only the agency that holds the data hands it over to %v: %v supplied it and discloses its own data", [recipient, k.supplier])
}

# A recipient outside the protocol has no agreement to rely on: every field needs one of the
# gateways its entry lists (seeds/002 L970, L1042).
needs[id] contains msg if {
	gateways := object.get(data.hub.validate.outside_recipient, "gateways", null)
	gateways != null
	msg := sprintf("%v is outside the protocol: released only under %v (seeds/002 L970)", [data.hub.validate.recipient, gateways])
	some id, _ in data.hub.validate.kinds
}

# Publicity is about perpetrators (seeds/002 L1034-1038): a field about anyone else is never
# published.
bars[id] contains msg if {
	roles := object.get(data.hub.validate.outside_recipient, "subject_roles", null)
	roles != null
	some id, k in data.hub.validate.kinds
	k.subject != null
	not k.subject_role in roles
	msg := sprintf("%v is told only about people in the role %v: this field is never released to it (seeds/002 L1034-1040)", [data.hub.validate.recipient, roles])
}

# "must pay particular attention where young persons are involved" (seeds/002 L1040): a youth
# record needs a recorded justification on an accepted claim.
bars[id] contains "young person: publicity needs a recorded youth_justification on an accepted claim (seeds/002 L1040)" if {
	object.get(purpose_definition, "youth_needs_justification", false) == true
	not data.hub.gateways.youth_justified
	some id, k in data.hub.validate.kinds
	k.flags.youth != false
}

# Statistics are depersonalised (CDA 1998 s17A, seeds/002 L987-989): nothing about a person.
bars[id] contains "statistics are depersonalised: a field about a person is never released for them (seeds/002 L987-989)" if {
	object.get(purpose_definition, "depersonalised", false) == true
	some id, k in data.hub.validate.kinds
	k.subject != null
}
