from django.apps import AppConfig


class PrmConfig(AppConfig):
    name = "prm"
    verbose_name = "PRM platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prm import checks  # noqa: F401  (registers the system checks)
