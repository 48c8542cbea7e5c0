"""A third labelled corpus: the layout corpus's contracts as an office scanner returns them.

    python3 benchmarks/scans/generate.py OUT [--seed N] [--count 44] [--small]

Needs reportlab (the ``test`` extra), numpy, Pillow and pypdfium2, and a
Japanese system font (fonts-ipafont-gothic / Noto CJK) for pdfium to draw the
non-embedded HeiseiMin text: without one the pages render blank and the
generator stops with that message.

Each contract is built as a digital PDF with the building blocks of
``benchmarks/layouts/generate.py`` (its clause content, its content
mutations and their labels, its reportlab pages): the main contract
(業務委託契約書) followed by the annex, or the annex alone; the annex as
flowing text or, for about a quarter of the contracts, as the ruled 2- or
3-column table. Every page is then rendered with pypdfium2 at the scan
resolution (200 or 300 dpi, about half each), degraded with numpy and Pillow
the way paper and office machines degrade it, and written as an image-only
PDF (Pillow; JPEG pages, no text layer): what tokki sees of a contract that
was printed, signed, sealed, copied and scanned back in. Labels come from how
the contract was built, never from running tokki; they are those of the text
as printed, so they hold for a reader with OCR (``tokki check --ocr``).

OUT gets manifest.csv and labels.json in the format of the layout corpus
(labels: clauses, weakened, error, reference, signed_on), the PDFs
(``S007-copy2-stamp-obsolete.pdf``: id, the two most visible degradations,
the content mutation) and scans.csv: id, dpi, pages, degradations, then
layout, mutation, placement and colour mode. ``degradations`` lists what was
done, with its parameters, e.g.
``skew=+1.2;blur=0.8;speckle=0.0020;jpeg=45;stamp=p2+p4;copy2;upside_down=p3;sideways=p2:90;gray;table``
(pages 1-based in the scanned PDF; sideways with the turn in degrees,
clockwise).

Degradations, drawn per contract by a seeded RNG (several per contract; each
on at least 4 contracts of the default 44, at least once in ``--small``), and
why an office produces them:

- ``skew=±a`` — every page turned by about ``a`` degrees (|a| ≤ 2, one sign
  per document, ±0.3° jitter per page), the uncovered corners white: sheets
  enter an automatic document feeder (ADF) a little askew, all in the same
  direction because the guides are set once per stack; the scanner's lid
  behind them is white.
- ``blur=r`` — Gaussian blur of radius 0.5–1.2 px: a dusty or slightly
  defocused lens, a sheet lifted off the glass by a staple, the "speed"
  scan modes that trade sharpness for pages per minute.
- ``speckle=f`` — salt-and-pepper dots on a share ``f`` of 0.05–0.3 % of the
  pixels and a few small dark blobs: toner dust and paper fibres on the
  glass, scanner sensor noise, white dropouts where toner did not stick.
- ``jpeg=q`` — pages stored as JPEG of quality 30–70 (other scans use 85):
  the "high compression" or "small file" setting every scan-to-mail
  multifunction printer offers, because mail servers cap attachments;
  blocky 8×8 artefacts and ringing round the strokes.
- ``stamp=pA+pB`` — red 朱肉 seals, 18–25 mm circles with 「福岡県知事之印」,
  「代表取締役印」 (double ring), a surname or 「印」 inside, slightly turned
  and unevenly inked, blended by multiplication (the text stays visible
  through the ink) over the signature block of the main contract (記名押印)
  and over at least one 第N label of the annex (契印 / 割印 joining the annex
  to the contract, or a 訂正印 on an amended article). Vermilion (R high, G
  and B low), so a reader can remove it by colour; colour scans only. On a
  contract that is also a faint copy the seals were pressed on the copy
  (a 原本証明 of a copy, or the office's counterpart signed on a copy), so
  they are vivid.
- ``copy2`` — a second-generation photocopy scanned: contrast lowered (text
  grey 90–140 on a grey 215–235 background), strokes swollen or thinned by
  the copier's threshold-and-blur round trip, toner grain and the edge of
  the first copy's sheet as a grey band; half of them scanned in grey.
  Offices file the copy of a copy, not the original, and scan what is filed.
- ``upside_down=pN`` — one page turned 180°: a sheet put into the stack the
  wrong way round (the back of a stapled page re-fed after a jam).
- ``sideways=pN:d`` — one page turned 90° or 270° (landscape image): a sheet
  fed sideways, or an A4 page copied on an A3 landscape tray.
- ``gray`` — a greyscale ("L") scan, the default of many scan-to-folder
  profiles (smaller files); never on a contract with seals, whose scanner
  was set to colour so that the seals show.
- ``table`` — not a degradation but the layout: the annex as a ruled table
  (a quarter of the contracts, each content mutation at least once in it
  while there are tables to give).
- ``blank`` (the 2 contracts with the error label) — every page a blank
  sheet's scan: paper grain, speckle, punch holes, the shadow of the
  sheet's edge, no text at all (the cover sheets and separator pages that a
  batch scan turns into files of their own). Labelled ``empty``: this corpus
  is read with ``--ocr`` (without it every contract is ``ocr_required``), and
  a page where OCR finds no line it is sure of has no text. Tesseract
  (``--psm 6``) reads a line of stray characters off such a page, at a low
  confidence, which tokki drops as noise.

Every article stays legible at 100 % zoom (no office copier output is
worse): blur is kept at 0.9 px or less on a faint copy and at 200 dpi,
JPEG quality at 40 or more on a faint copy.

``--small`` writes 8 contracts (7 readable and one blank) that together
carry every degradation at least once, for a CI gate; ``--count N`` N
contracts (2 of them blank). Deterministic for a seed: the same bytes on
every run (fixed PDF dates).
"""
from __future__ import annotations

import argparse
import csv
import gc
import importlib.util
import io
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
LAYOUT_GENERATOR = HERE.parent / "layouts" / "generate.py"


def _layouts():
    """benchmarks/layouts/generate.py as a module (the name tests/test_layout_corpus.py gives it)."""
    module = sys.modules.get("layout_corpus")
    if module is None:
        spec = importlib.util.spec_from_file_location("layout_corpus", LAYOUT_GENERATOR)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
        spec.loader.exec_module(module)
    return module


L = _layouts()
A4W, A4H = L.A4W, L.A4H

# Degradations in the order they are listed; each on at least MIN_EACH contracts of a full corpus.
DEGRADATIONS = ("skew", "blur", "speckle", "jpeg", "stamp", "copy2", "upside_down", "sideways", "gray", "table")
MIN_EACH = 4
# Probability of each degradation on a readable contract before the coverage top-up (table: see plan).
PROBABILITY = {"skew": 0.55, "blur": 0.35, "speckle": 0.45, "jpeg": 0.45, "stamp": 0.35, "copy2": 0.22,
               "upside_down": 0.15, "sideways": 0.12, "gray": 0.3}
# The two most visible degradations name the file: S007-copy2-stamp-obsolete.pdf.
NAME_ORDER = ["copy2", "stamp", "upside_down", "sideways", "table", "skew", "speckle", "blur", "jpeg", "gray"]
SHORT = {"upside_down": "upside"}
BLANK_ERROR = "empty"  # read with --ocr: nothing legible on the pages (without --ocr: ocr_required)
BLANK_COUNT = 2
JPEG_DEFAULT = 85  # the scanner's normal JPEG quality in the PDF
MM = 72 / 25.4  # points per millimetre
VERMILION = (214, 38, 44)  # 朱肉


@dataclass
class Scan:
    """One scanned contract: the layout corpus's Contract and how it was scanned."""

    contract: object  # layout_corpus.Contract
    dpi: int = 200
    deg: dict = field(default_factory=dict)  # degradation → parameters (see plan)

    @property
    def id(self) -> str:
        return self.contract.id

    @property
    def color(self) -> bool:
        return "gray" not in self.deg and "blank" not in self.deg

    def listing(self, pages: int) -> str:
        """The degradations as written in scans.csv (pages resolved for a document of ``pages`` pages)."""
        out = []
        for name in ("blank", *DEGRADATIONS):
            if name not in self.deg:
                continue
            p = self.deg[name]
            if name == "skew":
                out.append(f"skew={p['angle']:+.1f}")
            elif name == "blur":
                out.append(f"blur={p['radius']:.1f}")
            elif name == "speckle":
                out.append(f"speckle={p['fraction']:.4f}")
            elif name == "jpeg":
                out.append(f"jpeg={p['quality']}")
            elif name == "stamp":
                pages_stamped = "+".join(f"p{n}" for n in p.get("pages", []))
                out.append(f"stamp={pages_stamped}" if pages_stamped else "stamp")
            elif name == "upside_down":
                out.append(f"upside_down=p{page_of(p['at'], pages)}")
            elif name == "sideways":
                out.append(f"sideways=p{page_of(p['at'], pages)}:{p['turn']}")
            else:
                out.append(name)
        return ";".join(out)


def page_of(at: float, pages: int) -> int:
    """The 1-based page a planned fraction ``at`` in [0, 1) falls on."""
    return 1 + int(at * pages)


# --- the plan ------------------------------------------------------------------------------------

def _params(name: str, rng: random.Random) -> dict:
    if name == "skew":
        return {"angle": rng.choice([-1, 1]) * rng.uniform(0.3, 2.0)}
    if name == "blur":
        return {"radius": rng.uniform(0.5, 1.2)}
    if name == "speckle":
        return {"fraction": rng.uniform(0.0005, 0.003), "blobs": rng.randint(2, 7)}
    if name == "jpeg":
        return {"quality": rng.randint(30, 70)}
    if name == "stamp":
        return {"at": rng.random(), "annex_seal": rng.choice(["福岡県知事之印", "印", "田中", "代表取締役印"])}
    if name == "copy2":
        return {"ink": rng.randint(90, 140), "paper": rng.randint(215, 235), "threshold": rng.randint(140, 200),
                "edge": rng.choice(["top", "left", "bottom", "right", None])}
    if name == "upside_down":
        return {"at": rng.random()}
    if name == "sideways":
        return {"at": rng.random(), "turn": rng.choice([90, 270])}
    return {}


def _consistent(deg: dict) -> None:
    """Drop what cannot go together: seals need colour; one turned page per contract."""
    if "stamp" in deg:
        deg.pop("gray", None)
    if "upside_down" in deg and "sideways" in deg:
        deg.pop("sideways")


def _legible(s: Scan) -> None:
    """Cap the stacking of degradations at what an office copier produces: text readable at 100 %."""
    faint = "copy2" in s.deg
    if "blur" in s.deg and (faint or s.dpi == 200):
        s.deg["blur"]["radius"] = min(s.deg["blur"]["radius"], 0.9)
    if "jpeg" in s.deg and faint:
        s.deg["jpeg"]["quality"] = max(s.deg["jpeg"]["quality"], 40)


def plan(seed: int = 1, count: int = 44, small: bool = False) -> list[Scan]:
    """The contracts and their degradations, without rendering anything (deterministic for a seed)."""
    if small:
        count = 8
    rng = random.Random(f"scans:{seed}")
    blanks = 1 if small or count < 8 else BLANK_COUNT
    readable = count - blanks
    minimum = 1 if small else MIN_EACH
    muts = L.MUTATIONS[:]
    rng.shuffle(muts)
    dpis = [200, 300] * (count // 2 + 1)
    rng.shuffle(dpis)
    mutations = [muts[k % len(muts)] for k in range(readable)]
    # A quarter of the annexes as ruled tables: each content mutation in the table layout once (one
    # of its contracts) while there are tables to give, then others at random.
    tables = round(readable / 4) or 1
    table_at: list[int] = []
    for m in dict.fromkeys(mutations):
        if len(table_at) < tables:
            table_at.append(rng.choice([k for k, x in enumerate(mutations) if x == m]))
    rest = [k for k in range(readable) if k not in table_at]
    table_at += rng.sample(rest, max(0, tables - len(table_at)))
    table_at.sort()
    scans: list[Scan] = []
    for k in range(readable):
        table = k in table_at
        c = L.Contract(id="", layout="pdf-ruled-table" if table else "pdf-flow",
                       variant=("2col", "3col")[table_at.index(k) % 2] if table else "plain", fmt="pdf")
        c.type = rng.choice("1122234")
        c.signed_on = L._date(rng)
        c.chars = rng.randint(30, 45)
        c.mutation = mutations[k]
        L.apply_mutation(c, rng)
        c.placement = rng.choice(["annex", "body"])
        if c.mutation in ("clean", "obsolete", "toshima") and rng.random() < 0.35:
            c.auto_reference = c.status.get("1") == "current"
        s = Scan(c, dpi=dpis[k])
        for name, p in PROBABILITY.items():
            if rng.random() < p:
                s.deg[name] = _params(name, rng)
        if table:
            s.deg["table"] = {}
        _consistent(s.deg)
        scans.append(s)
    # Coverage: every degradation on at least ``minimum`` contracts.
    for name in DEGRADATIONS:
        if name == "table":
            continue
        have = [s for s in scans if name in s.deg]
        pool = [s for s in scans if name not in s.deg]
        if name == "gray":
            pool = [s for s in pool if "stamp" not in s.deg]
        elif name == "sideways":
            pool = [s for s in pool if "upside_down" not in s.deg]
        rng.shuffle(pool)
        for s in pool[:max(0, minimum - len(have))]:
            s.deg[name] = _params(name, rng)
            _consistent(s.deg)
    # Several per contract: at least two besides the layout.
    for s in scans:
        while len([n for n in s.deg if n != "table"]) < 2:
            name = rng.choice(["skew", "blur", "speckle", "jpeg"])
            s.deg.setdefault(name, _params(name, rng))
    for s in scans:
        if "stamp" in s.deg:
            s.contract.placement = "body"  # a seal on the signature block of the main contract
        if "copy2" in s.deg and "stamp" not in s.deg and "gray" not in s.deg and rng.random() < 0.5:
            s.deg["gray"] = {}  # half of the faint copies scanned in grey
        _legible(s)
    # Blank contracts: spread through the list.
    for b in range(blanks):
        c = L.Contract(id="", layout="blank", variant="noise", fmt="pdf", mutation="error", error=BLANK_ERROR)
        c.type = rng.choice("1122234")
        c.signed_on = L._date(rng)
        s = Scan(c, dpi=dpis[readable + b],
                 deg={"blank": {"pages": rng.randint(1, 3), "holes": rng.random() < 0.5},
                      "speckle": _params("speckle", rng), "jpeg": _params("jpeg", rng)})
        s.deg["gray"] = {}
        scans.insert(rng.randint(1, len(scans)), s)
    for n, s in enumerate(scans, start=1):
        tags = [SHORT.get(t, t) for t in NAME_ORDER if t in s.deg][:2] if "blank" not in s.deg else ["blank"]
        s.contract.id = f"S{n:03d}-{'-'.join(tags)}-{s.contract.mutation}"
    return scans


# --- the digital contract ------------------------------------------------------------------------

def build_pdf(s: Scan, rng: random.Random) -> tuple[bytes, int]:
    """The contract as the office printed it (reportlab, layout corpus blocks); returns (PDF, body pages)."""
    c = s.contract
    buf = io.BytesIO()
    pdf = L.Pdf(buf)
    body_pages = 0
    if c.placement == "body":
        L.pdf_body_pages(pdf, c, rng)
        body_pages = pdf.c.getPageNumber() - 1
    if c.layout == "pdf-ruled-table":
        L.pdf_ruled_table(pdf, c, three=c.variant == "3col")
    else:  # the annex as flowing text, 第N（見出し） on its own line, page numbers at the foot
        pages = L.paginate(L.wrap_all(L.annex_flow_lines(c), c.chars), 36)
        for i, page in enumerate(pages, start=1):
            pdf.begin((A4W, A4H))
            L.draw_flow(pdf, page, top=A4H - 80, leading=18)
            pdf.text(A4W / 2 - 10, 30, f"- {i} -", 9)
            pdf.next_page()
    pdf.save()
    return buf.getvalue(), body_pages


def _find(textpage, pattern: str) -> tuple[float, float, float, float] | None:
    """PDF box (left, bottom, right, top) of the first match of ``pattern`` in a page's text layer."""
    text = textpage.get_text_range()
    m = re.search(pattern, text, re.M)
    if not m:
        return None
    boxes = [textpage.get_charbox(i) for i in range(m.start(), m.end())]
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def seal_places(pdf, s: Scan, body_pages: int) -> list[tuple[int, float, float, str]]:
    """Where seals go: (page index, x, y in PDF points, seal text), found in the digital PDF's text layer."""
    c = s.contract
    out = []
    for i in range(body_pages):
        tp = pdf[i].get_textpage()
        chief = _find(tp, r"福岡県知事")
        if chief:  # the 甲's seal over the end of the name line 「福岡県知事　○○　○○」
            out.append((i, chief[2] + 62, (chief[1] + chief[3]) / 2 + 4, "福岡県知事之印"))
        rep = _find(tp, r"代表取締役")
        if rep:  # the 乙's, further right: the two do not cover each other
            out.append((i, rep[2] + 104, (rep[1] + rep[3]) / 2, "代表取締役印"))
    # One annex article's label: 第N (第N条 in the toshima set) at the start of a line.
    k = 1 + int(s.deg["stamp"]["at"] * min(len(c.numbers) - 1, 12))
    label = L.label_text(c, c.numbers[k])
    for pattern in (rf"^{re.escape(label)}(?![0-9０-９])", r"^第[0-9]+"):  # that article, else the first found
        for i in range(body_pages, len(pdf)):
            box = _find(pdf[i].get_textpage(), pattern)
            if box:
                out.append((i, box[2] + 6, (box[1] + box[3]) / 2 - 4, s.deg["stamp"]["annex_seal"]))
                return out
    raise AssertionError(f"{s.id}: no 第N label in the annex to seal")


# --- seals ---------------------------------------------------------------------------------------

_SEAL_CACHE: dict = {}
# Seal texts in columns, read right to left (a surname: one column, top to bottom).
SEAL_COLUMNS = {"福岡県知事之印": ["福岡県", "知事", "之印"], "代表取締役印": ["代表", "取締", "役印"]}


def seal_ink(text: str, diameter_mm: float, dpi: int) -> np.ndarray:
    """Ink coverage (0–1) of a round seal, drawn with reportlab and rendered by pdfium (the document's font)."""
    key = (text, round(diameter_mm, 1), dpi)
    if key in _SEAL_CACHE:
        return _SEAL_CACHE[key]
    import pypdfium2 as pdfium
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if L.FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(L.FONT))
    d = diameter_mm * MM
    buf = io.BytesIO()
    cv = Canvas(buf, pagesize=(d, d), invariant=1)
    cv.setLineWidth(0.9 * MM)
    r = d / 2 - 0.6 * MM
    cv.circle(d / 2, d / 2, r)
    inner = r
    if text == "代表取締役印":  # company seal: double ring
        cv.setLineWidth(0.5 * MM)
        inner = r * 0.72
        cv.circle(d / 2, d / 2, inner)
    columns = SEAL_COLUMNS.get(text, [text])
    rows = max(len(col) for col in columns)
    size = min(1.35 * inner / max(rows, len(columns)), 1.2 * inner)
    for j, col in enumerate(columns):  # columns read right to left
        x = d / 2 + (len(columns) - 1) / 2 * size * 1.02 - j * size * 1.02
        for m, ch in enumerate(col):
            y = d / 2 + (len(col) - 1) / 2 * size - m * size - 0.38 * size
            cv.setFont(L.FONT, size)
            cv.setLineWidth(size * 0.04)
            cv.drawCentredString(x, y, ch, mode=2)
    cv.showPage()
    cv.save()
    page = pdfium.PdfDocument(buf.getvalue())[0]
    grey = np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"), dtype=np.float32)
    ink = 1.0 - grey / 255.0
    _SEAL_CACHE[key] = ink
    return ink


def press_seal(img: np.ndarray, ink: np.ndarray, cx: int, cy: int, rng: random.Random, nrng) -> None:
    """Multiply a red seal of coverage ``ink`` onto the RGB array ``img`` centred at (cx, cy), in place."""
    h, w = ink.shape
    pil = Image.fromarray((ink * 255).astype(np.uint8)).rotate(rng.uniform(-15, 15), resample=Image.BILINEAR)
    m = np.asarray(pil, dtype=np.float32) / 255.0
    # Uneven pressure: a gradient across the seal and blotchy ink.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    grad = 0.9 + 0.1 * ((xx - w / 2) * np.cos(ang) + (yy - h / 2) * np.sin(ang)) / (w / 2)
    blot = np.asarray(Image.fromarray((nrng.random((max(2, h // 6), max(2, w // 6))) * 255).astype(np.uint8))
                      .resize((w, h), Image.BILINEAR), dtype=np.float32) / 255.0
    alpha = rng.uniform(0.85, 0.95) * m * np.clip(grad * (0.85 + 0.15 * blot), 0, 1)
    x0, y0 = cx - w // 2, cy - h // 2
    H, W = img.shape[:2]
    ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(W, x0 + w), min(H, y0 + h)
    if ax0 >= ax1 or ay0 >= ay1:
        return
    a = alpha[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0, None]
    colour = np.array([min(255, v + rng.randint(-8, 8)) for v in VERMILION], dtype=np.float32)
    layer = 255.0 - a * (255.0 - colour)
    region = img[ay0:ay1, ax0:ax1].astype(np.float32)
    img[ay0:ay1, ax0:ax1] = (region * layer / 255.0).astype(np.uint8)


# --- page degradations ---------------------------------------------------------------------------

def faint_copy(grey: np.ndarray, p: dict, rng: random.Random, nrng) -> np.ndarray:
    """A second-generation copy of the greyscale page: threshold-and-blur round trip, low contrast, grain."""
    t, ink, paper = p["threshold"], p["ink"], p["paper"]
    img = Image.fromarray(grey).filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 0.9)))
    # The copier's toner threshold (high: strokes swell, low: they thin), then its optics again.
    img = img.point([round(255 * min(1.0, max(0.0, (v - t) / 70.0 + 0.5))) for v in range(256)])
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    img = img.point([round(paper - (1 - v / 255.0) * (paper - ink)) for v in range(256)])  # grey on grey
    out = np.asarray(img, dtype=np.int16) + nrng.integers(-4, 5, grey.shape, dtype=np.int16)  # toner grain
    h, w = out.shape
    edge = p.get("edge")
    if edge:  # the first copy's sheet edge, a grey band a few pixels wide
        at, width = rng.randint(8, 40), rng.randint(3, 9)
        if edge == "top":
            out[at:at + width, :] -= 70
        elif edge == "bottom":
            out[h - at - width:h - at, :] -= 70
        elif edge == "left":
            out[:, at:at + width] -= 70
        else:
            out[:, w - at - width:w - at] -= 70
    return np.clip(out, 0, 255).astype(np.uint8)


def speckle(img: np.ndarray, p: dict, rng: random.Random, nrng) -> None:
    """Salt-and-pepper dots on a share of the pixels, and a few small dust blobs, in place."""
    h, w = img.shape[:2]
    n = int(p["fraction"] * h * w)
    ys, xs = nrng.integers(0, h, n), nrng.integers(0, w, n)
    dark = nrng.random(n) < 0.7
    shades = nrng.integers(0, 70, int(dark.sum()))
    img[ys[dark], xs[dark]] = shades[:, None] if img.ndim == 3 else shades
    img[ys[~dark], xs[~dark]] = 255
    pil = Image.fromarray(img)
    d = ImageDraw.Draw(pil)
    for _ in range(p.get("blobs", 3)):
        x, y = rng.randint(0, w - 1), rng.randint(0, h - 1)
        rx, ry = rng.uniform(1.0, 4.5), rng.uniform(1.0, 4.5)
        shade = rng.randint(20, 90)
        d.ellipse([x - rx, y - ry, x + rx, y + ry], fill=(shade,) * 3 if img.ndim == 3 else shade)
    img[...] = np.asarray(pil)


def blank_page(dpi: int, p: dict, rng: random.Random, nrng) -> np.ndarray:
    """A blank sheet's scan: paper grain, edge shadow, punch holes, no text."""
    w, h = round(A4W / 72 * dpi), round(A4H / 72 * dpi)
    paper = rng.randint(225, 245)
    img = np.full((h, w), paper, dtype=np.float32) + nrng.standard_normal((h, w), dtype=np.float32) * 4.0
    shadow = rng.randint(4, 14)  # the lid's shadow along the sheet's edge
    img[:, :shadow] -= np.linspace(60, 0, shadow, dtype=np.float32)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    if p.get("holes"):  # two punch holes at the left, 80 mm apart, dark where the lid was open
        d = ImageDraw.Draw(out)
        r = 3 * dpi / 25.4
        cx = 12 * dpi / 25.4
        for cy in (h / 2 - 40 * dpi / 25.4, h / 2 + 40 * dpi / 25.4):
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=rng.randint(40, 90))
    return np.asarray(out).copy()


# --- the scan ------------------------------------------------------------------------------------

PAPER_TINT = (1.0, 0.993, 0.982)  # a colour scan of white office paper: a trace of yellow


def tint(grey: Image.Image) -> Image.Image:
    """The greyscale page as a colour scan sees it."""
    return Image.merge("RGB", [grey.point([int(v * f) for v in range(256)]) for f in PAPER_TINT])

def scan_pages(s: Scan, rng: random.Random) -> list[Image.Image]:
    """The scanned pages of a contract, as Pillow images (mode RGB or L)."""
    import pypdfium2 as pdfium

    nrng = np.random.default_rng(rng.getrandbits(64))
    d = s.deg
    if "blank" in d:
        pages = [blank_page(s.dpi, d["blank"], rng, nrng) for _ in range(d["blank"]["pages"])]
        for img in pages:
            speckle(img, d["speckle"], rng, nrng)
        return [Image.fromarray(img) for img in pages]

    data, body_pages = build_pdf(s, rng)
    pdf = pdfium.PdfDocument(data)
    n = len(pdf)
    seals: dict[int, list] = {}
    if "stamp" in d:
        for i, x, y, text in seal_places(pdf, s, body_pages):
            seals.setdefault(i, []).append((x, y, text))
        d["stamp"]["pages"] = sorted(i + 1 for i in seals)
    turned = {}
    if "upside_down" in d:
        turned[page_of(d["upside_down"]["at"], n) - 1] = 180
    if "sideways" in d:
        turned[page_of(d["sideways"]["at"], n) - 1] = d["sideways"]["turn"]
    sign_jitter = [rng.uniform(-0.3, 0.3) for _ in range(n)]
    scale = s.dpi / 72
    out = []
    for i in range(n):
        grey = np.asarray(pdf[i].render(scale=scale, grayscale=True).to_pil().convert("L"))
        if i == 0 and (grey < 128).mean() < 0.002:
            sys.exit("ページに文字が描かれません: 日本語フォント (fonts-ipafont-gothic) が必要です / "
                     "pdfium drew no text: install a Japanese font (fonts-ipafont-gothic or Noto CJK)")
        if "copy2" in d:
            grey = faint_copy(grey, d["copy2"], rng, nrng)
        # Greyscale all through (a third of the work) but on the pages with seals, which are colour
        # from the pressing on; the other pages of a colour scan are tinted at the end (the same
        # result: the tint is linear per channel).
        if seals.get(i):
            img = np.asarray(tint(Image.fromarray(grey))).copy()
            for x, y, text in seals[i]:
                ink = seal_ink(text, rng.uniform(18, 25) if text != "印" else rng.uniform(18, 20), s.dpi)
                press_seal(img, ink, int(x * scale), int((A4H - y) * scale), rng, nrng)
            page = Image.fromarray(img)
        else:
            page = Image.fromarray(grey)
        if i in turned:  # a sheet fed the wrong way: 180, or 90 / 270 (clockwise) into a landscape image
            page = page.rotate(-turned[i], expand=True)
        if "skew" in d:
            angle = float(np.clip(d["skew"]["angle"] + sign_jitter[i], -2.0, 2.0))
            if d["skew"]["angle"] * angle < 0:  # same sign over the document
                angle = d["skew"]["angle"]
            page = page.rotate(angle, resample=Image.BILINEAR, fillcolor=(255, 255, 255) if page.mode == "RGB" else 255)
        if "speckle" in d:
            arr = np.array(page)
            speckle(arr, d["speckle"], rng, nrng)
            page = Image.fromarray(arr)
        if "blur" in d:
            page = page.filter(ImageFilter.GaussianBlur(d["blur"]["radius"]))
        if s.color and page.mode == "L":
            page = tint(page)
        out.append(page)
    pdf.close()
    return out


def write_scan(path: Path, s: Scan, pages: list[Image.Image]) -> None:
    """An image-only PDF: one JPEG page each, at the scan resolution, fixed dates (same bytes every run)."""
    when = time.strptime(s.contract.signed_on, "%Y-%m-%d")
    quality = s.deg["jpeg"]["quality"] if "jpeg" in s.deg else JPEG_DEFAULT
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=float(s.dpi), quality=quality,
                  title=s.id, creator="Scan to Folder", producer="MFP scanner", creationDate=when, modDate=when)


# --- the corpus ----------------------------------------------------------------------------------

def generate(out: Path, seed: int = 1, count: int = 44, small: bool = False) -> list[Scan]:
    """Write the corpus into ``out`` (created); returns the scans with their labels."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scans = plan(seed, count, small)
    manifest, labels, rows = [], {}, []
    for s in scans:
        c = s.contract
        rng = random.Random(f"{seed}:{c.id}")  # rendering draws: one contract never shifts another
        pages = scan_pages(s, rng)
        write_scan(out / f"{c.id}.pdf", s, pages)
        npages = len(pages)
        del pages
        gc.collect()  # pdfium's page objects hold the rendered bitmaps in cycles: free them per contract
        manifest.append([c.id, f"{c.id}.pdf", c.type, c.signed_on, "" if c.auto_reference else c.reference])
        labels[c.id] = c.label()
        rows.append([c.id, s.dpi, npages, s.listing(npages), c.layout if not c.error else "blank",
                     c.variant, c.mutation, c.placement, "RGB" if s.color else "L"])
    with open(out / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "files", "type", "signed_on", "reference"])
        w.writerows(manifest)
    with open(out / "scans.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "dpi", "pages", "degradations", "layout", "variant", "mutation", "placement", "mode"])
        w.writerows(rows)
    (out / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return scans


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=44, help="contracts (2 of them blank); default 44")
    ap.add_argument("--small", action="store_true", help="8 contracts, every degradation at least once (CI gate)")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    scans = generate(args.out, args.seed, args.count, args.small)
    print(f"{len(scans)} scanned contracts → {args.out} ({time.perf_counter() - start:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
