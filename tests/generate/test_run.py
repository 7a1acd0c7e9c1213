"""open_run: what a run is given when the user does not say (slots in flight with solver workers)."""

from hachimi.engines import models
from hachimi.generate.run import WORK_PER_WORKER, open_run, settings_for


def _k(theory, tmp_path, name, **kw) -> int:
    spec = models.get("template")
    run = open_run(theory, spec, tmp_path / name, 4, 1, settings_for(spec), **kw)
    try:
        return run.concurrency
    finally:
        run.close()
        run.session.lock.release()


def test_workers_get_slots_in_flight_unless_the_user_says(theory, tmp_path):
    assert _k(theory, tmp_path, "inproc") == 1  # the template engine keeps one slot in flight
    assert _k(theory, tmp_path, "pool", workers=2) == 2 * WORK_PER_WORKER  # else the second worker idles
    assert _k(theory, tmp_path, "said", workers=2, concurrency=1) == 1
