"""How well the catalogs cover each framework: risks per LINDDUN category, STRIDE letter,
NIST PRAM data action and problem, and Solove harm (rendered by `threatmodel catalog docs`)."""

from __future__ import annotations

import re
from collections import Counter

from threatmodel.catalog import Catalog, Risk

STRIDE = ("S", "T", "R", "I", "D", "E")
LINDDUN = ("L", "I", "Nr", "D", "DD", "U", "Nc")


def linddun_categories(risk: Risk) -> set[str]:
    """The LINDDUN categories a risk cites through tree ids (DD.4.2) or GO cards (DD5)."""
    found = {i.split(".")[0] for i in risk.frameworks.get("linddun", ())}
    for card in risk.frameworks.get("linddun_go", ()):
        if letters := re.match(r"[A-Za-z]+", card):
            found.add(letters.group())
    return found & set(LINDDUN)


def coverage(catalog: Catalog) -> dict[str, Counter]:
    """How many risks cite each LINDDUN category, STRIDE letter, PRAM data action and problem,
    and Solove harm (every known id present, zero included)."""
    result = {
        "linddun": Counter(dict.fromkeys(LINDDUN, 0)),
        "stride": Counter(dict.fromkeys(STRIDE, 0)),
        "pram": Counter(dict.fromkeys(_ids(catalog, "pram"), 0)),
        "pram_problems": Counter(dict.fromkeys(_ids(catalog, "pram_problems"), 0)),
        "solove": Counter(dict.fromkeys(_ids(catalog, "solove"), 0)),
    }
    for risk in catalog.risks:
        result["linddun"].update(linddun_categories(risk))
        for name in ("stride", "pram", "pram_problems", "solove"):
            result[name].update(set(risk.frameworks.get(name, ())))
    return result


def _ids(catalog: Catalog, name: str) -> tuple[str, ...]:
    framework = catalog.frameworks.get(name)
    return framework.ids if framework else ()
