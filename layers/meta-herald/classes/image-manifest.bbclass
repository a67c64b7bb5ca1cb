# What an image contains: ${IMAGE_NAME}.manifest (package, version, arch,
# license, origin) and ${IMAGE_NAME}.spdx.json (SPDX 2.3 SBOM).

do_manifest() {
    python3 ${HERALD_SCRIPTS}/herald-sbom ${IMAGE_ROOTFS} ${IMAGE_NAME} ${DISTRO_VERSION} \
        ${SOURCE_DATE_EPOCH} ${IMAGE_OUT}/${IMAGE_NAME}.manifest ${IMAGE_OUT}/${IMAGE_NAME}.spdx.json
}
do_manifest[dirs] = "${IMAGE_OUT}"
do_manifest[file-checksums] = "${HERALD_SCRIPTS}/herald-sbom:True"
addtask manifest after do_rootfs before do_build
