"""Short forms of given names: the commonest reason two agencies spell one person differently.

Each group is one name and its usual short forms (Bill for William); a name may sit in more
than one group (Alex: Alexander, Alexandra).
"""

from __future__ import annotations

GROUPS = (
    ("william", "bill", "billy", "will", "willy", "liam"),
    ("robert", "bob", "bobby", "rob", "robbie", "bert"),
    ("richard", "dick", "rick", "ricky", "rich", "richie"),
    ("edward", "ed", "eddie", "ted", "teddy", "ned"),
    ("james", "jim", "jimmy", "jamie"),
    ("john", "jack", "johnny"),
    ("thomas", "tom", "tommy"),
    ("michael", "mike", "mick", "mickey"),
    ("christopher", "chris", "kit"),
    ("alexander", "alex", "sandy", "xander"),
    ("alexandra", "alex", "sandra", "lexi"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby"),
    ("margaret", "maggie", "meg", "peggy", "marge"),
    ("katherine", "kate", "katie", "kathy", "kat", "kitty"),
    ("catherine", "cathy", "cat", "kate", "katie"),
    ("jennifer", "jen", "jenny"),
    ("rebecca", "becky", "becca"),
    ("victoria", "vicky", "tori"),
    ("samuel", "sam", "sammy"),
    ("samantha", "sam", "sammy"),
    ("daniel", "dan", "danny"),
    ("joseph", "joe", "joey"),
    ("benjamin", "ben", "benny"),
    ("anthony", "tony"),
    ("stephen", "steve", "stevie"),
    ("nicholas", "nick", "nicky"),
    ("patricia", "pat", "patty", "trish"),
    ("susan", "sue", "susie"),
    ("deborah", "debbie", "deb"),
    ("charles", "charlie", "chas", "chuck"),
    ("henry", "harry", "hal"),
    ("frederick", "fred", "freddie"),
    ("matthew", "matt"),
    ("andrew", "andy", "drew"),
    ("fintan", "fin", "finn"),
    ("tamsin", "tam", "tammy"),
    ("lorna", "lorrie"),
    ("esme", "essie"),
    ("rowan", "ro"),
    ("orrin", "orr"),
)

_GROUPS_OF: dict[str, set[int]] = {}
for _i, _group in enumerate(GROUPS):
    for _name in _group:
        _GROUPS_OF.setdefault(_name, set()).add(_i)


def same_name(a: str, b: str) -> bool:
    """``a`` and ``b`` are one name in different forms (both already normalised)."""
    return bool(_GROUPS_OF.get(a, set()) & _GROUPS_OF.get(b, set()))


def canonical(name: str) -> str:
    """The full form a short form stands for (the first group it belongs to), for blocking."""
    groups = _GROUPS_OF.get(name)
    return GROUPS[min(groups)][0] if groups else name
