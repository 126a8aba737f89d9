"""ASB Case Review (formerly the Community Trigger, 001:L369) eligibility.

Threshold: 3 reports of ASB within 6 months to police, housing or council (000:L477, 003:L512,
002:L1263), counted across those agencies. Each report counts only if made within one month of
the incident it reports (the Home Office statutory guidance's condition, as the issue states).
"Six months" is calendar months, inclusive of the day six months after the first report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.rules.calendar import add_months

THRESHOLD_REPORTS = 3  # 000:L477
WINDOW_MONTHS = 6  # 000:L477
REPORT_WITHIN = timedelta(days=31)  # one month of the incident (issue 3; statutory guidance)
QUALIFYING_AGENCY_KINDS = frozenset({"police", "housing", "council"})  # 000:L477


@dataclass(frozen=True)
class Report:
    agency: str
    agency_kind: str  # police / housing / council / other
    reported_at: datetime
    occurred_at: datetime


def qualifying(report: Report) -> bool:
    return (report.agency_kind in QUALIFYING_AGENCY_KINDS
            and timedelta(0) <= report.reported_at - report.occurred_at <= REPORT_WITHIN)


def eligible_window(reports: Iterable[Report]) -> list[Report] | None:
    """The first 3 qualifying reports within 6 months of each other, or None."""
    found = sorted((r for r in reports if qualifying(r)), key=lambda r: r.reported_at)
    for i in range(len(found) - THRESHOLD_REPORTS + 1):
        window = found[i:i + THRESHOLD_REPORTS]
        if window[-1].reported_at <= add_months(window[0].reported_at, WINDOW_MONTHS):
            return window
    return None


def is_eligible(reports: Iterable[Report]) -> bool:
    return eligible_window(reports) is not None
