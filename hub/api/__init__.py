"""The hub's HTTP interface (FastAPI)."""

from hub.api.app import create_app

__all__ = ["create_app"]
