"""Apache Jena's SHACL engine (`shacl validate`, from Debian's libapache-jena-java), the field's reference for a
fast conformant engine, run as its users run it: a command on files.

Debian's package ships no `shacl` script: the command is its class `shacl.shacl` on the classpath of the
package's jars. Its jena-core.jar moved Xerces's classes from org/apache/jena/ext/xerces to xerces/ but
not their message files, and Xerces then fails at start ("internal error"): a jar of those files at the
path the classes look for, made here in a temporary folder, puts them back.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

JARS = Path("/usr/share/java")
PACKAGE = "libapache-jena-java"
LOGGING = {"slf4j-api.jar", "slf4j-nop.jar"}  # one slf4j binding: the package's dependencies bring several


def _package_jars() -> list[Path]:
    """The unversioned jars of the package and of every package it depends on."""
    depends = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                              "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", PACKAGE],
                             capture_output=True, text=True, check=True).stdout
    packages = sorted({line.strip() for line in depends.splitlines() if line[:1].isalnum()})
    listed = subprocess.run(["dpkg", "-L", *packages], capture_output=True, text=True).stdout
    jars = {Path(line) for line in listed.splitlines()
            if line.startswith(f"{JARS}/") and line.endswith(".jar") and line.count("/") == 4}
    return sorted(j for j in jars if not any(c.isdigit() for c in j.stem.rsplit("-", 1)[-1][:1])
                  and ("slf4j" not in j.name or j.name in LOGGING))


def _resources_jar(folder: Path) -> Path:
    """Xerces's message files at the path Debian's relocated classes look for them."""
    target = folder / "jena-xerces-messages.jar"
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JARS / "jena-core.jar") as source, zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                out.writestr("xerces/" + name[len(prefix):], source.read(name))
    return target


def jena_shacl(folder: Path) -> list[str] | None:
    """The command that runs Jena's `shacl` (append `validate --shapes S --data D`), or None without Java
    or the package."""
    if shutil.which("java") is None or not (JARS / "jena-shacl.jar").exists() or shutil.which("dpkg") is None:
        return None
    classpath = [*map(str, _package_jars()), str(_resources_jar(folder))]
    return ["java", "-cp", ":".join(classpath), "shacl.shacl"]


def main() -> None:
    """Print the command (a check that the package is usable here)."""
    with tempfile.TemporaryDirectory() as folder:
        command = jena_shacl(Path(folder))
        print(" ".join(command) if command else f"no Java or no {PACKAGE}")


if __name__ == "__main__":
    main()
