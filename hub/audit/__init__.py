"""Disclosure and access log as a hash chain, signed checkpoints, verification, DPO queries.

See docs/audit.md for what is logged and why.
"""

from hub.audit.chain import AuditTrail, audit_trail
from hub.audit.config import AuditConfig, override_roles

__all__ = ["AuditConfig", "AuditTrail", "audit_trail", "override_roles"]
