# A Herald OS image: a Debian root filesystem from mmdebstrap (Debian's
# packages in IMAGE_PREINSTALL, Herald's own recipes in IMAGE_INSTALL through
# a local apt repository), made into a read-only slot image and a GPT disk
# (EFI system partition with GRUB, root slots A and B, data) with a bmap.
# Outputs go to ${DEPLOY_DIR_IMAGE}.

inherit herald-tools rauc-bundle image-manifest

IMAGE_INSTALL ??= ""
IMAGE_PREINSTALL ??= "${HERALD_BASE_PREINSTALL} ${MACHINE_PREINSTALL}"
IMAGE_NAME ??= "${PN}-${MACHINE}"
HERALD_BUILD_ID ??= "${DISTRO_VERSION}"
IMAGE_ROOTFS = "${WORKDIR}/rootfs"
# The root filesystem is made in two steps. The base: Debian's packages
# (IMAGE_PREINSTALL) and those of IMAGE_INSTALL that change seldom and that
# the initramfs takes files from (IMAGE_BASE_INSTALL), bootstrapped with
# mmdebstrap. Then the rest of IMAGE_INSTALL, installed with dpkg over a copy
# of the base: a change in the firmware redoes only that (seconds, not a
# Debian bootstrap). The Debian packages the rest needs must be in the base.
IMAGE_BASE_INSTALL ??= "herald-base"
# Paths (shell patterns under the root) removed from the base once it is
# made; each must still match something, so the list stays true.
IMAGE_PRUNE ??= "${HERALD_IMAGE_PRUNE}"
IMAGE_ROOTFS_BASE = "${WORKDIR}/rootfs-base"
IMAGE_SLOT = "${WORKDIR}/rootfs.ext4"
IMAGE_OUT = "${WORKDIR}/deploy"
# Units of the base packages the device does not need.
# A machine without a board file has none of the board's parts.
HERALD_BOARD_FILE ??= ""
IMAGE_MASK_UNITS ??= "e2scrub_reap.service e2scrub_all.timer grub-common.service apt-daily.timer apt-daily-upgrade.timer"

python () {
    install = d.getVar("IMAGE_INSTALL").split()
    wanted = d.getVar("IMAGE_BASE_INSTALL").split()
    base = [pn for pn in install if pn in wanted]
    added = [pn for pn in install if pn not in wanted]
    d.setVar("IMAGE_BASE_PACKAGES", " ".join(base))
    d.setVar("IMAGE_ADDED_PACKAGES", " ".join(added))
    for task, pns in (("do_rootfs_base", base), ("do_rootfs", added)):
        d.appendVarFlag(task, "depends", "".join(f" {pn}:do_deploy_deb" for pn in pns))
}

# Herald's packages PNS (their .debs) copied into DIR, emptied first.
image_debs() {
    rm -rf $1
    mkdir -p $1
    for pn in $2; do
        cp ${REPO_DIR}/$pn/*.deb $1/
    done
}

do_rootfs_base() {
    image_debs ${WORKDIR}/repo "${IMAGE_BASE_PACKAGES}"
    herald_tools --bind ${WORKDIR}/repo:/repo --chdir /repo -- \
        sh -c 'dpkg-scanpackages --multiversion . > Packages 2>/dev/null && apt-ftparchive release . > Release'
    ${HERALD_SCRIPTS}/herald-rootfs --suite ${DEBIAN_SUITE} --mirror ${DEBIAN_MIRROR} \
        --cache ${DL_DIR}/debs --target ${IMAGE_ROOTFS_BASE} --repo ${WORKDIR}/repo \
        --include "${IMAGE_PREINSTALL} ${IMAGE_BASE_PACKAGES}" \
        --kernel-modules "${HERALD_KERNEL_MODULES}" --initramfs-modules "${HERALD_INITRAMFS_MODULES}"
    cd ${IMAGE_ROOTFS_BASE}
    for path in ${IMAGE_PRUNE}; do
        [ -e "$path" ] || [ -L "$path" ] || \
            bbfatal "IMAGE_PRUNE: $path is not in the root filesystem (any more): take it off the list"
        rm -rf "$path"
    done
}
do_rootfs_base[depends] = "herald-tools:do_bootstrap"
do_rootfs_base[file-checksums] = "${HERALD_SCRIPTS}/herald-rootfs:True ${HERALD_SCRIPTS}/herald-prune-modules:True"
addtask rootfs_base after do_unpack before do_rootfs

do_rootfs() {
    image_debs ${WORKDIR}/added "${IMAGE_ADDED_PACKAGES}"
    ${HERALD_SCRIPTS}/herald-rootfs-add ${IMAGE_ROOTFS_BASE} ${WORKDIR}/added ${IMAGE_ROOTFS}
    for unit in ${IMAGE_MASK_UNITS}; do
        ln -sf /dev/null ${IMAGE_ROOTFS}/etc/systemd/system/$unit
    done
    # Bonjour: herald-system writes avahi's service file from the settings in
    # its runtime folder (the root filesystem is read-only), which avahi-daemon
    # sees as its services folder (a bind mount: avahi may chroot to /etc/avahi).
    if [ -d ${IMAGE_ROOTFS}/etc/avahi/services ]; then
        mkdir -p ${IMAGE_ROOTFS}/etc/systemd/system/avahi-daemon.service.d
        printf '%s\n' '[Unit]' 'After=herald-system.service' '[Service]' \
            'BindReadOnlyPaths=-/run/herald-avahi:/etc/avahi/services' \
            > ${IMAGE_ROOTFS}/etc/systemd/system/avahi-daemon.service.d/herald.conf
    fi
    # Date and time: herald-system writes chrony's sources and the time zone in
    # /data/time (firmware/herald/system/time_settings.py). chronyd takes its
    # sources from there only (not Debian's pool), and /etc/localtime points
    # there (UTC until herald-system has written it).
    if [ -f ${IMAGE_ROOTFS}/etc/chrony/chrony.conf ]; then
        # A clock set by hand, or found far off, is stepped at once at any
        # time, not only in the first updates after start (Debian's makestep 1 3).
        sed -i -e '/^pool /d' -e '/^server /d' -e '/^sourcedir /d' \
            -e 's/^makestep .*/makestep 1 -1/' ${IMAGE_ROOTFS}/etc/chrony/chrony.conf
        grep -qx 'makestep 1 -1' ${IMAGE_ROOTFS}/etc/chrony/chrony.conf
        mkdir -p ${IMAGE_ROOTFS}/etc/chrony/conf.d
        echo 'sourcedir /data/time' > ${IMAGE_ROOTFS}/etc/chrony/conf.d/herald.conf
        # chronyc's privileged commands go over chronyd's socket only, and
        # chronyc makes its own reply socket beside it: group _chrony
        # (herald-system's) gets write access to both, and may enter the
        # folder (chronyd makes it 0700).
        mkdir -p ${IMAGE_ROOTFS}/etc/systemd/system/chrony.service.d
        printf '%s\n' '[Service]' \
            'ExecStartPost=-+/bin/chmod g+wX /run/chrony /run/chrony/chronyd.sock' \
            > ${IMAGE_ROOTFS}/etc/systemd/system/chrony.service.d/herald.conf
    fi
    ln -sfn /data/time/localtime ${IMAGE_ROOTFS}/etc/localtime
    # The machine's board file: where herald-core finds the LED, button and switches.
    if [ -n "${HERALD_BOARD_FILE}" ]; then
        install -D -m 644 ${HERALD_BOARD_FILE} ${IMAGE_ROOTFS}/etc/herald/board.toml
    fi
    # The root filesystem only changes as a whole slot, so what systemd redoes
    # "after /usr was updated" (journal catalog, ldconfig, hwdb) is done: /var
    # is a RAM overlay, and without these stamps it would be redone every boot.
    # /usr's time is clamped to SOURCE_DATE_EPOCH with the slot's other files (do_image_slot).
    for stamp in etc/.updated var/.updated; do
        echo "TIMESTAMP_NSEC=${SOURCE_DATE_EPOCH}000000000" > ${IMAGE_ROOTFS}/$stamp
    done
    rm -f ${IMAGE_ROOTFS}/etc/os-release
    # When the build's sources are from, as VAPIX's BuildDate reads ("Jan 01 2026 00:00").
    build_date=$(LC_ALL=C date -u -d @${SOURCE_DATE_EPOCH} '+%b %d %Y %H:%M')
    # Indented so that no line of the function starts with NAME= in `bitbake -e`.
    sed 's/^ *//' > ${IMAGE_ROOTFS}/etc/os-release <<OSRELEASE
        PRETTY_NAME="${DISTRO_NAME} ${DISTRO_VERSION}"
        NAME="${DISTRO_NAME}"
        ID=herald
        ID_LIKE=debian
        VERSION="${DISTRO_VERSION} (Debian ${DEBIAN_SUITE})"
        VERSION_ID=${DISTRO_VERSION}
        BUILD_ID=${HERALD_BUILD_ID}
        HERALD_BUILD_DATE="$build_date"
        VARIANT_ID=${PN}
        HERALD_COMPATIBLE=${HERALD_COMPATIBLE}
        HERALD_MIN_VERSION=${HERALD_MIN_VERSION}
OSRELEASE
}
do_rootfs[file-checksums] = "${HERALD_SCRIPTS}/herald-rootfs-add:True ${HERALD_SCRIPTS}/herald-chroot:True ${HERALD_BOARD_FILE}:True"
addtask rootfs after do_rootfs_base before do_build

# The slot image: ext4, read-only at run time, file times clamped. Sized to
# its content, not to the slot: RAUC writes every byte of it on each install,
# and the root filesystem never grows at run time. The margin holds ext4's
# own metadata (journal, inode tables, directories).
do_image_slot() {
    rm -f ${IMAGE_SLOT}
    # Counted in 4 KiB blocks from file sizes, the same on every build host.
    used_kib=$(find ${IMAGE_ROOTFS} -printf '%s\n' | awk '{ k += int(($1 + 4095) / 4096) * 4 } END { print k }')
    size_mib=$((used_kib * 11 / 10 / 1024 + 64))
    # No time of the build goes into the slot, or each build's would differ:
    # access times are the sources' time, and so are modification times newer
    # than it (files made during the build). Python sources keep theirs, which
    # come from their packages: their byte code, compiled at install, records
    # it and would be stale, recompiled at every start on the read-only root.
    find ${IMAGE_ROOTFS} -exec touch --no-dereference --time=atime --date=@${SOURCE_DATE_EPOCH} {} +
    find ${IMAGE_ROOTFS} -newermt @${SOURCE_DATE_EPOCH} ! -name '*.py' \
        -exec touch --no-dereference --time=mtime --date=@${SOURCE_DATE_EPOCH} {} +
    herald_tools --bind ${WORKDIR}:/work -- env E2FSPROGS_FAKE_TIME=${SOURCE_DATE_EPOCH} \
        mkfs.ext4 -q -L herald-root -U clear -E root_owner=0:0,hash_seed=0b1c3d8e-2f4a-4b6c-9d0e-1f2a3b4c5d6e \
        -d /work/rootfs /work/rootfs.ext4 ${size_mib}M
}
addtask image_slot after do_rootfs before do_build

do_esp() {
    herald_tools --bind ${WORKDIR}:/work --bind ${GRUB_EMBED_CFG}:/grub/embed.cfg \
        --bind ${GRUB_CFG}:/grub/grub.cfg.in --bind ${HERALD_SCRIPTS}:/scripts -- \
        /scripts/herald-grub-esp ${GRUB_PLATFORM} ${GRUB_EFI_NAME} /grub/embed.cfg /grub/grub.cfg.in \
        ${HERALD_BOOT_TRIES} "${HERALD_KERNEL_CMDLINE}" "${HERALD_DISK_LAYOUT}" "${HERALD_SLOTS}" \
        /work/esp
}
do_esp[depends] = "herald-tools:do_bootstrap"
do_esp[file-checksums] = "${GRUB_EMBED_CFG}:True ${GRUB_CFG}:True ${HERALD_SCRIPTS}/herald-grub-esp:True"
addtask esp after do_unpack before do_build

# The flashable GPT disk (with its .bmap), a raw image: `bmaptool copy` or dd.
HERALD_DISK_NAME ??= "${IMAGE_NAME}.img"

do_image_disk() {
    herald_tools --bind ${WORKDIR}:/work --bind ${HERALD_SCRIPTS}:/scripts -- \
        /scripts/herald-mkdisk "${HERALD_DISK_LAYOUT}" "${HERALD_SLOTS}" /work/esp \
        /work/rootfs.ext4 /work/deploy/${HERALD_DISK_NAME}
}
do_image_disk[dirs] = "${IMAGE_OUT}"
do_image_disk[file-checksums] = "${HERALD_SCRIPTS}/herald-mkdisk:True"
addtask image_disk after do_image_slot do_esp before do_build

# How qemu/run boots this machine.
python do_qemuboot() {
    import json
    keys = ("QB_MACHINE", "QB_CPU", "QB_SMP", "QB_MEM", "QB_OVMF_CODE", "QB_OVMF_VARS")
    conf = {k[3:].lower(): d.getVar(k) for k in keys}
    conf["image"] = d.getVar("HERALD_DISK_NAME")
    conf["version"] = d.getVar("DISTRO_VERSION")
    out = os.path.join(d.getVar("IMAGE_OUT"), d.getVar("IMAGE_NAME") + ".qemuboot.json")
    with open(out, "w") as f:
        json.dump(conf, f, indent=2, sort_keys=True)
        f.write("\n")
}
do_qemuboot[dirs] = "${IMAGE_OUT}"
addtask qemuboot after do_unpack before do_build

do_deploy() {
    mkdir -p ${DEPLOY_DIR_IMAGE}
    for f in ${IMAGE_OUT}/*; do
        cp --sparse=always $f ${DEPLOY_DIR_IMAGE}/.$(basename $f).tmp
        mv ${DEPLOY_DIR_IMAGE}/.$(basename $f).tmp ${DEPLOY_DIR_IMAGE}/$(basename $f)
    done
}
addtask deploy after do_image_disk do_bundle do_manifest do_qemuboot before do_build
