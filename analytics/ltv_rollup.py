"""Roll customer values up to partners through the attribution ledger.

Partner LTV, a present value at the partner's start (`valued_from`) at the tenant's annual rate:
  realised  margin of its credited revenue, each row with the weight in force on its date;
+ predicted residual margin of the customers it holds credit for on the as-of date (weight x value);
+ future    the customers it will still bring: its sourcing rate while active x the value of a new
            customer of its segment, over its expected remaining life (partner survival by type);
- costs     its cost ledger plus reimbursed MDF and acquisition entries, each on its date.
The 90% interval sums the customers' and the partner's own draws (posterior and parameter
uncertainty); realised margin and costs are facts and carry none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import betaln

from analytics.clv.partner_future import partner_future_draws, partner_future_value, partner_prior_from_rates
from analytics.clv.value import bgnbd_new_customer_value, sbg_contract_value
from analytics.ltv_fit import POOLED, QUARTER_DAYS, PopulationFits
from analytics.ltv_load import COST_KINDS, STREAMS, Ledgers
from analytics.ltv_score import DRAWS, ContractHistories, Scores

DAYS_PER_YEAR = 365.25
MAX_QUARTERS = 400  # a century: the median beyond it is reported as 100 years
LEVEL = 0.9


@dataclass
class Rollup:
    partner: np.ndarray
    valued_from: np.ndarray  # day
    realised: np.ndarray
    predicted: np.ndarray
    future: np.ndarray
    costs: np.ndarray
    acquisition: np.ndarray
    ltv: np.ndarray
    low: np.ndarray
    high: np.ndarray
    realised_by_stream: np.ndarray  # (partners, streams)
    predicted_by_stream: np.ndarray
    realised_by_kind: np.ndarray  # (partners, 2): sourced, influenced
    predicted_by_kind: np.ndarray
    costs_by_kind: np.ndarray  # (partners, cost kinds), present values
    customers: np.ndarray
    expected_active: np.ndarray
    remaining_years: np.ndarray
    new_per_year: np.ndarray
    mean_p_alive: np.ndarray  # weighted over its current book; nan without customers
    draws: np.ndarray  # (partners, DRAWS) of the total, for intervals of sums of partners


def discount_factor(*, days_after: np.ndarray, annual_discount: float) -> np.ndarray:
    return np.power(1.0 + annual_discount, -np.maximum(days_after, 0) / DAYS_PER_YEAR)


def _weights(ledgers: Ledgers, scores: Scores, partner_index: np.ndarray, sourced: bool) -> sp.csr_matrix:
    """Partner x customer weights of the customer-level credit in force on the as-of date."""
    day = ledgers.as_of_day
    keep = (
        ~ledgers.attr_row_level
        & (ledgers.attr_sourced == sourced)
        & (ledgers.attr_from <= day)
        & (ledgers.attr_to > day)
        & (partner_index >= 0)
    )
    column = scores.index_of(ledgers.attr_customer[keep])
    row = partner_index[keep]
    ok = column >= 0
    return sp.csr_matrix(
        (ledgers.attr_weight[keep][ok], (row[ok], column[ok])),
        shape=(ledgers.partner_id.size, scores.customer.size),
    )


def _realised(
    ledgers: Ledgers, partner_index: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """Each credited revenue row x the weight in force on its date, discounted to the partner's start."""
    customer = np.r_[ledgers.transactional.customer, ledgers.subscription.customer]
    order = np.argsort(customer, kind="stable")
    customer = customer[order]
    day = np.r_[ledgers.transactional.day, ledgers.subscription.day][order]
    stream = np.r_[ledgers.transactional.stream, ledgers.subscription.stream][order].astype(np.int64)
    margin = np.r_[ledgers.transactional.margin, ledgers.subscription.margin][order]
    amount = np.r_[ledgers.transactional.amount, ledgers.subscription.amount][order]
    use = ~ledgers.attr_row_level & (partner_index >= 0)
    lo = np.searchsorted(customer, ledgers.attr_customer[use], side="left")
    hi = np.searchsorted(customer, ledgers.attr_customer[use], side="right")
    sizes = hi - lo
    pair_attr = np.repeat(np.flatnonzero(use), sizes)
    pair_row = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes) + np.repeat(lo, sizes)
    in_force = (day[pair_row] >= ledgers.attr_from[pair_attr]) & (day[pair_row] < ledgers.attr_to[pair_attr])
    pair_attr, pair_row = pair_attr[in_force], pair_row[in_force]
    partner = partner_index[pair_attr]
    weight = ledgers.attr_weight[pair_attr]
    factor = discount_factor(
        days_after=day[pair_row] - start[partner], annual_discount=ledgers.annual_discount
    )
    value = margin[pair_row] * weight * factor
    n_partners, n_streams = ledgers.partner_id.size, len(STREAMS)
    by_stream = np.bincount(
        partner * n_streams + stream[pair_row], weights=value, minlength=n_partners * n_streams
    )
    kind = (~ledgers.attr_sourced[pair_attr]).astype(np.int64)
    by_kind = np.bincount(partner * 2 + kind, weights=value, minlength=n_partners * 2)
    # Undiscounted, by month since the partner's start, for the payback period.
    month = np.clip(((day[pair_row] - start[partner]) / 30.4375).astype(np.int64), 0, 599)
    monthly = np.bincount(
        partner * 600 + month, weights=margin[pair_row] * weight, minlength=n_partners * 600
    )
    revenue_pairs = (partner, customer[pair_row], day[pair_row], amount[pair_row] * weight)
    return (
        by_stream.reshape(n_partners, n_streams),
        by_kind.reshape(n_partners, 2),
        monthly.reshape(n_partners, 600),
        revenue_pairs,
    )


def _new_customer_values(
    *,
    ledgers: Ledgers,
    transactional: PopulationFits,
    subscription: PopulationFits,
    t: Scores,
    s: Scores,
    histories: ContractHistories,
) -> dict[str, float]:
    """PV at acquisition of a new customer of each partner type's segment (and pooled)."""
    values: dict[str, float] = {}
    all_customers = np.union1d(t.customer, s.customer)
    for segment in {f"type:{kind}" for kind in ledgers.partner_type} | {POOLED}:
        in_t = t.segment == segment if segment != POOLED else np.ones(t.customer.size, bool)
        in_s = s.segment == segment if segment != POOLED else np.ones(s.customer.size, bool)
        total = len(np.union1d(t.customer[in_t], s.customer[in_s])) or len(all_customers) or 1
        value = 0.0
        model_t = transactional.model_for(segment)
        if model_t is not None and in_t.any():
            share = in_t.sum() / total
            value += share * bgnbd_new_customer_value(
                params=model_t.params,
                spend_params=model_t.spend["params"],
                first_purchase_margin=float(model_t.spend.get("first_purchase_margin", 0.0)),
                annual_discount=ledgers.annual_discount,
            )
        model_s = subscription.model_for(segment)
        if model_s is not None and in_s.any():
            share = in_s.sum() / total
            mask = np.isin(histories.customer, s.customer[in_s])
            first_term = float(np.mean(histories.first_term_margin[mask])) if mask.any() else 0.0
            period = float(np.mean(histories.period_weeks[mask])) if mask.any() else 52.0
            renewals = sbg_contract_value(
                params=model_s.params,
                renewals=np.zeros(1, np.int64),
                active=np.ones(1, bool),
                period_weeks=np.array([period]),
                margin_per_period=np.array([first_term]),
                annual_discount=ledgers.annual_discount,
            )
            value += share * (first_term + float(renewals.residual[0]))
        values[segment] = value
    return values


def partner_rollup(
    *,
    ledgers: Ledgers,
    t: Scores,
    s: Scores,
    histories: ContractHistories,
    transactional: PopulationFits,
    subscription: PopulationFits,
    partners: PopulationFits,
    prior: tuple[float, float] | None,
    new_customer_values: dict[str, float] | None,
    rng: np.random.Generator,
) -> tuple[Rollup, tuple[np.ndarray, ...], np.ndarray, tuple[float, float], dict[str, float]]:
    """Everything per partner; also returns the credited revenue pairs (for NRR/GRR), the monthly
    realised margin (for payback), the sourcing prior and the new-customer values used."""
    n = ledgers.partner_id.size
    d = ledgers.annual_discount
    as_of = ledgers.as_of_day
    partner_index = np.searchsorted(ledgers.partner_id, ledgers.attr_partner)
    partner_index = np.where(
        (partner_index < n)
        & (ledgers.partner_id[np.minimum(partner_index, max(n - 1, 0))] == ledgers.attr_partner)
        if n
        else np.zeros(ledgers.attr_partner.size, bool),
        partner_index,
        -1,
    )
    start = ledgers.partner_start
    to_start = discount_factor(days_after=np.full(n, as_of) - start, annual_discount=d)

    realised_by_stream, realised_by_kind, monthly, pairs = _realised(ledgers, partner_index, start)
    predicted_by_stream = np.zeros((n, len(STREAMS)))
    predicted_by_kind = np.zeros((n, 2))
    book_draws = np.zeros((n, DRAWS))
    # (partner, customer id, weight, P(alive)) per population: a customer in both counts once.
    holders: list[np.ndarray] = []
    for scores in (t, s):
        sourced = _weights(ledgers, scores, partner_index, sourced=True)
        influenced = _weights(ledgers, scores, partner_index, sourced=False)
        both = (sourced + influenced).tocsr()
        predicted_by_kind[:, 0] += sourced @ scores.residual
        predicted_by_kind[:, 1] += influenced @ scores.residual
        predicted_by_stream += both @ (scores.residual[:, None] * scores.stream_share)
        book_draws += both @ scores.draws
        coo = both.tocoo()
        holders.append(np.c_[coo.row, scores.customer[coo.col], coo.data, scores.p_alive[coo.col]])
    customers, active_sum, weight_sum = _book_counts(holders, n)
    predicted_by_stream *= to_start[:, None]
    predicted_by_kind *= to_start[:, None]
    book_draws *= to_start[:, None]

    # Partner survival and sourcing rate -> the customers it will still bring.
    end = np.minimum(ledgers.partner_end, as_of)
    tenure_days = np.maximum(end - start, 0)
    sourced_since_start = _sourced_counts(ledgers, partner_index, start)
    if prior is None:
        prior = partner_prior_from_rates(
            sourced_customers=sourced_since_start, tenure_weeks=tenure_days / 7.0
        )
    new_values = new_customer_values or _new_customer_values(
        ledgers=ledgers, transactional=transactional, subscription=subscription, t=t, s=s, histories=histories
    )
    future = np.zeros(n)
    future_draws = np.zeros((n, DRAWS))
    remaining_years = np.zeros(n)
    new_per_year = np.zeros(n)
    types = np.array([f"type:{kind}" for kind in ledgers.partner_type], dtype=object)
    for segment in sorted(set(types.tolist())):  # sorted: the draws must not depend on hash order
        mask = types == segment
        model = partners.model_for(segment.removeprefix("type:")) or partners.models[POOLED]
        value = new_values.get(segment, new_values.get(POOLED, 0.0))
        args = {
            "survival_params": model.params,
            "period_weeks": QUARTER_DAYS / 7.0,
            "periods_survived": (tenure_days[mask] // QUARTER_DAYS).astype(np.int64),
            # A prospect has signed nothing yet: it is not counted on to bring anyone.
            "active": ~(ledgers.partner_gone[mask] | ledgers.partner_prospect[mask]),
            "sourced_customers": sourced_since_start[mask],
            "tenure_weeks": np.maximum(tenure_days[mask] / 7.0, 1.0),
            "new_customer_value": np.full(int(mask.sum()), value),
            "annual_discount": d,
            "prior_shape": prior[0],
            "prior_rate": prior[1],
        }
        result = partner_future_value(**args)
        future[mask] = result.expected
        remaining_years[mask] = np.where(
            args["active"],
            median_remaining_quarters(params=model.params, survived=args["periods_survived"]),
            0.0,
        ) * (QUARTER_DAYS / DAYS_PER_YEAR)
        new_per_year[mask] = result.rate_per_week * 52.0 * args["active"]
        future_draws[mask] = partner_future_draws(covariance=model.covariance, draws=DRAWS, rng=rng, **args)
    future *= to_start
    future_draws *= to_start[:, None]

    cost_index = np.searchsorted(ledgers.partner_id, ledgers.cost_partner) if n else ledgers.cost_partner
    ok = (
        (cost_index < n) & (ledgers.partner_id[np.minimum(cost_index, max(n - 1, 0))] == ledgers.cost_partner)
        if n
        else np.zeros(0, bool)
    )
    cost_index, cost_day = cost_index[ok], ledgers.cost_day[ok]
    cost_value = ledgers.cost_amount[ok] * discount_factor(
        days_after=cost_day - start[cost_index], annual_discount=d
    )
    k = len(COST_KINDS)
    costs_by_kind = np.bincount(
        cost_index * k + ledgers.cost_kind[ok], weights=cost_value, minlength=n * k
    ).reshape(n, k)
    acquisition = costs_by_kind[:, COST_KINDS.index("acquisition")]

    realised = realised_by_stream.sum(axis=1)
    predicted = predicted_by_stream.sum(axis=1)
    costs = costs_by_kind.sum(axis=1)
    ltv = realised + predicted + future - costs
    total_draws = realised[:, None] + book_draws + future_draws - costs[:, None]
    low = np.quantile(total_draws, (1 - LEVEL) / 2, axis=1) if n else np.empty(0)
    high = np.quantile(total_draws, (1 + LEVEL) / 2, axis=1) if n else np.empty(0)
    rollup = Rollup(
        partner=ledgers.partner_id,
        valued_from=start,
        realised=realised,
        predicted=predicted,
        future=future,
        costs=costs,
        acquisition=acquisition,
        ltv=ltv,
        # The point uses the fitted parameters, the draws also vary them: on a thin, skewed book the
        # point can sit a hair outside the band, which would read as a contradiction on the page.
        low=np.minimum(low, ltv),
        high=np.maximum(high, ltv),
        realised_by_stream=realised_by_stream,
        predicted_by_stream=predicted_by_stream,
        realised_by_kind=realised_by_kind,
        predicted_by_kind=predicted_by_kind,
        costs_by_kind=costs_by_kind,
        customers=customers,
        expected_active=active_sum,
        remaining_years=remaining_years,
        new_per_year=new_per_year,
        mean_p_alive=np.divide(active_sum, weight_sum, out=np.full(n, np.nan), where=weight_sum > 0),
        draws=total_draws,
    )
    return rollup, pairs, monthly, prior, new_values


def _book_counts(holders: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per partner: customers held, expected active customers (weight x P(alive), a customer in
    both populations counting with the larger of its two chances) and the total weight."""
    rows = np.concatenate(holders) if holders else np.empty((0, 4))
    partner, customer = rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64)
    span = int(customer.max(initial=0)) + 1
    keys, inverse = np.unique(partner * span + customer, return_inverse=True)
    weight = np.zeros(keys.size)
    alive = np.zeros(keys.size)
    np.maximum.at(weight, inverse.ravel(), rows[:, 2])
    np.maximum.at(alive, inverse.ravel(), rows[:, 3])
    owner = keys // span
    customers = np.bincount(owner, minlength=n).astype(float)
    return (
        customers,
        np.bincount(owner, weights=weight * alive, minlength=n),
        np.bincount(owner, weights=weight, minlength=n),
    )


def median_remaining_quarters(*, params: dict[str, float], survived: np.ndarray) -> np.ndarray:
    """Quarters until a partner that has survived `survived` quarters is as likely gone as not.

    The median, not the mean: with the heavy-tailed sBG (alpha <= 1) the mean lifetime is infinite."""
    alpha, beta = float(params["alpha"]), float(params["beta"])
    steps = np.arange(1, MAX_QUARTERS + 1)
    survived = survived.astype(float)
    log_ratio = (
        betaln(alpha, beta + survived[:, None] + steps[None, :]) - betaln(alpha, beta + survived)[:, None]
    )
    below = log_ratio <= np.log(0.5)
    return np.where(below.any(axis=1), below.argmax(axis=1) + 1, MAX_QUARTERS).astype(float)


def _sourced_counts(ledgers: Ledgers, partner_index: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Distinct customers each partner sourced since it started (customer-level sourced credit)."""
    n = ledgers.partner_id.size
    keep = (
        ledgers.attr_sourced
        & ~ledgers.attr_row_level
        & (partner_index >= 0)
        & (ledgers.attr_from <= ledgers.as_of_day)
    )
    if not keep.any():
        return np.zeros(n, dtype=np.int64)
    span = int(ledgers.attr_customer[keep].max()) + 1
    pairs = np.unique(partner_index[keep].astype(np.int64) * span + ledgers.attr_customer[keep])
    return np.bincount(pairs // span, minlength=n).astype(np.int64)
