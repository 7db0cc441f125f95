"""PostgreSQL backend that keeps the session's tenant setting equal to the ContextVar.

Before every query the wrapper compares what the session was last told with the current context
and, when they differ, runs `set_config` on the raw connection (so query counters do not see it).
A rollback can silently revert a `set_config` made inside the transaction or savepoint, so after
any rollback the applied value is forgotten and re-sent before the next query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.backends.postgresql import base

from prm.context import current_tenant_id, platform_access_enabled

_UNKNOWN = object()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rls_applied: object = _UNKNOWN
        # Savepoint statements touch no table and may run in an aborted transaction, where a
        # set_config would itself fail; they run without the sync.
        self._rls_suspended = False
        self.execute_wrappers.append(self._rls_execute_wrapper)

    def init_connection_state(self) -> None:
        super().init_connection_state()
        self._rls_applied = _UNKNOWN

    def _rollback(self) -> None:
        self._rls_applied = _UNKNOWN
        super()._rollback()  # type: ignore[misc]  # private hooks django-stubs omit

    def _savepoint(self, sid: str) -> None:
        self._without_sync(super()._savepoint, sid)  # type: ignore[misc]

    def _savepoint_commit(self, sid: str) -> None:
        self._without_sync(super()._savepoint_commit, sid)  # type: ignore[misc]

    def _savepoint_rollback(self, sid: str) -> None:
        self._without_sync(super()._savepoint_rollback, sid)  # type: ignore[misc]
        self._rls_applied = _UNKNOWN

    def _without_sync(self, operation: Callable[[str], None], sid: str) -> None:
        self._rls_suspended = True
        try:
            operation(sid)
        finally:
            self._rls_suspended = False

    def _close(self) -> None:
        self._rls_applied = _UNKNOWN
        super()._close()  # type: ignore[misc]  # private hooks django-stubs omit

    def rls_sync(self) -> None:
        wanted = (current_tenant_id(), platform_access_enabled())
        if self._rls_applied == wanted or self.connection is None:
            return
        tenant_id, platform = wanted
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('app.tenant_id', %s, false), set_config('app.platform', %s, false)",
                ["" if tenant_id is None else str(tenant_id), "on" if platform else "off"],
            )
        self._rls_applied = wanted

    def _rls_execute_wrapper(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        if not self._rls_suspended:
            self.rls_sync()
        return execute(sql, params, many, context)
