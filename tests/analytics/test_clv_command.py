"""``manage.py clv``: the analyst command on plain CSV files (no database, no tenant).

pytest-django blocks database access in tests without the ``django_db`` mark, so every
``call_command`` here also checks that the command opens no connection; the subprocess tests check
the exit codes and run ``manage.py`` with ``DATABASE_URL`` unset and pointing at a dead server.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from analytics.clv.sbg import sbg_survival

ROOT = Path(__file__).resolve().parents[2]
TRUE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # CDNOW (Fader, Hardie & Lee 2005)
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}  # Fader, Hardie & Lee 2005, "RFM and CLV"
START = np.datetime64("2024-01-01")
COHORT_DAYS = 84  # first purchases spread over 12 weeks
OBS_END_DAY = 357  # observation ends 51 weeks after START
REGULAR = "1000,631,468,382,326,289,262,241,223,207,194,183,173"  # Fader & Hardie 2007, "regular"
HIGH_END = "1000,869,743,653,593,551,517,491,468,445,427,409,394"  # the same paper, "high end"


def simulate_log(*, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/NBD purchase days (and Gamma-Gamma amounts) of ``n`` customers: (customer, day, amount)."""
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, COHORT_DAYS, n)
    horizon = (OBS_END_DAY - first_day) / 7.0
    lam = rng.gamma(TRUE["r"], 1.0 / TRUE["alpha"], n)
    drop = rng.beta(TRUE["a"], TRUE["b"], n)
    nu = rng.gamma(SPEND["q"], 1.0 / SPEND["gamma"], n)
    customers, times = [np.arange(n)], [np.zeros(n)]
    t = np.zeros(n)
    active = np.arange(n)
    while active.size:
        t[active] += rng.exponential(1.0 / lam[active])
        active = active[t[active] <= horizon[active]]
        customers.append(active.copy())
        times.append(t[active].copy())
        active = active[rng.random(active.size) >= drop[active]]  # drop out after a repeat purchase
    cust = np.concatenate(customers)
    day = first_day[cust] + np.floor(np.concatenate(times) * 7.0).astype(np.int64)
    amount = np.round(rng.gamma(SPEND["p"], 1.0 / nu[cust]), 2) + 0.01
    return cust, day, amount


def csv_write(
    path: Path, rows: list[list[str]], *, header: tuple[str, ...] = ("customer", "date", "amount")
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def simulated_rows(*, n: int, seed: int, date_format: str = "%Y-%m-%d") -> list[list[str]]:
    cust, day, amount = simulate_log(n=n, seed=seed)
    dates = (START + day.astype("timedelta64[D]")).astype(object)
    return [
        [f"cust-{c}", d.strftime(date_format), f"{a:.2f}"]
        for c, d, a in zip(cust.tolist(), dates.tolist(), amount.tolist(), strict=True)
    ]


@pytest.fixture(scope="module")
def simulated_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return csv_write(tmp_path_factory.mktemp("clv") / "log.csv", simulated_rows(n=4000, seed=20260601))


def clv(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("clv", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def clv_json(*args: str) -> dict[str, Any]:
    out, _ = clv(*args, "--json")
    result: dict[str, Any] = json.loads(out)
    return result


def fit_args(path: Path, *extra: str) -> list[str]:
    return ["fit", str(path), "--customer-col", "customer", "--date-col", "date", *extra]


def manage(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "clv", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- clv fit ---------------------------------------------------------------------------------


def test_fit_json_keys_and_types(simulated_csv: Path) -> None:
    result = clv_json(*fit_args(simulated_csv, "--amount-col", "amount"))
    assert set(result) == {
        "customers",
        "time_unit",
        "model",
        "params",
        "log_likelihood",
        "std_errors",
        "spend",
    }
    assert result["customers"] == 4000 and isinstance(result["customers"], int)
    assert result["time_unit"] == "weeks"
    assert result["model"] == "bgnbd"
    assert list(result["params"]) == ["r", "alpha", "a", "b"]
    assert list(result["std_errors"]) == ["r", "alpha", "a", "b"]
    assert all(isinstance(v, float) and v > 0 for v in result["params"].values())
    assert all(isinstance(v, float) and v > 0 for v in result["std_errors"].values())
    assert isinstance(result["log_likelihood"], float) and result["log_likelihood"] < 0
    spend = result["spend"]
    assert set(spend) == {"params", "customers_used"}
    assert list(spend["params"]) == ["p", "q", "gamma"]
    assert all(isinstance(v, float) and v > 0 for v in spend["params"].values())
    cust, day, _ = simulate_log(n=4000, seed=20260601)
    repeaters = sum(len(set(day[cust == c].tolist())) > 1 for c in range(4000))
    assert spend["customers_used"] == repeaters and isinstance(spend["customers_used"], int)


def test_fit_recovers_simulated_parameters_within_three_standard_errors(simulated_csv: Path) -> None:
    result = clv_json(*fit_args(simulated_csv, "--amount-col", "amount"))
    for name, true in TRUE.items():
        assert abs(result["params"][name] - true) < 3 * result["std_errors"][name], name
    # Gamma-Gamma: p and gamma are strongly correlated; check the implied population mean spend
    p, q, gamma = (result["spend"]["params"][k] for k in ("p", "q", "gamma"))
    assert p * gamma / (q - 1) == pytest.approx(SPEND["p"] * SPEND["gamma"] / (SPEND["q"] - 1), rel=0.1)


def test_fit_without_amount_column_has_null_spend(simulated_csv: Path) -> None:
    result = clv_json(*fit_args(simulated_csv))
    assert result["spend"] is None
    assert result["customers"] == 4000


@pytest.mark.parametrize(
    ("model", "names"),
    [("pareto-nbd", ["r", "alpha", "s", "beta"]), ("mbgnbd", ["r", "alpha", "a", "b"])],
)
def test_fit_other_models_name_their_parameters(simulated_csv: Path, model: str, names: list[str]) -> None:
    result = clv_json(*fit_args(simulated_csv, "--model", model))
    assert result["model"] == model
    assert list(result["params"]) == names == list(result["std_errors"])
    assert result["log_likelihood"] < 0


def test_bigger_holdout_fits_fewer_customers(simulated_csv: Path) -> None:
    """CDNOW-style calibration split: only customers whose first purchase is on or before the
    calibration end are fitted, so an earlier end (a bigger holdout) fits fewer customers."""
    cust, day, _ = simulate_log(n=4000, seed=20260601)
    first = np.full(4000, np.iinfo(np.int64).max)
    np.minimum.at(first, cust, day)
    counts = {}
    for end in ("2024-02-05", "2024-03-10"):
        end_day = int((np.datetime64(end) - START).astype(int))
        counts[end] = clv_json(*fit_args(simulated_csv, "--calibration-end", end))["customers"]
        assert counts[end] == int(np.count_nonzero(first <= end_day))
    assert counts["2024-02-05"] < counts["2024-03-10"] < 4000


def test_text_output_has_the_same_content(simulated_csv: Path) -> None:
    data = clv_json(*fit_args(simulated_csv, "--amount-col", "amount"))
    text, _ = clv(*fit_args(simulated_csv, "--amount-col", "amount"))
    assert "bgnbd" in text and "weeks" in text and f"Customers fitted: {data['customers']}" in text
    for name in ["r", "alpha", "a", "b", "p", "q", "gamma"]:
        assert f"  {name} " in text
    assert f"Gamma-Gamma on {data['spend']['customers_used']} repeat customers" in text


def test_date_format_bom_and_blank_lines_give_the_same_fit(tmp_path: Path, simulated_csv: Path) -> None:
    iso = clv_json(*fit_args(simulated_csv, "--amount-col", "amount"))
    rows = simulated_rows(n=4000, seed=20260601, date_format="%d/%m/%Y")
    lines = [
        "\ufeffcustomer,date,amount",
        "",
        *(",".join(r) for r in rows[:100]),
        "",
        "",
        *(",".join(r) for r in rows[100:]),
    ]
    path = tmp_path / "dmy.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    other = clv_json(*fit_args(path, "--amount-col", "amount", "--date-format", "%d/%m/%Y"))
    assert other == iso


# --- bad input -------------------------------------------------------------------------------

GOOD = [[f"c{i}", f"2024-01-{1 + i:02d}", "10.00"] for i in range(12)] + [["c0", "2024-02-01", "5"]]


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        (
            GOOD,
            ["--customer-col", "client"],
            r"customer column 'client' is not in the header; the columns are: 'customer', 'date', 'amount'",
        ),
        (
            GOOD,
            ["--amount-col", "value"],
            r"amount column 'value' is not in the header; the columns are: 'customer', 'date', 'amount'",
        ),
        ([*GOOD[:3], ["c9", "2024-02-30", "1"], *GOOD[3:]], [], r"line 5: cannot read date '2024-02-30'"),
        ([*GOOD[:3], ["c9", "01/02/2024", "1"], *GOOD[3:]], [], r"line 5: cannot read date '01/02/2024'"),
        (
            [*GOOD[:6], ["c9", "2024-01-03", "-4.5"]],
            ["--amount-col", "amount"],
            r"line 8: amount '-4.5' is negative",
        ),
        (
            [*GOOD[:2], ["c9", "2024-01-03", "12,50"]],
            ["--amount-col", "amount"],
            r"line 4: amount '12,50' is not a number",
        ),
        (
            [*GOOD[:2], ["c9", "2024-01-03", ""]],
            ["--amount-col", "amount"],
            r"line 4: amount '' is not a number",
        ),
        (
            [*GOOD[:2], ["c9", "2024-01-03", "nan"]],
            ["--amount-col", "amount"],
            r"line 4: amount 'nan' is not a number",
        ),
        (GOOD[:9], [], r"too few customers to fit: 9 customers, at least 10 needed"),
        ([], [], r"too few customers to fit: 0 customers, at least 10 needed"),
        (GOOD[:12], [], r"no customer has a repeat purchase"),
        ([*GOOD[:12], ["c0", "2024-01-01", "3"]], [], r"no customer has a repeat purchase"),  # same day
        (
            GOOD,
            ["--calibration-end", "2023-12-31"],
            r"--calibration-end 2023-12-31 is before the first transaction \(2024-01-01\)",
        ),
        (
            GOOD,
            ["--calibration-end", "2024-01-05"],
            r"too few customers to fit: 5 customers up to 2024-01-05, at least 10 needed",
        ),
        (GOOD, ["--calibration-end", "5 Jan"], r"--calibration-end '5 Jan' is not a date in YYYY-MM-DD form"),
        ([*GOOD[:3], ["", "2024-01-03", "1"]], [], r"line 5: the customer id is empty"),
        ([*GOOD[:3], ["c9"]], [], r"line 5: 1 fields, the columns used need 2"),
    ],
)
def test_bad_csv_input_is_refused_with_its_line(
    tmp_path: Path, rows: list[list[str]], extra: list[str], message: str
) -> None:
    path = csv_write(tmp_path / "bad.csv", rows)
    args = fit_args(path, *extra)
    if "--customer-col" in extra:  # the later option wins in argparse; keep one for clarity
        args = ["fit", str(path), *extra, "--date-col", "date"]
    with pytest.raises(CommandError, match=message):
        clv(*args)


def test_line_numbers_count_the_header_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\ufeffcustomer,date\n\nc1,2024-01-01\n\n,,\nc2,2024-01-0x\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"line 6: cannot read date '2024-01-0x'"):
        clv(*fit_args(path))


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"file not found: .*nowhere\.csv"):
        clv(*fit_args(tmp_path / "nowhere.csv"))


# --- clv sbg ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("survivors", "alpha", "beta"),
    [
        # Fader & Hardie (2007) fit years 0-7 (eight counts): regular 0.704 / 1.182, high end 0.668 / 3.806
        (",".join(REGULAR.split(",")[:8]), 0.704, 1.182),
        (",".join(HIGH_END.split(",")[:8]), 0.668, 3.806),
        # all thirteen regular counts: our own MLE (no published value), pinned against drift
        (REGULAR, 0.6974, 1.1689),
    ],
)
def test_sbg_matches_fader_hardie(survivors: str, alpha: float, beta: float) -> None:
    result = clv_json("sbg", "--survivors", survivors)
    assert set(result) == {"alpha", "beta", "log_likelihood", "projected_survivors", "derl"}
    assert result["alpha"] == pytest.approx(alpha, abs=5e-4)
    assert result["beta"] == pytest.approx(beta, abs=5e-4)


def test_sbg_projection_and_derl_follow_the_documented_convention() -> None:
    counts = [int(v) for v in REGULAR.split(",")[:8]]
    result = clv_json("sbg", "--survivors", ",".join(map(str, counts)), "--discount", "0.10")
    k = len(counts) - 1
    params = {"alpha": result["alpha"], "beta": result["beta"]}
    assert isinstance(result["log_likelihood"], float) and result["log_likelihood"] < 0
    expected = 1000 * sbg_survival(params, np.arange(k + 1, 2 * k + 1))
    assert result["projected_survivors"] == pytest.approx(expected.tolist(), rel=1e-12)
    assert len(result["derl"]) == k + 1
    # DERL(d | n) = sum_{t > n} S(t)/S(n) / (1 + d)^(t - n - 1): per-period rate, next renewal undiscounted
    t = np.arange(1, 2_000, dtype=np.float64)
    for n, value in enumerate(result["derl"]):
        ratio = sbg_survival(params, n + t) / sbg_survival(params, n)
        assert value == pytest.approx(float(np.sum(ratio * np.exp(-(t - 1) * np.log(1.1)))), rel=1e-9)
    assert result["derl"] == sorted(result["derl"])  # survivors so far are the more loyal ones


def test_sbg_periods_option_and_zero_discount() -> None:
    # survivors 1000 S(t) of an sBG with alpha = 3, beta = 8, rounded
    result = clv_json(
        "sbg", "--survivors", "1000,727,545,420,330,264,214,176", "--periods", "5", "--discount", "0"
    )
    assert len(result["projected_survivors"]) == 5
    alpha, beta = result["alpha"], result["beta"]
    assert alpha > 1  # finite undiscounted residual lifetime: (beta + n) / (alpha - 1)
    assert alpha == pytest.approx(3.0, rel=0.05) and beta == pytest.approx(8.0, rel=0.05)
    assert result["derl"] == pytest.approx([(beta + n) / (alpha - 1) for n in range(8)])
    # and it is the limit of the discounted value as the rate goes to zero
    tiny = clv_json("sbg", "--survivors", "1000,727,545,420,330,264,214,176", "--discount", "1e-9")
    assert tiny["derl"] == pytest.approx(result["derl"], rel=1e-6)
    regular = clv_json("sbg", "--survivors", REGULAR, "--discount", "0")
    assert regular["derl"] == [None] * 13  # alpha < 1: infinite without discounting


def test_sbg_text_output() -> None:
    text, _ = clv("sbg", "--survivors", REGULAR)
    assert "alpha  0.697" in text and "period 13:" in text and "period 24:" in text and "n=12:" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--survivors", "1000,631,700"], r"non-increasing: N2=700 is above N1=631"),
        (["--survivors", "1000,631.5,400"], r"value 2 \('631.5'\) is not an integer"),
        (["--survivors", "1000,abc"], r"value 2 \('abc'\) is not an integer"),
        (["--survivors", "1000"], r"at least 2 values N0,N1,... \(got 1\)"),
        (["--survivors", "1000,1000,1000"], r"no churn"),
        (["--survivors", "0,0"], r"N0 positive"),
        (["--survivors", "1000,600", "--discount", "1"], r"--discount must be in \[0, 1\)"),
        (["--survivors", "1000,600", "--discount", "-0.1"], r"--discount must be in \[0, 1\)"),
        (["--survivors", "1000,600", "--discount", "ten"], r"--discount 'ten' is not a number"),
    ],
)
def test_bad_sbg_input_is_refused(extra: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        clv("sbg", *extra)


# --- the real process: exit codes, stderr, no database ----------------------------------------


@pytest.mark.parametrize("database_url", [None, "postgres://nobody@127.0.0.1:1/none"])
def test_manage_py_fit_needs_no_database(simulated_csv: Path, database_url: str | None) -> None:
    done = manage(*fit_args(simulated_csv, "--amount-col", "amount"), "--json", database_url=database_url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["customers"] == 4000
    sbg = manage("sbg", "--survivors", REGULAR, "--json", database_url=database_url)
    assert sbg.returncode == 0, sbg.stderr
    assert len(json.loads(sbg.stdout)["projected_survivors"]) == 12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["fit", "/nonexistent/x.csv", "--customer-col", "c", "--date-col", "d"],
            "file not found: /nonexistent/x.csv",
        ),
        (["sbg", "--survivors", "10,20"], "non-increasing: N1=20 is above N0=10"),
        (["sbg", "--survivors", "10,5", "--discount", "1.5"], "--discount must be in [0, 1)"),
    ],
)
def test_manage_py_bad_input_exits_non_zero_without_traceback(args: list[str], message: str) -> None:
    done = manage(*args, database_url="postgres://nobody@127.0.0.1:1/none")
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_manage_py_bad_date_reports_line(tmp_path: Path) -> None:
    path = csv_write(tmp_path / "d.csv", [*GOOD[:4], ["c9", "2024-1-x", "1"]])
    done = manage(*fit_args(path))
    assert done.returncode == 1
    assert "line 6: cannot read date '2024-1-x'" in done.stderr and "Traceback" not in done.stderr
