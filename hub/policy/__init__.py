"""Policy decisions for every release of partner data.

``load_engine()`` gives the embedded regorus engine, ``load_engine(url)`` an OPA server client;
both evaluate the same bundle (``policies/``) and stamp its revision on every Decision.
``decide`` never raises: an engine error or a missing input denies everything, with reasons.
"""

from hub.policy.decision import Decision, FieldDecision, deny_all
from hub.policy.engine import PolicyEngine, check_input, load_engine

__all__ = [
    "Decision",
    "FieldDecision",
    "PolicyEngine",
    "check_input",
    "deny_all",
    "load_engine",
]
