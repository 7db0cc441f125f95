"""Parameter uncertainty for the value draws: population parameters from the asymptotic normal of
their logarithms (the fits are run on log-parameters, where that normal is the better approximation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["log_covariance_from_natural", "parameter_draws"]

LOG_SPREAD_MAX = 3.0  # a draw stays within a factor of about 20 of the estimate
LOG_PARAM_MAX = 40.0  # e^40 ~ 2e17: far past any meaningful parameter, still finite in products


def log_covariance_from_natural(*, params: Mapping[str, float], covariance: np.ndarray) -> np.ndarray:
    """Delta method: the covariance of log-parameters from that of the natural parameters (the
    form :func:`analytics.clv.bgnbd.bgnbd_fit` reports), in the order of ``params``."""
    theta = np.array([float(v) for v in params.values()])
    cov = np.asarray(covariance, dtype=np.float64)
    if cov.shape != (theta.size, theta.size):
        return np.empty((0, 0))
    return np.asarray(cov / np.outer(theta, theta))


def parameter_draws(
    *,
    params: Mapping[str, float],
    names: Sequence[str],
    covariance: np.ndarray | Sequence[Sequence[float]] | None,
    draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """(len(names), draws) natural parameters from the normal on their logarithms.

    An empty, mis-shaped or non-finite covariance means no parameter uncertainty (every column is
    the point estimate); small negative eigenvalues from a numerical Hessian are clipped to 0. A fit
    on a flat likelihood (a degenerate segment) can report log-variances in the hundreds: draws are
    kept within a factor of e^LOG_SPREAD_MAX of the estimate, so they stay finite and positive.
    """
    centre = np.log(np.array([float(params[k]) for k in names]))
    out = np.repeat(centre[:, None], draws, axis=1)
    cov = np.asarray(covariance if covariance is not None else [], dtype=np.float64)
    if cov.shape == (len(names), len(names)) and np.all(np.isfinite(cov)):
        vals, vecs = np.linalg.eigh(0.5 * (cov + cov.T))
        root = vecs * np.sqrt(np.clip(vals, 0.0, None))
        spread = root @ rng.standard_normal((len(names), draws))
        out = out + np.clip(spread, -LOG_SPREAD_MAX, LOG_SPREAD_MAX)
    return np.asarray(np.exp(np.clip(out, -LOG_PARAM_MAX, LOG_PARAM_MAX)))
