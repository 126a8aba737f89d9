"""Operations endpoints: liveness, readiness and Prometheus metrics.

``/health`` and ``/ready`` answer without a token, because orchestrators probe them, and say
only whether each part is up (never anything about a case). ``/metrics`` needs an API client
with the ``operator`` role (`hub clients create <agency> --role operator`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import JSONResponse, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.api.auth import authenticated_client
from hub.api.schemas import AUTH, Health, errors
from hub.application import PartnershipHub
from hub.audit.chain import audit_trail
from hub.metrics import REQUEST_SECONDS
from hub.policy import PolicyEngine
from hub.registry import ApiClient
from hub.settings import Settings

OPERATOR = "operator"
BROKER_CHECK_SECONDS = 3.0


class Check(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    ready: bool
    bundle_revision: str | None
    checks: dict[str, Check]


class AuditCollector(Collector):
    """The audit chain's length and its last signed checkpoint, read at scrape time."""

    def __init__(self, hub: PartnershipHub) -> None:
        self.hub = hub

    def collect(self) -> Iterator[GaugeMetricFamily]:
        length = GaugeMetricFamily("hub_audit_chain_length",
                                   "Entries in the disclosure and access log's hash chain")
        checkpoint = GaugeMetricFamily(
            "hub_audit_last_checkpoint_seq", "Chain sequence number of the last signed checkpoint")
        try:
            seq, _ = audit_trail(self.hub).head()
            length.add_metric([], seq)
            checkpoint.add_metric([], audit_trail(self.hub).last_checkpoint_seq())
        except Exception:  # the store is down: say nothing rather than fail the scrape
            return
        yield length
        yield checkpoint


def broker_check(bootstrap: str | None) -> Check:
    """A Kafka metadata request to the bootstrap servers, bounded in time."""
    if not bootstrap:
        return Check(ok=True, detail="no broker configured (HUB_KAFKA_BOOTSTRAP unset): the "
                                     "API does not need one")
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError
    started = time.monotonic()
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap,
                                 request_timeout_ms=int(BROKER_CHECK_SECONDS * 1000),
                                 bootstrap_timeout_ms=int(BROKER_CHECK_SECONDS * 1000))
        try:
            brokers = admin.describe_cluster().get("brokers", [])
        finally:
            admin.close()
    except (KafkaError, OSError, ValueError) as exc:
        return Check(ok=False, detail=f"broker {bootstrap} unreachable ({type(exc).__name__})")
    return Check(ok=True, detail=f"{len(brokers)} broker(s) answered in "
                                 f"{time.monotonic() - started:.2f}s")


def store_check(hub: PartnershipHub) -> Check:
    try:
        position = hub.process_recorder.max_notification_id()
    except Exception as exc:
        return Check(ok=False, detail=f"event store unavailable ({type(exc).__name__})")
    return Check(ok=True, detail=f"event store answered (notification {position or 0})")


def engine_check(engine: PolicyEngine) -> Check:
    problem = engine.check()
    if problem:
        return Check(ok=False, detail=f"policy engine {engine.name}: {problem}")
    return Check(ok=True, detail=f"policy engine {engine.name} loaded the bundle")


def operations_router(settings: Settings, hub: PartnershipHub, engine: PolicyEngine
                      ) -> APIRouter:
    router = APIRouter(tags=["operations"])
    audit_metrics = CollectorRegistry(auto_describe=True)
    audit_metrics.register(AuditCollector(hub))

    @router.get("/health")
    def health() -> Health:
        """Liveness: the process answers. Says nothing about its dependencies (see /ready)."""
        return Health(status="ok", policy_engine=engine.name,
                      bundle_revision=engine.bundle_revision)

    @router.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
    def ready() -> Any:
        """Readiness: the broker, the event store and the policy engine all answer."""
        checks = {"broker": broker_check(settings.bootstrap_servers),
                  "store": store_check(hub), "policy_engine": engine_check(engine)}
        answer = Readiness(ready=all(c.ok for c in checks.values()),
                           bundle_revision=engine.bundle_revision, checks=checks)
        return JSONResponse(answer.model_dump(), status_code=200 if answer.ready else 503)

    @router.get("/metrics", response_class=Response,
                responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                                 "description": "Prometheus text exposition format"},
                           **errors(*AUTH, 403)})
    def metrics(client: Annotated[ApiClient, Depends(authenticated_client)]) -> Response:
        """Prometheus metrics (text exposition format): operator role only. A scrape is no
        request by a person, so no X-Hub-User is asked for."""
        if client.role != OPERATOR:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"metrics need a client with the role {OPERATOR}; yours has "
                                f"role {client.role!r}")
        body = generate_latest(REGISTRY) + generate_latest(audit_metrics)
        return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")

    return router


class RequestTimer:
    """Times every request by its route template (``/v1/consents/{consent_id}``), so the
    metric's labels never hold an id from a path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REQUEST_SECONDS.labels(scope.get("method", ""), template, str(status[0])).observe(
                time.perf_counter() - started)

