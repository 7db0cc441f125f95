"""Residual (future) value of a customer book: BG/NBD + Gamma-Gamma, with honest uncertainty.

Time unit: weeks; value is margin.  An annual discount rate d becomes the continuous weekly rate
delta = ln(1 + d) / 52 (cash flows at time t are worth exp(-delta t) now).

Given alive, lambda and p, purchases continue as Poisson(lambda) until the drop-out that follows a
purchase with probability p, so the present value of the count of all future purchases is
lambda / (p lambda + delta).  The point value averages that over the BG/NBD posterior
(:mod:`analytics.clv.value_quadrature`); the draws sample the customer's latent traits (and the
population parameters from the asymptotic normal of their logarithms) so that a book's interval
covers its true expected value.  Subscription values live in :mod:`analytics.clv.contract_value`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from analytics.clv.bgnbd import (
    bgnbd_conditional_expected_purchases,
    bgnbd_expected_purchases,
    bgnbd_p_alive,
)
from analytics.clv.contract_value import ContractValue, sbg_contract_value, sbg_value_draws
from analytics.clv.discount import continuous_weekly_rate
from analytics.clv.gamma_gamma import gamma_gamma_conditional_expected_spend
from analytics.clv.param_uncertainty import log_covariance_from_natural, parameter_draws
from analytics.clv.value_quadrature import posterior_expectation

__all__ = [
    "BookValue",
    "ContractValue",
    "bgnbd_book_value",
    "bgnbd_expected_cumulative",
    "bgnbd_new_customer_value",
    "bgnbd_value_draws",
    "book_interval",
    "log_covariance_from_natural",
    "parameter_draws",
    "sbg_contract_value",
    "sbg_value_draws",
]

BGNBD_NAMES = ("r", "alpha", "a", "b")
GG_NAMES = ("p", "q", "gamma")
CHUNK_CELLS = 400_000  # customers x draws per block: bounded memory, few numpy calls


@dataclass(frozen=True)
class BookValue:
    """Per-customer arrays (aligned with the inputs)."""

    p_alive: np.ndarray
    expected_transactions: np.ndarray
    """Conditional expected repeat purchases in the next ``horizon_weeks``."""
    expected_spend: np.ndarray
    """Gamma-Gamma expected margin per transaction (population mean when frequency is 0)."""
    discounted_transactions: np.ndarray
    """Present value at T of the count of all future purchases (infinite horizon)."""
    residual: np.ndarray
    """``discounted_transactions * expected_spend``."""


def _rfm(
    frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(frequency, dtype=np.float64).ravel()
    t_x = np.asarray(recency, dtype=np.float64).ravel()
    t = np.asarray(T, dtype=np.float64).ravel()
    if not (x.shape == t_x.shape == t.shape):
        raise ValueError("frequency, recency and T must have the same length")
    if np.any(~np.isfinite(x)) or np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > t + 1e-9):
        raise ValueError("need finite frequency >= 0 and 0 <= recency <= T")
    return x, t_x, np.maximum(t, t_x)


def _bgnbd_tuple(params: Mapping[str, float]) -> tuple[float, float, float, float]:
    vals = tuple(float(params[k]) for k in BGNBD_NAMES)
    if not all(np.isfinite(v) and v > 0 for v in vals):
        raise ValueError("BG/NBD parameters must be positive and finite")
    return vals[0], vals[1], vals[2], vals[3]


def _delta(annual_discount: float) -> float:
    delta = continuous_weekly_rate(annual_discount)
    if delta <= 0:
        raise ValueError("the annual discount rate must be positive (the residual is infinite otherwise)")
    return delta


def bgnbd_book_value(
    *,
    params: Mapping[str, float],
    spend_params: Mapping[str, float],
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    monetary: np.ndarray,
    annual_discount: float,
    horizon_weeks: float = 52.0,
) -> BookValue:
    """Point values per customer (see :class:`BookValue`); ``monetary`` is the mean margin per
    repeat transaction.  Gamma-Gamma needs ``q > 1`` (``ValueError`` otherwise)."""
    x, t_x, t = _rfm(frequency, recency, T)
    r, alpha, a, b = _bgnbd_tuple(params)
    dict_params = {"r": r, "alpha": alpha, "a": a, "b": b}
    delta = _delta(annual_discount)
    p_alive = np.asarray(bgnbd_p_alive(dict_params, x, t_x, t), dtype=np.float64)
    expected_tx = _expected_transactions(dict_params, float(horizon_weeks), x, t_x, t, p_alive)
    spend = gamma_gamma_conditional_expected_spend(
        spend_params, x, np.asarray(monetary, dtype=np.float64).ravel()
    )
    per_alive = posterior_expectation(kind="discounted", params=(r, alpha, a, b), x=x, s=delta * (alpha + t))
    discounted = p_alive * per_alive
    return BookValue(
        p_alive=p_alive,
        expected_transactions=expected_tx,
        expected_spend=spend,
        discounted_transactions=discounted,
        residual=discounted * spend,
    )


def _expected_transactions(
    params: dict[str, float],
    horizon: float,
    x: np.ndarray,
    t_x: np.ndarray,
    t: np.ndarray,
    p_alive: np.ndarray,
) -> np.ndarray:
    """FHL eq. 10 where it is finite; the same expectation by quadrature where it is not (a ~ 1)."""
    if horizon <= 0:
        return np.zeros(x.size)
    if abs(params["a"] - 1.0) < 1e-6:  # (1 - F)/(a - 1) loses every digit next to a = 1
        closed = np.full(x.size, np.nan)
    else:
        with np.errstate(all="ignore"):
            closed = np.asarray(
                bgnbd_conditional_expected_purchases(params, horizon, x, t_x, t), dtype=np.float64
            )
    bad = ~np.isfinite(closed) | (closed < 0)
    if np.any(bad):
        quad = posterior_expectation(
            kind="horizon",
            params=(params["r"], params["alpha"], params["a"], params["b"]),
            x=x[bad],
            s=horizon / (params["alpha"] + t[bad]),
        )
        closed[bad] = p_alive[bad] * quad
    return closed


def bgnbd_new_customer_value(
    *,
    params: Mapping[str, float],
    spend_params: Mapping[str, float],
    first_purchase_margin: float,
    annual_discount: float,
) -> float:
    """PV at acquisition: the first purchase's margin plus the population-mean margin times the
    discounted expected count of repeat purchases of a customer with x = t_x = T = 0."""
    r, alpha, a, b = _bgnbd_tuple(params)
    delta = _delta(annual_discount)
    mean_spend = float(gamma_gamma_conditional_expected_spend(spend_params, 0.0, 0.0))
    count = posterior_expectation(
        kind="discounted", params=(r, alpha, a, b), x=np.zeros(1), s=np.array([delta * alpha])
    )[0]
    return float(first_purchase_margin) + mean_spend * float(count)


def bgnbd_expected_cumulative(
    *, params: Mapping[str, float], birth_weeks: np.ndarray, weeks: np.ndarray
) -> np.ndarray:
    """Expected cumulative repeat purchases of the cohort at each week w:
    ``sum_i E[X(w - birth_i)]`` over customers born before w (FHL eq. 9)."""
    r, alpha, a, b = _bgnbd_tuple(params)
    births, counts = np.unique(np.asarray(birth_weeks, dtype=np.float64).ravel(), return_counts=True)
    w = np.asarray(weeks, dtype=np.float64).ravel()
    ages = w[:, None] - births[None, :]
    pos = ages > 0
    ages_u, inv = np.unique(ages[pos], return_inverse=True)
    if ages_u.size == 0:
        return np.zeros(w.size)
    if abs(a - 1.0) < 1e-6:
        ex = np.full(ages_u.size, np.nan)
    else:
        with np.errstate(all="ignore"):
            ex = np.asarray(bgnbd_expected_purchases({"r": r, "alpha": alpha, "a": a, "b": b}, ages_u))
    bad = ~np.isfinite(ex) | (ex < 0)
    if np.any(bad):
        ex = ex.copy()
        ex[bad] = posterior_expectation(
            kind="horizon", params=(r, alpha, a, b), x=np.zeros(int(bad.sum())), s=ages_u[bad] / alpha
        )
    table = np.zeros(ages.shape)
    table[pos] = ex[inv]
    return np.asarray(table @ counts.astype(np.float64))


def bgnbd_value_draws(
    *,
    params: Mapping[str, float],
    covariance: np.ndarray | Sequence[Sequence[float]] | None,
    spend_params: Mapping[str, float],
    spend_covariance: np.ndarray | Sequence[Sequence[float]] | None,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    monetary: np.ndarray,
    annual_discount: float,
    draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """(n_customers, draws) draws of each customer's true expected residual value.

    Per draw: population parameters (log-normal, ``covariance`` of the log-parameters in the order
    r, alpha, a, b and p, q, gamma), then alive ~ Bernoulli(P(alive)), lambda ~ Gamma(r + x,
    alpha + T), p ~ Beta(a, b + x), nu ~ Gamma(p_gg x + q, gamma + x mbar); the value is
    ``alive * lambda / (p lambda + delta) * p_gg / nu``.  Customers are processed in blocks, each
    with its own child generator (so the result does not depend on the thread count).
    """
    x, t_x, t = _rfm(frequency, recency, T)
    mbar = np.where(x > 0, np.asarray(monetary, dtype=np.float64).ravel(), 0.0)
    delta = _delta(annual_discount)
    _bgnbd_tuple(params)
    bg = parameter_draws(params=params, names=BGNBD_NAMES, covariance=covariance, draws=draws, rng=rng)
    gg = parameter_draws(
        params=spend_params, names=GG_NAMES, covariance=spend_covariance, draws=draws, rng=rng
    )
    n = x.size
    out = np.empty((n, draws))
    if n == 0 or draws == 0:
        return out
    block = max(1, CHUNK_CELLS // draws)
    starts = list(range(0, n, block))
    children = rng.spawn(len(starts))

    def run(k: int) -> None:
        sl = slice(starts[k], starts[k] + block)
        out[sl] = _draw_block(
            children[k], bg, gg, x[sl, None], t_x[sl, None], t[sl, None], mbar[sl, None], delta
        )

    workers = min(len(starts), os.cpu_count() or 1, 4)
    if workers <= 1:
        for k in range(len(starts)):
            run(k)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(len(starts))))
    return out


def _draw_block(
    rng: np.random.Generator,
    bg: np.ndarray,
    gg: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    t: np.ndarray,
    mbar: np.ndarray,
    delta: float,
) -> np.ndarray:
    """One block of customers (columns of shape (c, 1)) against all parameter draws (1, D)."""
    f32 = np.float32
    r, alpha, a, b = (row[None, :].astype(f32) for row in bg)
    p_gg, q, gamma = (row[None, :].astype(f32) for row in gg)
    x, t_x, t, mbar = (v.astype(f32) for v in (x, t_x, t, mbar))
    alive = np.ones((x.shape[0], r.shape[1]), dtype=bool)
    rep = x[:, 0] > 0  # a customer without repeat purchases is alive for sure
    if np.any(rep):
        xr = x[rep]
        with np.errstate(over="ignore"):
            odds_dead = np.exp(
                np.log(a)
                - np.log(b + xr - 1.0)
                + (r + xr) * (np.log(alpha + t[rep]) - np.log(alpha + t_x[rep]))
            )
            u = rng.random(odds_dead.shape, dtype=f32)
            alive[rep] = odds_dead * u < 1.0 - u  # u < 1 / (1 + odds), inf-safe
    # float32 variates: ~40% faster and far finer than the spread they describe; an underflow to
    # 0 of lambda or of both Beta gammas gives the correct limit (value 0 or lambda / delta)
    lam = rng.standard_gamma(r + x, dtype=f32) / (alpha + t)
    g_a = rng.standard_gamma(np.broadcast_to(a, lam.shape), dtype=f32)
    g_b = rng.standard_gamma(b + x, dtype=f32)
    total = g_a + g_b
    p = np.divide(g_a, total, out=np.zeros_like(total), where=total > 0)
    nu = rng.standard_gamma(p_gg * x + q, dtype=f32) / (gamma + x * mbar)
    count = lam / (p * lam + f32(delta))
    return np.asarray(np.where(alive, count * p_gg / nu, 0.0))


def book_interval(
    *, weights: sparse.spmatrix | sparse.sparray, draws: np.ndarray, level: float = 0.9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, low, high) per group of the weighted sums of the draws; ``weights`` is groups x
    customers, ``draws`` customers x draws; low/high the (1-level)/2 and (1+level)/2 quantiles."""
    if not 0.0 < level < 1.0:
        raise ValueError("level must be in (0, 1)")
    d = np.asarray(draws, dtype=np.float64)
    if d.ndim != 2 or weights.shape[1] != d.shape[0]:
        raise ValueError("weights must be groups x customers and draws customers x draws")
    sums = np.asarray(sparse.csr_matrix(weights) @ d)
    if sums.shape[1] == 0:
        nan = np.full(sums.shape[0], np.nan)
        return nan, nan.copy(), nan.copy()
    low, high = np.quantile(sums, [(1.0 - level) / 2.0, (1.0 + level) / 2.0], axis=1)
    return sums.mean(axis=1), np.asarray(low), np.asarray(high)
