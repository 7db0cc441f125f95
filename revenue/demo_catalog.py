"""Words the revenue demo is written with: customer names, industries, deal titles, reasons.

Per tenant: acme sells software subscriptions (USD), globex sells industrial equipment, maintenance
contracts and spare parts (EUR). Nothing here touches the database.
"""

from __future__ import annotations

import random

NAME_FIRST = {
    "acme": (
        "Amber", "Arrow", "Aster", "Beacon", "Birch", "Bright", "Cedar", "Clear", "Copper", "Coral",
        "Crest", "Delta", "Ember", "Falcon", "Fern", "Frontier", "Golden", "Granite", "Harbor", "Hazel",
        "Horizon", "Iris", "Juniper", "Keystone", "Lantern", "Linden", "Maple", "Meridian", "Nova",
        "Oak", "Orchid", "Pioneer", "Prairie", "Quill", "Raven", "Ridge", "Sable", "Sierra", "Silver",
        "Spruce", "Summit", "Tidal", "Union", "Vale", "Willow", "Zephyr",
    ),
    "globex": (
        "Adler", "Alba", "Baltica", "Berg", "Bruck", "Castell", "Danubia", "Eisen", "Elbe", "Falk",
        "Ferro", "Fjord", "Garonne", "Hafen", "Helvet", "Iberi", "Jura", "Kessel", "Lago", "Loire",
        "Main", "Marmor", "Mosel", "Norden", "Oder", "Pannon", "Po", "Rhone", "Saale", "Sarre",
        "Schwarz", "Silesia", "Stahl", "Tagus", "Tessin", "Thuring", "Vistula", "Volta", "Weser", "Zinn",
        "Arno", "Brenner", "Cevennes", "Drava", "Ebro", "Isar", "Lech", "Mur", "Neckar", "Ruhr", "Sava",
        "Traun",
    ),
}  # fmt: skip
NAME_SECOND = {
    "acme": {
        "Software": ("Analytics", "Labs", "Software", "Data", "Cloud"),
        "Financial services": ("Capital", "Finance", "Insurance", "Credit Union", "Wealth"),
        "Healthcare": ("Health", "Clinics", "Medical", "Care Partners"),
        "Retail": ("Retail", "Outfitters", "Markets", "Home Goods"),
        "Education": ("Academy", "Learning", "College"),
        "Logistics": ("Logistics", "Freight", "Transport"),
        "Manufacturing": ("Manufacturing", "Industries", "Components"),
        "Media": ("Media", "Studios", "Publishing"),
    },
    "globex": {
        "Automotive": ("Automotive", "Fahrzeugteile", "Motor Works"),
        "Food and beverage": ("Foods", "Brewery", "Dairy", "Bakeries"),
        "Packaging": ("Packaging", "Verpackung", "Cartons"),
        "Chemicals": ("Chemie", "Chemicals", "Coatings"),
        "Metal fabrication": ("Metallbau", "Steelworks", "Fabrication", "Foundry"),
        "Plastics": ("Plastics", "Kunststoff", "Polymers"),
        "Pharmaceuticals": ("Pharma", "Labs"),
        "Energy": ("Energy", "Power", "Utilities"),
    },
}
LEGAL_FORM = {
    "US": ("Inc.", "LLC", "Corp."),
    "CA": ("Inc.", "Ltd."),
    "GB": ("Ltd", "plc"),
    "IE": ("Ltd",),
    "AU": ("Pty Ltd",),
    "DE": ("GmbH", "AG"),
    "AT": ("GmbH",),
    "CH": ("AG",),
    "FR": ("SAS", "SA"),
    "NL": ("B.V.",),
    "BE": ("NV",),
    "IT": ("S.p.A.", "S.r.l."),
    "ES": ("S.L.", "S.A."),
    "PL": ("Sp. z o.o.",),
    "SE": ("AB",),
    "CZ": ("s.r.o.",),
}
COUNTRIES = {
    "acme": (("US", 46), ("CA", 8), ("GB", 12), ("IE", 3), ("AU", 6), ("DE", 10), ("FR", 6), ("NL", 5),
             ("SE", 4)),
    "globex": (("DE", 30), ("AT", 6), ("CH", 4), ("FR", 14), ("IT", 12), ("ES", 8), ("NL", 6), ("BE", 4),
               ("PL", 8), ("CZ", 4), ("SE", 4)),
}  # fmt: skip
SIZES = {
    "acme": (("small", 40), ("medium", 35), ("large", 18), ("enterprise", 7)),
    "globex": (("small", 30), ("medium", 40), ("large", 22), ("enterprise", 8)),
}
# Customer segments reuse the partner segments the partners demo creates, by customer size.
SEGMENT_BY_SIZE = {
    "acme": {
        "small": "MSP",
        "medium": "Mid-market SaaS",
        "large": "Enterprise SI",
        "enterprise": "Enterprise SI",
    },
    "globex": {
        "small": "Regional dealer",
        "medium": "Field service",
        "large": "Industrial OEM",
        "enterprise": "Industrial OEM",
    },
}
PERSONAS = {
    "acme": ("IT director", "CIO", "Head of data", "VP engineering", "CFO", "Operations manager"),
    "globex": ("Plant manager", "Maintenance manager", "Head of procurement", "COO", "Production engineer"),
}
# Annual subscription value (acme) or initial equipment value (globex) by customer size, low-high.
BASE_VALUE = {
    "acme": {"small": (6_000, 15_000), "medium": (20_000, 60_000), "large": (60_000, 180_000),
             "enterprise": (150_000, 480_000)},
    "globex": {"small": (25_000, 80_000), "medium": (80_000, 250_000), "large": (250_000, 900_000),
               "enterprise": (800_000, 2_400_000)},
}  # fmt: skip
DEAL_TITLES = {
    "acme": (
        "Platform subscription, {n} seats",
        "Analytics suite rollout ({n} users)",
        "Migration from the legacy CRM, {n} seats",
        "Company-wide licence, {n} users",
    ),
    "globex": (
        "Packaging line with {n} stations",
        "CNC cell retrofit ({n} machines)",
        "Conveyor system, {n} metres",
        "Press line modernisation, phase {n}",
    ),
}
REJECT_REASONS = (
    "Existing customer under a direct contract; renewals are not eligible for registration.",
    "Not enough detail: no named contact, budget or timeline.",
    "The customer is outside the partner's contracted territory.",
    "Duplicate of a registration we already approved for this partner.",
)
LOST_REASONS = (
    "The customer chose a competitor on price.",
    "No budget this year; the project is postponed.",
    "The incumbent vendor matched the offer.",
    "The champion left the company and the evaluation stopped.",
    "Requirements changed; the customer builds it in-house.",
)
EXTENSION_REASONS = (
    "Procurement moved the signature to next month's board meeting.",
    "Security review takes longer than planned; the customer confirmed intent in writing.",
)
MANUAL_REASONS = (
    "Confirmed by the account executive: the partner introduced the customer at a regional event.",
    "The partner ran the evaluation workshop; agreed in the quarterly business review.",
    "Customer named the partner as the source in the kickoff meeting.",
    "Historic CRM record: the partner brought the account before deal registration existed.",
)
SPLIT_REASON = "Co-sold: {other} ran the technical evaluation; a 60/40 split was agreed with both partners."
INFLUENCE_REASONS = (
    "Ran the implementation project.",
    "Delivered the integration the customer bought for.",
    "Partner workshop led to this expansion.",
    "Trained the customer's team before the renewal.",
)
VERSION_REASONS = {
    "reduce": "Credit reduced after the QBR: the vendor's team carried most of the expansion.",
    "handover": "Account handed over to {to} after {frm} left the program.",
}
MARKETPLACES = {
    "acme": ("Cloud marketplace listing: {partner} connector", "App store: {partner} integration"),
    "globex": ("Globex parts portal: {partner} retrofit kit", "Industrial marketplace: {partner} bundle"),
}
REVERSAL_REASONS = (
    "Credit note: the order was cancelled before delivery.",
    "Duplicate invoice; the original stays.",
    "Goods returned unused within 30 days.",
    "Billed to the wrong account; re-invoiced to the right customer.",
)
PRICE_CORRECTION = "Wrong price list applied; re-invoiced at the contracted price."
COSTS = {
    "support": ("Channel manager and partner support, {quarter}", (600, 3_500)),
    "enablement": (
        ("Certification vouchers", "Sales enablement bootcamp", "Demo environment licences",
         "Technical training for partner engineers"),
        (400, 6_000),
    ),
    "acquisition": (("Partner onboarding bonus", "Recruitment agency retainer"), (1_000, 8_000)),
}  # fmt: skip
REFERRERS = (
    "https://www.linkedin.com/",
    "https://news.example/industry-weekly",
    "https://www.google.com/",
    "",
    "https://partner-newsletter.example/issue-12",
)
EXTRA_CODE_LABELS = ("Webinar follow-up", "Newsletter", "Trade show booth", "Website banner")


def weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in options], weights=[w for _, w in options])[0]
