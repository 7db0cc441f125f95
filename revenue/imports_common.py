"""The engine every CSV import kind shares: reading the file, checking its header, collecting every
error by row and column, bulk look-ups, and writing rows in batches.

An import runs in two phases (see revenue.services_imports): `check_row` for each row, then
`check_file` for what needs the whole file (look-ups, duplicates, weights), then, only when no error
was found, `write` inside one transaction. A kind never queries per row: it notes the keys it needs
while checking rows and resolves them in a few chunked queries.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.db import connection, models

from prm.models import Membership, Tenant, User
from revenue.imports_writer import BatchWriter, keys_in
from revenue.services_common import Fields

IMPORT_BATCH = 5000  # rows per check-progress update (the writer has its own batch size)
LOOKUP_CHUNK = 5000  # ids or keys per IN (...) query: well under SQLite's bound-parameter limit
LOOKUP_CHUNK_POSTGRES = 50_000  # keys per array parameter
MAX_STORED_ERRORS = 1000  # kept on the job; error_count has them all
ZERO = Decimal("0")


@dataclass(frozen=True)
class Column:
    """One CSV column of a kind, as the upload page and the template file document it."""

    name: str
    description: str
    example: str = ""
    required: bool = False  # the header must be there and every row must give a value


class FileProblem(ValueError):
    """The upload as a whole is unusable (not UTF-8, not CSV, empty); said next to the file field."""


def decode_upload(data: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 with or without a byte-order mark, comma separated."""
    if not data.strip():
        raise FileProblem("The file is empty.")
    if b"\x00" in data[:4096]:
        # UTF-16 text (Excel's "Unicode text") and binary files (xlsx, pdf) both contain NUL bytes.
        raise FileProblem(
            "This is not a CSV text file. In Excel choose File, Save as, “CSV UTF-8 (comma delimited)”."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            f"The file is not UTF-8 text (byte {error.start + 1} is not valid UTF-8). "
            "In Excel choose File, Save as, “CSV UTF-8 (comma delimited)”."
        ) from None
    first_line = text.lstrip().split("\n", 1)[0]
    if ";" in first_line and "," not in first_line:
        raise FileProblem("This file is separated by semicolons; save it comma separated (CSV UTF-8).")
    if "\t" in first_line and "," not in first_line:
        raise FileProblem("This file is separated by tabs; save it comma separated (CSV UTF-8).")
    return text


def read_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) for every record; the header is row 1.
    A malformed record raises FileProblem naming its row."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileProblem(f"Row {number + 1} is not valid CSV ({error}); check its quotes.") from None
        number += 1
        yield number, cells


def count_data_rows(text: str) -> int:
    """Lines after the header that are not blank: the row count as far as the upload needs it (is
    there any row, import now or in the background); the run counts the records exactly."""
    lines = text.splitlines()[1:]
    return sum(1 for line in lines if line.strip(" ,\t"))


def normalise_header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


class Problems:
    """Every error of a file as (row, column, message), reported in row and column order."""

    def __init__(self, column_order: Iterable[str] = ()) -> None:
        self._order = {name: index for index, name in enumerate(column_order)}
        self._items: list[tuple[int, int, str, str]] = []
        self._silenced: set[str] = set()
        self.rows: set[int] = set()

    def silence(self, columns: set[str]) -> None:
        """Columns missing from the header: reported once on row 1, not again on every row."""
        self._silenced = columns

    def add(self, row: int, column: str, message: str) -> None:
        """`row` is the spreadsheet row (the header is 1); 0 means the file as a whole."""
        if row > 1 and column in self._silenced:
            return
        self._items.append((row, self._order.get(column, len(self._order)), column, message))
        self.rows.add(row)

    def add_fields(self, row: int, fields: Fields, renames: dict[str, str] | None = None) -> None:
        """A service's field errors, under the CSV column names (`occurred_on` is the `date` column)."""
        for name, messages in fields.errors.items():
            column = (renames or {}).get(name, name)
            for message in messages:
                self.add(row, column, message)

    def __len__(self) -> int:
        return len(self._items)

    def first(self, limit: int = MAX_STORED_ERRORS) -> list[dict[str, Any]]:
        ordered = sorted(self._items, key=lambda item: (item[0], item[1]))
        return [
            {"row": row, "column": column, "message": message} for row, _, column, message in ordered[:limit]
        ]


@dataclass
class ImportContext:
    tenant: Tenant
    job_id: int
    actor: Membership | None  # the importer's membership (None if it was removed since the upload)
    user: User | None
    problems: Problems
    today: datetime.date


class ImportConflict(Exception):
    """Data changed between the check and the write (another writer took a domain or a weight):
    the write transaction rolls back and the job reports these problems."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(f"{len(problems)} rows conflict with changes made while the import ran")
        self.problems = problems


class KindImport:
    """One import kind: its columns, how a row is checked, how the clean file is written."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    # At least one of these columns must be in the header (a customer by reference or by domain).
    one_of: ClassVar[tuple[str, ...]] = ()
    # Service field names whose errors belong to a differently named column.
    renames: ClassVar[dict[str, str]] = {}

    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.problems = context.problems

    def check_row(self, row: int, values: dict[str, str]) -> None:
        raise NotImplementedError  # abstract: each kind's importer (customers, revenue, ...) defines it

    def check_file(self) -> None:
        """Cross-row checks and look-ups, once every row was read."""

    def write(self, writer: BatchWriter) -> set[int]:
        """Write the clean file (inside the caller's transaction); returns the partners to recompute."""
        raise NotImplementedError  # abstract: each kind's importer defines it

    @classmethod
    def column_names(cls) -> list[str]:
        return [column.name for column in cls.columns]

    @classmethod
    def template_rows(cls) -> list[list[str]]:
        return [cls.column_names(), [column.example for column in cls.columns]]


def check_header(spec: type[KindImport], cells: list[str], problems: Problems) -> list[str | None]:
    """The column each cell position holds (None for unknown columns, which are errors too)."""
    known = set(spec.column_names())
    names: list[str | None] = []
    seen: set[str] = set()
    for cell in cells:
        name = normalise_header(cell)
        if not name:
            names.append(None)
            continue
        if name not in known:
            problems.add(
                1, cell.strip()[:60], f"Unknown column; the columns are: {', '.join(spec.column_names())}."
            )
            names.append(None)
            continue
        if name in seen:
            problems.add(1, name, "This column appears twice.")
            names.append(None)
            continue
        seen.add(name)
        names.append(name)
    for column in spec.columns:
        if column.required and column.name not in seen:
            problems.add(1, column.name, "This required column is missing.")
    if spec.one_of and not seen.intersection(spec.one_of):
        problems.add(1, spec.one_of[0], f"Give one of the columns {' or '.join(spec.one_of)}.")
    return names


def missing_required(spec: type[KindImport], names: list[str | None]) -> set[str]:
    """Required columns the header lacks (reported on row 1, so not again on every row)."""
    present = set(names)
    missing = {column.name for column in spec.columns if column.required and column.name not in present}
    if spec.one_of and not present.intersection(spec.one_of):
        missing.update(spec.one_of)
    return missing


# --- bulk look-ups -------------------------------------------------------------------------------


def chunked(values: Iterable[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup(queryset: models.QuerySet, field_name: str, keys: Iterable[Any], *fields: str) -> Iterator[tuple]:
    """`queryset.filter(<field>__in=keys).values_list(*fields)`, a chunk of keys per query."""
    size = LOOKUP_CHUNK_POSTGRES if connection.vendor == "postgresql" else LOOKUP_CHUNK
    for chunk in chunked(sorted(set(keys)), size):
        yield from queryset.filter(keys_in(queryset.model, field_name, chunk)).values_list(*fields)
