"""Compile the .po catalogues to .mo with polib, so that no GNU gettext is needed to install.

`make messages` runs it after makemessages; a test checks the committed .mo files match.
English is the source language, but it still needs a catalogue of its own: Django falls back to
the default language (Chinese) for any message that the active language does not translate.
"""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def compiled(po_path: Path) -> bytes:
    catalogue = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".tmp.mo")
    catalogue.save_as_mofile(str(mo_path))
    data = mo_path.read_bytes()
    mo_path.unlink()
    return data


def english_is_its_own_translation(po_path: Path) -> None:
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue:
        entry.msgstr = entry.msgid
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save()


def main() -> None:
    english_is_its_own_translation(LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po")
    for po_path in catalogues():
        po_path.with_suffix(".mo").write_bytes(compiled(po_path))
        print(f"compiled {po_path.relative_to(LOCALE_DIR)}")


if __name__ == "__main__":
    main()
