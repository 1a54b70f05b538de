import pytest

from .server import migrated_template


@pytest.fixture(scope="session")
def serve_template(tmp_path_factory):
    """A migrated SQLite DATA_DIR that each served instance copies."""
    return migrated_template(tmp_path_factory.mktemp("serve"))
