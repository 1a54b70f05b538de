"""The systemd units in deploy/ restart their process and run commands that exist."""

import configparser
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

UNITS = sorted((Path(settings.BASE_DIR) / "deploy" / "systemd").glob("*.service"))


def read(unit: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit)
    return parser


def test_there_is_a_unit_for_the_web_the_tasks_and_the_backup():
    assert {u.stem for u in UNITS} == {"suishoupai-web", "suishoupai-tasks", "suishoupai-backup"}


@pytest.mark.parametrize("unit", [u for u in UNITS if "backup" not in u.name], ids=lambda u: u.stem)
def test_each_long_running_process_is_restarted_whenever_it_stops(unit):
    service = read(unit)["Service"]
    assert service["Restart"] == "always"
    assert float(service["RestartSec"]) <= 5


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.stem)
def test_every_manage_py_command_in_a_unit_exists(unit):
    service = read(unit)["Service"]
    commands = get_commands()
    for key in ("ExecStart", "ExecStartPre"):
        if key in service:
            argv = shlex.split(service[key])
            assert argv[1] == "manage.py"
            assert argv[2] in commands, argv
