"""Parsing of the values people and files give us, shared by forms, services, the API and imports.

Each function returns the clean value or raises `ValueError` with a message fit to show next to the
field (or CSV cell) it came from; callers attach the field name.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from partners.validation_core import normalise_country as partner_normalise_country
from partners.validation_core import normalise_domain as partner_normalise_domain
from prm.models import REVENUE_STREAMS, STREAM_KEYS

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # 14 digits, 2 after the point
STREAM_LABELS = dict(REVENUE_STREAMS)
STREAM_ALIASES = {
    **{key: key for key in STREAM_KEYS},
    **{label.lower(): key for key, label in REVENUE_STREAMS},
    "initial": "new",
    "initial sale": "new",
    "new sale": "new",
    "cross-sell": "cross_sell",
    "crosssell": "cross_sell",
    "support": "maintenance",
    "maintenance contract": "maintenance",
    "support contract": "maintenance",
    "spare parts": "parts",
    "service": "services",
}
_LEGAL_SUFFIXES = {
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "gmbh",
    "ag", "sa", "sas", "sarl", "bv", "nv", "plc", "pty", "srl", "spa", "oy", "ab", "as", "kg", "the",
}  # fmt: skip


def parse_money(value: Any, *, allow_negative: bool = False, label: str = "amount") -> Decimal:
    """An amount with at most two decimals; thousands separators and a leading currency sign are
    not guessed at (1,000 could be one thousand or one), so they are refused with an example."""
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValueError(f"Give the {label}.")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(f"“{text[:40]}” is not a number; write the {label} like 1500.00.") from None
    if not amount.is_finite():
        raise ValueError(f"“{text[:40]}” is not a number; write the {label} like 1500.00.")
    if amount != amount.quantize(CENT):
        raise ValueError(f"The {label} can have at most two decimals.")
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(f"The {label} is too large.")
    if amount == 0:
        raise ValueError(f"The {label} cannot be zero.")
    if amount < 0 and not allow_negative:
        raise ValueError(f"The {label} must be positive; corrections are recorded as reversals.")
    return amount.quantize(CENT)


def parse_margin(value: Any) -> Decimal | None:
    """A gross margin between 0 and 1 (0.35), or a percentage with a sign (35%); blank -> None."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    percent = text.endswith("%")
    try:
        margin = Decimal(text.rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"“{text[:40]}” is not a margin; write 0.35 or 35%.") from None
    if not margin.is_finite():
        raise ValueError(f"“{text[:40]}” is not a margin; write 0.35 or 35%.")
    if percent:
        margin = margin / 100
    if not Decimal("0") <= margin <= Decimal("1"):
        raise ValueError("The margin must be between 0 and 1 (or 0% and 100%).")
    if margin != margin.quantize(Decimal("0.0001")):
        raise ValueError("The margin can have at most four decimals (two for a percentage).")
    return margin.quantize(Decimal("0.0001"))


def parse_stream(value: Any) -> str:
    text = str(value if value is not None else "").strip().lower()
    if not text:
        raise ValueError("Give the revenue stream.")
    stream = STREAM_ALIASES.get(text) or STREAM_ALIASES.get(text.replace("_", " "))
    if stream is None:
        raise ValueError(
            f"Unknown revenue stream “{text[:40]}”; use one of: {', '.join(sorted(STREAM_KEYS))}."
        )
    return stream


def parse_date(value: Any, *, label: str = "date", required: bool = True) -> datetime.date | None:
    """ISO dates (2026-03-31) only: day-first and month-first files look alike."""
    if isinstance(value, datetime.date):
        return value
    text = str(value if value is not None else "").strip()
    if not text:
        if required:
            raise ValueError(f"Give the {label}.")
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text[:40]}” is not a date; write the {label} as YYYY-MM-DD.") from None


def parse_currency(value: Any, *, tenant_currency: str) -> str:
    """Blank means the tenant's currency. Other currencies are refused: the ledgers hold one
    currency per tenant so margins and LTV add up without exchange rates."""
    text = str(value if value is not None else "").strip().upper()
    if not text:
        return tenant_currency
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValueError(f"“{text[:40]}” is not a currency code; use a three-letter code like USD.")
    if text != tenant_currency:
        raise ValueError(f"This tenant's ledgers are in {tenant_currency}; convert {text} amounts first.")
    return text


def normalise_domain(value: Any) -> str:
    """`https://www.Example.com/about` -> `example.com`; blank -> ''. Raises on what is no domain."""
    try:
        return partner_normalise_domain(str(value if value is not None else ""))
    except ValidationError:
        raise ValueError(
            f"“{str(value).strip()[:60]}” is not a website domain; write it like example.com."
        ) from None


def normalise_country(value: Any) -> str:
    try:
        return partner_normalise_country(str(value if value is not None else ""))
    except ValidationError:
        raise ValueError("Use a two-letter ISO 3166 country code such as US or DE.") from None


def name_key(value: str) -> str:
    """A company name reduced for matching: lower case, no punctuation, no legal form words."""
    words = re.findall(r"[a-z0-9]+", value.lower().replace("&", " and "))
    kept = [word for word in words if word not in _LEGAL_SUFFIXES]
    return " ".join(kept or words)[:200]


def plain_number(number: Decimal) -> str:
    """0.4000 -> "0.4", 1.0000 -> "1": numbers in messages as people write them."""
    return f"{number.normalize():f}"
