# Package a Python virtual environment as a Debian package: the dependencies
# pinned with hashes in VENV_LOCK, then the project directories in
# VENV_PROJECTS, installed into VENV_PATH. Everything runs in the trixie tools
# chroot with the device's Python, so compiled sdists (pyalsaaudio, ...) fit
# the device. Wheels and sdists are downloaded once into DL_DIR; the
# dependency venv is built apart from the projects, so a change in a project
# only reinstalls that project.

inherit dpkg-raw herald-tools

VENV_PATH ??= "/usr/lib/${PN}/venv"
VENV_LOCK ??= ""
VENV_PROJECTS ??= ""
# Build backends for sdists and projects (pip builds them in isolation, offline).
VENV_BUILD_REQUIRES ??= "setuptools==80.9.0"
PYPI_DL_DIR = "${DL_DIR}/pypi"
# The host's CA bundle, so downloads work behind a TLS-inspecting proxy.
HOST_CA_BUNDLE ??= "/etc/ssl/certs/ca-certificates.crt"
BB_BASEHASH_IGNORE_VARS += "PYPI_DL_DIR HOST_CA_BUNDLE"

venv_tools() {
    herald_tools --bind ${PYPI_DL_DIR}:/pypi --bind $(dirname ${VENV_LOCK}):/lock "$@"
}

unset do_fetch[noexec]
do_fetch() {
    mkdir -p ${PYPI_DL_DIR}
    venv_tools --bind ${HOST_CA_BUNDLE}:/etc/herald-host-ca.crt -- \
        env SSL_CERT_FILE=/etc/herald-host-ca.crt PIP_CERT=/etc/herald-host-ca.crt sh -ec '
            python3 -m venv /tmp/pip
            /tmp/pip/bin/pip download -q --disable-pip-version-check --no-deps --require-hashes \
                -r /lock/$(basename ${VENV_LOCK}) -d /pypi
            /tmp/pip/bin/pip download -q --disable-pip-version-check --no-deps -d /pypi ${VENV_BUILD_REQUIRES}'
}
do_fetch[depends] = "herald-tools:do_bootstrap"
do_fetch[file-checksums] = "${VENV_LOCK}:True"

# The venv with the locked dependencies only (no network: wheels from DL_DIR).
do_venv() {
    # Compiled sdists without debug information: it holds pip's random build
    # folder, which made each build's extension modules differ.
    venv_tools --bind ${WORKDIR}/venv:${VENV_PATH} -- env CFLAGS=-g0 sh -ec '
        python3 -m venv ${VENV_PATH}
        ${VENV_PATH}/bin/pip install -q --disable-pip-version-check --no-index --find-links /pypi \
            --no-deps --no-compile --require-hashes -r /lock/$(basename ${VENV_LOCK})
        # What no service runs: the test suites packages bring, and translation
        # catalogs (the web admin is in English, Django with USE_I18N off).
        site=$(echo ${VENV_PATH}/lib/python3*/site-packages)
        find $site -depth -type d -name tests -exec rm -rf {} +
        find $site -path "*/LC_MESSAGES/*" \( -name "*.po" -o -name "*.mo" \) -delete'
}
do_venv[cleandirs] = "${WORKDIR}/venv"
do_venv[file-checksums] = "${VENV_LOCK}:True"
addtask venv after do_fetch before do_install

# Copies of the projects: pip builds in the source tree, which is not ours to touch.
python do_unpack_projects() {
    import shutil
    dest = d.expand("${WORKDIR}/projects")
    bb.utils.remove(dest, recurse=True)
    for project in d.getVar("VENV_PROJECTS").split():
        shutil.copytree(project, os.path.join(dest, os.path.basename(project)),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info"))
}
do_unpack_projects[file-checksums] = "${@' '.join(p + ':True' for p in d.getVar('VENV_PROJECTS').split())}"
addtask unpack_projects after do_unpack before do_install

# Byte code is compiled once, after everything is in place, as hash-based .pyc
# that Python uses without comparing file times: the .deb clamps file times
# (reproducible builds), which made time-stamped .pyc files stale, and the
# read-only root cannot cache fresh ones, so every service start compiled every
# module again (boot to the first HTTP answer took twice as long). The sources
# change only with the whole root filesystem, so they are not checked either.
venv_install_projects() {
    mkdir -p ${D}${VENV_PATH}
    cp -a ${WORKDIR}/venv/. ${D}${VENV_PATH}/
    venv_tools --bind ${D}${VENV_PATH}:${VENV_PATH} --bind ${WORKDIR}/projects:/projects -- sh -ec '
        cd /projects
        ${VENV_PATH}/bin/pip install -q --disable-pip-version-check --no-index --find-links /pypi \
            --no-deps --no-compile ./*
        ${VENV_PATH}/bin/pip uninstall -q -y pip
        ${VENV_PATH}/bin/python -m compileall -q -f -j 0 --invalidation-mode unchecked-hash \
            ${VENV_PATH}/lib'
}
