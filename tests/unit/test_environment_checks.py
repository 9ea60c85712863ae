"""A missing Java or MeCab dictionary stops with one line naming what to install; the local JVM's options."""

from __future__ import annotations

import pytest

from miryoku.spark import JavaMissing, check_java
from miryoku.text import tokenizer


def test_missing_java_names_the_jdk_to_install(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(JavaMissing) as err:
        check_java()
    assert "install a JDK" in str(err.value) and "\n" not in str(err.value)


def test_missing_mecab_dictionary_names_the_package(monkeypatch, tmp_path):
    import unidic_lite

    monkeypatch.setattr(unidic_lite, "DICDIR", str(tmp_path))
    with pytest.raises(tokenizer.TokenizerUnavailable) as err:
        tokenizer.dictionary_dir()
    assert "unidic-lite" in str(err.value) and "\n" not in str(err.value)


def test_cli_check_reports_each_problem_on_one_line(monkeypatch, capsys):
    from miryoku import cli

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert cli.main(["check"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines)
    assert any("JDK" in line for line in lines)


def test_local_jvm_options_apply_to_a_local_master_only(monkeypatch, tmp_path):
    from miryoku.config import settings
    from miryoku.spark import embedded_conf

    monkeypatch.delenv("MIRYOKU_SPARK_CONF", raising=False)
    monkeypatch.setenv("MIRYOKU_SPARK_MASTER", "local[2]")
    archive = tmp_path / "driver.jsa"
    monkeypatch.setenv("MIRYOKU_SPARK_CLASS_ARCHIVE", str(archive))
    assert embedded_conf(settings())["spark.driver.extraJavaOptions"] == "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
    archive.write_bytes(b"recorded")  # an archive this environment has is mapped; the JVM vets its content
    assert embedded_conf(settings())["spark.driver.extraJavaOptions"] == (
        f"-XX:TieredStopAtLevel=1 -XX:+UseParallelGC -XX:SharedArchiveFile={archive}")
    monkeypatch.setenv("MIRYOKU_SPARK_CLASS_ARCHIVE", "none")
    assert embedded_conf(settings())["spark.driver.extraJavaOptions"] == "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC"
    monkeypatch.setenv("MIRYOKU_SPARK_CLASS_ARCHIVE", str(archive))
    monkeypatch.setenv("MIRYOKU_SPARK_CONF", '{"spark.driver.extraJavaOptions": "-XX:+UseG1GC"}')
    assert embedded_conf(settings())["spark.driver.extraJavaOptions"] == "-XX:+UseG1GC"
    monkeypatch.delenv("MIRYOKU_SPARK_CONF")
    monkeypatch.setenv("MIRYOKU_SPARK_MASTER", "spark://127.0.0.1:7077")
    monkeypatch.setenv("MIRYOKU_SPARK_ENV_ARCHIVE", "s3://deploy/env.tar.gz")
    assert "spark.driver.extraJavaOptions" not in embedded_conf(settings())
