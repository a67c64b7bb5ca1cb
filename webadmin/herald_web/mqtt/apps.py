from django.apps import AppConfig


class MqttConfig(AppConfig):
    name = "herald_web.mqtt"
    verbose_name = "MQTT"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register("system.mqtt", "MQTT", "mqtt:page", Level.ADMIN)
