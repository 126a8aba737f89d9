"""Synthetic partnership data: a borough-year of agency events in the documents' proportions."""

from domain.generator.borough import AGENCY_KINDS, BoroughYear, generate

__all__ = ["AGENCY_KINDS", "BoroughYear", "generate"]
