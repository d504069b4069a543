"""Every message in the user's language: one catalogue per language, one formatter.

The texts live in `assure/messages/<lang>.json` (a flat map from a message key to its text,
with `{name}` placeholders), so a translator edits data, not code, and `tests/test_i18n.py`
fails when a key or a placeholder exists in one language only. Numbers, percentages and
dates go through Babel with the locale of the language, so "4,9 %", "800.000" and
"ngày 01 tháng 12 năm 2026" read the same in Markdown, HTML and DOCX.

The language of a run is chosen once at the edge (`--lang`, or `ASSURE_LANG` for CI) and
kept in a context variable: errors raised deep in the input layer carry a key and
parameters, and are worded in the chosen language only when they are printed. Vietnamese is
the default, as for every user of the tool.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import os
import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"
#: The environment variable CI sets to choose the language of every command.
ENV_VAR = "ASSURE_LANG"

_FOLDER = Path(__file__).resolve().parent / "messages"
_LOCALES: dict[Lang, str] = {"vi": "vi_VN", "en": "en_GB"}
_active: contextvars.ContextVar[Lang | None] = contextvars.ContextVar("assure_lang", default=None)


def as_lang(value: str | None) -> Lang:
    """`vi` or `en` from an option, an environment variable or a locale tag (`en-GB`)."""
    head = (value or "").strip().lower()[:2]
    return "en" if head == "en" else "vi"


def from_env() -> Lang:
    """The language `ASSURE_LANG` asks for, else Vietnamese."""
    env = os.environ.get(ENV_VAR)
    return as_lang(env) if env else DEFAULT_LANG


def active() -> Lang:
    """The language of this run: the one set by `--lang`, else `ASSURE_LANG`, else Vietnamese."""
    chosen = _active.get()
    return chosen if chosen is not None else from_env()


def set_active(lang: Lang) -> None:
    """Choose the language of this run (called by the CLI when it reads `--lang`)."""
    _active.set(lang)


@contextlib.contextmanager
def speaking(lang: Lang) -> Iterator[None]:
    """Within the block, the run speaks `lang` (a report rendered in a language of its own)."""
    token = _active.set(lang)
    try:
        yield
    finally:
        _active.reset(token)


@cache
def catalogue(lang: Lang) -> Mapping[str, str]:
    """Every message of `lang`, read once from `messages/<lang>.json`."""
    data: dict[str, str] = json.loads((_FOLDER / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders of a message text (what a translation must keep)."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def t(key: str, lang: Lang | None = None, /, **params: Any) -> str:
    """The message `key` in `lang` (default: the active language), with `params` filled in.

    A key missing from the catalogue is a programming error and raises `KeyError`: the
    catalogue test makes sure every key used exists in both languages.
    """
    text = catalogue(lang or active())[key]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    """Whether `key` is a message of the catalogue."""
    return key in catalogue(DEFAULT_LANG)


def locale(lang: Lang) -> str:
    """The Babel locale of a language (`vi_VN`, `en_GB`)."""
    return _LOCALES[lang]


def number(value: float, lang: Lang | None = None, *, digits: int | None = None) -> str:
    """A number as the language writes it: 800.000 and 4,9 in Vietnamese, 800,000 in English.

    `digits` fixes the decimals; by default an integer has none and a fraction at most one.
    """
    from babel.numbers import format_decimal  # loaded by the first number formatted

    lg = lang or active()
    if digits is None:
        digits = 0 if isinstance(value, int) or float(value).is_integer() else 1
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=_LOCALES[lg]))


def percent(value: float, lang: Lang | None = None, *, digits: int = 1) -> str:
    """A percentage given as 0–100: "4,9 %" in Vietnamese, "4.9%" in English."""
    from babel.numbers import format_percent

    lg = lang or active()
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + (" %" if lg == "vi" else "%")
    return str(format_percent(float(value) / 100, format=pattern, locale=_LOCALES[lg]))


def _as_date(value: dt.date | str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def date_long(value: dt.date | str, lang: Lang | None = None) -> str:
    """A date as a document writes it: "ngày 01 tháng 12 năm 2026", "1 December 2026"."""
    from babel.dates import format_date

    day = _as_date(value)
    if day is None:
        return str(value)
    lg = lang or active()
    pattern = "'ngày' dd 'tháng' MM 'năm' y" if lg == "vi" else "d MMMM y"
    return str(format_date(day, pattern, locale=_LOCALES[lg]))


def date_short(value: dt.date | str, lang: Lang | None = None) -> str:
    """A date as a table writes it: "01/12/2026" in Vietnamese, "1 Dec 2026" in English."""
    day = _as_date(value)
    if day is None:
        return str(value)
    return _date_short(day, lang or active())


@lru_cache(maxsize=4096)
def _date_short(day: dt.date, lg: Lang) -> str:
    """Babel's formatting of one day (a pure function of the day: a probe run writes the
    same few certificate dates into every finding's sentence)."""
    from babel.dates import format_date

    pattern = "dd/MM/y" if lg == "vi" else "d MMM y"
    return str(format_date(day, pattern, locale=_LOCALES[lg]))


def plural(count: int, key: str, lang: Lang | None = None, /, **params: Any) -> str:
    """`key.one` or `key.other` by `count` ("1 system", "2 systems"; Vietnamese has one form)."""
    lg = lang or active()
    form = "one" if count == 1 else "other"
    return t(f"{key}.{form}", lg, n=number(count, lg), **params)


def _param(name: str, value: Any, lang: Lang) -> Any:
    """A parameter as the reader of `lang` reads it. Judges and parsers keep data in their
    parameters (ISO days, the fixed English phrases of network failures) so that JSON stays
    stable; the sentence a person reads gets the language's own date and words."""
    if isinstance(value, Msg | Msgs):
        return value.text(lang)
    if (name == "date" or name.endswith("_date")) and isinstance(value, str | dt.date):
        return date_short(value, lang)
    if name in ("detail", "why", "error") and isinstance(value, str):
        return reason(value, lang)  # a network failure's own phrase, in the reader's words
    return value


@dataclass(frozen=True, slots=True)
class Msg:
    """A message of the catalogue not yet worded: its key and parameters.

    Problems are found deep in the input layer, long before anything is printed; keeping
    the key lets the same problem read in Vietnamese or English when it is printed. A
    parameter may itself be a `Msg` (a hint inside a message) and is worded in the same
    language.
    """

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, /, **params: Any) -> Msg:
        return cls(key, tuple(params.items()))

    def text(self, lang: Lang | None = None) -> str:
        """The message worded in `lang`. A parameter named `date` or `*_date` holding an ISO
        day is written as the language writes dates in a sentence (01/12/2026, 1 Dec 2026):
        judges keep ISO days (their evidence is data), readers get their own form."""
        lg = lang or active()
        values = {k: _param(k, v, lg) for k, v in self.params}
        return t(self.key, lg, **values)

    def to_json(self) -> dict[str, Any]:
        """`{"key": …, "params": {…}}`: what a report needs to word it in any language."""
        return {
            "key": self.key,
            "params": {k: v.to_json() if isinstance(v, Msg | Msgs) else v for k, v in self.params},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Msg:
        params = data.get("params") or {}
        return cls(str(data["key"]), tuple((k, _from_json(v)) for k, v in params.items()))


@dataclass(frozen=True, slots=True)
class Msgs:
    """Several messages read as one parameter, joined by `sep` ("80: timeout, 443: refused").

    A judge that lists what went wrong (ports, rules) keeps each item a message, so the list
    reads in the reader's language instead of being joined into English at the source."""

    items: tuple[Msg | str, ...]
    sep: str = ", "

    def text(self, lang: Lang | None = None) -> str:
        lg = lang or active()
        return self.sep.join(i.text(lg) if isinstance(i, Msg) else i for i in self.items)

    def to_json(self) -> dict[str, Any]:
        """`{"items": [...], "sep": …}`: each item a message's JSON form or a plain string."""
        return {
            "items": [i.to_json() if isinstance(i, Msg) else i for i in self.items],
            "sep": self.sep,
        }


def _from_json(value: Any) -> Any:
    """A parameter from its JSON form: a message, a list of messages, or plain data."""
    if isinstance(value, Mapping) and "key" in value:
        return Msg.from_json(value)
    if isinstance(value, Mapping) and isinstance(value.get("items"), list) and "sep" in value:
        items = tuple(
            Msg.from_json(i) if isinstance(i, Mapping) else str(i) for i in value["items"]
        )
        return Msgs(items, str(value["sep"]))
    return value


#: The `reason` of an undecided finding is English in JSON (the contract); reports word it
#: in the reader's language. A reason is one of a fixed set of phrases, some followed by
#: details after a colon or in parentheses (kept as they are: they are data).
_REASONS: tuple[tuple[str, str], ...] = (
    (r"interference during (?P<kind>version|cipher) probes", "probe.reason.interference_{kind}"),
    (r"no IPv6 route from this vantage point", "probe.reason.no_ipv6_route"),
    (r"only an? \S+ source address for \S+: no global IPv6 here", "probe.reason.no_global_source"),
    (r"verification took longer than (?P<seconds>[\d.]+) s", "sig.reason.timeout"),
    (r"the server does not speak TLS", "probe.reason.not_tls"),
    (r"not an HTTP response", "probe.reason.not_http"),
    (r"a malformed answer \((?P<name>\w+)\)", "probe.reason.malformed_answer"),
)


def reason(text: str, lang: Lang | None = None) -> str:
    """A finding's `reason` in `lang`: the catalogue's wording of a known phrase (its
    details kept), else the text as it is."""
    lg = lang or active()
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    for prefix in ("probe.reason.", "sig.reason."):
        if slug and has(prefix + slug):
            return t(prefix + slug, lg)
    for pattern, key in _REASONS:
        m = re.match(pattern, text)
        if m:
            found = m.groupdict()
            return t(key.format(**found), lg, **found) + text[m.end() :]
    return text
