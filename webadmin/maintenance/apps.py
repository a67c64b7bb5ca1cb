from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = "Maintenance"

    def ready(self) -> None:
        from herald.access import Level
        from ui import nav

        nav.register("maintenance", "Maintenance", "maintenance:index", Level.ADMIN)
