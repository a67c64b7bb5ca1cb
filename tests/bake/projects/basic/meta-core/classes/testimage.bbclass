# Collects the deployed files of IMAGE_INSTALL into one image file.
do_rootfs() {
    echo "${PN}:do_rootfs" >> ${JOURNAL}
    mkdir -p ${DEPLOY_DIR_IMAGE}
    cat ${DEPLOY_DIR}/hello/*.txt > ${DEPLOY_DIR_IMAGE}/${PN}.img
}
do_rootfs[depends] = "${@' '.join(p + ':do_deploy' for p in d.getVar('IMAGE_INSTALL').split())}"
do_rootfs[sstate-outputs] = "${DEPLOY_DIR_IMAGE}/${PN}.img"
addtask rootfs before do_build
deltask do_deploy
deltask do_install
deltask do_compile
