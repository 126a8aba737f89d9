"""Every connector type ``hub-connector run`` knows, by name."""

from __future__ import annotations

from typing import Any

from connectors import (
    council_consents,
    council_webhook,
    csv_cases,
    csv_incidents,
    housing,
    noise,
    police,
    relationships,
    safeguarding,
)
from connectors.toolkit import ConnectorSpec, Context, MappingError, read_csv
from domain.contract.envelope import Envelope


def _legacy(row_to_envelope: Any) -> Any:
    def mapper(record: dict[str, Any], ctx: Context) -> Envelope:
        try:
            return row_to_envelope(record, agency=ctx.agency, partnership_key=ctx.partnership_key,
                                   source=ctx.source)
        except KeyError as exc:
            raise MappingError(str(exc.args[0]), "required column is missing") from None
        except ValueError as exc:
            raise MappingError("version", str(exc)) from None
    return mapper


CONNECTORS: dict[str, ConnectorSpec] = {
    spec.name: spec for spec in (
        ConnectorSpec("incidents-csv", read_csv, _legacy(csv_incidents.row_to_envelope),
                      "generic incidents CSV (incident.reported)", ref_field="incident_ref"),
        ConnectorSpec("cases-csv", read_csv, _legacy(csv_cases.row_to_envelope),
                      "generic cases CSV (case.opened)", ref_field="case_ref"),
        police.SPEC, council_webhook.SPEC, council_consents.SPEC, housing.SPEC, noise.SPEC,
        safeguarding.SPEC, relationships.SPEC,
    )
}
