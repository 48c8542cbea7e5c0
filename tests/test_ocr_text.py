"""OCR text: lines rebuilt from an engine's boxes, labels repaired, misreadings told from changes.

No OCR engine runs here: the engine's output (fragments with character positions and
probabilities) is written out, as PP-OCR gives it for the cases seen on scans.
"""
from __future__ import annotations

import pytest

from analyzer.ingest.ocr.lines import REPAIRED_CONFIDENCE, build_lines
from analyzer.ingest.ocr.ppocr import Fragment
from analyzer.ja.textmap import MappedText
from analyzer.judge import ocr_repair
from analyzer.normalize import make_comparable, normalize_text
from analyzer.settings import default_settings

PITCH = 40.0  # px per character at 300 dpi, 10.5 pt


def frag(text: str, x: float, y: float, probs=None, gaps: dict[int, float] | None = None) -> Fragment:
    """A fragment of ``text`` starting at x on the line at y; ``gaps`` adds space before character i."""
    xs, pos = [], x
    for i in range(len(text)):
        pos += (gaps or {}).get(i, 0.0)
        xs.append(pos + PITCH / 2)
        pos += PITCH
    probs = probs or [0.99] * len(text)
    return Fragment(text, tuple(xs), tuple(probs), (x, y, pos, y + 44))


def texts(fragments) -> list[str]:
    return [ln.text for ln in build_lines(fragments)]


def test_fragments_on_one_printed_line_join_in_reading_order_whatever_the_engine_order():
    a = frag("乙は、個人情報の取扱いに", 200, 300)
    b = frag("当たっては、", 200 + 12 * PITCH + 10, 304)  # a little lower: the same line
    c = frag("次の行", 200, 370)
    assert texts([c, b, a]) == ["乙は、個人情報の取扱いに当たっては、", "次の行"]


def test_a_label_split_from_its_text_by_a_wide_gap_gets_a_space_and_stays_on_its_line():
    label = frag("第1", 200, 300)
    text = frag("乙は、個人情報を", 200 + 2 * PITCH + 120, 300)
    assert texts([label, text]) == ["第1\u3000乙は、個人情報を"]


def test_a_wide_gap_after_text_is_a_cell_boundary_a_table_reads_cell_by_cell():
    # 条 | 見出し | 内容 : the label and its heading stay together, the content starts a line.
    label = frag("第1", 100, 300)
    heading = frag("基本的事項", 300, 300)
    content = frag("乙は、個人情報の保護の重要性を", 700, 300)
    content2 = frag("認識し、", 700, 370)
    assert texts([content2, content, heading, label]) == ["第1\u3000基本的事項", "乙は、個人情報の保護の重要性を", "認識し、"]


def test_the_space_a_recogniser_drops_after_a_label_is_put_back_where_the_page_shows_a_gap():
    # 「2　前項の」 read as 「2前項の」 in one box: the gap between 2 and 前 is a full-width space.
    assert texts([frag("2前項の規定は", 200, 300, gaps={1: PITCH})]) == ["2\u3000前項の規定は"]
    # 「10日以内に」 wrapped to the start of a line: no gap, no label.
    assert texts([frag("10日以内に検査を", 200, 300)]) == ["10日以内に検査を"]


@pytest.mark.parametrize(
    "read, expected",
    [("2乙は、前項の", "2\u3000乙は、前項の"), ("第1乙は、", "第1\u3000乙は、"), ("ア氏名", "ア\u3000氏名"),
     ("第1受託者は、", "第1\u3000受託者は、"), ("第12条の規定により", "第12条の規定により"), ("第2項において", "第2項において"),
     ("三不正アクセス", "三不正アクセス"), ("2、乙は、", "2\u3000乙は、"), ("2、前項の規定は", "2\u3000前項の規定は"),
     ("2、3項", "2、3項"),
     ("アクセス制御", "アクセス制御"), ("一部を", "一部を")],
)
def test_a_label_whose_shape_ends_it_gets_its_space_without_a_gap(read, expected):
    assert texts([frag(read, 200, 300)]) == [expected]


@pytest.mark.parametrize("read", ["箒1　乙は、", "笫1　乙は、", "第l　乙は、", "第I　乙は、", "- 第1　乙は、"])
def test_misread_article_labels_at_the_margin_are_given_back_with_a_low_confidence(read):
    other = frag("乙は、個人情報を取り扱う", 200, 400)  # sets the margin at x=200
    line = build_lines([frag(read, 200, 300), other])[0]
    assert line.text == "第1\u3000乙は、"
    assert line.confidences[0] == REPAIRED_CONFIDENCE and len(line.confidences) == len(line.text)


def test_a_label_look_alike_inside_the_text_is_left_alone():
    margin = frag("乙は、個人情報を取り扱う", 200, 400)
    # Indented well past the margin: not a label position.
    assert texts([frag("箒1の記載", 200 + 5 * PITCH, 300), margin])[0] == "箒1の記載"
    # 「第三者」 and 「第1項」 are words, not labels to repair.
    assert texts([frag("第三者に", 200, 300), margin])[0] == "第三者に"


def test_item_labels_read_as_long_vowel_or_katakana_are_put_right():
    margin = frag("乙は、次の措置を講じる", 200, 400)
    # 一 before katakana ends a label: the space goes back too.
    assert texts([frag("ーアクセス制御のための", 200, 300), margin])[0] == "一\u3000アクセス制御のための"
    assert texts([frag("ニ作業場所等の入退管理", 200, 300), margin])[0] == "二作業場所等の入退管理"
    assert texts([frag("ニーズに応じ", 200, 300), margin])[0] == "ニーズに応じ"
    # ー continuing a katakana word wrapped at the line's end is the long vowel.
    got = texts([frag("三\u3000不正アクセス防止をはじめとするサイバ", 200, 300), frag("ーセキュリティ水準の確保", 200, 370)])
    assert got[1] == "ーセキュリティ水準の確保"
    # The same ー read as the kanji 一 (which would take a label's space before katakana).
    got = texts([frag("基幹的なサ", 200, 300), frag("一バ等の機器", 200, 370)])
    assert got[1] == "ーバ等の機器"


def test_the_first_item_label_the_engine_lost_is_put_back_by_position():
    # 「一」 is one thin stroke: not detected. Its text is set in like the items' text.
    lines = [
        frag("次の措置を講じなければならない。", 200, 300),
        frag("アクセス制御のための認証機能設定、データ", 200 + 2 * PITCH, 370),
        frag("の定期又は随時見直し", 200 + 2 * PITCH, 440),
        frag("二\u3000作業場所等の入退管理", 200, 510, gaps={}),
    ]
    got = texts(lines)
    assert got[1] == "一\u3000アクセス制御のための認証機能設定、データ" and got[2] == "の定期又は随時見直し"
    # A list that has its 一 is left alone; text at the margin is not an item's.
    assert texts([lines[0], frag("一\u3000アクセス制御", 200, 370), lines[3]])[1] == "一\u3000アクセス制御"
    assert texts([lines[0], frag("乙は、次に掲げる", 200, 370), lines[3]])[1] == "乙は、次に掲げる"


def test_a_full_stop_wrapped_to_the_start_of_a_line_and_read_as_o_is_a_full_stop():
    small = Fragment("o", (210.0,), (0.9,), (200, 392, 220, 412))  # a 。's box: low in its line, small
    got = texts([frag("乙は、返還しなければならな", 200, 300), small, frag("2\u3000前項の", 200, 440)])
    assert got == ["乙は、返還しなければならな", "。", "2\u3000前項の"]
    # A full-size O is a letter.
    assert texts([Fragment("O", (220.0,), (0.9,), (200, 300, 240, 344))]) == ["O"]


def test_vertical_writing_is_read_column_by_column_right_to_left():
    def column(text: str, x: float) -> Fragment:
        ys = tuple(100 + (i + 0.5) * PITCH for i in range(len(text)))
        return Fragment(text, ys, (0.99,) * len(text), (x, 100, x + 44, 100 + len(text) * PITCH), True)

    cols = [column("乙は、個人情報の", 900), column("取扱いに当たっては、", 820), column("第2", 700)]
    assert texts(cols[::-1]) == ["乙は、個人情報の", "取扱いに当たっては、", "第2"]


def test_the_page_number_is_not_the_end_of_the_clause_above_it():
    body = frag("らない。", 200, 3000)
    number = frag("o3", 800, 3300)  # 「- 3 -」 read by OCR, in the bottom band of a 3508 px page
    assert [ln.text for ln in build_lines([body, number], 3508)] == ["らない。"]
    # Text in the body of the page that happens to be short and numbered stays.
    assert [ln.text for ln in build_lines([frag("第3", 200, 1500)], 3508)] == ["第3"]


# ------------------------------------------------------------------ misreadings vs changes

REF = "乙は、保有個人情報の漏えい、滅失又は毀損の防止に必要な措置を講じなければならない。"


def judge_ocr(read: str, doubted: dict[int, float], guesses: dict[int, str] | None = None):
    s = default_settings()
    doubts = {k: (c, (guesses or {}).get(k, "")) for k, c in doubted.items()}
    repaired, fixed = ocr_repair(REF, MappedText.from_original(read), doubts, s)
    return make_comparable(repaired, s).text == normalize_text(REF, s).text, fixed


def test_confusable_characters_the_engine_doubted_are_misreadings():
    read = REF.replace("乙", "且").replace("滅", "減")
    same, fixed = judge_ocr(read, {0: 0.55, read.index("減"): 0.71})
    assert same and fixed == ["乙→且", "滅→減"]


def test_a_character_the_engine_itself_also_guessed_is_a_misreading():
    # 措置 read 装置 (a word too) at 0.6 with 措 as the engine's second guess: no table needed.
    read = REF.replace("措置", "装置")
    k = read.index("装")
    assert judge_ocr(read, {k: 0.6}, {k: "措畳"}) == (True, ["措→装"])
    # The same doubt without that guess, and 措/装 in no table: a change.
    assert judge_ocr(read, {k: 0.6}, {k: "星"})[0] is False


@pytest.mark.parametrize("word, read", [("措置", "措量"), ("措置", "描量"), ("防止", "防正"), ("講じ", "購じ"), ("個人", "個入")])
def test_a_kanji_misread_into_no_word_is_a_misreading_at_any_confidence(word, read):
    assert word in REF and judge_ocr(REF.replace(word, read), {})[0]


@pytest.mark.parametrize(
    "ref_word, read",
    [("毀損", "破損"), ("漏えい", "漏れ")],  # other words: changes, however OCR'd
)
def test_a_kanji_read_into_another_word_is_a_change(ref_word, read):
    assert not judge_ocr(REF.replace(ref_word, read), {})[0]


def test_the_same_confusion_read_with_confidence_is_a_change():
    read = REF.replace("滅", "減")
    assert judge_ocr(read, {read.index("減"): 0.99}) == (False, [])


def test_a_dropped_character_next_to_a_doubted_one_is_a_misreading_but_not_one_that_carries_meaning():
    read = REF.replace("ならない", "ならな")
    assert judge_ocr(read, {read.index("な。"): 0.6})[0]
    ref_deny = "乙は、甲の承諾なしに再委託してはならない。"
    s = default_settings()
    read = ref_deny.replace("再委託", "委託")
    repaired, fixed = ocr_repair(ref_deny, MappedText.from_original(read), {read.index("委"): (0.3, "")}, s)
    assert fixed == [] and repaired.text == read


def test_a_character_the_engine_could_not_read_is_a_misreading_unless_it_carries_meaning_alone():
    # 審 read 響 at 0.35 (its next guesses 書春奢): the engine bet against its own reading.
    ref = "本契約に関する紛争については、東京地方裁判所を第一審の専属的合意管轄裁判所とする。"
    s = default_settings()
    read = ref.replace("審", "響")
    repaired, fixed = ocr_repair(ref, MappedText.from_original(read), {read.index("響"): (0.35, "書春奢")}, s)
    assert fixed == ["審→響"] and repaired.text == ref
    # The same character read at 0.7 with none of its guesses the reference's: a change.
    assert ocr_repair(ref, MappedText.from_original(read), {read.index("響"): (0.7, "書")}, s)[1] == []
    # A numeral or a negation carries meaning alone: never guessed, however unsure the engine.
    for old, new in (("第一審", "第二審"), ("紛争", "不争")):
        read = ref.replace(old, new)
        k = next(i for i, (a, b) in enumerate(zip(ref, read)) if a != b)
        assert ocr_repair(ref, MappedText.from_original(read), {k: (0.2, "")}, s)[1] == []


def test_the_last_short_line_of_a_paragraph_the_detector_missed_is_a_misreading():
    # 「る。」 alone on its line under a seal's rim was not detected: the reading stops mid-word.
    ref = "乙は、知り得た個人情報を他に漏らしてはならない。契約が終了した後においても、同様とする。\n2　乙は、…を遵守する。"
    s = default_settings()
    read = ref.replace("同様とする。", "同様とす")
    repaired, fixed = ocr_repair(ref, MappedText.from_original(read), {}, s)
    assert fixed == ["る。→（脱落）"]
    # A whole sentence is no lost line end, nor is a tail ending a sentence the reading already ended.
    for read in (ref.replace("契約が終了した後においても、同様とする。", ""), ref.replace("同様とする。", "同様とする。。")[:-1]):
        assert ocr_repair(ref, MappedText.from_original(read), {}, s)[1] == []


@pytest.mark.parametrize(
    "changed",
    [
        REF.replace("講じなければならない", "講じることができる"),  # a duty made a power
        REF.replace("必要な措置", "措置"),  # words dropped
        REF.replace("毀損", "改ざん"),  # another word
    ],
)
def test_a_change_that_carries_meaning_is_never_a_misreading_whatever_the_confidence(changed):
    same, _ = judge_ocr(changed, {i: 0.3 for i in range(len(changed))})
    assert not same


def test_a_scanned_table_is_read_cell_by_cell_and_a_row_whose_label_a_seal_hid_gets_its_number():
    # 条 | 見出し | 内容 with ruled borders; the heading of 第2 wraps in its narrow cell, and the
    # seal over 第2 left its label cell unreadable.
    hs = [(80.0, 50.0, 2000.0), (250.0, 50.0, 2000.0), (520.0, 50.0, 2000.0)]
    vs = [(50.0, 80.0, 520.0), (250.0, 80.0, 520.0), (650.0, 80.0, 520.0), (2000.0, 80.0, 520.0)]
    fragments = [
        frag("第1", 80, 100), frag("基本的事項", 280, 100), frag("乙は、個人情報の保護の重要性を認識し、", 680, 100),
        frag("この契約による事務を行う。", 680, 160),
        frag("管理及び実施体", 280, 270), frag("制", 280, 330), frag("乙は、保有個人情報の適切な管理を確保する。", 680, 270),
    ]
    lines = [ln.text for ln in build_lines(fragments, 3508, (hs, vs))]
    assert lines == ["第1", "基本的事項", "乙は、個人情報の保護の重要性を認識し、この契約による事務を行う。",
                     "第2", "管理及び実施体制", "乙は、保有個人情報の適切な管理を確保する。"]


def test_an_item_opening_a_cell_line_is_not_joined_to_a_full_line_that_lost_its_full_stop():
    # Lines that fill the cell: 「…記録の作成ほか」 (no 。 in the reference either) and
    # 「…この限りではない」 (its 。 lost to the scan); the next lines open item 三 and paragraph 3.
    fragments = [
        frag("第9", 80, 100),
        frag("二　作業場所等の入退管理、端末の限定、バックアップ記録の作成ほか", 280, 100),
        frag("三　不正アクセス防止プログラム等の導入をはじめとするサイバー", 280, 160),
        frag("セキュリティ水準の確保をし、書面報告を行う暇がない場合等は、", 280, 220),
        frag("この限りではない。ただし書面報告を行う暇がない場合等はこの限りではない", 280, 280),
        frag("3　乙は、甲の指示に従うこと。", 280, 340),
    ]
    right = max(f.box[2] for f in fragments) + 20
    hs = [(80.0, 50.0, right), (400.0, 50.0, right)]
    vs = [(50.0, 80.0, 400.0), (250.0, 80.0, 400.0), (right, 80.0, 400.0)]
    lines = [ln.text for ln in build_lines(fragments, 3508, (hs, vs))]
    assert lines == [
        "第9", "二　作業場所等の入退管理、端末の限定、バックアップ記録の作成ほか",
        "三　不正アクセス防止プログラム等の導入をはじめとするサイバーセキュリティ水準の確保をし、書面報告を行う暇がない場合等は、"
        "この限りではない。ただし書面報告を行う暇がない場合等はこの限りではない。",  # its lost 。 put back
        "3　乙は、甲の指示に従うこと。",
    ]


def test_the_next_kanji_item_of_a_cell_opens_its_line_even_without_its_space():
    # 「三不正…」: the half-width space after 三 not read; 二 opened an item of the same cell.
    fragments = [frag("第10", 80, 100), frag("二　作業場所等の入退管理、記録の作成ほか", 280, 100),
                 frag("三不正アクセス防止プログラム等の導入、第", 280, 160), frag("三者に提供しない措置", 280, 220)]
    right = 280 + 40 * 32
    hs = [(80.0, 50.0, right), (300.0, 50.0, right)]
    vs = [(50.0, 80.0, 300.0), (250.0, 80.0, 300.0), (right, 80.0, 300.0)]
    lines = [ln.text for ln in build_lines(fragments, 3508, (hs, vs))]
    assert lines == ["第10", "二　作業場所等の入退管理、記録の作成ほか", "三　不正アクセス防止プログラム等の導入、第三者に提供しない措置"]


def test_ocr_text_without_any_numbered_article_is_review_never_every_clause_missing():
    from analyzer.model import Document, Page
    from analyzer import CheckOptions, shared_checker

    text = "乙は、個人情報を適切に取り扱う。\nこの契約が終了した後も同様とする。"
    doc = Document("scan.pdf", "pdf", text, (Page(1, 0, len(text), 0.99),))
    report = shared_checker().analyze_documents([doc], ["scan.pdf"], CheckOptions(reference="fukuoka-pref")).report
    assert {c.status.value for c in report.clauses} == {"review"}
    # The same text typed (no OCR) is what it is: every clause missing.
    typed = shared_checker().analyze_documents([Document("t.txt", "txt", text)], ["t.txt"], CheckOptions(reference="fukuoka-pref")).report
    assert {c.status.value for c in typed.clauses} == {"missing"}


def test_an_article_whose_label_and_heading_ocr_read_but_not_its_text_is_review_not_missing():
    from analyzer.model import Document, Page
    from analyzer import CheckOptions, shared_checker
    from contracts import fukuoka_annex

    # A seal over 第12's text: its heading and label are read, its text is not.
    text = fukuoka_annex()
    article = text[text.index("第12 ") : text.index("\n", text.index("第12 "))]
    scanned = text.replace(article, "第12")
    doc = Document("scan.pdf", "pdf", scanned, (Page(1, 0, len(scanned), 0.99),))
    report = shared_checker().analyze_documents([doc], ["scan.pdf"], CheckOptions(reference="fukuoka-pref")).report
    got = {c.clause_id: c for c in report.clauses}
    assert got["12"].status.value == "review" and "見出しまで読めました" in got["12"].notes[0]
    assert {c.status.value for i, c in got.items() if i != "12"} == {"current"}
    # Nor is its topic (② 再委託) reported as covered by no article: it may be under the seal.
    topic = [f for f in report.findings if f.clause == "topic-2"]
    assert topic and all(f.kind.value == "review" for f in topic)
    # Typed, the same text lacks 第12's text: missing.
    typed = shared_checker().analyze_documents([Document("t.txt", "txt", scanned)], ["t.txt"], CheckOptions(reference="fukuoka-pref")).report
    assert {c.clause_id: c.status.value for c in typed.clauses}["12"] == "missing"


def test_a_label_that_lost_a_digit_under_a_seal_gets_the_next_number_unless_a_title_restarts_the_numbering():
    def page(title: bool):
        lines = ["第10　（情報システム）", "乙は、措置を講じなければならない。", *(["保有個人情報取扱特記事項"] if title else []),
                 "第1　（従事者への研修）", "乙は、研修するものとする。"]
        return texts([frag(t, 100, 100 + 70 * i) for i, t in enumerate(lines)])

    assert page(title=False)[2] == "第11　（従事者への研修）"
    assert page(title=True)[3] == "第1　（従事者への研修）"


def test_a_table_row_at_the_top_of_a_page_whose_label_a_seal_hid_is_numbered_from_the_row_after():
    # 第N over its heading in the first cell; the seal took 第10, the heading is left.
    hs = [(80.0, 50.0, 2000.0), (300.0, 50.0, 2000.0), (520.0, 50.0, 2000.0)]
    vs = [(50.0, 80.0, 520.0), (650.0, 80.0, 520.0), (2000.0, 80.0, 520.0)]
    fragments = [
        frag("（情報システム）", 80, 160), frag("乙は、措置を講じなければならない。", 680, 100),
        frag("第11", 80, 320), frag("（研修）", 80, 380), frag("乙は、研修するものとする。", 680, 320),
    ]
    from analyzer.ingest.ocr import _legible

    lines = [ln for ln in build_lines(fragments, 3508, (hs, vs)) if _legible(ln)]
    assert [ln.text for ln in lines][:3] == ["第10", "（情報システム）", "乙は、措置を講じなければならない。"]
    assert lines[0].confidences == (REPAIRED_CONFIDENCE,) * 3


def test_item_labels_in_a_cell_a_lost_first_one_a_dash_for_its_space_and_a_wrapped_katakana_word():
    fragments = [
        frag("乙は、次の措置を講じなければならない。", 280, 100),
        frag("アクセス制御のための認証機能設定", 280 + 2 * PITCH, 160),  # 一 lost: set in by the label
        frag("二　作業場所等の入退管理、サイバーセキュリテ", 280, 220),  # fills the cell
        frag("ィ水準の確保", 280, 280),
        frag("三ー不正アクセス防止", 280, 340),
    ]
    right = max(f.box[2] for f in fragments) + 20
    hs = [(80.0, 50.0, right), (400.0, 50.0, right)]
    vs = [(50.0, 80.0, 400.0), (250.0, 80.0, 400.0), (right, 80.0, 400.0)]
    lines = [ln.text for ln in build_lines([frag("第10", 80, 100), *fragments], 3508, (hs, vs))]
    assert lines == ["第10", "乙は、次の措置を講じなければならない。", "一　アクセス制御のための認証機能設定",
                     "二　作業場所等の入退管理、サイバーセキュリティ水準の確保", "三　不正アクセス防止"]


def test_a_first_item_label_the_recogniser_read_as_nothing_is_put_back_by_where_the_text_starts():
    # The box of 「一 アクセス制御…」 starts at the margin, but its first read character stands
    # where the items' text does (the thin 一 and its space read as nothing).
    fragments = [frag("場合、その秘匿性等その内容に応じて、次の措置を講じなければならない。", 100, 100),
                 frag("アクセス制御のための認証機能設定、データ持出し時を含む", 100, 160, gaps={0: 2 * PITCH}),
                 frag("定期又は随時見直し、読取り防止措置", 100, 220),
                 frag("二作業場所等の入退管理やアクセス記録の保存", 100, 280, gaps={1: PITCH})]
    assert texts(fragments)[1] == "一\u3000アクセス制御のための認証機能設定、データ持出し時を含む"


def test_a_katakana_word_wrapped_at_the_end_of_a_full_line_is_no_item_label():
    # 「…セキュリテ」「ィ対策」: ィ read as イ with a gap after it looks like item イ.
    full = frag("はならないこと、その他情報システムの管理、運用及びセキュリテ", 100, 100)
    wrapped = frag("イ対策等の個人情報の保護に関し必要な事項", 100, 160, gaps={1: 40})
    assert texts([full, wrapped])[1] == "イ対策等の個人情報の保護に関し必要な事項"
    # After a short line (an item list), イ with its gap is an item.
    items = [frag("ア　氏名及び生年月日", 100, 40), frag("イ住所及び電話番号", 100, 100, gaps={1: 40}), wrapped]
    assert texts(items)[1] == "イ\u3000住所及び電話番号"


def test_characters_far_fainter_than_the_print_are_dropped_as_seal_residue_but_never_digits():
    import numpy as np

    from analyzer.ingest.ocr import _without_faint

    page = np.full((400, 1200), 230, np.uint8)

    def draw(text: str, y: int, shades: list[int]) -> Fragment:
        f = frag(text, 100, y)
        for x, shade in zip(f.xs, shades):
            page[y + 8 : y + 36, int(x) - 14 : int(x) + 14] = shade
        return f

    label = draw("第13取", 40, [40, 40, 40, 215])  # 取: the seal's own character left faint by the dropout
    seal = draw("印締表", 100, [212, 214, 216])
    text = draw("乙は、個人情報を", 160, [40] * 8)
    thin = draw("1", 220, [200])  # a thin digit: never dropped
    out = _without_faint([label, seal, text, thin], page)
    assert [f.text for f in out] == ["第13", "乙は、個人情報を", "1"]
    assert out[0].xs == label.xs[:3] and out[0].probs == label.probs[:3]


def test_a_long_vowel_read_as_kanji_one_and_a_speck_read_as_a_full_stop_inside_a_word_are_misreadings():
    ref = "乙は、保有個人情報を取り扱う基幹的なサーバ等の機器を設置する。"
    s = default_settings()
    read = ref.replace("サーバ", "サ一バ").replace("取り扱う", "取り扱。う")
    repaired, fixed = ocr_repair(ref, MappedText.from_original(read), {}, s)  # read with full confidence
    assert make_comparable(repaired, s).text == normalize_text(ref, s).text
    assert sorted(fixed) == sorted(["ー→一", "（なし）→。"])
    # 一 between kanji is a word's (統一), and a 。 between sentences is punctuation: changes stay.
    ref2 = "乙は、様式を統一する。甲は、確認する。"
    assert ocr_repair(ref2, MappedText.from_original(ref2.replace("統一", "統ー")), {}, s)[1] == []


def test_a_latin_o_or_a_zero_ending_a_japanese_line_and_a_lost_full_stop_are_its_full_stop():
    assert texts([frag("複製してはならないo", 100, 100), frag("2　前項の規定は", 100, 160)]) == [
        "複製してはならない。", "2　前項の規定は"]
    assert texts([frag("報告するものとする0", 100, 100)]) == ["報告するものとする。"]
    # No mark at all, and paragraph 2 opens the next line: the 。 was lost.
    assert texts([frag("複製してはならない", 100, 100), frag("2 前項の規定は、", 100, 160)])[0] == "複製してはならない。"
    for kept in (["Wi-Fi"], ["平成30"], ["委託業務を"]):
        assert texts([frag(kept[0], 100, 100)]) == kept
    # A line that does not end a sentence keeps going into a wrapped 「2 年」.
    assert texts([frag("契約期間は", 100, 100), frag("2 年とする。", 100, 160)])[0] == "契約期間は"


def test_a_first_item_read_as_the_digit_one_is_the_kanji_its_second_item_says():
    fragments = [frag("次の措置を講じなければならない。", 100, 100), frag("1　アクセス制御のための認証機能設定", 100, 160),
                 frag("二　作業場所等の入退管理", 100, 220)]
    assert texts(fragments)[1] == "一　アクセス制御のための認証機能設定"
    # Paragraphs numbered 1, 2 stay digits.
    paragraphs = [frag("次の措置を講じなければならない。", 100, 100), frag("1　乙は、管理する。", 100, 160),
                  frag("2　乙は、報告する。", 100, 220)]
    assert texts(paragraphs)[1] == "1　乙は、管理する。"
