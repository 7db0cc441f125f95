"""Score every customer of a population with the model serving its segment.

Transactional customers: RFM from their purchase days (same-day rows summed), then P(alive),
expected purchases, Gamma-Gamma margin per purchase and the discounted residual margin. Subscribers:
renewals survived, whether a contract is in force, and the discounted margin of future renewals.
Each customer also gets `draws` of its true expected residual (posterior and parameter uncertainty),
from which partner intervals are summed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.clv.rfm import rfm_summary
from analytics.clv.value import (
    bgnbd_book_value,
    bgnbd_value_draws,
    sbg_contract_value,
    sbg_value_draws,
)
from analytics.ltv_fit import POOLED, PopulationFits
from analytics.ltv_load import STREAMS, RevenueRows

DRAWS = 200
NO_MODEL = ""


@dataclass
class Scores:
    population: str
    customer: np.ndarray  # sorted unique customer ids
    segment: np.ndarray
    served_by: np.ndarray  # segment key of the serving model, NO_MODEL when none
    first_day: np.ndarray
    last_day: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    monetary: np.ndarray
    p_alive: np.ndarray
    expected_transactions: np.ndarray
    residual: np.ndarray  # present value at as-of
    realised: np.ndarray  # undiscounted margin to date
    stream_share: np.ndarray  # (customers, streams): where its margin came from
    draws: np.ndarray  # (customers, DRAWS)

    def index_of(self, customer_ids: np.ndarray) -> np.ndarray:
        """Positions of the given ids in this population, -1 where absent."""
        if self.customer.size == 0:
            return np.full(customer_ids.shape, -1, dtype=np.int64)
        position = np.searchsorted(self.customer, customer_ids)
        position = np.minimum(position, self.customer.size - 1)
        return np.where(self.customer[position] == customer_ids, position, -1)


def _groups(customer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets and sizes of each customer's run of rows (rows sorted by customer)."""
    starts = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]]) if customer.size else np.empty(0, int)
    return starts, np.diff(np.r_[starts, customer.size]).astype(np.int64)


def _stream_share(rows: RevenueRows, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    owner = np.repeat(np.arange(starts.size), sizes)
    share = np.zeros((starts.size, len(STREAMS)))
    np.add.at(share, (owner, rows.stream.astype(np.int64)), rows.margin)
    totals = share.sum(axis=1, keepdims=True)
    return np.divide(share, totals, out=np.zeros_like(share), where=totals > 0)


def served_groups(
    *, segment: np.ndarray, fits: PopulationFits
) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Per customer, the key of the model serving its segment (NO_MODEL when none), and per serving
    model, in sorted order (the order the draws are taken in), the mask of its customers. Decided
    once per distinct segment: a hundred thousand customers share a handful."""
    names, codes = np.unique(np.asarray(segment, dtype=str), return_inverse=True)
    codes = codes.reshape(-1)
    served = [fits.serves.get(name, POOLED) for name in names.tolist()]
    served_names = np.array([key if key in fits.models else NO_MODEL for key in served], dtype=object)
    groups = [
        (key, np.isin(codes, np.flatnonzero(served_names == key)))
        for key in sorted(set(served_names.tolist()) - {NO_MODEL})
    ]
    return served_names[codes] if names.size else np.empty(0, dtype=object), groups


def segment_of(*, customer: np.ndarray, segment_by_customer: dict[int, str]) -> np.ndarray:
    return np.array([segment_by_customer.get(int(c), "direct") for c in customer], dtype=object)


def score_transactional(
    *,
    rows: RevenueRows,
    as_of_day: int,
    annual_discount: float,
    fits: PopulationFits,
    segment_by_customer: dict[int, str],
    rng: np.random.Generator,
) -> Scores:
    starts, sizes = _groups(rows.customer)
    customer = rows.customer[starts]
    n = customer.size
    segment = segment_of(customer=customer, segment_by_customer=segment_by_customer)
    if n:
        rfm = rfm_summary(
            customer_ids=rows.customer,
            dates=rows.day.astype("datetime64[D]"),
            amounts=rows.margin,
            observation_end=np.datetime64(as_of_day, "D"),
        )
        frequency, recency, age, monetary = rfm.frequency, rfm.recency, rfm.T, rfm.monetary_value
    else:
        frequency = recency = age = monetary = np.empty(0)
    first_day = rows.day[starts] if n else np.empty(0, np.int64)
    last_day = rows.day[starts + sizes - 1] if n else np.empty(0, np.int64)
    realised = np.add.reduceat(rows.margin, starts) if n else np.empty(0)
    served_by, groups = served_groups(segment=segment, fits=fits)
    # Without any model (a tiny tenant) a customer counts as alive when it bought in the last year.
    p_alive = (as_of_day - last_day <= 365).astype(float)
    expected = np.zeros(n)
    residual = np.zeros(n)
    draws = np.zeros((n, DRAWS))
    for key, mask in groups:
        model = fits.models[key]
        spend = model.spend
        args = {
            "frequency": frequency[mask],
            "recency": recency[mask],
            "T": age[mask],
            "monetary": np.maximum(monetary[mask], 0.0),
            "annual_discount": annual_discount,
        }
        value = bgnbd_book_value(params=model.params, spend_params=spend["params"], **args)
        p_alive[mask] = value.p_alive
        expected[mask] = value.expected_transactions
        residual[mask] = value.residual
        draws[mask] = bgnbd_value_draws(
            params=model.params,
            covariance=model.covariance,
            spend_params=spend["params"],
            spend_covariance=spend.get("covariance", []),
            draws=DRAWS,
            rng=rng,
            **args,
        )
    return Scores(
        population="transactional",
        customer=customer,
        segment=segment,
        served_by=served_by,
        first_day=first_day,
        last_day=last_day,
        frequency=np.asarray(frequency, dtype=np.int64),
        recency=np.asarray(recency, dtype=float),
        age=np.asarray(age, dtype=float),
        monetary=np.asarray(monetary, dtype=float),
        p_alive=p_alive,
        expected_transactions=expected,
        residual=residual,
        realised=realised,
        stream_share=_stream_share(rows, starts, sizes),
        draws=draws,
    )


@dataclass
class ContractHistories:
    customer: np.ndarray
    renewals: np.ndarray
    active: np.ndarray
    period_weeks: np.ndarray
    margin_per_period: np.ndarray
    first_term_margin: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    realised: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray


def contract_histories(*, rows: RevenueRows, as_of_day: int) -> ContractHistories:
    """Per subscriber: a term is a distinct contract end (a mid-term upsell shares its term's end)."""
    starts, sizes = _groups(rows.customer)
    n = starts.size
    if n == 0:
        empty_i, empty_f = np.empty(0, np.int64), np.empty(0)
        return ContractHistories(
            customer=empty_i,
            renewals=empty_i,
            active=np.empty(0, bool),
            period_weeks=empty_f,
            margin_per_period=empty_f,
            first_term_margin=empty_f,
            first_day=empty_i,
            last_day=empty_i,
            realised=empty_f,
            starts=starts,
            sizes=sizes,
        )
    order = np.lexsort((rows.term_end, rows.customer))
    customer, end = rows.customer[order], rows.term_end[order]
    term_first = np.flatnonzero(np.r_[True, (customer[1:] != customer[:-1]) | (end[1:] != end[:-1])])
    term_customer = customer[term_first]
    term_end = end[term_first]
    term_start = np.minimum.reduceat(rows.term_start[order], term_first)
    term_margin = np.add.reduceat(rows.margin[order], term_first)
    in_force = (term_end >= as_of_day) & (term_start <= as_of_day)
    owner_first = np.flatnonzero(np.r_[True, term_customer[1:] != term_customer[:-1]])
    terms = np.diff(np.r_[owner_first, term_customer.size])
    owner_last = owner_first + terms - 1
    lengths = (term_end - term_start + 1) / 7.0
    return ContractHistories(
        customer=term_customer[owner_first],
        renewals=(terms - 1).astype(np.int64),
        active=np.maximum.reduceat(in_force, owner_first).astype(bool),
        period_weeks=np.clip(np.add.reduceat(lengths, owner_first) / terms, 1.0, 520.0),
        margin_per_period=term_margin[owner_last],
        first_term_margin=term_margin[owner_first],
        first_day=rows.day[starts],
        last_day=rows.day[starts + sizes - 1],
        realised=np.add.reduceat(rows.margin, starts),
        starts=starts,
        sizes=sizes,
    )


def score_subscription(
    *,
    rows: RevenueRows,
    histories: ContractHistories,
    annual_discount: float,
    fits: PopulationFits,
    segment_by_customer: dict[int, str],
    rng: np.random.Generator,
) -> Scores:
    n = histories.customer.size
    segment = segment_of(customer=histories.customer, segment_by_customer=segment_by_customer)
    served_by, groups = served_groups(segment=segment, fits=fits)
    p_renew = histories.active.astype(float)
    residual = np.zeros(n)
    draws = np.zeros((n, DRAWS))
    for key, mask in groups:
        model = fits.models[key]
        args = {
            "renewals": histories.renewals[mask],
            "active": histories.active[mask],
            "period_weeks": histories.period_weeks[mask],
            "margin_per_period": histories.margin_per_period[mask],
            "annual_discount": annual_discount,
        }
        value = sbg_contract_value(params=model.params, **args)
        p_renew[mask] = value.p_renew
        residual[mask] = value.residual
        draws[mask] = sbg_value_draws(
            params=model.params, covariance=model.covariance, draws=DRAWS, rng=rng, **args
        )
    return Scores(
        population="subscription",
        customer=histories.customer,
        segment=segment,
        served_by=served_by,
        first_day=histories.first_day,
        last_day=histories.last_day,
        frequency=histories.renewals,
        recency=histories.period_weeks,
        age=(histories.last_day - histories.first_day) / 7.0 if n else np.empty(0),
        monetary=histories.margin_per_period,
        p_alive=p_renew,
        expected_transactions=p_renew,
        residual=residual,
        realised=histories.realised,
        stream_share=_stream_share(rows, histories.starts, histories.sizes),
        draws=draws,
    )
