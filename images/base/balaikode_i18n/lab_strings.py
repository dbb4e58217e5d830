"""Complete and correct JupyterLab's Indonesian language pack (image build).

jupyterlab-language-pack-id-ID translates about 500 of JupyterLab's texts,
several of them machine-literal ("Dimulai lagi kernel"), and not the menu
bar. strings/jupyterlab.id.json holds Balai Kode's texts, by gettext context
("" for none; "menu" for the menu bar; "schema" for the settings' titles,
which the server translates): they are written into the pack's catalogs, the JSON the browser
reads and the .mo the server reads, replacing the pack's text where both
have one. A newer pack keeps these corrections; what it translates better
can be dropped from the file.

Run as `python -m balaikode_i18n.lab_strings` in the image's venv.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo

STRINGS = Path(__file__).parent / "strings" / "jupyterlab.id.json"


def pack_messages() -> Path:
    import jupyterlab_language_pack_id_ID as pack
    return Path(pack.__file__).parent / "locale" / "id_ID" / "LC_MESSAGES"


def ours() -> dict[tuple[str, str], str]:
    data = json.loads(STRINGS.read_text(encoding="utf-8"))
    return {(context, english): indonesian for context, texts in data.items()
            if not context.startswith("_") for english, indonesian in texts.items()}


def merge_json(path: Path, texts: dict[tuple[str, str], str]) -> None:
    catalog = json.loads(path.read_text(encoding="utf-8"))
    for (context, english), indonesian in texts.items():
        catalog[f"{context}\x04{english}" if context else english] = [indonesian]
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def merge_mo(path: Path, texts: dict[tuple[str, str], str]) -> None:
    with path.open("rb") as f:
        pack = read_mo(f)
    # A new catalog: babel reads contexts as bytes and cannot sort them
    # with the str ones added here.
    catalog = Catalog(locale="id_ID", domain=pack.domain)
    for message in pack:
        # Plural forms come as lists: tuples, as Catalog.add wants them.
        english = tuple(message.id) if isinstance(message.id, list) else message.id
        translated = tuple(message.string) if isinstance(message.string, list) else message.string
        if english and (text(message.context) or "", english) not in texts:
            catalog.add(english, translated, context=text(message.context))
    for (context, english), indonesian in texts.items():
        catalog.add(english, indonesian, context=context or None)
    partial = path.with_suffix(".mo.new")
    with partial.open("wb") as f:
        write_mo(f, catalog)
    partial.replace(path)


def main() -> int:
    folder = pack_messages()
    texts = ours()
    merge_json(folder / "jupyterlab.json", texts)
    merge_mo(folder / "jupyterlab.mo", texts)
    print(f"JupyterLab's Indonesian: {len(texts)} texts added or corrected in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
