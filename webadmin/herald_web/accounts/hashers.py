"""Password hashing sized for a small device."""

from django.contrib.auth.hashers import ScryptPasswordHasher


class DeviceScryptHasher(ScryptPasswordHasher):
    """scrypt with N=2^14, r=8, p=1: the classic interactive-login setting,
    16 MiB per hash. Django's default (p=5) takes five times as long, which a
    speaker's CPU would feel at every login."""

    parallelism = 1
