"""Where a Herald process finds its data: the services get their variables from
systemd, a command run by hand on the device reads the same file."""

from __future__ import annotations

from pathlib import Path

from herald.environment import DEVELOPMENT, DEVICE, device_defaults, from_variables
from herald.update.snapshot import RECORD_FILE
from tests.conftest import REPO

SHIPPED = REPO / "layers/meta-herald/recipes-firmware/herald-firmware/files/herald.default"
PREPARE = REPO / "layers/meta-herald/recipes-core/herald-update/files/herald-update-prepare.service"


def test_the_shipped_defaults_put_a_hand_run_command_where_the_services_are() -> None:
    environment = from_variables(device_defaults(SHIPPED))
    assert environment.mode == DEVICE
    assert environment.data_dir == Path("/data/herald")
    assert environment.redis_url == "unix:///run/redis/redis-server.sock"
    assert environment.identity_dir == Path("/data/identity")


def test_the_defaults_file_is_read_as_the_shell_reads_it(tmp_path: Path) -> None:
    defaults = tmp_path / "herald"
    defaults.write_text('# comment=ignored\nHERALD_MODE=device\nHERALD_REBOOT_COMMAND="systemctl '
                        'reboot"\nHERALD_DATA_DIR=/srv/herald  # where\n\nnot a line\n')
    assert device_defaults(defaults) == {"HERALD_MODE": "device", "HERALD_DATA_DIR": "/srv/herald",
                                         "HERALD_REBOOT_COMMAND": "systemctl reboot"}
    assert device_defaults(tmp_path / "missing") == {}
    assert from_variables({}).mode == DEVELOPMENT


def test_the_boot_skips_prepare_only_when_no_configuration_copy_is_kept() -> None:
    """herald-update-prepare runs when the record of a kept configuration copy
    exists, where the shipped defaults make herald-update keep it."""
    record = from_variables(device_defaults(SHIPPED)).data_dir / "update" / RECORD_FILE
    conditions = [line.partition("=")[2] for line in PREPARE.read_text().splitlines()
                  if line.startswith("Condition")]
    assert conditions == [str(record)]
