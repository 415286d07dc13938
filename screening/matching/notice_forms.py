"""A notice's names as scoring sees them: every alias, in every Latin spelling its script
suggests (Cyrillic and Arabic schemes, pinyin and Wade-Giles), as lists of tokens,
precomputed once per notice at load time (``notice_profile``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from screening.matching.arabic_compounds import compounds
from screening.matching.cyrillic_schemes import CYRILLIC_NATIONS, icao_respelling, scheme_of
from screening.matching.name_tokens import FOLDED, UNVOCALISED, name_tokens
from screening.matching.normalize import canonical_country, name_variants
from screening.matching.readings import KOREAN_SURNAMES_FOLDED
from screening.matching.translit import (
    ARABIC_SPELLINGS,
    CHINESE_NATIONS,
    arabic_variants,
    chinese_name,
    chinese_respellings,
    cyrillic_variants,
    detect_script,
    korean_fold,
    korean_name,
    latin_variants,
)

_MAX_FORMS = 12


_KOREAN_NATIONS = frozenset({"KOR", "PRK"})
_FOLD_MARK = "\x00"  # on a folded form's first token: its tokens are flagged FOLDED


def _chinese_forms(s0: list[str], g0: list[str]) -> list[tuple[list[str], list[str]]]:
    """Split and Wade-Giles forms of a pinyin name; none unless both parts are pinyin."""
    s_alts, g_alts = chinese_respellings(s0), chinese_respellings(g0)
    if not s_alts or not g_alts:
        return []
    return [(s.split(), g.split()) for s, g in zip(s_alts, g_alts, strict=True)]


@lru_cache(maxsize=32768)  # a surname or given names recur far more than whole names
def _spellings(text: str, script: str) -> tuple[str, ...]:
    if script == "Cyrl":
        return tuple(cyrillic_variants(text))
    if script == "Arab":
        return tuple(arabic_variants(text, icao=False))
    return tuple(latin_variants(text))


def _alias_forms(name: dict[str, Any], nations: list[str]
                 ) -> list[tuple[list[str], list[str]]]:  # fmt: skip
    surname, given = name.get("surname") or "", name.get("given_names") or ""
    script = detect_script(surname + given)
    forms: list[tuple[list[str], list[str]]] = []
    if script == "Latn":
        s_vars, g_vars = tuple(name_variants(surname)), tuple(name_variants(given))
        for i in range(max(len(s_vars), len(g_vars))):
            forms.append((s_vars[min(i, len(s_vars) - 1)].split(),
                          g_vars[min(i, len(g_vars) - 1)].split()))  # fmt: skip
        s0, g0 = forms[0]
        s_arabic, g_arabic = compounds(tuple(s0), True), compounds(tuple(g0))
        if s_arabic or g_arabic:  # as a scan of such a name is read (readings)
            forms.append((list(s_arabic or s0), list(g_arabic or g0)))
        if chinese_name(s0, g0, nations):
            forms += _chinese_forms(s0, g0)
        scheme = scheme_of(surname, given) if CYRILLIC_NATIONS.intersection(nations) else ""
        if scheme:  # KUSNEZOW as KUZNETSOV: as a scan of such a name is read (readings)
            forms.append((icao_respelling(s0, scheme), icao_respelling(g0, scheme)))
        if _KOREAN_NATIONS.intersection(nations) or korean_name(s0, g0, KOREAN_SURNAMES_FOLDED):
            # as a Korean scan is read (readings.marked_convention)
            s_fold, g_fold = [korean_fold(t) for t in s0], [korean_fold(t) for t in g0]
            if s_fold and (s_fold, g_fold) != (s0, g0):
                forms.append(([_FOLD_MARK + s_fold[0], *s_fold[1:]], g_fold))
        return forms
    s_vars = _spellings(surname, script) or ("",)
    g_vars = _spellings(given, script) or ("",)
    for i in range(max(len(s_vars), len(g_vars))):
        s_var, g_var = s_vars[min(i, len(s_vars) - 1)], g_vars[min(i, len(g_vars) - 1)]
        forms.append((s_var.split(), g_var.split()))
    if script == "Hani" and forms:
        s0, g0 = forms[0]
        toks = s0 + g0
        if not given:  # one field: surname first, as Chinese writes it
            forms = [(toks[:1], toks[1:])]
        s0, g0 = forms[0]
        forms.append((s0, ["".join(g0)]))  # XIAO MING is XIAOMING on most passports
        forms += _chinese_forms(s0, ["".join(g0)])
    return forms


def notice_profile(record: dict[str, Any]) -> dict[str, Any]:
    """Everything score() needs, precomputed once per notice; JSON-serialisable.

    ``forms`` holds, per Latin spelling of an alias: the alias's index in ``names``, the
    tokens (name_tokens.Tok, each as a list of its fields) and how many of them are the
    surname's."""
    nations = [canonical_country(str(n)) for n in record.get("nationalities") or []]
    labels: list[str] = []
    forms: list[list[Any]] = []
    seen: set[tuple[str, ...]] = set()
    for name in record.get("names") or []:
        label = ", ".join(p for p in (name.get("surname"), name.get("given_names")) if p)
        if not label:
            continue
        labels.append(label)
        script = detect_script(label)
        for surname, given in _alias_forms(name, nations):
            key = (*surname, "|", *given)
            if (not surname and not given) or key in seen or len(forms) >= _MAX_FORMS:
                continue
            seen.add(key)
            consonantal = script == "Arab"
            folded = bool(surname) and surname[0].startswith(_FOLD_MARK)
            if folded:
                surname = [surname[0][1:], *surname[1:]]
            toks = name_tokens([surname, given], consonantal)
            if folded:
                toks = [t._replace(flags=t.flags | FOLDED) for t in toks]
            if consonantal:  # dictionary spellings are vocalised after all
                toks = [t._replace(flags=t.flags & ~UNVOCALISED) if t.raw in ARABIC_SPELLINGS
                        else t for t in toks]  # fmt: skip
            forms.append([len(labels) - 1, [list(t) for t in toks], len(surname)])
    return {
        "id": record.get("id"),
        "colour": record.get("colour"),
        "names": labels,
        "forms": forms,
        "dob": record.get("date_of_birth"),
        "nat": nations,
        "sex": record.get("sex"),
    }


__all__ = ["CHINESE_NATIONS", "notice_profile"]
