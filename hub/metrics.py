"""Prometheus metrics of the worker and the API, in prometheus-client's default registry.

Labels carry agency ids, reasons, gateways and route templates, never a person, a case
reference or a match key: the metrics can be scraped by an operator who may see no case data.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_HANDLED = Counter(
    "hub_events_handled", "Agency events the ingestion worker handled, by supplying agency and "
    "outcome (recorded, duplicate, dead_lettered)", ["agency", "outcome"])
DEAD_LETTERS = Counter(
    "hub_events_dead_lettered", "Agency events refused and sent to a dead-letter topic, by the "
    "topic's agency and the refusal reason", ["agency", "reason"])
CONSUMER_LAG = Gauge(
    "hub_consumer_lag", "Messages on an assigned partition that the worker has not yet handled",
    ["topic", "partition"])
DECISIONS = Counter(
    "hub_decisions", "Sharing decisions, by outcome (released, partial, refused) and the lawful "
    "basis relied on (a gateway, consent, agreement, or none)", ["outcome", "gateway"])
DECISION_SECONDS = Histogram(
    "hub_decision_seconds", "Time to decide a disclosure with the policy engine",
    ["engine"], buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5))
REQUEST_SECONDS = Histogram(
    "hub_request_seconds", "HTTP request latency, by method, route template and status",
    ["method", "route", "status"])


def topic_agency(topic: str) -> str:
    return topic.removeprefix("hub.agency.")


def count_decision(allowed_paths: int, withheld_paths: int, gateways: list[str],
                   consent_ids: list[str]) -> None:
    """One decision: counted once under each basis it relied on."""
    if not allowed_paths:
        DECISIONS.labels("refused", "none").inc()
        return
    outcome = "partial" if withheld_paths else "released"
    bases = [*gateways, *(["consent"] if consent_ids else [])] or ["agreement"]
    for basis in bases:
        DECISIONS.labels(outcome, basis).inc()
