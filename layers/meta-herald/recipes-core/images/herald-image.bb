SUMMARY = "Herald OS: the network speaker firmware image"

inherit herald-image

IMAGE_INSTALL = "herald-base herald-update herald-firmware"
