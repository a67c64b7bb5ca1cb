SUMMARY = "A library the hello recipe depends on"
GREETING = "library ${PV}"
