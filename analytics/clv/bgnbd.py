"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

Time unit: weeks.  While active a customer buys at Poisson rate lambda ~ Gamma(r, alpha); after
each *repeat* purchase she drops out with probability p ~ Beta(a, b).  For a customer with x repeat
purchases, the last at t_x, observed over (0, T], the likelihood (FHL 2005, eq. 6) is

    L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
        + 1{x>0} B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x)),

evaluated here entirely in logs (gammaln / betaln, log-sum-exp of the two terms) with an analytic
gradient, on rows grouped by identical (x, t_x, T).

Closed forms (all with the Euler transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a,c-b;c;z)
applied so that large x never overflows):

* E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]   (eq. 9)
* E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1)
      [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
      / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))                      (eq. 10)
* P(alive | x, t_x, T) = 1 / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
  (The expectations require a > 1.)
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import integrate
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, polygamma, roots_jacobi

from analytics.clv.mle import MleResult, fit_mle

__all__ = [
    "BgNbdFit",
    "bgnbd_conditional_expected_purchases",
    "bgnbd_expected_purchases",
    "bgnbd_fit",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
]

NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class BgNbdFit:
    """Fitted BG/NBD: ``params`` r, alpha, a, b (weeks), maximised ``log_likelihood``,
    ``std_errors`` per parameter, and the optimiser's ``converged`` flag."""

    params: dict[str, float]
    log_likelihood: float
    std_errors: dict[str, float]
    converged: bool
    n_customers: int
    covariance: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    """Inverse observed information on the natural parameters, in the order of ``params``."""


@dataclass(frozen=True)
class GroupedRfm:
    """Distinct (x, t_x, T) rows and how many customers share each."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    weights: np.ndarray


def group_rfm(*, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray) -> GroupedRfm:
    """Group identical (x, t_x, T) rows (validated) so each likelihood term is computed once."""
    x = np.asarray(frequency, dtype=np.float64).ravel()
    t_x = np.asarray(recency, dtype=np.float64).ravel()
    t = np.asarray(T, dtype=np.float64).ravel()
    if not (x.shape == t_x.shape == t.shape) or x.size == 0:
        raise ValueError("frequency, recency and T must be non-empty arrays of the same length")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > t + 1e-9):
        raise ValueError("need frequency >= 0 and 0 <= recency <= T")
    # Customers without repeat purchases (x = t_x = 0, usually the majority) differ only in T
    # and sort first: count them by T alone and lexsort only the others.
    zero = (x == 0) & (t_x == 0)
    zero_t, zero_counts = np.unique(t[zero], return_counts=True)
    rest = ~zero
    x, t_x, t = x[rest], t_x[rest], t[rest]
    order = np.lexsort((t, t_x, x))
    xs, txs, ts = x[order], t_x[order], t[order]
    new = np.ones(xs.size, dtype=bool)
    new[1:] = (xs[1:] != xs[:-1]) | (txs[1:] != txs[:-1]) | (ts[1:] != ts[:-1])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, xs.size)).astype(np.float64)
    return GroupedRfm(
        x=np.concatenate([np.zeros(zero_t.size), xs[starts]]),
        t_x=np.concatenate([np.zeros(zero_t.size), txs[starts]]),
        T=np.concatenate([zero_t, ts[starts]]),
        weights=np.concatenate([zero_counts.astype(np.float64), counts]),
    )


def bg_family_nll_and_grad(
    log_params: np.ndarray,
    data: GroupedRfm,
    *,
    offsets_1: tuple[float, float],
    offsets_2: tuple[float, float],
    second_term_needs_repeat: bool,
) -> tuple[float, np.ndarray]:
    """Negative log-likelihood and its gradient (w.r.t. log r, log alpha, log a, log b) for the
    BG/NBD family, whose likelihood is

        Gamma(r+x) alpha^r / Gamma(r) * [ B(a+i1, b+x+j1)/B(a,b) (alpha+T)^-(r+x)
                                        + B(a+i2, b+x+j2)/B(a,b) (alpha+t_x)^-(r+x) ]

    with (i1, j1) = ``offsets_1`` and (i2, j2) = ``offsets_2``.  BG/NBD: (0, 0), (1, -1) and the
    second term only for x > 0; MBG/NBD: (0, 1), (1, 0) for every customer.
    """
    r, alpha, a, b = np.exp(log_params)
    x, t_x, T, w = data.x, data.t_x, data.T, data.weights
    i1, j1 = offsets_1
    i2, j2 = offsets_2
    has2 = x > 0 if second_term_needs_repeat else np.ones(x.shape, dtype=bool)
    x2 = np.where(has2, x, 1.0)  # safe values where the second term is absent

    log_a_T = np.log(alpha + T)
    log_a_tx = np.log(alpha + t_x)
    base = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    blab = betaln(a, b)
    term1 = betaln(a + i1, b + x + j1) - blab - (r + x) * log_a_T
    term2 = np.where(has2, betaln(a + i2, b + x2 + j2) - blab - (r + x) * log_a_tx, -np.inf)
    lse = np.logaddexp(term1, term2)
    ll = base + lse
    nll = -float(np.dot(w, ll))

    p1 = np.exp(term1 - lse)
    p2 = np.where(has2, np.exp(term2 - lse), 0.0)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - p1 * log_a_T - p2 * log_a_tx
    d_alpha = r / alpha - p1 * (r + x) / (alpha + T) - p2 * (r + x) / (alpha + t_x)
    d_blab_a = digamma(a) - digamma(a + b)
    d_blab_b = digamma(b) - digamma(a + b)
    d_a = (
        p1 * (digamma(a + i1) - digamma(a + b + x + i1 + j1))
        + p2 * (digamma(a + i2) - digamma(a + b + x2 + i2 + j2))
        - d_blab_a
    )
    d_b = (
        p1 * (digamma(b + x + j1) - digamma(a + b + x + i1 + j1))
        + p2 * (digamma(b + x2 + j2) - digamma(a + b + x2 + i2 + j2))
        - d_blab_b
    )
    grad_nat = np.array([w @ d_r, w @ d_alpha, w @ d_a, w @ d_b])
    grad = -grad_nat * np.array([r, alpha, a, b])
    if not np.isfinite(nll):
        return 1e300, np.zeros(4)
    return nll, grad


def default_initial(data: GroupedRfm) -> np.ndarray:
    """Starting log-parameters: r = 1, alpha matching the mean purchase rate, a = 1, b = 3."""
    mean_T = float(np.average(data.T, weights=data.weights))
    mean_x = float(np.average(data.x, weights=data.weights))
    alpha0 = max(mean_T, 1e-3) / max(mean_x, 0.1)
    return np.log(np.array([1.0, alpha0, 1.0, 3.0]))


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Sum of products without BLAS: a threaded ``ddot`` on a busy machine costs more than the sum."""
    return float(np.add.reduce(u * v))


class BgFamilyObjective:
    """:func:`bg_family_nll_and_grad` prepared for many evaluations on the same data.

    The same formulas, but every term that depends on x alone (the gammaln/betaln/digamma
    factors) is computed once per distinct x, the logarithms once per distinct t_x and T, and the
    per-x sums are collected with ``bincount``: per evaluation only a few elementwise passes over
    the groups remain (betaln over every group dominated before).  The per-group terms of the
    last point are kept, so the Hessian at a point just evaluated costs little more.
    """

    def __init__(
        self,
        data: GroupedRfm,
        *,
        offsets_1: tuple[float, float],
        offsets_2: tuple[float, float],
        second_term_needs_repeat: bool,
    ) -> None:
        self.offsets_1 = offsets_1
        self.offsets_2 = offsets_2
        self.ux, self.ix = np.unique(data.x, return_inverse=True)
        self.ut, self.it = np.unique(data.T, return_inverse=True)
        self.utx, self.itx = np.unique(data.t_x, return_inverse=True)
        self.x = data.x
        self.w = data.weights
        self.n = float(data.weights.sum())
        self.wx = np.bincount(self.ix, weights=self.w, minlength=self.ux.size)
        self.has2_u = self.ux > 0 if second_term_needs_repeat else np.ones(self.ux.size, dtype=bool)
        self.ux2 = np.where(self.has2_u, self.ux, 1.0)  # safe values where the second term is absent
        self._key = b""
        self._state: dict[str, np.ndarray] = {}

    def _terms(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """Per-group log-terms at ``theta`` and their likelihood shares (cached for one point)."""
        key = theta.tobytes()
        if key == self._key:
            return self._state
        r, alpha, a, b = (float(v) for v in theta)
        (i1, j1), (i2, j2) = self.offsets_1, self.offsets_2
        blab = betaln(a, b)
        beta1_u = betaln(a + i1, b + self.ux + j1) - blab
        beta2_u = np.where(self.has2_u, betaln(a + i2, b + self.ux2 + j2) - blab, -np.inf)
        log_a_T_u = np.log(alpha + self.ut)
        log_a_tx_u = np.log(alpha + self.utx)
        log_a_T = log_a_T_u[self.it]
        log_a_tx = log_a_tx_u[self.itx]
        rx = r + self.x
        term1 = beta1_u[self.ix] - rx * log_a_T
        with np.errstate(invalid="ignore"):
            term2 = beta2_u[self.ix] - rx * log_a_tx
        lse = np.logaddexp(term1, term2)
        p1 = np.exp(term1 - lse)
        p2 = np.exp(term2 - lse)
        state = {
            "lse": lse,
            "log_a_T": log_a_T,
            "log_a_tx": log_a_tx,
            "inv_T": np.exp(-log_a_T_u)[self.it],
            "inv_tx": np.exp(-log_a_tx_u)[self.itx],
            "rx": rx,
            "p2": p2,
            "wp1": self.w * p1,
            "wp2": self.w * p2,
        }
        self._key, self._state = key, state
        return state

    def __call__(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        """``(negative log-likelihood, gradient w.r.t. the log-parameters)``."""
        theta = np.exp(np.asarray(log_params, dtype=np.float64))
        r, alpha, a, b = (float(v) for v in theta)
        (i1, j1), (i2, j2) = self.offsets_1, self.offsets_2
        ux, ux2, n, k = self.ux, self.ux2, self.n, self.ux.size
        log_alpha = np.log(alpha)
        st = self._terms(theta)
        base_total = float(np.dot(self.wx, gammaln(r + ux))) - n * (gammaln(r) - r * log_alpha)
        nll = -(base_total + _dot(self.w, st["lse"]))
        if not np.isfinite(nll):
            return 1e300, np.zeros(4)
        wp1, wp2 = st["wp1"], st["wp2"]
        d_r = (
            float(np.dot(self.wx, digamma(r + ux)))
            - n * (digamma(r) - log_alpha)
            - _dot(wp1, st["log_a_T"])
            - _dot(wp2, st["log_a_tx"])
        )
        d_alpha = n * r / alpha - _dot(st["rx"], wp1 * st["inv_T"] + wp2 * st["inv_tx"])
        s1 = np.bincount(self.ix, weights=wp1, minlength=k)
        s2 = np.bincount(self.ix, weights=wp2, minlength=k)
        dg_ab1 = digamma(a + b + ux + i1 + j1)
        dg_ab2 = digamma(a + b + ux2 + i2 + j2)
        dg_ab = digamma(a + b)
        d_a = float(np.dot(s1, digamma(a + i1) - dg_ab1) + np.dot(s2, digamma(a + i2) - dg_ab2)) - n * (
            digamma(a) - dg_ab
        )
        d_b = float(
            np.dot(s1, digamma(b + ux + j1) - dg_ab1) + np.dot(s2, digamma(b + ux2 + j2) - dg_ab2)
        ) - n * (digamma(b) - dg_ab)
        return nll, -np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])

    def natural_hessian(self, theta: np.ndarray) -> np.ndarray:
        """Analytic Hessian of the nll on the natural parameters (r, alpha, a, b).

        Per group, with the two log-terms t1, t2 and their shares p1, p2 of the likelihood,
        d2 logaddexp(t1, t2) = p1 d2 t1 + p2 d2 t2 + p1 p2 (d t1 - d t2)(d t1 - d t2)'.
        """
        theta = np.asarray(theta, dtype=np.float64)
        r, alpha, a, b = (float(v) for v in theta)
        (i1, j1), (i2, j2) = self.offsets_1, self.offsets_2
        ux, ux2, ix, n, k = self.ux, self.ux2, self.ix, self.n, self.ux.size
        st = self._terms(theta)
        wp1, wp2, rx, inv_T, inv_tx = st["wp1"], st["wp2"], st["rx"], st["inv_T"], st["inv_tx"]
        q = wp1 * st["p2"]
        s1 = np.bincount(ix, weights=wp1, minlength=k)
        s2 = np.bincount(ix, weights=wp2, minlength=k)
        sq = np.bincount(ix, weights=q, minlength=k)

        # First derivatives of t1 - t2 (r, alpha per group; a, b per distinct x).
        del_r = st["log_a_tx"] - st["log_a_T"]
        del_alpha = rx * (inv_tx - inv_T)
        ab1, ab2 = a + b + ux + i1 + j1, a + b + ux2 + i2 + j2
        del_a = digamma(a + i1) - digamma(ab1) - digamma(a + i2) + digamma(ab2)
        del_b = digamma(b + ux + j1) - digamma(ab1) - digamma(b + ux2 + j2) + digamma(ab2)
        # Second derivatives of t1, t2 in (a, b), per distinct x.
        tg_ab, tg_a, tg_b = (float(polygamma(1, v)) for v in (a + b, a, b))
        tg1, tg2 = polygamma(1, ab1), polygamma(1, ab2)
        t1_aa = polygamma(1, a + i1) - tg1 - tg_a + tg_ab
        t2_aa = polygamma(1, a + i2) - tg2 - tg_a + tg_ab
        t1_ab, t2_ab = tg_ab - tg1, tg_ab - tg2
        t1_bb = polygamma(1, b + ux + j1) - tg1 - tg_b + tg_ab
        t2_bb = polygamma(1, b + ux2 + j2) - tg2 - tg_b + tg_ab

        qr, qal = q * del_r, q * del_alpha
        qr_u = np.bincount(ix, weights=qr, minlength=k)
        qal_u = np.bincount(ix, weights=qal, minlength=k)
        h = np.empty((4, 4))
        h[0, 0] = float(np.dot(self.wx, polygamma(1, r + ux))) - n * float(polygamma(1, r)) + _dot(qr, del_r)
        h[0, 1] = n / alpha - _dot(wp1, inv_T) - _dot(wp2, inv_tx) + _dot(qr, del_alpha)
        h[1, 1] = (
            -n * r / alpha**2 + _dot(rx, wp1 * inv_T * inv_T + wp2 * inv_tx * inv_tx) + _dot(qal, del_alpha)
        )
        h[0, 2] = float(np.dot(qr_u, del_a))
        h[0, 3] = float(np.dot(qr_u, del_b))
        h[1, 2] = float(np.dot(qal_u, del_a))
        h[1, 3] = float(np.dot(qal_u, del_b))
        h[2, 2] = float(np.dot(s1, t1_aa) + np.dot(s2, t2_aa) + np.dot(sq, del_a * del_a))
        h[2, 3] = float(np.dot(s1, t1_ab) + np.dot(s2, t2_ab) + np.dot(sq, del_a * del_b))
        h[3, 3] = float(np.dot(s1, t1_bb) + np.dot(s2, t2_bb) + np.dot(sq, del_b * del_b))
        for i, j in ((1, 0), (2, 0), (3, 0), (2, 1), (3, 1), (3, 2)):
            h[i, j] = h[j, i]
        return -h


def fit_bg_family(
    data: GroupedRfm,
    initial: np.ndarray | None,
    *,
    offsets_1: tuple[float, float],
    offsets_2: tuple[float, float],
    second_term_needs_repeat: bool,
) -> MleResult:
    """Fit a BG/NBD-family model by maximum likelihood (see :func:`bg_family_nll_and_grad`)."""
    objective = BgFamilyObjective(
        data,
        offsets_1=offsets_1,
        offsets_2=offsets_2,
        second_term_needs_repeat=second_term_needs_repeat,
    )
    x0 = default_initial(data) if initial is None else np.log(np.asarray(initial, float))
    return fit_mle(
        negative_log_likelihood=lambda z: objective(z)[0],
        value_and_gradient=objective,
        natural_hessian=objective.natural_hessian,
        initial_log_params=x0,
        names=NAMES,
    )


def bgnbd_log_likelihood(
    params: dict[str, float], *, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> float:
    """Total BG/NBD log-likelihood (FHL 2005 eq. 6) of the given customers."""
    data = group_rfm(frequency=frequency, recency=recency, T=T)
    z = np.log([params["r"], params["alpha"], params["a"], params["b"]])
    nll, _ = bg_family_nll_and_grad(
        z, data, offsets_1=(0, 0), offsets_2=(1, -1), second_term_needs_repeat=True
    )
    return -nll


def bgnbd_fit(
    *,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    initial: np.ndarray | None = None,
) -> BgNbdFit:
    """Fit the BG/NBD by maximum likelihood.  ``initial``: optional (r, alpha, a, b) start."""
    data = group_rfm(frequency=frequency, recency=recency, T=T)
    res = fit_bg_family(data, initial, offsets_1=(0, 0), offsets_2=(1, -1), second_term_needs_repeat=True)
    return BgNbdFit(
        params=res.params,
        log_likelihood=res.log_likelihood,
        std_errors=res.std_errors,
        converged=res.converged,
        n_customers=int(data.weights.sum()),
        covariance=res.covariance,
    )


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


# With little heterogeneity in the drop-out probability a fit drives a and b to the hundreds or
# millions. Then the 2F1 forms cancel catastrophically (1 - (1-z)^(a-1) 2F1 with 2F1 ~ 1e99, from
# a + b of a few hundred) and scipy's 2F1 turns NaN. Above QUADRATURE_ABOVE the expectations are
# taken over p ~ Beta directly (given p, the Gamma mixing over lambda has a closed form): by
# Gauss-Jacobi, exact for the Beta weight, up to JACOBI_UP_TO (beyond it scipy's Jacobi weights
# overflow), then by Gauss-Legendre on +-10 standard deviations of the (by then narrow) Beta.
QUADRATURE_ABOVE = 100.0
JACOBI_UP_TO = 1000.0
BETA_NODES = 64


@functools.cache
def _legendre_nodes() -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(BETA_NODES)


def _beta_nodes(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and normalised weights for expectations over p ~ Beta(a, b)."""
    if a + b <= JACOBI_UP_TO:
        u, w = roots_jacobi(BETA_NODES, b - 1.0, a - 1.0)
        return (1.0 + u) / 2.0, w / w.sum()
    mean = a / (a + b)
    sd = np.sqrt(mean * (1.0 - mean) / (a + b + 1.0))
    lo, hi = max(mean - 10.0 * sd, 1e-300), min(mean + 10.0 * sd, 1.0 - 1e-16)
    u, w = _legendre_nodes()
    p = lo + (hi - lo) * (u + 1.0) / 2.0
    log_density = (a - 1.0) * np.log(p) + (b - 1.0) * np.log1p(-p)
    weights = w * np.exp(log_density - log_density.max())
    return p, weights / weights.sum()


def _over_beta(a: float, b: np.ndarray, value: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """E[value(p)] for p ~ Beta(a, b_i), row by row; `value(p, rows)` gets p of shape (1, nodes)
    and the boolean mask of the rows sharing that b, and returns (those rows, nodes)."""
    b = np.atleast_1d(np.asarray(b, dtype=np.float64))
    out = np.empty(b.shape)
    for b_k in np.unique(b):
        p, w = _beta_nodes(a, float(b_k))
        rows = b == b_k
        out[rows] = value(p[None, :], rows) @ w
    return out


def _mixed(params: dict[str, float]) -> bool:
    return params["a"] + params["b"] > QUADRATURE_ABOVE


def bgnbd_expected_purchases(params: dict[str, float], t: np.ndarray | float) -> np.ndarray:
    """E[X(t)], expected repeat purchases of a new customer in (0, t] (FHL 2005 eq. 9)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    t = np.asarray(t, dtype=np.float64)
    if _mixed(params):  # E[(1 - (alpha / (alpha + p t))^r) / p] over p ~ Beta(a, b)
        flat = t.reshape(-1)
        values = _over_beta(
            a,
            np.full(flat.size, b),
            lambda p, rows: -np.expm1(-r * np.log1p(p * flat[rows, None] / alpha)) / p,
        )
        return np.asarray(values.reshape(t.shape), dtype=np.float64)
    z = t / (alpha + t)
    # (alpha/(alpha+t))^r 2F1(r, b; a+b-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b-1; z)
    scaled = np.exp((a - 1.0) * np.log1p(-z)) * safe_hyp2f1(a + b - 1.0 - r, a - 1.0, a + b - 1.0, z)
    return np.asarray((a + b - 1.0) / (a - 1.0) * (1.0 - scaled), dtype=np.float64)


def _log_odds_dead_bg(params: dict[str, float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log[a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)] (or -inf when x = 0)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    xs = np.where(x > 0, x, 1.0)
    val = np.log(a) - np.log(b + xs - 1.0) + (r + xs) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(x > 0, val, -np.inf)


def bgnbd_p_alive(
    params: dict[str, float], frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    return np.asarray(expit(-_log_odds_dead_bg(params, x, t_x, tt)), dtype=np.float64)


def bgnbd_conditional_expected_purchases(
    params: dict[str, float],
    t: np.ndarray | float,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T+t] (FHL 2005 eq. 10)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    tt = np.asarray(T, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if _mixed(params):  # alive: lambda ~ Gamma(r + x, alpha + T) and p ~ Beta(a, b + x)
        x_b, t_b, T_b, tx_b = np.broadcast_arrays(x, t, tt, t_x)
        x_f, t_f, T_f = x_b.reshape(-1), t_b.reshape(-1), T_b.reshape(-1)

        def given_p(p: np.ndarray, rows: np.ndarray) -> np.ndarray:
            growth = np.log1p(p * t_f[rows, None] / (alpha + T_f[rows, None]))
            return np.asarray(-np.expm1(-(r + x_f[rows, None]) * growth) / p)

        mean = _over_beta(a, b + x_f, given_p)
        alive = expit(-_log_odds_dead_bg(params, x_b, tx_b, T_b)).reshape(-1)
        return np.asarray((alive * mean).reshape(x_b.shape), dtype=np.float64)
    z = t / (alpha + tt + t)
    # ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)
    #   = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)       (Euler)
    scaled = np.exp((a - 1.0) * np.log1p(-z)) * safe_hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
    first = (a + b + x - 1.0) / (a - 1.0) * (1.0 - scaled)
    return np.asarray(first * expit(-_log_odds_dead_bg(params, x, t_x, tt)), dtype=np.float64)
