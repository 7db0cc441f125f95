"""Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

Time unit: weeks.  While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); her
unobserved lifetime is exponential with rate mu ~ Gamma(s, beta).  Likelihood as in Fader &
Hardie, "A Note on Deriving the Pareto/NBD Model and Related Expressions" (2005), eq. (19)-(22):

    L = Gamma(r+x) alpha^r beta^s / Gamma(r)
        * [ 1 / ((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) A_0 ],

    alpha >= beta:  A_0 = F(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t_x)) / (alpha+t_x)^(r+s+x)
                        - F(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+T)) / (alpha+T)^(r+s+x)
    alpha <  beta:  A_0 = F(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t_x)) / (beta+t_x)^(r+s+x)
                        - F(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+T)) / (beta+T)^(r+s+x)

with F = 2F1.  So that large x never overflows, F is evaluated in logs through Euler's
transformation, F(r+s+x, s+1; r+s+x+1; z) = (1-z)^(-s) F(1, r+x; r+s+x+1; z) and
F(r+s+x, r+x; r+s+x+1; z) = (1-z)^(1-r-x) F(1, s+1; r+s+x+1; z), whose remaining 2F1 is bounded,
and the difference A_0 by log(e^u1 - e^u2) = u1 + log1p(-e^(u2-u1)).

Derived quantities (Fader & Hardie's note; Fader, Hardie & Lee 2005, "RFM and CLV"):

* E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]
* P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A_0)
* E[Y(t) | x, t_x, T] = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]
  * P(alive)
* DERT(delta | x, t_x, T) = alpha^r beta^s delta^(s-1) Gamma(r+x+1) U(s, s; delta(beta+T))
  / (Gamma(r) (alpha+T)^(r+x+1) L), i.e. (r+x)/(alpha+T) * P(alive) * (beta+T)^s delta^(s-1)
  U(s, s; delta(beta+T)), with U the confluent hypergeometric function of the second kind and
  delta a continuous discount rate per week (delta = log(1 + weekly rate), the weekly rate being
  (1 + annual rate)^(1/52) - 1 as in the design's conventions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import integrate
from scipy.special import expit, gammaln, hyperu

from analytics.clv.bg_family import GroupedRfm, group_rfm
from analytics.clv.hyp2f1 import safe_hyp2f1
from analytics.clv.mle import fit_mle

__all__ = [
    "ParetoNbdFit",
    "pareto_nbd_conditional_expected_purchases",
    "pareto_nbd_dert",
    "pareto_nbd_expected_purchases",
    "pareto_nbd_fit",
    "pareto_nbd_log_likelihood",
    "pareto_nbd_p_alive",
]

NAMES = ("r", "alpha", "s", "beta")


@dataclass(frozen=True)
class ParetoNbdFit:
    """Fitted Pareto/NBD: ``params`` r, alpha, s, beta (weeks), ``log_likelihood``,
    ``std_errors`` per parameter, ``converged``."""

    params: dict[str, float]
    log_likelihood: float
    std_errors: dict[str, float]
    converged: bool
    n_customers: int
    covariance: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    """Inverse observed information on the natural parameters, in the order of ``params``."""


def _log_a0(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """log A_0 (see the module docstring), -inf where t_x == T."""
    n = r + s + x
    if alpha >= beta:
        m = alpha
        z1 = (alpha - beta) / (alpha + t_x)
        z2 = (alpha - beta) / (alpha + T)
        log_f1 = -s * np.log1p(-z1) + np.log(safe_hyp2f1(1.0, r + x, n + 1.0, z1, check_euler=False))
        log_f2 = -s * np.log1p(-z2) + np.log(safe_hyp2f1(1.0, r + x, n + 1.0, z2, check_euler=False))
    else:
        m = beta
        z1 = (beta - alpha) / (beta + t_x)
        z2 = (beta - alpha) / (beta + T)
        log_f1 = (1.0 - r - x) * np.log1p(-z1) + np.log(
            safe_hyp2f1(1.0, s + 1.0, n + 1.0, z1, check_euler=False)
        )
        log_f2 = (1.0 - r - x) * np.log1p(-z2) + np.log(
            safe_hyp2f1(1.0, s + 1.0, n + 1.0, z2, check_euler=False)
        )
    u1 = log_f1 - n * np.log(m + t_x)
    u2 = log_f2 - n * np.log(m + T)
    with np.errstate(divide="ignore"):
        return np.asarray(u1 + np.log1p(-np.exp(np.minimum(u2 - u1, 0.0))), dtype=np.float64)


def _log_odds_dead(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log[ s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A_0 ] = log P(dead-branch) - log P(alive-branch)."""
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    return np.asarray(
        np.log(s)
        - np.log(r + s + x)
        + (r + x) * np.log(alpha + T)
        + s * np.log(beta + T)
        + _log_a0(r, alpha, s, beta, x, t_x, T),
        dtype=np.float64,
    )


def _nll(log_params: np.ndarray, data: GroupedRfm) -> float:
    r, alpha, s, beta = np.exp(log_params)
    x, t_x, T, w = data.x, data.t_x, data.T, data.weights
    alive_term = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dead_term = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, t_x, T)
    ll = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        + np.logaddexp(alive_term, dead_term)
    )
    val = -float(np.dot(w, ll))
    return val if np.isfinite(val) else 1e300


def pareto_nbd_log_likelihood(
    params: dict[str, float], *, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> float:
    """Total Pareto/NBD log-likelihood of the given customers."""
    data = group_rfm(frequency=frequency, recency=recency, T=T)
    return -_nll(np.log([params[k] for k in NAMES]), data)


def pareto_nbd_fit(
    *,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    initial: np.ndarray | None = None,
) -> ParetoNbdFit:
    """Fit the Pareto/NBD by maximum likelihood (numerical gradient over log-parameters).
    ``initial``: optional (r, alpha, s, beta) start."""
    data = group_rfm(frequency=frequency, recency=recency, T=T)
    if initial is None:
        mean_T = float(np.average(data.T, weights=data.weights))
        mean_x = float(np.average(data.x, weights=data.weights))
        x0 = np.log([1.0, max(mean_T, 1e-3) / max(mean_x, 0.1), 1.0, max(mean_T, 1.0)])
    else:
        x0 = np.log(np.asarray(initial, dtype=np.float64))
    res = fit_mle(negative_log_likelihood=lambda z: _nll(z, data), initial_log_params=x0, names=NAMES)
    return ParetoNbdFit(
        params=res.params,
        log_likelihood=res.log_likelihood,
        std_errors=res.std_errors,
        converged=res.converged,
        n_customers=int(data.weights.sum()),
        covariance=res.covariance,
    )


def _one_minus_ratio_pow_over(k: float, log_ratio: np.ndarray) -> np.ndarray:
    """[1 - exp(k log_ratio)] / k, with its limit -log_ratio at k = 0."""
    if abs(k) < 1e-12:
        return np.asarray(-log_ratio, dtype=np.float64)
    return np.asarray(-np.expm1(k * log_ratio) / k, dtype=np.float64)


def pareto_nbd_expected_purchases(params: dict[str, float], t: np.ndarray | float) -> np.ndarray:
    """E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)] (limit r/alpha beta log(1+t/beta)
    at s = 1)."""
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    t = np.asarray(t, dtype=np.float64)
    return np.asarray(
        r * beta / alpha * _one_minus_ratio_pow_over(s - 1.0, np.log(beta / (beta + t))),
        dtype=np.float64,
    )


def pareto_nbd_p_alive(
    params: dict[str, float], frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A_0)."""
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    return np.asarray(expit(-_log_odds_dead(params, x, t_x, tt)), dtype=np.float64)


def pareto_nbd_conditional_expected_purchases(
    params: dict[str, float],
    t: np.ndarray | float,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """E[Y(t) | x, t_x, T] = (r+x)(beta+T)/((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]
    * P(alive | x, t_x, T)."""
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    rate = (r + x) * (beta + tt) / (alpha + tt)
    horizon = _one_minus_ratio_pow_over(s - 1.0, np.log((beta + tt) / (beta + tt + t)))
    return np.asarray(rate * horizon * expit(-_log_odds_dead(params, x, t_x, tt)), dtype=np.float64)


def _discounted_lifetime_factor(s: float, b_post: np.ndarray, delta: float) -> np.ndarray:
    """E[1/(delta + mu)] for mu ~ Gamma(s, rate B) = B^s delta^(s-1) U(s, s; delta B).

    scipy's ``hyperu`` is unreliable for some (s, z) (e.g. s just below 5, small z: negative
    values), so each value is checked against Kummer's transformation
    U(s, s; z) = z^(1-s) U(1, 2-s; z); where they disagree, are not finite or not positive, the
    expectation is integrated instead: int_0^inf e^(-delta u) (B/(B+u))^s du.
    """
    b_arr = np.asarray(b_post, dtype=np.float64)
    zz = delta * b_arr
    with np.errstate(all="ignore"):
        u1 = np.asarray(hyperu(s, s, zz), dtype=np.float64)
        u2 = np.exp((1.0 - s) * np.log(zz)) * hyperu(1.0, 2.0 - s, zz)
        factor = np.exp(s * np.log(b_arr) + (s - 1.0) * np.log(delta)) * u1
        bad = ~np.isfinite(factor) | ~(u1 > 0) | ~np.isfinite(u2) | (np.abs(u1 - u2) > 1e-7 * np.abs(u1))
    if np.any(bad):
        flat = factor.reshape(-1).copy()
        b_flat = np.broadcast_to(b_arr, factor.shape).reshape(-1)
        for k in np.flatnonzero(bad.reshape(-1)):
            big_b = float(b_flat[k])
            flat[k] = integrate.quad(
                lambda u, big_b=big_b: np.exp(-delta * u + s * (np.log(big_b) - np.log(big_b + u))),
                0.0,
                np.inf,
                epsabs=0.0,
                epsrel=1e-10,
                limit=500,
            )[0]
        factor = flat.reshape(factor.shape)
    return factor


def pareto_nbd_dert(
    params: dict[str, float],
    *,
    delta: float,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """Discounted expected residual transactions (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 2):

    DERT = (r+x)/(alpha+T) * P(alive) * (beta+T)^s delta^(s-1) U(s, s; delta (beta+T)),

    ``delta`` being the continuous discount rate per week (> 0).
    """
    if delta <= 0:
        raise ValueError("delta must be positive")
    r, alpha, s, beta = params["r"], params["alpha"], params["s"], params["beta"]
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    factor = _discounted_lifetime_factor(s, beta + tt, delta)
    return np.asarray(
        (r + x) / (alpha + tt) * expit(-_log_odds_dead(params, x, t_x, tt)) * factor,
        dtype=np.float64,
    )
