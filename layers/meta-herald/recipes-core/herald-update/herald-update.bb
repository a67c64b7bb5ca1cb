SUMMARY = "Herald OS A/B updates: RAUC configuration and keyring, slot health check"

inherit dpkg-raw

SRC_URI = "file://system.conf.in file://herald-grubenv file://herald-grubenv.service \
    file://herald-health file://herald-health.service file://postinst"
DEBIAN_DEPENDS = "rauc, rauc-service, grub-common, curl, python3"

do_install() {
    install -d ${D}/etc/rauc
    sed 's/@COMPATIBLE@/${HERALD_COMPATIBLE}/' ${WORKDIR}/system.conf.in > ${D}/etc/rauc/system.conf
    install -m 644 ${HERALD_KEYRING} ${D}/etc/rauc/keyring.pem
    for f in herald-grubenv herald-health; do
        install -D -m 755 ${WORKDIR}/$f ${D}/usr/lib/herald/$f
        install -D -m 644 ${WORKDIR}/$f.service ${D}/usr/lib/systemd/system/$f.service
    done
}
# The trusted CA certificates are an input: a new keyring means a new package.
do_install[file-checksums] += "${HERALD_KEYRING}:True"
