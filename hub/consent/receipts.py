"""A consent record as a Kantara Initiative Consent Receipt (Specification v1.1.0).

The receipt is what the person can be given as evidence of what they agreed to: who collected
it (``piiControllers``), when (``consentTimestamp``, seconds since the epoch), how
(``collectionMethod``), about whom (``piiPrincipalId``: the match key, never a name), and per
purpose (one ``service`` each) the categories of data, whether the consent is explicit, when it
ends and to whom data may go (``thirdPartyName``). ``purposeCategory`` and ``piiCategory`` use
the partnership's own vocabulary (policies/hub/config). A refusal is not consent, so it has no
receipt (its record is available as it is). Fields the hub does not hold (controller address,
e-mail, phone, policy URL, public key) are left out rather than invented. docs/consent.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.model.consent import EXPIRED, WITHDRAWN, Consent, iso
from policies import bundle

VERSION = "KI-CR-v1.1.0"
JURISDICTION = "GB"  # UK GDPR and the Data Protection Act 2018
COLLECTION = {"verbal": "verbal consent given to an officer",
              "recorded_verbal": "verbal consent, recorded",
              "written": "written consent form",
              "electronic_signature": "electronic signature",
              "portal": "recorded by the person through an online portal"}


class NoReceipt(ValueError):
    """The record is a refusal of consent."""


def _termination(consent: Consent, now: datetime) -> str:
    status = consent.status_at(now)
    if status == WITHDRAWN and consent.withdrawal is not None:
        return f"withdrawn at {iso(consent.withdrawn_at)}: {consent.withdrawal['reason']}"
    if status == EXPIRED:
        return f"expired at {iso(consent.expires_at)}"
    until = f"at {iso(consent.expires_at)}, or " if consent.expires_at else ""
    where = "any partner agency" if consent.subject_recorded else consent.agency
    return f"{until}when withdrawn (tell {where})"


def receipt(consent: Consent, now: datetime) -> dict[str, Any]:
    if consent.refused:
        raise NoReceipt(f"{consent.consent_id} records a refusal of consent, not consent: there "
                        "is no consent receipt for it; GET /v1/consents/{consent_id} gives "
                        "the record")
    config = bundle().data["hub"]["config"]
    agencies, purposes, categories = (config["agencies"], config["purposes"],
                                      config["categories"])
    scope = consent.scope
    third_parties = [agencies.get(a, {}).get("name", a) for a in scope["recipients"]] + [
        f"any {kind.replace('_', ' ')} agency of the partnership"
        for kind in scope["recipient_kinds"]]
    pii = [categories[c]["title"] for c in scope["categories"] if c in categories]
    special = [categories[c]["title"] for c in scope["categories"]
               if categories.get(c, {}).get("special")]
    controller = agencies.get(consent.agency, {}).get("name", consent.agency)
    method = COLLECTION.get(consent.method, consent.method)
    if consent.given_by != "subject":
        method += f", given by a person with {consent.given_by.replace('_', ' ')}"
    return {
        "version": VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(consent.collected_at.timestamp()),
        "collectionMethod": method,
        "consentReceiptID": str(consent.id),
        "language": "en",
        "piiPrincipalId": consent.subject,
        "piiControllers": [{"piiController": controller, "onBehalf": False,
                            "contact": consent.collected_by.get("officer") or controller}],
        "services": [{
            "service": purposes.get(p, {}).get("title", p),
            "purposes": [{
                "purpose": f"sharing with partner agencies for {p.replace('_', ' ')}",
                "purposeCategory": [p],
                "consentType": "EXPLICIT" if scope["explicit"] else "IMPLICIT",
                "piiCategory": pii,
                "primaryPurpose": True,
                "termination": _termination(consent, now),
                "thirdPartyDisclosure": True,
                "thirdPartyName": "; ".join(third_parties),
            }]} for p in scope["purposes"]],
        "sensitive": bool(special),
        "spiCat": special,
    }
