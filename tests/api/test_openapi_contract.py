"""The API against its own OpenAPI document, with schemathesis generating requests for every
operation, valid ones and invalid ones: no server error, no answer outside the declared
status codes, content types and response schemas. Bounded: a few examples per operation and
mode, well under a minute.

(Each operation's strategy is driven by Hypothesis inside one test, rather than through
schemathesis' pytest fixture loader, which does not run under pytest 9.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Hub
from tests.api.test_route_matrix import seed_panel

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
DPO_PATHS = ("/v1/dpo/", "/v1/disclosures", "/v1/panels/access-log")
CONSENT_PATHS = ("/v1/consents",)  # as the case officer whose agency recorded the consent
EXAMPLES = 8


def exercise(operation: Any, mode: GenerationMode, auth: dict[str, str],
             tried: dict[str, set[int]], known: dict[str, str]) -> None:
    """Up to EXAMPLES generated requests to one operation, each answer checked; valid
    requests name the seeded meeting, referral and action (random ids only find 404s)."""
    fixed = ({k: v for k, v in known.items() if "{" + k + "}" in operation.path}
             if mode is GenerationMode.POSITIVE else {})

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed or None))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case: Any) -> None:
        headers = dict(auth)
        if not any(k.lower() == "x-hub-user" for k in case.headers or {}):
            headers["X-Hub-User"] = "Contract Tester"
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        tried.setdefault(operation.label, set()).add(response.status_code)

    try:
        call()
    except Unsatisfiable:
        # Nothing in this operation's request can be made invalid (it takes no parameters).
        assert mode is GenerationMode.NEGATIVE and not operation.body, operation.label


def test_the_api_keeps_its_contract(seeded: Hub) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", seeded.app)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "the OpenAPI document has invalid operations"
    assert len(operations) == sum(len(ops) for ops in seeded.app.openapi()["paths"].values())
    ids = seed_panel(seeded)
    known = {"meeting_id": ids["meeting"], "referral_id": ids["referral"],
             "action_id": ids["action"], "panel_type": "marac", "case_agency": "wcc-housing",
             "case_ref": "HASB-1", "consent_id": ids["consent"]}
    tried: dict[str, set[int]] = {}
    for operation in operations:
        # As the DPO where the route is the DPO's, as a case officer for consent records, as
        # the operator for /metrics, the analyst for statistics, the MARAC chair elsewhere.
        client = ("dpo" if operation.path.startswith(DPO_PATHS) else "case_officer"
                  if operation.path.startswith(CONSENT_PATHS) else "operator"
                  if operation.path == "/metrics" else "analyst"
                  if operation.path == "/v1/statistics" else "police-chair")
        auth = {"Authorization": f"Bearer {seeded.tokens[client]}"}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            exercise(operation, mode, auth, tried, known)
    # Every operation was reached, and every read got past the refusals to a real answer
    # (generated writes mostly name panel types or cases that do not exist: 404, 409).
    assert len(tried) == len(operations)
    never = sorted(label for label, codes in tried.items() if not any(c < 300 for c in codes))
    assert not [label for label in never if label.startswith("GET")], never
