"""The summary as data for ``--format json``: aggregates only, like the summary book.

No person's name, birth date or ID leaves here: those are in the consolidated registry file only.
Dates are ISO strings; shares are fractions (0.7 for 70 %).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from nastavnik_xl.actions.summary.model import OrgSummary
from nastavnik_xl.actions.summary.reduce import GroupTotal, Totals
from nastavnik_xl.actions.summary.run import Summary


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _group(g: GroupTotal) -> dict[str, Any]:
    return {**dataclasses.asdict(g), "share": g.share, "target": g.target}


def _totals(t: Totals) -> dict[str, Any]:
    data = {f.name: getattr(t, f.name) for f in dataclasses.fields(t)}  # not asdict: it breaks Counters
    data["groups"] = {k: _group(g) for k, g in t.groups.items()}
    for name in ("contingent", "pairs_by_form", "pairs_by_status"):
        data[name] = dict(data[name])
    data.update(roadmap_share=t.roadmap_share, satisfaction=t.satisfaction)
    return _plain(data)


def _organisation(org: OrgSummary, elsewhere: int | None) -> dict[str, Any]:
    data = dataclasses.asdict(dataclasses.replace(org, registry=None))
    del data["registry"]
    data["coverage"] = [{**dataclasses.asdict(g), "share": g.share, "met": g.met} for g in org.coverage]
    data["registry_people"] = len(org.registry.rows) if org.registry else None
    data["registry_without_consent"] = len(org.registry.excluded) if org.registry else None
    data["people_also_in_other_organisations"] = elsewhere
    return _plain(data)


def summary_json(summary: Summary) -> dict[str, Any]:
    p = summary.period
    return {
        "period": {"label": p.label, "title": p.title, "first": p.first.isoformat(), "last": p.last.isoformat(),
                   "on": p.on.isoformat()},
        "files": summary.files,
        "validated": summary.validated,
        "exit_code": summary.exit_code,
        "region": _totals(summary.region),
        "municipalities": [_totals(m) for m in summary.municipalities],
        "years": [{"year": y.year, "group": y.group, **_group(y.total)} for y in summary.years],
        "organisations": [_organisation(o, summary.elsewhere(i) if summary.registry else None)
                          for i, o in enumerate(summary.orgs)],
        "unreadable": [_plain(dataclasses.asdict(u)) for u in summary.unreadable],
        "set_aside": [{"file": a.org.source, "organisation": a.org.card.name, "inn": a.org.card.inn,
                       "kind": a.org.kind, "kept": a.kept, "reason": a.reason} for a in summary.set_aside],
        "people_in_several_organisations": len(summary.registry.repeated) if summary.registry else None,
    }
