"""Name tables: particles, spellings known to be one name, the world's commonest name
elements. Data, kept apart from the rules that use it (name_spelling, name_tokens,
names)."""

from __future__ import annotations

from importlib import resources

# Articles and connectors: worth little on their own, often joined, split or dropped.
_PARTICLES = (
    "AL EL UL AR AS AD AN AT AZ ASH BIN BEN IBN BINT OULD DE DEL DELA DELLA DER DEN DES "
    "DI DA DO DOS DAS DU LA LE LO LOS LAS VAN VON VOM ZU TEN TER Y E MAC MC ST"
)
PARTICLES = frozenset(_PARTICLES.split())
# Prefixes of a joined token (ALMASRI, DELACRUZ, VANDERBERG, MCDONALD) that may be left
# out on another document, when at least four letters remain.
PREFIXES = ("VANDER", "VANDEN", "DELLA", "DELA", "DEL", "VAN", "VON", "MAC", "BEN", "BIN",
            "IBN", "AL", "EL", "UL", "DE", "DI", "DA", "MC")  # fmt: skip

# Spellings known to be the same name, first = representative. Kept to names whose
# variants no rule can bridge (Cheung is Zhang in Cantonese, Dmytro is Ukrainian Dmitri).
_GROUPS = """
MUHAMMAD MOHAMMED MOHAMED MOHAMAD MOHAMMAD MUHAMMED MUHAMED MOHAMMET MEHMET MEHMED MOHD MUHD
AHMED AHMAD AHMET | MAHMOUD MAHMUD | OMAR UMAR OMER
YUSUF YOUSSEF YOUSEF YUSEF YOUSIF YOUSSOUF YUSSUF JUSUF
HUSSEIN HUSSAIN HUSAIN HOSSEIN HUSEYIN HUSAYN HOUSSEIN | ABDULLAH ABDALLAH ABDULLA ABDELLAH
MUSTAFA MOSTAFA MOUSTAFA MUSTAPHA | OTHMAN OSMAN UTHMAN | IBRAHIM EBRAHIM IBRAGIM
SULEIMAN SULAIMAN SOLIMAN SULEYMAN SLIMANE | ISMAIL ISMAEL SMAIL | MAHDI MEHDI
HASSAN HASAN HASSANE | MARYAM MARIAM MERIEM MERYEM MIRIAM | FATIMA FATMA FATEMA FATEMEH
AISHA AICHA AYESHA AISHAT | KHADIJA KHADIDJA KHADIJAH | ZAINAB ZEINAB ZAYNAB
SAID SAEED SAYED SAIED | JAMAL GAMAL DJAMEL DJAMAL | WALID WALEED OUALID
NASSER NASIR NACER NASER | HISHAM HICHAM HESHAM | RASHID RACHID RASHEED
KHALID KHALED HALID | TARIQ TAREK TARIK | YASSER YASIR YASER | ISSA ISA | MUSA MOUSSA MOUSA
DAOUD DAWOOD DAWUD DAVUD | QASIM KASSEM KASIM GASSIM | HUDA HODA HOUDA
ABDUL ABDEL ABDOUL ABDUR ABD | ABU ABOU | YURI YURIY IURII JURIJ YURY IOURI YOURI JURI YURII
SERGEI SERGEY SERHII SERHIY SERGIY SERGII SIARHEI SIARGEI
ALEKSEI ALEXEI ALEKSEY ALEXEY OLEKSII OLEKSIY ALIAKSEI
DMITRI DMITRIY DMITRII DMITRY DMYTRO DMITRIJ DZMITRY DZMITRYI | ANDREI ANDREY ANDRII ANDRIY
NIKOLAI NIKOLAY MYKOLA MIKOLAJ MIKALAI MIKALAY | MIKHAIL MICHAIL MYKHAILO MIHAIL MIKHAYLO
EVGENII EVGENY EVGENIY YEVGENIY YEVGENY IEVGENII JEWGENIJ YEVHEN IEVGEN
OLGA OLHA VOLHA | IGOR IHOR | VLADIMIR WLADIMIR VOLODYMYR ULADZIMIR
ALEKSANDR OLEKSANDR ALEXANDR ALIAKSANDR | PAVEL PAVLO PAWEL PAVAL
VIKTOR VIKTAR
GRIGORI GRIGORIY GRIGORII HRYHORII HRYHORIY RYHOR | GEORGI GEORGIY HEORHII | OLEG OLEH ALEH ALEG
TATIANA TATYANA TETIANA TETYANA | NATALIA NATALYA NATALIYA NATALIIA NATALIJA
YULIA YULIYA IULIIA JULIJA | ELENA YELENA OLENA JELENA IELENA
"""
# Chinese surnames: pinyin first, then Wade-Giles, Cantonese (Hong Kong) and the Hokkien,
# Teochew or Hakka spellings of Singapore and Malaysia. One romanisation often stands for
# several characters (WONG is Wang and Huang), which the groups say by overlapping.
_CHINESE_SURNAMES = """
WANG WONG ONG HENG | LI LEE | ZHANG CHANG CHEUNG CHEONG TEO TEOH CHONG JANG | LIU LAU LOW
CHEN CHAN TAN CHIN | YANG YEUNG YEO YEOH IEONG | HUANG WONG NG WEE OOI HWANG | ZHAO CHAO CHIU
ZHOU CHOU CHOW CHAU CHEW | WU NG GOH | XU HSU TSUI CHUI HUI KHOO | SUN SUEN SOON | MA
ZHU CHU CHOO | HU WU FOO | GUO KUO KWOK KWEK QUEK | HE HO HOR | LIN LAM LIM | GAO KAO KO KOH
LUO LO LAW LOH | ZHENG CHENG CHEANG TAY TEH | LIANG LEUNG LEONG NEO | XIE HSIEH TSE CHIA SEAH
SONG SUNG SOONG | TANG TONG TNG | DENG TENG TANG THAN | FENG FUNG FONG FOONG | HAN HON
CAO TSAO CHO | ZENG TSENG TSANG | PENG PANG PHANG | XIAO HSIAO SIU SIAW SEOW
CAI TSAI CHOI TSOI CHUA CHAI | PAN POON PHUA | TIAN TIEN TIN | DONG TUNG | YUAN YUEN
YE YEH YIP YAP IP | JIANG CHIANG CHEUNG KONG KANG | DU TU TO TOH | SU SO SOH SOO
WEI NGAI WEE | CHENG CHING | LYU LU LV LUI LOO | DING TING | SHEN SHUM SUM SIM
ZHONG CHUNG CHONG | TAN TAM | LIAO LIU LIEW LEOW | LU LUK LOKE | JIN CHIN KAM KIM
SHI SHIH SHEK | YU YUE | LONG LUNG | YAO YIU | FANG FONG | LAI LI | BAI PAI PAK PEH
CUI TSUI CHUI | QIU CHIU YAU KHOO HIEW | HOU HAU | XIONG HSIUNG HUNG | QIN CHIN CHUN
SHAO SIU | MAO MO | WAN MAN | DUAN TUAN TUEN | LEI LUI | QIAN CHIEN CHIN | YIN WAN
GONG KUNG | WEN MAN | MO MOK | GUAN KUAN KWAN | OU AU | OUYANG AUYEUNG | SITU SZETO
"""


def _groups() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in (_GROUPS + _CHINESE_SURNAMES).strip().splitlines():
        for group in line.split("|"):
            names = group.split()
            for name in names:
                if names[0] not in table.get(name, ()):
                    table[name] = (*table.get(name, ()), names[0])
    return table


# Token -> representatives of the groups it belongs to (WONG is both Wang and Huang).
GROUPS_OF = _groups()
# Chinese surnames in every spelling above (person_keys' surname-only key).
CHINESE_SURNAMES = frozenset(_CHINESE_SURNAMES.replace("|", " ").split())

# The world's most frequent name elements beyond the groups above (national statistics'
# heads: Nguyen is about 38% of Vietnamese, Thi the middle name of most Vietnamese women,
# Maria the first or second name of a fifth of Hispanic women). A match on them says
# less; corroboration asks for more (see person_evidence.corroborated).
_COMMON = """
MARIA MARIE ANA ANNA JOSE JUAN LUIS CARLOS JORGE MANUEL ANTONIO FRANCISCO PEDRO MIGUEL
JESUS ANGEL DAVID DANIEL JOHN JAMES ROBERT MICHAEL WILLIAM RICHARD THOMAS PAUL PETER MARK
GEORGE MARY ELIZABETH SARAH LAURA JEAN PIERRE MICHEL PHILIPPE NICOLAS HANS KLAUS WOLFGANG
ANDREAS STEFAN GIUSEPPE GIOVANNI MARCO LUCA FRANCESCO MARIO PIOTR JAN ANDRZEJ KRZYSZTOF
TOMASZ MEHMET AHMET MUSTAFA AYSE FATMA EMINE HATICE ZEYNEP ELIF VAN THI DUC MINH NGOC ANH
HUNG LAN MAI HOA JOAO PAULO RAJ RAJESH SURESH AMIT SUNIL PRIYA SUNITA ANITA ABDULLAHI
IBRAHIM MUSA MAMADOU MOUSSA AMINATA FATOUMATA IVAN ANNA SMITH JOHNSON WILLIAMS BROWN JONES
MILLER DAVIS WILSON TAYLOR GARCIA RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ GONZALEZ PEREZ SANCHEZ
RAMIREZ TORRES FLORES RIVERA GOMEZ DIAZ CRUZ MORALES REYES SILVA SANTOS OLIVEIRA SOUZA
PEREIRA FERREIRA COSTA RODRIGUES ALVES MULLER MUELLER SCHMIDT SCHNEIDER FISCHER WEBER MEYER
WAGNER BECKER MARTIN BERNARD DUBOIS ROBERT PETIT DURAND ROSSI RUSSO FERRARI ESPOSITO
BIANCHI ROMANO NOWAK KOWALSKI WISNIEWSKI YILMAZ KAYA DEMIR SAHIN CELIK YILDIZ NGUYEN TRAN
LE PHAM HOANG HUYNH PHAN VU VO DANG BUI DO HO NGO KUMAR SINGH SHARMA PATEL KHAN SHAH GUPTA
HUSSAIN DIALLO TRAORE KEITA COULIBALY DIOP NDIAYE BELLO IVANOV SMIRNOV KUZNETSOV POPOV
PETROV IVANOVA SMIRNOVA KIM PARK SHEVCHENKO KOVALENKO BONDARENKO MOHAMMADI HOSSEINI AHMADI
"""
COMMON = frozenset(_COMMON.split())


# The Vietnamese surnames most Vietnamese bear (Nguyễn, Trần, Lê, Phạm, Hoàng and Huỳnh,
# Phan, Vũ and Võ, Đặng, Bùi, Đỗ, Hồ, Ngô, Dương, Lý: nine in ten, national statistics),
# marks folded as documents fold them.
_VIETNAMESE_SURNAMES = "NGUYEN TRAN LE PHAM HOANG HUYNH PHAN VU VO DANG BUI DO HO NGO DUONG LY"
VIETNAMESE_SURNAMES = frozenset(_VIETNAMESE_SURNAMES.split())


def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    """The surnames, and the Arabic names' spellings among them (the file's second
    section, after a comment line: scripts/surname_table.py)."""
    text = (resources.files("screening.matching") / "data" / "surnames.txt").read_text("utf-8")
    names, _, arabic = text.partition("\n# Of these, an Arabic name's spellings")
    # Every line but empty and comment ones, as sets made in C: a loop over the 24,000
    # lines in Python was most of the table's load (each `screening screen` pays it).
    comments = ["#" + rest.partition("\n")[0] for rest in ("\n" + names).split("\n#")[1:]]
    return (frozenset(names.splitlines()).difference(comments, ("",)),
            frozenset(arabic.splitlines()[2:]).difference(("",)))


# Surnames families bear, in many countries (data/surnames.txt, from Faker's lists:
# scripts/surname_table.py). Two of them a letter apart are two families, not a name and
# its typo (names._two_families). ARABIC_SURNAMES: those of them that are an Arabic
# name's spelling (a list of a state whose names are Arabic holds them).
SURNAMES, ARABIC_SURNAMES = _surnames()
