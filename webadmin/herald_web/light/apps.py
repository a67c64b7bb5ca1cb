from django.apps import AppConfig


class LightConfig(AppConfig):
    name = "herald_web.light"
    verbose_name = "Light"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register("light", "Light", "light:index", Level.OPERATOR)
