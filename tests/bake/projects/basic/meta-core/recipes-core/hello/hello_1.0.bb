SUMMARY = "Says hello"
DEPENDS = "libgreet"
GREETING = "hello from ${PN}"
GREETING:x86 = "hello x86"
