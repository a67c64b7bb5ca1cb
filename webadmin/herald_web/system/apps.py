from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "herald_web.system"
    verbose_name = "System"

    def ready(self) -> None:
        from herald.access import Level
        from herald_web.ui import nav

        nav.register(nav.system_page("time"), "Date and time", "system:time", Level.ADMIN)
        # The manual's SNMP is part of Network; its own entry until there is a Network page.
        nav.register("system.snmp", "SNMP", "system:snmp", Level.ADMIN)
        # The Network page has its network discovery protocols only, so far.
        nav.register(nav.system_page("network"), "Network", "system:network-discovery", Level.ADMIN)
        nav.register(nav.system_page("sip"), "SIP", "system:sip", Level.ADMIN)
        nav.register("system.logs", "Logs", "system:logs", Level.ADMIN)
        nav.register("system.plain-config", "Plain config", "system:plain-config", Level.ADMIN)
