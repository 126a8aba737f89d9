"""The DASH risk indicator checklist (SafeLives DASH RIC, the "MARAC risk indicator checklist"
a housing officer completes, seeds/002 L2022): 24 questions, each answered yes or no; the score
is the number of yes answers (marac.DASH_HIGH_RISK or more: refer to MARAC).

Most answers are risk information about the victim. A few reveal more than risk: the victim's
health (q5, q9), the perpetrator's health (q21) or the perpetrator's offending (q24), so the case
view labels each answer with the data category and person it is about.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.rules.marac import DASH_QUESTIONS


@dataclass(frozen=True)
class Question:
    id: str
    wording: str
    category: str = "risk"  # data category (policies/hub/config/categories/data.json)
    about: str = "victim"   # whose information an answer is: "victim" or "alleged_perpetrator"


_PERP = "alleged_perpetrator"

QUESTIONS: dict[str, Question] = {q.id: q for q in (
    Question("q1", "Has the current incident resulted in injury?"),
    Question("q2", "Is the victim very frightened?"),
    Question("q3", "Is the victim afraid of further injury or violence?"),
    Question("q4", "Does the victim feel isolated from family or friends?"),
    Question("q5", "Is the victim feeling depressed or having suicidal thoughts?", "health"),
    Question("q6", "Has the victim separated or tried to separate in the past year?"),
    Question("q7", "Is there conflict over child contact?"),
    Question("q8", "Does the abuser constantly text, call, follow, stalk or harass?"),
    Question("q9", "Is the victim pregnant or had a baby in the last 18 months?", "health"),
    Question("q10", "Is the abuse happening more often?"),
    Question("q11", "Is the abuse getting worse?"),
    Question("q12", "Does the abuser try to control everything or is excessively jealous?"),
    Question("q13", "Has the abuser used weapons or objects to hurt the victim?"),
    Question("q14", "Has the abuser threatened to kill the victim or someone else?"),
    Question("q15", "Has the abuser attempted to strangle, choke, suffocate or drown?"),
    Question("q16", "Does the abuser do or say sexual things that hurt or degrade?"),
    Question("q17", "Is there another person the victim is afraid of?"),
    Question("q18", "Has the abuser hurt anyone else?"),
    Question("q19", "Has the abuser mistreated an animal or the family pet?"),
    Question("q20", "Are there financial issues?"),
    Question("q21", "Has the abuser had problems with drugs, alcohol or mental health?",
             "health", _PERP),
    Question("q22", "Has the abuser threatened or attempted suicide?", "health", _PERP),
    Question("q23", "Has the abuser broken bail, an injunction or a contact agreement?",
             "criminal_offence", _PERP),
    Question("q24", "Has the abuser been in trouble with the police or has a criminal history?",
             "criminal_offence", _PERP),
)}
assert len(QUESTIONS) == DASH_QUESTIONS


class DashRefused(ValueError):
    """Answers that are not checklist questions, or a score that does not count them."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def score(answers: list[str], stated: int | None) -> int:
    """The score the yes answers give; refuses unknown questions, repeats, and a stated score
    that differs (the score is the number of yes answers, so a mismatch means one is wrong)."""
    unknown = [a for a in answers if a not in QUESTIONS]
    if unknown:
        raise DashRefused("unknown-dash-question",
                          f"{', '.join(unknown)} not on the DASH checklist (q1-q24)")
    if len(set(answers)) != len(answers):
        raise DashRefused("repeated-dash-answer", "a DASH question is answered twice")
    if stated is not None and stated != len(answers):
        raise DashRefused("dash-score-mismatch",
                          f"DASH score {stated} but {len(answers)} questions answered yes: "
                          "the score is the number of yes answers")
    return len(answers)
