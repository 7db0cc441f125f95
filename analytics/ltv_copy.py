"""Insert many result rows of the tenant in context, fast.

On PostgreSQL the rows are COPYed into a temporary staging table and moved with one INSERT ...
SELECT that adds the tenant: COPY cannot load a table with row-level security, and bulk_create of
100,000 rows spends seconds preparing values. Every foreign key in these rows was read by this
run from the tenant's own scoped queries (its customers, its current fits), so the cross-tenant key
check the CSV import needs for user-supplied ids is not repeated; row-level security still checks
the tenant of every inserted row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from prm.context import require_tenant_id


def rows_insert(*, model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(  # the scoped manager sets the tenant
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Result rows are written inside the run's transaction.")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(str(model._meta.get_field(column).column)) for column in columns)  # type: ignore[union-attr]
    stage = quote(f"ltv_stage_{model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {stage}")
        with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}, tenant_id) SELECT {names}, %s FROM {stage}",  # noqa: S608
            [require_tenant_id()],
        )
