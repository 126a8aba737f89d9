"""``hub views list | rebuild NAME | catch-up``: the views kept as tables in the store.

A view catches up by itself whenever it is read; ``rebuild`` empties one and applies the whole
log again (after a change to what it keeps), showing its progress.
"""

from __future__ import annotations

import argparse
import sys

from hub.application import PartnershipHub
from hub.views.disclosure_log import AccessLog, DisclosureLog
from hub.views.incident_counts import IncidentCounts
from hub.views.panel_index import PanelIndex
from hub.views.party_standing import PartyStanding
from hub.views.projections import Progress
from hub.views.tables import TableView, table_view

VIEWS: dict[str, type[TableView]] = {
    view.name: view for view in (
        DisclosureLog, AccessLog, PanelIndex, IncidentCounts, PartyStanding)}
BAR = 30


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    views = sub.add_parser("views", help="the views kept in the store (lists, logs, indexes)")
    commands = views.add_subparsers(dest="sub", required=True)
    commands.add_parser("list", help="each view, its position and how far behind it is")
    rebuild = commands.add_parser("rebuild", help="empty a view and apply the whole log again")
    rebuild.add_argument("name", choices=[*VIEWS, "all"])
    commands.add_parser("catch-up", help="apply to every view what was stored since")


def bar(progress: Progress) -> None:
    """One line, redrawn: how far through the store the view has come."""
    share = progress.done / progress.total if progress.total else 1.0
    filled = int(share * BAR)
    print(f"\r  [{'#' * filled}{'.' * (BAR - filled)}] {share:4.0%}  {progress}", end="",
          file=sys.stderr, flush=True)


def run(hub: PartnershipHub, args: argparse.Namespace) -> int:
    latest = hub.recorder.max_notification_id() or 0
    if args.sub == "list":
        for name, view_class in VIEWS.items():
            position = table_view(hub, view_class).position()
            print(f"{name:16} at {position:>10,} of {latest:,} ({latest - position:,} behind)")
        return 0
    names = list(VIEWS) if args.sub == "catch-up" or args.name == "all" else [args.name]
    for name in names:
        view = table_view(hub, VIEWS[name])
        print(f"{name}:", file=sys.stderr)
        applied = (view.rebuild(bar) if args.sub == "rebuild" else view.catch_up(bar))
        print(f"\n{name}: {applied:,} events applied, at {view.position():,}")
    return 0
