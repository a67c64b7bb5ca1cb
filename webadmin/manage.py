#!/usr/bin/env python3
"""Django's command line for the Herald web admin (migrations, shell, checks)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald_web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
