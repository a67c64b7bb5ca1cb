from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = "Recordings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from herald.access import Level
        from ui import nav

        nav.register("recordings", "Recordings", "recordings:index", Level.OPERATOR)
