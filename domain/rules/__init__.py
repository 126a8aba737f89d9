"""Derived facts, computed from what agencies reported: pure functions, never typed twice.

Each rule cites the source document line it comes from (``002:L1268`` = seeds/002, line 1268;
see docs/domain.md). No I/O here: callers pass the facts and the time of asking.
"""
