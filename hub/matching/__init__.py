"""Probabilistic record linkage over the identities the hub already holds (docs/matching.md).

comparisons: the one definition of each field's comparison levels; model: Fellegi-Sunter
parameters, scoring and unsupervised training; engine: the blocking index and incremental
matching; outcomes: turning scored pairs into hub events (links, proposals).
"""
