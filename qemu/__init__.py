"""Run Herald OS images in QEMU: the machine definition and the test harness."""
