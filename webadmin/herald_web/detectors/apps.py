from django.apps import AppConfig


class DetectorsConfig(AppConfig):
    name = "herald_web.detectors"
    verbose_name = "Detectors"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register("system.detectors", "Detectors", "detectors:index", Level.ADMIN)
