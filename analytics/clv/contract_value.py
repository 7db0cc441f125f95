"""Residual value of subscriptions under the shifted-Beta-Geometric (Fader & Hardie 2007, 2010).

A contract that has survived n renewals has churn probability theta ~ Beta(alpha, beta + n).  The
period in force at the as-of date is already realised revenue and is NOT counted; the next renewal
(a full period away, discounted once) and every later one are:

    value | theta = margin * sum_{k>=1} (1 - theta)^k / (1 + d_p)^k = margin (1 - theta) / (d_p + theta)
    E[value]      = margin * DERL(d_p | n) / (1 + d_p)      (DERL of :func:`analytics.clv.sbg.sbg_derl`)

with the per-period rate d_p = (1 + d)^(period_weeks / 52) - 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analytics.clv.param_uncertainty import parameter_draws
from analytics.clv.sbg import sbg_derl

__all__ = ["ContractValue", "per_period_rate", "sbg_contract_value", "sbg_value_draws"]

SBG_NAMES = ("alpha", "beta")


@dataclass(frozen=True)
class ContractValue:
    """Per-contract arrays: ``p_renew`` at the next renewal and the ``residual`` value (0 if not active)."""

    p_renew: np.ndarray
    residual: np.ndarray


def per_period_rate(*, annual_discount: float, period_weeks: np.ndarray) -> np.ndarray:
    """``(1 + d)^(period_weeks / 52) - 1``."""
    if not np.isfinite(annual_discount) or annual_discount <= 0:
        raise ValueError("the annual discount rate must be positive")
    weeks = np.asarray(period_weeks, dtype=np.float64)
    if np.any(~np.isfinite(weeks)) or np.any(weeks <= 0):
        raise ValueError("period_weeks must be positive")
    return np.asarray(np.expm1(np.log1p(annual_discount) * weeks / 52.0))


def _inputs(
    renewals: np.ndarray, active: np.ndarray, period_weeks: np.ndarray, margin: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = np.asarray(renewals).ravel()
    act = np.asarray(active, dtype=bool).ravel()
    per = np.broadcast_to(np.asarray(period_weeks, dtype=np.float64), n.shape).ravel()
    mar = np.broadcast_to(np.asarray(margin, dtype=np.float64), n.shape).ravel()
    if act.shape != n.shape:
        raise ValueError("renewals and active must have the same length")
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError("renewals must be non-negative integers")
    return n.astype(np.int64), act, per, mar


def sbg_contract_value(
    *,
    params: Mapping[str, float],
    renewals: np.ndarray,
    active: np.ndarray,
    period_weeks: np.ndarray,
    margin_per_period: np.ndarray,
    annual_discount: float,
) -> ContractValue:
    """``p_renew = (beta + n)/(alpha + beta + n)`` and ``residual = margin DERL(d_p | n)/(1 + d_p)``
    (see the module docstring; the current period is not counted)."""
    n, act, per, margin = _inputs(renewals, active, period_weeks, margin_per_period)
    alpha, beta = float(params["alpha"]), float(params["beta"])
    d_p = per_period_rate(annual_discount=annual_discount, period_weeks=per)
    p_renew = np.where(act, (beta + n) / (alpha + beta + n), 0.0)
    residual = np.zeros(n.size)
    if np.any(act):
        keys = np.stack([n[act].astype(np.float64), d_p[act]])
        uniq, inv = np.unique(keys, axis=1, return_inverse=True)
        derl = np.array(
            [sbg_derl({"alpha": alpha, "beta": beta}, float(d), int(k)) / (1.0 + d) for k, d in uniq.T]
        )
        residual[act] = margin[act] * derl[inv.ravel()]
    return ContractValue(p_renew=p_renew, residual=residual)


def sbg_value_draws(
    *,
    params: Mapping[str, float],
    covariance: np.ndarray | Sequence[Sequence[float]] | None,
    renewals: np.ndarray,
    active: np.ndarray,
    period_weeks: np.ndarray,
    margin_per_period: np.ndarray,
    annual_discount: float,
    draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """(n, draws) draws of each contract's true expected residual value: (alpha, beta) from the
    normal on their logarithms (``covariance`` in that order; empty = none), theta ~ Beta(alpha,
    beta + n), value ``margin (1 - theta)/(d_p + theta)`` (0 if not active)."""
    n, act, per, margin = _inputs(renewals, active, period_weeks, margin_per_period)
    d_p = per_period_rate(annual_discount=annual_discount, period_weeks=per)
    theta_pop = parameter_draws(params=params, names=SBG_NAMES, covariance=covariance, draws=draws, rng=rng)
    out = np.zeros((n.size, draws))
    idx = np.flatnonzero(act)
    block = max(1, 1_000_000 // max(draws, 1))
    for lo in range(0, idx.size, block):
        rows = idx[lo : lo + block]
        theta = rng.beta(theta_pop[0][None, :], theta_pop[1][None, :] + n[rows, None])
        out[rows] = margin[rows, None] * (1.0 - theta) / (d_p[rows, None] + theta)
    return out
