"""Identity protection by person in the case view and on release (docs/policies.md): every
field that identifies a person is labelled as theirs, free text is about the record's most
protected person and marked with the names it contains, and the release takes out the names
of everyone whose identity it does not release."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from domain.model import Case, Incident
from hub.panels.facts import fields as panel_fields
from hub.panels.facts import with_referral
from hub.sharing import redacted
from hub.views.case_view import CaseView
from hub.views.names import NamedPerson

TODAY = date(2026, 11, 23)
CARA = {"role": "complainant", "match_key": "mk1:c", "name": "Cara Ingleby",
        "date_of_birth": "1980-02-02", "contact": "07700 900123", "lives_at_location": True}
PAT = {"role": "alleged_perpetrator", "match_key": "mk1:p", "name": "Pat Oakes",
       "date_of_birth": "1990-03-03"}
HOME = {"match_key": "mk1:home", "address": "2 Elm Row", "postcode": "W2 2AA",
        "ward": "Church Street"}


def _case(summary: str, parties: list[dict[str, object]]) -> Case:
    return Case(agency="wcc-asb", ref="C-1", version=1, source_event_id="e1",
                opened_at=datetime(2026, 9, 1, tzinfo=UTC), category="noise", summary=summary,
                lead_officer=None, triage_tier=None, location=HOME, parties=parties,
                incident_refs=[], flags={})


def _incident(summary: str, parties: list[dict[str, object]]) -> Incident:
    return Incident(agency="met-police", ref="I-1", version=1, source_event_id="e2",
                    occurred_at=datetime(2026, 9, 2, tzinfo=UTC), category="noise",
                    reported_at=datetime(2026, 9, 2, tzinfo=UTC), channel=None,
                    summary=summary, location=None, parties=parties, flags={},
                    confidentiality="standard")


def test_every_identifying_field_of_the_complainant_is_hers() -> None:
    fields = {f.path: f for f in CaseView(_case("Noise at night", [PAT, CARA]), []).fields(TODAY)}
    for path in ("case.party.1.name", "case.party.1.date_of_birth", "case.party.1.contact",
                 "case.location.address", "case.location.postcode"):
        assert (fields[path].subject, fields[path].subject_role) == ("mk1:c", "complainant")
    # a ward is not a home: it identifies nobody, so it is nobody's
    assert fields["case.location.ward"].subject is None
    assert fields["case.location.ward"].category == "case"


def test_free_text_is_about_the_most_protected_person_and_names_its_people() -> None:
    witness = {"role": "witness", "match_key": "mk1:w", "name": "Wyn Ash",
               "anonymity_requested": True}
    case = _case("Cara Ingleby says Pat Oakes plays music", [PAT, CARA])
    incident = _incident("Officers spoke to INGLEBY and a neighbour, Wyn", [PAT, witness])
    fields = {f.path: f for f in CaseView(case, [incident]).fields(TODAY)}
    summary = fields["case.summary"]
    assert (summary.subject, summary.subject_role) == ("mk1:c", "complainant")
    assert [p.subject for p in summary.names] == ["mk1:c", "mk1:p"]
    # the witness asked for anonymity: the incident's text is about them, and it names the
    # case's complainant too (the view knows everyone its records name)
    told = fields["incident.0.summary"]
    assert (told.subject, told.flags["anonymity_requested"]) == ("mk1:w", True)
    assert [p.subject for p in told.names] == ["mk1:c", "mk1:w"]
    assert fields["case.category"].subject is None


def test_release_redacts_everyone_whose_identity_it_does_not_release() -> None:
    case = _case("Cara Ingleby says Pat Oakes plays music", [PAT, CARA])
    fields = CaseView(case, [_incident("Ingleby called again", [CARA])]).fields(TODAY)
    released = [f.path for f in fields if f.subject != "mk1:c" or f.category != "identity"]
    texts, done = redacted(fields, released)
    assert texts == {"case.summary": "[complainant] says Pat Oakes plays music",
                     "incident.0.summary": "[complainant] called again"}
    assert done == [{"path": "case.summary", "role": "complainant"},
                    {"path": "incident.0.summary", "role": "complainant"}]
    # everyone's identity released: the text goes as written, nothing recorded
    everything = [f.path for f in fields]
    assert redacted(fields, everything) == ({"case.summary": case.summary,
                                             "incident.0.summary": "Ingleby called again"}, [])
    # a withheld summary is not released at all, redacted or not
    assert redacted(fields, [p for p in released if not p.endswith("summary")]) == ({}, [])


def test_a_name_is_matched_by_whole_given_or_family_name_in_any_case() -> None:
    cara = NamedPerson("mk1:c", "complainant", "Cara Ingleby-Moss")
    assert cara.redact("CARA INGLEBY-MOSS; Ms Moss; Caravan; Ingleby's dog") == (
        "[complainant]; Ms [complainant]; Caravan; [complainant]'s dog")
    assert not NamedPerson("mk1:j", "witness", "J").named_in("J saw it")


def test_an_enforcement_date_is_pending_until_the_day_has_passed() -> None:
    case = _case("Possession", [PAT, CARA])
    for n, when in enumerate((TODAY, TODAY - timedelta(days=1), None)):
        case.record_intervention(version=n + 2, source_event_id=f"i{n}",
                                 at=datetime(2026, 10, 1, tzinfo=UTC), intervention="possession",
                                 against="mk1:p",
                                 scheduled_for=when.isoformat() if when else None)
    fields = {f.path: f for f in CaseView(case, []).fields(TODAY)}
    assert fields["case.intervention.0.scheduled_for"].flags["enforcement_pending"] is True
    assert fields["case.intervention.1.scheduled_for"].flags["enforcement_pending"] is False
    assert "case.intervention.2.scheduled_for" not in fields
    assert fields["case.intervention.2.kind"].value == "possession"
    assert "enforcement_pending" not in fields["case.intervention.2.at"].flags
    assert {(f.subject, f.subject_role) for p, f in fields.items() if ".intervention." in p} \
        == {("mk1:p", "alleged_perpetrator")}


def test_a_referral_reason_is_free_text_about_the_case_people() -> None:
    """The referrer's reason is stored with the referral (JSON) and released like a summary:
    the most protected party's data, their name redacted where their identity is not."""
    view = CaseView(_case("Noise", [PAT, CARA]), [])
    facts = with_referral({"subjects": view.subjects, "fields": []}, supplier="wcc-asb",
                          triggers=[], note="Cara Ingleby fears reprisals", referrer="met-police",
                          view=view)
    (note,) = panel_fields(json.loads(json.dumps(facts)))
    assert (note.subject, note.subject_role) == ("mk1:c", "complainant")
    assert redacted([note], [note.path]) == (
        {"facts.note": "[complainant] fears reprisals"},
        [{"path": "facts.note", "role": "complainant"}])
    # facts stored before names were marked still read
    assert panel_fields({"fields": [{**facts["fields"][0], "names": None}]})[0].names == ()
