"""API of CSV imports (vendor roles): list imports, upload a file, follow one import.

POST takes the file as multipart (`file` + `kind`) or as JSON (`content` + `kind` [+ `file_name`]).
The answer is 201 with the job: a small file is already imported or failed (with its errors by row
and column), a large one is `pending` and runs in the background, so poll its detail. A file that
is no usable CSV is a 400; the same file again (same bytes, same kind) is a 409 naming the earlier
import. Idempotency-Key is honoured by the base mixin.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from prm.api.base import TenantListAPIView, TenantRetrieveAPIView
from prm.models import VENDOR_ROLES
from revenue.access import access_import_job_by_id
from revenue.models import ImportJob, ImportKind, ImportStatus
from revenue.selectors_imports import import_job_list, import_progress_percent
from revenue.services_imports import MAX_BYTES, ImportDuplicateError, import_start


# Plain strings in the schema: `kind` and `status` enums of other resources would collide with these
# names (the project names shared enums in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
@extend_schema_field({"type": "string", "description": "One of: " + ", ".join(ImportKind.values) + "."})
class ImportKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(choices=ImportKind.choices, **kwargs)


@extend_schema_field({"type": "string", "description": "One of: " + ", ".join(ImportStatus.values) + "."})
class ImportStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(choices=ImportStatus.choices, **kwargs)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="Spreadsheet row (the header is 1); null: the file."
    )
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    kind = ImportKindField(read_only=True)
    status = ImportStatusField(read_only=True)
    progress = serializers.SerializerMethodField(help_text="Percent done: checking is 0-50, writing 50-100.")
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file_name",
            "sha256",
            "status",
            "progress",
            "total_rows",
            "processed_rows",
            "imported_rows",
            "error_count",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job: ImportJob) -> int:
        return import_progress_percent(job)


class ImportJobDetailSerializer(ImportJobSerializer):
    errors = ImportErrorSerializer(
        many=True, read_only=True, help_text="The first 1,000 errors, in row order."
    )

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "errors"]
        read_only_fields = fields


class ImportCreateSerializer(serializers.Serializer):
    kind = ImportKindField()
    file = serializers.FileField(required=False, help_text="The CSV file (multipart uploads).")
    content = serializers.CharField(
        required=False, trim_whitespace=False, help_text="Or the CSV text itself (JSON bodies)."
    )
    file_name = serializers.CharField(required=False, max_length=255, default="api.csv")

    def validate(self, attrs: dict) -> dict:
        upload, content = attrs.get("file"), attrs.get("content")
        if bool(upload) == bool(content):
            raise serializers.ValidationError(
                {"file": "Send the CSV as `file` or as `content`, one of them."}
            )
        if upload:
            attrs["data"] = upload.read(MAX_BYTES + 1)
            attrs["file_name"] = upload.name or attrs["file_name"]
        else:
            attrs["data"] = str(content).encode("utf-8")
        return attrs


class ImportDuplicateSerializer(serializers.Serializer):
    detail = serializers.CharField()
    earlier_import = serializers.IntegerField()
    earlier_status = ImportStatusField()


class ImportJobListView(TenantListAPIView):
    """Vendor roles: every import of the tenant, newest first; POST uploads a file."""

    roles_by_method = {"GET": VENDOR_ROLES, "POST": VENDOR_ROLES}
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_fields = {"kind": "kind", "status": "status"}
    filter_choices = {"kind": set(ImportKind.values), "status": set(ImportStatus.values)}
    search_fields = ("file_name",)
    ordering_fields = ["created_at", "total_rows", "error_count"]

    def get_queryset(self) -> QuerySet[ImportJob]:
        return import_job_list(actor=self.request.membership)  # type: ignore[attr-defined]

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer, "application/json": ImportCreateSerializer},
        responses={
            201: ImportJobDetailSerializer,
            409: OpenApiResponse(
                ImportDuplicateSerializer, description="The same file was already imported."
            ),
        },
    )
    def post(self, request: Request, tenant_slug: str) -> Response:
        payload = ImportCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            job = import_start(
                actor=request.membership,  # type: ignore[attr-defined]
                kind=data["kind"],
                file_name=data["file_name"],
                data=data["data"],
            )
        except ImportDuplicateError as error:
            body = {
                "detail": error.message_dict["file"][0],
                "earlier_import": error.earlier.pk,
                "earlier_status": error.earlier.status,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        job = access_import_job_by_id(actor=request.membership, import_job_id=job.pk)  # type: ignore[attr-defined]
        return Response(ImportJobDetailSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobDetailView(TenantRetrieveAPIView):
    """One import: status, progress, error count and the first errors by row and column."""

    roles_by_method = {"GET": VENDOR_ROLES}
    serializer_class = ImportJobDetailSerializer

    def get_object(self) -> ImportJob:
        return access_import_job_by_id(actor=self.request.membership, import_job_id=self.kwargs["pk"])  # type: ignore[attr-defined]
