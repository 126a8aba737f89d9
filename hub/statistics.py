"""Depersonalised statistics for the partnership: counts of incidents, never a person.

Relevant authorities must share "certain prescribed information" with one another (CDA 1998
s17A, seeds/002 L987-989), and that information is depersonalised. The counts are grouped by
data category, ward or month, never by anything about a person, and small numbers are
suppressed (ICO Anonymisation code of practice):

* A period is whole calendar months (``YYYY-MM``, at least one): a window of seconds around
  one incident would single it out.
* Every group of the grouping's vocabulary is listed, and a count below the threshold in the
  policy bundle (``purposes.statistics.suppress_below``, 5) is shown as "<5" whether it is 0
  or 1-4, so a group being there or not says nothing.
* No answer gives its total: when no group is suppressed, the sum of the counts would be the
  total (a grouping with one ward, or one month), so the smallest group is suppressed as well
  (shown as ">=5", secondary suppression), and a suppressed count cannot be worked back from
  the others of the same answer. Differencing across periods or groupings remains the
  residual risk docs/policies.md "Statistics" describes.

The counts leave through the one release path (hub/sharing.py ``disclose_fields``) as fields
of category ``statistics`` with no subject: the policy releases them for purpose
``statistics`` to a relevant authority and the request is in the disclosure log.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from domain.contract.schemas import known_types
from hub.application import PartnershipHub
from hub.policy import PolicyEngine
from hub.sharing import Requester, SharedView, disclose_fields
from hub.views.fields import ViewField
from hub.views.incident_counts import IncidentCounts
from policies import bundle

GROUPINGS = ("category", "ward", "month")
SUPPLIER = "partnership"  # the counts are the partnership's, across every agency
PURPOSE = "statistics"
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_MONTHS = 240  # a month grouping lists every month: twenty years at most


class PeriodInvalid(ValueError):
    """The period asked for is not whole calendar months."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, the smallest period counted."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = MONTH.match(text)
        if not match:
            raise PeriodInvalid(f"{text!r} is not a calendar month (YYYY-MM): statistics "
                                "are counted over whole months only")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime) -> Month:
        return cls(moment.year, moment.month)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    """Whole calendar months from ``first`` to ``last``, both counted (None: open)."""

    first: Month | None
    last: Month | None

    @classmethod
    def parse(cls, since: str | None, until: str | None) -> Period:
        period = cls(Month.parse(since) if since else None,
                     Month.parse(until) if until else None)
        if period.first and period.last and period.last < period.first:
            raise PeriodInvalid(f"until {period.last} is before since {period.first}: a "
                                "period is at least one calendar month")
        return period

    def holds(self, month: Month) -> bool:
        return ((self.first is None or month >= self.first)
                and (self.last is None or month <= self.last))

    def __str__(self) -> str:
        return f"{self.first or ''}..{self.last or ''}"


def threshold() -> int:
    """The smallest count shown as itself (policy bundle, purposes.statistics)."""
    return int(bundle().data["hub"]["config"]["purposes"][PURPOSE]["suppress_below"])


@cache
def incident_categories() -> tuple[str, ...]:
    """Every category an incident can have (the incident.reported schemas' vocabulary)."""
    found: set[str] = set()
    for (event_type, _), schema in known_types().items():
        if event_type == "incident.reported":
            found.update(schema.get("$defs", {}).get("category", {}).get("enum", []))
    return tuple(sorted(found))


def vocabulary(counts: IncidentCounts, group_by: str, period: Period,
               now: datetime) -> list[str]:
    """Every group listed for the grouping, whatever the period holds, so a group's absence
    tells nothing: the categories of the schema, every ward any incident ever named, every
    month of the period (an open period runs from the first incident's month to now)."""
    held = counts.groups(group_by)
    if group_by == "category":
        return sorted(set(incident_categories()) | set(held))
    if group_by == "ward":
        return held
    months = [Month.parse(m) for m in held]
    first = period.first or min(months, default=Month.of(now))
    last = period.last or max([Month.of(now), *months])
    listed: list[str] = []
    month = first
    while month <= last:
        listed.append(str(month))
        if len(listed) > MAX_MONTHS:
            raise PeriodInvalid(f"a month grouping lists at most {MAX_MONTHS} months: give "
                                "since and until")
        month = month.next()
    return listed


def incident_counts(app: PartnershipHub, group_by: str, period: Period,
                    now: datetime | None = None) -> dict[str, int]:
    """Incidents that occurred in the period's months, counted for every group of the
    grouping's vocabulary (zero included), from the incident_counts view."""
    view = IncidentCounts.of(app)
    counted = view.counts(group_by, str(period.first) if period.first else None,
                          str(period.last) if period.last else None)
    groups = vocabulary(view, group_by, period, now or datetime.now(UTC))
    return {g: counted.get(g, 0) for g in groups}


def suppressed(counts: dict[str, int], below: int) -> dict[str, int | str]:
    """Counts below ``below`` as "<below" (zero too); and when none is, the smallest as
    ">=below", so the total of an answer is never given."""
    shown: dict[str, int | str] = {g: (n if n >= below else f"<{below}")
                                   for g, n in sorted(counts.items())}
    if shown and all(isinstance(n, int) for n in shown.values()):
        smallest = min(counts, key=lambda g: (counts[g], g))
        shown[smallest] = f">={below}"
    return shown


def count_path(group: str) -> str:
    """A field path for a group that is unique and stable: a readable ASCII slug plus a short
    hash of the whole label, so labels differing only in punctuation ("Queen's Park",
    "Queen’s Park") are two paths, not one (the policy refuses duplicate paths)."""
    slug = "".join(c if c.isascii() and c.isalnum() else "_" for c in group).strip("_")
    digest = hashlib.sha256(group.encode("utf-8")).hexdigest()[:10]
    return f"counts.{slug or 'group'}_{digest}"


def disclose_statistics(app: PartnershipHub, engine: PolicyEngine, requester: Requester, *,
                        group_by: str, period: Period,
                        now: datetime | None = None) -> tuple[SharedView, dict[str, str]]:
    """The counts, decided by the policy and recorded like any disclosure. Returns the shared
    view and the group each released path stands for."""
    below = threshold()
    shown = suppressed(incident_counts(app, group_by, period, now), below)
    paths = {g: count_path(g) for g in shown}
    # The grouping itself is a field too, so a period with nothing to count is still a
    # decided, recorded request (the policy refuses a record without fields).
    fields = [ViewField("grouping", group_by, "statistics", SUPPLIER),
              *(ViewField(paths[g], n, "statistics", SUPPLIER) for g, n in shown.items())]
    shared = disclose_fields(app, engine, requester, record_kind="statistics",
                             record_ref=f"incidents:{group_by}:{period}", supplier=SUPPLIER,
                             subjects=[], fields=fields, purpose=PURPOSE, now=now)
    return shared, {p: g for g, p in paths.items()}
