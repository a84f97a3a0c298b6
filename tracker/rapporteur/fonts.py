"""The type an Urdu report is set in: Noto Nastaliq Urdu, from Debian's fonts-noto-core package (installed on the
machine, never a copied file), for the PDF's text and the charts' labels alike.

An Urdu PDF also needs its text shaped (Nastaliq's joined letters): reportlab does it with HarfBuzz through the
uharfbuzz package (reportlab's own `shaping` extra, in pyproject.toml). When either is missing, writing an Urdu
report fails with an error that names what to install; English reports need neither.
"""
from __future__ import annotations

from pathlib import Path

# Where Debian (fonts-noto-core) and other distributions put the Noto fonts.
FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/noto"),
             Path("/usr/share/fonts/google-noto"), Path("/usr/local/share/fonts"))
URDU_FAMILY = "Noto Nastaliq Urdu"
URDU_FILES = {"regular": "NotoNastaliqUrdu-Regular.ttf", "bold": "NotoNastaliqUrdu-Bold.ttf"}
INSTALL_HINT = ("install Debian's fonts-noto-core package (apt-get install fonts-noto-core), which .ci/run "
                "installs for the tests")


class MissingUrduSupport(RuntimeError):
    """What an Urdu report needs and the machine lacks, said plainly (shown on the report's page if it fails)."""


def urdu_font_files() -> dict[str, Path]:
    """The Urdu font's regular and bold files; MissingUrduSupport if they are not installed."""
    found = {}
    for weight, name in URDU_FILES.items():
        for folder in FONT_DIRS:
            if (folder / name).is_file():
                found[weight] = folder / name
                break
    if "regular" not in found:
        raise MissingUrduSupport(f"An Urdu report is set in {URDU_FAMILY}, which is not installed: {INSTALL_HINT}.")
    found.setdefault("bold", found["regular"])
    return found


def require_shaping() -> None:
    """uharfbuzz, which reportlab shapes Urdu text with; MissingUrduSupport if absent."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        raise MissingUrduSupport("An Urdu PDF needs its text shaped by HarfBuzz: install the uharfbuzz package "
                                 "(pip install 'reportlab[shaping]'; make install does it).") from None
