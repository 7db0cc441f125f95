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
from scipy.special import digamma, gammaln

from analytics.clv.mle import fit_mle

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


def gamma_gamma_fit(*, frequency: np.ndarray, monetary_value: np.ndarray) -> GammaGammaFit:
    """Maximum-likelihood fit on the repeat customers (``frequency > 0``).

    ``monetary_value`` is each customer's mean spend per repeat purchase period.  Optimises over
    ``log p, log q, log gamma`` with the analytic gradient; standard errors from the numerical
    Hessian on the natural parameters (see :mod:`analytics.clv.mle`).
    """
    x, m = _repeat_data(frequency, monetary_value)
    if x.size < 3:
        raise ValueError("the Gamma-Gamma model needs at least 3 repeat customers")
    log_x = np.log(x)
    log_m = np.log(m)
    n = float(x.size)

    def nll(z: np.ndarray) -> float:
        p, q, gamma = np.exp(z)
        px = p * x
        ll = (
            np.sum(gammaln(px + q) - gammaln(px) + px * (log_x + log_m) - log_m)
            - n * gammaln(q)
            + n * q * np.log(gamma)
            - np.sum((px + q) * np.log(gamma + x * m))
        )
        return float(-ll)

    def grad(z: np.ndarray) -> np.ndarray:
        p, q, gamma = np.exp(z)
        px = p * x
        log_gxm = np.log(gamma + x * m)
        dg = digamma(px + q)
        d_p = np.sum(x * (dg - digamma(px) + log_x + log_m - log_gxm))
        d_q = np.sum(dg - log_gxm) - n * digamma(q) + n * np.log(gamma)
        d_gamma = n * q / gamma - np.sum((px + q) / (gamma + x * m))
        return -np.array([d_p * p, d_q * q, d_gamma * gamma])

    # Method-of-moments-flavoured start: q = 3, p = 1, gamma from the overall mean spend.
    start = np.log(np.array([1.0, 3.0, 2.0 * float(np.mean(m))]))
    result = fit_mle(negative_log_likelihood=nll, initial_log_params=start, names=NAMES, gradient=grad)
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
