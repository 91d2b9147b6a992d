"""Manager summaries: per operator and per team over a window, from the wrap-ups of ended calls.

The ledger holds one record per ended call (its wrap-up, and the operator's accepted or edited
disposition once the console sends it). Every summarizer instance reads all wrap-ups and feedback
back from Kafka at start (over the ledger horizon), so any instance answers for the whole floor.
A call transferred between operators counts for each of them; a compliance event counts for the
operator whose speech or overdue obligation raised it.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from google.protobuf import timestamp_pb2
from seatcopilot.calls import ref_key
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.dispositions import APPLIED, PROMISE_TO_PAY
from seatcopilot.policy import Policy

SCENARIO_ROLE = {ev.SCENARIO_SALES: ev.ROLE_SALES, ev.SCENARIO_SERVICE: ev.ROLE_SERVICE,
                 ev.SCENARIO_COLLECTIONS: ev.ROLE_COLLECTIONS}
MIN_CALLS_FOR_RATES = 3
MAX_CALL_NOTES = 20  # the newest calls' manager notes a report carries
SLOW_FACTOR = 1.5


@dataclass
class CallRecord:
    call_id: str
    tenant: str
    team_id: str
    operator_ids: list[str]
    roles: set[int]
    ended_at: float
    handle_time_s: float
    predicted: str
    owed: list[str]
    events: list[tuple[str, tuple[str, ...]]]  # (operator_id, rule_ids)
    transfers: int
    confirmed: str = ""
    feedback: int = fb.ACTION_UNSPECIFIED
    note: str = ""  # the wrap-up's manager note

    @property
    def disposition(self) -> str:
        return self.confirmed or self.predicted

    def events_of(self, operator_id: str | None) -> list[tuple[str, ...]]:
        first = self.operator_ids[0] if self.operator_ids else ""
        return [rules for who, rules in self.events if operator_id is None or (who or first) == operator_id]


def record_of(wrapup: sm.Summary) -> CallRecord:
    call = wrapup.call
    roles = {SCENARIO_ROLE.get(call.scenario, ev.ROLE_UNSPECIFIED), *wrapup.transfers}
    return CallRecord(
        call_id=call.call_id, tenant=call.tenant, team_id=call.team_id,
        operator_ids=list(wrapup.operator_ids) or ([call.operator_id] if call.operator_id else []),
        roles=roles, ended_at=wrapup.ended_at.ToNanoseconds() / 1e9 if wrapup.HasField("ended_at") else time.time(),
        handle_time_s=wrapup.handle_time_s, predicted=wrapup.disposition, owed=list(wrapup.disclosures_owed),
        events=[(e.operator_id, tuple(e.rule_ids)) for e in wrapup.compliance_events],
        transfers=len(wrapup.transfers), note=wrapup.manager_note,
    )


def _call_notes(records: list[CallRecord]) -> list[sm.CallNote]:
    """The manager notes of the newest calls first."""
    newest = sorted((r for r in records if r.note), key=lambda r: -r.ended_at)[:MAX_CALL_NOTES]
    return [sm.CallNote(call_id=r.call_id, operator_id=r.operator_ids[-1] if r.operator_ids else "", text=r.note,
                        compliance_rule_ids=list(dict.fromkeys(rule for _, rules in r.events for rule in rules)),
                        ended_at=_timestamp(r.ended_at)) for r in newest]


def _timestamp(seconds: float) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


@dataclass
class _Group:
    scope: str
    id: str
    tenant: str
    team_id: str
    operator_id: str | None
    records: list[CallRecord] = field(default_factory=list)


class Ledger:
    def __init__(self, policies: Iterable[Policy], horizon_s: float) -> None:
        self.horizon_s = horizon_s
        self.records: dict[str, CallRecord] = {}
        self._pending_feedback: dict[str, fb.Feedback] = {}
        self._fixes = {rule: fix for policy in policies for rule, fix in policy.fixes().items()}

    def add_wrapup(self, wrapup: sm.Summary) -> CallRecord:
        record = record_of(wrapup)
        key = ref_key(wrapup.call)
        previous = self.records.get(key)
        if previous is not None:  # a redelivered or re-sent wrap-up keeps the operator's verdict
            record.confirmed, record.feedback = previous.confirmed, previous.feedback
        self.records[key] = record
        feedback = self._pending_feedback.pop(key, None)
        if feedback is not None:
            self.add_feedback(feedback)
        self.prune()
        return record

    def add_feedback(self, feedback: fb.Feedback) -> CallRecord | None:
        """An operator's verdict on a wrap-up: their disposition counts from now on."""
        if feedback.subject != fb.SUBJECT_WRAPUP or feedback.action not in (fb.ACTION_ACCEPTED, fb.ACTION_EDITED):
            return None
        key = ref_key(feedback.call)
        record = self.records.get(key)
        if record is None:  # the wrap-up has not been read yet: apply when it is
            self._pending_feedback[key] = feedback
            return None
        record.feedback = feedback.action
        record.confirmed = feedback.disposition.strip().upper() or record.predicted
        return record

    def latest(self, tenant: str, team_id: str) -> float:
        """When the team's most recent call in the ledger ended (now when it has none)."""
        return max((r.ended_at for r in self.records.values() if (r.tenant, r.team_id) == (tenant, team_id)),
                   default=time.time())

    def prune(self) -> None:
        """Drops calls ended more than the horizon before the latest one (event time, like the reports)."""
        horizon = max((r.ended_at for r in self.records.values()), default=0.0) - self.horizon_s
        for key in [c for c, r in self.records.items() if r.ended_at < horizon]:
            del self.records[key]

    def report(self, start: float, end: float, team_id: str = "", operator_id: str = "",
               tenant: str = "") -> sm.ManagerReport:
        records = [r for r in self.records.values() if start <= r.ended_at < end
                   and (not tenant or r.tenant == tenant) and (not team_id or r.team_id == team_id)
                   and (not operator_id or operator_id in r.operator_ids)]
        teams: dict[tuple[str, str], _Group] = {}
        operators: dict[tuple[str, str, str], _Group] = {}
        for record in records:
            key = (record.tenant, record.team_id)
            teams.setdefault(key, _Group("team", record.team_id, *key, None)).records.append(record)
            for who in dict.fromkeys(record.operator_ids):
                if not operator_id or who == operator_id:
                    group = operators.setdefault((*key, who), _Group("operator", who, *key, who))
                    group.records.append(record)
        report = sm.ManagerReport(window_start=_timestamp(start), window_end=_timestamp(end), team_id=team_id,
                                  tenant=tenant, generated_at=_timestamp(time.time()))
        report.call_notes.extend(_call_notes(records))
        team_means: dict[tuple[str, str], float] = {}
        for key in sorted(teams):
            summary = self._aggregate(teams[key])
            team_means[key] = summary.handle_time_s_mean
            summary.coaching_notes.extend(self._notes(summary, None))
            report.teams.append(summary)
        for operator_key in sorted(operators):
            summary = self._aggregate(operators[operator_key])
            tenant_id, team = operator_key[:2]
            summary.coaching_notes.extend(self._notes(summary, team_means.get((tenant_id, team))))
            report.operators.append(summary)
        return report

    def _aggregate(self, group: _Group) -> sm.GroupSummary:
        records = group.records
        handle = [r.handle_time_s for r in records]
        sales = [r for r in records if ev.ROLE_SALES in r.roles]
        collections = [r for r in records if ev.ROLE_COLLECTIONS in r.roles]
        rules = Counter(rule for r in records for rules in r.events_of(group.operator_id) for rule in rules)
        summary = sm.GroupSummary(
            scope=group.scope, id=group.id, tenant=group.tenant, team_id=group.team_id, calls=len(records),
            handle_time_s_total=sum(handle), handle_time_s_mean=statistics.fmean(handle) if handle else 0.0,
            sales_calls=len(sales), conversions=sum(r.disposition in APPLIED for r in sales),
            collections_calls=len(collections),
            promises_to_pay=sum(r.disposition == PROMISE_TO_PAY for r in collections),
            compliance_events=sum(len(r.events_of(group.operator_id)) for r in records),
            wrapups_accepted=sum(r.feedback == fb.ACTION_ACCEPTED for r in records),
            wrapups_edited=sum(r.feedback == fb.ACTION_EDITED for r in records),
            transfers=sum(r.transfers for r in records),
        )
        summary.conversion_rate = summary.conversions / len(sales) if sales else 0.0
        summary.promise_rate = summary.promises_to_pay / len(collections) if collections else 0.0
        summary.dispositions.update(Counter(r.disposition for r in records))
        summary.rule_counts.update(rules)
        summary.missed_disclosures.update(Counter(o for r in records for o in r.owed))
        return summary

    def _notes(self, summary: sm.GroupSummary, team_mean: float | None) -> list[str]:
        """Coaching notes, most pressing first: compliance, then missed disclosures, then outcomes."""
        notes = []
        def most(counts: dict[str, int], limit: int) -> list[tuple[str, int]]:
            return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]

        for rule, count in most(dict(summary.rule_counts), 3):
            notes.append(f"{rule} raised {count} time(s): {self._fixes.get(rule, 'review with the policy team')}")
        for obligation, count in most(dict(summary.missed_disclosures), 2):
            notes.append(f"{obligation} never given on {count} of {summary.calls} call(s): "
                         f"{self._fixes.get(obligation, 'give it on every call')}")
        if team_mean and summary.calls >= MIN_CALLS_FOR_RATES and summary.handle_time_s_mean > SLOW_FACTOR * team_mean:
            notes.append(f"Handle time {summary.handle_time_s_mean:.0f} s against the team's {team_mean:.0f} s: "
                         "review holds and verification steps.")
        if summary.collections_calls >= MIN_CALLS_FOR_RATES and summary.promise_rate < 0.3:
            notes.append(f"Promise to pay on {summary.promises_to_pay} of {summary.collections_calls} collections "
                         "calls: ask for a specific amount and date.")
        if summary.sales_calls >= MIN_CALLS_FOR_RATES and summary.conversion_rate < 0.2:
            notes.append(f"Applications on {summary.conversions} of {summary.sales_calls} sales calls: "
                         "check needs and offer to check the rate (a soft inquiry).")
        return notes or ["No compliance events and no missed disclosures in this window."]
