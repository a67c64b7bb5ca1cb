SUMMARY = "Herald OS test image: herald-image plus debug access for the QEMU test harness"

require herald-image.bb

IMAGE_INSTALL += "herald-debug"
