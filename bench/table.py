"""Issue 18's table from bench/baseline.json (before) and bench/results.json (after), written into README.md
between `<!-- bench:start -->` and `<!-- bench:end -->`.

    .venv/bin/python -m bench.table          # print it and rewrite README's
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
BASELINE = ROOT / "bench" / "baseline.json"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
KINDS = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))


def _get(result: dict, *keys):
    for key in keys:
        if not isinstance(result, dict) or key not in result:
            return None
        result = result[key]
    return result


def _ms(value) -> str | None:
    return None if value is None else f"{value:,.0f} ms"


def _items_p95(r):
    return _ms(_get(r, "items", "p95_ms"))


def _items_load(r):
    p99 = _get(r, "items_load", "items", "p99_ms")
    return None if p99 is None else f"{p99:,.0f} ms ({_get(r, 'items_load', 'items', 'throughput_rps')} req/s)"


def _ratio(r):
    ratio = _get(r, "items_load", "ratio_percent")
    if ratio is None:
        return None
    return (f"{ratio:.1f} % ({_get(r, 'items_load', 'items', 'cpu_ms_per_request'):.0f} ms CPU; bare "
            f"{_get(r, 'items_load', 'bare', 'throughput_rps'):,.0f} req/s)")


def _item_page(r):
    return _ms(_get(r, "item_page", "p95_ms"))


def _dashboard(r):
    p95 = _get(r, "dashboard", "p95_ms")
    return None if p95 is None else f"{p95:,.0f} ms (CPU {_get(r, 'dashboard', 'cpu_ms_per_request'):.0f} ms)"


def _csv(r):
    p50 = _get(r, "export_csv", "p50_ms")
    return None if p50 is None else f"{p50 / 1000:.2f} s (+{_get(r, 'export_csv', 'peak_rss_growth_mib')} MiB peak)"


def _xlsx(r):
    p50 = _get(r, "export_xlsx", "p50_ms")
    return None if p50 is None else f"{p50 / 1000:.2f} s"


def _reminders(r):
    first = _get(r, "reminders", "first_run")
    again = _get(r, "reminders", "nothing_to_send")
    if first is None:
        return None
    return f"{first['seconds']:.1f} s ({first['emails']} e-mails); nothing to send {again['seconds']:.1f} s"


def _memory(r):
    workers = _get(r, "memory", "workers")
    if not workers:
        return None
    return " / ".join(f"{w['VmRSS']:.0f}" for w in workers) + f" MiB after {_get(r, 'memory', 'exports')}"


def _queries(r):
    queries = _get(r, "queries")
    if not queries:
        return None
    small = queries.get("1000", {})
    large = next((counts for size, counts in queries.items() if size != "1000"), {})
    short = {"/items": "list", "/items/<272 updates>": "item", "/dashboard": "dashboard",
             "/exports/items.csv": "CSV", "/exports/items.xlsx": "Excel"}
    return ", ".join(f"{name} {small.get(page)}→{large.get(page)}" for page, name in short.items())


ROWS: list[tuple[str, str, Callable]] = [
    ("`/items` p95, one client", "< 80 ms", _items_p95),
    ("`/items` under 16 clients, p99 (throughput)", "< 400 ms", _items_load),
    ("`/items` throughput ÷ bare endpoint's, same run", "≥ 10 %", _ratio),
    ("item page with 272 updates, p95", "< 80 ms", _item_page),
    ("`/dashboard` p95", "< 150 ms", _dashboard),
    ("CSV export, 10,000 items (median)", "< 0.8 s, memory flat", _csv),
    ("Excel export, 10,000 items (median)", "< 2.5 s", _xlsx),
    ("one reminder run (278 e-mails)", "< 5 s; nothing to send < 1 s", _reminders),
    ("worker memory after 30 exports", "< 200 MiB", _memory),
    ("queries per page, 1,000 → 10,000 items", "flat", _queries),
]


def _load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def table() -> str:
    before, after = _load(BASELINE), _load(RESULTS)
    header = ["", "target"] + [f"before, {label}" for _, label in KINDS] + [f"after, {label}" for _, label in KINDS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, target, figure in ROWS:
        cells = [name, target]
        for source in (before, after):
            cells += [figure(source[kind]) if kind in source else None for kind, _ in KINDS]
        lines.append("| " + " | ".join(cell or "–" for cell in cells) + " |")
    notes = []
    for label, source in (("before", before), ("after", after)):
        for kind, name in KINDS:
            if kind in source:
                machine = source[kind].get("machine", {})
                load = source[kind].get("load_average_at_start") or ["?"]
                notes.append(f"{label}, {name}: commit {machine.get('commit', '?')[:10]}, {machine.get('date', '?')}, "
                             f"load average {load[0]:.1f} at the start")
    return "\n".join(lines) + "\n\n" + "; ".join(notes) + "."


def write_readme() -> None:
    text = README.read_text()
    if START not in text or END not in text:
        print(f"README.md has no {START} … {END}: the table is printed only")
        print(table())
        return
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{table()}\n{END}{tail}")
    print(table())


if __name__ == "__main__":
    write_readme()
