"""What every revenue service shares: who may write, and turning parse errors into field errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError

from prm.models import Membership

T = TypeVar("T")


def require_vendor(actor: Membership, what: str) -> None:
    if not actor.is_vendor:
        raise PermissionDenied(f"Only the vendor's team {what}.")


class Fields:
    """Collects field errors so one call reports all of them, then raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def parse(self, field: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except ValueError as error:
            self.add(field, str(error))
            return None

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def text(value: Any, *, max_length: int) -> str:
    cleaned = str(value if value is not None else "").strip()
    if len(cleaned) > max_length:
        raise ValueError(f"Keep it under {max_length} characters.")
    return cleaned


def required_text(value: Any, *, max_length: int, label: str) -> str:
    cleaned = text(value, max_length=max_length)
    if not cleaned:
        raise ValueError(f"Give the {label}.")
    return cleaned
