"""Interval honesty: nominal 90% book intervals must cover the books' TRUE expected values about
90% of the time, on data simulated from known parameters and models fitted on that data.

Each check can fail: the same intervals shrunk to 60% of their width around their centre must
cover clearly less (measured with this seed and three others: BG/NBD books 0.57-0.61, sBG books
0.60-0.62, partners 0.40-0.45; the honest intervals gave 0.88-0.93, 0.87-0.92 and 0.88-0.91).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import betaln

from analytics.clv.bgnbd import bgnbd_fit
from analytics.clv.gamma_gamma import gamma_gamma_fit, gamma_gamma_log_likelihood
from analytics.clv.mle import numerical_hessian
from analytics.clv.partner_future import partner_future_draws, partner_prior_from_rates
from analytics.clv.sbg import sbg_fit_histories
from analytics.clv.value import (
    bgnbd_value_draws,
    book_interval,
    log_covariance_from_natural,
    sbg_value_draws,
)

DISCOUNT = 0.1
DELTA = np.log1p(DISCOUNT) / 52.0


def _books(rng: np.random.Generator, n_customers: int, n_books: int, lo: int, hi: int) -> sparse.csr_matrix:
    """``n_books`` disjoint books of lo..hi customers each (weights 1)."""
    sizes = rng.integers(lo, hi + 1, n_books)
    assert sizes.sum() <= n_customers
    order = rng.permutation(n_customers)[: sizes.sum()]
    rows = np.repeat(np.arange(n_books), sizes)
    return sparse.csr_matrix((np.ones(rows.size), (rows, order)), shape=(n_books, n_customers))


def _coverage(low: np.ndarray, high: np.ndarray, truth: np.ndarray, shrink: float = 1.0) -> float:
    centre = 0.5 * (low + high)
    half = 0.5 * (high - low) * shrink
    return float(np.mean((truth >= centre - half) & (truth <= centre + half)))


def _simulate_bgnbd(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Customers with true traits (r=0.25, alpha=4, a=0.8, b=2.5; Gamma-Gamma p=6, q=4, gamma=15)
    and their calibration histories over T of 26-104 weeks."""
    lam = rng.gamma(0.25, 1.0 / 4.0, n)
    p = rng.beta(0.8, 2.5, n)
    nu = rng.gamma(4.0, 1.0 / 15.0, n)
    T = rng.uniform(26.0, 104.0, n)
    purchases_in_T = rng.poisson(lam * T)
    repeat_until_dropout = rng.geometric(p)  # drops out right after its J-th repeat purchase
    x = np.minimum(purchases_in_T, repeat_until_dropout)
    alive = repeat_until_dropout > purchases_in_T
    # the x-th of N uniform arrival times on (0, T]: a Beta(x, N - x + 1) order statistic
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), purchases_in_T - x + 1.0), 0.0)
    mbar = np.where(x > 0, rng.gamma(6.0 * np.maximum(x, 1)) / (np.maximum(x, 1) * nu), 0.0)
    truth = alive * lam / (p * lam + DELTA) * 6.0 / nu
    return {"x": x.astype(float), "t_x": t_x, "T": T, "mbar": mbar, "truth": truth}


def _gg_log_covariance(params: dict[str, float], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Inverse observed information of the Gamma-Gamma on log-parameters (its fit reports none)."""

    def nll(z: np.ndarray) -> float:
        p, q, g = np.exp(z)
        return -gamma_gamma_log_likelihood({"p": p, "q": q, "gamma": g}, frequency=x, monetary_value=m)

    z0 = np.log([params["p"], params["q"], params["gamma"]])
    return np.asarray(np.linalg.inv(numerical_hessian(nll, z0)))


def _sbg_log_covariance(params: dict[str, float], periods: np.ndarray, churned: np.ndarray) -> np.ndarray:
    """Inverse observed information of the sBG history likelihood on log(alpha), log(beta)."""

    def nll(z: np.ndarray) -> float:
        alpha, beta = np.exp(z)
        ll = np.where(
            churned,
            betaln(alpha + 1.0, beta + periods - 1.0),
            betaln(alpha, beta + periods),
        ) - betaln(alpha, beta)
        return -float(ll.sum())

    return np.asarray(np.linalg.inv(numerical_hessian(nll, np.log([params["alpha"], params["beta"]]))))


def test_bgnbd_book_intervals_cover_true_values() -> None:
    rng = np.random.default_rng(20261204)
    sim = _simulate_bgnbd(rng, 20_000)
    fit = bgnbd_fit(frequency=sim["x"], recency=sim["t_x"], T=sim["T"])
    gg = gamma_gamma_fit(frequency=sim["x"], monetary_value=sim["mbar"])
    cov = log_covariance_from_natural(params=fit.params, covariance=fit.covariance)
    gg_cov = _gg_log_covariance(gg.params, sim["x"], sim["mbar"])
    weights = _books(rng, sim["x"].size, 300, 10, 80)
    draws = bgnbd_value_draws(
        params=fit.params,
        covariance=cov,
        spend_params=gg.params,
        spend_covariance=gg_cov,
        frequency=sim["x"],
        recency=sim["t_x"],
        T=sim["T"],
        monetary=sim["mbar"],
        annual_discount=DISCOUNT,
        draws=400,
        rng=np.random.default_rng(7),
    )
    _mean, low, high = book_interval(weights=weights, draws=draws, level=0.9)
    truth = weights @ sim["truth"]
    assert 0.85 <= _coverage(low, high, truth) <= 0.95
    # the same intervals at 60% of their width cover far less: the check has teeth
    assert _coverage(low, high, truth, shrink=0.6) < 0.8


def test_bgnbd_intervals_without_parameter_uncertainty_are_not_wider() -> None:
    """Parameter uncertainty only ever widens the draws' spread (a sanity check on its use)."""
    rng = np.random.default_rng(3)
    sim = _simulate_bgnbd(rng, 3_000)
    common: dict[str, Any] = {
        "params": {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5},
        "spend_params": {"p": 6.0, "q": 4.0, "gamma": 15.0},
        "frequency": sim["x"],
        "recency": sim["t_x"],
        "T": sim["T"],
        "monetary": sim["mbar"],
        "annual_discount": DISCOUNT,
        "draws": 400,
    }
    weights = sparse.csr_matrix(np.ones((1, sim["x"].size)))
    tight = bgnbd_value_draws(covariance=[], spend_covariance=None, rng=np.random.default_rng(1), **common)
    wide = bgnbd_value_draws(
        covariance=np.eye(4) * 0.05, spend_covariance=np.eye(3) * 0.05, rng=np.random.default_rng(1), **common
    )
    _, lo_t, hi_t = book_interval(weights=weights, draws=tight)
    _, lo_w, hi_w = book_interval(weights=weights, draws=wide)
    assert hi_w[0] - lo_w[0] > 1.5 * (hi_t[0] - lo_t[0])


def test_sbg_book_intervals_cover_true_values() -> None:
    rng = np.random.default_rng(11)
    n = 12_000
    theta = rng.beta(0.7, 3.5, n)
    horizon = rng.integers(1, 13, n)  # renewal decisions observed so far
    lifetime = rng.geometric(theta)  # period in which the contract ends
    churned = lifetime <= horizon
    periods = np.where(churned, lifetime, horizon)
    fit = sbg_fit_histories(periods_observed=periods, churned=churned)
    cov = _sbg_log_covariance(fit.params, periods, churned)
    active = ~churned
    margin = rng.uniform(50.0, 150.0, n)
    d_p = (1.0 + DISCOUNT) ** (4.0 / 52.0) - 1.0
    truth_each = np.where(active, margin * (1.0 - theta) / (d_p + theta), 0.0)
    draws = sbg_value_draws(
        params=fit.params,
        covariance=cov,
        renewals=periods,
        active=active,
        period_weeks=np.full(n, 4.0),
        margin_per_period=margin,
        annual_discount=DISCOUNT,
        draws=400,
        rng=np.random.default_rng(5),
    )
    weights = _books(rng, n, 300, 10, 30)
    _, low, high = book_interval(weights=weights, draws=draws, level=0.9)
    truth = weights @ truth_each
    assert 0.85 <= _coverage(low, high, truth) <= 0.95
    assert _coverage(low, high, truth, shrink=0.6) < 0.8


def test_partner_future_intervals_cover_true_values() -> None:
    rng = np.random.default_rng(17)
    n = 1_500
    period = 13.0
    theta = rng.beta(1.5, 6.0, n)
    rate = rng.gamma(2.0, 1.0 / 20.0, n)  # customers sourced per week
    horizon = rng.integers(1, 12, n)
    lifetime = rng.geometric(theta)
    churned = lifetime <= horizon
    periods = np.where(churned, lifetime, horizon)
    tenure = periods * period
    sourced = rng.poisson(rate * tenure)
    fit = sbg_fit_histories(periods_observed=periods, churned=churned)
    cov = _sbg_log_covariance(fit.params, periods, churned)
    shape, prior_rate = partner_prior_from_rates(sourced_customers=sourced, tenure_weeks=tenure)
    active = ~churned
    ncv = rng.uniform(100.0, 300.0, n)
    z = np.exp(-DELTA * period)
    truth = np.where(active, rate * (1.0 - z) / DELTA / (1.0 - (1.0 - theta) * z) * ncv, 0.0)
    draws = partner_future_draws(
        survival_params=fit.params,
        covariance=cov,
        period_weeks=period,
        periods_survived=periods,
        active=active,
        sourced_customers=sourced,
        tenure_weeks=tenure,
        new_customer_value=ncv,
        annual_discount=DISCOUNT,
        prior_shape=shape,
        prior_rate=prior_rate,
        draws=400,
        rng=np.random.default_rng(9),
    )
    # one "book" per active partner: the individual interval must be honest too
    keep = np.flatnonzero(active)
    weights = sparse.csr_matrix((np.ones(keep.size), (np.arange(keep.size), keep)), shape=(keep.size, n))
    _, low, high = book_interval(weights=weights, draws=draws, level=0.9)
    assert keep.size > 300
    assert 0.85 <= _coverage(low, high, truth[keep]) <= 0.95
    assert _coverage(low, high, truth[keep], shrink=0.6) < 0.8
