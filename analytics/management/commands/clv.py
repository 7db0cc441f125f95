"""``manage.py clv``: fit customer-lifetime-value models on a CSV, for analysts.

Thin: argument parsing and output only; the work is in :mod:`analytics.clv_cli`.  It touches no
model and opens no database connection (no system or migration checks), so it runs on a laptop
with nothing but the CSV.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.clv_cli import (
    DEFAULT_DATE_FORMAT,
    MODELS,
    ClvInputError,
    ClvReport,
    clv_fit_report,
    clv_sbg_report,
)

FIT_HELP = (
    "Fit a repeat-purchase model (time unit: weeks; purchases on the same customer-day count once) "
    "and, with --amount-col, the Gamma-Gamma spend model on the repeat customers."
)
SBG_HELP = (
    "Fit the shifted-Beta-Geometric retention model to cohort survivor counts N0,N1,...,Nk (one per "
    "period). projected_survivors: expected survivors N0 S(t) for periods k+1 .. k+H (H = --periods, "
    "default k). derl[n], n = 0..k: discounted expected residual lifetime, in periods, of a customer "
    "who has made n renewals and is about to decide on the next; the payment at that renewal counts "
    "undiscounted and each later one is discounted by (1 + d) per period. The discount d is a rate "
    "per period (for an annual rate D and m periods a year, d = (1 + D)^(1/m) - 1). With d = 0 the "
    "value is (beta + n) / (alpha - 1), or null when alpha <= 1 (infinite)."
)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.6g}"


def clv_fit_text(*, data: dict[str, Any]) -> str:
    """A readable summary of the ``clv fit`` JSON object."""
    lines = [
        f"Model: {data['model']} (time unit: {data['time_unit']})",
        f"Customers fitted: {data['customers']}",
        f"Log-likelihood: {data['log_likelihood']:.4f}",
        "Parameters (standard error):",
    ]
    lines += [f"  {k:<6} {_fmt(v)} ({_fmt(data['std_errors'][k])})" for k, v in data["params"].items()]
    spend = data["spend"]
    if spend is None:
        lines.append("Spend model: none (no --amount-col)")
    else:
        lines.append(f"Spend model: Gamma-Gamma on {spend['customers_used']} repeat customers")
        lines += [f"  {k:<6} {_fmt(v)}" for k, v in spend["params"].items()]
    return "\n".join(lines)


def clv_sbg_text(*, data: dict[str, Any]) -> str:
    """A readable summary of the ``clv sbg`` JSON object."""
    projected = data["projected_survivors"]
    derl = data["derl"]
    k = len(derl) - 1
    lines = [
        "Shifted-Beta-Geometric retention",
        f"  alpha  {data['alpha']:.6g}",
        f"  beta   {data['beta']:.6g}",
        f"Log-likelihood: {data['log_likelihood']:.4f}",
        "Projected survivors:",
    ]
    lines += [f"  period {k + 1 + i}: {v:.1f}" for i, v in enumerate(projected)]
    lines.append("DERL (discounted expected residual lifetime, periods) by renewals made:")
    lines += [f"  n={n}: {_fmt(v)}" for n, v in enumerate(derl)]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Customer lifetime value from a CSV (no database needed): 'clv fit' and 'clv sbg'."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{fit,sbg}")
        fit = actions.add_parser("fit", help=FIT_HELP, description=FIT_HELP)
        fit.add_argument("file", help="transaction CSV (UTF-8, header row, one transaction per row)")
        fit.add_argument("--customer-col", required=True, help="column holding the customer id")
        fit.add_argument("--date-col", required=True, help="column holding the transaction date")
        fit.add_argument("--amount-col", help="column holding the amount (enables the spend model)")
        fit.add_argument(
            "--date-format",
            default=DEFAULT_DATE_FORMAT,
            help="strptime format of the dates (default ISO %%Y-%%m-%%d)",
        )
        fit.add_argument(
            "--calibration-end",
            help="YYYY-MM-DD, inclusive: fit on the customers and transactions up to this day only",
        )
        fit.add_argument("--model", choices=list(MODELS), default="bgnbd", help="default bgnbd")
        fit.add_argument("--json", action="store_true", help="print one JSON object")
        sbg = actions.add_parser("sbg", help=SBG_HELP, description=SBG_HELP)
        sbg.add_argument("--survivors", required=True, help="N0,N1,...,Nk: customers still active per period")
        sbg.add_argument(
            "--discount", default="0.10", help="per-period discount rate in [0, 1) (default 0.10)"
        )
        sbg.add_argument("--periods", type=int, help="how many periods to project after Nk (default k)")
        sbg.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "fit":
                report = clv_fit_report(
                    path=Path(options["file"]),
                    customer_col=options["customer_col"],
                    date_col=options["date_col"],
                    amount_col=options["amount_col"],
                    date_format=options["date_format"],
                    calibration_end=options["calibration_end"],
                    model=options["model"],
                )
                text = clv_fit_text(data=report.data)
            else:
                report = clv_sbg_report(
                    survivors=options["survivors"], discount=options["discount"], periods=options["periods"]
                )
                text = clv_sbg_text(data=report.data)
        except ClvInputError as exc:
            raise CommandError(str(exc)) from None
        self._warnings_write(report=report)
        self.stdout.write(json.dumps(report.data, allow_nan=False) if options["json"] else text)

    def _warnings_write(self, *, report: ClvReport) -> None:
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
