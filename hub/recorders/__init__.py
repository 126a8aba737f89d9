"""Recorders turn one verified agency event into the domain aggregates it changes.

One module per event family; each exposes ``RECORDERS``: event type -> function taking a
loader (aggregate id -> aggregate or None) and the envelope, returning the aggregates with
pending events. Recorders read and decide; the application stores, with the Kafka position.
"""

from __future__ import annotations

from hub.recorders import case_lifecycle, cases, consents, family, incidents, matching
from hub.recorders.base import Recorder, RecordRefused
from hub.recorders.subjects import with_subjects

RECORDERS: dict[str, Recorder] = {
    **incidents.RECORDERS, **cases.RECORDERS, **case_lifecycle.RECORDERS, **matching.RECORDERS,
    **consents.RECORDERS, **family.RECORDERS}
# Places and possible person matches are linked beside the records that name them.
for _type, _kind in (("incident.reported", "incident"), ("case.opened", "case"),
                     ("case.party.added", "case")):
    RECORDERS[_type] = with_subjects(_kind, RECORDERS[_type])

__all__ = ["RECORDERS", "RecordRefused", "Recorder"]
