from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "status"
    verbose_name = "Status"

    def ready(self) -> None:
        from herald.access import Level
        from ui import nav

        nav.register("status", "Status", "status:index", Level.VIEWER)
