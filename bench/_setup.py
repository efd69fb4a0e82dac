"""Shared helpers for the benchmarks: a throwaway Django environment, timing and a result table.

Every benchmark is a standalone script. ``django_environment()`` sets Django up with its var/
directory in a temporary directory (the developer's var/ is left alone) and a test database made
and dropped by Django's own test-database creation: a file in that temporary directory for SQLite,
or a uniquely named database next to ``DATABASE_URL``'s for PostgreSQL.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 5  # timed runs per operation (best of), after one warm-up run that counts queries
# BENCH_SCALE=0.01 runs a benchmark on a hundredth of its data: a quick check that it runs and
# how it reports, not a measurement (the goals are set for the full size).
SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def scaled(count: int) -> int:
    """A data size of the benchmark, scaled by BENCH_SCALE."""
    return max(1, round(count * SCALE))


def finish(ok: bool) -> None:
    """End the script: exit status 1 when a goal was missed, so that ``make bench`` fails."""
    if SCALE != 1:
        print(f"(BENCH_SCALE={SCALE:g}: not the benchmark's full size)")
    sys.exit(0 if ok else 1)


@contextlib.contextmanager
def django_environment() -> Iterator[str]:
    """Set Django up against a fresh, empty database; yield the database vendor."""
    var_dir = tempfile.mkdtemp(prefix="portal-bench-")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["PORTAL_VAR_DIR"] = var_dir
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DJANGO_DEBUG"] = "0"  # measure what production runs, not the debug machinery
    os.environ["CELERY_BROKER_URL"] = "memory://"  # nothing the benchmark does may reach a queue

    try:
        import django

        django.setup()

        from django.conf import settings
        from django.db import connection

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's
        test = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test["NAME"] = str(Path(var_dir) / "bench.sqlite3")  # a file, like the real one
        else:
            test["NAME"] = f"{connection.settings_dict['NAME']}_bench_{os.getpid()}"
        old_name = connection.settings_dict["NAME"]
        print(f"Creating a throwaway {connection.vendor} database ...", flush=True)
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        try:
            yield connection.vendor
        finally:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


@dataclass
class Measurement:
    name: str
    seconds: float  # the best timed run
    queries: int  # in the warm-up run
    runs: list[float]


def measure(
    name: str,
    operation: Callable[[], object],
    *,
    before: Callable[[], object] | None = None,
    repeat: int = REPEAT,
) -> Measurement:
    """One warm-up run that counts queries, then ``repeat`` timed runs (``before`` runs, untimed,
    ahead of each). Queries are not captured while timing: capturing adds its own cost."""
    return measure_together([(name, operation, before)], repeat=repeat)[0]


def measure_together(
    operations: list[tuple[str, Callable[[], object], Callable[[], object] | None]],
    *,
    repeat: int = REPEAT,
) -> list[Measurement]:
    """Like ``measure`` for several operations, taking turns run by run, so that whatever
    changes while they run (a growing database, a busy machine) weighs on each alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries: list[int] = []
    runs: list[list[float]] = [[] for _op in operations]
    for _name, operation, before in operations:
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            operation()
        queries.append(len(captured))  # now: the next request's request_started clears the log
    for _ in range(repeat):
        for times, (_name, operation, before) in zip(runs, operations, strict=True):
            if before is not None:
                before()
            gc.collect()
            start = time.perf_counter()
            operation()
            times.append(time.perf_counter() - start)
    return [
        Measurement(name, min(times), count, times)
        for (name, _op, _before), count, times in zip(operations, queries, runs, strict=True)
    ]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_table(title: str, rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    print()
    print(title)
    line = "  ".join("-" * w for w in widths)
    print(line)
    print(
        "  ".join(
            str(h).ljust(w) if i == 0 else str(h).rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    print(line)
    for row in rows:
        print(
            "  ".join(
                str(c).ljust(w) if i == 0 or i == len(row) - 1 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print(line)


def school_name(index: int) -> str:
    """The name of a bureau's school number ``index``: the same in every benchmark bureau."""
    return f"第{index + 1}实验中学"


def make_bureau(code: str, label: str, schools: int):
    """A bureau with ``schools`` schools (a bureau is not tenant-owned; schools are)."""
    from bureaus.models import Bureau, School
    from bureaus.tenancy import bureau_scope

    bureau = Bureau.objects.create(code=code, name=f"{label}区教育局", short_name=f"{label}局")
    with bureau_scope(bureau):
        School.objects.bulk_create(
            [School(bureau=bureau, name=school_name(i), stage="junior") for i in range(schools)]
        )
    return bureau


def make_staff_user(bureau):
    """A bureau programme administrator (项目管理员) for the test client."""
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role, group_name

    user = User.objects.create(
        username=f"{bureau.code}_staff", full_name="项目管理员", bureau=bureau, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name(Role.BUREAU_STAFF)))
    return user
