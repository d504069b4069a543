"""click's own messages in Vietnamese: the `.po` source, its compiled `.mo`, click's msgids.

The `.po` is edited by hand; the `.mo` beside it is what gettext reads at run time and is
compiled from it with Babel (`python -m tests.clickpo`). `tests/test_help_language.py`
fails when the shipped `.mo` is not the `.po` compiled, or when the installed click has a
message the `.po` does not translate (`python -m tests.clickpo --check` lists them).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from assure.commands._common import CLICK_DOMAIN, LOCALE_DIR

PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{CLICK_DOMAIN}.po"
MO = PO.with_suffix(".mo")
#: Messages click passes to gettext through a variable (`_(extra["required"])`), which an
#: extractor cannot see.
INDIRECT = {"required"}


def click_msgids() -> set[str]:
    """Every message (singular form) the installed click looks up with gettext."""
    from babel.messages.extract import extract_from_dir

    folder = Path(click.__file__).parent
    found = extract_from_dir(
        str(folder),
        method_map=[("**.py", "python")],
        keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
    )
    ids = {msg[0] if isinstance(msg, tuple) else msg for _f, _l, msg, _c, _x in found}
    return {m for m in ids if m} | INDIRECT


def translated() -> dict[str, str]:
    """The `.po`'s translations by msgid (singular form), without the header."""
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        catalog = read_po(f, locale="vi", domain=CLICK_DOMAIN)
    out: dict[str, str] = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id[0] if isinstance(m.id, tuple | list) else m.id
        text = m.string[0] if isinstance(m.string, tuple | list) else m.string
        out[str(key)] = str(text)
    return out


def compiled() -> bytes:
    """The `.po` compiled as gettext reads it."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        catalog = read_po(f, locale="vi", domain=CLICK_DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def main(args: list[str]) -> int:
    if "--check" in args:
        missing = sorted(click_msgids() - {k for k, v in translated().items() if v})
        for m in missing:
            sys.stdout.write(f"{m!r}\n")
        return 1 if missing else 0
    MO.write_bytes(compiled())
    sys.stdout.write(f"{MO}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
