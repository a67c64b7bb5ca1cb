# Package files into a Debian package without a build system (after Isar's
# dpkg-raw): a recipe lists its files in SRC_URI and puts them into ${D} in
# do_install; maintainer scripts (postinst, ...) from SRC_URI are used as is.
# The package's control fields come from the variables below, which
# `bitbake -e <recipe>` shows and a recipe or kas overlay can set.
# The .deb lands in ${REPO_DIR}/${PN}, from where images install it.

DEBIAN_DEPENDS ??= ""
DESCRIPTION ??= "${SUMMARY}"
SUMMARY ??= "${PN}"
DPKG_PACKAGE_ARCH ??= "all"
DEB_VERSION ??= "${PV}-${PR}"
LICENSE ??= "GPL-3.0-or-later"
DEBIAN_SECTION ??= "misc"
DEBIAN_PRIORITY ??= "optional"
MAINTAINER ??= "Herald developers <herald@localhost>"
DEBIAN_MAINTAINER_SCRIPTS = "preinst postinst prerm postrm conffiles"

# base.bbclass marks do_install noexec; only removing the flag lets it run
# (BitBake takes any value, "0" too, as noexec).
unset do_install[noexec]
do_install[cleandirs] = "${D}"
do_install() {
    :
}

def deb_description(summary, text):
    """Debian's Description: the summary line, then the longer text indented."""
    text = " ".join(text.split())
    return summary if text in ("", summary) else f"{summary}\n {text}"

# DEBIAN/control, the maintainer scripts and a machine-readable copyright
# file (unless the recipe installed its own) in ${D}.
python do_deb_control() {
    import shutil

    root, pn = d.getVar("D"), d.getVar("PN")
    doc = os.path.join(root, "usr", "share", "doc", pn)
    os.makedirs(doc, exist_ok=True)
    if not os.path.exists(os.path.join(doc, "copyright")):
        with open(os.path.join(doc, "copyright"), "w") as f:
            f.write("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
                    f"Upstream-Name: {pn}\n\nFiles: *\nCopyright: Herald developers\n"
                    f"License: {d.getVar('LICENSE')}\n")
    debian = os.path.join(root, "DEBIAN")
    os.makedirs(debian, exist_ok=True)
    # Installed-Size: KiB of the files' own sizes, the same wherever it is built.
    size = sum(os.lstat(os.path.join(top, name)).st_size
               for top, _, names in os.walk(root) if not top.startswith(debian)
               for name in names)
    fields = [("Package", pn), ("Version", d.getVar("DEB_VERSION")),
              ("Architecture", d.getVar("DPKG_PACKAGE_ARCH")),
              ("Maintainer", d.getVar("MAINTAINER")),
              ("Depends", d.getVar("DEBIAN_DEPENDS").strip()),
              ("Section", d.getVar("DEBIAN_SECTION")), ("Priority", d.getVar("DEBIAN_PRIORITY")),
              ("Installed-Size", str((size + 1023) // 1024)),
              ("Description", deb_description(d.getVar("SUMMARY"), d.getVar("DESCRIPTION")))]
    with open(os.path.join(debian, "control"), "w") as f:
        f.writelines(f"{key}: {value}\n" for key, value in fields if value)
    for script in d.getVar("DEBIAN_MAINTAINER_SCRIPTS").split():
        source = os.path.join(d.getVar("WORKDIR"), script)
        if os.path.isfile(source):
            target = os.path.join(debian, script)
            shutil.copyfile(source, target)
            os.chmod(target, 0o644 if script == "conffiles" else 0o755)
}
addtask deb_control after do_install before do_deploy_deb

do_deploy_deb() {
    ${HERALD_SCRIPTS}/herald-mkdeb ${D} ${WORKDIR}/deploy-debs
}
do_deploy_deb[cleandirs] = "${WORKDIR}/deploy-debs"
do_deploy_deb[file-checksums] = "${HERALD_SCRIPTS}/herald-mkdeb:True"
do_deploy_deb[sstate-inputdirs] = "${WORKDIR}/deploy-debs"
do_deploy_deb[sstate-outputdirs] = "${REPO_DIR}/${PN}"
addtask deploy_deb after do_deb_control before do_build
