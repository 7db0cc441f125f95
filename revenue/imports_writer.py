"""Writing an import's rows: batches of plain values (field attname -> value), inside the import's
one transaction, each batch one insert, the new ids returned in row order.

On PostgreSQL a batch goes through COPY into a temporary staging table, then one
`INSERT ... SELECT ... RETURNING id` into the ledger: 100,000 revenue rows must import in seconds,
and Django's bulk_create spends more time preparing values than the database spends storing them
(measured: about 19 s against 5 s for the same rows; see bench/revenue_import.py). COPY cannot load
the ledger tables themselves, which have row-level security. What `TenantQuerySet.bulk_create`
guarantees holds here too: every row gets the context's tenant, every foreign key to a tenant table
is checked to be the tenant's (one query per key and batch), and row-level security checks both
again on insert. Elsewhere (SQLite: the embedded demo, tests) the batch is a bulk_create.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.db.models import BooleanField, F, Func, Q
from django.utils import timezone

from prm.context import CrossTenantError, require_tenant_id
from prm.tenancy import TenantScopedModel

WRITE_BATCH = 5000  # rows per insert and per progress report

Row = dict[str, Any]


class BatchWriter:
    """Inserts rows in batches of WRITE_BATCH, reporting the file rows written after each batch."""

    def __init__(self, *, on_progress: Callable[[int], None]) -> None:
        self.on_progress = on_progress
        self.rows_written = 0

    def create(self, model: type[models.Model], rows: list[Row], *, counts_as_rows: bool = True) -> list[int]:
        """Insert `rows`; returns their new ids, in order. Rows a file row produced as a side effect
        (credit from a referral code) do not count as rows of the file."""
        ids: list[int] = []
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start : start + WRITE_BATCH]
            ids.extend(write_batch(model, batch))
            if counts_as_rows:
                self.rows_written += len(batch)
                self.on_progress(self.rows_written)
        return ids


def write_batch(model: type[models.Model], rows: list[Row]) -> list[int]:
    """One insert of many rows (tests replace it to fail part-way through an import)."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy_insert(model, rows)
    objs = [model(**row) for row in rows]
    model.objects.bulk_create(objs)  # type: ignore[attr-defined]
    return [obj.pk for obj in objs]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


class _EqualsAny(Func):
    """`<column> = ANY(<array parameter>)`: PostgreSQL hashes the array, whatever its length."""

    output_field = BooleanField()

    def __init__(self, field_name: str, keys: list[Any], array_type: str) -> None:
        super().__init__(F(field_name))
        self.keys, self.array_type = keys, array_type

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} = ANY(%s::{self.array_type}[])", (*params, self.keys)


def keys_in(model: type[models.Model], field_name: str, keys: list[Any]) -> Q | _EqualsAny:
    """A filter `<field> IN keys`. On PostgreSQL the keys travel as one array parameter: thousands
    of placeholders cost more to build and parse than the look-up itself, and `IN (subquery)`
    plans as a nested loop."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field_name}__in": keys})
    field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    column = "pk" if field_name == "pk" else field.attname
    return _EqualsAny(column, keys, str(field.db_type(connection)).split("(")[0])


def check_related_rows(model: type[models.Model], rows: list[Row]) -> None:
    """Every foreign key to a tenant table points at a row of the context's tenant (foreign-key
    checks ignore row-level security); one query per key, as the batched bulk_create check."""
    for field in _columns(model):
        if not isinstance(field, models.ForeignKey) or field.name == "tenant":
            continue
        if not issubclass(field.related_model, TenantScopedModel):
            continue
        ids = sorted({row[field.attname] for row in rows if row.get(field.attname) is not None})
        related = field.related_model.objects  # type: ignore[attr-defined]  # scoped: the tenant's rows only
        if ids and related.filter(keys_in(field.related_model, "pk", ids)).count() != len(ids):
            raise CrossTenantError(f"{model.__name__}.{field.name} points at another tenant's row.")


def _copy_insert(model: type[models.Model], rows: list[Row]) -> list[int]:
    """COPY the values the rows give into a staging table; the insert adds what is the same for
    every row (the tenant, creation times, defaults) as parameters."""
    if not connection.in_atomic_block:
        raise RuntimeError("Import batches are written inside the import's transaction.")
    tenant_id = require_tenant_id()
    fields = _columns(model)
    by_name = {field.attname: field for field in fields}
    given = list(rows[0])
    if "tenant_id" in given or not set(given) <= set(by_name):
        raise ValueError(f"{model.__name__} has no columns {sorted(set(given) - set(by_name))} to give here.")
    check_related_rows(model, rows)
    now = timezone.now()
    constants: dict[str, Any] = {}
    for field in fields:
        if field.attname == "tenant_id":
            constants[field.attname] = tenant_id
        elif field.attname not in given:
            auto = getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
            constants[field.attname] = now if auto else field.get_default()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    staged = ", ".join(quote(str(by_name[name].column)) for name in given)
    fixed = ", ".join(quote(str(by_name[name].column)) for name in constants)
    digest = zlib.crc32(staged.encode())
    stage = quote(f"import_stage_{model._meta.db_table}_{digest:x}")
    pick = itemgetter(*given)
    with connection.cursor() as cursor:
        # Dropped when the import's transaction ends, committed or rolled back.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {staged}, 0::bigint AS import_row FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {stage}")
        with cursor.copy(f"COPY {stage} ({staged}, import_row) FROM STDIN") as copy:
            if len(given) == 1:
                for number, row in enumerate(rows):
                    copy.write_row((pick(row), number))
            else:
                for number, row in enumerate(rows):
                    copy.write_row((*pick(row), number))
        placeholders = ", ".join(f"%s::{by_name[name].db_type(connection)}" for name in constants)
        cursor.execute(
            f"INSERT INTO {table} ({staged}, {fixed}) "  # noqa: S608
            f"SELECT {staged}, {placeholders} FROM {stage} ORDER BY import_row RETURNING id",
            list(constants.values()),
        )
        return [pk for (pk,) in cursor.fetchall()]
