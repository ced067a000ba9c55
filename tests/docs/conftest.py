"""The built documentation site, shared by the site tests.

``make test`` builds it first (``make docs``) and passes its folder in
``GOTOTRAINING_DOCS_SITE``; run alone, the tests build it once into a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = Path(sys.executable).with_name("mkdocs")


def build_site(config_dir: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of the project in ``config_dir`` into ``site_dir``."""
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(site_dir)],
        cwd=config_dir,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prebuilt = os.environ.get("GOTOTRAINING_DOCS_SITE")
    if prebuilt:
        site = (ROOT / prebuilt).resolve()
        assert (site / "index.html").is_file(), f"GOTOTRAINING_DOCS_SITE={prebuilt} has no site"
        return site
    site = tmp_path_factory.mktemp("site")
    result = build_site(ROOT, site)
    assert result.returncode == 0, result.stderr[-4000:]
    return site
