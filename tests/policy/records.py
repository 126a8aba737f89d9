"""Policy inputs over whole case views: the demo's view and synthetic views of any size.

Shared by the golden decisions (tests/policy/test_golden.py) and the policy benchmark
(bench/policy_latency.py), so the benchmark measures exactly the inputs whose answers are pinned.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DEMO_VIEW = Path(__file__).resolve().parent / "data" / "demo_case_view.json"
NOW = "2026-11-23T10:00:00Z"

CATEGORIES = ["identity", "contact", "address", "incident", "case", "risk", "health",
              "criminal_offence", "police_intelligence", "domestic_abuse"]
SUPPLIERS = ["met-police", "wcc-asb", "wcc-housing", "nw-icb"]
ROLES = ["victim", "complainant", "witness", "alleged_perpetrator", None]


def demo_view_fields() -> list[dict[str, Any]]:
    """The demo case view's 58 fields (frozen by `python bench/demo_view.py`)."""
    fields: list[dict[str, Any]] = json.loads(DEMO_VIEW.read_text())
    return fields


def synthetic_field(path: str, kind: int) -> dict[str, Any]:
    """Field number ``kind`` of a fixed family: its attributes depend on the kind only."""
    role = ROLES[kind % len(ROLES)]
    return {
        "path": path,
        "category": CATEGORIES[kind % len(CATEGORIES)],
        "supplier": SUPPLIERS[kind % len(SUPPLIERS)],
        "subject": None if role is None else f"mk1:s{kind % 5}",
        "subject_role": role,
        "flags": {"domestic_abuse": kind % 7 == 0, "youth": kind % 11 == 0,
                  "anonymity_requested": kind % 13 == 0},
        "confidentiality": "strict" if kind % 4 == 0 else "standard",
    }


def synthetic_view(n_fields: int, n_kinds: int = 24) -> list[dict[str, Any]]:
    """``n_fields`` fields drawn in turn from ``n_kinds`` kinds (distinct attribute sets)."""
    return [synthetic_field(f"field.{i}", i % n_kinds) for i in range(n_fields)]


def request(fields: list[dict[str, Any]], *, agency: str = "wcc-housing",
            role: str = "panel_member", purpose: str = "marac",
            recipient: str | None = None, acting_for: str | None = None,
            claims: list[dict[str, Any]] | None = None,
            consents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A request over a case view (by default housing at MARAC, with no claims or consents)."""
    panel = ({"type": purpose, "meeting_id": "m-2026-11"}
             if purpose in {"marac", "gmap", "hccp", "asb_case_review"} else None)
    return {
        "now": NOW,
        "requester": {"user": "h.jones", "agency": agency, "role": role,
                      "acting_for": acting_for},
        "recipient": recipient or agency,
        "purpose": purpose,
        "panel": panel,
        "gateway_claims": claims or [],
        "consents": consents or [],
        "record": {"kind": "case_view", "id": "wcc-asb:CASE-2026-0042", "supplier": "wcc-asb",
                   "fields": copy.deepcopy(fields)},
    }


S115_HEALTH = {
    "gateway": "cda_s115", "justification": "high risk", "proportionality": "minimum",
    "third_parties_considered": "removed", "special_category_condition": "sch1_para18",
    "police_agreement": False, "categories": ["health"],
}


def consent_for(subject: str, categories: list[str], recipient: str = "wcc-housing",
                purpose: str = "marac", cid: str = "c-1") -> dict[str, Any]:
    return {
        "id": cid, "subject": subject, "purposes": [purpose], "categories": categories,
        "recipients": [recipient], "collected_by": "h.jones",
        "collected_at": "2026-10-01T09:00:00Z", "method": "written", "expires_at": None,
        "withdrawn_at": None, "refused": False,
    }


def marac_request(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Housing at MARAC over a view, with a s115 claim for health and one written consent."""
    return request(fields, claims=[S115_HEALTH],
                   consents=[consent_for("mk1:s0", ["identity", "contact"])])
