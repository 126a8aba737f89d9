"""Retention periods per data category, as data (``hub/audit/retention.json``)."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

RETENTION_FILE = Path(__file__).with_name("retention.json")


@cache
def schedule() -> dict[str, Any]:
    return json.loads(RETENTION_FILE.read_text())


def period_years(category: str) -> int:
    """Years a category is kept; an unknown category raises (no silent forever)."""
    found = schedule()["categories"].get(category) or schedule()["audit"].get(category)
    if found is None:
        raise KeyError(f"no retention period for data category {category!r} in "
                       f"{RETENTION_FILE}")
    return int(found["years"])


def due(category: str, start: date, today: date) -> bool:
    """True once data of the category, counted from ``start``, is past its period."""
    years = period_years(category)
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return today >= end
