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


def _t(lang: Lang, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def todo(lang: Lang, what: str) -> str:
    """A visible marker for a fact the profile does not state; a profile field is named in
    words (the field itself is listed in the dossier's to-do list, not in the text)."""
    key = f"field.{what}"
    if i18n.has(key):
        what = i18n.t(key, lang)
    return _t(lang, f"[Cần bổ sung: {what}]", f"[To be completed: {what}]")


_UNIT_FIELDS = (
    ("name", Text("Tên cơ quan, tổ chức", "Name")),
    ("mandate_document", Text("Văn bản quy định chức năng, nhiệm vụ", "Mandate document")),
    ("representative", Text("Người đại diện", "Representative")),
    ("title", Text("Chức vụ", "Position")),
    ("address", Text("Địa chỉ", "Address")),
    ("phone", Text("Điện thoại", "Phone")),
    ("email", Text("Thư điện tử", "E-mail")),
)

_LIFECYCLE = {
    "planned": Text("Đang lập kế hoạch đầu tư", "Planned"),
    "building": Text("Đang xây dựng, nâng cấp", "Being built or upgraded"),
    "operating": Text("Đang vận hành", "Operating"),
    "retired": Text("Đã dừng vận hành", "Retired"),
}

_HOSTING = {
    "kind": Text("Hình thức", "Kind"),
    "provider": Text("Nhà cung cấp", "Provider"),
    "location": Text("Địa điểm", "Location"),
    "standby_site": Text("Hệ thống dự phòng", "Standby site"),
    "standby_distance_km": Text("Khoảng cách tới hệ thống dự phòng (km)", "Standby distance (km)"),
}

_HOSTING_KIND = {
    "own": Text("Tự đầu tư, vận hành", "Own premises"),
    "rented_datacenter": Text("Thuê trung tâm dữ liệu", "Rented data centre"),
    "cloud": Text("Thuê dịch vụ điện toán đám mây", "Cloud service"),
}

_EXPECTED = {
    "implemented": "pass",
    "partial": "warn",
    "planned": "fail",
    "not_applicable": "not_applicable",
    "missing": "fail",
}

_DECLARED = {
    "implemented": Text("Đã triển khai", "Implemented"),
    "partial": Text("Triển khai một phần", "Partly implemented"),
    "planned": Text("Đã có kế hoạch", "Planned"),
    "not_applicable": Text("Không áp dụng", "Not applicable"),
    "missing": Text("Chưa khai báo", "Not declared"),
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
    doc.table([_t(lang, "Thông tin", "Field"), _t(lang, "Nội dung", "Value")], rows)


def _overview(doc: DocModel, plan: Plan) -> None:
    """Part 1 of the dossier: the system described, section by section (1.1–1.10)."""
    lang = doc.lang
    data = plan.profile.data
    doc.h(_t(lang, "Phần 1. Mô tả, thuyết minh tổng quan hệ thống", "Part 1. System overview"))
    doc.h(_t(lang, "1.1. Thông tin chung", "1.1. General"), 2)
    rows = [
        [_t(lang, "Tên hệ thống", "System name"), display_name(plan, lang)],
        [_t(lang, "Mã hệ thống", "System ID"), plan.profile.id],
        [
            _t(lang, "Giai đoạn", "Lifecycle"),
            _LIFECYCLE[data["lifecycle"]](lang)
            if data.get("lifecycle")
            else todo(lang, "lifecycle"),
        ],
    ]
    if data.get("description"):
        rows.append([_t(lang, "Mô tả", "Description"), str(data["description"])])
    doc.table([_t(lang, "Thông tin", "Field"), _t(lang, "Nội dung", "Value")], rows)
    doc.h(_t(lang, "1.2. Chủ quản hệ thống thông tin", "1.2. System owner"), 2)
    _unit_table(doc, data.get("owner"), "owner")
    doc.h(_t(lang, "1.3. Đơn vị vận hành hệ thống thông tin", "1.3. Operating unit"), 2)
    _unit_table(doc, data.get("operator"), "operator")
    doc.h(_t(lang, "1.4. Đơn vị chuyên trách về an toàn thông tin", "1.4. Security unit"), 2)
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
    doc.h(_t(lang, "1.5. Phạm vi, quy mô và đối tượng phục vụ", "1.5. Scope, scale and users"), 2)
    scope = data.get("scope") or {}
    if not scope:
        doc.p(todo(lang, "scope"), italic=True)
    else:
        srows = []
        if scope.get("description"):
            srows.append([_t(lang, "Phạm vi", "Scope"), str(scope["description"])])
        if "users_served" in scope:
            srows.append(
                [_t(lang, "Số người sử dụng", "Users served"), _num(scope["users_served"], lang)]
            )
        if "internal_users" in scope:
            srows.append(
                [
                    _t(lang, "Người dùng nội bộ", "Internal users"),
                    _num(scope["internal_users"], lang),
                ]
            )
        if scope.get("locations"):
            srows.append([_t(lang, "Địa điểm", "Locations"), "; ".join(scope["locations"])])
        if scope.get("service_hours"):
            srows.append([_t(lang, "Thời gian phục vụ", "Service hours"), scope["service_hours"]])
        doc.table([_t(lang, "Thông tin", "Field"), _t(lang, "Nội dung", "Value")], srows)


def _hosting(doc: DocModel, plan: Plan) -> None:
    """1.6: the overall model and where the system is hosted."""
    lang = doc.lang
    data = plan.profile.data
    hosting = data.get("hosting") or {}
    doc.h(_t(lang, "1.6. Mô hình tổng thể và nơi đặt hệ thống", "1.6. Architecture and hosting"), 2)
    design_doc = (data.get("design") or {}).get("document")
    if design_doc:
        doc.p(
            _t(
                lang,
                "Mô hình logic và mô hình vật lý của hệ thống: theo hồ sơ thiết kế"
                f" “{design_doc}”.",
                f"Logical and physical models of the system: see the design “{design_doc}”.",
            )
        )
    else:
        doc.p(
            todo(
                lang,
                _t(
                    lang,
                    "sơ đồ mô hình logic, mô hình vật lý",
                    "logical and physical model diagrams",
                ),
            ),
            italic=True,
        )
    if not hosting:
        doc.p(todo(lang, "hosting"), italic=True)
    else:
        doc.table(
            [_t(lang, "Thông tin", "Field"), _t(lang, "Nội dung", "Value")],
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
    doc.h(_t(lang, "1.7. Danh mục thiết bị", "1.7. Devices"), 2)
    _inventory(
        doc,
        "devices",
        [
            _t(lang, "Tên/chủng loại", "Name/type"),
            _t(lang, "Vị trí", "Location"),
            _t(lang, "Mục đích", "Purpose"),
            _t(lang, "Thiết bị mạng chính", "Main network device"),
        ],
        lambda d: [
            " / ".join(x for x in (d["name"], d.get("type", "")) if x),
            d.get("location", "—"),
            d.get("purpose", "—"),
            _t(lang, "có", "yes") if d.get("main") else "—",
        ],
        plan,
    )


def _applications(doc: DocModel, plan: Plan) -> None:
    """1.8: applications and services."""
    lang = doc.lang
    doc.h(_t(lang, "1.8. Danh mục ứng dụng, dịch vụ", "1.8. Applications and services"), 2)
    _inventory(
        doc,
        "applications",
        [
            _t(lang, "Tên", "Name"),
            _t(lang, "Máy chủ/vị trí", "Server/location"),
            _t(lang, "Hệ điều hành", "OS"),
            _t(lang, "Mục đích", "Purpose"),
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
    doc.h(_t(lang, "1.9. Vùng mạng và quy hoạch địa chỉ IP", "1.9. Network zones and IP plan"), 2)
    _inventory(
        doc,
        "network_zones",
        [
            _t(lang, "Vùng mạng", "Zone"),
            _t(lang, "Địa chỉ IP nội bộ", "Private IPs"),
            _t(lang, "Địa chỉ IP công cộng", "Public IPs"),
            _t(lang, "Mục đích", "Purpose"),
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
        doc.h(_t(lang, "1.10. Địa chỉ truy cập", "1.10. Endpoints"), 2)
        for e in endpoints:
            doc.bullet(e["url"] + (f" — {e['description']}" if e.get("description") else ""))


def _num(value: int, lang: Lang) -> str:
    return f"{value:,}".replace(",", "." if lang == "vi" else ",")


def _design(doc: DocModel, plan: Plan) -> None:
    lang = doc.lang
    design = plan.profile.data.get("design") or {}
    doc.h(_t(lang, "Phần 2. Hồ sơ thiết kế", "Part 2. Design documents"))
    kinds = {
        "preliminary": Text("Thiết kế sơ bộ", "Preliminary design"),
        "construction": Text("Thiết kế thi công được phê duyệt", "Approved construction design"),
        "equivalent": Text("Tài liệu tương đương", "Equivalent document"),
    }
    if not design:
        doc.p(todo(lang, "design"), italic=True)
        return
    rows = [
        [
            _t(lang, "Loại", "Kind"),
            kinds[design["kind"]](lang) if design.get("kind") else todo(lang, "design.kind"),
        ],
        [_t(lang, "Tài liệu", "Document"), design.get("document") or todo(lang, "design.document")],
        [
            _t(lang, "Cấp phê duyệt", "Approved by"),
            design.get("approved_by") or todo(lang, "design.approved_by"),
        ],
        [_t(lang, "Ngày", "Date"), design.get("date") or todo(lang, "design.date")],
    ]
    doc.table([_t(lang, "Thông tin", "Field"), _t(lang, "Nội dung", "Value")], rows)
    src = part_source(plan.regime, "design")
    doc.p(
        _t(
            lang,
            f"Hồ sơ thiết kế được gửi kèm hồ sơ này ({cite(src, 'vi')}).",
            f"The design documents are attached to this dossier ({cite(src, 'en')}).",
        )
    )


def _level(doc: DocModel, plan: Plan, cls: Mapping[str, Any]) -> None:
    lang = doc.lang
    regime = plan.regime
    doc.h(_t(lang, "Phần 3. Thuyết minh đề xuất cấp độ", "Part 3. Level proposal"))
    doc.h(
        _t(lang, "3.1. Danh sách hệ thống và cấp độ đề xuất", "3.1. Systems and proposed levels"), 2
    )

    def rows(node: Mapping[str, Any], depth: int) -> list[list[str]]:
        basis = "; ".join(c["article"] for c in node["criteria"] if c["level"] == node["level"])
        out = [["  " * depth + node["name"], str(node["level"] or "—"), basis or "—"]]
        for c in node["components"]:
            out.extend(rows(c, depth + 1))
        return out

    doc.table(
        [_t(lang, "Hệ thống", "System"), _t(lang, "Cấp độ", "Level"), _t(lang, "Căn cứ", "Basis")],
        rows(cls, 0),
    )
    doc.h(_t(lang, "3.2. Thông tin chi tiết", "3.2. Details"), 2)
    for node in plan.classification.root.node.walk():
        doc.h(node.name, 3)
        facts = node.facts
        frows = [
            [regime.facts[k].label(lang), regime.facts[k].show(v, lang)]
            for k, v in facts.items()
            if k in regime.facts
        ]
        doc.table([_t(lang, "Yếu tố", "Fact"), _t(lang, "Giá trị", "Value")], frows)
    doc.h(_t(lang, "3.3. Căn cứ xác định cấp độ", "3.3. Derivation of the level"), 2)
    for c in cls["criteria"]:
        flag = f" ({labels(lang)['unconfirmed']})" if c.get("unconfirmed") else ""
        doc.bullet(
            f"{c['article']} — {_t(lang, 'cấp độ', 'level')} {c['level']}: {c['reason']}{flag}"
        )
    nh = cls.get("not_higher")
    if nh and nh["closest"]:
        doc.p(
            _t(
                lang,
                f"Vì sao không phải cấp độ {nh['next_level']}:",
                f"Why not level {nh['next_level']}:",
            ),
            bold=True,
        )
        for m in nh["closest"][:3]:
            doc.bullet(f"{m['article']}: " + "; ".join(m["unmet"]))
    ap, pr = cls["appraisal"], cls["approval"]
    doc.h(_t(lang, "3.4. Thẩm định và phê duyệt", "3.4. Appraisal and approval"), 2)
    arows = [
        [_t(lang, "Lập hồ sơ", "Prepared by"), ap["prepared_by_label"] or "—"],
        [_t(lang, "Thẩm định", "Appraised by"), ap["appraised_by_label"] or "—"],
        [_t(lang, "Phê duyệt", "Approved by"), pr["approved_by_label"] or "—"],
    ]
    if ap.get("expert_opinion_by_label"):
        arows.insert(
            1, [_t(lang, "Ý kiến chuyên môn", "Expert opinion"), ap["expert_opinion_by_label"]]
        )
    if ap.get("time_limit"):
        lim = ap["time_limit"]
        arows.append(
            [
                _t(lang, "Thời hạn thẩm định", "Appraisal time limit"),
                f"{lim['days']} {_t(lang, 'ngày', 'days')} ({source_text(lim, lang)})",
            ]
        )
    basis = "; ".join(t for t in (source_text(ap, lang), source_text(pr, lang)) if t)
    if basis:  # who appraises and approves, and how the dossier reaches them, by article
        arows.append([_t(lang, "Căn cứ", "Basis"), basis])
    doc.table([_t(lang, "Bước", "Step"), _t(lang, "Cơ quan, đơn vị", "Body")], arows)
    if plan.level >= 4:
        doc.h(
            _t(
                lang,
                "3.5. Nội dung bổ sung đối với cấp độ 4, cấp độ 5",
                "3.5. Additional content for levels 4 and 5",
            ),
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
        for vi, en in (
            ("Các hệ thống thông tin có liên quan, kết nối", "Related and connected systems"),
            ("Nguy cơ tấn công và mức độ ảnh hưởng", "Attack threats and their impact"),
            (
                "Phạm vi, mức độ ảnh hưởng tới lợi ích công cộng, trật tự an toàn xã hội,"
                " quốc phòng, an ninh",
                "Scope and impact on public interest, social order, defence and security",
            ),
            (
                f"Thuyết minh yêu cầu vận hành 24/7 (hệ thống thuộc {cover})",
                f"Justification of 24/7 operation (systems under {cover})",
            ),
        ):
            doc.p(_t(lang, vi, en), bold=True)
            doc.p(todo(lang, _t(lang, vi, en).lower()), italic=True)


def _security_plan(doc: DocModel, plan: Plan, gap: GapReport | None) -> None:
    lang = doc.lang
    lb = labels(lang)
    doc.h(
        _t(
            lang,
            "Phần 4. Thuyết minh phương án bảo đảm an toàn hệ thống thông tin theo cấp độ",
            "Part 4. Security plan for the level",
        )
    )
    basis, parts = security_plan_sources(plan.regime, lang)
    doc.p(
        _t(
            lang,
            f"Phương án đáp ứng từng yêu cầu quản lý và kỹ thuật của cấp độ {plan.level}"
            f" ({basis}), nhóm theo 7 nội dung của {parts}.",
            f"How each management and technical requirement of level {plan.level} is met"
            f" ({basis}), grouped by the 7 parts of {parts}.",
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
                    how.append(ev["ref"] + (f" ({ev['date']})" if ev.get("date") else ""))
                if ctl.get("due"):
                    how.append(f"{lb['due']}: {ctl['due']}")
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
                    _t(lang, "Phương án đáp ứng", "How it is met"),
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
    doc = DocModel(_t(lang, "Ý kiến chuyên môn", "Expert opinion") + f": {name}", lang)
    doc.title_block(_t(lang, "Ý KIẾN CHUYÊN MÔN", "EXPERT OPINION"))
    doc.p(
        _t(
            lang,
            f"Về hồ sơ đề xuất cấp độ {plan.level} của hệ thống thông tin “{name}”",
            f"On the dossier proposing level {plan.level} for the information system “{name}”",
        ),
        bold=True,
        center=True,
    )
    unit = unit_name(plan.profile.data.get("security_unit"), lang) or todo(lang, "security_unit")
    src = part_source(plan.regime, "expert_opinion")
    doc.p(
        _t(
            lang,
            f"Đơn vị cho ý kiến: {unit} ({cite(src, 'vi')}).",
            f"Opinion given by: {unit} ({cite(src, 'en')}).",
        )
    )
    basis = "; ".join(c["article"] for c in cls["criteria"] if c["level"] == plan.level)
    doc.p(
        _t(
            lang,
            f"Cấp độ đề xuất: {plan.level}, căn cứ {basis}."
            f" Phương án gồm {len(plan.items)} yêu cầu.",
            f"Proposed level: {plan.level}, on the basis of {basis}."
            f" The plan holds {len(plan.items)} requirements.",
        )
    )
    for vi, en in (
        ("1. Về sự phù hợp của cấp độ đề xuất", "1. On the fitness of the proposed level"),
        (
            "2. Về sự phù hợp của phương án bảo đảm an toàn thông tin",
            "2. On the fitness of the security plan",
        ),
        ("3. Kiến nghị", "3. Recommendations"),
    ):
        doc.h(_t(lang, vi, en), 2)
        doc.p(
            todo(lang, _t(lang, "ý kiến của đơn vị chuyên trách", "the security unit's opinion")),
            italic=True,
        )
    doc.signature(
        [],
        [
            _t(lang, "THỦ TRƯỞNG ĐƠN VỊ", "HEAD OF UNIT"),
            _t(lang, "(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, name, seal)"),
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
        _t(lang, f"Cấp độ đề xuất: {plan.level}", f"Proposed level: {plan.level}"),
        center=True,
    )
    doc.p(_t(lang, "Thành phần hồ sơ:", "Contents:"), bold=True)
    names = file_names(lang)
    where = {
        "design": _t(lang, "hồ sơ thiết kế gửi kèm", "the attached design documents"),
        "expert_opinion": _t(lang, f"tệp {names['opinion']}", f"file {names['opinion']}"),
    }
    for part in cls["dossier_parts"]:
        place = where.get(part["id"], _t(lang, "tài liệu này", "this document"))
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
    place = op.get("place") or todo(lang, _t(lang, "địa danh", "place"))
    doc.letterhead(
        owner,
        operator,
        _t(lang, "Số:        /…", "No.:        /…"),
        f"{place}, {date_long(today, lang)}",
        (
            _t(lang, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"),
            _t(lang, "Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
        ),
        subject=str(form["subject"][lang]),
    )
    doc.p(_t(lang, f"Kính gửi: {appraiser}.", f"To: {appraiser}."), center=True)
    for line in form["basis"]:
        doc.p(str(line[lang]))
    doc.p(
        _t(
            lang,
            f"{operator} {form['request']['vi']} với các nội dung sau:",
            f"{operator} {form['request']['en']} as follows:",
        )
    )
    doc.h(_t(lang, "Phần 1. Thông tin chung", "Part 1. General information"), 2)
    address = op.get("address") or todo(lang, "operator.address")
    for i, (label, value) in enumerate(
        (
            (_t(lang, "Tên hệ thống thông tin", "Information system"), display_name(plan, lang)),
            (_t(lang, "Đơn vị vận hành hệ thống thông tin", "Operating unit"), operator),
            (_t(lang, "Địa chỉ", "Address"), str(address)),
            (_t(lang, "Cấp độ hệ thống thông tin đề xuất", "Proposed level"), str(plan.level)),
        ),
        start=1,
    ):
        doc.p(f"{i}. {label}: {value}")
    doc.h(_t(lang, "Phần 2. Hồ sơ kèm theo", "Part 2. Attached documents"), 2)
    for i, item in enumerate(form["attachments"], start=1):
        doc.p(f"{i}. {item[lang]}")
    extra = form.get("flag_request")
    also = ""
    if extra and extra["flag"] in plan.classification.root.flags:
        also = f", {extra['text'][lang]}"
    doc.p(
        _t(
            lang,
            f"{operator} {form['request']['vi']} của hệ thống thông tin"
            f" “{display_name(plan, lang)}”{also} (căn cứ {cite(form['source'], 'vi')}).",
            f"{operator} {form['request']['en']} of the information system"
            f" “{display_name(plan, lang)}”{also} (under {cite(form['source'], 'en')}).",
        )
    )
    doc.signature(
        [
            _t(lang, "Nơi nhận:", "Recipients:"),
            _t(lang, "- Như trên;", "- As above;"),
            _t(lang, "- Lưu: VT.", "- Filed: Records."),
        ],
        [
            _t(lang, "ĐẠI DIỆN CỦA CƠ QUAN, TỔ CHỨC", "FOR THE BODY"),
            _t(
                lang,
                "(Ký, ghi rõ họ tên, chức danh và đóng dấu)",
                "(Signature, full name, title and seal)",
            ),
            op.get("representative") or todo(lang, _t(lang, "họ tên người ký", "signer's name")),
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
    doc = DocModel(
        _t(lang, "Tờ trình đề nghị thẩm định hồ sơ đề xuất cấp độ", "Cover request letter"), lang
    )
    place = (data.get("operator") or {}).get("place") or todo(lang, _t(lang, "địa danh", "place"))
    doc.letterhead(
        owner,
        operator,
        _t(lang, "Số:        /TTr-…", "No.:        /…"),
        f"{place}, {date_long(today, lang)}",
        (
            _t(lang, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"),
            _t(lang, "Độc lập - Tự do - Hạnh phúc", "Independence - Freedom - Happiness"),
        ),
    )
    doc.title_block(_t(lang, "TỜ TRÌNH", "REQUEST"))
    doc.p(
        _t(
            lang,
            "Về việc đề nghị thẩm định, phê duyệt hồ sơ đề xuất cấp độ hệ thống thông tin"
            f" “{display_name(plan, lang)}”",
            "Request to appraise and approve the level-proposal dossier of the information"
            f" system “{display_name(plan, lang)}”",
        ),
        bold=True,
        center=True,
    )
    doc.p(_t(lang, f"Kính gửi: {appraiser}.", f"To: {appraiser}."), center=True)
    doc.p(
        _t(
            lang,
            "Căn cứ Nghị định số 85/2016/NĐ-CP ngày 01/7/2016 của Chính phủ về bảo đảm an toàn"
            " hệ thống thông tin theo cấp độ và Thông tư số 12/2022/TT-BTTTT ngày 12/8/2022"
            " của Bộ trưởng Bộ Thông tin và Truyền thông,",
            "Pursuant to Decree 85/2016/ND-CP of 1 July 2016 on the security of information systems"
            " by level and Circular 12/2022/TT-BTTTT of 12 August 2022,",
        )
    )
    basis = "; ".join(c["article"] for c in cls["criteria"] if c["level"] == plan.level)
    doc.p(
        _t(
            lang,
            f"{operator} (đơn vị vận hành) thuộc {owner} (chủ quản) kính đề nghị thẩm định hồ"
            f" sơ đề xuất cấp độ {plan.level} cho hệ thống thông tin “{display_name(plan, lang)}”,"
            f" căn cứ {basis}.",
            f"{operator} (operating unit), under {owner} (owner), requests the appraisal of the"
            f" dossier proposing level {plan.level} for the information system"
            f" “{display_name(plan, lang)}”, on the basis of {basis}.",
        )
    )
    doc.p(_t(lang, "Hồ sơ kèm theo gồm:", "Attached:"))
    for part in cls["dossier_parts"]:
        doc.bullet(part["title"])
    doc.p(
        _t(
            lang,
            f"Người phê duyệt theo quy định: {cls['approval']['approved_by_label']}.",
            f"Approving authority: {cls['approval']['approved_by_label']}.",
        )
    )
    op = data.get("operator") or {}
    doc.signature(
        [
            _t(lang, "Nơi nhận:", "Recipients:"),
            _t(lang, "- Như trên;", "- As above;"),
            _t(lang, "- Lưu: VT.", "- Filed: Records."),
        ],
        [
            op.get("title") or todo(lang, _t(lang, "chức vụ người ký", "signer's position")),
            _t(lang, "(Ký, ghi rõ họ tên, đóng dấu)", "(Signature, full name and seal)"),
            op.get("representative") or todo(lang, _t(lang, "họ tên người ký", "signer's name")),
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
