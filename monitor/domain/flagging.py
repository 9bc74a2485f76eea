"""Pure decision of how a detention's flags must change after an evaluation.

A flag is raised when a safeguard is overdue or violated; it resolves by itself with
`met_late` when the safeguard is met late, `cleared` when events recorded later show it was
not breached after all, or `released` when custody ends by release.
Accountability rules (the complaint, the investigation, the trial) outlive custody: release
neither resolves their flags nor raises them already resolved.
A dismissed flag stays dismissed. A resolved flag whose rule breaches again (a recurring
review missed once more, family notice after a new transfer) is reopened: one flag per
detention and rule, always.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

BREACHES = ("overdue", "violated")
# Events recorded late can show that a flagged safeguard was in fact met in time (or is not yet
# due, after a late-recorded extension): the flag was a false alarm and is resolved as cleared.
CLEAR = ("met", "pending", "not_applicable")


@dataclass(frozen=True)
class FlagChange:
    """One change to apply: action is raise, reopen, resolve or redate."""

    action: str
    rule: str
    resolution: str | None = None
    result: object = None


class ResultLike(Protocol):
    """What the plan reads of an evaluation result (an `accountability` result may also carry
    `track`, read with getattr so custody results need not)."""

    @property
    def rule(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def due_at(self) -> datetime | None: ...


def plan_flag_changes(results: Sequence[ResultLike],
                      existing: Mapping[str, tuple[str, str | None, datetime | None]],
                      custody_status: str) -> list[FlagChange]:
    """Compare evaluation `results` with `existing` {rule: (status, resolution, due_at)}."""
    record_status = custody_status
    changes: list[FlagChange] = []
    for result in results:
        # an accountability flag after release behaves as a custody flag in custody
        custody_status = (record_status if getattr(result, "track", "custody") == "custody"
                          else "in_custody")
        current = existing.get(result.rule)
        breach = result.status in BREACHES
        if current is None:
            if breach:  # raised even after release (then already resolved): it stays counted
                resolution = "released" if custody_status == "released" else None
                changes.append(FlagChange("raise", result.rule, resolution, result))
            continue
        flag_status, resolution, due_at = current
        if resolution == "dismissed":
            continue
        if flag_status != "resolved":
            if result.status == "met_late":
                changes.append(FlagChange("resolve", result.rule, "met_late", result))
            elif result.status in CLEAR:
                changes.append(FlagChange("resolve", result.rule, "cleared", result))
            elif custody_status == "released":
                changes.append(FlagChange("resolve", result.rule, "released", result))
            elif breach and result.due_at != due_at:
                changes.append(FlagChange("redate", result.rule, result=result))
        elif breach and resolution in ("met_late", "cleared") and custody_status == "in_custody":
            changes.append(FlagChange("reopen", result.rule, result=result))
    open_rules = {rule for rule, (status, _, _) in existing.items() if status != "resolved"}
    evaluated = {r.rule for r in results}
    if record_status == "released":
        for rule in sorted(open_rules - evaluated):
            changes.append(FlagChange("resolve", rule, "released"))
    return changes
