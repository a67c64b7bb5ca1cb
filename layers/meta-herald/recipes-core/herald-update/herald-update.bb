SUMMARY = "Herald OS A/B updates: RAUC configuration and keyring, grubenv repair, boot health gate units"

inherit dpkg-raw

SRC_URI = "file://system.conf.in file://herald-grubenv file://herald-grubenv.service \
    file://herald-health.service file://herald-update-prepare.service file://rauc-streaming.conf file://postinst"
# The gate and prepare steps are the firmware's update client (herald-update).
DEBIAN_DEPENDS = "rauc, rauc-service, grub-common, herald-firmware"

do_install() {
    [ -s "${HERALD_KEYRING}" ] || bbfatal "no CA certificates to trust at HERALD_KEYRING" \
        "(${HERALD_KEYRING}): run scripts/setup, which makes the development PKI," \
        "or set HERALD_KEYRING as signing/README.md describes"
    install -d ${D}/etc/rauc
    # The slots and the ESP's mount point come from the disk layout (machine conf).
    esp_mount=
    for mount in ${HERALD_MOUNTS}; do
        [ "${mount%%:*}" = esp ] && esp_mount=$(echo "$mount" | cut -d: -f2)
    done
    [ -n "$esp_mount" ] || bbfatal "HERALD_MOUNTS mounts no partition named esp (GRUB's grubenv lives there)"
    sed -e 's/@COMPATIBLE@/${HERALD_COMPATIBLE}/' -e "s|@ESP_MOUNT@|$esp_mount|" \
        ${WORKDIR}/system.conf.in > ${D}/etc/rauc/system.conf
    index=0
    for slot in ${HERALD_SLOTS}; do
        printf '\n[slot.rootfs.%d]\ndevice=/dev/disk/by-partlabel/%s\ntype=ext4\nbootname=%s\n' \
            $index "${slot#*:}" "${slot%%:*}" >> ${D}/etc/rauc/system.conf
        index=$((index + 1))
    done
    install -m 644 ${HERALD_KEYRING} ${D}/etc/rauc/keyring.pem
    install -D -m 755 ${WORKDIR}/herald-grubenv ${D}/usr/lib/herald/herald-grubenv
    install -D -m 644 ${WORKDIR}/rauc-streaming.conf \
        ${D}/usr/lib/systemd/system/rauc.service.d/herald-streaming.conf
    for unit in herald-grubenv herald-health herald-update-prepare; do
        install -D -m 644 ${WORKDIR}/$unit.service ${D}/usr/lib/systemd/system/$unit.service
    done
}
# The trusted CA certificates are an input: a new keyring means a new package.
do_install[file-checksums] += "${HERALD_KEYRING}:True"
