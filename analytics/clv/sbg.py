"""Shifted-Beta-Geometric retention for contractual customers.

Fader & Hardie (2007), "How to Project Customer Retention": at the end of every period a customer
churns with her own probability ``theta``, and ``theta ~ Beta(alpha, beta)`` across customers.  With
``T`` the period in which the customer churns (``T = 1, 2, ...``):

    P(T = t | alpha, beta) = B(alpha + 1, beta + t - 1) / B(alpha, beta)
    S(t | alpha, beta)     = P(T > t) = B(alpha, beta + t) / B(alpha, beta)
    r_t                    = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)   (increasing in t)

All of it is evaluated with log-beta functions.  The log-likelihood of survivor counts
``N_0, ..., N_k`` is ``sum_t (N_{t-1} - N_t) log P(T = t) + N_k log S(k)``; an individual history
observed for ``n`` periods contributes ``log P(T = n)`` if it churned in period ``n``, else
``log S(n)``.

Fader & Hardie (2010), "Customer-Base Valuation in a Contractual Setting: The Perils of Ignoring
Heterogeneity", with per-period discount rate ``d``:

    DEL(d)       = sum_{t>=0} S(t) / (1 + d)^t = 2F1(1, beta; alpha + beta; 1 / (1 + d))
    DERL(d | n)  = sum_{t>n} S(t) / S(n) / (1 + d)^(t - n - 1)
                 = (beta + n) / (alpha + beta + n) * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1 / (1 + d))

DEL is the discounted expected lifetime (in periods, counting the first payment at time 0); DERL
is the discounted expected residual lifetime of a customer who has made ``n`` renewals and is about
to make her next renewal decision: the payment of that renewal counts in full (t = n + 1 carries
no discount), each later one is discounted one period more. Valued from inside the period in force,
the next renewal is a period away: analytics.clv.contract_value divides by (1 + d) for that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, hyp2f1, polygamma

from analytics.clv.mle import fit_mle

__all__ = [
    "SbgFit",
    "sbg_del",
    "sbg_derl",
    "sbg_fit_histories",
    "sbg_fit_survivors",
    "sbg_project_survivors",
    "sbg_retention_rate",
    "sbg_survival",
]

NAMES = ("alpha", "beta")


@dataclass(frozen=True)
class SbgFit:
    """Fitted sBG parameters (``alpha``, ``beta``) with standard errors."""

    params: dict[str, float]
    log_likelihood: float
    std_errors: dict[str, float]
    customers: int
    converged: bool


def _values(params: SbgFit | Mapping[str, float]) -> tuple[float, float]:
    mapping = params.params if isinstance(params, SbgFit) else params
    alpha, beta = float(mapping["alpha"]), float(mapping["beta"])
    if not (alpha > 0 and beta > 0 and np.isfinite(alpha) and np.isfinite(beta)):
        raise ValueError("alpha and beta must be positive and finite")
    return alpha, beta


def _fit(churn_t: np.ndarray, churn_w: np.ndarray, alive_t: np.ndarray, alive_w: np.ndarray) -> SbgFit:
    """Fit on weighted observations: ``churn_w[i]`` customers churned in period ``churn_t[i]``,
    ``alive_w[j]`` customers were still alive after ``alive_t[j]`` periods."""
    total = float(churn_w.sum() + alive_w.sum())
    if churn_w.sum() <= 0:
        raise ValueError("the sBG model needs at least one churned customer")

    def nll(z: np.ndarray) -> float:
        alpha, beta = np.exp(z)
        base = betaln(alpha, beta)
        ll = np.dot(churn_w, betaln(alpha + 1.0, beta + churn_t - 1.0)) + np.dot(
            alive_w, betaln(alpha, beta + alive_t)
        )
        return float(-(ll - total * base))

    def grad(z: np.ndarray) -> np.ndarray:
        alpha, beta = np.exp(z)
        d_base_a = digamma(alpha) - digamma(alpha + beta)
        d_base_b = digamma(beta) - digamma(alpha + beta)
        psi_churn = digamma(alpha + beta + churn_t)
        psi_alive = digamma(alpha + beta + alive_t)
        d_a = (
            np.dot(churn_w, digamma(alpha + 1.0) - psi_churn)
            + np.dot(alive_w, digamma(alpha) - psi_alive)
            - total * d_base_a
        )
        d_b = (
            np.dot(churn_w, digamma(beta + churn_t - 1.0) - psi_churn)
            + np.dot(alive_w, digamma(beta + alive_t) - psi_alive)
            - total * d_base_b
        )
        return -np.array([d_a * alpha, d_b * beta])

    result = fit_mle(negative_log_likelihood=nll, initial_log_params=np.zeros(2), names=NAMES, gradient=grad)
    return SbgFit(
        params=result.params,
        log_likelihood=result.log_likelihood,
        std_errors=result.std_errors,
        customers=round(total),
        converged=result.converged,
    )


def sbg_fit_survivors(*, survivors: Sequence[int]) -> SbgFit:
    """Fit from cohort survivor counts ``N_0 >= N_1 >= ... >= N_k`` (``N_0`` = customers at start).

    Fader & Hardie's (2007) "high end" cohort 1000, 869, 743, 653, 593, 551, 517, 491 gives
    ``alpha ~ 0.668``, ``beta ~ 3.806``.
    """
    counts = np.asarray(survivors, dtype=np.float64)
    if counts.ndim != 1 or counts.size < 2:
        raise ValueError("survivors needs at least two counts N0, N1")
    if np.any(~np.isfinite(counts)) or np.any(counts < 0) or np.any(np.diff(counts) > 0):
        raise ValueError("survivor counts must be non-negative and non-increasing")
    if counts[0] <= 0:
        raise ValueError("N0 must be positive")
    k = counts.size - 1
    churn_t = np.arange(1, k + 1, dtype=np.float64)
    churn_w = counts[:-1] - counts[1:]
    return _fit(churn_t, churn_w, np.array([float(k)]), np.array([counts[-1]]))


def sbg_fit_histories(*, periods_observed: np.ndarray, churned: np.ndarray) -> SbgFit:
    """Fit from individual contract histories.

    ``periods_observed[i]`` is the number of periods customer ``i`` was observed; ``churned[i]``
    says whether she churned in that last period (contributes ``P(T = n)``, needs ``n >= 1``) or is
    still alive after it (contributes ``S(n)``).
    """
    n = np.asarray(periods_observed)
    dead = np.asarray(churned, dtype=bool)
    if n.shape != dead.shape or n.ndim != 1 or n.size == 0:
        raise ValueError("periods_observed and churned must be one-dimensional of equal length")
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError("periods_observed must be non-negative integers")
    n = n.astype(np.int64)
    if np.any(n[dead] < 1):
        raise ValueError("a churned customer must have been observed for at least one period")
    churn_counts = np.bincount(n[dead], minlength=1).astype(np.float64)
    alive_counts = np.bincount(n[~dead], minlength=1).astype(np.float64)
    churn_t = np.flatnonzero(churn_counts).astype(np.float64)
    alive_t = np.flatnonzero(alive_counts).astype(np.float64)
    return _fit(churn_t, churn_counts[churn_counts > 0], alive_t, alive_counts[alive_counts > 0])


def _log_survival(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    """``log S(t) = g(beta) - g(beta + t)`` with ``g(x) = log Gamma(x + alpha) - log Gamma(x)``.

    With ``alpha`` small against ``beta`` the plain log-beta difference loses ~1e-9 to cancellation,
    more than a one-period drop (about ``alpha / beta``); there ``g`` is expanded in ``alpha``,
    ``g(x) = sum_k alpha^k / k! psi^(k-1)(x)`` (four terms, remainder below 1e-12 when
    ``alpha <= 1`` and ``alpha <= 1e-3 beta``), which keeps S monotone to rounding.
    """
    if alpha <= 1.0 and alpha <= 1e-3 * beta:
        total = np.zeros_like(t)
        factorial = 1.0
        for k in range(1, 5):
            factorial *= k
            total += alpha**k / factorial * (polygamma(k - 1, beta) - polygamma(k - 1, beta + t))
        return np.minimum(total, 0.0)
    return np.asarray(np.minimum(betaln(alpha, beta + t) - betaln(alpha, beta), 0.0))


def sbg_survival(params: SbgFit | Mapping[str, float], t: np.ndarray | float) -> np.ndarray:
    """``S(t) = B(alpha, beta + t) / B(alpha, beta)``, in [0, 1] and non-increasing in ``t >= 0``."""
    alpha, beta = _values(params)
    tt = np.asarray(t, dtype=np.float64)
    if np.any(tt < 0):
        raise ValueError("t must be non-negative")
    return np.asarray(np.clip(np.exp(_log_survival(alpha, beta, tt)), 0.0, 1.0))


def sbg_retention_rate(params: SbgFit | Mapping[str, float], t: np.ndarray | float) -> np.ndarray:
    """Period-``t`` retention ``r_t = (beta + t - 1) / (alpha + beta + t - 1)`` for ``t >= 1``."""
    alpha, beta = _values(params)
    tt = np.asarray(t, dtype=np.float64)
    if np.any(tt < 1):
        raise ValueError("t must be at least 1")
    return np.asarray((beta + tt - 1.0) / (alpha + beta + tt - 1.0))


def sbg_project_survivors(params: SbgFit | Mapping[str, float], n0: float, periods: int) -> np.ndarray:
    """Expected survivors ``n0 S(t)`` for ``t = 0, 1, ..., periods`` (length ``periods + 1``)."""
    if periods < 0:
        raise ValueError("periods must be non-negative")
    return float(n0) * sbg_survival(params, np.arange(periods + 1, dtype=np.float64))


def _derl_direct(alpha: float, beta: float, n: float, z: float) -> float:
    """``sum_{j>=0} S(n + 1 + j) / S(n) z^j`` summed directly in log space (fallback)."""
    terms = int(min(5_000_000, np.ceil(np.log(1e-18) / np.log(z)) + 1))
    j = np.arange(terms, dtype=np.float64)
    log_terms = betaln(alpha, beta + n + 1.0 + j) - betaln(alpha, beta + n) + j * np.log(z)
    return float(np.sum(np.exp(log_terms)))


def _hyp_tail(alpha: float, beta: float, n: float, z: float) -> float:
    """``(beta + n)/(alpha + beta + n) 2F1(1, beta + n + 1; alpha + beta + n + 1; z)``.

    scipy's ``hyp2f1`` can be silently inaccurate near ``z = 1`` when ``c - a - b = alpha - 1`` is
    an integer (e.g. ``alpha = 1``, small ``d``), so the value is cross-checked against Pfaff's
    transformation ``2F1(1, b; c; z) = 2F1(1, c - b; c; z / (z - 1)) / (1 - z)``; if the two
    disagree, or leave the bounds ``[0, 1 / (1 - z)]``, the series is summed directly.
    """
    b, c = beta + n + 1.0, alpha + beta + n + 1.0
    lead = (beta + n) / (alpha + beta + n)
    plain = float(lead * hyp2f1(1.0, b, c, z))
    pfaff = float(lead * hyp2f1(1.0, alpha, c, z / (z - 1.0)) / (1.0 - z))
    upper = 1.0 / (1.0 - z)  # every survival ratio is <= 1, so the sum is <= 1 / (1 - z)
    agree = np.isfinite(plain) and np.isfinite(pfaff) and abs(plain - pfaff) <= 1e-9 * max(abs(pfaff), 1e-300)
    if agree and 0.0 <= plain <= upper * (1 + 1e-9):
        return plain
    return _derl_direct(alpha, beta, n, z)


def _discount_factor(discount: float) -> float:
    if not np.isfinite(discount) or discount <= 0:
        raise ValueError("the per-period discount rate must be positive")
    return 1.0 / (1.0 + float(discount))


def sbg_del(params: SbgFit | Mapping[str, float], discount: float) -> float:
    """Discounted expected lifetime ``DEL = 2F1(1, beta; alpha + beta; 1/(1 + d))`` in periods.

    Equals ``1 + DERL(d | n = 0) / (1 + d)``: the payment at time 0 plus the discounted residual.
    """
    alpha, beta = _values(params)
    z = _discount_factor(discount)
    return 1.0 + z * _hyp_tail(alpha, beta, 0.0, z)


def sbg_derl(params: SbgFit | Mapping[str, float], discount: float, renewals: int) -> float:
    """Discounted expected residual lifetime of a customer who has made ``renewals`` renewals:
    ``(beta + n)/(alpha + beta + n) 2F1(1, beta + n + 1; alpha + beta + n + 1; 1/(1 + d))``."""
    alpha, beta = _values(params)
    if renewals < 0:
        raise ValueError("renewals must be non-negative")
    return _hyp_tail(alpha, beta, float(renewals), _discount_factor(discount))
