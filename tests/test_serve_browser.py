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
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from analyzer.checker import shared_checker  # noqa: E402
from analyzer.scan import scan_archive  # noqa: E402
from analyzer.serve import ServeConfig, create_app  # noqa: E402

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory) -> Path:
    """A scanned archive of three contracts: one with the pre-2023 第15/第16, one current, one without 第12."""
    root = tmp_path_factory.mktemp("browser-archive")
    archive = root / "archive"
    archive.mkdir()
    (archive / "R06-001.txt").write_text("契約日 令和6年4月1日\n" + build_annex(old=True), "utf-8")
    (archive / "R06-002.txt").write_text("契約日 令和6年5月1日\n" + build_annex(), "utf-8")
    (archive / "R06-003.txt").write_text("契約日 令和6年6月1日\n" + build_annex(drop=(12,)), "utf-8")
    db = root / "t.sqlite"
    scan_archive(archive, db=db, out=None, jobs=1)
    return db


@pytest.fixture(scope="module")
def server(archive_db):
    """The app on 127.0.0.1 in a thread of this process; stopped after the module."""
    port = _free_port()
    config = ServeConfig(db=archive_db, port=port)
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
    write_docx(draft, ["契約日　令和6年4月1日", *build_annex(old=True).split("\n")])
    browser.get(server + "/")
    assert "特記事項チェック" in browser.title
    browser.find_element(By.ID, "files").send_keys(str(draft))
    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
    # Choosing the file fills the options from it: the signing date it states.
    wait.until(lambda d: d.find_element(By.ID, "signed_on").get_attribute("value") == "2024-04-01")
    assert "令和6年4月1日" in browser.find_element(By.ID, "prefilled").text
    browser.find_element(By.CSS_SELECTOR, "form.check button[type=submit]").click()
    clause = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#result #c15")))
    # 第15 is shown as old wording, beside the current text, with the words to change marked.
    assert "旧版" in clause.text
    marks = clause.find_elements(By.TAG_NAME, "mark")
    assert {m.text for m in marks} >= {"することができる", "行う"}
    assert browser.current_url.rstrip("/") == server  # the report came into the page (HTMX), no navigation
    # The date was read from the draft, not given by the clerk: the report says where it was read.
    signed = browser.find_element(
        By.XPATH, "//div[@id='result']//dl[@class='meta']/dt[starts-with(., '契約日')]/following-sibling::dd[1]").text
    assert "2024-04-01" in signed and "R06-015_特記事項.docx" in signed and "cli" not in signed
    _screenshot(browser, "serve-check.png")
    # The fixed draft, from the same analysis, opens in Word's format with tokki's tracked changes.
    href = browser.find_element(By.ID, "download-docx").get_attribute("href")
    with urllib.request.urlopen(href) as response:
        body = DocxDocument(io.BytesIO(response.read())).element.body
    inserted = "".join(t.text or "" for ins in body.iter(f"{W}ins") for t in ins.iter(f"{W}t"))
    assert "行う" in inserted


def test_filter_the_archive_and_record_a_decision(server, browser):
    browser.get(server + "/archive")
    _screenshot(browser, "serve-archive.png")
    browser.get(server + "/archive/contracts")
    wait = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))  # HTMX swaps
    assert browser.find_element(By.ID, "shown").text == "3"
    # Choosing a finding kind narrows the list at once (no button to press).
    Select(browser.find_element(By.ID, "filter-kind")).select_by_value("obsolete")
    wait.until(lambda d: d.find_element(By.ID, "shown").text == "1")
    rows = browser.find_elements(By.CSS_SELECTOR, ".archive tbody tr")
    assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == ["R06-001"]
    wait.until(lambda d: "kind=obsolete" in d.current_url)  # the filtered list has an address of its own
    rows[0].find_element(By.TAG_NAME, "a").click()
    form = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#review-15-obsolete form")))
    Select(form.find_element(By.NAME, "decision")).select_by_value("resolved")
    form.find_element(By.NAME, "reason").send_keys("令和6年度の変更契約で差替え")
    form.find_element(By.NAME, "reviewer").send_keys("監査 花子")
    form.find_element(By.TAG_NAME, "button").click()
    decided = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#review-15-obsolete .decided")))
    assert "対応済み" in decided.text and "監査 花子" in decided.text
    _screenshot(browser, "serve-decision.png")
    browser.get(server + "/archive/contracts?kind=obsolete")
    assert "対応済み 1" in browser.find_element(By.CSS_SELECTOR, ".archive tbody tr td.decided").text


def test_concurrent_checks_on_the_live_server_agree(server, tmp_path):
    """8 clients × 3 uploads at once (bounded): every answer is 200 and the report one check alone gives."""
    import httpx
    from concurrent.futures import ThreadPoolExecutor

    draft = tmp_path / "R06-015_特記事項.docx"
    write_docx(draft, build_annex(old=True).split("\n"))
    upload = {"files": (draft.name, draft.read_bytes())}
    with httpx.Client(base_url=server, timeout=120) as client:
        alone = client.post("/api/check", files=upload).json()

    def three(_):
        with httpx.Client(base_url=server, timeout=120) as client:
            return [client.post("/api/check", files=upload) for _ in range(3)]

    with ThreadPoolExecutor(8) as pool:
        answers = [r for batch in pool.map(three, range(8)) for r in batch]
    assert [r.status_code for r in answers] == [200] * 24
    assert all(r.json() == alone for r in answers)


def test_a_file_dropped_on_the_drop_zone_is_taken(server, browser, tmp_path):
    """Drag and drop: the zone hands dropped files to its input (simulated with a DataTransfer)."""
    browser.get(server + "/")
    browser.execute_script("""
        const dt = new DataTransfer();
        dt.items.add(new File(["第1 乙は、個人情報を適正に取り扱う。"], "ドロップ.txt", {type: "text/plain"}));
        document.querySelector("label.drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true}));
    """)
    assert browser.execute_script("return document.getElementById('files').files[0].name") == "ドロップ.txt"
