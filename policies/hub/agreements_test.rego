package hub.agreements_test

import rego.v1

import data.hub.agreements
import data.hub.config
import data.hub.fixtures_test as fx

# A lapsed, suspended or unsigned agreement shares nothing (seeds/002 L981). Status is worked out
# for the agreements the recipient signed.
status_for(recipient, role) := fx.request(recipient, role, "asb_case_management", [fx.summary])

test_effective_status if {
	housing := status_for("wcc-housing", "case_officer")
	agreements.status == {"swp-isp": "active"} with input as housing
	peabody := status_for("peabody-rp", "case_officer")
	agreements.status == {"rp-dsa-peabody": "suspended"} with input as peabody
	yot := status_for("wcc-yot", "case_officer")
	agreements.status == {"yot-protocol": "lapsed"} with input as yot
	victim_support := status_for("victim-support", "case_officer")
	agreements.status == {"swp-isp-v4-draft": "unsigned"} with input as victim_support
}

test_active_without_signature_is_unsigned if {
	a := object.union(config.agreements["swp-isp"], {"signed_at": null})
	st := agreements.status with input as fx.base with data.hub.config.agreements as {"x": a}
	st.x == "unsigned"
}

test_past_expiry_is_lapsed if {
	a := object.union(config.agreements["swp-isp"], {"expires_at": "2026-06-30T00:00:00Z"})
	st := agreements.status with input as fx.base with data.hub.config.agreements as {"x": a}
	st.x == "lapsed"
	agreements.ended == {"x"} with input as fx.base with data.hub.config.agreements as {"x": a}
}

test_malformed_date_counts_as_passed if {
	agreements.passed("next spring", 0)
	not agreements.passed(null, 0)
	not agreements.passed("2027-01-01T00:00:00Z", 0)
	agreements.passed("1970-01-01T00:00:00Z", 0)
}

test_now_in_nanoseconds if {
	agreements.now_ns == 1795428000000000000 with input as fx.base
	malformed := object.union(fx.base, {"now": "tomorrow"})
	agreements.now_ns == 0 with input as malformed
	missing := json.remove(fx.base, ["now"])
	agreements.now_ns == 0 with input as missing
}

test_covering_agreement_and_categories if {
	agreements.agreement == "swp-isp" with input as fx.base
	covered := agreements.covered with input as fx.base
	"identity" in covered
	not "ethnicity" in covered
	not agreements.none_covering with input as fx.base
	count(agreements.reasons) == 0 with input as fx.base
	agreements.signed["swp-isp"].purposes[0] == "marac" with input as fx.base
}

test_purpose_outside_agreement if {
	inp := fx.request("nw-icb", "case_officer", "asb_case_management", [fx.summary])
	agreements.none_covering with input as inp
	agreements.covered == set() with input as inp
	rs := agreements.reasons with input as inp
	"no active sharing agreement covers nw-icb for purpose asb_case_management" in rs
	"agreement swp-isp does not cover purpose asb_case_management for nw-icb" in rs
}

test_suspended_agreement_shares_nothing if {
	inp := fx.request("peabody-rp", "case_officer", "asb_case_management", [fx.summary])
	not agreements.agreement with input as inp
	rs := agreements.reasons with input as inp
	"agreement rp-dsa-peabody is suspended as of 2026-11-23T10:00:00Z: it shares nothing" in rs
}

# Family relationships are covered only for GMAP (seeds/002 L890): the same signatory asking
# for another purpose is not covered for them.
test_family_covered_only_for_gmap if {
	gmap := fx.request("met-police", "panel_member", "gmap", [fx.summary])
	"family" in agreements.covered with input as gmap
	"identity" in agreements.covered with input as gmap
	asb := fx.request("met-police", "police_officer", "asb_case_management", [fx.summary])
	not "family" in agreements.covered with input as asb
	housing := fx.request("wcc-housing", "panel_member", "hccp", [fx.summary])
	not "family" in agreements.covered with input as housing
}
