"""The level-proposal dossier's content (Decree 85/2016 Art. 15; Circular 12/2022 Art. 8) and
its cover request letter, as a list of blocks per document.

Building the content once keeps the Word file and the web page identical in substance, and
makes the dossier deterministic: the same profile, catalogues and day give the same blocks.
Facts the profile does not state are written as visible "to be completed" markers, never
invented, so the operating unit sees exactly what is left to fill in. Rendering the blocks
is `assure.reports.dossier.render`'s job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assure import i18n
from assure.i18n import date_long
from assure.law.citation import Citation, Cites, cite, cited_each, source_text
from assure.law.classify import classification_json
from assure.law.gap import GapReport
from assure.law.plan import Plan, display_name, grouped
from assure.law.regime import Lang, Regime, Text, facts_in
from assure.reports.labels import labels


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a document: heading, paragraph, bullet or table."""

    kind: str  # h | p | bullet | table | title | pagebreak | letterhead | signature
    text: str = ""
    level: int = 1
    bold: bool = False
    italic: bool = False
    center: bool = False
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    grid: bool = True
    widths: tuple[float, ...] = ()  # relative column widths; equal when empty


@dataclass
class DocModel:
    """A document as blocks, with helpers that read like the document's outline."""

    title: str
    lang: Lang
    blocks: list[Block] = field(default_factory=list)

    def h(self, text: str, level: int = 1) -> None:
        self.blocks.append(Block("h", text, level=level))

    def p(
        self, text: str, *, bold: bool = False, italic: bool = False, center: bool = False
    ) -> None:
        self.blocks.append(Block("p", text, bold=bold, italic=italic, center=center))

    def bullet(self, text: str) -> None:
        self.blocks.append(Block("bullet", text))

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        grid: bool = True,
        widths: Sequence[float] = (),
    ) -> None:
        self.blocks.append(
            Block(
                "table",
                headers=tuple(headers),
                rows=tuple(tuple(r) for r in rows),
                grid=grid,
                widths=tuple(widths),
            )
        )

    def letterhead(
        self,
        parent: str,
        body: str,
        number: str,
        place_date: str,
        national: Sequence[str],
        subject: str = "",
    ) -> None:
        """The head of an administrative document: parent body, issuing body, number and (for
        an official letter) its subject on the left; national title, motto, place and date on
        the right (Decree 30/2020)."""
        self.blocks.append(
            Block(
                "letterhead",
                headers=(parent, body, number, subject),
                rows=(tuple(national), (place_date,)),
            )
        )

    def signature(self, recipients: Sequence[str], signer: Sequence[str]) -> None:
        """The foot: "Nơi nhận" and its list on the left; position, signing note, name right."""
        self.blocks.append(Block("signature", headers=tuple(recipients), rows=(tuple(signer),)))

    def title_block(self, text: str) -> None:
        self.blocks.append(Block("title", text))

    def pagebreak(self) -> None:
        self.blocks.append(Block("pagebreak"))


def todo(lang: Lang, what: str) -> str:
    """A visible marker for a fact the profile does not state; a profile field is named in
    words (the field itself is listed in the dossier's to-do list, not in the text)."""
    key = f"field.{what}"
    if i18n.has(key):
        what = i18n.t(key, lang)
    return i18n.t("dossier.to_be_completed", lang, what=what)


_UNIT_FIELDS = tuple(
    (k, Text.message(f"dossier.unit_field.{k}"))
    for k in ("name", "mandate_document", "representative", "title", "address", "phone", "email")
)

_LIFECYCLE = {
    k: Text.message(f"dossier.lifecycle.{k}")
    for k in ("planned", "building", "operating", "retired")
}

_HOSTING = {
    k: Text.message(f"dossier.hosting.{k}")
    for k in ("kind", "provider", "location", "standby_site", "standby_distance_km")
}

_HOSTING_KIND = {
    k: Text.message(f"dossier.hosting_kind.{k}") for k in ("own", "rented_datacenter", "cloud")
}

_EXPECTED = {
    "implemented": "pass",
    "partial": "warn",
    "planned": "fail",
    "not_applicable": "not_applicable",
    "missing": "fail",
}

_DECLARED = {
    k: Text.message(f"dossier.declared.{k}")
    for k in ("implemented", "partial", "planned", "not_applicable", "missing")
}


def unit_name(unit: Mapping[str, Any] | None, lang: Lang) -> str | None:
    """An organisation's name in `lang` (`name_en` in English when given)."""
    if not unit:
        return None
    if lang == "en" and unit.get("name_en"):
        return str(unit["name_en"])
    return str(unit["name"]) if unit.get("name") else None


def _unit_table(doc: DocModel, unit: Mapping[str, Any] | None, what: str) -> None:
    lang = doc.lang
    if not unit:
        doc.p(todo(lang, what), italic=True)
        return
    rows = [
        [label(lang), str(unit[key]) if unit.get(key) else todo(lang, label(lang).lower())]
        for key, label in _UNIT_FIELDS
    ]
    if lang == "en" and unit.get("name_en"):
        rows[0][1] = f"{unit['name_en']} ({unit['name']})"
    doc.table([i18n.t("dossier.field", lang), i18n.t("dossier.value", lang)], rows)


def _overview(doc: DocModel, plan: Plan) -> None:
    """Part 1 of the dossier: the system described, section by section (1.1–1.10)."""
    lang = doc.lang
    data = plan.profile.data
    doc.h(i18n.t("dossier.part_system_overview", lang))
    doc.h(i18n.t("dossier.general", lang), 2)
    rows = [
        [i18n.t("dossier.system_name", lang), display_name(plan, lang)],
        [i18n.t("dossier.system_id", lang), plan.profile.id],
        [
            i18n.t("dossier.lifecycle", lang),
            _LIFECYCLE[data["lifecycle"]](lang)
            if data.get("lifecycle")
            else todo(lang, "lifecycle"),
        ],
    ]
    if data.get("description"):
        rows.append([i18n.t("dossier.description", lang), str(data["description"])])
    doc.table([i18n.t("dossier.field", lang), i18n.t("dossier.value", lang)], rows)
    doc.h(i18n.t("dossier.system_owner", lang), 2)
    _unit_table(doc, data.get("owner"), "owner")
    doc.h(i18n.t("dossier.operating_unit", lang), 2)
    _unit_table(doc, data.get("operator"), "operator")
    doc.h(i18n.t("dossier.security_unit", lang), 2)
    _unit_table(doc, data.get("security_unit"), "security_unit")
    _scope(doc, plan)
    _hosting(doc, plan)
    _devices(doc, plan)
    _applications(doc, plan)
    _zones(doc, plan)
    _endpoints(doc, plan)


def _scope(doc: DocModel, plan: Plan) -> None:
    """1.5: scope, scale and who the system serves."""
    lang = doc.lang
    data = plan.profile.data
    doc.h(i18n.t("dossier.scope_scale_and_users", lang), 2)
    scope = data.get("scope") or {}
    if not scope:
        doc.p(todo(lang, "scope"), italic=True)
    else:
        srows = []
        if scope.get("description"):
            srows.append([i18n.t("dossier.scope", lang), str(scope["description"])])
        if "users_served" in scope:
            srows.append([i18n.t("dossier.users_served", lang), _num(scope["users_served"], lang)])
        if "internal_users" in scope:
            srows.append(
                [
                    i18n.t("dossier.internal_users", lang),
                    _num(scope["internal_users"], lang),
                ]
            )
        if scope.get("locations"):
            srows.append([i18n.t("dossier.locations", lang), "; ".join(scope["locations"])])
        if scope.get("service_hours"):
            srows.append([i18n.t("dossier.service_hours", lang), scope["service_hours"]])
        doc.table([i18n.t("dossier.field", lang), i18n.t("dossier.value", lang)], srows)


def _hosting(doc: DocModel, plan: Plan) -> None:
    """1.6: the overall model and where the system is hosted."""
    lang = doc.lang
    data = plan.profile.data
    hosting = data.get("hosting") or {}
    doc.h(i18n.t("dossier.architecture_and_hosting", lang), 2)
    design_doc = (data.get("design") or {}).get("document")
    if design_doc:
        doc.p(i18n.t("dossier.logical_and_physical_models_of", lang, design_doc=design_doc))
    else:
        doc.p(
            todo(
                lang,
                i18n.t("dossier.logical_and_physical_model_diagrams", lang),
            ),
            italic=True,
        )
    if not hosting:
        doc.p(todo(lang, "hosting"), italic=True)
    else:
        doc.table(
            [i18n.t("dossier.field", lang), i18n.t("dossier.value", lang)],
            [
                [
                    _HOSTING[k](lang),
                    _HOSTING_KIND[v](lang) if k == "kind" else str(v),
                ]
                for k, v in hosting.items()
            ],
        )


def _inventory(
    doc: DocModel,
    field: str,
    headers: Sequence[str],
    row: Callable[[Mapping[str, Any]], list[str]],
    plan: Plan,
) -> None:
    """One list of `architecture` (devices, applications, zones) as a table, or the marker
    asking for it when the profile does not give it."""
    items = (plan.profile.data.get("architecture") or {}).get(field) or []
    if items:
        doc.table(list(headers), [row(x) for x in items])
    else:
        doc.p(todo(doc.lang, f"architecture.{field}"), italic=True)


def _devices(doc: DocModel, plan: Plan) -> None:
    """1.7: the device list."""
    lang = doc.lang
    doc.h(i18n.t("dossier.devices", lang), 2)
    _inventory(
        doc,
        "devices",
        [
            i18n.t("dossier.name_type", lang),
            i18n.t("dossier.location", lang),
            i18n.t("dossier.purpose", lang),
            i18n.t("dossier.main_network_device", lang),
        ],
        lambda d: [
            " / ".join(x for x in (d["name"], d.get("type", "")) if x),
            d.get("location", "—"),
            d.get("purpose", "—"),
            i18n.t("dossier.yes", lang) if d.get("main") else "—",
        ],
        plan,
    )


def _applications(doc: DocModel, plan: Plan) -> None:
    """1.8: applications and services."""
    lang = doc.lang
    doc.h(i18n.t("dossier.applications_and_services", lang), 2)
    _inventory(
        doc,
        "applications",
        [
            i18n.t("dossier.name", lang),
            i18n.t("dossier.server_location", lang),
            i18n.t("dossier.os", lang),
            i18n.t("dossier.purpose", lang),
        ],
        lambda a: [
            a["name"],
            " / ".join(x for x in (a.get("server", ""), a.get("location", "")) if x) or "—",
            a.get("os", "—"),
            a.get("purpose", "—"),
        ],
        plan,
    )


def _zones(doc: DocModel, plan: Plan) -> None:
    """1.9: network zones and the IP plan."""
    lang = doc.lang
    doc.h(i18n.t("dossier.network_zones_and_ip_plan", lang), 2)
    _inventory(
        doc,
        "network_zones",
        [
            i18n.t("dossier.zone", lang),
            i18n.t("dossier.private_ips", lang),
            i18n.t("dossier.public_ips", lang),
            i18n.t("dossier.purpose", lang),
        ],
        lambda z: [
            z["name"],
            ", ".join(z.get("private_ips", [])) or "—",
            ", ".join(z.get("public_ips", [])) or "—",
            z.get("purpose", "—"),
        ],
        plan,
    )


def _endpoints(doc: DocModel, plan: Plan) -> None:
    """1.10: the addresses users reach the system at."""
    lang = doc.lang
    data = plan.profile.data
    endpoints = data.get("endpoints") or []
    if endpoints:
        doc.h(i18n.t("dossier.endpoints", lang), 2)
        for e in endpoints:
            doc.bullet(e["url"] + (f" — {e['description']}" if e.get("description") else ""))


def _num(value: int, lang: Lang) -> str:
    return f"{value:,}".replace(",", "." if lang == "vi" else ",")


def _design(doc: DocModel, plan: Plan) -> None:
    lang = doc.lang
    design = plan.profile.data.get("design") or {}
    doc.h(i18n.t("dossier.part_design_documents", lang))
    kinds = {
        k: Text.message(f"dossier.design_kind.{k}")
        for k in ("preliminary", "construction", "equivalent")
    }
    if not design:
        doc.p(todo(lang, "design"), italic=True)
        return
    rows = [
        [
            i18n.t("dossier.kind", lang),
            kinds[design["kind"]](lang) if design.get("kind") else todo(lang, "design.kind"),
        ],
        [i18n.t("dossier.document", lang), design.get("document") or todo(lang, "design.document")],
        [
            i18n.t("dossier.approved_by", lang),
            design.get("approved_by") or todo(lang, "design.approved_by"),
        ],
        [
            i18n.t("dossier.date", lang),
            i18n.date_short(str(design["date"]), lang)
            if design.get("date")
            else todo(lang, "design.date"),
        ],
    ]
    doc.table([i18n.t("dossier.field", lang), i18n.t("dossier.value", lang)], rows)
    src = part_source(plan.regime, "design")
    doc.p(i18n.t("dossier.design_attached", lang, source=cite(src, lang)))


def _level(doc: DocModel, plan: Plan, cls: Mapping[str, Any]) -> None:
    lang = doc.lang
    regime = plan.regime
    doc.h(i18n.t("dossier.part_level_proposal", lang))
    doc.h(i18n.t("dossier.systems_and_proposed_levels", lang), 2)

    def rows(node: Mapping[str, Any], depth: int) -> list[list[str]]:
        basis = "; ".join(c["article"] for c in node["criteria"] if c["level"] == node["level"])
        out = [["  " * depth + node["name"], str(node["level"] or "—"), basis or "—"]]
        for c in node["components"]:
            out.extend(rows(c, depth + 1))
        return out

    doc.table(
        [
            i18n.t("dossier.system", lang),
            i18n.t("dossier.level", lang),
            i18n.t("dossier.basis", lang),
        ],
        rows(cls, 0),
    )
    doc.h(i18n.t("dossier.details", lang), 2)
    for node in plan.classification.root.node.walk():
        doc.h(node.name, 3)
        facts = node.facts
        frows = [
            [regime.facts[k].label(lang), regime.facts[k].show(v, lang)]
            for k, v in facts.items()
            if k in regime.facts
        ]
        doc.table([i18n.t("dossier.fact", lang), i18n.t("dossier.value_2", lang)], frows)
    doc.h(i18n.t("dossier.derivation_of_the_level", lang), 2)
    for c in cls["criteria"]:
        flag = f" ({labels(lang)['unconfirmed']})" if c.get("unconfirmed") else ""
        doc.bullet(
            f"{c['article']} — {i18n.t('dossier.level_2', lang)} {c['level']}: {c['reason']}{flag}"
        )
    nh = cls.get("not_higher")
    if nh and nh["closest"]:
        doc.p(
            i18n.t("dossier.why_not_level", lang, next_level=nh["next_level"]),
            bold=True,
        )
        for m in nh["closest"][:3]:
            doc.bullet(f"{m['article']}: " + "; ".join(m["unmet"]))
    ap, pr = cls["appraisal"], cls["approval"]
    doc.h(i18n.t("dossier.appraisal_and_approval", lang), 2)
    arows = [
        [i18n.t("dossier.prepared_by", lang), ap["prepared_by_label"] or "—"],
        [i18n.t("dossier.appraised_by", lang), ap["appraised_by_label"] or "—"],
        [i18n.t("dossier.approved_by_2", lang), pr["approved_by_label"] or "—"],
    ]
    if ap.get("expert_opinion_by_label"):
        arows.insert(1, [i18n.t("dossier.expert_opinion_2", lang), ap["expert_opinion_by_label"]])
    if ap.get("time_limit"):
        lim = ap["time_limit"]
        arows.append(
            [
                i18n.t("dossier.appraisal_time_limit", lang),
                f"{lim['days']} {i18n.t('dossier.days', lang)} ({source_text(lim, lang)})",
            ]
        )
    basis = "; ".join(t for t in (source_text(ap, lang), source_text(pr, lang)) if t)
    if basis:  # who appraises and approves, and how the dossier reaches them, by article
        arows.append([i18n.t("dossier.basis", lang), basis])
    doc.table([i18n.t("dossier.step", lang), i18n.t("dossier.body", lang)], arows)
    if plan.level >= 4:
        doc.h(
            i18n.t("dossier.additional_content_for_levels_and", lang),
            2,
        )
        # The 24/7 justification is owed by the systems the regime's 24/7 criteria cover;
        # their articles come from the regime's own criteria, not typed here.
        always_on = [
            c.article(lang)
            for c in plan.regime.criteria
            if c.level >= 4 and "availability_24x7" in facts_in(c.when)
        ]
        cover = "; ".join(dict.fromkeys(always_on)) or "—"
        for key in (
            "dossier.level4.related_systems",
            "dossier.level4.attack_threats",
            "dossier.level4.public_impact",
            "dossier.level4.always_on",
        ):
            doc.p(i18n.t(key, lang, cover=cover), bold=True)
            doc.p(todo(lang, i18n.t(key, lang, cover=cover).lower()), italic=True)


def _security_plan(doc: DocModel, plan: Plan, gap: GapReport | None) -> None:
    lang = doc.lang
    lb = labels(lang)
    doc.h(i18n.t("dossier.part_security_plan_for_the", lang))
    basis, parts = security_plan_sources(plan.regime, lang)
    doc.p(
        i18n.t(
            "dossier.how_each_management_and_technical",
            lang,
            level=plan.level,
            basis=basis,
            parts=parts,
        )
    )
    status = {i.item.id: i for i in gap.items} if gap else {}
    controls = plan.profile.data.get("controls") or {}
    for part in grouped(plan, lang):
        doc.h(part["title"], 2)
        if not part["groups"]:
            doc.p(lb["none"], italic=True)
        for g in part["groups"]:
            doc.h(g["title"], 3)
            rows = []
            for r in g["items"]:
                ctl = controls.get(r["id"]) or {}
                state = ctl.get("status", "missing")
                how = [_DECLARED[state](lang)]
                if ctl.get("justification"):
                    how.append(ctl["justification"].rstrip("."))
                for ev in ctl.get("evidence", []):
                    day = f" ({i18n.date_short(ev['date'], lang)})" if ev.get("date") else ""
                    how.append(ev["ref"] + day)
                if ctl.get("due"):
                    how.append(f"{lb['due']}: {i18n.date_short(ctl['due'], lang)}")
                gi = status.get(r["id"])
                # the verdict is shown only when it is not what the declaration implies
                # (a failed probe, a contradicting profile fact, a waiver)
                if gi is not None and gi.finding.status.value != _EXPECTED[state]:
                    how.append(gi.finding.summary.rstrip("."))
                measure = r.get("measure", "—") + (f" ({lb['product']})" if r["product"] else "")
                title = r["title"] + (f" ({lb['unconfirmed']})" if r.get("unconfirmed") else "")
                rows.append([r["id"], title, cited_each(r), measure, ". ".join(how) + "."])
            doc.table(
                [
                    lb["id"],
                    lb["requirement"],
                    lb["sources"],
                    lb["measure"],
                    i18n.t("dossier.how_it_is_met", lang),
                ],
                rows,
                widths=(17, 22, 19, 17, 25),
            )


def expert_opinion_model(plan: Plan, today: dt.date, lang: Lang) -> DocModel | None:
    """The expert-opinion form of the owner's security unit (levels 4–5; Decree 85/2016
    Art. 15.5, Decree 331/2026 Art. 21.5): a separate document, because another unit writes
    and signs it."""
    cls = classification_json(plan.classification, today, lang)
    if not any(p["id"] == "expert_opinion" for p in cls["dossier_parts"]):
        return None
    name = display_name(plan, lang)
    doc = DocModel(i18n.t("dossier.expert_opinion_2", lang) + f": {name}", lang)
    doc.title_block(i18n.t("dossier.expert_opinion", lang))
    doc.p(
        i18n.t("dossier.on_the_dossier_proposing_level", lang, level=plan.level, name=name),
        bold=True,
        center=True,
    )
    unit = unit_name(plan.profile.data.get("security_unit"), lang) or todo(lang, "security_unit")
    src = part_source(plan.regime, "expert_opinion")
    doc.p(i18n.t("dossier.opinion_by", lang, unit=unit, source=cite(src, lang)))
    basis = "; ".join(c["article"] for c in cls["criteria"] if c["level"] == plan.level)
    doc.p(
        i18n.t(
            "dossier.proposed_level_on_the_basis",
            lang,
            level=plan.level,
            basis=basis,
            n=len(plan.items),
        )
    )
    for key in (
        "dossier.opinion.level_fitness",
        "dossier.opinion.plan_fitness",
        "dossier.opinion.recommendations",
    ):
        doc.h(i18n.t(key, lang), 2)
        doc.p(
            todo(lang, i18n.t("dossier.the_security_unit_s_opinion", lang)),
            italic=True,
        )
    doc.signature(
        [],
        [
            i18n.t("dossier.head_of_unit", lang),
            i18n.t("dossier.signature_name_seal", lang),
        ],
    )
    return doc


def dossier_model(plan: Plan, today: dt.date, lang: Lang, gap: GapReport | None = None) -> DocModel:
    """The dossier as blocks: overview, design, level proposal, security plan, expert opinion."""
    cls = classification_json(plan.classification, today, lang)
    lb = labels(lang)
    doc = DocModel(f"{lb['dossier_title']}: {display_name(plan, lang)}", lang)
    doc.title_block(lb["dossier_title"].upper())
    doc.p(display_name(plan, lang), bold=True, center=True)
    doc.p(
        i18n.t("dossier.proposed_level", lang, level=plan.level),
        center=True,
    )
    doc.p(i18n.t("dossier.contents", lang), bold=True)
    names = file_names(lang)
    where = {
        "design": i18n.t("dossier.the_attached_design_documents", lang),
        "expert_opinion": i18n.t("dossier.file_0", lang, opinion=names["opinion"]),
    }
    for part in cls["dossier_parts"]:
        place = where.get(part["id"], i18n.t("dossier.this_document", lang))
        doc.bullet(f"{part['title']} ({source_text(part, lang)}) — {place}")
    _overview(doc, plan)
    _design(doc, plan)
    _level(doc, plan, cls)
    _security_plan(doc, plan, gap)
    return doc


def _letter_form(plan: Plan) -> Mapping[str, Any] | None:
    """The regime's numbered request form for the plan's level, when the regime has forms."""
    letter = plan.regime.raw.get("cover_letter") or {}
    for form in letter.get("forms") or ():
        if plan.level in form["levels"]:
            return {**form, "basis": letter["basis"], "source": letter["source"]}
    return None


def _form_letter(
    plan: Plan,
    form: Mapping[str, Any],
    appraiser: str,
    operator: str,
    lang: Lang,
    today: dt.date,
) -> DocModel:
    """A request letter laid out after the regime's numbered form (Decree 331/2026 forms
    01 and 02): its header, legal basis, general information and attached documents."""
    data = plan.profile.data
    op = data.get("operator") or {}
    form_name = str(form["form"][lang])
    doc = DocModel(f"{form_name}: {form['subject'][lang]}", lang)
    doc.p(form_name, bold=True, center=True)
    owner = unit_name(data.get("owner"), lang) or todo(lang, "owner.name")
    place = op.get("place") or todo(lang, i18n.t("dossier.place", lang))
    doc.letterhead(
        owner,
        operator,
        i18n.t("dossier.no", lang),
        f"{place}, {date_long(today, lang)}",
        (
            i18n.t("dossier.socialist_republic_of_viet_nam", lang),
            i18n.t("dossier.independence_freedom_happiness", lang),
        ),
        subject=str(form["subject"][lang]),
    )
    doc.p(i18n.t("dossier.to_0", lang, appraiser=appraiser), center=True)
    for line in form["basis"]:
        doc.p(str(line[lang]))
    doc.p(
        i18n.t("dossier.request_as_follows", lang, operator=operator, request=form["request"][lang])
    )
    doc.h(i18n.t("dossier.part_general_information", lang), 2)
    address = op.get("address") or todo(lang, "operator.address")
    for i, (label, value) in enumerate(
        (
            (i18n.t("dossier.information_system", lang), display_name(plan, lang)),
            (i18n.t("dossier.operating_unit_2", lang), operator),
            (i18n.t("dossier.address", lang), str(address)),
            (i18n.t("dossier.proposed_level_2", lang), str(plan.level)),
        ),
        start=1,
    ):
        doc.p(f"{i}. {label}: {value}")
    doc.h(i18n.t("dossier.part_attached_documents", lang), 2)
    for i, item in enumerate(form["attachments"], start=1):
        doc.p(f"{i}. {item[lang]}")
    extra = form.get("flag_request")
    also = ""
    if extra and extra["flag"] in plan.classification.root.flags:
        also = f", {extra['text'][lang]}"
    doc.p(
        i18n.t(
            "dossier.request_of_system",
            lang,
            operator=operator,
            request=form["request"][lang],
            name=display_name(plan, lang),
            also=also,
            source=cite(form["source"], lang),
        )
    )
    doc.signature(
        [
            i18n.t("dossier.recipients", lang),
            i18n.t("dossier.as_above", lang),
            i18n.t("dossier.filed_records", lang),
        ],
        [
            i18n.t("dossier.for_the_body", lang),
            i18n.t("dossier.signature_full_name_title_and", lang),
            op.get("representative") or todo(lang, i18n.t("dossier.signer_s_name", lang)),
        ],
    )
    return doc


def cover_letter_model(plan: Plan, today: dt.date, lang: Lang) -> DocModel:
    """The cover request letter (tờ trình) from the operating unit to the appraising body.

    A regime with numbered forms (Decree 331/2026) gets its own form, with its own legal basis;
    otherwise the letter cites Decree 85/2016 and Circular 12/2022, as that regime asks.
    """
    cls = classification_json(plan.classification, today, lang)
    data = plan.profile.data
    operator = unit_name(data.get("operator"), lang) or todo(lang, "operator.name")
    owner = unit_name(data.get("owner"), lang) or todo(lang, "owner.name")
    appraiser = cls["appraisal"]["appraised_by_label"] or "—"
    if cls["appraisal"]["appraised_by"] in ("security_unit", "cyber_unit"):
        appraiser = unit_name(data.get("security_unit"), lang) or appraiser
    form = _letter_form(plan)
    if form is not None:
        return _form_letter(plan, form, appraiser, operator, lang, today)
    doc = DocModel(i18n.t("dossier.cover_request_letter", lang), lang)
    place = (data.get("operator") or {}).get("place") or todo(lang, i18n.t("dossier.place", lang))
    doc.letterhead(
        owner,
        operator,
        i18n.t("dossier.no_2", lang),
        f"{place}, {date_long(today, lang)}",
        (
            i18n.t("dossier.socialist_republic_of_viet_nam", lang),
            i18n.t("dossier.independence_freedom_happiness", lang),
        ),
    )
    doc.title_block(i18n.t("dossier.request", lang))
    doc.p(
        i18n.t("dossier.request_to_appraise_and_approve", lang, name=display_name(plan, lang)),
        bold=True,
        center=True,
    )
    doc.p(i18n.t("dossier.to_0", lang, appraiser=appraiser), center=True)
    doc.p(i18n.t("dossier.pursuant_to_decree_nd_cp", lang))
    basis = "; ".join(c["article"] for c in cls["criteria"] if c["level"] == plan.level)
    doc.p(
        i18n.t(
            "dossier.operating_unit_under_owner_requests",
            lang,
            operator=operator,
            owner=owner,
            level=plan.level,
            name=display_name(plan, lang),
            basis=basis,
        )
    )
    doc.p(i18n.t("dossier.attached", lang))
    for part in cls["dossier_parts"]:
        doc.bullet(part["title"])
    doc.p(
        i18n.t("dossier.approving_authority", lang, authority=cls["approval"]["approved_by_label"])
    )
    op = data.get("operator") or {}
    doc.signature(
        [
            i18n.t("dossier.recipients", lang),
            i18n.t("dossier.as_above", lang),
            i18n.t("dossier.filed_records", lang),
        ],
        [
            op.get("title") or todo(lang, i18n.t("dossier.signer_s_position", lang)),
            i18n.t("dossier.signature_full_name_and_seal", lang),
            op.get("representative") or todo(lang, i18n.t("dossier.signer_s_name", lang)),
        ],
    )
    return doc


def part_source(regime: Regime, part: str) -> Cites:
    """The rule that asks for dossier part `part` in `regime`: the first citation of its
    `dossier_parts` entry (the regime's own decree, before any guiding text)."""
    for p in regime.raw.get("dossier_parts") or ():
        if p["id"] == part:
            return tuple(p["source"][:1])
    return ()


def security_plan_sources(regime: Regime, lang: Lang) -> tuple[str, str]:
    """Where the regime asks for the plan requirement by requirement, and lists its parts."""
    sp = regime.raw.get("security_plan") or {}
    basis = sp.get("source") or (Citation("Circular 12/2022", 8, 2, "c"),)
    parts = sp.get("parts_source") or (Citation("Decree 85/2016", 19, 2),)
    return cite(basis, lang), cite(parts, lang)


def file_names(lang: Lang) -> dict[str, str]:
    """Base names of the cover letter, the dossier and the expert opinion (levels 4–5)."""
    if lang == "vi":
        return {
            "letter": "01-to-trinh",
            "dossier": "02-ho-so-de-xuat-cap-do",
            "opinion": "03-y-kien-chuyen-mon",
        }
    return {
        "letter": "01-cover-letter",
        "dossier": "02-level-dossier",
        "opinion": "03-expert-opinion",
    }
