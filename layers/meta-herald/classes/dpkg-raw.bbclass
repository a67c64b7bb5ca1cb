# Package files into a Debian package without a build system (after Isar's
# dpkg-raw): a recipe lists its files in SRC_URI and puts them into ${D} in
# do_install; maintainer scripts (postinst, ...) from SRC_URI are used as is.
# The .deb lands in ${REPO_DIR}/${PN}, from where images install it.

DEBIAN_DEPENDS ??= ""
DESCRIPTION ??= "${SUMMARY}"
SUMMARY ??= "${PN}"
DPKG_PACKAGE_ARCH ??= "all"
DEB_VERSION ??= "${PV}-${PR}"
LICENSE ??= "GPL-3.0-or-later"

do_install[noexec] = "0"
do_install[cleandirs] = "${D}"
do_install() {
    :
}

do_deploy_deb() {
    ${HERALD_SCRIPTS}/herald-mkdeb ${D} ${WORKDIR}/deploy-debs ${PN} ${DEB_VERSION} \
        ${DPKG_PACKAGE_ARCH} "${DEBIAN_DEPENDS}" "${SUMMARY}" "${LICENSE}" ${WORKDIR}
}
do_deploy_deb[cleandirs] = "${WORKDIR}/deploy-debs"
do_deploy_deb[file-checksums] = "${HERALD_SCRIPTS}/herald-mkdeb:True"
do_deploy_deb[sstate-inputdirs] = "${WORKDIR}/deploy-debs"
do_deploy_deb[sstate-outputdirs] = "${REPO_DIR}/${PN}"
addtask deploy_deb after do_install before do_build
