"""The service desk's board as a page for a wall screen (/status) and as text for a terminal (`graphsvc status`).

The page has no script: it reloads itself (`<meta http-equiv="refresh">`), and its type is large enough to read
across a room."""

from __future__ import annotations

from datetime import datetime

from graphsvc.reports.page import e, explore_link, page, ts
from graphsvc.usecases.status import BoardEntry, StatusBoard

__all__ = ["status_html", "status_text"]

BOARD_CSS = """
body.board { background: #111418; } body.board main { max-width: none; background: #111418; color: #e8eaed;
  padding: 28px 36px; }
.board h1 { font-size: 34px; } .board .meta { color: #aab1ba; font-size: 18px; }
.board .all-ok { margin: 48px 0; padding: 48px; border-radius: 18px; background: #1b5e20; color: #fff;
  font-size: 44px; font-weight: 700; text-align: center; }
.board .counts { font-size: 22px; margin: 8px 0 20px; } .board .counts b { font-size: 30px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 18px; }
.tile { border-radius: 14px; padding: 18px 22px; color: #fff; }
.tile.DOWN { background: #8e1b14; } .tile.DEGRADED { background: #8a5a00; }
.tile .name { font-size: 28px; font-weight: 700; line-height: 1.2; }
.tile .state { font-size: 20px; font-weight: 600; letter-spacing: .5px; margin: 4px 0 10px; }
.tile ul { margin: 0; padding-left: 20px; font-size: 17px; } .tile li { margin: 3px 0; }
.tile .crit { font-size: 15px; opacity: .9; display: block; }
.tile .for { white-space: nowrap; }
.board footer { color: #7d858f; font-size: 14px; }
.board a.explore { color: inherit; }
"""


def _tile(entry: BoardEntry, now: datetime) -> str:
    status = entry.state.status.name
    service = entry.service
    criticality = service.get("criticality")
    crit = f'<span class="crit">criticality {e(criticality)}</span>' if criticality is not None else ""
    incidents = "".join(
        f"<li><b>{e(i.get('priority', ''))}</b> {e(i.get('title') or i['id'])} "
        f'<span class="crit">({explore_link(i["id"], key="from")}, since {e(ts(i.get("openedAt")))})</span></li>'
        for i in entry.incidents
    )
    minutes = int((now - entry.state.since).total_seconds() // 60)
    hours = minutes // 60
    if hours >= 48:
        lasting = f"{hours // 24} d {hours % 24} h"
    else:
        lasting = f"{hours} h {minutes % 60:02d} min" if hours else f"{minutes} min"
    return (
        f'<section class="tile {e(status)}"><div class="name">{e(service.get("name") or service["id"])}</div>'
        f'<div class="state">{e(status)} &middot; <span class="for">affected for {e(lasting)}</span>{crit}</div>'
        f"<ul>{incidents}</ul></section>"
    )


def status_html(board: StatusBoard, refresh_seconds: int = 30) -> str:
    down = board.down
    degraded = len(board.services) - down
    if board.services:
        counts = (
            f'<p class="counts"><b>{down}</b> down &nbsp; <b>{degraded}</b> degraded &nbsp; '
            f"from <b>{board.open_incidents}</b> open incident{'s' if board.open_incidents != 1 else ''}</p>"
        )
        body = counts + '<div class="tiles">' + "".join(_tile(s, board.at) for s in board.services) + "</div>"
    else:
        body = f'<div class="all-ok">All services OK</div><p class="meta">{board.open_incidents} open incidents</p>'
    html = page(
        "Service status",
        f'<h1>Service status</h1><p class="meta">As of {e(ts(board.at))}; this page reloads every '
        f"{refresh_seconds} s.</p>{body}",
        board.at,
    )
    head = (
        f'<meta http-equiv="refresh" content="{refresh_seconds}"><style>{BOARD_CSS}</style></head><body class="board">'
    )
    return html.replace("</head><body>", head, 1)


def status_text(board: StatusBoard) -> str:
    """The board for a terminal: one line per service, its incidents indented below it."""
    if not board.services:
        return f"All services OK at {ts(board.at)} ({board.open_incidents} open incidents).\n"
    lines = [f"{board.down} down, {len(board.services) - board.down} degraded at {ts(board.at)}:"]
    for entry in board.services:
        service = entry.service
        lines.append(
            f"{entry.state.status.name:<9} {service['id']}  {service.get('name', '')}  since {ts(entry.state.since)}"
        )
        lines += [f"          {i['id']} {i.get('priority', '')} {i.get('title', '')}" for i in entry.incidents]
    return "\n".join(lines) + "\n"
