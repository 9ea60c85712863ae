"""The wheel, installed into a fresh venv from the lock file with no checkout beside it, runs a date:
GX suites, s3a settings, SQL and dictionaries are package data read with importlib.resources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest
from conftest import BIN, DATE, ROOT, gold_rows, job_env

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([str(BIN / "uv"), "build", "-q", "--wheel", "--out-dir", str(work / "dist"), str(ROOT)],
                   check=True, timeout=600)
    (wheel,) = (work / "dist").glob("miryoku_lake-*.whl")
    venv = work / "venv"
    subprocess.run([str(BIN / "uv"), "venv", "-q", "--python", f"{sys.base_prefix}/bin/python3.11", str(venv)],
                   check=True, timeout=300)
    env = {**os.environ, "VIRTUAL_ENV": str(venv)}  # the registry's settings (certificates, index) stay
    subprocess.run([str(BIN / "uv"), "pip", "sync", "-q", str(ROOT / "requirements.lock")], check=True, env=env,
                   timeout=1200)
    subprocess.run([str(BIN / "uv"), "pip", "install", "-q", "--no-deps", str(wheel)], check=True, env=env,
                   timeout=300)
    return wheel, venv, work


def test_the_wheel_carries_the_package_data(installed):
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("miryoku/expectations/gold.term_daily_v1.json", "miryoku/expectations/silver.posts_v1.json",
                 "miryoku/conf/spark-s3a.json", "miryoku/conf/sources.toml", "miryoku/sql/term_daily/query.sql",
                 "miryoku/sql/questions/01_what_is_said_about_our_place.sql", "miryoku/sql/ddl/trino.sql",
                 "miryoku/text/data/gazetteer.tsv", "jobs/silver_posts.py", "miryoku/spark_submit.py"):
        assert name in names, name


def test_a_wheel_install_runs_a_date_with_no_checkout(installed, sources_file, local_gold):
    _, venv, work = installed
    env = job_env(MIRYOKU_SOURCES_FILE=str(sources_file), MIRYOKU_SPARK_MASTER="local[2]")
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import json, miryoku, jobs; from importlib import resources; "
         "from miryoku.config import checkout_root; print(json.dumps([miryoku.__file__, jobs.__file__, "
         "str(resources.files('miryoku.expectations')), checkout_root() is None]))"],
        cwd=work, env=env, capture_output=True, text=True, check=True)
    *paths, no_checkout = json.loads(where.stdout)
    assert no_checkout and all(p.startswith(str(venv)) for p in paths)

    lake = work / "lake"
    done = subprocess.run([str(venv / "bin" / "miryoku"), "run", "--date", DATE, "--lake", str(lake),
                           "--run-id", "w1"], cwd=work, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["gates"] == {"gate_bronze": True, "gate_silver": True, "gate_gold": True}
    assert gold_rows(lake) == local_gold
    # the analyst's side from the same install: the catalog's views and the report's queries are package SQL
    for command in (["catalog", "--lake", str(lake), "--output", str(work / "catalog.duckdb")],
                    ["report", "--lake", str(lake), "--date", DATE, "--html", str(work / "report.html")]):
        done = subprocess.run([str(venv / "bin" / "miryoku"), *command], cwd=work, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, f"{command[0]}: {done.stderr[-3000:]}"
    assert (work / "catalog.duckdb").stat().st_size > 0
    page = (work / "report.html").read_text("utf-8")
    assert "<svg" in page and "<script" not in page
