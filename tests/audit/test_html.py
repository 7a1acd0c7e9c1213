"""The static audit page renders in a real headless Chromium (Debian's package, started here) with
the table of rejected attempts and their cores present."""

import shutil
import subprocess

import pytest

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's package)")
def test_audit_page_in_headless_chromium(tmp_path):
    from hachimi.audit.html import render
    from hachimi.audit.store import build

    run = tmp_path / "run"
    shutil.copytree(ROOT / "tests/fixtures/runs/audit-demo", run)
    page = render(build(run), tmp_path / "audit.html", "audit-demo")
    dom = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert '<table id="rejected">' in dom
    assert dom.count("<tr class=") >= 3
    assert "R1 age-grade" in dom and "enrollment.age=19; enrollment.grade=11" in dom
    shot = tmp_path / "audit.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile2'}",
            f"--screenshot={shot}",
            "--window-size=1200,800",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 5000
