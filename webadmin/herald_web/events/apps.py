from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "herald_web.events"
    verbose_name = "Events"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register("system.events", "Events", "events:rules", Level.ADMIN)
