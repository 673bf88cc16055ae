"""The identifier rules, defined once: ids, risk ids, decision keys and names of outside words.

Every check matches the whole text (`fullmatch`). `re.match(r"^...$")` is not enough: `$`
also matches before a final newline, so `db` and `"db\n"` would both pass and coexist. The
patterns keep their `^...$` anchors only so that JSON Schema (which searches) can use them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from threatmodel.errors import show

# An id of a model object, mitigation, reference, vocabulary word or severity band.
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
# A risk id: upper-case words joined by '-' (SRS-SEC-02, ACME-PAY-1).
RISK_ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
# A decision key: a finding id '<risk>@<element>', or a pattern over them with '*' and '?'.
DECISION_KEY_RE = re.compile(r"^[A-Za-z0-9_.:*?-]+(@[A-Za-z0-9_.:*?-]+)?$")

ID_RULE = "must start with a letter or digit and use only letters, digits, '_', '-', '.', ':'"


def is_id(text: Any) -> bool:
    """Whether `text` is an id: 1-128 letters, digits, '_', '-', '.', ':', not starting with
    a punctuation mark."""
    return isinstance(text, str) and ID_RE.fullmatch(text) is not None


def is_risk_id(text: Any) -> bool:
    """Whether `text` is a risk id such as SRS-SEC-02."""
    return isinstance(text, str) and RISK_ID_RE.fullmatch(text) is not None


def is_decision_key(text: Any) -> bool:
    """Whether `text` is a finding id '<risk>@<element>' or a pattern over them."""
    return isinstance(text, str) and DECISION_KEY_RE.fullmatch(text) is not None


def is_clean_label(text: Any) -> bool:
    """Whether `text` is a one-line label (a framework id such as 'Dignity Loss'): not empty,
    no control, format (bidi) or line-separator characters, no space at either end."""
    return (
        isinstance(text, str)
        and text == text.strip()
        and bool(text)
        and not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)
    )


def id_problem(value: str, what: str, key: str = "id") -> str | None:
    """The message for text that is not an id (`what` names the object), or None."""
    return None if is_id(value) else f"{what}: {key} {show(value)} {ID_RULE}"
