"""Modified BG/NBD (Batislam, Denizel & Filiztekin 2007).

As the BG/NBD (lambda ~ Gamma(r, alpha), p ~ Beta(a, b)), except that a customer may also drop
out right after her *first* purchase, i.e. after every purchase.  Likelihood (their eq. 5):

    L = B(a, b+x+1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
        + B(a+1, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x)),

computed in logs with an analytic gradient (shared with the BG/NBD: :mod:`analytics.clv.bg_family`).

* E[X(t)] = b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]
* E[Y(t) | x, t_x, T] = (a+b+x)/(a-1)
      [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))]
      / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))
* P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))   (< 1 even for x = 0)

The hypergeometric terms are Euler-transformed, (1-z)^(r+x) 2F1(r+x, b+x+1; a+b+x; z) =
(1-z)^(a-1) 2F1(a+b-r, a-1; a+b+x; z), so that large x never overflows.  Requires a > 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from analytics.clv.bg_family import bg_family_nll_and_grad, fit_bg_family, group_rfm
from analytics.clv.hyp2f1 import safe_hyp2f1

__all__ = [
    "MbgNbdFit",
    "mbgnbd_conditional_expected_purchases",
    "mbgnbd_expected_purchases",
    "mbgnbd_fit",
    "mbgnbd_log_likelihood",
    "mbgnbd_p_alive",
]


@dataclass(frozen=True)
class MbgNbdFit:
    """Fitted MBG/NBD: ``params`` r, alpha, a, b (weeks), ``log_likelihood``, ``std_errors``."""

    params: dict[str, float]
    log_likelihood: float
    std_errors: dict[str, float]
    converged: bool
    n_customers: int
    covariance: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    """Inverse observed information on the natural parameters, in the order of ``params``."""


def mbgnbd_log_likelihood(
    params: dict[str, float], *, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> float:
    """Total MBG/NBD log-likelihood of the given customers."""
    data = group_rfm(frequency=frequency, recency=recency, T=T)
    z = np.log([params["r"], params["alpha"], params["a"], params["b"]])
    nll, _ = bg_family_nll_and_grad(
        z, data, offsets_1=(0.0, 1.0), offsets_2=(1.0, 0.0), second_term_needs_repeat=False
    )
    return -nll


def mbgnbd_fit(
    *,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    initial: np.ndarray | None = None,
) -> MbgNbdFit:
    """Fit the MBG/NBD by maximum likelihood.  ``initial``: optional (r, alpha, a, b) start."""
    data = group_rfm(frequency=frequency, recency=recency, T=T)
    res = fit_bg_family(
        data, initial, offsets_1=(0.0, 1.0), offsets_2=(1.0, 0.0), second_term_needs_repeat=False
    )
    return MbgNbdFit(
        params=res.params,
        log_likelihood=res.log_likelihood,
        std_errors=res.std_errors,
        converged=res.converged,
        n_customers=int(data.weights.sum()),
        covariance=res.covariance,
    )


def mbgnbd_expected_purchases(params: dict[str, float], t: np.ndarray | float) -> np.ndarray:
    """E[X(t)]: expected repeat purchases of a new customer in (0, t]."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + t)
    scaled = np.exp((a - 1.0) * np.log1p(-z)) * safe_hyp2f1(a + b - r, a - 1.0, a + b, z)
    return np.asarray(b / (a - 1.0) * (1.0 - scaled), dtype=np.float64)


def _log_odds_dead(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    return np.asarray(
        np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)),
        dtype=np.float64,
    )


def mbgnbd_p_alive(
    params: dict[str, float], frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))."""
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    return np.asarray(expit(-_log_odds_dead(params, x, t_x, tt)), dtype=np.float64)


def mbgnbd_conditional_expected_purchases(
    params: dict[str, float],
    t: np.ndarray | float,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in (T, T+t] (Batislam et al. 2007)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + tt + t)
    scaled = np.exp((a - 1.0) * np.log1p(-z)) * safe_hyp2f1(a + b - r, a - 1.0, a + b + x, z)
    first = (a + b + x) / (a - 1.0) * (1.0 - scaled)
    return np.asarray(first * expit(-_log_odds_dead(params, x, t_x, tt)), dtype=np.float64)
