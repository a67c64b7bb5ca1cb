from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class VapixConfig(AppConfig):
    name = "herald_web.vapix"
    verbose_name = "VAPIX API"

    def ready(self) -> None:
        # Every app's cgi.py registers its endpoints with vapix.registry.cgi.
        autodiscover_modules("cgi")
