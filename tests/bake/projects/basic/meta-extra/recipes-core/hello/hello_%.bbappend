GREETING:append = " (extended)"
