"""MARAC referral triggers for domestic abuse (002:L881-886, 002:L2015-2026).

The documents say a victim at "high or very high risk" or by professional judgement
(002:L2018); the numbers are SafeLives' published MARAC criteria, which the DASH risk
indicator checklist named in 002:L2022 belongs to: visible high risk = 14 or more "yes"
answers of 24; potential escalation = 3 or more incidents in 12 months; repeat referral = a
new incident within 12 months of the last MARAC referral.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

DASH_QUESTIONS = 24
DASH_HIGH_RISK = 14
ESCALATION_INCIDENTS = 3
ESCALATION_WINDOW = timedelta(days=365)
REPEAT_WINDOW = timedelta(days=365)
LEVELS = ("standard", "medium", "high")  # SafeLives risk levels, lowest first


class JudgementRefused(ValueError):
    """A professional judgement that would lower an assessed risk level."""

    reason = "judgement-lowers-risk"


def level_from_dash(score: int) -> str:
    if not 0 <= score <= DASH_QUESTIONS:
        raise ValueError(f"DASH score must be 0-{DASH_QUESTIONS}, got {score}")
    if score >= DASH_HIGH_RISK:
        return "high"
    return "medium" if score >= 10 else "standard"  # SafeLives: 10-13 medium


def apply_judgement(assessed: str, judged: str | None) -> str:
    """Professional judgement may raise the level, never lower it (002:L2018)."""
    if judged is None:
        return assessed
    if LEVELS.index(judged) < LEVELS.index(assessed):
        raise JudgementRefused(
            f"professional judgement {judged!r} would lower the assessed risk {assessed!r}; "
            "judgement can raise a DASH-assessed level but never lower it")
    return judged


@dataclass(frozen=True)
class MaracDecision:
    refer: bool
    reasons: list[str] = field(default_factory=list)


def marac_triggers(*, dash_score: int | None, judged_level: str | None,
                   incident_times: list[datetime], last_referral_at: datetime | None,
                   now: datetime) -> MaracDecision:
    """Which of the four SafeLives triggers apply at ``now``."""
    reasons = []
    assessed = level_from_dash(dash_score) if dash_score is not None else "standard"
    if dash_score is not None and dash_score >= DASH_HIGH_RISK:
        reasons.append("visible_high_risk")
    if judged_level == "high" and apply_judgement(assessed, judged_level) == "high" \
            and "visible_high_risk" not in reasons:
        reasons.append("professional_judgement")
    recent = [t for t in incident_times if timedelta(0) <= now - t <= ESCALATION_WINDOW]
    if len(recent) >= ESCALATION_INCIDENTS:
        reasons.append("escalation")
    if last_referral_at is not None and any(
            last_referral_at < t <= last_referral_at + REPEAT_WINDOW for t in incident_times):
        reasons.append("repeat_referral")
    return MaracDecision(bool(reasons), reasons)
