"""Read the ledgers of the tenant in context into numpy arrays for the LTV engine.

Raw SQL on purpose: a full recompute reads a million revenue rows, and ORM instances (or Decimals)
would cost more than the whole model fit. Every query names the tenant explicitly (row-level
security enforces it again on PostgreSQL). Days are integers (days since 1970-01-01); money is float.

A reversal counts on the day of the row it reverses, so a cancelled sale is as if it never happened
(its own date is only the day the correction was recorded). Rows dated after `as_of` are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection

from analytics.models import Population
from partners.models import AcquisitionCost, MdfRequest, Partner
from prm.context import require_tenant_id
from prm.models import REVENUE_STREAMS
from revenue.models import Attribution, Deal, PartnerCost, RevenueEntry

EPOCH = dt.date(1970, 1, 1)
STREAMS: tuple[str, ...] = tuple(key for key, _ in REVENUE_STREAMS)
OPEN_END = np.iinfo(np.int32).max
COST_KINDS: tuple[str, ...] = ("support", "mdf", "incentive", "enablement", "acquisition")


def day_number(value: dt.date) -> int:
    return (value - EPOCH).days


def day_date(value: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(value))


@dataclass
class RevenueRows:
    """Net revenue per customer, day and stream (and contract term for subscriptions)."""

    customer: np.ndarray
    day: np.ndarray
    stream: np.ndarray  # index into STREAMS
    amount: np.ndarray
    margin: np.ndarray  # amount x gross margin
    term_start: np.ndarray  # subscriptions only: contract start/end days
    term_end: np.ndarray

    def __len__(self) -> int:
        return int(self.customer.size)


@dataclass
class Ledgers:
    as_of: dt.date
    annual_discount: float
    transactional: RevenueRows
    subscription: RevenueRows
    # Attribution versions in force at some point up to as_of.
    attr_partner: np.ndarray
    attr_customer: np.ndarray
    attr_sourced: np.ndarray  # bool
    attr_weight: np.ndarray
    attr_from: np.ndarray
    attr_to: np.ndarray  # OPEN_END when open
    attr_row_level: np.ndarray  # bool: credit for one revenue row only (not for the customer's future)
    # Partners (all of the tenant's, or the requested ones).
    partner_id: np.ndarray
    partner_type: list[str]
    partner_start: np.ndarray
    partner_end: np.ndarray  # OPEN_END while active
    partner_gone: np.ndarray  # bool: left, churned or terminated
    partner_prospect: np.ndarray  # bool: not signed yet (no tenure, brings nobody yet)
    partner_last_deal: np.ndarray  # -1 when it never registered a deal
    # Costs: partner, day, kind index into COST_KINDS, amount.
    cost_partner: np.ndarray
    cost_day: np.ndarray
    cost_kind: np.ndarray
    cost_amount: np.ndarray
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    def rows(self, population: str) -> RevenueRows:
        return self.transactional if population == Population.TRANSACTIONAL else self.subscription


def _days(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _days_ts(column: str) -> str:
    """Days of a timestamp column's UTC date."""
    if connection.vendor == "postgresql":
        return f"(CAST({column} AT TIME ZONE 'UTC' AS date) - DATE '1970-01-01')"
    return f"CAST(julianday(date({column})) - 2440587.5 AS INTEGER)"


def _float(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"({expression})::float8"
    return f"CAST({expression} AS REAL)"


def _scaled(expression: str, scale: int) -> str:
    """An exact decimal column as the integer `expression` x `scale`."""
    if connection.vendor == "postgresql":
        return f"(ROUND({expression} * {scale}))::int8"
    return f"CAST(ROUND({expression} * {scale}) AS INTEGER)"


def _in_clause(column: str, ids: Sequence[int] | None) -> tuple[str, list[int]]:
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# PostgreSQL binary COPY types for the numpy dtypes the loader asks for: fixed widths, so a row
# of non-null fields has one layout that numpy reads in place.
_BINARY: dict[type, tuple[str, str]] = {
    np.int64: ("int8", ">i8"),
    np.int32: ("int4", ">i4"),
    np.int8: ("int2", ">i2"),
    np.float64: ("float8", ">f8"),
}
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00"


def _fetch_columns(sql: str, params: Sequence[Any], dtypes: Sequence[type]) -> list[np.ndarray]:
    """The query's columns c0, c1, ... (never NULL) as arrays. On PostgreSQL the rows travel as a
    binary COPY that numpy reads as one record array: a million rows as Python tuples would cost
    several seconds of object churn, and text would cost the server its formatting."""
    if connection.vendor != "postgresql":
        return _columns(_fetch(sql, params), dtypes)
    casts = ", ".join(f"q.c{i}::{_BINARY[dtype][0]}" for i, dtype in enumerate(dtypes))
    fields: list[tuple[str, str]] = [("fields", ">i2")]
    for i, dtype in enumerate(dtypes):
        fields += [(f"n{i}", ">i4"), (f"c{i}", _BINARY[dtype][1])]
    layout = np.dtype(fields)
    buffer = bytearray()
    connection.ensure_connection()
    connection.rls_sync()  # type: ignore[attr-defined]  # the COPY bypasses the execute wrapper
    with connection.connection.cursor() as cursor:  # type: ignore[union-attr]
        statement = f"COPY (SELECT {casts} FROM ({sql}) q) TO STDOUT (FORMAT BINARY)"  # noqa: S608
        with cursor.copy(statement, params) as copy:
            for block in copy:
                buffer += block
    if not buffer.startswith(_COPY_HEADER):
        raise RuntimeError("Unexpected COPY output from PostgreSQL.")
    start = len(_COPY_HEADER) + 8 + int.from_bytes(buffer[15:19], "big")
    body = len(buffer) - start - 2  # the trailer is a 16-bit -1
    rows = np.frombuffer(buffer, dtype=layout, count=body // layout.itemsize, offset=start)
    widths = [np.dtype(_BINARY[dtype][1]).itemsize for dtype in dtypes]
    if (
        body % layout.itemsize
        or (rows["fields"] != len(dtypes)).any()
        or any((rows[f"n{i}"] != width).any() for i, width in enumerate(widths))
    ):
        raise RuntimeError("A ledger column came back NULL or in an unexpected width.")
    return [rows[f"c{i}"].astype(dtype) for i, dtype in enumerate(dtypes)]


def _columns(rows: list[tuple], dtypes: Sequence[type | str]) -> list[np.ndarray]:
    if not rows:
        return [np.empty(0, dtype=dtype) for dtype in dtypes]
    columns = list(zip(*rows, strict=True))
    return [np.asarray(column, dtype=dtype) for column, dtype in zip(columns, dtypes, strict=True)]


def _revenue(
    *, tenant_id: int, as_of: dt.date, customer_ids: Sequence[int] | None
) -> tuple[RevenueRows, RevenueRows]:
    """(transactional, subscription) rows, net per customer, day, stream (and contract term).

    One scan without GROUP BY (numpy groups faster than a hash aggregate ships rows); reversals,
    few, come from the partial index on `reverses_id` joined to the rows they reverse."""
    table = RevenueEntry._meta.db_table
    where_customer, customer_params = _in_clause("r.customer_id", customer_ids)
    stream_code = (
        "CASE r.stream " + " ".join(f"WHEN '{key}' THEN {i}" for i, key in enumerate(STREAMS)) + " END"
    )

    def columns_dated_by(row: str) -> str:
        return (
            f"r.customer_id AS c0, {_days(f'{row}.occurred_on')} AS c1, {stream_code} AS c2, "
            f"{_scaled('r.amount', 100)} AS c3, {_scaled('r.margin', 10_000)} AS c4, "
            f"COALESCE({_days(f'{row}.contract_start')}, -1) AS c5, "
            f"COALESCE({_days(f'{row}.contract_end')}, -1) AS c6"
        )

    sql = (
        f"SELECT {columns_dated_by('r')} FROM {table} r "  # noqa: S608
        f"WHERE r.tenant_id = %s AND r.reverses_id IS NULL AND r.occurred_on <= %s{where_customer} "
        f"UNION ALL SELECT {columns_dated_by('o')} FROM {table} r "
        f"JOIN {table} o ON o.id = r.reverses_id AND o.tenant_id = r.tenant_id "
        f"WHERE r.tenant_id = %s AND r.reverses_id IS NOT NULL AND o.occurred_on <= %s{where_customer}"
    )
    params = [tenant_id, as_of, *customer_params]
    columns = _fetch_columns(
        sql,
        params + params,
        [np.int64, np.int64, np.int8, np.int64, np.int64, np.int64, np.int64],
    )
    # Money travels as integer cents and margin as basis points: numeric to float8 goes through
    # text in PostgreSQL, numeric to int8 does not. The product of two exact integers is exact in
    # float64 below 2**53, so the margin amount is the same float the database would have sent.
    cents, basis_points = columns[3], columns[4]
    columns[3] = cents / 100.0
    columns[4] = cents.astype(np.float64) * basis_points / 1_000_000.0
    contractual = columns[6] >= 0
    return (
        _net_rows(columns, ~contractual, by_term=False),
        _net_rows(columns, contractual, by_term=True),
    )


def _net_rows(columns: list[np.ndarray], keep: np.ndarray, *, by_term: bool) -> RevenueRows:
    """Sum rows per customer, day, stream (per contract term for subscriptions, dated by its first
    invoice); drop groups a reversal cancelled."""
    customer, day, stream, amount, margin, start, end = (column[keep] for column in columns)
    if by_term:
        order = np.lexsort((stream, day, end, start, customer))
        customer, day, stream, amount, margin, start, end = (
            a[order] for a in (customer, day, stream, amount, margin, start, end)
        )
        new = (
            np.r_[
                True,
                (customer[1:] != customer[:-1])
                | (start[1:] != start[:-1])
                | (end[1:] != end[:-1])
                | (stream[1:] != stream[:-1]),
            ]
            if customer.size
            else np.empty(0, bool)
        )
    else:
        order = np.lexsort((stream, day, customer))
        customer, day, stream, amount, margin, start, end = (
            a[order] for a in (customer, day, stream, amount, margin, start, end)
        )
        new = (
            np.r_[True, (customer[1:] != customer[:-1]) | (day[1:] != day[:-1]) | (stream[1:] != stream[:-1])]
            if customer.size
            else np.empty(0, bool)
        )
    first = np.flatnonzero(new)
    if first.size:
        amount_sum = np.add.reduceat(amount, first)
        margin_sum = np.add.reduceat(margin, first)
        first_day = np.minimum.reduceat(day, first)
    else:
        amount_sum = margin_sum = np.empty(0)
        first_day = np.empty(0, np.int64)
    live = amount_sum > 0.005  # a reversed sale nets to zero
    picked = first[live]
    rows_customer, rows_day = customer[picked], first_day[live]
    order = np.lexsort((rows_day, rows_customer))
    return RevenueRows(
        customer=rows_customer[order],
        day=rows_day[order].astype(np.int32),
        stream=stream[picked][order],
        amount=amount_sum[live][order],
        margin=margin_sum[live][order],
        term_start=start[picked][order].astype(np.int32),
        term_end=end[picked][order].astype(np.int32),
    )


def ltv_ledgers_load(
    *,
    as_of: dt.date,
    annual_discount: float,
    customer_ids: Sequence[int] | None = None,
    partner_ids: Sequence[int] | None = None,
) -> Ledgers:
    """The tenant's ledgers up to `as_of`, optionally only some customers' and partners' rows."""
    tenant_id = require_tenant_id()
    as_of_day = day_number(as_of)
    transactional, subscription = _revenue(tenant_id=tenant_id, as_of=as_of, customer_ids=customer_ids)

    where_customer, customer_params = _in_clause("customer_id", customer_ids)
    attributions = _fetch(
        f"SELECT partner_id, customer_id, kind, {_float('weight')}, {_days('effective_from')}, "  # noqa: S608
        f"COALESCE({_days('effective_to')}, {OPEN_END}), revenue_entry_id IS NOT NULL "
        f"FROM {Attribution._meta.db_table} WHERE tenant_id = %s AND effective_from <= %s{where_customer}",
        [tenant_id, as_of, *customer_params],
    )
    a_partner, a_customer, a_kind, a_weight, a_from, a_to, a_row = _columns(
        attributions, [np.int64, np.int64, object, np.float64, np.int32, np.int64, bool]
    )

    where_partner, partner_params = _in_clause("p.id", partner_ids)
    deal_table = Deal._meta.db_table
    partners = _fetch(
        f"SELECT p.id, p.partner_type, p.status, COALESCE({_days('p.joined_on')}, {OPEN_END}), "  # noqa: S608
        f"COALESCE((SELECT MIN({_days('a.effective_from')}) FROM {Attribution._meta.db_table} a "
        f"WHERE a.partner_id = p.id AND a.tenant_id = p.tenant_id), {OPEN_END}), "
        f"COALESCE({_days('p.left_on')}, {OPEN_END}), "
        f"COALESCE((SELECT MAX({_days_ts('d.created_at')}) FROM {deal_table} d "
        f"WHERE d.partner_id = p.id AND d.tenant_id = p.tenant_id), -1) "
        f"FROM {Partner._meta.db_table} p WHERE p.tenant_id = %s{where_partner} ORDER BY p.id",
        [tenant_id, *partner_params],
    )
    p_id, p_type, p_status, p_joined, p_first_credit, p_end, p_deal = _columns(
        partners, [np.int64, object, object, np.int64, np.int64, np.int64, np.int64]
    )
    # A partner's life starts when it joined or when it first earned credit, whichever came first
    # (records often set `joined_on` late, after customers were already credited); a partner with
    # neither starts on the as-of date.
    p_start = np.minimum(np.minimum(p_joined, p_first_credit), as_of_day)
    gone = np.isin(p_status, ["churned", "terminated"]) | (p_end <= as_of_day)

    cost_partner, cost_day, cost_kind, cost_amount = _costs(
        tenant_id=tenant_id, as_of=as_of, partner_ids=partner_ids
    )
    return Ledgers(
        as_of=as_of,
        annual_discount=annual_discount,
        transactional=transactional,
        subscription=subscription,
        attr_partner=a_partner,
        attr_customer=a_customer,
        attr_sourced=a_kind == "sourced",
        attr_weight=a_weight,
        attr_from=a_from,
        attr_to=np.minimum(a_to, OPEN_END).astype(np.int64),
        attr_row_level=a_row.astype(bool),
        partner_id=p_id,
        partner_type=[str(value) for value in p_type],
        partner_start=np.minimum(p_start, as_of_day),
        partner_end=p_end,
        partner_gone=gone,
        partner_prospect=p_status == "prospect",
        partner_last_deal=p_deal,
        cost_partner=cost_partner,
        cost_day=cost_day,
        cost_kind=cost_kind,
        cost_amount=cost_amount,
    )


def _costs(
    *, tenant_id: int, as_of: dt.date, partner_ids: Sequence[int] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cost ledger (reversals on their original's day) plus the partners app's reimbursed MDF
    claims and acquisition entries, which are read alongside, not copied."""
    table = PartnerCost._meta.db_table
    where, params = _in_clause("c.partner_id", partner_ids)
    day = f"COALESCE({_days('o.incurred_on')}, {_days('c.incurred_on')})"
    rows = _fetch(
        f"SELECT c.partner_id, {day}, c.kind, {_float('c.amount')} FROM {table} c "  # noqa: S608
        f"LEFT JOIN {table} o ON o.id = c.reverses_id AND o.tenant_id = c.tenant_id "
        f"WHERE c.tenant_id = %s AND COALESCE(o.incurred_on, c.incurred_on) <= %s{where}",
        [tenant_id, as_of, *params],
    )
    where_m, params_m = _in_clause("partner_id", partner_ids)
    rows += _fetch(
        f"SELECT partner_id, {_days_ts('reimbursed_at')}, 'mdf', {_float('amount_claimed')} "  # noqa: S608
        f"FROM {MdfRequest._meta.db_table} WHERE tenant_id = %s AND status = 'reimbursed' "
        f"AND amount_claimed IS NOT NULL AND reimbursed_at IS NOT NULL{where_m}",
        [tenant_id, *params_m],
    )
    rows += _fetch(
        f"SELECT partner_id, {_days('incurred_on')}, 'acquisition', {_float('amount')} "  # noqa: S608
        f"FROM {AcquisitionCost._meta.db_table} WHERE tenant_id = %s AND incurred_on <= %s{where_m}",
        [tenant_id, as_of, *params_m],
    )
    partner, days, kind, amount = _columns(rows, [np.int64, np.int64, object, np.float64])
    kind_index = {key: index for index, key in enumerate(COST_KINDS)}
    codes = np.fromiter((kind_index.get(str(k), 0) for k in kind), dtype=np.int8, count=kind.size)
    keep = days <= day_number(as_of)
    return partner[keep], days[keep], codes[keep], amount[keep]
