"""One spelling of the compounds of Arabic names, however a document wrote them.

An Arabic name's compounds are written apart, joined or with the article assimilated,
by English and French usage alike, and a notice and a passport seldom agree:

- ``Abd`` and a divine name: ABD AL RAHMAN, ABDUL RAHMAN, ABDEL RAHMAN, ABDULRAHMAN,
  ABDERRAHMANE (the article assimilated to R), ABDESSALAM: ABDRAHMAN, ABDSALAM;
- a name and ``al-Din``: SALAH AL DIN, SALAH UD DIN, SALAHEDDINE, SALAHUDDIN: SALAHDIN;
- ``ibn``, ``bin``, ``ben`` in a surname: IBN ALI, BEN ALI, BIN ALI: BINALI (BENALI
  shares its skeleton);
- ``Abu`` and a name: ABU BAKR, BU AZIZI, BOU AZIZI: BUBAKR, BUAZIZI;
- the article assimilated to a surname's first letter: AZ ZAHRANI, ASH SHAMMARI:
  ZAHRANI, SHAMMARI.

``compounds`` gives a name part's tokens in that one spelling: a reading of a scan and a
form of a notice besides their own (readings.readings, notice_forms), so that the keys
and scores of two spellings of one compound meet; () when nothing is a compound.
"""

from __future__ import annotations

from functools import lru_cache

_ABD_ALONE = frozenset({"ABD", "ABDUL", "ABDEL", "ABDAL", "ABDOUL", "ABDOL", "ABDU"})
# The article, alone or assimilated to the next word's first letter (sun letters).
_ARTICLES = frozenset({"AL", "EL", "UL", "OL", "IL", "AR", "ER", "UR", "AS", "ES", "US", "AZ",
                       "EZ", "UZ", "AN", "EN", "UN", "AT", "ET", "UT", "AD", "ED", "UD", "ID",
                       "ASH", "ESH", "USH", "ATH", "ETH", "ADH", "EDH"})  # fmt: skip
_SUN = frozenset("TDRZSN")
_DIN = frozenset({"DIN", "DINE", "DEEN", "DDIN", "DDINE"})
_DIN_ENDINGS = ("EDDINE", "EDDIN", "UDDIN", "UDDINE", "ADDIN", "ADDINE", "EDDEEN", "UDDEEN",
                "ALDIN", "ELDIN", "ALDINE", "ELDINE", "ALDEEN", "ELDEEN", "IDDIN")  # fmt: skip
_SON_OF = frozenset({"IBN", "BIN", "BEN", "BINT"})
_FATHER_OF = frozenset({"ABU", "ABOU", "BU", "BOU"})


def _assimilated(article: str, word: str) -> bool:
    """AZ before ZAHRANI, ASH before SHAMMARI: an article assimilated to the word."""
    return len(article) > 1 and article[0] in "AEU" and word.startswith(article[1:]) \
        and article[1] in "STDZNR"  # fmt: skip


# Russian and Central Asian surnames made of such names (ABDULLAEV, ABDURAKHMANOV,
# NURUDDINOV) are surnames of their own: left as they are, to be told apart as two
# attested surnames are (ABDULLAEV is not ABDULOV).
_SLAVIC_ENDINGS = ("OV", "EV", "OVA", "EVA", "OVICH", "EVICH", "OVNA", "EVNA", "OVS", "EVS")


def _abd_joined(token: str) -> str | None:
    """ABDULRAHMAN, ABDELAZIZ, ABDERRAHMANE, ABDESSALAM as ABD and the name; else None."""
    rest = token[3:]
    if len(rest) < 4 or token.endswith(_SLAVIC_ENDINGS):
        return None
    if rest[:2] in ("AL", "EL", "UL", "OL") and len(rest) > 4:
        return "ABD" + rest[2:]  # (ABDALLAH, ABDULLAH, ABDELLAH: ABDLAH alike)
    if rest[:3] == "OUL" and len(rest) > 6:
        return "ABD" + rest[3:]
    if rest[0] in "AEOU" and rest[1] == rest[2] and rest[1] in _SUN:
        return "ABD" + rest[2:]
    return None


def _din_joined(token: str) -> str | None:
    """SALAHEDDINE, NASRUDDIN as the name and DIN; else None."""
    if token.endswith(_SLAVIC_ENDINGS):
        return None
    for ending in _DIN_ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= 3:
            return token[: -len(ending)] + "DIN"
    return None


@lru_cache(maxsize=16384)
def compounds(tokens: tuple[str, ...], surname: bool = False) -> tuple[str, ...]:
    """The name part's tokens with each compound in one spelling (see the module doc),
    or () when it has none. ``surname``: the part is a surname (its IBN and articles)."""
    out: list[str] = []
    changed = False
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else ""
        after = tokens[i + 2] if i + 2 < n else ""
        if t in _ABD_ALONE and nxt:
            if nxt in _ARTICLES and after and after not in _ARTICLES:
                out.append("ABD" + after)
                i += 3
            elif nxt not in _ARTICLES:  # (ABD ALLAH as ABDALLAH: ABDLAH)
                out.append(_abd_joined("ABD" + nxt) or "ABD" + nxt)
                i += 2
            else:
                out.append(t)
                i += 1
                continue
            changed = True
            continue
        if t.startswith("ABD") and (joined := _abd_joined(t)) is not None:
            out.append(joined)
            changed = True
            i += 1
            continue
        if nxt in _DIN and len(t) >= 3 and t not in _ARTICLES:  # SALAH DIN
            out.append(t + "DIN")
            changed = True
            i += 2
            continue
        if nxt in _ARTICLES and after in _DIN and len(t) >= 3:  # SALAH AL DIN
            out.append(t + "DIN")
            changed = True
            i += 3
            continue
        if (joined := _din_joined(t)) is not None:
            out.append(joined)
            changed = True
            i += 1
            continue
        if nxt and nxt not in _ARTICLES and len(nxt) >= 3:
            if surname and t in _SON_OF:
                out.append("BIN" + nxt)
                changed = True
                i += 2
                continue
            if t in _FATHER_OF:
                out.append("BU" + nxt)
                changed = True
                i += 2
                continue
        if surname and nxt and t in _ARTICLES and _assimilated(t, nxt):
            changed = True  # (the article dropped: the word as it is)
            i += 1
            continue
        out.append(t)
        i += 1
    return tuple(out) if changed else ()


__all__ = ["compounds"]
