"""The filtering convention: exact filters named in `filter_fields` ({param: orm lookup}) and a
free-text `q` over `search_fields`, both documented in the schema."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Q, QuerySet
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
        """Booleans arrive as true/false; other values go to the ORM, which validates them."""
        field = queryset.model._meta.get_field(lookup.split("__")[0])
        if isinstance(field, BooleanField):
            if value not in ("true", "false"):
                raise ValidationError({param: "Must be true or false."})
            return value == "true"
        return value

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = [
            {
                "name": param,
                "required": False,
                "in": "query",
                "schema": {"type": "string"},
                "description": f"Exact filter on {lookup}.",
            }
            for param, lookup in getattr(view, "filter_fields", {}).items()
        ]
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
