"""The printable HTML page shared by the reports: inline CSS, no scripts, nothing loaded from elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from urllib.parse import quote

__all__ = ["badge", "e", "explore_link", "explore_links", "explore_open", "explore_url", "page", "table", "ts"]

EXPLORE = "/explore"

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f1f1f; margin: 0;
       background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #e3e5e8; }
.meta { color: #555; margin: 0 0 16px; }
.as-of { margin: 0 0 16px; padding: 8px 12px; border-left: 4px solid #8a5a00; background: #fff6e0; color: #5c3d00; }
.summary { display: flex; gap: 20px; align-items: stretch; flex-wrap: wrap; margin: 16px 0; }
.risk { min-width: 170px; padding: 14px 18px; border-radius: 10px; color: #fff; }
.risk .level { font-size: 24px; font-weight: 700; letter-spacing: .5px; }
.risk .score { font-size: 13px; opacity: .92; }
.LOW { background: #2e7d32; } .MEDIUM { background: #b28704; } .HIGH { background: #d84315; }
.CRITICAL { background: #8e0000; }
.facts { flex: 1; min-width: 300px; margin: 0; padding: 12px 16px; border: 1px solid #e3e5e8; border-radius: 10px;
         list-style: none; }
.facts li { margin: 2px 0; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eceef1; vertical-align: top; }
th { background: #f1f3f5; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 600; } .status.DOWN { color: #b3261e; } .status.DEGRADED { color: #8a5a00; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 12px; color: #fff;
         white-space: nowrap; }
.risk-cell, .decision, td > a { white-space: nowrap; }
.decision.BLOCKED { color: #b3261e; font-weight: 700; } .decision.CAB { color: #8a5a00; font-weight: 600; }
.none { color: #777; font-style: italic; }
.ok { color: #2e7d32; font-weight: 600; }
.statement { margin: 4px 0 8px; padding-left: 10px; border-left: 3px solid #e3e5e8; color: #444; }
.bars svg { max-width: 100%; height: auto; }
.diagram { overflow-x: auto; border: 1px solid #e3e5e8; border-radius: 10px; padding: 8px; }
.diagram svg { max-width: 100%; height: auto; }
.legend span { margin-right: 14px; } .legend i { display: inline-block; width: 12px; height: 12px;
  border-radius: 3px; vertical-align: -1px; margin-right: 4px; }
footer { margin-top: 32px; color: #777; font-size: 12px; }
a { color: #0b57d0; }
@media print {
  .change-page { break-before: page; }
  table { font-size: 10px; } th, td { padding: 3px 4px; } td { overflow-wrap: break-word; }
  .agenda table { table-layout: fixed; } .agenda td:nth-child(n+9) { overflow-wrap: anywhere; }
  .agenda th:nth-child(3) { width: 11%; } .agenda th:nth-child(4), .agenda th:nth-child(5),
  .agenda th:nth-child(7) { width: 10%; } .agenda th:nth-child(1), .agenda th:nth-child(9),
  .agenda th:nth-child(10) { width: 9%; } .agenda th:nth-child(2), .agenda th:nth-child(6),
  .agenda th:nth-child(8), .agenda th:nth-child(11) { width: 8%; } .agenda .risk-cell { white-space: normal; }
  body { background: #fff; } main { max-width: none; padding: 0; }
  h1, h2, h3 { break-after: avoid; } tr, .summary, svg { break-inside: avoid; }
  thead { display: table-header-group; }
  .diagram { overflow: visible; border: none; } a { color: inherit; text-decoration: none; }
  .risk, .badge, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def e(value: object) -> str:
    return escape(str(value))


def explore_url(**params: str | Sequence[str]) -> str:
    """The explorer's address for a view, e.g. explore_url(overlay="continuity", service="SVC-1"); `from_` is sent
    as `from`. Each id is percent-encoded (a list becomes comma-separated ids); the result is not yet HTML-escaped."""
    query = []
    for key, value in params.items():
        ids = [value] if isinstance(value, str) else list(value)
        query.append(f"{key.rstrip('_')}=" + ",".join(quote(i, safe="") for i in ids))
    return EXPLORE + "?" + "&".join(query)


def explore_link(item_id: object, text: str | None = None, *, key: str = "focus") -> str:
    """An item's id (or `text`) as a link that opens the explorer on it: focused on an item by default, `key="from"`
    for the impact of a change, an incident or a site."""
    href = explore_url(**{key: str(item_id)})
    return f'<a class="explore" href="{e(href)}">{e(item_id if text is None else text)}</a>'


def explore_links(item_ids: Iterable[object], sep: str = ", ", *, key: str = "focus") -> str:
    """Several ids, each linked to the explorer (see explore_link)."""
    return sep.join(explore_link(i, key=key) for i in item_ids)


def explore_open(text: str, **params: str | Sequence[str]) -> str:
    """A line's "open in the explorer" link to the view `params` describe (see explore_url)."""
    return f'<a class="explore open" href="{e(explore_url(**params))}">{e(text)}</a>'


def ts(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def badge(level: str) -> str:
    return f'<span class="badge {e(level)}">{e(level)}</span>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, empty: str, numeric: Sequence[int] = ()) -> str:
    """A table of already-escaped cells, or an "empty" line when there are no rows."""
    body = [
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    ]
    if not body:
        return f'<p class="none">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title: str, body: str, generated_at: datetime) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body><main>{body}"
        f"<footer>Generated by graphsvc at {e(ts(generated_at))}.</footer></main></body></html>"
    )


def as_of_note(html: str, markdown: str, when: datetime) -> tuple[str, str]:
    """A report on the estate as of a past time says so above everything else (page and Markdown)."""
    text = f"The CMDB as of {ts(when)}, rebuilt from its audit trail: not as it is now."
    return html.replace("<main>", f'<main><p class="as-of">{e(text)}</p>', 1), f"> {text}\n\n{markdown}"


def csv_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading ' to stay text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
