"""BG/NBD with little heterogeneity in the drop-out probability (a + b in the hundreds to millions):
expectations over p ~ Beta by quadrature (and the fixed-p limit beyond) stand in for the 2F1 forms,
which cancel catastrophically there."""

from __future__ import annotations

import numpy as np
import pytest

import analytics.clv.bgnbd as bgnbd
import analytics.clv.hyp2f1 as hyp2f1

X = np.array([0.0, 3.0, 10.0, 40.0, 300.0])
T_X = np.array([0.0, 20.0, 80.0, 150.0, 155.0])
T = np.array([30.0, 100.0, 150.0, 156.0, 156.0])


def params(total: float, p: float = 0.045) -> dict[str, float]:
    return {"r": 0.5, "alpha": 0.8, "a": p * total, "b": (1 - p) * total}


@pytest.mark.parametrize("total", [5.0, 40.0, 90.0])
def test_quadrature_over_p_matches_the_2f1_forms_where_those_are_sound(
    total: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = np.array([1.0, 10.0, 52.0, 200.0])
    exact_x = bgnbd.bgnbd_expected_purchases(params(total, p=0.3), grid)
    exact_y = bgnbd.bgnbd_conditional_expected_purchases(params(total, p=0.3), 52.0, X, T_X, T)
    monkeypatch.setattr(bgnbd, "QUADRATURE_ABOVE", 0.0)
    np.testing.assert_allclose(bgnbd.bgnbd_expected_purchases(params(total, p=0.3), grid), exact_x, rtol=1e-6)
    np.testing.assert_allclose(
        bgnbd.bgnbd_conditional_expected_purchases(params(total, p=0.3), 52.0, X, T_X, T), exact_y, rtol=1e-6
    )


def test_the_two_quadratures_agree_where_they_meet() -> None:
    below = bgnbd.bgnbd_expected_purchases(params(0.999e3), np.array([52.0, 200.0]))
    above = bgnbd.bgnbd_expected_purchases(params(1.001e3), np.array([52.0, 200.0]))
    np.testing.assert_allclose(below, above, rtol=1e-4)


def test_a_point_mass_drop_out_gives_the_beta_quadrature_closed_form() -> None:
    # p fixed: E[X(t)] = (1 - (alpha / (alpha + p t))^r) / p.
    t = np.array([52.0, 200.0])
    fixed = (1 - (0.8 / (0.8 + 0.045 * t)) ** 0.5) / 0.045
    np.testing.assert_allclose(bgnbd.bgnbd_expected_purchases(params(1e9), t), fixed, rtol=1e-6)


@pytest.mark.parametrize("total", [3e3, 1e5, 1e7])
def test_huge_a_and_b_give_finite_values_without_falling_back_to_quadrature(
    total: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_quadrature(*args: object) -> float:
        raise AssertionError("quadrature fallback used")

    monkeypatch.setattr(hyp2f1, "_hyp2f1_by_quadrature", no_quadrature)
    grid = np.linspace(0.0, 500.0, 50)
    expected = bgnbd.bgnbd_expected_purchases(params(total), grid)
    assert np.all(np.isfinite(expected)) and np.all(np.diff(expected) > 0)
    # At most 1/p purchases ever: the customer drops out after a geometric number of them.
    assert expected[-1] < 1 / 0.045
    conditional = bgnbd.bgnbd_conditional_expected_purchases(params(total), 52.0, X, T_X, T)
    assert np.all(np.isfinite(conditional)) and np.all(conditional >= 0)
