SUMMARY = "Herald OS test-image debug access: a shell on a virtio port, fw_cfg boot scripts"
DESCRIPTION = "Only for test images (kas/test.yml); production images have no debug access."

inherit dpkg-raw

SRC_URI = "file://herald-debug-shell.service file://90-herald-debug.rules \
    file://herald-debug-bootscript file://herald-debug-bootscript.service file://postinst"

do_install() {
    install -D -m 644 ${WORKDIR}/herald-debug-shell.service ${D}/usr/lib/systemd/system/herald-debug-shell.service
    install -D -m 644 ${WORKDIR}/90-herald-debug.rules ${D}/usr/lib/udev/rules.d/90-herald-debug.rules
    install -D -m 755 ${WORKDIR}/herald-debug-bootscript ${D}/usr/lib/herald/herald-debug-bootscript
    install -D -m 644 ${WORKDIR}/herald-debug-bootscript.service ${D}/usr/lib/systemd/system/herald-debug-bootscript.service
}
