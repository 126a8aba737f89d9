"""The accept path: one message from an agency topic in, a trusted envelope or a dead letter out.

Pure (no Kafka, no store), so it can be driven with any bytes at all (tests/ingest/). It never
raises on content: whatever a message holds, the worker gets an envelope to record or a bounded
dead letter addressed to the topic the owning agency reads.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.contract import schemas
from domain.contract.deadletter import DeadLetter, dead_letter, deadletter_topic
from domain.contract.envelope import Envelope, EnvelopeError, check_identity, parse, verify
from hub.registry import Registry

log = logging.getLogger(__name__)

AGENCY_TOPIC_PREFIX = "hub.agency."
RECHECK_SECONDS = 1.0


class Message(Protocol):
    """What the accept path reads of a Kafka ConsumerRecord."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> list[tuple[str, bytes | None]]: ...


@dataclass(frozen=True)
class Refused:
    """A dead letter and the topic it goes to."""

    topic: str
    letter: DeadLetter


class RegistryUnreadable(RuntimeError):
    """The registry file could not be read: the worker stops rather than refuse messages for
    a fault of its own."""


class Agencies:
    """The registry as the accept path asks it. Re-read when it does not know an agency and
    the file has changed, so an agency registered after the worker started is found."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp = self._changed_at()
        self._registry = self._load()
        self._checked = time.monotonic()

    def _load(self) -> Registry:
        try:
            return Registry.load(self._path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RegistryUnreadable(f"cannot read the agency registry {self._path}: {exc}; "
                                     "restore it, then restart the worker") from exc

    def _changed_at(self) -> int | None:
        try:
            return self._path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def _fresh(self, agency: str) -> Registry:
        """Re-read at once for an agency not yet known, and at most once a second otherwise,
        so a registration, a rotation or a revocation counts within a second."""
        now = time.monotonic()
        if agency in self._registry.agencies and now - self._checked < RECHECK_SECONDS:
            return self._registry
        self._checked = now
        if self._changed_at() != self._stamp:
            self._stamp = self._changed_at()
            self._registry = self._load()
        return self._registry

    def revoked_at(self, agency: str) -> str | None:
        found = self._fresh(agency).agencies.get(agency)
        return found.revoked_at if found else None

    def publishers(self) -> set[str]:
        """Agencies that may publish now (registered with a key, not revoked)."""
        registry = self._fresh("")  # no agency is named "": re-read if the file changed
        return {a.id for a in registry.agencies.values() if a.public_key and not a.revoked_at}

    def is_registered(self, agency: str) -> bool:
        return agency in self._fresh(agency).agencies

    def signing_keys(self, agency: str) -> list[Ed25519PublicKey]:
        registry = self._fresh(agency)
        try:
            return registry.signing_keys(agency)
        except ValueError as exc:
            raise RegistryUnreadable(f"the key registered for {agency!r} does not parse ({exc}); "
                                     f"register it again with `hub agencies register`") from exc


def topic_agency(topic: str) -> str:
    return topic.removeprefix(AGENCY_TOPIC_PREFIX)


def accept(message: Message, agencies: Agencies) -> Envelope | Refused:
    """Parse, authenticate, validate and check identity; or say why not, in a dead letter."""
    envelope: Envelope | None = None
    try:
        envelope = parse(message.value or b"", message.headers or ())
        authenticate(envelope, topic_agency(message.topic), agencies)
        schemas.validate(envelope)
        check_identity(envelope)
        return envelope
    except EnvelopeError as refusal:
        return refuse(message, refusal.reason, str(refusal), envelope, agencies)
    except RegistryUnreadable:
        raise
    except Exception as exc:  # a bug of ours must not stop the partition: refuse, and say so
        log.exception("accept failed on %s:%s@%s", message.topic, message.partition,
                      message.offset)
        return refuse(message, "internal-error",
                      f"the hub failed while checking this message ({type(exc).__name__}); "
                      "the hub operator has the details in the worker's log", envelope, agencies)


def refuse(message: Message, reason: str, text: str, envelope: Envelope | None,
           agencies: Agencies) -> Refused:
    """The bounded letter, addressed to the topic's agency if registered, else the operator."""
    agency = topic_agency(message.topic)
    letter = dead_letter(reason, text, topic=message.topic, partition=message.partition,
                         offset=message.offset, agency=agency,
                         event_id=envelope.id if envelope else None, raw=message.value or b"")
    return Refused(deadletter_topic(agency if agencies.is_registered(agency) else None), letter)


def authenticate(envelope: Envelope, topic_agency: str, agencies: Agencies) -> None:
    """The envelope's agency owns the topic it came on, and signed it with its registered key."""
    if envelope.agency != topic_agency:
        raise EnvelopeError(
            "agency-mismatch",
            f"event {envelope.id} claims agency {envelope.agency!r} but arrived on the topic "
            f"of {topic_agency!r}; each agency publishes only to its own topic")
    revoked = agencies.revoked_at(envelope.agency)
    if revoked is not None:
        raise EnvelopeError(
            "revoked-agency",
            f"agency {envelope.agency!r} was revoked on {revoked}: its events are no longer "
            f"accepted; the hub operator registers it again if that was a mistake")
    keys = agencies.signing_keys(envelope.agency)
    if not keys:
        raise EnvelopeError(
            "unknown-agency",
            f"agency {envelope.agency!r} has no registered signing key; register it with "
            f"`hub agencies register {envelope.agency} --public-key <key>`")
    for key in keys[:-1]:  # the current key first, then keys still in their overlap
        try:
            verify(envelope, key)
            return
        except EnvelopeError:
            continue
    verify(envelope, keys[-1])
