# The signed RAUC update bundle (verity format) of an image's root slot.
# The manifest comes from the RAUC_BUNDLE_* variables (as meta-rauc names
# them); `bitbake -e <image>` shows them and a kas overlay can override them.

HERALD_BUNDLE_NAME ??= "${IMAGE_NAME}.raucb"
RAUC_BUNDLE_COMPATIBLE ??= "${HERALD_COMPATIBLE}"
RAUC_BUNDLE_VERSION ??= "${DISTRO_VERSION}"
RAUC_BUNDLE_BUILD ??= "${HERALD_BUILD_ID}"
RAUC_BUNDLE_DESCRIPTION ??= "${DISTRO_NAME} ${DISTRO_VERSION}"
RAUC_BUNDLE_FORMAT ??= "verity"
# Slot class and the image file in the bundle that goes into it. An image's
# [adaptive] flag names RAUC's adaptive update methods for it: with
# block-hash-index, a device installing from a URL (streaming) downloads only
# the 4 KiB blocks that neither of its slots holds already.
RAUC_BUNDLE_SLOTS ??= "rootfs"
RAUC_SLOT_rootfs ??= "rootfs.ext4"
RAUC_SLOT_rootfs[adaptive] ??= "block-hash-index"

python do_bundle_manifest() {
    lines = ["[update]",
             f"compatible={d.getVar('RAUC_BUNDLE_COMPATIBLE')}",
             f"version={d.getVar('RAUC_BUNDLE_VERSION')}",
             f"build={d.getVar('RAUC_BUNDLE_BUILD')}",
             f"description={d.getVar('RAUC_BUNDLE_DESCRIPTION')}",
             "", "[bundle]", f"format={d.getVar('RAUC_BUNDLE_FORMAT')}"]
    for slot in d.getVar("RAUC_BUNDLE_SLOTS").split():
        image = d.getVar("RAUC_SLOT_" + slot)
        if not image:
            bb.fatal(f"RAUC_BUNDLE_SLOTS names {slot!r} but RAUC_SLOT_{slot} is empty")
        lines += ["", f"[image.{slot}]", f"filename={image}"]
        adaptive = d.getVarFlag("RAUC_SLOT_" + slot, "adaptive")
        if adaptive:
            lines.append(f"adaptive={adaptive}")
    with open(os.path.join(d.getVar("WORKDIR"), "manifest.raucm"), "w") as f:
        f.write("\n".join(lines) + "\n")
}
# The slots' variables are read by a computed name: make them count.
do_bundle_manifest[vardeps] += "${@' '.join('RAUC_SLOT_' + s for s in d.getVar('RAUC_BUNDLE_SLOTS').split())}"
addtask bundle_manifest after do_unpack before do_bundle

do_bundle() {
    binds="--bind ${WORKDIR}:/work --bind ${HERALD_SCRIPTS}:/scripts --bind ${HERALD_KEYRING}:/pki/keyring.pem"
    cert=${HERALD_SIGNING_CERT} key=${HERALD_SIGNING_KEY}
    case $cert in pkcs11:*) ;; *) binds="$binds --bind $cert:/pki/cert.pem"; cert=/pki/cert.pem ;; esac
    case $key in pkcs11:*) ;; *) binds="$binds --bind $key:/pki/key.pem"; key=/pki/key.pem ;; esac
    herald_tools $binds -- /scripts/herald-bundle "$cert" "$key" /pki/keyring.pem \
        /work/manifest.raucm /work /work/deploy/${HERALD_BUNDLE_NAME}
}
do_bundle[dirs] = "${IMAGE_OUT}"
# A new signing certificate or trusted CA means a new bundle.
do_bundle[file-checksums] = "${HERALD_SCRIPTS}/herald-bundle:True ${HERALD_KEYRING}:True \
    ${@'' if d.getVar('HERALD_SIGNING_CERT').startswith('pkcs11:') else d.getVar('HERALD_SIGNING_CERT') + ':True'}"
addtask bundle after do_image_slot do_bundle_manifest before do_build
