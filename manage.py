#!/usr/bin/env python
import os
import sys

# Commands that cannot do anything without the database: checked before they start,
# so an outage is one clear line instead of a pool retrying for seconds and a traceback.
NEEDS_DATABASE = {
    "migrate",
    "serve",
    "run_huey",
    "createcachetable",
    "load_reference",
    "load_demo",
    "backup",
    "restore",
}


def database_problem() -> str | None:
    from suishoupai.ops.readiness import database_problem

    return database_problem()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suishoupai.settings")
    # NumPy's OpenBLAS (imported with imagehash and the triage encoder) starts a thread
    # per core that spins between calls: about 4 % of the CPU while photos are copied,
    # for no gain on vectors this small. One thread, in this process and every server
    # and task worker it starts (they inherit the environment); set it to override.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import django
    from django.core.management import execute_from_command_line
    from django.db.utils import InterfaceError, OperationalError

    if len(sys.argv) > 1 and sys.argv[1] in NEEDS_DATABASE:
        django.setup()
        problem = database_problem()
        if problem:
            sys.exit(f"error: {problem}")
    try:
        execute_from_command_line(sys.argv)
    except (OperationalError, InterfaceError):
        # Down meanwhile: still one line. Any other database error is a bug and
        # keeps its traceback.
        problem = database_problem()
        if problem is None:
            raise
        sys.exit(f"error: {problem}")
