"""The words a consent record may use, read from the policy bundle the decisions use, so a
consent can never name a purpose, agency or category the policy does not know."""

from __future__ import annotations

from functools import cache

from domain.rules.consent import Vocabulary
from policies import bundle


@cache
def vocabulary() -> Vocabulary:
    config = bundle().data["hub"]["config"]
    categories = config["categories"]
    return Vocabulary(
        purposes=frozenset(config["purposes"]),
        agency_kinds={agency: str(doc.get("kind", "other"))
                      for agency, doc in config["agencies"].items()},
        categories=frozenset(categories),
        special_categories=frozenset(c for c, doc in categories.items() if doc.get("special")),
        explicit_methods=frozenset(config["controls"]["explicit_consent_methods"]))


def agency_names() -> dict[str, str]:
    return {agency: str(doc.get("name", agency))
            for agency, doc in bundle().data["hub"]["config"]["agencies"].items()}
