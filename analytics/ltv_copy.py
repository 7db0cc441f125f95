"""Insert many result rows of the tenant in context, fast, from numpy columns.

On PostgreSQL the columns are packed by numpy into one binary COPY of a temporary staging table
and moved with one INSERT ... SELECT that adds the tenant: COPY cannot load a table with row-level
security, and building 100,000 Python rows (for bulk_create or a text COPY) costs more than the
database's own work. Every foreign key in these rows was read by this run from the tenant's own
scoped queries (its customers, its current fits), so the cross-tenant key check the CSV import needs
for user-supplied ids is not repeated; row-level security still checks the tenant of every row.

Columns are numpy arrays: bool, integer, float, datetime64[D] (dates) or object (few distinct
values, such as a segment name or a nullable key, sent once each and indexed per row).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from django.db import connection, models

from prm.context import require_tenant_id

_PG_EPOCH = np.datetime64("2000-01-01", "D")
_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, no flags, no header extension
_TRAILER = b"\xff\xff"


def _staged(values: np.ndarray) -> tuple[str, np.ndarray, list[Any] | None]:
    """(staging type, big-endian values, distinct values for an indexed column)."""
    kind = values.dtype.kind
    if kind == "b":
        return "bool", values.astype("?"), None
    if kind in "iu":
        return "int8", values.astype(">i8"), None
    if kind == "f":
        return "float8", values.astype(">f8"), None
    if kind == "M":
        return "date", (values.astype("datetime64[D]") - _PG_EPOCH).astype(">i4"), None
    distinct: dict[Any, int] = {}
    codes = np.fromiter(
        (distinct.setdefault(value, len(distinct) + 1) for value in values.tolist()),
        dtype=">i4",
        count=values.size,
    )
    return "int4", codes, list(distinct)


def _binary_copy(columns: list[np.ndarray]) -> bytes:
    layout: list[tuple[str, Any]] = [("fields", ">i2")]
    for i, column in enumerate(columns):
        layout += [(f"n{i}", ">i4"), (f"c{i}", column.dtype)]
    records = np.empty(columns[0].size, dtype=np.dtype(layout))
    records["fields"] = len(columns)
    for i, column in enumerate(columns):
        records[f"n{i}"] = column.dtype.itemsize
        records[f"c{i}"] = column
    return _HEADER + records.tobytes() + _TRAILER


def columns_insert(
    *, model: type[models.Model], columns: Mapping[str, np.ndarray], constants: Mapping[str, Any]
) -> int:
    """Insert one row per element of the (equally long) `columns`, with `constants` in every row."""
    sizes = {column.size for column in columns.values()}
    if len(sizes) != 1:
        raise ValueError("Every column needs one value per row.")
    (size,) = sizes
    if size == 0:
        return 0
    if connection.vendor != "postgresql":
        _bulk_create(model=model, columns=columns, constants=constants, size=size)
        return size
    if not connection.in_atomic_block:
        raise RuntimeError("Result rows are written inside the run's transaction.")
    quote = connection.ops.quote_name
    staged = {name: _staged(values) for name, values in columns.items()}
    stage = quote(f"ltv_stage_{model._meta.db_table}")
    definition = ", ".join(f"c{i} {kind}" for i, (kind, _, _) in enumerate(staged.values()))
    names, selected, params = [], [], []
    for i, (name, (_, _, distinct)) in enumerate(staged.items()):
        field = model._meta.get_field(name)
        cast = field.cast_db_type(connection)  # type: ignore[union-attr]
        names.append(quote(str(field.column)))  # type: ignore[union-attr]
        if distinct is None:
            selected.append(f"s.c{i}::{cast}")
        else:
            selected.append(f"(%s::{cast}[])[s.c{i}]")
            params.append(distinct)
    for name, value in constants.items():
        field = model._meta.get_field(name)
        names.append(quote(str(field.column)))  # type: ignore[union-attr]
        selected.append(f"%s::{field.cast_db_type(connection)}")  # type: ignore[union-attr]
        params.append(value)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMPORARY TABLE {stage} ({definition}) ON COMMIT DROP")
        with cursor.copy(f"COPY {stage} FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_binary_copy([values for _, values, _ in staged.values()]))
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(names)}, tenant_id) "  # noqa: S608
            f"SELECT {', '.join(selected)}, %s FROM {stage} s",
            [*params, require_tenant_id()],
        )
    return size


def _bulk_create(
    *, model: type[models.Model], columns: Mapping[str, np.ndarray], constants: Mapping[str, Any], size: int
) -> None:
    as_python = {
        name: (values.astype("datetime64[D]") if values.dtype.kind == "M" else values).tolist()
        for name, values in columns.items()
    }
    model._default_manager.bulk_create(  # the scoped manager sets the tenant
        [model(**{name: values[i] for name, values in as_python.items()}, **constants) for i in range(size)],
        batch_size=2000,
    )
