"""pytest fixtures; contract builders live in contracts.py and builders.py beside this file."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # contracts.py, builders.py for the test modules

# ---------------------------------------------------------------- system programs some tests need
# The README's test section gives this line (ja and en) and .ci/run installs the same packages;
# tests/test_docs.py checks all three agree.
APT_LINE = "sudo apt-get install libreoffice-writer tesseract-ocr tesseract-ocr-jpn fonts-ipafont-gothic chromium chromium-driver"
# A Japanese font file for rendering a scanned page (PIL needs a file): IPAGothic from
# fonts-ipafont-gothic, at its Debian/Ubuntu paths; otherwise whatever fontconfig lists for :lang=ja.
FONT_FILES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)


def load_script(relpath: str, name: str):
    """A script of the repository (benchmarks/…/generate.py) imported as module ``name``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / relpath)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def in_ci() -> bool:
    """CI=true (GitHub Actions and .ci/run set it): a missing program is a broken CI, not a skip."""
    return os.environ.get("CI", "").strip().lower() == "true"


def _find_soffice() -> tuple[str | None, str]:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    return path, "LibreOffice の soffice がありません / soffice (LibreOffice) not found"


def _find_tesseract() -> tuple[str | None, str]:
    """The tesseract program with Japanese data, driven through pytesseract (what --ocr uses)."""
    try:
        import pytesseract  # noqa: F401 — the [test] and [ocr] extras bring it
    except ImportError:
        return None, "pytesseract がありません / pytesseract not installed (pip install -e '.[test]')"
    path = shutil.which("tesseract")
    if path is None:
        return None, "tesseract がありません / tesseract not found"
    proc = subprocess.run([path, "--list-langs"], capture_output=True, text=True, check=False)
    if "jpn" not in (proc.stdout + proc.stderr).split():
        return None, "Tesseract の日本語データ（jpn）がありません / Tesseract has no Japanese data (jpn)"
    return path, ""


def _find_japanese_font() -> tuple[str | None, str]:
    found = next((f for f in FONT_FILES if Path(f).is_file()), None)
    if found is None and shutil.which("fc-list"):
        proc = subprocess.run(["fc-list", ":lang=ja", "file"], capture_output=True, text=True, check=False)
        found = next((ln.split(":")[0].strip() for ln in proc.stdout.splitlines()
                      if ln.split(":")[0].strip().endswith((".ttf", ".otf", ".ttc"))), None)
    return found, "日本語フォントがありません / no Japanese font"


def _find_ppocr() -> tuple[str | None, str]:
    """PP-OCR on ONNX Runtime (the default --ocr engine): the ocr extra, no system program."""
    from analyzer.ingest.ocr import ocr_unavailable

    why = ocr_unavailable("ppocr")
    return (None, why) if why else ("ppocr", "")


def _find_chromium() -> tuple[str | None, str]:
    """Debian's chromium and its chromedriver (tests/test_serve_browser.py drives them with selenium)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        return None, "chromium と chromedriver がありません / chromium and chromedriver not found"
    return driver, ""


PROGRAMS = {
    "soffice": _find_soffice, "tesseract": _find_tesseract, "japanese-font": _find_japanese_font, "ppocr": _find_ppocr,
    "chromium": _find_chromium,
}


def require(name: str) -> str:
    """The path of ``name`` ("soffice", "tesseract" with jpn data and pytesseract, "japanese-font").

    Missing: outside CI the test is skipped, under CI=true it fails — both with the
    README's apt line in the reason.
    """
    found, why = PROGRAMS[name]()
    if found:
        return found
    reason = f"{why}: {APT_LINE}"
    if in_ci():
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def require_program():
    """require_program("soffice" | "tesseract" | "japanese-font" | "ppocr" | "chromium") → path; skips (fails under
    CI=true) if missing."""
    return require


@pytest.fixture
def write(tmp_path):
    """write(name, text, encoding='utf-8') → Path of a new file in tmp_path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


# Accuracy figures recorded by test_eval.py, printed at the end of the run.
EVAL_FIGURES: list[tuple[str, dict]] = []
# Topic classifier, leave one issuer out (test_topics.py): (issuer, topic acc., n, label acc. incl. none, n).
TOPIC_FIGURES: list[tuple[str, float, int, float, int]] = []


def pytest_terminal_summary(terminalreporter):
    if TOPIC_FIGURES:
        terminalreporter.section("tokki topics (leave-one-issuer-out accuracy)")
        for issuer, topic, n, label, m in TOPIC_FIGURES:
            terminalreporter.write_line(
                f"{issuer}: topic accuracy {topic:.3f} ({n} clauses with topics), "
                f"label accuracy incl. none {label:.3f} ({m} clauses)"
            )
        mean = sum(f[1] for f in TOPIC_FIGURES) / len(TOPIC_FIGURES)
        terminalreporter.write_line(f"mean topic accuracy {mean:.3f}")
    if not EVAL_FIGURES:
        return
    terminalreporter.section("tokki eval (accuracy)")
    for name, data in EVAL_FIGURES:
        f1 = "  ".join(f"{k} {v:.3f}" for k, v in data["f1"].items())
        terminalreporter.write_line(
            f"{name}: {data['contracts']} contracts, F1 {f1}, error codes {data['errors_ok']}/{data['errors_total']}"
        )
