"""Shared maximum-likelihood helpers for the CLV models.

Every model in :mod:`analytics.clv` has strictly positive parameters.  They are optimised over
their logarithms (so the optimiser is unconstrained) with :func:`scipy.optimize.minimize`
(L-BFGS-B), and standard errors are taken from the inverse of the observed information, i.e.
the Hessian of the negative log-likelihood evaluated on the *natural* parameters at the optimum
(central finite differences with relative steps).

Public API (stable, imported by the other CLV modules):

* :class:`MleResult` -- frozen result: ``params``, ``log_likelihood``, ``std_errors``,
  ``converged``, ``covariance``, ``names``.
* :func:`fit_mle` -- minimise a negative log-likelihood given over log-parameters.
* :func:`numerical_hessian` -- central-difference Hessian of a scalar function.
* :func:`standard_errors` -- standard errors and covariance from a Hessian of the negative
  log-likelihood.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

__all__ = ["MleResult", "fit_mle", "numerical_hessian", "standard_errors"]


@dataclass(frozen=True)
class MleResult:
    """Outcome of a maximum-likelihood fit.

    ``params`` and ``std_errors`` are keyed by the parameter names (natural scale);
    ``covariance`` is the inverse observed information on the natural scale (NaN when the
    Hessian is singular); ``log_likelihood`` is the maximised log-likelihood (not negated).
    """

    params: dict[str, float]
    log_likelihood: float
    std_errors: dict[str, float]
    converged: bool
    names: tuple[str, ...] = ()
    covariance: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))


def numerical_hessian(
    func: Callable[[np.ndarray], float], x: np.ndarray, *, rel_step: float = 1e-4
) -> np.ndarray:
    """Central-difference Hessian of ``func`` at ``x`` with steps ``rel_step * max(|x_i|, 1e-3)``."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    h = rel_step * np.maximum(np.abs(x), 1e-3)
    hess = np.empty((n, n), dtype=np.float64)
    f0 = func(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = h[i]
        hess[i, i] = (func(x + ei) - 2.0 * f0 + func(x - ei)) / (h[i] * h[i])
        for j in range(i + 1, n):
            ej = np.zeros(n)
            ej[j] = h[j]
            val = (func(x + ei + ej) - func(x + ei - ej) - func(x - ei + ej) + func(x - ei - ej)) / (
                4.0 * h[i] * h[j]
            )
            hess[i, j] = val
            hess[j, i] = val
    return hess


def _hessian_from_gradient(
    grad_natural: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, *, rel_step: float = 1e-5
) -> np.ndarray:
    """Symmetrised central-difference Jacobian of an analytic gradient (2n gradient calls)."""
    n = theta.size
    hess = np.empty((n, n), dtype=np.float64)
    for i in range(n):
        h = rel_step * max(abs(theta[i]), 1e-3)
        step = np.zeros(n)
        step[i] = h
        hess[i] = (grad_natural(theta + step) - grad_natural(theta - step)) / (2.0 * h)
    return 0.5 * (hess + hess.T)


def standard_errors(hessian: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(std_errors, covariance)`` from the Hessian of a negative log-likelihood.

    The covariance is the (pseudo-)inverse of the observed information; entries whose variance
    is not positive and finite are reported as NaN.
    """
    hessian = np.asarray(hessian, dtype=np.float64)
    try:
        cov = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        cov = np.full_like(hessian, np.nan)
    var = np.diag(cov).copy()
    bad = ~np.isfinite(var) | (var <= 0)
    var[bad] = np.nan
    return np.sqrt(var), cov


def fit_mle(
    *,
    negative_log_likelihood: Callable[[np.ndarray], float],
    initial_log_params: np.ndarray,
    names: tuple[str, ...],
    gradient: Callable[[np.ndarray], np.ndarray] | None = None,
    max_iter: int = 2000,
) -> MleResult:
    """Maximise a likelihood over log-parameters.

    ``negative_log_likelihood(log_params)`` returns the negative log-likelihood (a float; return
    ``np.inf`` or a large number for invalid points).  ``gradient(log_params)``, if given, is its
    gradient with respect to the log-parameters.  Standard errors come from the numerical Hessian
    of the negative log-likelihood on the natural parameters ``exp(log_params)`` (central
    differences of the gradient when one is given, of the function otherwise).
    """
    x0 = np.asarray(initial_log_params, dtype=np.float64)
    if x0.shape != (len(names),):
        raise ValueError("initial_log_params must have one entry per name")

    def objective(z: np.ndarray) -> float:
        val = float(negative_log_likelihood(z))
        return val if np.isfinite(val) else 1e300

    res = optimize.minimize(
        objective,
        x0,
        jac=gradient,
        method="L-BFGS-B",
        bounds=[(-25.0, 25.0)] * len(names),
        options={"maxiter": max_iter},
    )
    z_hat = np.asarray(res.x, dtype=np.float64)
    theta = np.exp(z_hat)

    def nll_natural(t: np.ndarray) -> float:
        if np.any(t <= 0):
            return np.inf
        return float(negative_log_likelihood(np.log(t)))

    if gradient is None:
        hess = numerical_hessian(nll_natural, theta)
    else:
        hess = _hessian_from_gradient(lambda t: np.asarray(gradient(np.log(t))) / t, theta)
    se, cov = standard_errors(hess)
    return MleResult(
        params={n: float(v) for n, v in zip(names, theta, strict=True)},
        log_likelihood=-float(negative_log_likelihood(z_hat)),
        std_errors={n: float(v) for n, v in zip(names, se, strict=True)},
        converged=bool(res.success),
        names=names,
        covariance=cov,
    )
