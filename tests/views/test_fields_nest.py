"""Released views as JSON: numbered parts are arrays whose positions match the field paths."""

from __future__ import annotations

from hub.views.fields import nest


def test_numbered_parts_are_arrays_and_a_withheld_position_is_null() -> None:
    tree = nest({"case.ref": "C-1", "case.party.1.name": "B", "case.party.1.role": "witness",
                 "case.party.3.role": "victim", "incident.0.summary": "x"})
    assert tree == {"case": {"ref": "C-1",
                             "party": [None, {"name": "B", "role": "witness"}, None,
                                       {"role": "victim"}]},
                    "incident": [{"summary": "x"}]}


def test_a_level_with_any_named_key_stays_an_object_and_values_are_kept_as_they_are() -> None:
    tree = nest({"facts.incidents.met-police": 2, "facts.incidents.2024": 1,
                 "case.dash.answers": ["q1", "q4"]})
    assert tree == {"facts": {"incidents": {"met-police": 2, "2024": 1}},
                    "case": {"dash": {"answers": ["q1", "q4"]}}}
