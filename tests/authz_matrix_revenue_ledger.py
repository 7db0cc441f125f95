"""Authorization matrix rows of the revenue ledger concept; merged into tests/authz_matrix.MATRIX."""

from __future__ import annotations

from tests.authz_matrix_base import (
    ANON,
    EVERYONE,
    MEMBERS,
    NOBODY,
    PA,
    PARTNERS,
    PU,
    VA,
    VENDORS,
    VS,
    Endpoint,
)


class AlphaP1DefaultCode:
    """The code in the public tracked link `r/<code>/`: partner P1's "Default code" in tenant alpha.

    Every partner gets a generated code when it is created (revenue/signals.py), so the world has one,
    but its text is random; `reverse()` formats URL arguments with str(), so the code is looked up
    when the URL is built, inside the test that builds it. Under bravo's slug it is unknown: 404.
    """

    def __str__(self) -> str:
        from prm.tenancy import platform_context
        from revenue.models import ReferralCode

        with platform_context():
            code = (
                ReferralCode.unscoped.filter(tenant__slug="alpha", label="Default code")
                .order_by("pk")
                .values_list("code", flat=True)
                .first()
            )
        assert code is not None, "tenant alpha's partner P1 has no default referral code"
        return code


REVERSE = {"POST": {"reason": "Matrix: invoice was cancelled"}}

ENTRIES: dict[str, Endpoint] = {
    # --- customers ---
    "customer_list": Endpoint(allow={"GET": VENDORS}),
    "customer_export": Endpoint(allow={"GET": VENDORS}),
    "customer_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={"POST": {"name": "Matrix Customer", "domain": "https://www.matrix-customer.example/"}},
    ),
    "customer_detail": Endpoint(allow={"GET": VENDORS}, obj="customer"),
    "customer_edit": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="customer",
        data={
            "POST": {"name": "Matrix Renamed Customer", "domain": "matrix-renamed.example", "country": "FR"}
        },
    ),
    "portal_customers": Endpoint(allow={"GET": PARTNERS}),
    "portal_customer_export": Endpoint(allow={"GET": PARTNERS}),
    "portal_customer_detail": Endpoint(allow={"GET": PARTNERS}, obj="customer"),
    # --- revenue ledger ---
    "revenue_list": Endpoint(allow={"GET": VENDORS}),
    "revenue_export": Endpoint(allow={"GET": VENDORS}),
    "revenue_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={
            "POST": {
                "customer": "<obj:customer>",
                "occurred_on": "2025-05-01",
                "amount": "250.00",
                "stream": "parts",
            }
        },
    ),
    "revenue_detail": Endpoint(allow={"GET": VENDORS}, obj="revenue_entry"),
    "revenue_reverse": Endpoint(allow={"POST": VENDORS}, obj="revenue_entry", data=REVERSE),
    # --- attribution ledger ---
    "attribution_list": Endpoint(allow={"GET": VENDORS}),
    "attribution_export": Endpoint(allow={"GET": VENDORS}),
    "attribution_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={
            "POST": {
                "partner": "<p1>",
                "customer": "<obj:customer>",
                "kind": "influenced",
                "weight": "0.5",
                "effective_from": "2025-02-01",
                "source": "manual",
                "reason": "Matrix: co-selling",
            }
        },
    ),
    "attribution_detail": Endpoint(allow={"GET": VENDORS}, obj="attribution"),
    "attribution_end": Endpoint(
        allow={"POST": VENDORS},
        obj="attribution",
        data={"POST": {"effective_to": "2025-06-01", "reason": "Matrix: partner left the account"}},
    ),
    "attribution_change_weight": Endpoint(
        allow={"POST": VENDORS},
        obj="attribution",
        data={
            "POST": {"weight": "0.6", "effective_from": "2025-06-01", "reason": "Matrix: split with a peer"}
        },
    ),
    "portal_attributions": Endpoint(allow={"GET": PARTNERS}),
    "portal_attribution_export": Endpoint(allow={"GET": PARTNERS}),
    # --- partner costs ---
    "cost_list": Endpoint(allow={"GET": VENDORS}),
    "cost_export": Endpoint(allow={"GET": VENDORS}),
    "cost_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={
            "POST": {
                "partner": "<p1>",
                "kind": "enablement",
                "incurred_on": "2025-03-10",
                "amount": "480.00",
                "description": "Matrix: certification vouchers",
            }
        },
    ),
    "cost_detail": Endpoint(allow={"GET": VENDORS}, obj="cost"),
    "cost_reverse": Endpoint(allow={"POST": VENDORS}, obj="cost", data=REVERSE),
    # --- referral codes and the public tracked link ---
    "referral_code_list": Endpoint(allow={"GET": VENDORS}),
    "referral_code_export": Endpoint(allow={"GET": VENDORS}),
    "referral_code_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={"POST": {"partner": "<p1>", "label": "Matrix: trade fair"}},
    ),
    "referral_code_toggle": Endpoint(allow={"POST": {VA, VS, PA}}, obj="referral_code"),
    "portal_referral_codes": Endpoint(
        allow={"GET": PARTNERS, "POST": {PA}}, data={"POST": {"label": "Matrix: newsletter"}}
    ),
    "portal_referral_code_export": Endpoint(allow={"GET": PARTNERS}),
    "referral_link": Endpoint(
        allow={"GET": EVERYONE},
        extra_kwargs={"code": AlphaP1DefaultCode()},  # type: ignore[dict-item]  # str() when built
    ),
}

__all__ = ["ANON", "ENTRIES", "EVERYONE", "MEMBERS", "NOBODY", "PA", "PARTNERS", "PU", "VA", "VENDORS", "VS"]
