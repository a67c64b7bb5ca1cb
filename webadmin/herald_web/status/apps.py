from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "herald_web.status"
    verbose_name = "Status"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register("status", "Status", "status:index", Level.VIEWER)
