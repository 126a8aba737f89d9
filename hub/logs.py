"""Log set-up for the hub's long-running commands: plain lines, or JSON lines for a collector.

``HUB_LOG_FORMAT=json`` writes one JSON object per line (time, level, logger, message, and the
exception if any), which log shippers read without parsing patterns. Client libraries (kafka,
uvicorn's access log) log at WARNING so the hub's own progress lines stay readable.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

QUIET_LIBRARIES = ("kafka", "uvicorn.access", "httpx")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


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
