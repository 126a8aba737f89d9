"""People named in free text, and their names redacted from it.

A name is matched by its given and family name parts as whole words in any case, the full name
first ("Jane Doe" becomes one placeholder, not two); a single letter (an initial) is not
matched, since it would take every such letter out of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class NamedPerson:
    subject: str  # match key
    role: str
    name: str

    @property
    def placeholder(self) -> str:
        return f"[{self.role}]"

    @cached_property
    def parts(self) -> tuple[str, ...]:
        return tuple(p for p in re.split(r"[\s\-]+", self.name.strip()) if len(p) > 1)

    @cached_property
    def words(self) -> frozenset[str]:
        """The words of the name as ``WORD`` splits text: a match of any part puts all of
        that part's words into the text's words, so these find every candidate text."""
        return frozenset(w for p in self.parts for w in WORD.findall(p.lower()))

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        if not self.parts:
            return None
        whole = r"[\s\-]+".join(re.escape(p) for p in self.parts)
        words = sorted({re.escape(p) for p in self.parts}, key=len, reverse=True)
        return re.compile(rf"(?<!\w)(?:{whole}|{'|'.join(words)})(?!\w)", re.IGNORECASE)

    def named_in(self, text: str) -> bool:
        return bool(self.pattern and self.pattern.search(text))

    def redact(self, text: str) -> str:
        return self.pattern.sub(self.placeholder, text) if self.pattern else text


class NameIndex:
    """Who of many people a text names, without trying every name on every text: only the
    people sharing a word with the text are matched."""

    def __init__(self, people: Iterable[NamedPerson]) -> None:
        self.people = list(people)
        self.by_word: dict[str, list[int]] = {}
        for n, person in enumerate(self.people):
            for word in person.words:
                self.by_word.setdefault(word, []).append(n)

    def named_in(self, text: str) -> tuple[NamedPerson, ...]:
        found = {n for w in set(WORD.findall(text.lower())) for n in self.by_word.get(w, ())}
        return tuple(self.people[n] for n in sorted(found) if self.people[n].named_in(text))
