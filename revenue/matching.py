"""Does a newly named customer look like one already held? Pure functions, so they are easy to test.

A domain match is certain. A name match compares normalised names (`revenue.validation.name_key`):
equal keys, or a similarity ratio at or above NAME_THRESHOLD, where the ratio is difflib's on the keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TypeVar

NAME_THRESHOLD = 0.86

T = TypeVar("T")


@dataclass(frozen=True)
class Match[T]:
    item: T
    kind: str  # "domain" or "name"
    score: float


def name_similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def find_matches[T](
    *, domain: str, key: str, candidates: Iterable[tuple[T, str, str]], threshold: float = NAME_THRESHOLD
) -> list[Match[T]]:
    """Candidates are (item, normalised domain, name key); best matches first."""
    matches: list[Match[T]] = []
    for item, other_domain, other_key in candidates:
        if domain and other_domain and domain == other_domain:
            matches.append(Match(item=item, kind="domain", score=1.0))
            continue
        score = name_similarity(key, other_key)
        if score >= threshold:
            matches.append(Match(item=item, kind="name", score=round(score, 3)))
    matches.sort(key=lambda match: (match.kind != "domain", -match.score))
    return matches
