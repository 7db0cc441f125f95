"""The Gauss hypergeometric function 2F1 where the BG/NBD family's closed forms need it, with a
check against Euler's transformation and a quadrature fallback where scipy's series loses digits."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import integrate
from scipy.special import gammaln, hyp2f1


def _hyp2f1_by_quadrature(a: float, b: float, c: float, z: float) -> float:
    """2F1(a, b; c; z), 0 <= z < 1, by Euler's integral
    Gamma(c)/(Gamma(q) Gamma(c-q)) int_0^1 t^(q-1) (1-t)^(c-q-1) (1-zt)^(-e) dt, (e, q) = (a, b)
    or (b, a), or applied to Euler's transform (1-z)^(c-a-b) 2F1(c-a, c-b; c; z); of the valid
    forms (c > q > 0) the one with the mildest (1-zt)^(-e) factor (smallest |e|) is integrated,
    with the endpoint singularities handled by QUADPACK's algebraic weight."""
    if z >= 1:
        return float("nan")
    euler_log = (c - a - b) * np.log1p(-z)
    forms = [(a, b, 0.0), (b, a, 0.0), (c - a, c - b, euler_log), (c - b, c - a, euler_log)]
    valid = [f for f in forms if c > f[1] > 0]
    if not valid:
        return float("nan")
    e, q, log_pref = min(valid, key=lambda f: abs(f[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        value, _ = integrate.quad(
            lambda t: (1.0 - z * t) ** (-e),
            0.0,
            1.0,
            weight="alg",
            wvar=(q - 1.0, c - q - 1.0),
            epsabs=0.0,
            epsrel=1e-11,
            limit=200,
        )
    if not value > 0:
        return float("nan")
    return float(np.exp(np.log(value) + log_pref + gammaln(c) - gammaln(q) - gammaln(c - q)))


def safe_hyp2f1(
    a: np.ndarray | float,
    b: np.ndarray | float,
    c: np.ndarray | float,
    z: np.ndarray | float,
    *,
    check_euler: bool = True,
) -> np.ndarray:
    """2F1(a, b; c; z) for 0 <= z < 1, checked.

    scipy's ``hyp2f1`` is occasionally wrong near z = 1 (inf at 2F1(1, 1; 101; 0.96), a negative
    value for 2F1(3.95, 0.05; 4.05; 0.998)).  Every 2F1 in this package is positive, so a
    non-positive or non-finite value is always recomputed.  Each value is compared with Euler's transform
    (1-z)^(c-a-b) 2F1(c-a, c-b; c; z); where the direct value is not finite, or both are finite
    and disagree by more than 1e-7 (relative), it is recomputed by quadrature of Euler's integral
    (only positive integrals are supported there; this is the case for every use in the package).
    ``check_euler=False`` skips the comparison (only non-finite values are recomputed): use it
    inside likelihoods, where a switch between two evaluation methods would make the objective
    non-smooth for the optimiser.
    """
    aa, bb, cc, zz = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c, z)))
    with np.errstate(all="ignore"):
        direct = np.array(hyp2f1(aa, bb, cc, zz), dtype=np.float64)
        euler = np.exp((cc - aa - bb) * np.log1p(-zz)) * hyp2f1(cc - aa, cc - bb, cc, zz)
        both = np.isfinite(direct) & np.isfinite(euler)
        bad = ~(np.isfinite(direct) & (direct > 0))
        if check_euler:
            bad |= both & (np.abs(direct - euler) > 1e-7 * np.maximum(np.abs(direct), 1e-300))
    out = np.where(np.isfinite(direct), direct, euler)
    if np.any(bad):
        flat_out = out.reshape(-1)
        for k in np.flatnonzero(bad.reshape(-1)):
            idx = np.unravel_index(k, out.shape)
            flat_out[k] = _hyp2f1_by_quadrature(
                float(aa[idx]), float(bb[idx]), float(cc[idx]), float(zz[idx])
            )
        out = flat_out.reshape(out.shape)
    return np.asarray(out, dtype=np.float64)
