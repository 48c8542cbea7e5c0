"""tokki serve in a real browser (issue 20): Debian's headless Chromium driven by selenium against
the page served by uvicorn on 127.0.0.1.

``TOKKI_SCREENSHOTS=DIR`` saves the screenshots the README shows into DIR.
"""
from __future__ import annotations

import io
import os
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra: pip install -e '.[serve]'")
uvicorn = pytest.importorskip("uvicorn", reason="the serve extra: pip install -e '.[serve]'")
webdriver = pytest.importorskip("selenium.webdriver", reason="the test extra: pip install -e '.[test]'")
from builders import write_docx  # noqa: E402
from conftest import require  # noqa: E402
from contracts import build_annex  # noqa: E402
from docx import Document as DocxDocument  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from analyzer.checker import shared_checker  # noqa: E402
from analyzer.serve import ServeConfig, create_app  # noqa: E402

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """The app on 127.0.0.1 in a thread of this process; stopped after the module."""
    port = _free_port()
    config = ServeConfig(port=port)
    srv = uvicorn.Server(uvicorn.Config(create_app(config, shared_checker()), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    driver_path = require("chromium")  # skipped without it, failed under CI=true
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600",
                "--lang=ja"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else ""
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _screenshot(driver, name: str) -> None:
    folder = os.environ.get("TOKKI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / name))


def test_upload_a_draft_see_the_old_clause_and_download_the_fix(server, browser, tmp_path):
    draft = tmp_path / "R06-015_特記事項.docx"
    write_docx(draft, build_annex(old=True).split("\n"))
    browser.get(server + "/")
    assert "特記事項チェック" in browser.title
    browser.find_element(By.ID, "files").send_keys(str(draft))
    browser.find_element(By.CSS_SELECTOR, "form.check button[type=submit]").click()
    wait = WebDriverWait(browser, 60)
    clause = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#result #c15")))
    # 第15 is shown as old wording, beside the current text, with the words to change marked.
    assert "旧版" in clause.text
    marks = clause.find_elements(By.TAG_NAME, "mark")
    assert {m.text for m in marks} >= {"することができる", "行う"}
    assert browser.current_url.rstrip("/") == server  # the report came into the page (HTMX), no navigation
    _screenshot(browser, "serve-check.png")
    # The fixed draft, from the same analysis, opens in Word's format with tokki's tracked changes.
    href = browser.find_element(By.ID, "download-docx").get_attribute("href")
    with urllib.request.urlopen(href) as response:
        body = DocxDocument(io.BytesIO(response.read())).element.body
    inserted = "".join(t.text or "" for ins in body.iter(f"{W}ins") for t in ins.iter(f"{W}t"))
    assert "行う" in inserted
