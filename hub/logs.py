"""Log set-up for the hub's long-running commands: plain lines, or JSON lines for a collector.

``HUB_LOG_FORMAT=json`` writes one JSON object per line (time, level, logger, message, the
exception if any, and every field the code passes with ``extra=``, such as agency, topic,
partition and offset), which log shippers index without parsing patterns. Client libraries
(kafka, uvicorn's access log) log at WARNING so the hub's own progress lines stay readable.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

QUIET_LIBRARIES = ("kafka", "uvicorn.access", "httpx")


# What every LogRecord carries; anything else on a record came from ``extra=``.
STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    """One JSON object per record: a newline in a message or traceback is escaped, so a
    collector never splits a record in two."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        for key, value in record.__dict__.items():  # an extra never replaces a field above
            if key not in STANDARD_ATTRIBUTES and key not in line and not key.startswith("_"):
                line[key] = value
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: int, environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    handler = logging.StreamHandler()
    if env.get("HUB_LOG_FORMAT", "text").lower() == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
