"""Shared maximum-likelihood helpers for the CLV models.

Every model in :mod:`analytics.clv` has strictly positive parameters.  They are optimised over
their logarithms (so the optimiser is unconstrained) with :func:`scipy.optimize.minimize`
(L-BFGS-B), or by damped Newton steps when the model supplies its analytic Hessian (falling
back to L-BFGS-B if Newton does not converge), and standard errors are taken from the inverse
of the observed information, i.e. the Hessian of the negative log-likelihood evaluated on the
*natural* parameters at the optimum (analytic when given, else central finite differences with
relative steps).

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


def _cholesky_solve(h: list[list[float]], g: list[float]) -> list[float] | None:
    """Solve h s = g by Cholesky in plain Python (n <= ~6); ``None`` unless h is positive
    definite.  For these tiny systems this avoids LAPACK, whose thread pool stalls on a busy CPU."""
    n = len(g)
    low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            acc = h[i][j] - sum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                if not acc > 0.0:
                    return None
                low[i][i] = acc**0.5
            else:
                low[i][j] = acc / low[j][j]
    y = [0.0] * n
    for i in range(n):
        y[i] = (g[i] - sum(low[i][k] * y[k] for k in range(i))) / low[i][i]
    sol = [0.0] * n
    for i in reversed(range(n)):
        sol[i] = (y[i] - sum(low[k][i] * sol[k] for k in range(i + 1, n))) / low[i][i]
    return sol


def _newton_log_space(
    value_and_gradient: Callable[[np.ndarray], tuple[float, np.ndarray]],
    natural_hessian: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    *,
    max_iter: int = 60,
    bound: float = 25.0,
) -> tuple[np.ndarray, bool]:
    """Damped Newton on the log-parameters: (last accepted iterate, converged).

    A fit that does not converge (a likelihood flat along a ray, such as a BG/NBD without
    dropout heterogeneity, or a point where the model is undefined) hands its best iterate to the
    fallback optimiser instead of making it start over.

    With z = log(theta) the Hessian is D H_theta D + diag(g_z) (D = diag(theta)).  Where it is
    not positive definite (far from the optimum) a multiple of the identity is added until it
    is (Levenberg-Marquardt), so every step is a descent direction; steps are capped in length
    and backtracked (Armijo).  Converged means the Newton decrement g' H^-1 g is below 1e-12:
    the log-likelihood is then within ~1e-12 of its maximum, tighter than the L-BFGS-B stopping
    rule it replaces.
    """
    z = np.asarray(x0, dtype=np.float64).copy()
    f, g = value_and_gradient(z)
    for _ in range(max_iter):
        if not (np.isfinite(f) and f < 1e300 and np.all(np.isfinite(g))):
            return z, False  # an invalid point (objectives report those as 1e300)
        theta = np.exp(z)
        h = theta[:, None] * np.asarray(natural_hessian(theta), dtype=np.float64) * theta[None, :]
        h = 0.5 * (h + h.T) + np.diag(g)
        if not np.all(np.isfinite(h)):
            return z, False
        rows, grad = h.tolist(), g.tolist()
        sol = _cholesky_solve(rows, grad)
        positive = sol is not None
        damping = 1e-6 * max(abs(v) for v in np.diag(h).tolist()) + 1e-12
        while sol is None and damping < 1e300:
            sol = _cholesky_solve(
                [[v + (damping if i == j else 0.0) for j, v in enumerate(row)] for i, row in enumerate(rows)],
                grad,
            )
            damping *= 10.0
        if sol is None:
            return z, False
        step = -np.array(sol)
        decrement = float(-g @ step)
        if positive and decrement < 1e-12:
            return z, True
        length = float(np.abs(step).max())
        if length > 2.0:
            step *= 2.0 / length
        t = 1.0
        slope = float(g @ step)
        # In the quadratic region the predicted decrease is below the rounding of f: take the
        # full step unless f clearly got worse.
        slack = 1e-12 * max(1.0, abs(f)) if positive and decrement < 1e-6 else 0.0
        # Twenty halvings leave a step a millionth of Newton's: past that the objective is flat
        # to its rounding along the step, and more evaluations only sample the noise.
        for _ in range(20):
            z_new = z + t * step
            if np.all(np.abs(z_new) <= bound):
                f_new, g_new = value_and_gradient(z_new)
                if np.isfinite(f_new) and f_new <= f + 1e-4 * t * slope + slack:
                    break
            t *= 0.5
        else:
            return z, False
        if slack and f_new >= f and decrement < 1e-8:
            return z, False  # rounding floor before the decrement test: let L-BFGS-B decide
        z, f, g = z_new, float(f_new), np.asarray(g_new, dtype=np.float64)
    return z, False


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
    value_and_gradient: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None,
    natural_hessian: Callable[[np.ndarray], np.ndarray] | None = None,
) -> MleResult:
    """Maximise a likelihood over log-parameters.

    ``negative_log_likelihood(log_params)`` returns the negative log-likelihood (a float; return
    ``np.inf`` or a large number for invalid points).  ``gradient(log_params)``, if given, is its
    gradient with respect to the log-parameters.  Standard errors come from the numerical Hessian
    of the negative log-likelihood on the natural parameters ``exp(log_params)`` (central
    differences of the gradient when one is given, of the function otherwise).

    ``value_and_gradient(log_params) -> (nll, gradient)``, if given, replaces both callables in the
    optimiser (one pass over the data per iterate instead of two); ``gradient`` may then be
    omitted.  ``natural_hessian(params)``, if given, is the analytic Hessian of the negative
    log-likelihood on the natural parameters and replaces the finite differences.
    """
    x0 = np.asarray(initial_log_params, dtype=np.float64)
    if x0.shape != (len(names),):
        raise ValueError("initial_log_params must have one entry per name")

    def objective(z: np.ndarray) -> float:
        val = float(negative_log_likelihood(z))
        return val if np.isfinite(val) else 1e300

    def objective_and_gradient(z: np.ndarray) -> tuple[float, np.ndarray]:
        assert value_and_gradient is not None
        val, grad = value_and_gradient(z)
        if not np.isfinite(val):
            return 1e300, np.zeros_like(z)
        return float(val), np.asarray(grad, dtype=np.float64)

    if value_and_gradient is not None:
        gradient = gradient or (lambda z: value_and_gradient(z)[1])
    newton_converged, start = False, x0
    if value_and_gradient is not None and natural_hessian is not None:
        # Exact second derivatives: a few Newton steps beat L-BFGS-B's dozens of evaluations
        # (whose BLAS calls also stall when threads compete for a busy CPU).
        start, newton_converged = _newton_log_space(objective_and_gradient, natural_hessian, x0)
    if newton_converged:
        z_hat, success = start, True
    else:
        res = optimize.minimize(
            objective if value_and_gradient is None else objective_and_gradient,
            start,
            jac=gradient if value_and_gradient is None else True,
            method="L-BFGS-B",
            bounds=[(-25.0, 25.0)] * len(names),
            options={"maxiter": max_iter},
        )
        z_hat, success = np.asarray(res.x, dtype=np.float64), bool(res.success)
    theta = np.exp(z_hat)

    def nll_natural(t: np.ndarray) -> float:
        if np.any(t <= 0):
            return np.inf
        return float(negative_log_likelihood(np.log(t)))

    if natural_hessian is not None:
        hess = np.asarray(natural_hessian(theta), dtype=np.float64)
    elif gradient is None:
        hess = numerical_hessian(nll_natural, theta)
    else:
        hess = _hessian_from_gradient(lambda t: np.asarray(gradient(np.log(t))) / t, theta)
    se, cov = standard_errors(hess)
    return MleResult(
        params={n: float(v) for n, v in zip(names, theta, strict=True)},
        log_likelihood=-float(negative_log_likelihood(z_hat)),
        std_errors={n: float(v) for n, v in zip(names, se, strict=True)},
        converged=success,
        names=names,
        covariance=cov,
    )
