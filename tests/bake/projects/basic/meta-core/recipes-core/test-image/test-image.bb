SUMMARY = "An image made of the other recipes"
inherit testimage

IMAGE_INSTALL = "hello"
