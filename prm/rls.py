"""Row-level security for tenant tables, as a migration operation every app uses for its tables.

ENABLE turns policies on, FORCE makes them apply to the table's owner too (the app role owns the
tables it migrates). The policy admits rows of the tenant named in the session setting
`app.tenant_id`, or any row inside an explicit platform context (`app.platform = 'on'`); with
neither set it admits nothing, and WITH CHECK refuses writes of other tenants' rows.
On SQLite this is a no-op: the embedded demo relies on the scoped managers alone.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

POLICY = "tenant_isolation"
CONDITION = (
    "(current_setting('app.platform', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)"
)


class EnableRowLevelSecurity(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _table(self, app_label: str, state: Any) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self._table(app_label, to_state))
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        schema_editor.execute(f"CREATE POLICY {POLICY} ON {table} USING {CONDITION} WITH CHECK {CONDITION}")

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self._table(app_label, from_state))
        schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    def describe(self) -> str:
        return f"Enable and force row-level security on {self.model_name}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [], {"model_name": self.model_name})
