"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves").

A customer's individual transaction values ``z_i`` are Gamma(p, nu) distributed around her mean
spend ``p / nu``, and ``nu`` varies across customers as Gamma(q, gamma).  For a customer with ``x``
repeat transactions of mean value ``m`` (``zbar``), the marginal density of ``m`` is

    f(m | p, q, gamma, x) = Gamma(p x + q) / (Gamma(p x) Gamma(q))
                            * gamma^q x^(p x) m^(p x - 1) / (gamma + x m)^(p x + q)

and is evaluated in log-gamma form.  The conditional expected average spend is

    E[M | p, q, gamma, m, x] = (gamma + x m) p / (p x + q - 1)
                             = (q - 1) / (p x + q - 1) * p gamma / (q - 1) + p x / (p x + q - 1) * m,

a weighted average of the population mean ``p gamma / (q - 1)`` (needs ``q > 1``) and the
customer's own mean ``m``.  The model is fitted on repeat customers only (``x > 0``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln, polygamma

from analytics.clv.mle import MleResult, fit_mle

__all__ = [
    "GammaGammaFit",
    "gamma_gamma_conditional_expected_spend",
    "gamma_gamma_fit",
    "gamma_gamma_log_likelihood",
    "population_mean_spend",
]

NAMES = ("p", "q", "gamma")


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma parameters (``p``, ``q``, ``gamma``) with standard errors."""

    params: dict[str, float]
    log_likelihood: float
    std_errors: dict[str, float]
    customers_used: int
    converged: bool

    @property
    def population_mean_spend(self) -> float:
        """``p gamma / (q - 1)``: expected average spend of a customer with no repeat history."""
        return population_mean_spend(self.params)


def _values(params: GammaGammaFit | Mapping[str, float]) -> tuple[float, float, float]:
    mapping = params.params if isinstance(params, GammaGammaFit) else params
    return float(mapping["p"]), float(mapping["q"]), float(mapping["gamma"])


def population_mean_spend(params: GammaGammaFit | Mapping[str, float]) -> float:
    """``p gamma / (q - 1)``; raises ``ValueError`` unless ``q > 1`` (the mean is infinite otherwise)."""
    p, q, gamma = _values(params)
    if q <= 1.0:
        raise ValueError("the Gamma-Gamma population mean spend requires q > 1")
    return p * gamma / (q - 1.0)


def _repeat_data(frequency: np.ndarray, monetary_value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    if x.shape != m.shape or x.ndim != 1:
        raise ValueError("frequency and monetary_value must be one-dimensional arrays of equal length")
    if np.any(~np.isfinite(x)) or np.any(~np.isfinite(m)) or np.any(x < 0):
        raise ValueError("frequency must be finite and non-negative; monetary_value finite")
    repeat = x > 0
    if np.any(m[repeat] <= 0):
        raise ValueError("monetary_value must be positive for repeat customers")
    return x[repeat], m[repeat]


def gamma_gamma_log_likelihood(
    params: GammaGammaFit | Mapping[str, float], *, frequency: np.ndarray, monetary_value: np.ndarray
) -> float:
    """Sum over repeat customers of ``log f(m | p, q, gamma, x)`` (the density above)."""
    p, q, gamma = _values(params)
    x, m = _repeat_data(frequency, monetary_value)
    return float(np.sum(_log_density(p, q, gamma, x, m)))


def _log_density(p: float, q: float, gamma: float, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + px * np.log(x)
        + (px - 1.0) * np.log(m)
        - (px + q) * np.log(gamma + x * m)
    )


class GammaGammaObjective:
    """The negative log-likelihood of the repeat customers, prepared for many evaluations.

    Everything that depends on the data alone is summed once (``sum x log(x m)``, ``sum log m``),
    the gammaln/digamma/trigamma factors are evaluated once per distinct frequency (weighted by
    its count), and only ``log(gamma + x m)`` and ``1 / (gamma + x m)`` need a pass over the
    customers per evaluation.
    """

    def __init__(self, x: np.ndarray, m: np.ndarray) -> None:
        self.ux, counts = np.unique(x, return_counts=True)
        self.nx = counts.astype(np.float64)
        self.x = x
        self.y = x * m
        self.n = float(x.size)
        self.sum_x_log_y = float(np.sum(x * np.log(self.y)))
        self.sum_log_m = float(np.sum(np.log(m)))

    def value_and_gradient(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        """``(nll, gradient w.r.t. log p, log q, log gamma)``."""
        p, q, gamma = np.exp(z)
        pu = p * self.ux
        log_g = np.log(gamma + self.y)
        sum_lg = float(np.sum(log_g))
        sum_x_lg = float(np.sum(self.x * log_g))
        ll = (
            float(np.sum(self.nx * (gammaln(pu + q) - gammaln(pu))))
            + p * self.sum_x_log_y
            - self.sum_log_m
            - self.n * gammaln(q)
            + self.n * q * np.log(gamma)
            - p * sum_x_lg
            - q * sum_lg
        )
        inv = 1.0 / (gamma + self.y)
        dg = digamma(pu + q)
        d_p = float(np.sum(self.nx * self.ux * (dg - digamma(pu)))) + self.sum_x_log_y - sum_x_lg
        d_q = float(np.sum(self.nx * dg)) - self.n * digamma(q) + self.n * np.log(gamma) - sum_lg
        d_gamma = self.n * q / gamma - p * float(np.sum(self.x * inv)) - q * float(np.sum(inv))
        return -float(ll), -np.array([d_p * p, d_q * q, d_gamma * gamma])

    def natural_hessian(self, theta: np.ndarray) -> np.ndarray:
        """Analytic Hessian of the nll on the natural parameters (p, q, gamma)."""
        p, q, gamma = theta
        pu = p * self.ux
        inv = 1.0 / (gamma + self.y)
        tg = polygamma(1, pu + q)
        h_pp = float(np.sum(self.nx * self.ux**2 * (tg - polygamma(1, pu))))
        h_pq = float(np.sum(self.nx * self.ux * tg))
        h_pg = -float(np.sum(self.x * inv))
        h_qq = float(np.sum(self.nx * tg)) - self.n * float(polygamma(1, q))
        h_qg = self.n / gamma - float(np.sum(inv))
        h_gg = -self.n * q / gamma**2 + float(np.sum((p * self.x + q) * inv * inv))
        return -np.array([[h_pp, h_pq, h_pg], [h_pq, h_qq, h_qg], [h_pg, h_qg, h_gg]])


def _fit_objective(objective: GammaGammaObjective, start: np.ndarray) -> MleResult:
    return fit_mle(
        negative_log_likelihood=lambda z: objective.value_and_gradient(z)[0],
        value_and_gradient=objective.value_and_gradient,
        natural_hessian=objective.natural_hessian,
        initial_log_params=start,
        names=NAMES,
    )


def gamma_gamma_fit(*, frequency: np.ndarray, monetary_value: np.ndarray) -> GammaGammaFit:
    """Maximum-likelihood fit on the repeat customers (``frequency > 0``).

    ``monetary_value`` is each customer's mean spend per repeat purchase period.  Optimises over
    ``log p, log q, log gamma`` with the analytic gradient; standard errors from the analytic
    Hessian on the natural parameters (see :class:`GammaGammaObjective`).
    """
    x, m = _repeat_data(frequency, monetary_value)
    if x.size < 3:
        raise ValueError("the Gamma-Gamma model needs at least 3 repeat customers")
    # Method-of-moments-flavoured start: q = 3, p = 1, gamma from the overall mean spend.
    start = np.log(np.array([1.0, 3.0, 2.0 * float(np.mean(m))]))
    result = _fit_objective(GammaGammaObjective(x, m), start)
    return GammaGammaFit(
        params=result.params,
        log_likelihood=result.log_likelihood,
        std_errors=result.std_errors,
        customers_used=int(x.size),
        converged=result.converged,
    )


def gamma_gamma_conditional_expected_spend(
    params: GammaGammaFit | Mapping[str, float],
    frequency: np.ndarray | float,
    monetary_value: np.ndarray | float,
) -> np.ndarray:
    """``E[M | p, q, gamma, m, x] = (q - 1)/(p x + q - 1) * p gamma/(q - 1) + p x/(p x + q - 1) * m``.

    Written as a convex combination so it stays finite for large ``x`` and ``m``; for ``x = 0`` it
    is the population mean ``p gamma / (q - 1)``.  Requires ``q > 1``.
    """
    p, q, _gamma = _values(params)
    mean = population_mean_spend(params)
    x = np.asarray(frequency, dtype=np.float64)
    m = np.asarray(monetary_value, dtype=np.float64)
    if np.any(x < 0):
        raise ValueError("frequency must be non-negative")
    m = np.where(x > 0, m, 0.0)
    weight = p * x / (p * x + q - 1.0)
    return np.asarray((1.0 - weight) * mean + weight * m, dtype=np.float64)
