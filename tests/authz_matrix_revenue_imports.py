"""Authorization matrix rows of the revenue imports concept; merged into tests/authz_matrix.MATRIX.

Imports are vendor-only. The upload page also takes pasted rows, and the API a JSON `content`, so
the matrix (which posts form fields and JSON, not files) can exercise a real import."""

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

ENTRIES: dict[str, Endpoint] = {
    "import_list": Endpoint(allow={"GET": VENDORS}),
    "import_export": Endpoint(allow={"GET": VENDORS}),
    "import_new": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        data={
            "POST": {"kind": "customers", "pasted": "name,domain\nMatrix Imports Ltd,matrix-imports.example"}
        },
    ),
    "import_template": Endpoint(allow={"GET": VENDORS}, extra_kwargs={"kind": "revenue"}),
    "import_detail": Endpoint(allow={"GET": VENDORS}, obj="import_job"),
    "import_progress": Endpoint(allow={"GET": VENDORS}, obj="import_job"),
    "import_errors_export": Endpoint(allow={"GET": VENDORS}, obj="import_job"),
    "api_import_list": Endpoint(
        allow={"GET": VENDORS, "POST": VENDORS},
        api=True,
        data={
            "POST": {
                "kind": "customers",
                "content": "name,country\nMatrix API Imports,DE\n",
                "file_name": "m.csv",
            }
        },
    ),
    "api_import_detail": Endpoint(allow={"GET": VENDORS}, api=True, obj="import_job"),
}

__all__ = ["ANON", "ENTRIES", "EVERYONE", "MEMBERS", "NOBODY", "PA", "PARTNERS", "PU", "VA", "VENDORS", "VS"]
