"""The filtering convention: exact filters named in `filter_fields` ({param: orm lookup}) and a
free-text `q` over `search_fields`, both documented in the schema."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    AutoField,
    BooleanField,
    DateField,
    DateTimeField,
    ForeignKey,
    IntegerField,
    Model,
    Q,
    QuerySet,
)
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request


class QueryParamFilter(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        for param, lookup in getattr(view, "filter_fields", {}).items():
            value = request.query_params.get(param)
            if value in (None, ""):
                continue
            choices = getattr(view, "filter_choices", {}).get(param)
            if choices is not None and value not in choices:
                raise ValidationError({param: f"Must be one of: {', '.join(sorted(choices))}."})
            queryset = queryset.filter(**{lookup: self._coerce(queryset, lookup, param, value)})
        search = request.query_params.get("q", "").strip()
        fields = getattr(view, "search_fields", ())
        if search and fields:
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": search})
            queryset = queryset.filter(condition)
        return queryset

    @staticmethod
    def _coerce(queryset: QuerySet, lookup: str, param: str, value: str) -> object:
        """Ids, dates and booleans are checked here, so a bad value is a 400 naming the parameter
        rather than an error from the database; other values go to the ORM."""
        kind = field_kind(queryset.model, lookup)
        if kind == "boolean":
            if value not in ("true", "false"):
                raise ValidationError({param: "Must be true or false."})
            return value == "true"
        if kind == "integer":
            try:
                return int(value)
            except ValueError:
                raise ValidationError({param: "Must be a whole number (an id)."}) from None
        if kind == "date":
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise ValidationError({param: "Must be a date written as YYYY-MM-DD."}) from None
        return value

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """Filters typed by their model field when the view names its model (`queryset_model`)."""
        model = getattr(view, "queryset_model", None)
        choices = getattr(view, "filter_choices", {})
        params = []
        for param, lookup in getattr(view, "filter_fields", {}).items():
            schema: dict[str, Any] = {"type": "string"}
            kind = field_kind(model, lookup) if model is not None else "string"
            if kind == "date":
                schema = {"type": "string", "format": "date"}
            elif kind in ("integer", "boolean"):
                schema = {"type": kind}
            if param in choices:
                schema = {"type": "string", "enum": sorted(choices[param])}
            params.append(
                {
                    "name": param,
                    "required": False,
                    "in": "query",
                    "schema": schema,
                    "description": f"Exact filter on {lookup}.",
                }
            )
        if getattr(view, "search_fields", ()):
            params.append(
                {
                    "name": "q",
                    "required": False,
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "Case-insensitive search over " + ", ".join(view.search_fields) + ".",
                }
            )
        return params


def field_kind(model: type[Model], lookup: str) -> str:
    """What a filter's value must look like: the kind of the model field its lookup starts with."""
    field = model._meta.get_field(lookup.split("__")[0])
    if isinstance(field, BooleanField):
        return "boolean"
    if isinstance(field, (ForeignKey, AutoField, IntegerField)):
        return "integer"
    if isinstance(field, DateField) and not isinstance(field, DateTimeField):
        return "date"
    return "string"
