"""The regime in force for one system on one day (pure: the day and the rules are inputs).

Since Decree 331/2026 took effect (19/08/2026, its Art. 38) it is the rule set for a system,
save the transition of its Art. 39.1: a system being invested in or built before 01/07/2026
finishes the appraisal and approval of its level under Decree 85/2016 within six months of
Law 116/2025 taking effect. Which case a system is in follows from its lifecycle, when its
construction started and whether its level was approved; a fact the profile does not state
is a question to answer, never assumed. `--regime` or a `regime` in the profile still forces
one, and every result says which regime applies and why.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from assure.errors import DataError, Msg, Problem
from assure.inputs.validation import validate, validator_for_file
from assure.inputs.yamldoc import format_path, load_yaml
from assure.law.citation import Cites, in_words, structure, to_json
from assure.law.regime import Lang, Text
from assure.paths import checklists_dir, schema_path


@dataclass(frozen=True, slots=True)
class InForce:
    """The dates and the transition rule that decide the regime in force."""

    previous: str
    current: str
    names: Mapping[str, Text]
    current_from: dt.date
    current_from_source: Cites
    construction_before: dt.date
    approval_window_ends: dt.date
    measures_by: dt.date
    transition_source: Cites

    def name(self, regime: str, lang: Lang) -> str:
        return self.names[regime](lang) if regime in self.names else regime


@dataclass(frozen=True, slots=True)
class RegimeChoice:
    """The regime applied to a system, why, on what basis, and what is left to confirm."""

    regime: str
    reason: Text
    sources: Cites = ()
    questions: tuple[Text, ...] = ()
    forced: bool = False

    def to_json(self, lang: Lang) -> dict[str, Any]:
        """`regime_basis` keeps one compact text per citation (the contract's strings);
        `regime_citations` is the same basis structured."""
        return {
            "regime_reason": self.reason(lang),
            "regime_basis": [c.compact() for c in self.sources],
            "regime_citations": to_json(self.sources, lang),
            "regime_questions": [q(lang) for q in self.questions],
        }


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def parse_in_force(data: Mapping[str, Any]) -> InForce:
    tr = data["transition"]
    return InForce(
        previous=data["previous"],
        current=data["current"],
        names={k: Text.of(v) for k, v in data["names"].items()},
        current_from=_date(data["current_from"]),
        current_from_source=data["current_from_source"],
        construction_before=_date(tr["construction_before"]),
        approval_window_ends=_date(tr["approval_window_ends"]),
        measures_by=_date(tr["measures_by"]),
        transition_source=tr["source"],
    )


def in_force_path() -> Path:
    """Where the rules folder keeps the dates that decide the regime."""
    return checklists_dir() / "in-force.yaml"


@cache
def load_in_force(path: Path | None = None) -> InForce:
    """The rules of `in-force.yaml`, checked against `in-force.schema.json` and for sense.

    A wrong date here silently moves every system to another regime, so the file is held to
    the same bar as a profile: a problem stops the run with its file, line and column
    (exit 3). Beyond the schema, both regimes must be named and the transition's dates must
    follow one another (construction cut-off, end of the approval window, measures due).
    """
    doc = load_yaml(path or in_force_path())
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping at the top of the in-force file")
    problems = validate(doc, validator_for_file(schema_path("in-force")))
    if problems:
        raise DataError(problems)
    raw = doc.data

    def wrong(path: tuple[str, ...], key: str, **params: Any) -> DataError:
        pos = doc.position(path)
        return DataError([Problem.of(pos, format_path(path), Msg.of(key, **params))])

    for key in ("previous", "current"):
        if raw[key] not in raw["names"]:
            raise wrong((key,), "law.in_force.unnamed", regime=raw[key])
    if raw["previous"] == raw["current"]:
        raise wrong(("current",), "law.in_force.same_regime", regime=raw["current"])
    tr = raw["transition"]
    order = ("construction_before", "approval_window_ends", "measures_by")
    for early, late in itertools.pairwise(order):
        if _date(tr[early]) > _date(tr[late]):
            raise wrong(
                ("transition", late),
                "law.in_force.out_of_order",
                late=late,
                late_day=str(tr[late]),
                early=early,
                early_day=str(tr[early]),
            )
    return parse_in_force(structure(raw))


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def forced(
    regime: str, by_option: bool, rules: InForce, *, by_config: bool = False
) -> RegimeChoice:
    """A regime chosen by `--regime`, by the configuration file, or named by the profile."""
    vi, en = rules.name(regime, "vi"), rules.name(regime, "en")
    if by_option and by_config:
        return RegimeChoice(
            regime,
            Text(
                f"Áp dụng {vi} vì tệp cấu hình assure.toml chọn regime {regime}.",
                f"Applies {en} because the configuration file assure.toml sets regime {regime}.",
            ),
            forced=True,
        )
    if by_option:
        return RegimeChoice(
            regime,
            Text(
                f"Áp dụng {vi} vì được chọn bằng tùy chọn --regime {regime}.",
                f"Applies {en} because --regime {regime} chose it.",
            ),
            forced=True,
        )
    return RegimeChoice(
        regime,
        Text(
            f"Áp dụng {vi} vì hồ sơ hệ thống khai báo regime: {regime}.",
            f"Applies {en} because the profile states regime: {regime}.",
        ),
        forced=True,
    )


def choose(profile_data: Mapping[str, Any], today: dt.date, rules: InForce) -> RegimeChoice:
    """The regime in force for the system of `profile_data` on `today` (Decree 331 Art. 39)."""
    prev, cur = rules.previous, rules.current
    pv, pe = rules.name(prev, "vi"), rules.name(prev, "en")
    cv, ce = rules.name(cur, "vi"), rules.name(cur, "en")
    eff = _d(rules.current_from)
    if today < rules.current_from:
        return RegimeChoice(
            prev,
            Text(
                f"Áp dụng {pv} vì ngày đánh giá {_d(today)} trước ngày {cv} có hiệu lực ({eff}).",
                f"Applies {pe} because the evaluation day {_d(today)} is before {ce} takes"
                f" effect ({eff}).",
            ),
            rules.current_from_source,
        )
    lifecycle = profile_data.get("lifecycle")
    started_raw = profile_data.get("construction_started")
    started = _date(started_raw) if started_raw is not None else None
    approval = profile_data.get("approval") or None
    cut = _d(rules.construction_before)
    window = _d(rules.approval_window_ends)
    measures = _d(rules.measures_by)
    # The articles are worded from the rules' own citations, never typed into the sentence.
    tv, te = in_words(rules.transition_source, "vi"), in_words(rules.transition_source, "en")
    in_force = (
        f"nghị định này có hiệu lực từ {eff} ({in_words(rules.current_from_source, 'vi')})",
        f"the decree is in force since {eff} ({in_words(rules.current_from_source, 'en')})",
    )
    sources = rules.current_from_source
    if approval is not None:
        level, regime = approval.get("level"), approval.get("regime")
        decision = approval.get("decision", "?")
        when = _d(_date(approval["date"])) if approval.get("date") is not None else "?"
        under_v = rules.name(regime, "vi") if regime else "?"
        under_e = rules.name(regime, "en") if regime else "?"
        return RegimeChoice(
            cur,
            Text(
                f"Áp dụng {cv} vì {in_force[0]}; cấp độ {level} đã được phê duyệt theo"
                f" {under_v} (quyết định số {decision} ngày {when}), nên không còn việc thẩm"
                f" định, phê duyệt theo {tv}; biện pháp bảo vệ theo cấp độ phải"
                f" đáp ứng {cv} trước {measures}.",
                f"Applies {ce} because {in_force[1]}; level {level} was approved under"
                f" {under_e} (decision {decision} of {when}), so no appraisal or approval"
                f" is left for {te}; the level's measures must meet {ce} by {measures}.",
            ),
            (*sources, *rules.transition_source),
        )
    building = lifecycle in ("planned", "building")
    if started is not None and started < rules.construction_before and lifecycle != "operating":
        if today < rules.approval_window_ends:
            return RegimeChoice(
                prev,
                Text(
                    f"Áp dụng {pv} vì hệ thống đang đầu tư, xây dựng từ {_d(started)}, trước"
                    f" {cut}, và chưa được phê duyệt cấp độ: {tv} cho hoàn"
                    f" thành thẩm định, phê duyệt cấp độ theo {pv} trong 06 tháng (trước"
                    f" {window}); biện pháp bảo vệ phải đáp ứng {cv} trước {measures}.",
                    f"Applies {pe} because the system has been under construction since"
                    f" {_d(started)}, before {cut}, and its level is not approved: {te}"
                    f" lets appraisal and approval finish under {pe} within 6"
                    f" months (before {window}); its measures must meet {ce} by {measures}.",
                ),
                rules.transition_source,
            )
        return RegimeChoice(
            cur,
            Text(
                f"Áp dụng {cv} vì {in_force[0]} và thời hạn 06 tháng của {tv} để"
                f" phê duyệt cấp độ theo {pv} đã hết ({window}).",
                f"Applies {ce} because {in_force[1]} and the 6 months {te} gave to"
                f" approve the level under {pe} are over ({window}).",
            ),
            (*sources, *rules.transition_source),
        )
    if started is not None:
        return RegimeChoice(
            cur,
            Text(
                f"Áp dụng {cv} vì {in_force[0]} và hệ thống bắt đầu đầu tư, xây dựng từ"
                f" {_d(started)}, không trước {cut} ({tv} không áp dụng).",
                f"Applies {ce} because {in_force[1]} and construction started on"
                f" {_d(started)}, not before {cut} ({te} does not apply).",
            ),
            (*sources, *rules.transition_source),
        )
    questions: tuple[Text, ...] = ()
    if building or lifecycle is None:
        questions = (
            Text(
                f"Hệ thống có đang đầu tư, xây dựng từ trước {cut} và chưa được phê duyệt cấp"
                f" độ không? Nếu có, khai báo construction_started: {tv} cho hoàn"
                f" thành thẩm định, phê duyệt theo {pv} trước {window}.",
                f"Was the system under construction before {cut} without an approved level?"
                f" If so, state construction_started: {te} lets it finish appraisal and"
                f" approval under {pe} before {window}.",
            ),
        )
    return RegimeChoice(
        cur,
        Text(
            f"Áp dụng {cv} vì {in_force[0]} và hồ sơ không cho thấy trường hợp chuyển tiếp"
            f" của {tv}.",
            f"Applies {ce} because {in_force[1]} and the profile shows no {te} transition case.",
        ),
        sources,
        questions,
    )


def regime_for(
    profile_data: Mapping[str, Any],
    profile_regime: str | None,
    option: str | None,
    today: dt.date,
    rules: InForce | None = None,
    *,
    by_config: bool = False,
) -> RegimeChoice:
    """`--regime`, else the profile's `regime`, else the regime in force on `today`.

    `by_config` says the option's value came from `assure.toml`, so the reason names the
    file rather than an option the user never typed.

    A forced regime needs no dates: a rules folder without `in-force.yaml` still works with
    `--regime` (the regime is then named by its ID).
    """
    chosen = option if option is not None else profile_regime
    if chosen is not None:
        if rules is None and in_force_path().is_file():
            rules = load_in_force()
        if rules is None:
            rules = InForce(
                chosen, chosen, {}, dt.date.min, (), dt.date.min, dt.date.min, dt.date.min, ()
            )
        return forced(chosen, option is not None, rules, by_config=by_config)
    return choose(profile_data, today, rules or load_in_force())
