# The task chain every recipe has (inherited implicitly, as in BitBake):
# do_fetch -> do_unpack -> do_install -> do_build. Recipes and classes hook
# their own tasks in between.

# Local files of SRC_URI (file://) are found in FILESPATH and copied into
# WORKDIR, where tasks use them; their content is part of do_unpack's signature.
python do_unpack() {
    import shutil
    workdir = d.getVar("WORKDIR")
    for uri in (d.getVar("SRC_URI") or "").split():
        if not uri.startswith("file://"):
            bb.fatal(f"{d.getVar('PN')}: only file:// entries are supported in SRC_URI: {uri}")
        name = uri[len("file://"):].rstrip("/")
        src = bb.fetch.localpath(uri, d)
        if not src or not os.path.exists(src):
            bb.fatal(f"{d.getVar('PN')}: {uri} not found in FILESPATH ({d.getVar('FILESPATH')})")
        dst = os.path.join(workdir, name)
        bb.utils.remove(dst, recurse=True)
        bb.utils.mkdirhier(os.path.dirname(dst))
        if os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True)
        else:
            shutil.copy2(src, dst)
}
do_unpack[file-checksums] = "${@bb.fetch.get_checksum_file_list(d)}"
do_unpack[dirs] = "${WORKDIR}"

do_fetch[noexec] = "1"
do_install[noexec] = "1"
do_build[noexec] = "1"

addtask fetch
addtask unpack after do_fetch
addtask install after do_unpack
addtask build after do_install
