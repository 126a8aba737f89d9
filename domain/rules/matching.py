"""When two person records might be the same person: proposed, never merged automatically.

Besides the full match key (name + date of birth), a party may carry ``name_key`` (HMAC of
the normalised name alone) and ``dob_key`` (HMAC of the date of birth alone). Rule: the same
name key with a different date-of-birth key is a *possible* match (a mistyped or unknown date
of birth is the commonest reason two agencies' keys differ); a person confirms or rejects it.
Same DOB with a different name is not proposed: in a borough of 200,000 it is mostly chance.
"""

from __future__ import annotations

from domain.contract.matchkeys import dob_key, name_key

__all__ = ["SAME_NAME_DIFFERENT_DOB", "dob_key", "name_key", "possible_match"]

SAME_NAME_DIFFERENT_DOB = "same_name_different_dob"


def possible_match(a_name_key: str, a_dob_key: str | None, b_name_key: str,
                   b_dob_key: str | None) -> str | None:
    """The rule that makes two differently keyed records a possible match, or None."""
    if a_name_key == b_name_key and a_dob_key != b_dob_key:
        return SAME_NAME_DIFFERENT_DOB
    return None
