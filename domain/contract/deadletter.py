"""Dead letters: what the hub tells an agency about a message it refused.

Shared by the hub (which writes them) and connectors (which read them back). Each agency's go
to its own topic, ``hub.deadletter.<agency>``, which only that agency and the hub may read;
letters from a topic no registered agency owns go to ``hub.deadletter._unknown``, for the hub
operator. A letter is bounded whatever it refuses: it carries the original's position, size
and SHA-256 and only the first few KiB of it. The original stays on the agency's own topic.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

DEADLETTER_TOPIC_PREFIX = "hub.deadletter."
UNKNOWN_AGENCY_TOPIC = DEADLETTER_TOPIC_PREFIX + "_unknown"
EXCERPT_BYTES = 4096
MESSAGE_CHARS = 2000
ID_CHARS = 512
# Kafka topic names are at most 249 characters of [a-zA-Z0-9._-]. An agency id that starts with
# "_" (or is too long to name a topic) never gets a dead-letter topic of its own, so no agency
# can be registered into the operator's topic.
_AGENCY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")
# A letter is at most 64 KiB, far below any broker's message limit (Kafka's default is 1 MiB),
# so publishing one can never fail for its size: in JSON the excerpt takes at most 6 bytes per
# byte (\u00XX), message and id at most 12 per character (a surrogate pair), and topic and agency
# are Kafka topic names (at most 249 ASCII characters): 6 * 4096 + 12 * (2000 + 512) + 2 * 249
# = 55,218 bytes, plus under 1 KiB of the rest.
MAX_DEADLETTER_BYTES = 64 * 1024


@dataclass(frozen=True)
class DeadLetter:
    reason: str           # short code, e.g. bad-signature, schema-invalid, too-large
    message: str          # what is wrong and what to change, for a person
    topic: str            # where the original is: fetch it from there by partition and offset
    partition: int
    offset: int
    agency: str | None    # whose topic carried it
    event_id: str | None  # the envelope id, when the message got as far as having one
    original_bytes: int
    original_sha256: str
    excerpt: str          # the first EXCERPT_BYTES of the original: UTF-8 text, else base64
    excerpt_encoding: str
    refused_at: str

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()


def deadletter_topic(agency: str | None) -> str:
    """The agency's own dead-letter topic, or the operator's for anything else."""
    if agency is None or not _AGENCY_ID.fullmatch(agency):
        return UNKNOWN_AGENCY_TOPIC
    return DEADLETTER_TOPIC_PREFIX + agency


def dead_letter(reason: str, message: str, *, topic: str, partition: int, offset: int,
                agency: str | None, event_id: str | None, raw: bytes) -> DeadLetter:
    """A letter that fits in MAX_DEADLETTER_BYTES, however large or odd ``raw`` is."""
    excerpt, encoding = _excerpt(raw[:EXCERPT_BYTES], cut=len(raw) > EXCERPT_BYTES)
    return DeadLetter(
        reason=reason[:80], message=_cap(message, MESSAGE_CHARS), topic=topic,
        partition=partition, offset=offset, agency=agency,
        event_id=None if event_id is None else _cap(event_id, ID_CHARS),
        original_bytes=len(raw), original_sha256=hashlib.sha256(raw).hexdigest(),
        excerpt=excerpt, excerpt_encoding=encoding, refused_at=datetime.now(UTC).isoformat())


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _excerpt(head: bytes, *, cut: bool) -> tuple[str, str]:
    """Text if the head is UTF-8 (a character cut in two at its end is dropped), else base64."""
    for drop in range(4 if cut else 1):  # a UTF-8 character is at most 4 bytes
        try:
            return head[:len(head) - drop].decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            continue
    return base64.b64encode(head).decode(), "base64"
