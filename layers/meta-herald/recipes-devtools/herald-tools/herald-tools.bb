SUMMARY = "Debian trixie tools chroot: image, update and package build tools"
DESCRIPTION = "Runs everything the build needs beyond bitbake itself (mkfs, \
sfdisk, GRUB, RAUC, veritysetup, bmaptool, dpkg-dev, Python 3.13 with a \
compiler for sdists), so the build host needs only mmdebstrap."

inherit herald-tools

TOOLS_INSTALL = "rauc fdisk e2fsprogs dosfstools mtools grub-efi-amd64-bin grub-common \
    squashfs-tools erofs-utils cryptsetup-bin openssl bmap-tools apt-utils dpkg-dev \
    python3 python3-venv python3-dev gcc libasound2-dev libsndfile1 ca-certificates \
    zstd xz-utils"

do_bootstrap() {
    ${HERALD_SCRIPTS}/herald-rootfs --variant apt --suite ${DEBIAN_SUITE} \
        --mirror ${DEBIAN_MIRROR} --cache ${DL_DIR}/debs --target ${HERALD_TOOLS_ROOT} \
        --include "${TOOLS_INSTALL}"
}
do_bootstrap[file-checksums] = "${HERALD_SCRIPTS}/herald-rootfs:True"
do_bootstrap[sstate-outputs] = "${HERALD_TOOLS_ROOT}"
addtask bootstrap after do_unpack before do_build
