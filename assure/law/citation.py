"""Citations of the law, per language.

Catalogues cite in English (the JSON contract); Vietnamese documents show the same rule the
way Vietnamese legal texts name it. This is law, not presentation: the plan puts citations in
its data, so the formatting lives beside the regimes rather than in `reports/`.
"""

from __future__ import annotations

import re

from assure.law.regime import Lang

_CITES_VI: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (
            r"\(status after Decree (\d+)/(\d{4}) UNCONFIRMED\)",
            r"(hiệu lực sau Nghị định \1/\2: CHƯA XÁC NHẬN)",
        ),
        (r"\(status UNCONFIRMED\)", "(hiệu lực: CHƯA XÁC NHẬN)"),
        (r"Circular (\d+)/(\d{4}) Annex ([IVX]+)", r"Phụ lục \3 Thông tư \1/\2"),
        (r"Circular (\d+)/(\d{4}) Arts?\. ([0-9][0-9.a-zđ]*)", r"Điều \3 Thông tư \1/\2"),
        (r"Decree (\d+)/(\d{4}) Arts?\. ([0-9][0-9.a-zđ]*)", r"Điều \3 Nghị định \1/\2"),
        (r"Directive (\d+)/CT-TTg", r"Chỉ thị \1/CT-TTg"),
        (r"MIC Official Letter ", "Công văn "),
    )
)


def cite(source: str, lang: Lang) -> str:
    """A citation in `lang`: catalogues cite in English (the JSON contract); Vietnamese
    documents show the same rule the way Vietnamese legal texts name it."""
    if lang != "vi":
        return source
    for pattern, repl in _CITES_VI:
        source = pattern.sub(repl, source)
    return source
