"""Value of the customers a partner will still bring (time unit: weeks; value is margin).

A partner's active tenure follows an sBG on periods of ``period_weeks``: at every period end it
leaves with its own probability theta, theta ~ Beta(alpha, beta + n) after n periods survived.
The as-of date is taken at a period boundary, so an active partner is active for the next full
period for sure and K = 1, 2, ... periods in all with P(K > k | theta) = (1 - theta)^k.  While
active it sources new customers at rate lambda ~ Gamma(shape + sourced, rate + tenure_weeks) per
week, each worth ``new_customer_value`` at acquisition.  With delta = ln(1 + d)/52 and
z = exp(-delta P):

    discounted weeks | theta = (1 - z)/delta sum_k (1-theta)^k z^k = (1 - z)/delta / (1 - (1-theta) z)
    E over theta             = (1 - z)/delta (1 + z DERL(d_P | n))
    expected remaining weeks = P E[1/theta] = P (alpha + beta + n - 1)/(alpha - 1)   (inf if alpha <= 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analytics.clv.contract_value import SBG_NAMES
from analytics.clv.discount import continuous_weekly_rate
from analytics.clv.param_uncertainty import parameter_draws
from analytics.clv.sbg import sbg_derl

__all__ = ["FutureValue", "partner_future_draws", "partner_future_value", "partner_prior_from_rates"]

FALLBACK_SHAPE = 0.5  # weak prior when there are too few partners for moments
MIN_PARTNERS = 5


@dataclass(frozen=True)
class FutureValue:
    """Per-partner arrays (0 where the partner is not active, except ``rate_per_week``)."""

    rate_per_week: np.ndarray
    expected_remaining_weeks: np.ndarray
    discounted_remaining_weeks: np.ndarray
    expected: np.ndarray


def _inputs(
    periods_survived: np.ndarray,
    active: np.ndarray,
    sourced: np.ndarray,
    tenure: np.ndarray,
    ncv: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = np.asarray(periods_survived).ravel()
    act = np.asarray(active, dtype=bool).ravel()
    src = np.asarray(sourced, dtype=np.float64).ravel()
    ten = np.asarray(tenure, dtype=np.float64).ravel()
    val = np.broadcast_to(np.asarray(ncv, dtype=np.float64), n.shape).ravel()
    if not (n.shape == act.shape == src.shape == ten.shape):
        raise ValueError("partner arrays must have the same length")
    if np.any(n < 0) or np.any(n != np.round(n)) or np.any(src < 0) or np.any(ten < 0):
        raise ValueError("periods, sourced customers and tenure must be non-negative")
    return n.astype(np.int64), act, src, ten, val


def _rate(*, annual_discount: float, period_weeks: float) -> tuple[float, float, float]:
    delta = continuous_weekly_rate(annual_discount)
    if delta <= 0 or not period_weeks > 0:
        raise ValueError("need a positive discount rate and period")
    z = float(np.exp(-delta * period_weeks))
    return delta, z, float(np.expm1(np.log1p(annual_discount) * period_weeks / 52.0))


def partner_future_value(
    *,
    survival_params: Mapping[str, float],
    period_weeks: float,
    periods_survived: np.ndarray,
    active: np.ndarray,
    sourced_customers: np.ndarray,
    tenure_weeks: np.ndarray,
    new_customer_value: np.ndarray,
    annual_discount: float,
    prior_shape: float,
    prior_rate: float,
) -> FutureValue:
    """Posterior-mean sourcing rate x discounted remaining active weeks x new-customer value."""
    n, act, src, ten, ncv = _inputs(
        periods_survived, active, sourced_customers, tenure_weeks, new_customer_value
    )
    alpha, beta = float(survival_params["alpha"]), float(survival_params["beta"])
    delta, z, d_p = _rate(annual_discount=annual_discount, period_weeks=period_weeks)
    rate = (prior_shape + src) / (prior_rate + ten)
    with np.errstate(divide="ignore"):
        remaining = np.where(
            act, period_weeks * (alpha + beta + n - 1.0) / (alpha - 1.0) if alpha > 1 else np.inf, 0.0
        )
    discounted = np.zeros(n.size)
    if np.any(act):
        uniq, inv = np.unique(n[act], return_inverse=True)
        derl = np.array([sbg_derl({"alpha": alpha, "beta": beta}, d_p, int(k)) for k in uniq])
        discounted[act] = (1.0 - z) / delta * (1.0 + z * derl[inv.ravel()])
    return FutureValue(
        rate_per_week=rate,
        expected_remaining_weeks=np.asarray(remaining, dtype=np.float64),
        discounted_remaining_weeks=discounted,
        expected=np.where(act, rate * discounted * ncv, 0.0),
    )


def partner_future_draws(
    *,
    survival_params: Mapping[str, float],
    covariance: np.ndarray | Sequence[Sequence[float]] | None,
    period_weeks: float,
    periods_survived: np.ndarray,
    active: np.ndarray,
    sourced_customers: np.ndarray,
    tenure_weeks: np.ndarray,
    new_customer_value: np.ndarray,
    annual_discount: float,
    prior_shape: float,
    prior_rate: float,
    draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """(n_partners, draws) draws of the true expected future value: (alpha, beta) from the normal
    on their logarithms (``covariance``; empty = none), theta ~ Beta(alpha, beta + n), lambda from
    its Gamma posterior, value ``lambda (1 - z)/delta / (1 - (1 - theta) z) * new_customer_value``.
    The Gamma prior is taken as known (its uncertainty, from many partners, is ignored)."""
    n, act, src, ten, ncv = _inputs(
        periods_survived, active, sourced_customers, tenure_weeks, new_customer_value
    )
    delta, z, _ = _rate(annual_discount=annual_discount, period_weeks=period_weeks)
    pop = parameter_draws(
        params=survival_params, names=SBG_NAMES, covariance=covariance, draws=draws, rng=rng
    )
    out = np.zeros((n.size, draws))
    rows = np.flatnonzero(act)
    if rows.size:
        theta = rng.beta(pop[0][None, :], pop[1][None, :] + n[rows, None])
        lam = rng.gamma(
            prior_shape + src[rows, None], 1.0 / (prior_rate + ten[rows, None]), (rows.size, draws)
        )
        out[rows] = lam * (1.0 - z) / delta / (1.0 - (1.0 - theta) * z) * ncv[rows, None]
    return out


def partner_prior_from_rates(
    *, sourced_customers: np.ndarray, tenure_weeks: np.ndarray
) -> tuple[float, float]:
    """Empirical-Bayes Gamma(shape, rate) prior of partners' weekly sourcing rates.

    Method of moments on y_i = sourced_i / tenure_i (partners with tenure > 0): the mean is pooled,
    m = sum sourced / sum tenure, and Var(lambda) = var(y) - m mean(1/tenure) removes the Poisson
    noise, floored at (m/10)^2 (shape at most 100: no measurable heterogeneity means a strong
    prior).  With fewer than 5 partners a weak prior of shape 0.5 with the pooled mean is returned.
    """
    src = np.asarray(sourced_customers, dtype=np.float64).ravel()
    ten = np.asarray(tenure_weeks, dtype=np.float64).ravel()
    keep = ten > 0
    src, ten = src[keep], ten[keep]
    total_t = float(ten.sum())
    mean = (float(src.sum()) + 0.5) / (total_t + 1.0) if src.sum() <= 0 else float(src.sum()) / total_t
    if src.size < MIN_PARTNERS:
        return FALLBACK_SHAPE, FALLBACK_SHAPE / mean
    y = src / ten
    var = float(np.var(y, ddof=1)) - mean * float(np.mean(1.0 / ten))
    var = max(var, (mean / 10.0) ** 2)
    return mean * mean / var, mean / var
