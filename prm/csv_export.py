"""CSV exports of lists: streamed in chunks (memory stays flat on 100,000 rows), safe against
formula injection when opened in a spreadsheet, readable whole by tests through `.content`."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from prm.tenancy import tenant_context

EXPORT_CHUNK = 500
# A cell starting with one of these is a formula to Excel/LibreOffice; a leading quote defuses it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class CsvStreamingResponse(StreamingHttpResponse):
    """A streamed CSV that can also be read whole through `.content` (which consumes the stream), so
    generic response checks, such as the authorization matrix's, work on it as on any page."""

    # The base class refuses `.content`; this one reads the stream instead.
    @property
    def content(self) -> bytes:  # type: ignore[override]
        return b"".join(self.streaming_content)  # type: ignore[arg-type]


class _Line:
    """A file-like target for csv.writer that hands back each formatted line."""

    def write(self, value: str) -> str:
        return value


def csv_export_response(
    request: HttpRequest,
    *,
    rows: QuerySet,
    columns: Sequence[str],
    row_values: Callable[[Any], Sequence[Any]],
    name: str,
) -> CsvStreamingResponse:
    """Stream every row of `rows` (already filtered and scoped for the actor) as `<tenant>-<name>-<date>.csv`.

    The order is fixed inside the request; rows follow chunk by chunk while streaming. Streaming runs
    after the view returned and the middleware cleared the tenant, so each chunk sets it again
    (within one step, so no context crosses a yield)."""
    ordered_ids = list(rows.values_list("pk", flat=True))
    tenant_id = request.tenant.pk  # type: ignore[attr-defined]

    def stream() -> Iterator[str]:
        writer = csv.writer(_Line())
        yield writer.writerow(list(columns))
        for start in range(0, len(ordered_ids), EXPORT_CHUNK):
            chunk = ordered_ids[start : start + EXPORT_CHUNK]
            with tenant_context(tenant_id):
                by_id = {obj.pk: obj for obj in rows.filter(pk__in=chunk)}
                lines = [
                    writer.writerow([csv_safe(value) for value in row_values(by_id[pk])])
                    for pk in chunk
                    if pk in by_id
                ]
            yield "".join(lines)

    response = CsvStreamingResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    slug = request.tenant.slug  # type: ignore[attr-defined]
    response["Content-Disposition"] = f'attachment; filename="{slug}-{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
