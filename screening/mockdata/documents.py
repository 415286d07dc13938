"""Issuing states and the shapes of their travel document numbers.

Weights are a rough share of travellers at a large event in Europe. Shapes follow the
numbers the states print (German passports use a 29-character alphabet without vowels,
Italy "YA1234567", Spain "PAA123456"...); approximate where a state is not documented
publicly, and always at most 9 characters, so that no number spills over in an MRZ.
Within a state the shapes of passports and identity cards never overlap, so that
numbers taken without repetition from each shape stay unique per state.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from screening.mockdata.codes import Shape, shape

_DE = "[0-9CFGHJKLMNPRTVWXYZ]"  # German document numbers: no vowels, no B, D, Q, S
_NL = "[A-NP-Z]"  # Dutch document numbers: no letter O
_NLX = "[0-9A-NP-Z]"


@dataclass(frozen=True, slots=True)
class StateDocs:
    """What one state issues: passport shapes and, if it has one, its identity card."""

    code: str
    weight: float
    passports: tuple[tuple[str, float], ...]
    id_cards: tuple[tuple[str, float], ...] = ()
    id_code: str = "ID"  # MRZ document code of the identity card
    id_share: float = 0.0  # share of identity cards among its documents in use


def _p(*patterns: str) -> tuple[tuple[str, float], ...]:
    return tuple((p, 1.0) for p in patterns)


STATES: tuple[StateDocs, ...] = (
    StateDocs("D", 14.0, _p("[CFGHJK]" + _DE * 8), _p("[LMNPRTVWXY]" + _DE * 8), "ID", 0.35),
    StateDocs("GBR", 9.0, _p("[1-5]99999999")),
    StateDocs("FRA", 8.0, _p("99AA99999"), _p("A" + "X" * 8), "ID", 0.3),
    StateDocs("USA", 8.0, (("[1-6]99999999", 0.6), ("A99999999", 0.4))),
    StateDocs("ITA", 6.0, _p("YA9999999", "YB9999999"), _p("CA99999AA"), "CI", 0.3),
    StateDocs("ESP", 5.0, _p("PAA999999"), _p("[A-C]AA999999"), "ID", 0.35),
    StateDocs(
        "NLD",
        4.0,
        _p("[A-HJ-NP-Z]" + _NL + _NLX * 6 + "9"),
        _p("I" + _NL + _NLX * 6 + "9"),
        "I",
        0.3,
    ),
    StateDocs("POL", 4.0, _p("AA9999999"), _p("AAA999999"), "ID", 0.3),
    StateDocs("CHN", 4.0, (("E99999999", 0.7), ("E[A-H]9999999", 0.3))),
    StateDocs("TUR", 3.0, _p("U99999999"), _p("A99A99999"), "ID", 0.1),
    StateDocs("UKR", 3.0, _p("[EF]A999999", "[EF][KMNT]999999"), _p("999999999"), "ID", 0.1),
    StateDocs("IND", 3.0, _p("[A-PR-Z]9999999")),
    StateDocs("RUS", 2.0, _p("[67]99999999")),
    StateDocs("ROU", 2.0, _p("999999999"), _p("AA999999"), "ID", 0.25),
    StateDocs("BEL", 2.0, _p("[EG]A999999", "[EG]H999999"), _p("[5-6]99999999"), "ID", 0.35),
    StateDocs("CHE", 2.0, _p("[F-Z]9999999"), _p("[C-E]9999999"), "ID", 0.3),
    StateDocs("AUT", 2.0, _p("[P-U]9999999"), _p("[1-9]9999999"), "ID", 0.2),
    StateDocs("SWE", 2.0, _p("[0-9]9999999"), _p("[A-Z]9999999"), "I", 0.2),
    StateDocs("BRA", 2.0, _p("[A-Z][A-Z]999999")),
    StateDocs("JPN", 2.0, _p("[MT][A-Z]9999999")),
    StateDocs("CZE", 1.5, _p("99999999"), _p("999999999"), "ID", 0.3),
    StateDocs("NGA", 1.5, _p("[AB]99999999")),
    StateDocs("MAR", 1.5, _p("[A-Z][A-Z]9999999")),
    StateDocs("CAN", 1.5, _p("[A-Z][A-Z]999999")),
    StateDocs("AUS", 1.2, (("[NP]A9999999", 0.5), ("[MNP]9999999", 0.5))),
    StateDocs("GRC", 1.0, _p("[A-Z][A-Z]9999999"), _p("[A-Z]\\-999999"), "ID", 0.2),
    StateDocs("PRT", 1.0, _p("[A-Z]999999"), _p("999999999"), "ID", 0.3),
    StateDocs("KOR", 1.0, _p("M99999999", "M999A9999")),
    StateDocs("MEX", 1.0, _p("[G-N]99999999")),
    StateDocs("EGY", 1.0, _p("A99999999")),
    StateDocs("PAK", 1.0, _p("[A-Z][A-Z]9999999")),
    StateDocs("DNK", 1.0, _p("999999999")),
    StateDocs("NOR", 1.0, _p("[C-F]9999999")),
    StateDocs("IRN", 0.6, _p("[A-Z]99999999")),
    StateDocs("GHA", 0.5, _p("G9999999", "H9999999")),
    StateDocs("UTO", 0.1, _p("[A-Z]999999[A-Z]9")),  # ICAO 9303's specimen state
)
# States without a table entry (nationalities of the name pools) use these.
_FALLBACK = StateDocs("", 0.0, _p("[A-Z]99999999", "[A-Z][A-Z]9999999"))
_BY_CODE = {s.code: s for s in STATES}


def state_docs(code: str) -> StateDocs:
    return _BY_CODE.get(code, _FALLBACK)


@dataclass(frozen=True, slots=True)
class DocKind:
    """One choice of document: its MRZ format, MRZ document code and number shape."""

    td: str  # "TD3" or "TD1"
    code: str  # "P", "ID", "I", "CI", "PD"
    shape: Shape


class DocumentChooser:
    """Picks document kinds per state, the choices and shapes precomputed per state."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, tuple[DocKind, ...], tuple[DocKind, ...]]] = {}

    def _entry(self, state: str) -> tuple[float, tuple[DocKind, ...], tuple[DocKind, ...]]:
        entry = self._cache.get(state)
        if entry is None:
            docs = state_docs(state)
            passports = tuple(
                DocKind("TD3", "P", shape(p))
                for p, w in docs.passports
                for _ in range(round(w * 10))
            )
            ids = tuple(
                DocKind("TD1", docs.id_code, shape(p))
                for p, w in docs.id_cards
                for _ in range(round(w * 10))
            )
            entry = self._cache[state] = (docs.id_share if ids else 0.0, passports, ids)
        return entry

    def pick(self, state: str, rng: Random, *, id_cards: bool = True) -> DocKind:
        id_share, passports, ids = self._entry(state)
        if id_cards and id_share and rng.random() < id_share:
            return ids[rng.randrange(len(ids))]
        kind = passports[rng.randrange(len(passports))]
        if rng.random() < 0.004:  # diplomatic passports, same number series
            return DocKind("TD3", "PD", kind.shape)
        return kind


STATE_CODES = tuple(s.code for s in STATES)
STATE_WEIGHTS = tuple(s.weight for s in STATES)
