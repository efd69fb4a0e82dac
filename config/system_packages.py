"""Check the system packages the portal needs and print the exact apt command for what is missing.

python -m config.system_packages            # warn only
python -m config.system_packages --strict   # exit 1 when something is missing
"""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
import sys

CHECKS = [
    # (apt package, what needs it, probe)
    ("fonts-noto-cjk", "Chinese text in PDF certificates", lambda: _has_cjk_font()),
    (
        "fonts-arphic-ukai",
        "the certificates' Kaiti face (small PDFs; Noto CJK fills in)",
        lambda: _has_font("AR PL UKai CN"),
    ),
    (
        "libharfbuzz-subset0",
        "fast font subsetting in PDFs (without it WeasyPrint is ~60x slower)",
        lambda: ctypes.util.find_library("harfbuzz-subset") is not None,
    ),
    ("libpango-1.0-0", "PDF rendering (WeasyPrint)", lambda: _lib("pango-1.0")),
    ("libpangoft2-1.0-0", "PDF rendering (WeasyPrint)", lambda: _lib("pangoft2-1.0")),
    ("chromium", "end-to-end browser tests", lambda: shutil.which("chromium") is not None),
]


def _lib(name: str) -> bool:
    return ctypes.util.find_library(name) is not None


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return "Noto" in out or "CJK" in out


def _has_font(family: str) -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    return family in out


def missing_packages() -> list[tuple[str, str]]:
    return [(pkg, why) for pkg, why, probe in CHECKS if not probe()]


def main(argv: list[str]) -> int:
    missing = missing_packages()
    if not missing:
        return 0
    print("Missing system packages:", file=sys.stderr)
    for pkg, why in missing:
        print(f"  - {pkg}: {why}", file=sys.stderr)
    names = " ".join(pkg for pkg, _ in missing)
    print(f"Install them with:\n  sudo apt-get install -y {names}", file=sys.stderr)
    return 1 if "--strict" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
