SUMMARY = "Herald OS boot-time yardstick: the base system with the product's boot chain, no Herald services"
DESCRIPTION = "Booted by bench/image_boot.py beside the test image; never shipped."

inherit herald-image

# The product's Debian base without the packages only Herald's services use.
IMAGE_PREINSTALL = "systemd systemd-sysv systemd-resolved udev dbus kmod grub-common \
    initramfs-tools zstd e2fsprogs iproute2 busybox ${MACHINE_PREINSTALL}"
IMAGE_INSTALL = "herald-base herald-debug herald-yardstick"
# No baresip here: only the base system's unused files go.
IMAGE_PRUNE = "${HERALD_PRUNE_SYSTEM}"
