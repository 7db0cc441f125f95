"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

Time unit: weeks.  While active a customer buys at Poisson rate lambda ~ Gamma(r, alpha); after
each *repeat* purchase she drops out with probability p ~ Beta(a, b).  For a customer with x repeat
purchases, the last at t_x, observed over (0, T], the likelihood (FHL 2005, eq. 6) is

    L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
        + 1{x>0} B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x)),

evaluated here entirely in logs (gammaln / betaln, log-sum-exp of the two terms) with an analytic
gradient, on rows grouped by identical (x, t_x, T).

Closed forms (all with the Euler transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z)
applied so that large x never overflows):

* E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]   (eq. 9)
* E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1)
      [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
      / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))                      (eq. 10)
* P(alive | x, t_x, T) = 1 / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
  (The expectations require a > 1.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit, roots_jacobi

from analytics.clv.bg_family import bg_family_nll_and_grad, fit_bg_family, group_rfm
from analytics.clv.hyp2f1 import safe_hyp2f1

__all__ = [
    "BgNbdFit",
    "bgnbd_conditional_expected_purchases",
    "bgnbd_expected_purchases",
    "bgnbd_fit",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
]


@dataclass(frozen=True)
class BgNbdFit:
    """Fitted BG/NBD: ``params`` r, alpha, a, b (weeks), maximised ``log_likelihood``,
    ``std_errors`` per parameter, and the optimiser's ``converged`` flag."""

    params: dict[str, float]
    log_likelihood: float
    std_errors: dict[str, float]
    converged: bool
    n_customers: int
    covariance: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    """Inverse observed information on the natural parameters, in the order of ``params``."""


def bgnbd_log_likelihood(
    params: dict[str, float], *, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> float:
    """Total BG/NBD log-likelihood (FHL 2005 eq. 6) of the given customers."""
    data = group_rfm(frequency=frequency, recency=recency, T=T)
    z = np.log([params["r"], params["alpha"], params["a"], params["b"]])
    nll, _ = bg_family_nll_and_grad(
        z, data, offsets_1=(0, 0), offsets_2=(1, -1), second_term_needs_repeat=True
    )
    return -nll


def bgnbd_fit(
    *,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    initial: np.ndarray | None = None,
) -> BgNbdFit:
    """Fit the BG/NBD by maximum likelihood.  ``initial``: optional (r, alpha, a, b) start."""
    data = group_rfm(frequency=frequency, recency=recency, T=T)
    res = fit_bg_family(data, initial, offsets_1=(0, 0), offsets_2=(1, -1), second_term_needs_repeat=True)
    return BgNbdFit(
        params=res.params,
        log_likelihood=res.log_likelihood,
        std_errors=res.std_errors,
        converged=res.converged,
        n_customers=int(data.weights.sum()),
        covariance=res.covariance,
    )


# With little heterogeneity in the drop-out probability a fit drives a and b to the hundreds or
# millions. Then the 2F1 forms cancel catastrophically (1 - (1-z)^(a-1) 2F1 with 2F1 ~ 1e99, from
# a + b of a few hundred) and scipy's 2F1 turns NaN. Above QUADRATURE_ABOVE the expectations are
# taken over p ~ Beta directly (given p, the Gamma mixing over lambda has a closed form): by
# Gauss-Jacobi, exact for the Beta weight, up to JACOBI_UP_TO (beyond it scipy's Jacobi weights
# overflow), then by Gauss-Legendre on +-10 standard deviations of the (by then narrow) Beta.
QUADRATURE_ABOVE = 100.0
JACOBI_UP_TO = 1000.0
BETA_NODES = 64


@functools.cache
def _legendre_nodes() -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(BETA_NODES)


def _beta_nodes(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and normalised weights for expectations over p ~ Beta(a, b)."""
    if a + b <= JACOBI_UP_TO:
        u, w = roots_jacobi(BETA_NODES, b - 1.0, a - 1.0)
        return (1.0 + u) / 2.0, w / w.sum()
    mean = a / (a + b)
    sd = np.sqrt(mean * (1.0 - mean) / (a + b + 1.0))
    lo, hi = max(mean - 10.0 * sd, 1e-300), min(mean + 10.0 * sd, 1.0 - 1e-16)
    u, w = _legendre_nodes()
    p = lo + (hi - lo) * (u + 1.0) / 2.0
    log_density = (a - 1.0) * np.log(p) + (b - 1.0) * np.log1p(-p)
    weights = w * np.exp(log_density - log_density.max())
    return p, weights / weights.sum()


def _over_beta(a: float, b: np.ndarray, value: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """E[value(p)] for p ~ Beta(a, b_i), row by row; `value(p, rows)` gets p of shape (1, nodes)
    and the boolean mask of the rows sharing that b, and returns (those rows, nodes)."""
    b = np.atleast_1d(np.asarray(b, dtype=np.float64))
    out = np.empty(b.shape)
    for b_k in np.unique(b):
        p, w = _beta_nodes(a, float(b_k))
        rows = b == b_k
        out[rows] = value(p[None, :], rows) @ w
    return out


def _mixed(params: dict[str, float]) -> bool:
    return params["a"] + params["b"] > QUADRATURE_ABOVE


def bgnbd_expected_purchases(params: dict[str, float], t: np.ndarray | float) -> np.ndarray:
    """E[X(t)], expected repeat purchases of a new customer in (0, t] (FHL 2005 eq. 9)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    t = np.asarray(t, dtype=np.float64)
    if _mixed(params):  # E[(1 - (alpha / (alpha + p t))^r) / p] over p ~ Beta(a, b)
        flat = t.reshape(-1)
        values = _over_beta(
            a,
            np.full(flat.size, b),
            lambda p, rows: -np.expm1(-r * np.log1p(p * flat[rows, None] / alpha)) / p,
        )
        return np.asarray(values.reshape(t.shape), dtype=np.float64)
    z = t / (alpha + t)
    # (alpha/(alpha+t))^r 2F1(r, b; a+b-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z)
    scaled = np.exp((a - 1.0) * np.log1p(-z)) * safe_hyp2f1(a + b - 1.0 - r, a - 1.0, a + b - 1.0, z)
    return np.asarray((a + b - 1.0) / (a - 1.0) * (1.0 - scaled), dtype=np.float64)


def _log_odds_dead_bg(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log[a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)] (or -inf when x = 0)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    xs = np.where(x > 0, x, 1.0)
    val = np.log(a) - np.log(b + xs - 1.0) + (r + xs) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, val, -np.inf)


def bgnbd_p_alive(
    params: dict[str, float], frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    return np.asarray(expit(-_log_odds_dead_bg(params, x, t_x, tt)), dtype=np.float64)


def bgnbd_conditional_expected_purchases(
    params: dict[str, float],
    t: np.ndarray | float,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T+t] (FHL 2005 eq. 10)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if _mixed(params):  # alive: lambda ~ Gamma(r + x, alpha + T) and p ~ Beta(a, b + x)
        x_b, t_b, T_b, tx_b = np.broadcast_arrays(x, t, tt, t_x)
        x_f, t_f, T_f = x_b.reshape(-1), t_b.reshape(-1), T_b.reshape(-1)

        def given_p(p: np.ndarray, rows: np.ndarray) -> np.ndarray:
            growth = np.log1p(p * t_f[rows, None] / (alpha + T_f[rows, None]))
            return np.asarray(-np.expm1(-(r + x_f[rows, None]) * growth) / p)

        mean = _over_beta(a, b + x_f, given_p)
        alive = expit(-_log_odds_dead_bg(params, x_b, tx_b, T_b)).reshape(-1)
        return np.asarray((alive * mean).reshape(x_b.shape), dtype=np.float64)
    z = t / (alpha + tt + t)
    # ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)
    #   = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)       (Euler)
    scaled = np.exp((a - 1.0) * np.log1p(-z)) * safe_hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
    first = (a + b + x - 1.0) / (a - 1.0) * (1.0 - scaled)
    return np.asarray(first * expit(-_log_odds_dead_bg(params, x, t_x, tt)), dtype=np.float64)
