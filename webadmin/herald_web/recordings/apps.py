from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "herald_web.recordings"
    verbose_name = "Recordings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register("recordings", "Recordings", "recordings:index", Level.OPERATOR)
