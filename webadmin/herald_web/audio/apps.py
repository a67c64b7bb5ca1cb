from django.apps import AppConfig


class AudioConfig(AppConfig):
    name = "herald_web.audio"
    verbose_name = "Audio"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register("audio", "Audio", "audio:index", Level.OPERATOR)
        nav.register("speaker-test", "Speaker test", "audio:speaker_test", Level.OPERATOR)
