from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class SystemConfig(AppConfig):
    name = "system"
    verbose_name = "System"

    def ready(self) -> None:
        from herald.access import Level
        from ui import nav

        nav.register("system.logs", "Logs", "system:logs", Level.ADMIN)
        nav.register("system.plain-config", "Plain config", "system:plain-config", Level.ADMIN)
        # Sent for apps with models: the beat schedule's own app is one.
        post_migrate.connect(_schedule, sender=apps.get_app_config("django_celery_beat"))


def _schedule(**kwargs: Any) -> None:
    from herald_web.schedule import every

    every("Refresh the status of time sync and connected clients",
          "system.tasks.refresh_status", 10)
    every("Rotate the system and access logs", "system.tasks.rotate_logs", 300)
