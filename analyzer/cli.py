"""Command line: a thin layer over the library (analyzer.analyze); no logic of its own.

Exit codes: 0 no finding of severity error, 1 at least one, 2 bad usage or an
unreadable input (a one-line message on stderr names the file and the reason).
"""
from __future__ import annotations

import argparse
import os
import difflib
import json
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import NoReturn

from .version import __version__
from .errors import ExitCode, TokkiError, UsageError
from .evaluate import evaluate_archive, format_eval
from .files import ensure_writable
from .identify import format_identification
from .ja.dates import parse_given_date
from .checker import CheckOptions, identify, shared_checker
from .references import library_overrides, load_reference_library, resolve_reference
from .report import render_report, write_atomic

EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED = ExitCode.OK, ExitCode.USAGE, ExitCode.INTERRUPTED
DEFAULT_IMPORT_DIR = "reference_library"


# argparse's own messages → one line in Japanese and English (pattern, Japanese, English).
_ARGPARSE_MESSAGES = (
    (r"argument (?P<arg>[^:]+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)",
     "{arg} に {value} は指定できません。指定できる値: {choices}", "invalid value '{value}' for {arg}; choose from {choices}"),
    (r"the following arguments are required: (?P<args>.+)",
     "必要な引数がありません: {args}", "missing required argument: {args}"),
    (r"unrecognized arguments: (?P<args>.+)", "不明な引数です: {args}", "unrecognized argument: {args}"),
    (r"argument (?P<arg>[^:]+): expected (one|at least one) argument",
     "{arg} の値がありません", "{arg} needs a value"),
    (r"argument (?P<arg>[^:]+): ignored explicit argument (?P<value>.+)",
     "{arg} は値を取りません（{value}）", "{arg} takes no value ({value})"),
    (r"ambiguous option: (?P<arg>\S+) could match (?P<choices>.+)",
     "オプション {arg} があいまいです。候補: {choices}", "ambiguous option {arg}; could be {choices}"),
)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line bilingual errors that name the valid values (exit 2 like argparse)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {self.translate(message)} [{self.prog} -h]", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    def translate(self, message: str) -> str:
        for pattern, ja, en in _ARGPARSE_MESSAGES:
            m = re.fullmatch(pattern, message)
            if m:
                fields = {k: v.replace("'", "") for k, v in m.groupdict().items()}
                if "args" in fields:
                    fields["args"] = self._with_choices(fields["args"])
                if "value" in fields and "choices" in fields:
                    close = difflib.get_close_matches(fields["value"], [c.strip() for c in fields["choices"].split(",")], 1)
                    if close:
                        ja += f"（{close[0]} ですか？）"
                        en += f" (did you mean {close[0]}?)"
                return f"{ja.format(**fields)} / {en.format(**fields)}"
        m = re.fullmatch(r"argument (?P<arg>[^:]+): (?P<msg>.+)", message)  # our type functions: already bilingual
        return f"{m['arg']}: {m['msg']}" if m else message

    def _with_choices(self, names: str) -> str:
        """Required arguments named with their valid values: COMMAND (check, identify, …)."""
        out = []
        for name in (n.strip() for n in names.split(",")):
            action = next((a for a in self._actions if name in (a.metavar, a.dest, *a.option_strings)), None)
            choices = getattr(action, "choices", None)
            out.append(f"{name} ({', '.join(choices)})" if choices else name)
        return ", ".join(out)


def _date(value: str) -> date:
    try:
        return parse_given_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"1 以上の整数を指定してください / expected a whole number of at least 1: {value!r}")
    return n


def _seconds(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        n = 0.0
    if not n > 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"正の秒数を指定してください（例: 120） / expected a positive number of seconds: {value!r}")
    return n


def _add_library(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--library", type=Path, action="append", default=[], metavar="DIR",
        help="追加の参照フォルダ / extra folder of reference files",
    )


def _max_bytes(value: str) -> int:
    """A byte count, with an optional K/M/G suffix (binary: 100M = 104,857,600)."""
    m = re.fullmatch(r"\s*(\d+)\s*([KMG]?)B?\s*", value, re.IGNORECASE)
    if not m or int(m.group(1)) < 1:
        raise argparse.ArgumentTypeError(f"バイト数を指定してください（例: 100M） / expected a size such as 100M: {value!r}")
    return int(m.group(1)) * 1024 ** " KMG".index((m.group(2) or " ").upper())


def _add_ingest(parser: argparse.ArgumentParser, convert: bool = True) -> None:
    """Options saying how input files are opened (analyzer.ingest.IngestOptions)."""
    parser.add_argument("--password", metavar="PASSWORD",
                        help="パスワード付き PDF を開くパスワード / password of protected PDFs")
    parser.add_argument("--ocr", action="store_true",
                        help="スキャン PDF のページを OCR で読む（pip install 'tokki[ocr]' が必要） / "
                        "read scanned PDF pages by OCR (needs the ocr extra)")
    parser.add_argument("--ocr-engine", choices=["ppocr", "tesseract"], default="ppocr",
                        help="OCR エンジン（既定 ppocr: PP-OCRv6、測定で選択。tesseract は tesseract-ocr-jpn も必要） / "
                        "OCR engine (default ppocr, chosen by measurement; tesseract also needs tesseract-ocr-jpn)")
    parser.add_argument("--ocr-cache", metavar="DIR",
                        help="OCR 結果の保存先（既定: check は ~/.cache/tokki/ocr、scan は --db の隣の ocr-cache/。"
                        "none で保存しない） / where OCR results are kept (none: not kept)")
    if convert:
        parser.add_argument("--convert", action="store_true",
                            help=".doc・.rtf を LibreOffice（soffice）で DOCX に変換して読む / convert .doc and .rtf with LibreOffice")
    parser.add_argument("--max-bytes", type=_max_bytes, metavar="SIZE",
                        help="これより大きいファイルは too_large（既定 100M） / larger files are refused as too_large (default 100M)")


def _ingest_options(args: argparse.Namespace, scan: bool = False):
    """IngestOptions from the command line; a scan's workers are processes, so each OCRs one page at a time."""
    from .ingest import IngestOptions

    cache = args.ocr_cache
    if cache is None and args.ocr:
        from .ingest.ocr.cache import default_dir

        cache = str(args.db.parent / "ocr-cache") if scan else str(default_dir())
    return IngestOptions(password=args.password, ocr=args.ocr, convert=getattr(args, "convert", False),
                         max_bytes=args.max_bytes, ocr_engine=args.ocr_engine,
                         ocr_cache=None if cache == "none" else cache,
                         ocr_jobs=1 if scan else max(1, min(4, os.cpu_count() or 1)))


def _add_judgment(parser: argparse.ArgumentParser) -> None:
    """Options that say what to judge against: reference, 類型, signing date, 特定個人情報 (check and fix)."""
    parser.add_argument(
        "--reference", metavar="ID[@VERSION]", default="auto",
        help="参照文（既定 auto: 判定した参照文の最新版） / reference set and version (default auto: identify, then the latest version)",
    )
    parser.add_argument("--type", dest="contract_type", choices=["1", "2", "3", "4"], help="契約の類型 1–4 / contract type")
    parser.add_argument("--signed-on", type=_date, metavar="YYYY-MM-DD", help="契約締結日 / signing date")
    parser.add_argument(
        "--tokutei", action="store_true",
        help="特定個人情報（マイナンバー）を扱う契約: その場合だけ必要な項も必須にする / the contract handles 特定個人情報",
    )


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=Path("reports/tokki.sqlite"), metavar="PATH",
                        help="結果のデータベース（既定 reports/tokki.sqlite） / result store")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tokki",
        description="契約書の特記事項を参照文と照合します / checks a contract's 特記事項 against the reference text.",
    )
    parser.add_argument("--version", action="version", version=f"tokki {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser,
                                help="コマンド（tokki COMMAND -h で各コマンドの使い方） / command")

    check = sub.add_parser(
        "check",
        help="1件の契約書（本体と別記）を照合 / check one contract (main document plus annexes)",
        description="1件の契約書（本体と別記のファイル）の特記事項を参照文と照合し、条ごとに現行・旧版・変更あり・欠落を判定します。"
        " / Checks one contract's 特記事項 clause by clause: current, obsolete, modified or missing.",
    )
    check.add_argument("files", nargs="+", metavar="FILE", type=Path, help="契約書のファイルまたはフォルダ（PDF・DOCX・TXT） / contract files, or its folder")
    _add_judgment(check)
    check.add_argument("--format", choices=["text", "json", "html"], default="text", help="出力形式 / output format")
    check.add_argument("-o", "--output", type=Path, metavar="OUT", help="出力ファイル（既定: 標準出力） / output file")
    check.add_argument("--id", dest="contract_id",
                       help="契約ID（既定: フォルダ名、または最初のファイル名） / contract id (default: the folder's or first file's name)")
    _add_library(check)
    _add_ingest(check)
    check.set_defaults(func=cmd_check)

    ident = sub.add_parser(
        "identify",
        help="契約書が従う参照文と版を特定 / which reference set and version the contract follows",
        description="契約書の特記事項がどの参照文のどの版に従っているかを、確信度と版を決めた条とともに示します。"
        "確信度が 0.5 未満なら特定しません。 / Names the reference set and version the contract's 特記事項 follow, "
        "with a confidence and the clauses that decide between versions; below 0.5 it names none.",
    )
    ident.add_argument("files", nargs="+", metavar="FILE", type=Path, help="契約書のファイルまたはフォルダ / contract files, or its folder")
    ident.add_argument("--format", choices=["text", "json"], default="text", help="出力形式 / output format")
    _add_library(ident)
    ident.set_defaults(func=cmd_identify)

    refs = sub.add_parser(
        "refs",
        help="参照文の一覧・表示・新旧対照表 / list, show and compare reference versions",
        description="同梱の reference_clauses/ と --library の参照文を一覧・表示し、2つの版の新旧対照表（HTML）を作ります。"
        " / Lists and shows the reference sets, and writes a 新旧対照表 (HTML) of two versions.",
    )
    refs_sub = refs.add_subparsers(dest="refs_command", metavar="ACTION", required=True, parser_class=_Parser,
                                   help="refs の操作 / action")
    r_list = refs_sub.add_parser("list", help="参照文の一覧 / list reference sets", description="参照文と版の一覧 / reference sets and versions")
    r_show = refs_sub.add_parser("show", help="1つの版の条文 / the clauses of one version", description="1つの版の条文を表示 / prints one version's clauses")
    r_show.add_argument("reference", metavar="ID[@VERSION]", help="参照文と版（既定: 最新版） / set and version (default: latest)")
    r_diff = refs_sub.add_parser(
        "diff", help="新旧対照表（HTML） / old/new comparison table (HTML)",
        description="2つの版の新旧対照表（新・旧の2列、変更語に下線、変更のない条は「略」）を HTML で出力します。既定は最新版とその1つ前の版。"
        " / Writes a 新旧対照表 of two versions; default: the version before the latest against the latest.",
    )
    r_diff.add_argument("old", metavar="ID[@A]", help="旧（既定: 最新版の1つ前） / old version (default: the one before the latest)")
    r_diff.add_argument("new", metavar="ID@B", nargs="?", help="新（既定: 最新版） / new version (default: the latest)")
    r_diff.add_argument("-o", "--output", type=Path, metavar="OUT.html", help="出力ファイル（既定: 標準出力） / output file")
    r_import = refs_sub.add_parser(
        "import", help="公式の通知から参照文を作成 / build reference files from an official notice",
        description="通知（PDF・DOCX・TXT）から特記事項を探して条に分け、注の必須事項と類型表を読み取り、"
        "新旧対照表があれば旧欄から改正前の版も作ります。出力先は --library で使えるフォルダです。"
        " / Finds the 特記事項 in a notice, reads the mandatory items from its 注 and any 類型 table, and builds the "
        "superseded version from the 旧 column of a 新旧対照表; writes a folder usable with --library.",
    )
    r_import.add_argument("file", metavar="FILE", type=Path, help="通知のファイル / the notice (PDF, DOCX, TXT)")
    r_import.add_argument("--id", required=True, dest="set_id", metavar="ID", help="参照文の ID（フォルダ名） / reference set id")
    r_import.add_argument("--version", required=True, dest="effective", type=_date, metavar="YYYY-MM-DD", help="施行日（版の名前） / effective date")
    r_import.add_argument(
        "--issuer", help="発行機関（既定: 文書から読み取り。甲の定義・注・条例名など） / issuing body (default: read from the"
        " notice: the 甲 definition, the 注, the ordinance named …)",
    )
    r_import.add_argument(
        "--mandatory", metavar="1,2,4-7|topics",
        help="必須事項（通知に記載がないとき。条番号と範囲、または topics で国の指針 ①〜⑧ に当たる条） / mandatory"
        " articles where the notice marks none: numbers and ranges, or 'topics' for those covering ①–⑧",
    )
    r_import.add_argument(
        "-o", "--output", type=Path, default=Path(DEFAULT_IMPORT_DIR), metavar="DIR",
        help=f"出力フォルダ（既定: {DEFAULT_IMPORT_DIR}） / output folder, usable with --library",
    )
    r_import.add_argument("--force", action="store_true", help="既存のファイルを上書き / overwrite existing files")
    r_import.set_defaults(func=cmd_refs_import)
    for p in (r_list, r_show, r_diff):
        _add_library(p)
    r_list.set_defaults(func=cmd_refs_list)
    r_show.set_defaults(func=cmd_refs_show)
    r_diff.set_defaults(func=cmd_refs_diff)

    ev = sub.add_parser(
        "eval",
        help="ラベル付きアーカイブで精度を測定 / measure accuracy on a labelled archive",
        description="manifest.csv と labels.json のあるフォルダを解析し、条の判定の混同行列と、指摘の種類ごとの適合率・再現率・F1、"
        "エラーコードの正答数を示します。 / Analyses a labelled archive and prints the clause-status confusion matrix, "
        "precision/recall/F1 per finding kind and error-code accuracy.",
    )
    ev.add_argument("directory", metavar="DIR", type=Path, help="ラベル付きアーカイブ（例: corpus） / labelled archive folder")
    ev.add_argument("--json", action="store_true", help="結果を JSON で出力 / print the figures as JSON")
    _add_library(ev)
    _add_ingest(ev)
    ev.set_defaults(func=cmd_eval)

    sc = sub.add_parser(
        "scan",
        help="アーカイブ（契約書のフォルダ）を一括照合 / check a whole archive of contracts",
        description="フォルダの各契約（サブフォルダ1つ、または直下のファイル1つが1契約。manifest.csv で指定も可）を並列に照合し、"
        "結果を SQLite に保存して、契約ごとのレポートと summary.csv・summary.xlsx・summary.html を出力します。"
        "変更のないファイルは読み直さず、中断後の再実行は続きから処理します。 / Checks every contract of an archive "
        "in worker processes into a SQLite store, writes one report per contract and the summaries; unchanged files "
        "are not read again and an interrupted scan resumes.",
    )
    sc.add_argument("directory", metavar="DIR", type=Path, help="契約書のフォルダ / archive folder")
    _add_db(sc)
    sc.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                    help="レポートと集計の出力先（既定 reports/） / folder for reports and summaries")
    sc.add_argument("--jobs", type=_positive_int, metavar="N", help="ワーカープロセス数（既定: CPU コア数） / worker processes (default: all cores)")
    sc.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                    help="1文書あたりの時間制限（既定 60 秒） / per-document time limit")
    sc.add_argument(
        "--reference", metavar="ID[@VERSION]", default="auto",
        help="manifest.csv に reference のない契約の参照文（既定 auto: 契約ごとに判定） / reference for every contract "
        "without a manifest reference (default auto: identify each)",
    )
    sc.add_argument("--engine", choices=["local", "dask"], default="local",
                    help="処理する場所: local（このコンピューターのワーカープロセス、既定）か dask（Dask distributed のクラスター。"
                    "pip install 'tokki[dask]' が必要） / where contracts are judged: local worker processes (default) or a "
                    "Dask distributed cluster (needs the dask extra)")
    sc.add_argument("--scheduler", metavar="ADDR",
                    help="--engine dask: 使う Dask スケジューラー（例 tcp://10.0.0.5:8786）。省略時は --jobs 個のワーカーの "
                    "LocalCluster を起動 / the scheduler to use; without it a LocalCluster of --jobs workers is started")
    sc.add_argument("--ship-files", action="store_true",
                    help="--engine dask: ファイルを中身ごとワーカーに送る（小さなアーカイブ向け。既定は共有ストレージ上の同じパスで読む）"
                    " / send the files' bytes to the workers (small archives; by default workers read the same path on shared storage)")
    _add_library(sc)
    _add_ingest(sc)
    sc.set_defaults(func=cmd_scan)

    sm = sub.add_parser(
        "summary",
        help="保存済みの結果の集計を表示 / print the archive figures from the store",
        description="tokki scan の結果（SQLite）から、不備のある契約の割合（表1）・最新／旧版の特記事項（表2）・条ごとの欠落・"
        "締結年ごとの旧版を表示します。ファイルは読みません。 / Prints the archive figures from the store, not the files.",
    )
    _add_db(sm)
    sm.set_defaults(func=cmd_summary)

    fd = sub.add_parser(
        "findings",
        help="条件に合う指摘と契約の一覧（監査向け） / list matching findings by contract, for an auditor",
        description="保存済みの結果から、条・種類・締結日で絞り込んだ指摘を契約ごとに一覧します。 / Lists the findings "
        "matching a clause, a kind and a signing date, from the store.",
    )
    _add_db(fd)
    fd.add_argument("--clause", metavar="ID", help="条（例: 15） / clause id")
    fd.add_argument("--kind", choices=["missing", "obsolete", "modified", "weakened"], help="指摘の種類 / finding kind")
    fd.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="この日以降に締結した契約 / signed on or after")
    fd.set_defaults(func=cmd_findings)

    fx = sub.add_parser(
        "fix",
        help="修正案の DOCX（変更履歴とコメント付き）を作成 / write the corrected draft with tracked changes and comments",
        description="下書きの写しに、旧版・変更ありの条を現行の文言に直す変更履歴（語の単位）と、欠落した必須事項の挿入を書き込み、"
        "変更ごとに理由をコメントで付けます。入力ファイルは変更しません。PDF・テキストの入力では特記事項の部分を新しい DOCX にします。"
        " / Writes a copy of the draft in which obsolete and modified clauses are corrected as Word tracked changes "
        "(word level) and missing mandatory clauses are inserted, each with a comment saying why; the input is never "
        "modified. A PDF or text input gives a new DOCX of its annex.",
    )
    fx.add_argument("file", metavar="DRAFT", type=Path, help="下書き（DOCX・PDF・TXT） / the draft (DOCX, PDF or TXT)")
    fx.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.docx", help="出力する DOCX / the corrected DOCX")
    _add_judgment(fx)
    _add_library(fx)
    _add_ingest(fx, convert=False)
    fx.set_defaults(func=cmd_fix)

    sv = sub.add_parser(
        "serve",
        help="ブラウザで使うチェックのページを起動 / start the local web page",
        description="このコンピューターの中で動く Web ページを起動します: 契約書をドロップしてチェック、修正案の DOCX、"
        "アーカイブ（--db）の契約、API（/docs）。既定では 127.0.0.1 だけで待ち受け、それ以外の --host ではトークンが必要です"
        "（起動時に作って URL とともに表示。--token または環境変数 TOKKI_TOKEN でも指定可）。pip install 'tokki[serve]' が必要です。"
        " / Starts a web page on this computer: drop a contract to check it, download the fixed DOCX, browse the "
        "archive (--db), the API (/docs). Listens on 127.0.0.1 by default; any other --host requires a token (made at "
        "start and printed with the URL, or given with --token or TOKKI_TOKEN). Needs the serve extra.",
    )
    sv.add_argument("--db", type=Path, default=Path("reports/tokki.sqlite"), metavar="PATH",
                    help="表示するアーカイブ（tokki scan のデータベース、読み取り専用） / the scan store shown, read-only"
                    " (default reports/tokki.sqlite)")
    _add_library(sv)
    sv.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス / address to listen on (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="ポート / port (default 8000)")
    sv.add_argument("--token", help="アクセスのトークン（127.0.0.1 以外では必須、省略時は生成） / access token"
                    " (required off loopback; made when not given; or TOKKI_TOKEN)")
    sv.add_argument("--max-upload", type=_max_bytes, default="50M", metavar="SIZE",
                    help="1回の送信の上限 / largest upload per request (default 50M)")
    sv.set_defaults(func=cmd_serve)
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    if args.output is not None:
        if any(f.exists() and f.resolve() == args.output.resolve() for f in args.files):
            raise UsageError(f"{args.output}: 入力のファイルには書きません / the output must not be an input file")
        ensure_writable(args.output)  # before the analysis, not after it
    options = CheckOptions(
        reference=args.reference,
        contract_type=args.contract_type,
        signed_on=args.signed_on,
        contract_id=args.contract_id,
        tokutei=args.tokutei,
        ingest=_ingest_options(args),
    )
    report = shared_checker(args.library).analyze(args.files, options).report
    to_tty = args.output is None and sys.stdout.isatty()
    out = render_report(report, args.format, color=to_tty)
    if args.output is not None:
        write_atomic(args.output, out)
    elif report.error is None or args.format == "json":
        sys.stdout.write(out)
    if report.error is not None:
        print(f"tokki: {report.error.file}: {report.error.message} [{report.error.code.value}]", file=sys.stderr)
    return report.exit_code


def cmd_identify(args: argparse.Namespace) -> int:
    result = identify(args.files, library_dirs=args.library)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_identification(result))
    return EXIT_OK


def cmd_refs_list(args: argparse.Namespace) -> int:
    for ref_set in load_reference_library(args.library).values():
        print(f"{ref_set.id}\t{ref_set.issuer}\t{ref_set.title}")
        for v in ref_set.versions:
            when = f"施行 {v.effective}" if v.effective else f"{v.superseded_on} まで"
            level = "" if v.level == "clause" else f"  [{v.level}]"
            print(f"  @{v.version}\t{when}\t{len(v.clauses)} 条{level}\t{v.source}")
    return EXIT_OK


def cmd_refs_show(args: argparse.Namespace) -> int:
    ref_set, version = resolve_reference(load_reference_library(args.library), args.reference)
    print(f"{ref_set.id}@{version.version}  {version.issuer} {version.title}")
    print(f"  出典 / source: {version.source}")
    for c in version.clauses:
        flags = "必須" if c.mandatory else "任意"
        types = " ".join(f"類型{k}:{v}" for k, v in sorted(c.types.items()))
        print(f"\n{c.label}（{c.title}） [{flags}] {types}".rstrip())
        for i, para in enumerate(c.paragraphs, start=1):
            print(f"  {'' if i == 1 else f'{i} '}{para}")
        for para in c.tokutei_paragraphs:
            print(f"  【特定個人情報の取扱いのある場合】{para}")
        for alt in c.alternatives:
            print(f"  ※ 別の書き方 / alternative: {' '.join(alt)}")
    return EXIT_OK


def cmd_refs_diff(args: argparse.Namespace) -> int:
    from .report.comparison import render_comparison

    if args.output is not None:
        ensure_writable(args.output)
    library = load_reference_library(args.library)
    ref_set, new = resolve_reference(library, args.new or args.old.partition("@")[0])
    if "@" in args.old:
        _, old = resolve_reference(library, args.old)
    else:
        old = ref_set.previous(new.version)
        if old is None:
            raise UsageError(f"'{ref_set.id}' には {new.version} より前の版がありません / no earlier version to compare")
    html = render_comparison(old, new)
    if args.output is None:
        sys.stdout.write(html)
    else:
        write_atomic(args.output, html)
    return EXIT_OK


def cmd_refs_import(args: argparse.Namespace) -> int:
    from .importer import format_import, import_notice, write_import

    if not args.file.is_file():
        raise UsageError(f"{args.file}: ファイルがありません / no such file")
    ensure_writable(args.output, folder=True)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", args.set_id):
        raise UsageError(f"ID は英数字・. _ - で指定してください / ID must be letters, digits, '.', '_' or '-': {args.set_id!r}")
    result = import_notice(args.file, args.set_id, args.effective, issuer=args.issuer, mandatory=args.mandatory)
    written = write_import(result, args.output, origin=args.file.name, force=args.force)
    sys.stdout.write(format_import(result))
    for v, path in zip(result.versions, written):
        mandatory = ", ".join(c.label for c in v.clauses if c.mandatory) or "なし / none"
        print(f"{path}\t{v.set_id}@{v.version}\t{len(v.clauses)} 条\t必須 / mandatory: {mandatory}")
    for warning in result.warnings:
        print(f"tokki: 注意 / warning: {warning}", file=sys.stderr)
    print(f"使い方 / use: tokki check FILE --library {args.output} --reference {args.set_id}")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    result = evaluate_archive(args.directory, library_dirs=args.library, ingest=_ingest_options(args))
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_eval(result))
    return EXIT_OK


def cmd_scan(args: argparse.Namespace) -> int:
    from .scan import console_progress, scan_archive

    engine = None
    if args.engine == "dask":
        try:
            from .scan.dask_engine import DaskEngine  # needs the dask extra: checked before anything is read
        except ModuleNotFoundError as exc:
            raise UsageError(f"{exc.name} がありません / {exc.name} is not installed: pip install 'tokki[dask]'") from exc
        engine = DaskEngine(args.jobs or os.cpu_count() or 1, args.timeout, args.library, scheduler=args.scheduler,
                            ship_files=args.ship_files)
    elif args.scheduler or args.ship_files:
        raise UsageError("--scheduler と --ship-files は --engine dask で使います / --scheduler and --ship-files go "
                         "with --engine dask")
    result = scan_archive(
        args.directory, db=args.db, out=args.out, jobs=args.jobs, timeout=args.timeout,
        library_dirs=args.library, progress=console_progress(sys.stderr), ingest=_ingest_options(args, scan=True),
        reference=args.reference, engine=engine,
    )
    if result.interrupted:
        print(f"tokki: 中断しました。再実行すると続きから処理します / interrupted; run again to resume ({args.db})",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    done = ", ".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
    print(
        f"契約 {result.contracts} 件: 読込 {result.analysed}・再判定 {result.rejudged}・変更なし {result.unchanged}"
        f"（{result.elapsed:.1f} 秒） / contracts {result.contracts}: read {result.analysed}, re-judged "
        f"{result.rejudged}, unchanged {result.unchanged}{f' ({done})' if done else ''}"
    )
    if result.skipped:
        print(f"対象外 / skipped: {len(result.skipped)} ({', '.join(p for p, _ in result.skipped[:5])}"
              f"{', …' if len(result.skipped) > 5 else ''})")
    print(f"集計 / summary: {args.out / 'summary.html'}")
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    from .report.summary import archive_figures, format_summary
    from .store import open_existing

    with open_existing(args.db) as store:
        sys.stdout.write(format_summary(archive_figures(store)))
    return EXIT_OK


def cmd_findings(args: argparse.Namespace) -> int:
    from .report.summary import find_findings, format_findings
    from .store import open_existing

    with open_existing(args.db) as store:
        rows = find_findings(store, clause=args.clause, kind=args.kind, since=args.since)
    sys.stdout.write(format_findings(rows))
    return EXIT_OK


def cmd_fix(args: argparse.Namespace) -> int:
    from .fix import fix_document

    result = fix_document(
        args.file, args.output, reference=args.reference, contract_type=args.contract_type,
        signed_on=args.signed_on, library_dirs=args.library, tokutei=args.tokutei,
        ingest=_ingest_options(args),
    )
    report = result.report
    print(f"参照 / reference: {report.reference_id}@{report.reference_version}")
    if result.annex_written:
        print("PDF・テキストの入力のため、特記事項の部分を新しい DOCX に書き出し、修正を変更履歴で示しました"
              " / PDF or text input: the annex was written out as a new DOCX with the corrections as tracked changes")
    for f in result.fixed:
        action = "差替え / replaced" if f.action == "replaced" else "挿入 / inserted"
        print(f"  {f.label}（{f.title}） {action}: {f.where}（変更 {len(f.changes)} 箇所 / {len(f.changes)} change(s)）")
    labels = {c.clause_id: c.label or c.clause_id for c in report.clauses}
    for clause_id, reason in result.not_fixed:
        print(f"  {labels.get(clause_id, clause_id)}: 修正していません / not fixed: {reason}")
    if not result.fixed:
        print("修正する箇所はありません / nothing to fix")
    print(f"出力 / written: {result.output}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .serve import ServeConfig, new_token, run
    except ModuleNotFoundError as exc:
        raise UsageError(f"{exc.name} がありません / {exc.name} is not installed: pip install 'tokki[serve]'") from exc
    token = args.token or os.environ.get("TOKKI_TOKEN") or None
    config = ServeConfig(args.db, tuple(args.library), args.host, args.port, None, args.max_upload)
    if token is None and not config.loopback:
        token = new_token()
    config = replace(config, token=token)
    print(f"tokki serve: {config.url()}", flush=True)
    if token and not config.loopback:
        print("このアドレスはほかのコンピューターからも開けます。URL（トークン付き）は必要な人にだけ伝えてください"
              " / reachable from other computers: give the URL with its token only to those who need it", flush=True)
    print("終了は Ctrl-C / stop with Ctrl-C", flush=True)
    run(config)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        for line in library_overrides(getattr(args, "library", None) or ()):
            print(f"tokki: 注意 / notice: {line}", file=sys.stderr)
        return args.func(args)
    except TokkiError as exc:
        print(f"tokki: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tokki: 中断しました / interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
