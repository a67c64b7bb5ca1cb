SUMMARY = "Herald OS base system: read-only root, /data, network, device identity"

inherit dpkg-raw

SRC_URI = "file://fstab.in file://herald-var file://20-wired.network \
    file://herald-identity file://herald-identity.service \
    file://sshd-herald.conf file://redis-herald.conf file://herald-no-hwdb file://postinst"
DEBIAN_DEPENDS = "systemd, systemd-resolved, udev, openssh-server, redis-server, initramfs-tools, e2fsprogs"

do_install() {
    # One line per mount of the disk layout (HERALD_MOUNTS, machine conf); an
    # ext4 file system is checked at boot, others not.
    install -D -m 644 ${WORKDIR}/fstab.in ${D}/etc/fstab
    for mount in ${HERALD_MOUNTS}; do
        part=${mount%%:*} rest=${mount#*:}
        point=${rest%%:*} rest=${rest#*:}
        type=${rest%%:*} options=${rest#*:}
        printf 'PARTLABEL=%s\t%s\t%s\t%s\t0 %s\n' "$part" "$point" "$type" "$options" \
            "$([ "$type" = ext4 ] && echo 2 || echo 0)" >> ${D}/etc/fstab
        install -d ${D}$point
    done
    install -D -m 755 ${WORKDIR}/herald-var ${D}/etc/initramfs-tools/scripts/local-bottom/herald-var
    install -D -m 755 ${WORKDIR}/herald-no-hwdb ${D}/etc/initramfs-tools/hooks/herald-no-hwdb
    install -D -m 644 ${WORKDIR}/20-wired.network ${D}/etc/systemd/network/20-wired.network
    install -D -m 755 ${WORKDIR}/herald-identity ${D}/usr/lib/herald/herald-identity
    install -D -m 644 ${WORKDIR}/herald-identity.service ${D}/usr/lib/systemd/system/herald-identity.service
    install -D -m 644 ${WORKDIR}/sshd-herald.conf ${D}/etc/ssh/sshd_config.d/herald.conf
    install -D -m 644 ${WORKDIR}/redis-herald.conf ${D}/etc/systemd/system/redis-server.service.d/herald.conf
}
