"""Repeat victims, perpetrators and locations.

000:L241 defines a repeat address as one with 3 or more complaints. The documents count repeat
victims (49%) and perpetrators (57%) without a threshold (000:L189-195); "repeat" is taken at
its plain meaning, named in that role in 2 or more distinct records. All windows are 12 months,
the period the documents' annual figures cover.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

WINDOW = timedelta(days=365)
REPEAT_PERSON = 2  # 000:L189-195 (plain meaning: more than once)
REPEAT_LOCATION = 3  # 000:L241 "repeat addresses (3 or more complaints)"


def _most_in_window(times: Iterable[datetime]) -> int:
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] > WINDOW:
            start += 1
        best = max(best, end - start + 1)
    return best


def is_repeat_person(times: Iterable[datetime]) -> bool:
    """True when a person was named as victim (or perpetrator) twice within 12 months."""
    return _most_in_window(times) >= REPEAT_PERSON


def is_repeat_location(times: Iterable[datetime]) -> bool:
    return _most_in_window(times) >= REPEAT_LOCATION
