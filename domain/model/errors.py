"""Refusals raised by aggregates when a command contradicts what they hold."""

from __future__ import annotations


class DomainRefused(ValueError):
    """``reason`` is a short code (dead-letter reason); the message says what to change."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
