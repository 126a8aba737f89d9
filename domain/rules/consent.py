"""What a consent record may say: checked the same way for every way in (agency events, API).

Consent is asked for where the partnership's procedures share only with the person's agreement:
domestic abuse information "only ... with consent or if required by law" (seeds/002 L447),
confidential information outside the duties to report (L1194), the mediation data consent form
(L1451), the consent form at every domestic abuse interview (L1988-1990), the MARAC referral
form (L2022) and the referral to ADVANCE, the IDVA service (L2026). The words a record may use
(purposes, agencies, kinds of agency, data categories, methods that evidence explicit consent)
are the policy bundle's (policies/hub/config), passed in as a ``Vocabulary``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.contract.schemas import EARLIEST_YEAR, LATEST_YEAR
from domain.model.consent import GIVERS, METHODS
from domain.model.errors import DomainRefused

# Clocks differ: a record dated a little after it arrived is taken as it is.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Vocabulary:
    """The bundle's words: purpose ids, agency id -> kind, data categories (and which are
    special category data), and the methods that can evidence explicit consent."""

    purposes: frozenset[str]
    agency_kinds: Mapping[str, str]
    categories: frozenset[str]
    special_categories: frozenset[str]
    explicit_methods: frozenset[str]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self.agency_kinds.values())


class TermsRefused(DomainRefused):
    """A consent record that says something the hub cannot hold; ``field`` names the part."""

    def __init__(self, reason: str, field: str, message: str) -> None:
        super().__init__(reason, message)
        self.field = field


def _unknown(values: Iterable[str], known: Iterable[str], reason: str, field: str,
             what: str) -> None:
    known = sorted(set(known))
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise TermsRefused(reason, field, f"unknown {what} {', '.join(map(repr, unknown))}; "
                                          f"known: {', '.join(known)}")


def check_terms(*, refused: bool, method: str, given_by: str, collected_at: datetime,
                expires_at: datetime | None, scope: Mapping[str, Any], vocabulary: Vocabulary,
                received_at: datetime) -> None:
    """Raise TermsRefused naming the first thing wrong with a consent (or refusal) record.

    ``scope`` holds purposes (None on a refusal: every purpose), recipients (agency ids),
    recipient_kinds, categories and explicit. A refusal may name any scope; consent given
    must name at least one purpose, recipient (or kind of recipient) and category.
    """
    if method not in METHODS:
        raise TermsRefused("unknown-method", "method",
                           f"unknown method {method!r}; known: {', '.join(METHODS)}")
    if given_by not in GIVERS:
        raise TermsRefused("unknown-giver", "given_by",
                           f"unknown giver {given_by!r}; known: {', '.join(GIVERS)}")
    purposes = scope.get("purposes")
    _unknown(purposes or (), vocabulary.purposes, "unknown-purpose", "purposes", "purpose")
    _unknown(scope.get("recipients", ()), vocabulary.agency_kinds, "unknown-recipient",
             "recipients", "recipient agency")
    _unknown(scope.get("recipient_kinds", ()), vocabulary.kinds, "unknown-recipient-kind",
             "recipient_kinds", "kind of agency")
    categories = set(scope.get("categories", ()))
    _unknown(categories, vocabulary.categories, "unknown-category", "categories",
             "data category")
    for field, moment in (("collected_at", collected_at), ("expires_at", expires_at)):
        if moment is not None and not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise TermsRefused("date-out-of-range", field,
                               f"{field} must fall in the years {EARLIEST_YEAR}-{LATEST_YEAR}")
    if collected_at > received_at + CLOCK_SKEW:
        raise TermsRefused("collected-in-future", "collected_at",
                           f"collected_at {collected_at.isoformat()} is after the record was "
                           f"sent ({received_at.isoformat()}); give the time it was collected")
    if expires_at is not None and expires_at <= collected_at:
        raise TermsRefused("expiry-before-collection", "expires_at",
                           f"expires_at {expires_at.isoformat()} is not after collected_at "
                           f"{collected_at.isoformat()}: a consent must expire after it is "
                           "given (leave expires_at out for no expiry)")
    if refused:
        return
    if not purposes:
        raise TermsRefused("no-purpose", "purposes", "consent must name at least one purpose")
    if not scope.get("recipients") and not scope.get("recipient_kinds"):
        raise TermsRefused("no-recipient", "recipients", "consent must name at least one "
                           "recipient agency or kind of agency")
    if not categories:
        raise TermsRefused("no-category", "categories",
                           "consent must name at least one data category")
    explicit = bool(scope.get("explicit"))
    special = sorted(categories & vocabulary.special_categories)
    if special and not explicit:
        raise TermsRefused(
            "special-category-not-explicit", "explicit",
            f"{', '.join(special)} is special category data: consent to share it must be "
            "explicit (UK GDPR Art 9(2)(a)); set explicit and record it in writing, by "
            "electronic signature or as a recorded verbal consent")
    if explicit and method not in vocabulary.explicit_methods:
        raise TermsRefused(
            "explicit-needs-record", "method",
            f"explicit consent must be evidenced by one of "
            f"{', '.join(sorted(vocabulary.explicit_methods))}; {method!r} cannot evidence it")


def check_withdrawal(*, collected_at: datetime, withdrawn_at: datetime,
                     received_at: datetime) -> None:
    """A withdrawal takes effect when it is made: not before the consent, not in the future."""
    if withdrawn_at < collected_at:
        raise TermsRefused("withdrawn-before-collected", "withdrawn_at",
                           f"withdrawn_at {withdrawn_at.isoformat()} is before the consent was "
                           f"collected ({collected_at.isoformat()})")
    if withdrawn_at > received_at + CLOCK_SKEW:
        raise TermsRefused("withdrawn-in-future", "withdrawn_at",
                           f"withdrawn_at {withdrawn_at.isoformat()} is after the withdrawal "
                           f"was sent ({received_at.isoformat()}); a withdrawal takes effect "
                           "when it is made")
