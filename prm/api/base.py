"""Base classes for tenant API views: role permission per method and Idempotency-Key support."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from prm.api.permissions import TenantRolePermission
from prm.models import IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"


class IdempotencyConflict(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request body."


class IdempotencyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."


class _Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


class TenantAPIMixin:
    """Every tenant endpoint derives from this. A POST with an Idempotency-Key runs once: the key,
    the handler's writes and the stored response commit in one transaction; a retry with the same
    body replays that response, the same key with another body is a 422."""

    permission_classes = [TenantRolePermission]
    roles_by_method: dict[str, frozenset[str]] = {}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if request.method != "POST" or not key:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        digest = hashlib.sha256(
            request.method.encode() + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        self._idempotency = (key[:200], digest)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        pending = getattr(self, "_idempotency", None)
        if pending is None:
            return
        key, digest = pending
        try:
            with transaction.atomic():
                self._idempotency_record: IdempotencyRecord | None = IdempotencyRecord.objects.create(
                    user=request.user, key=key, request_hash=digest
                )
        except IntegrityError:
            # A concurrent first attempt holds the key: its insert blocked ours until it committed.
            record = IdempotencyRecord.objects.get(user=request.user, key=key)
            if record.request_hash != digest:
                raise IdempotencyConflict() from None
            if record.response_status is None:
                raise IdempotencyInProgress() from None
            raise _Replay(record) from None

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Replay):
            response = Response(exc.record.response_body, status=exc.record.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Any:
        record = getattr(self, "_idempotency_record", None)
        if record is not None and response.status_code < 500:
            record.response_status = response.status_code
            record.response_body = getattr(response, "data", None)
            record.save(update_fields=["response_status", "response_body"])
            self._idempotency_record = None
            if response.status_code >= 400:
                # A rejected request wrote nothing; keep the key so the client gets the same answer.
                pass
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


class TenantListAPIView(TenantAPIMixin, generics.ListAPIView):
    pass


class TenantRetrieveAPIView(TenantAPIMixin, generics.RetrieveAPIView):
    pass
