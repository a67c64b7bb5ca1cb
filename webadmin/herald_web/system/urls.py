from django.urls import path

from herald_web.system import discovery, remote_syslog, sip, snmp, time_page, views

app_name = "system"
urlpatterns = [
    path("system/plain-config/", views.plain_config, name="plain-config"),
    path("system/plain-config/<str:group>/", views.plain_config, name="plain-config-group"),
    path("system/time/", time_page.time_page, name="time"),
    path("system/snmp/", snmp.snmp_page, name="snmp"),
    path("system/sip/", sip.sip_page, name="sip"),
    path("system/network/discovery/", discovery.discovery_page, name="network-discovery"),
    path("system/logs/", views.logs_page, name="logs"),
    path("system/logs/server-report/", views.report_view, name="report"),
    path("system/logs/server-report.zip", views.report_zip, name="report-zip"),
    path("system/logs/debug.tgz", views.crash_report, name="crash-report"),
    path("system/logs/trace/start/", views.trace_start, name="trace-start"),
    path("system/logs/trace/stop/", views.trace_stop, name="trace-stop"),
    path("system/logs/trace.pcap", views.trace_download, name="trace-download"),
    path("system/logs/remote-syslog/", remote_syslog.remote_syslog, name="remote-syslog"),
    path("system/logs/<str:name>/", views.show_log, name="log"),
]
