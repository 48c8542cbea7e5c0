"""The one lock around pdfium, which is not thread-safe (one library state per process).

Every call into it — the PDF reader, OCR's page rendering, the scan's page count — holds
``PDFIUM_LOCK``, and closes what it opened inside it, so many threads may analyse at once.
"""
from __future__ import annotations

import threading

PDFIUM_LOCK = threading.Lock()
