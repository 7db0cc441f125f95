"""The one authorization matrix: every URL pattern, every method it serves, every role -> allow/deny.

`tests/test_authz_matrix.py` fails when a URL pattern exists that is not classified here (or an
entry names a pattern that no longer exists) and generates one test per (pattern, method, role).
Every new page or API endpoint must add its row.

Objects named in `obj` are built by the `world` fixture; object-bound patterns always get an object
that the allowed roles may legitimately see (alpha's partner P1), so a deny is about the role alone.
"""

from __future__ import annotations

from tests.authz_matrix_base import (  # noqa: F401  (re-exported for the concept modules)
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

MATRIX: dict[str, Endpoint] = {
    # --- platform pages (no tenant in the URL) ---
    "home": Endpoint(allow={"GET": MEMBERS}, tenant=False),
    "healthz": Endpoint(allow={"GET": EVERYONE}, tenant=False),
    "select_tenant": Endpoint(allow={"GET": MEMBERS}, tenant=False),
    "login": Endpoint(
        allow={"GET": EVERYONE, "POST": EVERYONE},
        tenant=False,
        data={"POST": {"username": "<email>", "password": "<password>"}},
    ),
    "logout": Endpoint(allow={"POST": EVERYONE}, tenant=False),
    "password_change": Endpoint(allow={"GET": MEMBERS}, tenant=False),
    "password_change_done": Endpoint(allow={"GET": MEMBERS}, tenant=False),
    "password_reset": Endpoint(
        allow={"GET": EVERYONE, "POST": EVERYONE},
        tenant=False,
        data={"POST": {"email": "nobody@example.test"}},
    ),
    "password_reset_done": Endpoint(allow={"GET": EVERYONE}, tenant=False),
    "password_reset_confirm": Endpoint(
        allow={"GET": EVERYONE}, tenant=False, extra_kwargs={"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Endpoint(allow={"GET": EVERYONE}, tenant=False),
    "api_schema": Endpoint(allow={"GET": EVERYONE}, tenant=False, api=True),
    "api_docs": Endpoint(allow={"GET": EVERYONE}, tenant=False, api=True),
    "api_token": Endpoint(
        allow={"POST": EVERYONE},
        tenant=False,
        api=True,
        data={"POST": {"email": "<email>", "password": "<password>"}},
    ),
    # --- tenant pages ---
    "tenant_home": Endpoint(allow={"GET": VENDORS}),
    "portal_home": Endpoint(allow={"GET": PARTNERS}),
    "stage_detail": Endpoint(allow={"GET": VENDORS}, extra_kwargs={"stage": "sell"}),
    "member_list": Endpoint(allow={"GET": VENDORS}),
    "member_invite": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={"POST": {"email": "invitee@example.test", "role": PU, "partner": "<p1>"}},
    ),
    "member_detail": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="p1_member",
        data={"POST": {"role": PU, "is_active": "on"}},
    ),
    "people_list": Endpoint(allow={"GET": PARTNERS}),
    "people_invite": Endpoint(
        allow={"GET": {PA}, "POST": {PA}}, data={"POST": {"email": "colleague@example.test", "role": PU}}
    ),
    "person_detail": Endpoint(
        allow={"GET": PARTNERS, "POST": {PA}}, obj="p1_member", data={"POST": {"role": PU, "is_active": "on"}}
    ),
    "audit_list": Endpoint(allow={"GET": {VA}}),
    "audit_detail": Endpoint(allow={"GET": {VA}}, obj="audit_event"),
    "tenant_settings": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        data={
            "POST": {
                "name": "Renamed",
                "currency": "EUR",
                "annual_discount_rate": "0.08",
                "deal_protection_days": "60",
                "deal_extension_days": "30",
                **{
                    f"margin_{key}": "0.5"
                    for key in ("new", "renewal", "upsell", "cross_sell", "services", "maintenance", "parts")
                },
            }
        },
    ),
    # --- tenant API ---
    "api_me": Endpoint(allow={"GET": MEMBERS}, api=True),
    "api_membership_list": Endpoint(
        allow={"GET": MEMBERS, "POST": {VA, VS, PA}},
        api=True,
        data={"POST": {"email": "api-invitee@example.test", "role": PU, "partner": "<p1>"}},
    ),
    "api_membership_detail": Endpoint(
        allow={"GET": MEMBERS, "PATCH": {VA, VS, PA}}, api=True, obj="p1_member", data={"PATCH": {"role": PU}}
    ),
    "api_audit_event_list": Endpoint(allow={"GET": {VA}}, api=True),
    "api_audit_event_detail": Endpoint(allow={"GET": {VA}}, api=True, obj="audit_event"),
    "api_partner_list": Endpoint(
        allow={"GET": MEMBERS, "POST": VENDORS},
        api=True,
        data={"POST": {"name": "Matrix API partner", "partner_type": "reseller", "country": "de"}},
    ),
    "api_partner_detail": Endpoint(
        allow={"GET": MEMBERS, "PATCH": VENDORS}, api=True, obj="p1", data={"PATCH": {"country": "FR"}}
    ),
    # --- partners: core (directory, partner 360, board, portal profile) ---
    "partner_directory": Endpoint(allow={"GET": VENDORS}),
    "partner_export": Endpoint(allow={"GET": VENDORS}),
    "partner_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={
            "POST": {
                "name": "Matrix partner",
                "partner_type": "reseller",
                "status": "prospect",
                "stage": "recruit",
            }
        },
    ),
    "partner_detail": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "partner_edit": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="p1",
        data={"POST": {"name": "Matrix renamed partner", "partner_type": "reseller", "country": "US"}},
    ),
    "partner_tab_profile": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "partner_tab_stages": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "partner_tab_people": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "partner_tab_tier": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "partner_stage_move": Endpoint(
        allow={"POST": VENDORS}, obj="p1", data={"POST": {"to_stage": "accelerate", "reason": "Matrix move"}}
    ),
    "partner_status_set": Endpoint(
        allow={"POST": VENDORS}, obj="p1", data={"POST": {"status": "inactive", "reason": "Matrix status"}}
    ),
    "partner_tier_override": Endpoint(
        allow={"POST": {VA}},
        obj="p1",
        data={"POST": {"tier": "<obj:core_tier>", "reason": "Matrix override"}},
    ),
    "partner_cost_add": Endpoint(
        allow={"POST": VENDORS},
        obj="p1",
        data={"POST": {"incurred_on": "2025-01-15", "amount": "1200.00", "description": "Matrix CAC"}},
    ),
    "partner_board": Endpoint(allow={"GET": VENDORS}),
    "portal_profile": Endpoint(
        allow={"GET": PARTNERS, "POST": {PA}},
        data={"POST": {"website_domain": "p1.example", "country": "US"}},
    ),
    "api_partner_stage": Endpoint(
        allow={"POST": VENDORS},
        api=True,
        obj="p1",
        data={"POST": {"to_stage": "accelerate", "reason": "Matrix"}},
    ),
    "api_segment_list": Endpoint(
        allow={"GET": MEMBERS, "POST": {VA}}, api=True, data={"POST": {"name": "Matrix segment"}}
    ),
    # --- partners: recruit (programs, tiers, segments, ideal profile, prospects) ---
    "program_list": Endpoint(allow={"GET": VENDORS, "POST": {VA}}, data={"POST": {"name": "Matrix Program"}}),
    "program_detail": Endpoint(
        allow={"GET": VENDORS, "POST": {VA}},
        obj="recruit_program",
        data={"POST": {"name": "Renamed Program", "description": "Resellers in EMEA"}},
    ),
    "tier_create": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        obj="recruit_program",
        data={"POST": {"name": "Matrix Tier", "rank": "7", "benefits": "Deal registration"}},
    ),
    "ideal_profile": Endpoint(
        allow={"GET": VENDORS, "POST": {VA}},
        obj="recruit_program",
        data={
            "POST": {
                "criteria-TOTAL_FORMS": "1",
                "criteria-INITIAL_FORMS": "0",
                "criteria-0-kind": "country",
                "criteria-0-values": "US, CA",
                "criteria-0-weight": "2",
            }
        },
    ),
    "ideal_profile_default": Endpoint(allow={"GET": VENDORS}),
    "tier_detail": Endpoint(
        allow={"GET": VENDORS, "POST": {VA}},
        obj="recruit_tier",
        data={"POST": {"name": "Renamed Tier", "rank": "5"}},
    ),
    "tier_move": Endpoint(allow={"POST": {VA}}, obj="recruit_tier", data={"POST": {"direction": "up"}}),
    "tier_delete": Endpoint(allow={"POST": {VA}}, obj="recruit_tier"),
    "segment_list": Endpoint(allow={"GET": VENDORS, "POST": {VA}}, data={"POST": {"name": "Matrix Segment"}}),
    "segment_detail": Endpoint(
        allow={"GET": VENDORS, "POST": {VA}},
        obj="recruit_segment",
        data={"POST": {"name": "Renamed Segment"}},
    ),
    "prospect_list": Endpoint(allow={"GET": VENDORS}),
    "prospect_create": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={
            "POST": {
                "name": "Matrix Prospect",
                "partner_type": "reseller",
                "program": "<obj:recruit_program>",
            }
        },
    ),
    "prospect_detail": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="prospect",
        data={
            "POST": {
                "name": "Renamed Prospect",
                "partner_type": "services",
                "program": "<obj:recruit_program>",
            }
        },
    ),
    "prospect_status": Endpoint(
        allow={"POST": VENDORS},
        obj="prospect",
        data={"POST": {"status": "contacted", "reason": "Intro call"}},
    ),
    "prospect_convert": Endpoint(allow={"POST": VENDORS}, obj="qualified_prospect"),
    "api_program_list": Endpoint(
        allow={"GET": MEMBERS, "POST": {VA}}, api=True, data={"POST": {"name": "API Program"}}
    ),
    "api_program_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="recruit_program"),
    "api_prospect_list": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        api=True,
        data={
            "POST": {"name": "API Prospect", "partner_type": "referral", "program": "<obj:recruit_program>"}
        },
    ),
    "api_prospect_detail": Endpoint(
        allow={"GET": VENDORS, "PATCH": VENDORS},
        api=True,
        obj="prospect",
        data={"PATCH": {"notes": "Met at a fair"}},
    ),
    "api_prospect_convert": Endpoint(allow={"POST": VENDORS}, api=True, obj="qualified_prospect"),
    # --- partners: enablement (checklists, trainings, certifications) ---
    "enablement_overview": Endpoint(allow={"GET": VENDORS}),
    "partner_tab_checklist": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "checklist_start": Endpoint(allow={"POST": VENDORS}, obj="p1"),
    "partner_tab_trainings": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="p1",
        data={
            "POST": {"person": "<obj:p1_member>", "training": "<obj:training>", "completed_on": "2025-01-15"}
        },
    ),
    "checklist_item_complete": Endpoint(allow={"POST": MEMBERS}, obj="checklist_item"),
    "checklist_item_reopen": Endpoint(allow={"POST": MEMBERS}, obj="checklist_item"),
    "training_completion_revoke": Endpoint(allow={"POST": {VA, VS, PA}}, obj="training_completion"),
    "checklist_template_list": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        data={"POST": {"partner_type": "services", "name": "Services onboarding"}},
    ),
    "checklist_template_detail": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        obj="checklist_template",
        data={"POST": {"name": "Renamed template"}},
    ),
    "checklist_template_delete": Endpoint(allow={"POST": {VA}}, obj="checklist_template"),
    "checklist_template_item_create": Endpoint(
        allow={"POST": {VA}},
        obj="checklist_template",
        data={"POST": {"title": "Sign the agreement", "owner_side": "partner", "due_days": "7"}},
    ),
    "checklist_template_item_edit": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        obj="checklist_template_item",
        data={"POST": {"title": "Renamed step", "owner_side": "vendor", "due_days": "3", "position": "1"}},
    ),
    "checklist_template_item_delete": Endpoint(allow={"POST": {VA}}, obj="checklist_template_item"),
    "training_list": Endpoint(allow={"GET": VENDORS}),
    "training_create": Endpoint(
        allow={"GET": {VA}, "POST": {VA}}, data={"POST": {"name": "New course", "kind": "training"}}
    ),
    "training_edit": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        obj="training",
        data={
            "POST": {
                "name": "Renamed course",
                "kind": "certification",
                "validity_days": "365",
                "is_active": "on",
            }
        },
    ),
    "training_set_active": Endpoint(allow={"POST": {VA}}, obj="training", data={"POST": {"active": "no"}}),
    "portal_checklist": Endpoint(allow={"GET": PARTNERS}),
    "portal_trainings": Endpoint(
        allow={"GET": PARTNERS, "POST": {PA}},
        data={
            "POST": {"person": "<obj:p1_member>", "training": "<obj:training>", "completed_on": "2025-01-15"}
        },
    ),
    "api_training_list": Endpoint(
        allow={"GET": MEMBERS, "POST": {VA}},
        api=True,
        data={"POST": {"name": "API course", "kind": "certification", "validity_days": 365}},
    ),
    "api_training_completion_list": Endpoint(
        allow={"GET": MEMBERS, "POST": {VA, VS, PA}},
        api=True,
        data={
            "POST": {"person": "<obj:p1_member>", "training": "<obj:training>", "completed_on": "2025-01-15"}
        },
    ),
    "api_partner_checklist": Endpoint(allow={"GET": MEMBERS}, api=True, obj="p1"),
    "api_checklist_item_complete": Endpoint(allow={"POST": MEMBERS}, api=True, obj="checklist_item"),
    # --- partners: market and health (campaigns, MDF, assessments) ---
    "partner_tab_market": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "campaign_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="p1",
        data={
            "POST": {
                "name": "Autumn webinar",
                "starts_on": "2026-09-01",
                "ends_on": "2026-09-30",
                "goal": "25 leads",
                "budget": "4000",
            }
        },
    ),
    "campaign_edit": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="campaign",
        data={
            "POST": {
                "name": "Spring launch",
                "starts_on": "2026-03-01",
                "ends_on": "2026-05-31",
                "goal": "60 leads",
                "budget": "15000",
            }
        },
    ),
    "mdf_queue": Endpoint(allow={"GET": VENDORS}),
    "mdf_request_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="p1",
        data={"POST": {"purpose": "Regional roadshow", "amount_requested": "2500"}},
    ),
    "mdf_request_detail": Endpoint(allow={"GET": VENDORS}, obj="mdf_request"),
    "mdf_request_approve": Endpoint(
        allow={"POST": VENDORS}, obj="mdf_request", data={"POST": {"amount_approved": "900"}}
    ),
    "mdf_request_reject": Endpoint(
        allow={"POST": VENDORS}, obj="mdf_request", data={"POST": {"reason": "Outside this quarter's plan"}}
    ),
    "mdf_request_reimburse": Endpoint(allow={"POST": VENDORS}, obj="mdf_request_claimed"),
    "portal_mdf": Endpoint(
        allow={"GET": PARTNERS, "POST": PARTNERS},
        data={"POST": {"purpose": "Customer breakfast", "amount_requested": "1200"}},
    ),
    "portal_mdf_detail": Endpoint(
        allow={"GET": PARTNERS, "POST": PARTNERS},
        obj="mdf_request_approved",
        data={"POST": {"amount_claimed": "500", "claim_proof": "Invoice 2026-17, 3 photos of the booth"}},
    ),
    "partner_tab_health": Endpoint(allow={"GET": VENDORS}, obj="p1"),
    "assessment_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        obj="p1",
        data={"POST": {"question": ["<obj:health_q1>", "<obj:health_q2>"], "score": ["4", "2"]}},
    ),
    "assessment_detail": Endpoint(allow={"GET": VENDORS}, obj="assessment"),
    "portal_health": Endpoint(
        allow={"GET": PARTNERS, "POST": PARTNERS},
        data={"POST": {"question": ["<obj:health_q1>", "<obj:health_q2>"], "score": ["5", "3"]}},
    ),
    "portal_assessment_detail": Endpoint(allow={"GET": PARTNERS}, obj="assessment"),
    "health_config": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        data={
            "POST": {"domain": "Capability", "text": "Has certified engineers", "weight": "2", "position": ""}
        },
    ),
    "health_config_standard": Endpoint(allow={"POST": {VA}}),
    "health_questionnaire_version": Endpoint(
        allow={"POST": {VA}}, data={"POST": {"name": "Health check 2027"}}
    ),
    "health_question_edit": Endpoint(
        allow={"GET": {VA}, "POST": {VA}},
        obj="health_question",
        data={
            "POST": {
                "domain": "Engagement",
                "text": "Joins quarterly reviews",
                "weight": "1",
                "position": "4",
            }
        },
    ),
    "health_question_delete": Endpoint(allow={"POST": {VA}}, obj="health_question"),
    "api_campaign_list": Endpoint(
        allow={"GET": MEMBERS, "POST": VENDORS},
        api=True,
        data={
            "POST": {
                "partner": "<p1>",
                "name": "API campaign",
                "starts_on": "2026-06-01",
                "ends_on": "2026-06-30",
                "goal": "10 demos",
                "budget": "3000.00",
            }
        },
    ),
    "api_campaign_detail": Endpoint(
        allow={"GET": MEMBERS, "PATCH": VENDORS},
        api=True,
        obj="campaign",
        data={"PATCH": {"budget": "7500.00"}},
    ),
    "api_mdf_request_list": Endpoint(
        allow={"GET": MEMBERS, "POST": MEMBERS},
        api=True,
        data={"POST": {"partner": "<p1>", "purpose": "Search ads", "amount_requested": "1500.00"}},
    ),
    "api_mdf_request_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="mdf_request"),
    "api_mdf_request_approve": Endpoint(
        allow={"POST": VENDORS}, api=True, obj="mdf_request", data={"POST": {"amount_approved": "900.00"}}
    ),
    "api_mdf_request_reject": Endpoint(
        allow={"POST": VENDORS}, api=True, obj="mdf_request", data={"POST": {"reason": "No budget left"}}
    ),
    "api_mdf_request_claim": Endpoint(
        allow={"POST": PARTNERS},
        api=True,
        obj="mdf_request_approved",
        data={"POST": {"amount_claimed": "500.00", "claim_proof": "Invoice 17"}},
    ),
    "api_mdf_request_reimburse": Endpoint(allow={"POST": VENDORS}, api=True, obj="mdf_request_claimed"),
    "api_assessment_list": Endpoint(
        allow={"GET": MEMBERS, "POST": MEMBERS},
        api=True,
        data={"POST": {"partner": "<p1>", "answers": [["<obj:health_q1>", 4], ["<obj:health_q2>", 3]]}},
    ),
    "api_assessment_detail": Endpoint(allow={"GET": MEMBERS}, api=True, obj="assessment"),
}

# Each revenue concept keeps its rows in its own module.
from tests import (  # noqa: E402
    authz_matrix_analytics_api,
    authz_matrix_analytics_pages,
    authz_matrix_revenue_api,
    authz_matrix_revenue_deals,
    authz_matrix_revenue_imports,
    authz_matrix_revenue_ledger,
    authz_matrix_revenue_partner,
)

for _module in (
    authz_matrix_revenue_deals,
    authz_matrix_revenue_ledger,
    authz_matrix_revenue_imports,
    authz_matrix_revenue_api,
    authz_matrix_revenue_partner,
    authz_matrix_analytics_pages,
    authz_matrix_analytics_api,
):
    _clash = MATRIX.keys() & _module.ENTRIES.keys()
    if _clash:
        raise ValueError(f"matrix rows defined twice: {sorted(_clash)}")
    MATRIX.update(_module.ENTRIES)

# Django admin is for the platform superuser only: no tenant role gets past its login page.
MATRIX["admin:login"] = Endpoint(allow={"GET": EVERYONE}, tenant=False)
MATRIX["admin:logout"] = Endpoint(allow={"POST": EVERYONE}, tenant=False)  # ends any session
NAMESPACE_RULES: dict[str, Endpoint] = {
    "admin": Endpoint(allow={"GET": NOBODY}, tenant=False),
}
