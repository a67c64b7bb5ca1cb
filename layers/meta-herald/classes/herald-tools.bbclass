# Run image tools (mkfs, sfdisk, grub-mkstandalone, rauc, veritysetup, ...)
# inside the cached Debian trixie tools chroot that the herald-tools recipe
# makes, so the build host needs none of them.
#   herald_tools [--bind SRC:DST]... -- COMMAND...
HERALD_TOOLS_ROOT = "${TMPDIR}/sysroots/herald-tools"
BB_BASEHASH_IGNORE_VARS += "HERALD_TOOLS_ROOT"

herald_tools() {
    ${HERALD_SCRIPTS}/herald-chroot ${HERALD_TOOLS_ROOT} "$@"
}
