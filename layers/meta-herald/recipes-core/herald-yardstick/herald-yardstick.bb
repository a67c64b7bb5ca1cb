SUMMARY = "Boot-time yardstick: the base system answering HTTP with nothing of Herald's running"
DESCRIPTION = "Only for herald-image-yardstick (kas/yardstick.yml), which bench/image_boot.py \
boots beside the test image: the same kernel, initramfs, boot chain, disk layout and base \
configuration, and a static HTTP server in place of the firmware services."

inherit dpkg-raw

SRC_URI = "file://herald-yardstick-http.service file://index.html file://postinst"
DEBIAN_DEPENDS = "busybox"

do_install() {
    install -D -m 644 ${WORKDIR}/herald-yardstick-http.service \
        ${D}/usr/lib/systemd/system/herald-yardstick-http.service
    install -D -m 644 ${WORKDIR}/index.html ${D}/usr/share/herald-yardstick/index.html
}
