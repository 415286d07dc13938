"""Mock vehicles: VINs of real manufacturers with valid check digits, and number plates
in the national formats a plate reader at a European event meets.

Plates are rendered in Latin letters; Russian and Ukrainian ones can be written with
the Cyrillic letters they really carry (А123ВС77), which look the same to a camera.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from screening.matching.checkdigits import vin_check_digit
from screening.mockdata.codes import CodeSource, Shape, region, shape
from screening.mockdata.people import Weighted

VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
# Position 10: 2001-2009 are digits, 2010-2030 letters (no I, O, Q, U, Z).
MODEL_YEARS = "123456789ABCDEFGHJKLMNPRS"  # 2001..2025

# WMI, make, models, weight (rough share of cars on European roads)
WMIS: tuple[tuple[str, str, tuple[str, ...], float], ...] = (
    ("WVW", "Volkswagen", ("Golf", "Polo", "Passat", "Tiguan", "T-Roc", "ID.3"), 12),
    ("WV2", "Volkswagen", ("Transporter", "Multivan", "Caddy"), 3),
    ("WBA", "BMW", ("3 Series", "5 Series", "1 Series", "X1", "X3", "X5"), 6),
    ("WDD", "Mercedes-Benz", ("C-Class", "E-Class", "A-Class", "GLC"), 4),
    ("W1K", "Mercedes-Benz", ("C-Class", "E-Class", "S-Class"), 2),
    ("WAU", "Audi", ("A3", "A4", "A6", "Q3", "Q5"), 6),
    ("WP0", "Porsche", ("911", "Cayenne", "Macan", "Taycan"), 1),
    ("WF0", "Ford", ("Focus", "Fiesta", "Kuga", "Puma"), 5),
    ("W0L", "Opel", ("Corsa", "Astra", "Insignia", "Mokka"), 5),
    ("VF1", "Renault", ("Clio", "Megane", "Captur", "Kangoo"), 6),
    ("VF3", "Peugeot", ("208", "308", "2008", "3008"), 6),
    ("VF7", "Citroen", ("C3", "C4", "Berlingo"), 4),
    ("UU1", "Dacia", ("Sandero", "Duster", "Logan"), 3),
    ("VSS", "SEAT", ("Ibiza", "Leon", "Ateca"), 3),
    ("TMB", "Skoda", ("Octavia", "Fabia", "Superb", "Kodiaq"), 5),
    ("ZFA", "Fiat", ("500", "Panda", "Tipo"), 4),
    ("ZAR", "Alfa Romeo", ("Giulia", "Stelvio", "Tonale"), 1),
    ("YV1", "Volvo", ("XC60", "XC90", "V60", "XC40"), 2),
    ("SAL", "Land Rover", ("Range Rover", "Discovery", "Defender", "Evoque"), 1.5),
    ("SAJ", "Jaguar", ("XF", "F-Pace", "E-Pace"), 0.5),
    ("JTD", "Toyota", ("Yaris", "Corolla", "Auris"), 3),
    ("JTM", "Toyota", ("RAV4", "Land Cruiser"), 1.5),
    ("SB1", "Toyota", ("Corolla", "C-HR"), 1),
    ("JHM", "Honda", ("Civic", "CR-V", "Jazz"), 1),
    ("1HG", "Honda", ("Accord", "Civic"), 0.3),
    ("KMH", "Hyundai", ("i30", "Tucson", "i20", "Kona"), 3),
    ("KNA", "Kia", ("Ceed", "Sportage", "Picanto", "Niro"), 3),
    ("SJN", "Nissan", ("Qashqai", "Juke", "Micra"), 2),
    ("JN1", "Nissan", ("X-Trail", "Leaf"), 1),
    ("5YJ", "Tesla", ("Model 3", "Model Y", "Model S"), 1),
    ("LRW", "Tesla", ("Model 3", "Model Y"), 1),
    ("1FA", "Ford", ("Mustang",), 0.2),
    ("1FT", "Ford", ("F-150",), 0.1),
    ("XTA", "Lada", ("Vesta", "Granta", "Niva"), 0.5),
)
COLOURS = Weighted.parse(
    "white:25 black:20 grey:17 silver:12 blue:10 red:8 brown:2 green:2 beige:1.5 yellow:1 orange:1"
)
_FIRST_YEAR = {"LRW": 2020, "5YJ": 2013, "W1K": 2019}  # makers that started late
_WMI_CHOICE = Weighted([(str(i), w) for i, (_, _, _, w) in enumerate(WMIS)])

_DE_CITIES = (
    "B|M|HH|K|F|S|D|DU|E|HB|H|N|L|KA|MA|WI|BN|AC|MS|BI|GE|BS|HD|FR|UL|A|R|RO|EN|KI|HL|DD|C|MD|EF|OS"
)
_DE_L = "[A-HJ-NPR-Z]"
_FR_L = "[A-HJ-NP-TV-Z]"
_GB_L = "[A-HJ-PR-Y]"
_GB_AGE = "|".join(f"{y:02d}|{y + 50:02d}" for y in range(2, 25))
_IT_L = "[A-HJ-NPR-TV-Z]"
_ES_L = "[BCDFGHJKLMNPRSTVWXYZ]"
_NL_L = "[BDFGHJKLNPRSTVXZ]"
_PL = "{WA|WB|WE|WI|WX|KR|KK|PO|PZ|GD|GA|DW|LU|SZ|EL|BI|TK|RZ|OP|SK}"
_CH = "{ZH|BE|LU|SG|AG|TI|VD|GE|BS|BL|FR|VS|ZG|GR|TG|SO|NE}"
_AT = "{W|G|L|S|I|K|BN|GU|LL|SL|IL|KL|VB|BZ|MD|NK}"
_CZ = "[1-9]{A|B|C|E|H|J|K|L|M|P|S|T|U|Z}[0-9] 9999"
_RU_L = "[ABEKMHOPCTYX]"  # the Cyrillic letters that look Latin: А В Е К М Н О Р С Т У Х
_RU_REGION = (
    "{77|97|99|177|197|199|777|78|98|178|50|90|150|190|750|23|93|123|66|96|16|116|54|02|61|63}"
)
_UA_L = "[ABCEHIKMOPTX]"
_UA_REGION = "{AA|KA|AI|BC|AX|KX|BH|AE|KE|AP|BI|HE|CA|BE}"
_TR_L = "[A-PR-VYZ]"

# country: ((pattern, weight), ...)
PLATE_FORMATS: dict[str, tuple[tuple[str, float], ...]] = {
    "D": (
        (f"{{{_DE_CITIES}}}-{_DE_L} <1-9999>", 1),
        (f"{{{_DE_CITIES}}}-{_DE_L}{_DE_L} <1-9999>", 3),
    ),
    "FRA": ((f"{_FR_L}{_FR_L}-<001-999>-{_FR_L}{_FR_L}", 1),),
    "GBR": ((f"{_GB_L}{_GB_L}{{{_GB_AGE}}} {_GB_L}{_GB_L}{_GB_L}", 1),),
    "ITA": ((f"{_IT_L}{_IT_L} 999{_IT_L}{_IT_L}", 1),),
    "ESP": ((f"9999 {_ES_L}{_ES_L}{_ES_L}", 1),),
    "NLD": (
        (f"99-{_NL_L}{_NL_L}{_NL_L}-9", 1),
        (f"9-{_NL_L}{_NL_L}{_NL_L}-99", 1),
        (f"{_NL_L}{_NL_L}-999-{_NL_L}", 1),
        (f"{_NL_L}-999-{_NL_L}{_NL_L}", 1),
    ),
    "POL": ((f"{_PL} 99999", 2), (f"{_PL} 999AA", 1), (f"{_PL} 9999A", 1)),
    "BEL": (("<1-2>-AAA-999", 1),),
    "CHE": ((f"{_CH} <1-999999>", 1),),
    "AUT": ((f"{_AT} <10-9999> AA", 1),),
    "CZE": ((_CZ, 1),),
    "UKR": ((f"{_UA_REGION} 9999 {_UA_L}{_UA_L}", 1),),
    "RUS": ((f"{_RU_L}999{_RU_L}{_RU_L}{_RU_REGION}", 1),),
    "TUR": (
        (f"<01-81> {_TR_L} <1000-9999>", 1),
        (f"<01-81> {_TR_L}{_TR_L} <100-9999>", 2),
        (f"<01-81> {_TR_L}{_TR_L}{_TR_L} <10-999>", 1),
    ),
    "USA": (("9AAA999", 1), ("AAA-9999", 1)),
}
# Countries of plates seen at the event, and of plates on stolen vehicle records.
ORDINARY_COUNTRIES = Weighted.parse(
    "D:30 FRA:12 NLD:8 POL:8 BEL:6 ITA:6 CHE:5 CZE:5 AUT:5 GBR:4 ESP:3 UKR:3 TUR:2 RUS:1 USA:0.5"
)
LISTED_COUNTRIES = Weighted.parse(
    "D:15 FRA:12 ITA:12 GBR:10 ESP:8 POL:8 NLD:6 BEL:5 UKR:5 RUS:5 CZE:4 TUR:4 AUT:3 CHE:2 USA:1"
)
_TO_CYRILLIC = str.maketrans("ABEKMHOPCTYXI", "АВЕКМНОРСТУХІ")
_TO_LATIN = str.maketrans("АВЕКМНОРСТУХІ", "ABEKMHOPCTYXI")
CYRILLIC_PLATES = frozenset({"RUS", "UKR"})


def to_cyrillic(plate: str) -> str:
    return plate.translate(_TO_CYRILLIC)


def to_latin(plate: str) -> str:
    return plate.translate(_TO_LATIN)


@dataclass(frozen=True, slots=True)
class Car:
    vin: str
    make: str
    model: str
    colour: str


class VehicleMaker:
    """VINs and plates; plates come from `regions` (see codes.py), VINs too."""

    def __init__(self) -> None:
        self._formats: dict[str, tuple[Weighted, dict[str, Shape]]] = {}

    def car(self, rng: Random, regions: frozenset[int]) -> Car:
        wmi, make, models, _ = WMIS[int(_WMI_CHOICE.pick(rng))]
        model_index = rng.randrange(len(models))
        # Positions 4-5 stand for the model line (stable per model), 6-8 for the variant.
        line = VIN_CHARS[(model_index * 7 + sum(map(ord, wmi))) % 33] + VIN_CHARS[model_index + 10]
        while True:
            vds = line + "".join(rng.choices(VIN_CHARS, k=3))
            first = _FIRST_YEAR.get(wmi, 2001) - 2001
            year = MODEL_YEARS[int(rng.triangular(first, len(MODEL_YEARS) - 0.01, max(first, 18)))]
            tail = year + rng.choice(VIN_CHARS) + f"{rng.randrange(1_000_000):06d}"
            vin = wmi + vds + "0" + tail
            vin = wmi + vds + vin_check_digit(vin) + tail
            if region(vin) in regions:
                return Car(vin, make, models[model_index], COLOURS.pick(rng))

    def _format(self, country: str) -> tuple[Weighted, dict[str, Shape]]:
        entry = self._formats.get(country)
        if entry is None:
            formats = PLATE_FORMATS[country]
            entry = self._formats[country] = (Weighted(formats), {p: shape(p) for p, _ in formats})
        return entry

    def plate(
        self,
        country: str,
        rng: Random,
        source: CodeSource,
        regions: frozenset[int],
        *,
        unique: bool,
    ) -> str:
        """A plate of that country in Latin letters; `unique` takes the next one of a
        non-repeating sequence (watchlists), else draws at random (ordinary traffic)."""
        choice, shapes = self._format(country)
        sh = shapes[choice.pick(rng)]
        return source.take(sh, regions) if unique else source.draw(sh, regions, rng)
