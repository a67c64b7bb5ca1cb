from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "herald_web.maintenance"
    verbose_name = "Maintenance"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register("maintenance", "Maintenance", "maintenance:index", Level.ADMIN)
