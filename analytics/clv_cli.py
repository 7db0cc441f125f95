"""The work behind ``manage.py clv``: read a transaction CSV, validate it, fit the CLV models.

No Django import (the command module is a thin wrapper), no database: everything here works on a
plain file.  Bad input raises :class:`ClvInputError` with a message meant for the analyst; line
numbers are the ones a spreadsheet shows (the header is line 1, blank lines count).

Rows are streamed with :mod:`csv` into lists of raw strings; the conversion is then done once per
*distinct* date string (transaction logs repeat dates heavily) and vectorised for amounts, so a
1,000,000-row file takes a few seconds.

``clv sbg`` discount convention (Fader & Hardie 2010, as :func:`analytics.clv.sbg.sbg_derl`): the
rate ``d`` is per period; ``derl[n]`` is the discounted expected residual lifetime of a customer who
has made ``n`` renewals and is about to decide on the next, the payment at that renewal
undiscounted and each later one discounted by ``(1 + d)`` per period.  At ``d = 0`` it is
``(beta + n) / (alpha - 1)``, infinite (``None``) when ``alpha <= 1``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from analytics.clv.bgnbd import bgnbd_fit
from analytics.clv.gamma_gamma import gamma_gamma_fit
from analytics.clv.mbgnbd import mbgnbd_fit
from analytics.clv.pareto_nbd import pareto_nbd_fit
from analytics.clv.rfm import rfm_summary
from analytics.clv.sbg import sbg_derl, sbg_fit_survivors, sbg_project_survivors

__all__ = [
    "DEFAULT_DATE_FORMAT",
    "MIN_CUSTOMERS",
    "MIN_SPEND_CUSTOMERS",
    "MODELS",
    "ClvInputError",
    "ClvReport",
    "Transactions",
    "clv_fit_report",
    "clv_sbg_report",
    "discount_parse",
    "survivors_parse",
    "transactions_read",
]

DEFAULT_DATE_FORMAT = "%Y-%m-%d"
MIN_CUSTOMERS = 10
# gamma_gamma_fit refuses fewer than 3 repeat customers (three parameters).
MIN_SPEND_CUSTOMERS = 3
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_ModelFit = Callable[..., Any]
MODELS: dict[str, _ModelFit] = {"bgnbd": bgnbd_fit, "pareto-nbd": pareto_nbd_fit, "mbgnbd": mbgnbd_fit}


class ClvInputError(ValueError):
    """Input the command cannot use; the message says what and where."""


@dataclass(frozen=True)
class Transactions:
    """A parsed transaction log: integer customer codes, days, optional amounts (aligned)."""

    customer_codes: np.ndarray
    days: np.ndarray
    amounts: np.ndarray | None
    line_of_row: Callable[[int], int]


@dataclass(frozen=True)
class ClvReport:
    """``data`` is the JSON object; ``warnings`` go to stderr (they are not part of the JSON)."""

    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _row_to_line(*, first_line: int, skipped: list[int]) -> Callable[[int], int]:
    """Map a data-row index to its spreadsheet line, stepping over skipped (blank) lines."""

    def line_of(index: int) -> int:
        line = first_line + index
        for blank in skipped:  # ascending
            if blank <= line:
                line += 1
            else:
                break
        return line

    return line_of


def _column_index(*, header: list[str], name: str, role: str) -> int:
    try:
        return header.index(name)
    except ValueError:
        columns = ", ".join(repr(c) for c in header)
        raise ClvInputError(
            f"{role} column {name!r} is not in the header; the columns are: {columns}"
        ) from None


def _dates_parse(*, raw: list[str], date_format: str, line_of: Callable[[int], int]) -> np.ndarray:
    """Days since 1970 (int64) for each raw date string, parsing each distinct string once."""
    cache: dict[str, int] = {}
    bad: set[str] = set()
    for text in set(raw):
        try:
            cache[text] = datetime.strptime(text.strip(), date_format).toordinal() - _EPOCH_ORDINAL
        except ValueError:
            bad.add(text)
    if bad:
        index = next(i for i, text in enumerate(raw) if text in bad)
        raise ClvInputError(
            f"line {line_of(index)}: cannot read date {raw[index]!r} with format {date_format!r}"
            " (use --date-format with strptime codes, e.g. %d/%m/%Y)"
        )
    return np.fromiter(map(cache.__getitem__, raw), dtype=np.int64, count=len(raw))


def _amounts_parse(*, raw: list[str], line_of: Callable[[int], int]) -> np.ndarray:
    try:
        values = np.array(raw, dtype=np.float64)
    except ValueError:
        values = np.full(len(raw), np.nan)
    if not np.all(np.isfinite(values)):  # find the first offending row (slow path, only on bad input)
        for index, text in enumerate(raw):
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise ClvInputError(f"line {line_of(index)}: amount {text!r} is not a number")
    negative = np.flatnonzero(values < 0)
    if negative.size:
        index = int(negative[0])
        raise ClvInputError(
            f"line {line_of(index)}: amount {raw[index]!r} is negative (refunds are not supported)"
        )
    return values


def _customer_codes(*, raw: list[str], line_of: Callable[[int], int]) -> np.ndarray:
    """Integer code per distinct (stripped) customer id; an empty id is an error."""
    codes: dict[str, int] = {}
    by_raw: dict[str, int] = {}
    for text in dict.fromkeys(raw):
        key = text.strip()
        if not key:
            index = raw.index(text)
            raise ClvInputError(f"line {line_of(index)}: the customer id is empty")
        by_raw[text] = codes.setdefault(key, len(codes))
    return np.fromiter(map(by_raw.__getitem__, raw), dtype=np.int64, count=len(raw))


def transactions_read(
    *,
    path: Path,
    customer_col: str,
    date_col: str,
    amount_col: str | None = None,
    date_format: str = DEFAULT_DATE_FORMAT,
) -> Transactions:
    """Stream the CSV at ``path`` (UTF-8, optional BOM, blank lines skipped) into arrays."""
    if not path.is_file():
        raise ClvInputError(f"file not found: {path}")
    ids: list[str] = []
    dates: list[str] = []
    amounts: list[str] = []
    skipped: list[int] = []
    line = 0
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header: list[str] | None = None
            for row in reader:
                line += 1  # leading blank lines count, as in a spreadsheet
                if row and any(cell.strip() for cell in row):
                    header = [cell.strip() for cell in row]
                    break
            if header is None:
                raise ClvInputError(f"{path} has no header row")
            first_data_line = line + 1
            ci = _column_index(header=header, name=customer_col, role="customer")
            di = _column_index(header=header, name=date_col, role="date")
            ai = None if amount_col is None else _column_index(header=header, name=amount_col, role="amount")
            width = max(ci, di, -1 if ai is None else ai) + 1
            add_id, add_date, add_amount = ids.append, dates.append, amounts.append
            for line, row in enumerate(reader, start=first_data_line):
                if len(row) < width:
                    if not any(cell.strip() for cell in row):
                        skipped.append(line)
                        continue
                    raise ClvInputError(f"line {line}: {len(row)} fields, the columns used need {width}")
                if not row[ci] and not any(row):
                    skipped.append(line)
                    continue
                add_id(row[ci])
                add_date(row[di])
                if ai is not None:
                    add_amount(row[ai])
    except UnicodeDecodeError as exc:
        raise ClvInputError(f"{path} is not UTF-8 text (after line {line}): {exc.reason}") from None
    except csv.Error as exc:
        raise ClvInputError(f"line {line + 1}: malformed CSV: {exc}") from None
    except OSError as exc:
        raise ClvInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    line_of = _row_to_line(first_line=first_data_line, skipped=skipped)
    return Transactions(
        customer_codes=_customer_codes(raw=ids, line_of=line_of),
        days=_dates_parse(raw=dates, date_format=date_format, line_of=line_of).astype("datetime64[D]"),
        amounts=None if ai is None else _amounts_parse(raw=amounts, line_of=line_of),
        line_of_row=line_of,
    )


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _calibration_end_parse(*, text: str, first_day: np.datetime64) -> np.datetime64:
    try:
        end = np.datetime64(datetime.strptime(text.strip(), DEFAULT_DATE_FORMAT).date(), "D")
    except ValueError:
        raise ClvInputError(f"--calibration-end {text!r} is not a date in YYYY-MM-DD form") from None
    if end < first_day:
        raise ClvInputError(f"--calibration-end {end} is before the first transaction ({first_day})")
    return end


def clv_fit_report(
    *,
    path: Path,
    customer_col: str,
    date_col: str,
    amount_col: str | None = None,
    date_format: str = DEFAULT_DATE_FORMAT,
    calibration_end: str | None = None,
    model: str = "bgnbd",
) -> ClvReport:
    """Fit a repeat-purchase model (and Gamma-Gamma spend when amounts are given) on a CSV."""
    if model not in MODELS:
        raise ClvInputError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    log = transactions_read(
        path=path,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        date_format=date_format,
    )
    if log.days.size == 0:
        raise ClvInputError(f"too few customers to fit: 0 customers, at least {MIN_CUSTOMERS} needed")
    first_day, last_day = log.days.min(), log.days.max()
    cal_end = (
        None if calibration_end is None else _calibration_end_parse(text=calibration_end, first_day=first_day)
    )
    rfm = rfm_summary(
        customer_ids=log.customer_codes,
        dates=log.days,
        amounts=log.amounts,
        calibration_end=cal_end,
        # the analyst may end the calibration after the last transaction (a quiet final stretch)
        observation_end=None if cal_end is None else max(last_day, cal_end),
    )
    customers = int(rfm.frequency.size)
    period = "" if cal_end is None else f" up to {cal_end}"
    if customers < MIN_CUSTOMERS:
        raise ClvInputError(
            f"too few customers to fit: {customers} customers{period}, at least {MIN_CUSTOMERS} needed"
        )
    repeaters = int(np.count_nonzero(rfm.frequency > 0))
    if repeaters == 0:
        raise ClvInputError(
            f"no customer has a repeat purchase (a second purchase day){period}: the model cannot be fitted"
        )
    fit = MODELS[model](frequency=rfm.frequency, recency=rfm.recency, T=rfm.T)
    warnings = [] if fit.converged else [f"the {model} optimiser did not report convergence"]
    data: dict[str, Any] = {
        "customers": customers,
        "time_unit": "weeks",
        "model": model,
        "params": {k: float(v) for k, v in fit.params.items()},
        "log_likelihood": float(fit.log_likelihood),
        "std_errors": {k: _finite_or_none(v) for k, v in fit.std_errors.items()},
        "spend": None,
    }
    if rfm.monetary_value is not None and log.amounts is not None:
        usable = (rfm.frequency > 0) & (rfm.monetary_value > 0)
        if int(usable.sum()) < MIN_SPEND_CUSTOMERS:
            raise ClvInputError(
                f"too few repeat customers with positive spend for the spend model: {int(usable.sum())},"
                f" at least {MIN_SPEND_CUSTOMERS} needed"
            )
        spend = gamma_gamma_fit(frequency=rfm.frequency[usable], monetary_value=rfm.monetary_value[usable])
        if not spend.converged:
            warnings.append("the Gamma-Gamma optimiser did not report convergence")
        if repeaters > spend.customers_used:
            warnings.append(
                f"{repeaters - spend.customers_used} repeat customers with zero repeat spend left out"
            )
        data["spend"] = {
            "params": {k: float(v) for k, v in spend.params.items()},
            "customers_used": spend.customers_used,
        }
    return ClvReport(data=data, warnings=warnings)


def survivors_parse(*, text: str | Sequence[int]) -> list[int]:
    """``"1000,631,468"`` -> ``[1000, 631, 468]``: at least two non-negative, non-increasing integers."""
    parts = text.split(",") if isinstance(text, str) else [str(v) for v in text]
    counts: list[int] = []
    for position, part in enumerate(parts):
        item = part.strip()
        if not item.lstrip("-").isdigit():
            raise ClvInputError(f"--survivors value {position + 1} ({item!r}) is not an integer")
        counts.append(int(item))
    if len(counts) < 2:
        raise ClvInputError(f"--survivors needs at least 2 values N0,N1,... (got {len(counts)})")
    if counts[0] <= 0 or any(c < 0 for c in counts):
        raise ClvInputError("--survivors values must be non-negative and N0 positive")
    for t in range(1, len(counts)):
        if counts[t] > counts[t - 1]:
            raise ClvInputError(
                f"--survivors must be non-increasing: N{t}={counts[t]} is above N{t - 1}={counts[t - 1]}"
            )
    if counts[-1] == counts[0]:
        raise ClvInputError("--survivors shows no churn at all: the sBG model cannot be fitted")
    return counts


def discount_parse(*, text: str | float) -> float:
    """Per-period discount rate in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise ClvInputError(f"--discount {text!r} is not a number") from None
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise ClvInputError(f"--discount must be in [0, 1) (a rate per period), got {text}")
    return value


def _derl_undiscounted(*, alpha: float, beta: float, renewals: int) -> float | None:
    """DERL at d = 0: E[residual lifetime] = (beta + n) / (alpha - 1), infinite (None) if alpha <= 1."""
    return (beta + renewals) / (alpha - 1.0) if alpha > 1.0 else None


def clv_sbg_report(
    *, survivors: str | Sequence[int], discount: str | float = 0.10, periods: int | None = None
) -> ClvReport:
    """Fit the shifted-Beta-Geometric to cohort survivors, project and value (per-period discount)."""
    counts = survivors_parse(text=survivors)
    rate = discount_parse(text=discount)
    k = len(counts) - 1
    horizon = k if periods is None else periods
    if horizon < 1:
        raise ClvInputError(f"--periods must be at least 1, got {horizon}")
    fit = sbg_fit_survivors(survivors=counts)
    alpha, beta = fit.params["alpha"], fit.params["beta"]
    projected = sbg_project_survivors(fit, counts[0], k + horizon)[k + 1 :]
    if rate > 0:
        derl: list[float | None] = [float(sbg_derl(fit, rate, n)) for n in range(k + 1)]
    else:
        derl = [_derl_undiscounted(alpha=alpha, beta=beta, renewals=n) for n in range(k + 1)]
    warnings = [] if fit.converged else ["the sBG optimiser did not report convergence"]
    if rate == 0 and alpha <= 1:
        warnings.append("alpha <= 1: the undiscounted expected residual lifetime is infinite (derl is null)")
    data: dict[str, Any] = {
        "alpha": float(alpha),
        "beta": float(beta),
        "log_likelihood": float(fit.log_likelihood),
        "projected_survivors": [float(v) for v in projected],
        "derl": derl,
    }
    return ClvReport(data=data, warnings=warnings)
