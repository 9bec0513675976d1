"""Does ``requirements.txt`` install on the translators' platforms? Ask pip, without installing.

pip resolves for another platform with ``--platform TAG --only-binary :all:``, but it evaluates
environment markers (``sys_platform == "win32"``) for the machine it runs on. So the markers are
evaluated here for each target platform first (``packaging.markers``, pip's own rules), the kept
lines go to pip, and pip's ``--dry-run --report`` says what it would install. A platform passes when
every requirement resolves to a wheel (no compiler needed) and nothing from ``FORBIDDEN`` comes in.

The wheel tags are the ones pip itself accepts on the oldest OS we claim (``packaging.tags``):
macOS 12 on Apple silicon (scipy's arm64 wheels start there), macOS 11 on Intel (CTranslate2's),
Windows 10/11 x64, and glibc 2.28 Linux x86_64.

    python -m devtools check-platforms [--requirements requirements.txt] [--only windows ...]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: what a CPU tool's runtime must never pull: torch (and its CUDA wheels), the argostranslate stack
FORBIDDEN = re.compile(r"^(torch|torchvision|triton|nvidia-.*|argostranslate|stanza|transformers)$")


@dataclass(frozen=True)
class Platform:
    """A target: the marker environment pip would see there and the wheel tags it would accept."""

    name: str
    markers: dict[str, str]
    tags: tuple[str, ...]


def _mac_tags(version: tuple[int, int], arch: str) -> tuple[str, ...]:
    from packaging.tags import mac_platforms

    return tuple(mac_platforms(version, arch))


def platforms() -> list[Platform]:
    """The platforms the README promises, oldest supported OS version of each."""
    common = {"python_version": "3.11", "python_full_version": "3.11.9", "implementation_name": "cpython"}
    win = {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"}
    mac = {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"}
    linux = {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"}
    manylinux = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64"]
    manylinux += [f"manylinux_2_{minor}_x86_64" for minor in range(26, 16, -1)]
    manylinux += ["manylinux2014_x86_64", "linux_x86_64"]
    return [
        Platform("windows", {**common, **win}, ("win_amd64",)),
        Platform("macos-arm64", {**common, **mac, "platform_machine": "arm64"}, _mac_tags((12, 0), "arm64")),
        Platform("macos-x86_64", {**common, **mac, "platform_machine": "x86_64"}, _mac_tags((11, 0), "x86_64")),
        Platform("linux-x86_64", {**common, **linux}, tuple(manylinux)),
    ]


def requirements_for(lines: Sequence[str], platform: Platform) -> list[str]:
    """The requirement lines whose markers hold on ``platform``, markers removed."""
    from packaging.requirements import Requirement

    kept = []
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(platform.markers):
            req.marker = None
            kept.append(str(req))
    return kept


@dataclass(frozen=True)
class Resolution:
    platform: str
    ok: bool
    packages: tuple[str, ...]
    problem: str = ""


def resolve(platform: Platform, requirements: Path) -> Resolution:
    """Ask pip what ``requirements`` would install on ``platform`` (wheels only, nothing installed)."""
    kept = requirements_for(requirements.read_text(encoding="utf-8").splitlines(), platform)
    with tempfile.TemporaryDirectory(prefix="platform-check-") as tmp:
        req_file = Path(tmp) / "requirements.txt"
        req_file.write_text("\n".join(kept) + "\n", encoding="utf-8", newline="\n")
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed"]
        command += ["--target", str(Path(tmp) / "target"), "--only-binary", ":all:", "--implementation", "cp"]
        command += ["--python-version", platform.markers["python_version"], "--report", str(report), "-r", str(req_file)]
        for tag in platform.tags:
            command += ["--platform", tag]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            errors = [ln for ln in done.stderr.splitlines() if ln.startswith("ERROR")]
            return Resolution(platform.name, False, (), "; ".join(errors) or done.stderr.strip()[-500:])
        installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    packages = tuple(sorted(f"{i['metadata']['name']}=={i['metadata']['version']}" for i in installed))
    forbidden = [p for p in packages if FORBIDDEN.match(p.split("==")[0].lower())]
    if forbidden:
        return Resolution(platform.name, False, packages, f"pulls {', '.join(forbidden)}")
    return Resolution(platform.name, True, packages)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools check-platforms", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requirements", type=Path, default=REPO / "requirements.txt")
    parser.add_argument("--only", nargs="*", help="platform names (default: all): " + ", ".join(p.name for p in platforms()))
    args = parser.parse_args(argv)
    failed = 0
    for platform in platforms():
        if args.only and platform.name not in args.only:
            continue
        result = resolve(platform, args.requirements)
        failed += not result.ok
        names = ", ".join(p.split("==")[0] for p in result.packages)
        print(f"{platform.name:14} {'ok' if result.ok else 'FAILS'}  {len(result.packages)} packages  {result.problem or names}")
    return 1 if failed else 0
