"""Labels of the plan, gap and dossier documents, read from the message catalogue.

Templates receive a plain dict (`labels(lang)`): the `label.*` messages of
`assure/messages/<lang>.json` without their prefix, so a wording change is one edit in the
catalogue and the Vietnamese and English texts are checked against each other there.
"""

from __future__ import annotations

from functools import cache

from assure import i18n
from assure.law.regime import Lang

_PREFIX = "label."


@cache
def _labels(lang: Lang) -> dict[str, str]:
    return {
        k.removeprefix(_PREFIX): v for k, v in i18n.catalogue(lang).items() if k.startswith(_PREFIX)
    }


def labels(lang: Lang) -> dict[str, str]:
    """Every label in `lang` (a fresh dict: callers may add to it)."""
    return dict(_labels(lang))


def label(key: str, lang: Lang) -> str:
    """One label in `lang`."""
    return i18n.t(_PREFIX + key, lang)
