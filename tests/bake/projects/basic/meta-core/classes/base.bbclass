# Tasks every recipe has: unpack, compile, install, deploy (cached), build.
GREETING ??= "hello"
INSTALL_NOTE ??= ""

do_unpack() {
    mkdir -p ${S}
    echo "${PN}:do_unpack" >> ${JOURNAL}
}
addtask unpack

do_compile() {
    echo "${PN}:do_compile" >> ${JOURNAL}
    echo "${GREETING}" > ${B}/greeting.txt
}
do_compile[dirs] = "${B}"
do_compile[deptask] = "do_deploy"
addtask compile after do_unpack

do_install() {
    echo "${PN}:do_install" >> ${JOURNAL}
    install -d ${D}
    cp ${B}/greeting.txt ${D}/${PN}.txt
    echo "${INSTALL_NOTE}" >> ${D}/${PN}.txt
}
do_install[cleandirs] = "${D}"
addtask install after do_compile

python do_deploy() {
    import shutil
    with open(d.getVar("JOURNAL"), "a") as f:
        f.write(d.getVar("PN") + ":do_deploy\n")
    out = d.getVar("DEPLOYOUT")
    bb.utils.mkdirhier(out)
    shutil.copy(os.path.join(d.getVar("D"), d.getVar("PN") + ".txt"), out)
}
DEPLOYOUT = "${WORKDIR}/deploy"
do_deploy[cleandirs] = "${DEPLOYOUT}"
do_deploy[sstate-inputdirs] = "${DEPLOYOUT}"
do_deploy[sstate-outputdirs] = "${DEPLOY_DIR}/${PN}"
addtask deploy after do_install

do_build[noexec] = "1"
addtask build after do_deploy
