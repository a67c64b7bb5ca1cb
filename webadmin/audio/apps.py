from django.apps import AppConfig


class AudioConfig(AppConfig):
    name = "audio"
    verbose_name = "Audio"

    def ready(self) -> None:
        from herald.access import Level
        from ui import nav

        nav.register("audio", "Audio", "audio:index", Level.OPERATOR)
