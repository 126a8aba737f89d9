"""The partnership's event-sourced model: what agencies reported and what the hub released."""

from domain.model.case import Case
from domain.model.consent import Consent, SubjectConsents
from domain.model.disclosure import Disclosure
from domain.model.errors import DomainRefused
from domain.model.family import Family, Relationship
from domain.model.household import Household
from domain.model.incident import Incident
from domain.model.person import Person, RecordLink
from domain.model.subjects import Location, MatchProposal, NameIndex

__all__ = ["Case", "Consent", "Disclosure", "DomainRefused", "Family", "Household", "Incident",
           "Location", "MatchProposal", "NameIndex", "Person", "RecordLink", "Relationship",
           "SubjectConsents"]
