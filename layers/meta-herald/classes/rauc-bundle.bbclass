# The signed RAUC update bundle (verity format) of an image's root slot,
# compatible with HERALD_COMPATIBLE and versioned DISTRO_VERSION.

HERALD_BUNDLE_NAME ??= "${IMAGE_NAME}.raucb"

do_bundle() {
    binds="--bind ${WORKDIR}:/work --bind ${HERALD_SCRIPTS}:/scripts --bind ${HERALD_KEYRING}:/pki/keyring.pem"
    cert=${HERALD_SIGNING_CERT} key=${HERALD_SIGNING_KEY}
    case $cert in pkcs11:*) ;; *) binds="$binds --bind $cert:/pki/cert.pem"; cert=/pki/cert.pem ;; esac
    case $key in pkcs11:*) ;; *) binds="$binds --bind $key:/pki/key.pem"; key=/pki/key.pem ;; esac
    herald_tools $binds -- /scripts/herald-bundle "$cert" "$key" /pki/keyring.pem \
        "${HERALD_COMPATIBLE}" "${DISTRO_VERSION}" "${HERALD_BUILD_ID}" \
        /work/rootfs.ext4 /work/deploy/${HERALD_BUNDLE_NAME}
}
do_bundle[dirs] = "${IMAGE_OUT}"
# A new signing certificate or trusted CA means a new bundle.
do_bundle[file-checksums] = "${HERALD_SCRIPTS}/herald-bundle:True ${HERALD_KEYRING}:True \
    ${@'' if d.getVar('HERALD_SIGNING_CERT').startswith('pkcs11:') else d.getVar('HERALD_SIGNING_CERT') + ':True'}"
addtask bundle after do_image_slot before do_build
