"""The likelihood shared by the BG/NBD and the MBG/NBD, on customers grouped by (x, t_x, T).

Both models mix a Poisson purchase rate lambda ~ Gamma(r, alpha) with a Beta(a, b) drop-out
probability; they differ only in the Beta-function offsets of the two likelihood terms (the
MBG/NBD also lets a customer drop out at time zero). Evaluated in logs (gammaln / betaln and a
log-sum-exp of the two terms) with the analytic gradient and Hessian that the Newton fit uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, gammaln, polygamma

from analytics.clv.mle import MleResult, fit_mle

NAMES = ("r", "alpha", "a", "b")


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
