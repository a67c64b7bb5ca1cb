SUMMARY = "Herald firmware services: the core daemon, the update and system services, the web admin and the worker"
DESCRIPTION = "One Python venv (requirements/device.lock) with the herald package \
(firmware/) and the Django project (webadmin/), and their systemd units."

inherit python-venv-deb

VENV_PATH = "/usr/lib/herald/venv"
VENV_LOCK = "${HERALD_TOPSRC}/requirements/device.lock"
VENV_PROJECTS = "${HERALD_TOPSRC}/firmware ${HERALD_TOPSRC}/webadmin"
DPKG_PACKAGE_ARCH = "${DPKG_ARCH}"
DEBIAN_DEPENDS = "python3 (>= 3.13), python3 (<< 3.14), libasound2t64, redis-server, alsa-utils, adduser, polkitd, baresip-core, herald-base"

SRC_URI = "file://herald.default file://herald-web.service file://herald-core.service \
    file://herald-worker.service file://herald-updater.service file://herald-system.service file://herald-snmp.service file://herald-mqtt.service file://herald-sip.service file://herald.tmpfiles file://herald-rauc-dbus.conf file://herald-power.rules file://herald-units.rules file://herald-board.rules file://postinst"

do_install() {
    venv_install_projects
    install -D -m 644 ${WORKDIR}/herald.default ${D}/etc/default/herald
    install -D -m 644 ${WORKDIR}/herald.tmpfiles ${D}/usr/lib/tmpfiles.d/herald.conf
    install -D -m 644 ${WORKDIR}/herald-rauc-dbus.conf ${D}/usr/share/dbus-1/system.d/herald-rauc.conf
    install -D -m 644 ${WORKDIR}/herald-power.rules ${D}/usr/share/polkit-1/rules.d/50-herald-power.rules
    install -D -m 644 ${WORKDIR}/herald-units.rules ${D}/usr/share/polkit-1/rules.d/50-herald-units.rules
    install -D -m 644 ${WORKDIR}/herald-board.rules ${D}/usr/lib/udev/rules.d/70-herald-board.rules
    for unit in herald-web herald-core herald-worker herald-updater herald-system herald-snmp herald-mqtt herald-sip; do
        install -D -m 644 ${WORKDIR}/$unit.service ${D}/usr/lib/systemd/system/$unit.service
    done
}
