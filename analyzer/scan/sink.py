"""The scan's sink: the one place a scan writes — each contract's reports, then its store rows.

Reports first: a contract whose report cannot be written is not stored (a rerun does it again).
Every contract is committed as it finishes, so an interrupted scan loses only those in flight.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..files import write_atomic
from ..outputs import remove_outputs, report_paths
from ..store import Store
from .plan import Planned
from .tasks import TaskResult


class Sink:
    def __init__(self, store: Store, out: Path | None, scan_id: int, fingerprint: str):
        self.store, self.out, self.scan_id, self.fingerprint = store, out, scan_id, fingerprint
        self.statuses: Counter = Counter()
        self.pages = 0

    def save(self, planned: Planned, res: TaskResult) -> None:
        spec = planned.spec
        if self.out is not None:
            json_path, html_path = report_paths(self.out, spec.id)
            if res.json is None:
                remove_outputs(json_path, html_path)
            else:
                write_atomic(json_path, res.json)
                write_atomic(html_path, res.html or "")
        self.store.save_contract(
            contract_id=spec.id, spec=planned.meta, files=planned.files, input_key=planned.input_key,
            judged_with=self.fingerprint, scan_id=self.scan_id, status=res.status, report=res.report,
            report_json=res.json, documents=res.documents, segments=res.segments, error=res.error,
            forms=(planned.forms_key, res.forms) if res.forms is not None else None,
        )
        self.statuses[res.status] += 1
        self.pages += res.pages

    def unchanged(self, contract_ids: list[str]) -> None:
        for cid in contract_ids:
            self.store.touch_contract(cid, self.scan_id)
