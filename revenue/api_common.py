"""What every revenue API view shares: the base views, typed filters, and ids named in a body.

- A URL id goes through a revenue.access helper (404 outside the actor's tenant or partner); an id
  in a body is a field error (400 "No such partner."), because the client chose it, not the route.
- Filters are the project's `filter_fields`/`q` convention (prm.api.filters), typed by the model
  named in `queryset_model`: `?customer=abc` or `?date_from=31/12/2025` answer 400 on that parameter.
- A method an endpoint never serves answers 405 to members (the ledgers are append-only: there is no
  PUT, PATCH or DELETE on a revenue row), instead of the 403 that a role refusal gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import (
    Model,
    QuerySet,
)
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from partners.models import Partner
from prm.api.base import TenantAPIMixin
from prm.api.filters import QueryParamFilter
from prm.models import PARTNER_ROLES, VENDOR_ROLES, Membership, Role

MEMBERS = VENDOR_ROLES | PARTNER_ROLES
# Referral codes: the vendor's team for any partner, a partner admin for its own organisation.
CODE_MANAGERS = VENDOR_ROLES | {Role.PARTNER_ADMIN}
MONEY = {"max_digits": 14, "decimal_places": 2}


class RevenueAPIMixin(TenantAPIMixin):
    """Base of every revenue endpoint: role per method (TenantAPIMixin), typed filters, 405s."""

    filter_backends = [QueryParamFilter, OrderingFilter]
    # The model the list filters apply to; read by the schema without running the selector.
    queryset_model: type[Model]
    request: Request

    @property
    def actor(self) -> Membership:
        return self.request.membership  # type: ignore[attr-defined]

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> None:
        if getattr(request, "membership", None) is not None and not hasattr(self, request.method.lower()):
            raise MethodNotAllowed(request.method)
        super().permission_denied(request, message=message, code=code)  # type: ignore[misc]

    def payload(self, serializer_class: type[serializers.Serializer], *, partial: bool = False) -> Any:
        """The request body, validated; ids in it are checked against what the actor may name."""
        payload = serializer_class(data=self.request.data, partial=partial, context={"actor": self.actor})
        payload.is_valid(raise_exception=True)
        return payload.validated_data


class RevenueListAPIView(RevenueAPIMixin, generics.ListAPIView):
    pass


class RevenueRetrieveAPIView(RevenueAPIMixin, generics.RetrieveAPIView):
    pass


class RevenueActionAPIView(RevenueAPIMixin, generics.GenericAPIView):
    """A POST that runs one service on the object in the URL."""


def enum_field(name: str, choices: Iterable[tuple[str, str]]) -> type[serializers.ChoiceField]:
    """A choice field class whose choices are one named schema component. drf-spectacular names
    inline enums by field name, and "status" or "kind" mean different sets in different resources;
    a named component keeps every name stable and the schema free of collision warnings."""
    pairs = list(choices)
    schema = {
        "type": "string",
        "enum": [value for value, _ in pairs],
        "description": "\n".join(f"* `{value}` - {label}" for value, label in pairs),
    }
    field_class = type(f"{name}Field", (serializers.ChoiceField,), {"__doc__": f"One of {name}."})
    return extend_schema_field(schema, component_name=name)(field_class)


# --- ids in a body ----------------------------------------------------------------------------------


class BodyIdField(serializers.PrimaryKeyRelatedField):
    """An id in a request body, looked up among the rows the actor may name (tenant-scoped by the
    manager, partner-scoped by `scope`). Anything else is the field error "No such <label>."."""

    def __init__(
        self,
        *,
        model: type[Model],
        label_text: str,
        scope: Callable[[Membership, QuerySet], QuerySet] | None = None,
        **kwargs: Any,
    ) -> None:
        self.model = model
        self.scope = scope
        kwargs.setdefault(
            "error_messages",
            {"does_not_exist": f"No such {label_text}.", "incorrect_type": f"Give the {label_text}'s id."},
        )
        super().__init__(queryset=model.objects, **kwargs)  # type: ignore[attr-defined]

    def get_queryset(self) -> QuerySet:
        rows = self.model.objects.all()  # type: ignore[attr-defined]
        if self.scope is not None:
            rows = self.scope(self.context["actor"], rows)
        return rows


def own_partner_only(actor: Membership, rows: QuerySet[Partner]) -> QuerySet[Partner]:
    """Partner roles may name only their own organisation."""
    return rows.filter(pk=actor.own_partner_id) if actor.is_partner else rows


def partner_field(**kwargs: Any) -> BodyIdField:
    return BodyIdField(model=Partner, label_text="partner", scope=own_partner_only, **kwargs)


def partner_for(actor: Membership, data: dict[str, Any], *, allow_direct: bool = False) -> Partner | None:
    """The partner a create names. Partner roles may leave it out (their own organisation); vendor
    roles must name one, or, where `allow_direct`, send null for the vendor's own opportunity."""
    partner = data.get("partner")
    if partner is not None:
        return partner
    if actor.is_partner:
        return Partner.objects.get(pk=actor.own_partner_id)
    if allow_direct and "partner" in data:
        return None
    message = "Name the partner" + (
        ", or null for a direct opportunity." if allow_direct else " this is for."
    )
    raise ValidationError({"partner": [message]})
