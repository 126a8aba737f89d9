"""Depersonalised statistics for the partnership: counts of incidents, never a person.

Relevant authorities must share "certain prescribed information" with one another (CDA 1998
s17A, seeds/002 L987-989), and that information is depersonalised. The counts are grouped by
data category, ward or month, never by anything about a person, and small numbers are
suppressed: a count below the threshold in the policy bundle (``purposes.statistics.
suppress_below``, 5) is shown as "<5", because a count of one or two in a ward and a month can
point at a household (ICO Anonymisation code of practice). No total is given, so a suppressed
count cannot be worked back from the others.

The counts leave through the one release path (hub/sharing.py ``disclose_fields``) as fields
of category ``statistics`` with no subject: the policy releases them for purpose
``statistics`` to a relevant authority and the request is in the disclosure log.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic

from domain.model.incident import Incident
from hub.application import PartnershipHub, Unreadable
from hub.policy import PolicyEngine
from hub.sharing import Requester, SharedView, disclose_fields
from hub.views.fields import ViewField
from policies import bundle

GROUPINGS = ("category", "ward", "month")
SUPPLIER = "partnership"  # the counts are the partnership's, across every agency
PURPOSE = "statistics"


def threshold() -> int:
    """The smallest count shown as itself (policy bundle, purposes.statistics)."""
    return int(bundle().data["hub"]["config"]["purposes"][PURPOSE]["suppress_below"])


def _group(event: Any, group_by: str) -> str:
    if group_by == "category":
        return str(event.category)
    if group_by == "ward":
        return str((event.location or {}).get("ward") or "unknown")
    return event.occurred_at.strftime("%Y-%m")


def incident_counts(app: PartnershipHub, group_by: str, since: datetime | None,
                    until: datetime | None) -> Counter[str]:
    """Incidents that occurred in [since, until), counted by group (the latest version of
    each incident counts once). An unreadable record is not counted."""
    latest: dict[Any, Any] = {}
    for event in app.records([get_topic(Incident.Reported)]):
        if isinstance(event, Unreadable):
            continue
        latest[event.originator_id] = event
    return Counter(_group(e, group_by) for e in latest.values()
                   if (since is None or e.occurred_at >= since)
                   and (until is None or e.occurred_at < until))


def suppressed(counts: Counter[str], below: int) -> dict[str, int | str]:
    return {group: (n if n >= below else f"<{below}") for group, n in sorted(counts.items())}


def _path(group: str) -> str:
    return "counts." + "".join(c if c.isalnum() or c in "-_" else "_" for c in group)


def disclose_statistics(app: PartnershipHub, engine: PolicyEngine, requester: Requester, *,
                        group_by: str, since: datetime | None, until: datetime | None,
                        now: datetime | None = None) -> tuple[SharedView, dict[str, str]]:
    """The counts, decided by the policy and recorded like any disclosure. Returns the shared
    view and the group each released path stands for."""
    below = threshold()
    shown = suppressed(incident_counts(app, group_by, since, until), below)
    # The grouping itself is a field too, so a period with nothing to count is still a
    # decided, recorded request (the policy refuses a record without fields).
    fields = [ViewField("grouping", group_by, "statistics", SUPPLIER),
              *(ViewField(_path(g), n, "statistics", SUPPLIER) for g, n in shown.items())]
    period = f"{since.isoformat() if since else ''}..{until.isoformat() if until else ''}"
    shared = disclose_fields(app, engine, requester, record_kind="statistics",
                             record_ref=f"incidents:{group_by}:{period}", supplier=SUPPLIER,
                             subjects=[], fields=fields, purpose=PURPOSE, now=now)
    return shared, {_path(g): g for g in shown}
