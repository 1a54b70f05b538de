"""Settings come from the environment; mistakes are refused loudly, at start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "from django.db import connection;"
    "db = settings.DATABASES['default'];"
    "out = {'engine': db['ENGINE'], 'name': str(db['NAME']), 'options': str(db.get('OPTIONS'))};"
    "out['debug'] = settings.DEBUG;"
    "out['journal'] = connection.cursor().execute('PRAGMA journal_mode').fetchone()[0]"
    " if connection.vendor == 'sqlite' else None;"
    "print(json.dumps(out))"
)


def start(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SUISHOUPAI_TESTING", "DATABASE_URL", "SECRET_KEY", "DEBUG", "SUISHOUPAI_DEMO")
    }
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "suishoupai.settings", "DATA_DIR": str(tmp_path / "data"), **env}
    )
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_in_production(tmp_path):
    result = start({}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_runs_on_sqlite_in_wal_mode_in_a_data_folder_it_creates(tmp_path):
    result = start({"SECRET_KEY": "x" * 50}, tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["engine"] == "django.db.backends.sqlite3"
    assert out["name"] == str(tmp_path / "data" / "suishoupai.sqlite3")
    assert out["journal"] == "wal"
    assert out["debug"] is False


def test_it_refuses_a_mistyped_boolean(tmp_path):
    result = start({"SECRET_KEY": "x" * 50, "DEBUG": "Flase"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG='Flase' is not a boolean" in result.stderr


def test_it_reads_the_secret_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    result = start({"SECRET_KEY_FILE": str(secret)}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_it_switches_to_postgresql_with_a_pool_from_database_url(tmp_path):
    probe = (
        "from suishoupai.settings import database_from_url as f;"
        "import json; print(json.dumps(f('postgresql://u:p%40ss@db.local:5433/ssp?pool_max=4')))"
    )
    env = {**os.environ, "SECRET_KEY": "x" * 50, "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    db = json.loads(result.stdout)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "ssp",
        "u",
        "p@ss",
        "db.local",
        "5433",
    )
    assert db["OPTIONS"]["pool"]["max_size"] == 4
