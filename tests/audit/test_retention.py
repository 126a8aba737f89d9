from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hub.audit.retention import due, period_years, schedule

CATEGORIES = Path(__file__).parents[2] / "policies" / "hub" / "config" / "categories" / "data.json"


def test_every_data_category_has_a_retention_period() -> None:
    categories = set(json.loads(CATEGORIES.read_text()))
    assert categories <= set(schedule()["categories"])
    assert period_years("disclosure_log") >= period_years("identity")  # log outlives data


def test_due_counts_whole_years_and_refuses_unknown_categories() -> None:
    assert not due("contact", date(2024, 2, 29), date(2026, 2, 27))
    assert due("contact", date(2024, 2, 29), date(2026, 2, 28))
    with pytest.raises(KeyError, match="no retention period"):
        period_years("shoe_size")
