"""People named in free text, and their names redacted from it.

A name is matched by its given and family name parts as whole words in any case, the full name
first ("Jane Doe" becomes one placeholder, not two); a single letter (an initial) is not
matched, since it would take every such letter out of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NamedPerson:
    subject: str  # match key
    role: str
    name: str

    @property
    def placeholder(self) -> str:
        return f"[{self.role}]"

    def pattern(self) -> re.Pattern[str] | None:
        parts = [p for p in re.split(r"[\s\-]+", self.name.strip()) if len(p) > 1]
        if not parts:
            return None
        whole = r"[\s\-]+".join(re.escape(p) for p in parts)
        words = sorted({re.escape(p) for p in parts}, key=len, reverse=True)
        return re.compile(rf"(?<!\w)(?:{whole}|{'|'.join(words)})(?!\w)", re.IGNORECASE)

    def named_in(self, text: str) -> bool:
        found = self.pattern()
        return bool(found and found.search(text))

    def redact(self, text: str) -> str:
        found = self.pattern()
        return found.sub(self.placeholder, text) if found else text
