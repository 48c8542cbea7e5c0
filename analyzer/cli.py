"""Command line: a thin layer over the library (analyzer.analyze); no logic of its own.

Exit codes: 0 no finding of severity error, 1 at least one, 2 bad usage or an
unreadable input (a one-line message on stderr names the file and the reason).
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from . import __version__
from .errors import TokkiError
from .evaluate import evaluate_archive, format_eval
from .identify import format_identification, identify
from .pipeline import analyze
from .report import render_report, write_atomic

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep its one-line style
        self.print_usage(sys.stderr)
        print(f"tokki: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD で指定してください / expected YYYY-MM-DD: {value!r}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tokki",
        description="契約書の特記事項を参照文と照合します / checks a contract's 特記事項 against the reference text.",
    )
    parser.add_argument("--version", action="version", version=f"tokki {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="1件の契約書（本体と別記）を照合 / check one contract (main document plus annexes)",
        description="1件の契約書（本体と別記のファイル）の特記事項を参照文と照合し、条ごとに現行・旧版・変更あり・欠落を判定します。"
        " / Checks one contract's 特記事項 clause by clause: current, obsolete, modified or missing.",
    )
    check.add_argument("files", nargs="+", metavar="FILE", type=Path, help="契約書のファイルまたはフォルダ（PDF・DOCX・TXT） / contract files, or its folder")
    check.add_argument("--reference", metavar="ID[@VERSION]", help="参照文（既定: fukuoka-pref の最新版） / reference set and version")
    check.add_argument("--type", dest="contract_type", choices=["1", "2", "3", "4"], help="契約の類型 1–4 / contract type")
    check.add_argument("--signed-on", type=_date, metavar="YYYY-MM-DD", help="契約締結日 / signing date")
    check.add_argument(
        "--tokutei", action="store_true",
        help="特定個人情報（マイナンバー）を扱う契約: その場合だけ必要な項も必須にする / the contract handles 特定個人情報",
    )
    check.add_argument("--format", choices=["text", "json", "html"], default="text", help="出力形式 / output format")
    check.add_argument("-o", "--output", type=Path, metavar="OUT", help="出力ファイル（既定: 標準出力） / output file")
    check.add_argument("--id", dest="contract_id", help="契約ID（既定: 最初のファイル名） / contract id")
    check.add_argument(
        "--library", type=Path, action="append", default=[], metavar="DIR",
        help="追加の参照フォルダ / extra folder of reference files",
    )
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
    ident.add_argument(
        "--library", type=Path, action="append", default=[], metavar="DIR",
        help="追加の参照フォルダ / extra folder of reference files",
    )
    ident.set_defaults(func=cmd_identify)

    ev = sub.add_parser(
        "eval",
        help="ラベル付きアーカイブで精度を測定 / measure accuracy on a labelled archive",
        description="manifest.csv と labels.json のあるフォルダを解析し、条の判定の混同行列と、指摘の種類ごとの適合率・再現率・F1、"
        "エラーコードの正答数を示します。 / Analyses a labelled archive and prints the clause-status confusion matrix, "
        "precision/recall/F1 per finding kind and error-code accuracy.",
    )
    ev.add_argument("directory", metavar="DIR", type=Path, help="ラベル付きアーカイブ（例: corpus） / labelled archive folder")
    ev.add_argument("--json", action="store_true", help="結果を JSON で出力 / print the figures as JSON")
    ev.add_argument(
        "--library", type=Path, action="append", default=[], metavar="DIR",
        help="追加の参照フォルダ / extra folder of reference files",
    )
    ev.set_defaults(func=cmd_eval)
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    for f in args.files:
        if not f.exists():
            print(f"tokki: {f}: ファイルがありません / no such file", file=sys.stderr)
            return EXIT_USAGE
    report = analyze(
        args.files,
        reference=args.reference,
        contract_type=args.contract_type,
        signed_on=args.signed_on,
        contract_id=args.contract_id,
        library_dirs=args.library,
        tokutei=args.tokutei,
    )
    to_tty = args.output is None and sys.stdout.isatty()
    out = render_report(report, args.format, color=to_tty)
    if args.output is not None:
        write_atomic(args.output, out)
    elif report.error is None or args.format == "json":
        sys.stdout.write(out)
    if report.error is not None:
        print(f"tokki: {report.error.file}: {report.error.message} [{report.error.code.value}]", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def cmd_identify(args: argparse.Namespace) -> int:
    for f in args.files:
        if not f.exists():
            print(f"tokki: {f}: ファイルがありません / no such file", file=sys.stderr)
            return EXIT_USAGE
    result = identify(args.files, library_dirs=args.library)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_identification(result))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    result = evaluate_archive(args.directory, library_dirs=args.library)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_eval(result))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except TokkiError as exc:
        print(f"tokki: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tokki: 中断しました / interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
