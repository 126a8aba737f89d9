"""``match.decided``: a person confirms, rejects or undoes a proposed match.

Confirming merges the second person key into the first (a Person event, so it can be undone);
undoing it ("unmerge") restores both. Nothing is merged without a decision.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.contract.envelope import Envelope
from domain.model import DomainRefused, MatchProposal, Person, ids
from domain.model.subjects import proposal_id
from hub.recorders.base import Loader, Recorder, RecordRefused, when


def match_decided(load: Loader, envelope: Envelope) -> list[Aggregate]:
    data = envelope.data
    proposal: MatchProposal | None = load(proposal_id(data["proposal"]["a"],
                                                      data["proposal"]["b"]))
    if proposal is None:
        raise RecordRefused("unknown-proposal",
                            "the hub has not proposed a match between these two person keys")
    if envelope.id in proposal.decisions:
        return []
    survivor: Person | None = load(ids.person_id(proposal.a))
    merged: Person | None = load(ids.person_id(proposal.b))
    if survivor is None or merged is None:
        raise RecordRefused("unknown-person", "both person keys must be held to merge them")
    by = f"{envelope.agency}:{data['decided_by']}"
    try:
        proposal.decide(data["decision"], by, when(data["at"]), envelope.id)
    except DomainRefused as refused:
        raise RecordRefused(refused.reason, str(refused)) from refused
    pid = str(proposal.id)
    if data["decision"] == "confirm":
        if merged.merged_into is not None or survivor.merged_into is not None:
            raise RecordRefused("already-merged",
                                "one of these people is already merged into another record; "
                                "undo that merge first")
        merged.merge_into(into=proposal.a, proposal=pid, by=by)
        survivor.absorb(key=proposal.b, proposal=pid)
    elif data["decision"] == "unmerge":
        merged.unmerge(proposal=pid, by=by)
        if proposal.b in survivor.absorbed:
            survivor.release(key=proposal.b, proposal=pid)
    return [proposal, survivor, merged]


RECORDERS: dict[str, Recorder] = {"match.decided": match_decided}
