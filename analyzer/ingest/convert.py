"""Legacy formats (.doc, .rtf) → DOCX with LibreOffice (``--convert``), then read as DOCX.

The input is copied into a temporary folder first and converted there:
LibreOffice writes a lock file (.~lock.NAME#) beside every file it opens, and
tokki never writes into an input folder. A private LibreOffice profile per
conversion lets several scan workers convert at once.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from ..errors import CorruptDocument, DocumentTimeout, UnsupportedFormat
from ..model import Document

CONVERTIBLE = {".doc", ".rtf", ".docx"}  # .docx: a legacy .doc saved under a .docx name
# Seconds for one conversion: a 50-page .doc converts in 2–5 s (cold start included);
# far more means LibreOffice hangs on the file.
CONVERT_TIMEOUT = 120.0
CONVERTED_NOTE = "LibreOffice で DOCX に変換して読みました / converted to DOCX with LibreOffice (--convert)"


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_converted(path: Path, name: str, settings, timeout: float = CONVERT_TIMEOUT) -> Document:
    """The text of ``path`` converted to DOCX by LibreOffice; the input file is only read."""
    from .docx import read_docx

    exe = soffice_path()
    if exe is None:
        raise UnsupportedFormat(
            name,
            "--convert には LibreOffice（soffice）が必要です。インストールするか PDF・DOCX に変換してください"
            " / --convert needs LibreOffice (soffice) on PATH: install it, or convert the file to PDF or DOCX",
        )
    with tempfile.TemporaryDirectory(prefix="tokki-convert-") as tmp:
        work = Path(tmp)
        src = work / ("input" + (path.suffix.lower() if path.suffix.lower() != ".docx" else ".doc"))
        shutil.copyfile(path, src)
        outdir = work / "out"
        cmd = [
            exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(src),
        ]
        # A session of its own, so a hung LibreOffice (oosplash and soffice.bin) is killed as a group.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            raise DocumentTimeout(
                name, f"LibreOffice の変換が {timeout:g} 秒を超えました / conversion took over {timeout:g} s"
            ) from exc
        out = outdir / "input.docx"
        if not out.is_file() or out.stat().st_size == 0:
            raise CorruptDocument(
                name, "LibreOffice で変換できませんでした（破損の可能性） / LibreOffice could not convert the file"
            )
        doc = read_docx(out, name, settings)
    return replace(doc, notes=(*doc.notes, CONVERTED_NOTE))
