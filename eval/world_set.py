"""Build the world set: names as other countries' documents write them (seeded).

    python eval/world_set.py --out /tmp/worldset [--per-class 120] [--seed 26]
    python eval/run_eval.py --data /tmp/worldset

Each pair is one notice (the name in Latin letters, as notices write it) and one
traveller scan with the same full date of birth and nationality, so that only the name
decides. Same-person classes (``expect`` the pair's notice):

* ``runtogether``: the name run into one token (VLADIMIRPUTIN, also with a patronymic),
  or a letter moved across the space (TNKUNDA, LAUREN for NKUNDA, LAURENT);
* ``ocr_digits``: one or two letters read as the digit they look like (SECH1N, I9OR);
* one class per script on the scan side (``world_pools.SCRIPTS``): Arabic and Persian
  (Arab and Iranian names, and Latin names written in Arabic or Persian letters),
  Belarusian and Ukrainian Cyrillic for a Russian name, Hangul, Han, Kana, Kanji, Hebrew,
  Greek, Georgian, Armenian, Thai, Khmer, Devanagari, Bengali;
* ``hungarian``, ``latvian``: a Russian name as those countries' documents render it
  (PUTYIN VLAGYIMIR, LAVROVS SERGEJS), the notice in ICAO 9303 spelling;
* ``parts_added``: the notice's surname among the scan's given names and another
  surname in front (CHOUDARY, ANJEM: MAHMOOD, ANJEM IFTIKHAR CHOUDARY);
* ``parts_dropped``: a long name cut to three of its parts (KHAN, SHER MOHAMMAD ABBAS
  STANEKZAI PADSHAH: STANEKZAI, SHER ABBAS).

Different-person classes (``expect`` null; a hit is a false hit): ``other_given`` (the
same surname, a different but similar given name: MAHIR for MAHATHIR), ``soundalike``
(the same given name, a similar surname of another family: RONALDINHO for RONALDO),
``both_similar`` (ANGELO MERCAZ for ANGELA MERKEL) and ``different`` (another name).

Initials (a random stream of their own): ``initials_only``, the surname with the given
names' initials alone (KHAMENEI, A.; JUNCKER, J.-C. or JC), and ``other_initial``, the
surname with an initial none of the notice's given names begins with (a false hit).
``foreign_hangul``, ``foreign_kana``, ``foreign_han``: a Western or Russian name as
Korean, Japanese and Chinese write foreign names (메르켈 앙겔라, メルケル アンゲラ, 默克尔
安格拉), the notice in Latin letters.

A second list of such names (a random stream of its own; round 7, drawn up to check the
rules written for the first): ``foreign_hangul_2`` and ``foreign_kana_2``, and
``foreign_other``, a name of that list in Hangul or katakana against another's notice
(half the time the same surname), a false hit.

A third list (a random stream of its own; round 8, drawn up before the rules written
for the second were, as the blind check of them): ``foreign_hangul_3``,
``foreign_kana_3`` and ``foreign_other_3``, built as the second.

A Chinese list (a random stream of its own; round 10, drawn up before the rules for
foreign names in characters were changed, as their blind check): ``foreign_han_2``, a
name of it in characters as the Xinhua agency writes it (安德森 乔治), and
``foreign_han_other``, such a name against another's notice (half the time the same
surname), a false hit.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

from build_set import _ICAO, cyr_latin, write_set
from world_pools import (
    LATIN,
    RUSSIAN,
    SCRIPTS,
    SIMILAR_GIVEN,
    SIMILAR_SURNAME,
    SOUTH_ASIAN,
)

POSITIVE = ("runtogether", "ocr_digits", *SCRIPTS, "hungarian", "latvian", "parts_added",
            "parts_dropped")  # fmt: skip
NEGATIVE = ("other_given", "soundalike", "both_similar", "different")
# Drawn from a random stream of their own (the classes above stay as they were).
INITIALS = ("initials_only", "other_initial")
FOREIGN = ("foreign_hangul", "foreign_kana", "foreign_han")
# Western and Russian names as Korean, Japanese and Chinese write foreign names (the
# National Institute of Korean Language's transcription of foreign words; katakana as the
# Japanese press writes them; the Xinhua agency's characters): Latin, Hangul, katakana,
# Chinese.
FOREIGN_SURNAMES = [
    ("PUTIN", "푸틴", "プーチン", "普京"),
    ("OBAMA", "오바마", "オバマ", "奥巴马"),
    ("MERKEL", "메르켈", "メルケル", "默克尔"),
    ("TRUMP", "트럼프", "トランプ", "特朗普"),
    ("MACRON", "마크롱", "マクロン", "马克龙"),
    ("JOHNSON", "존슨", "ジョンソン", "约翰逊"),
    ("SMITH", "스미스", "スミス", "史密斯"),
    ("MILLER", "밀러", "ミラー", "米勒"),
    ("BROWN", "브라운", "ブラウン", "布朗"),
    ("SCHMIDT", "슈미트", "シュミット", "施密特"),
    ("IVANOV", "이바노프", "イワノフ", "伊万诺夫"),
    ("PETROV", "페트로프", "ペトロフ", "彼得罗夫"),
    ("GARCIA", "가르시아", "ガルシア", "加西亚"),
    ("ROSSI", "로시", "ロッシ", "罗西"),
    ("LAVROV", "라브로프", "ラブロフ", "拉夫罗夫"),
    ("ZELENSKY", "젤렌스키", "ゼレンスキー", "泽连斯基"),
    ("BIDEN", "바이든", "バイデン", "拜登"),
    ("BLAIR", "블레어", "ブレア", "布莱尔"),
    ("SARKOZY", "사르코지", "サルコジ", "萨科齐"),
]
FOREIGN_GIVEN = [
    ("VLADIMIR", "블라디미르", "ウラジーミル", "弗拉基米尔"),
    ("BARACK", "버락", "バラク", "贝拉克"),
    ("ANGELA", "앙겔라", "アンゲラ", "安格拉"),
    ("DONALD", "도널드", "ドナルド", "唐纳德"),
    ("EMMANUEL", "에마뉘엘", "エマニュエル", "埃马纽埃尔"),
    ("BORIS", "보리스", "ボリス", "鲍里斯"),
    ("JOHN", "존", "ジョン", "约翰"),
    ("MICHAEL", "마이클", "マイケル", "迈克尔"),
    ("DAVID", "데이비드", "デイビッド", "戴维"),
    ("THOMAS", "토마스", "トーマス", "托马斯"),
    ("SERGEY", "세르게이", "セルゲイ", "谢尔盖"),
    ("ALEXANDER", "알렉산더", "アレクサンダー", "亚历山大"),
    ("PAUL", "폴", "ポール", "保罗"),
    ("CARLOS", "카를로스", "カルロス", "卡洛斯"),
    ("MARCO", "마르코", "マルコ", "马可"),
    ("HANS", "한스", "ハンス", "汉斯"),
    ("ALEXEI", "알렉세이", "アレクセイ", "阿列克谢"),
    ("TONY", "토니", "トニー", "托尼"),
    ("NICOLAS", "니콜라", "ニコラ", "尼古拉"),
    ("JOSEPH", "조지프", "ジョセフ", "约瑟夫"),
]


# The second list (Latin, Hangul, katakana).
FOREIGN_2 = ("foreign_hangul_2", "foreign_kana_2", "foreign_other")
FOREIGN_SURNAMES_2 = [
    ("WILLIAMS", "윌리엄스", "ウィリアムズ"), ("JONES", "존스", "ジョーンズ"),
    ("TAYLOR", "테일러", "テイラー"), ("ANDERSON", "앤더슨", "アンダーソン"),
    ("THOMPSON", "톰프슨", "トンプソン"), ("MARTIN", "마틴", "マーティン"),
    ("ROBERTS", "로버츠", "ロバーツ"), ("CLARK", "클라크", "クラーク"),
    ("LEWIS", "루이스", "ルイス"), ("WALKER", "워커", "ウォーカー"),
    ("WHITE", "화이트", "ホワイト"), ("HARRIS", "해리스", "ハリス"),
    ("WILSON", "윌슨", "ウィルソン"), ("MOORE", "무어", "ムーア"),
    ("MULLER", "뮐러", "ミュラー"), ("SCHNEIDER", "슈나이더", "シュナイダー"),
    ("FISCHER", "피셔", "フィッシャー"), ("BECKER", "베커", "ベッカー"),
    ("NOVAK", "노바크", "ノバク"), ("RODRIGUEZ", "로드리게스", "ロドリゲス"),
    ("MARTINEZ", "마르티네스", "マルティネス"), ("LOPEZ", "로페스", "ロペス"),
    ("GONZALEZ", "곤잘레스", "ゴンザレス"),
    ("KUZNETSOV", "쿠즈네초프", "クズネツォフ"),
    ("SMIRNOV", "스미르노프", "スミルノフ"), ("POPOV", "포포프", "ポポフ"),
]  # fmt: skip
FOREIGN_GIVEN_2 = [
    ("JAMES", "제임스", "ジェームズ"), ("ROBERT", "로버트", "ロバート"),
    ("WILLIAM", "윌리엄", "ウィリアム"), ("RICHARD", "리처드", "リチャード"),
    ("CHARLES", "찰스", "チャールズ"), ("PETER", "피터", "ピーター"),
    ("GEORGE", "조지", "ジョージ"), ("ELIZABETH", "엘리자베스", "エリザベス"),
    ("MARIA", "마리아", "マリア"), ("ANNA", "안나", "アンナ"),
    ("DMITRY", "드미트리", "ドミトリー"), ("IVAN", "이반", "イワン"),
    ("NIKOLAI", "니콜라이", "ニコライ"), ("MIKHAIL", "미하일", "ミハイル"),
    ("OLGA", "올가", "オルガ"), ("FRANCOIS", "프랑수아", "フランソワ"),
    ("PIERRE", "피에르", "ピエール"), ("KLAUS", "클라우스", "クラウス"),
    ("STEFAN", "슈테판", "シュテファン"), ("JEAN", "장", "ジャン"),
]  # fmt: skip


# The third list (Latin, Hangul, katakana): English, German, French, Spanish, Italian
# and Russian names, the Hangul by the National Institute of Korean Language's rules,
# the katakana as the Japanese press writes them (BA for VA, long vowels written).
FOREIGN_3 = ("foreign_hangul_3", "foreign_kana_3", "foreign_other_3")
FOREIGN_SURNAMES_3 = [
    ("DAVIS", "데이비스", "デービス"), ("EVANS", "에번스", "エバンズ"),
    ("HUGHES", "휴스", "ヒューズ"), ("MORGAN", "모건", "モーガン"),
    ("COOPER", "쿠퍼", "クーパー"), ("KING", "킹", "キング"),
    ("WRIGHT", "라이트", "ライト"), ("SCOTT", "스콧", "スコット"),
    ("YOUNG", "영", "ヤング"), ("HALL", "홀", "ホール"),
    ("WAGNER", "바그너", "ワーグナー"), ("WEBER", "베버", "ウェーバー"),
    ("HOFFMANN", "호프만", "ホフマン"), ("SCHULZ", "슐츠", "シュルツ"),
    ("DUBOIS", "뒤부아", "デュボア"), ("BERNARD", "베르나르", "ベルナール"),
    ("MOREAU", "모로", "モロー"), ("FERNANDEZ", "페르난데스", "フェルナンデス"),
    ("SANCHEZ", "산체스", "サンチェス"), ("ROMANO", "로마노", "ロマーノ"),
    ("RICCI", "리치", "リッチ"), ("BIANCHI", "비안키", "ビアンキ"),
    ("VOLKOV", "볼코프", "ボルコフ"), ("SOKOLOV", "소콜로프", "ソコロフ"),
    ("MOROZOV", "모로조프", "モロゾフ"), ("NOVIKOV", "노비코프", "ノビコフ"),
]  # fmt: skip
FOREIGN_GIVEN_3 = [
    ("EDWARD", "에드워드", "エドワード"), ("HENRY", "헨리", "ヘンリー"),
    ("ARTHUR", "아서", "アーサー"), ("FRANK", "프랭크", "フランク"),
    ("SARAH", "세라", "サラ"), ("EMMA", "에마", "エマ"),
    ("LAURA", "로라", "ローラ"), ("HELEN", "헬렌", "ヘレン"),
    ("WOLFGANG", "볼프강", "ウォルフガング"), ("LUKAS", "루카스", "ルーカス"),
    ("LUCA", "루카", "ルカ"), ("ANTONIO", "안토니오", "アントニオ"),
    ("MIGUEL", "미겔", "ミゲル"), ("PABLO", "파블로", "パブロ"),
    ("ANDREI", "안드레이", "アンドレイ"), ("YURI", "유리", "ユーリー"),
    ("NATALIA", "나탈리야", "ナタリア"), ("TATIANA", "타티야나", "タチアナ"),
    ("CATHERINE", "캐서린", "キャサリン"), ("VIKTOR", "빅토르", "ビクトル"),
]  # fmt: skip


# The Chinese list (Latin, characters): English, German, Spanish, Italian and Russian names.
FOREIGN_HAN_2 = ("foreign_han_2", "foreign_han_other")
FOREIGN_HAN_SURNAMES_2 = [
    ("ANDERSON", "安德森"), ("WILSON", "威尔逊"), ("TAYLOR", "泰勒"), ("CLARK", "克拉克"),
    ("WHITE", "怀特"), ("MARTIN", "马丁"), ("THOMPSON", "汤普森"), ("WALKER", "沃克"),
    ("ROBINSON", "罗宾逊"), ("CARTER", "卡特"), ("MORGAN", "摩根"), ("KENNEDY", "肯尼迪"),
    ("NIXON", "尼克松"), ("CLINTON", "克林顿"), ("BUSH", "布什"), ("LENIN", "列宁"),
    ("GORBACHEV", "戈尔巴乔夫"), ("YELTSIN", "叶利钦"), ("KISSINGER", "基辛格"),
    ("CHURCHILL", "丘吉尔"), ("SCHNEIDER", "施奈德"), ("FISCHER", "菲舍尔"),
    ("WAGNER", "瓦格纳"), ("ROMANO", "罗马诺"), ("SANCHEZ", "桑切斯"), ("LOPEZ", "洛佩斯"),
    ("VOLKOV", "沃尔科夫"), ("SMIRNOV", "斯米尔诺夫"), ("POPOV", "波波夫"),
    ("KUZNETSOV", "库兹涅佐夫"),
]  # fmt: skip
FOREIGN_HAN_GIVEN_2 = [
    ("GEORGE", "乔治"), ("WILLIAM", "威廉"), ("JAMES", "詹姆斯"), ("ROBERT", "罗伯特"),
    ("RICHARD", "理查德"), ("CHARLES", "查尔斯"), ("PETER", "彼得"), ("MARK", "马克"),
    ("STEVEN", "史蒂文"), ("KEVIN", "凯文"), ("IVAN", "伊万"), ("DMITRY", "德米特里"),
    ("NIKOLAI", "尼古拉"), ("MIKHAIL", "米哈伊尔"), ("ANNA", "安娜"), ("MARIA", "玛丽亚"),
    ("ELENA", "叶莲娜"), ("OLGA", "奥尔加"), ("JACK", "杰克"), ("ANDREI", "安德烈"),
]  # fmt: skip


def halves(block: str) -> tuple[list[str], list[str]]:
    surnames, given = block.split("|")
    return surnames.split(), given.split()


def pairs(block: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in (p.split(":") for p in block.split())]


def scripted(entries: list[str]) -> list[tuple[str, str]]:
    return [(e.split("=")[0], e.split("=")[1]) for e in entries]


# ---- national renderings of a Russian name -------------------------------------------
_SOFT = set("ЕЁИЮЯЬ")
_CYR = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_HU_LETTERS = "A B V G D E JO ZS Z I J K L M N O P R SZ T U F H C CS S SCS - I - E JU JA"
_LV_LETTERS = "A B V G D E JO Z Z I J K L M N O P R S T U F H C C S SC - I - E JU JA"
_HU = dict(zip(_CYR, _HU_LETTERS.split(" "), strict=True))
_LV = dict(zip(_CYR, _LV_LETTERS.split(" "), strict=True))


def hungarian(word: str) -> str:
    """Hungarian rules for Russian (soft Д, Т, Н are GY, TY, NY; Е is JE at the start)."""
    w, out = word.upper(), []
    for i, ch in enumerate(w):
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if ch in "ДТН" and nxt in _SOFT:
            out.append({"Д": "GY", "Т": "TY", "Н": "NY"}[ch])
        elif ch == "Е" and (i == 0 or w[i - 1] in "АЕЁИОУЫЭЮЯЬЪ"):
            out.append("JE")
        else:
            out.append(_HU[ch])
    return "".join(out).replace("-", "")


def latvian(word: str) -> str:
    """Latvian rules (marks folded as the MRZ folds them): masculine names take -S."""
    w = word.upper()
    base = "".join(_LV[ch] for ch in w).replace("-", "")
    if w[-1] not in "АЯЕИОУЫЭЮЁ" or w.endswith(("ИЙ", "ЫЙ", "ЕЙ", "АЙ")):
        base = base[:-1] + "J" if w.endswith(("ИЙ", "ЫЙ")) else base
        base += "S"
    return base


# ---- one pair ------------------------------------------------------------------------
_OCR = {"O": "0", "I": "1", "G": "9", "S": "5", "B": "8", "Z": "2", "A": "4", "E": "3",
        "T": "7"}  # fmt: skip


def ocr(rng: random.Random, name: str) -> str:
    spots = [i for i, ch in enumerate(name) if ch in _OCR and i > 0]
    for i in rng.sample(spots, min(len(spots), rng.choice((1, 1, 2)))):
        name = name[:i] + _OCR[name[i]] + name[i + 1 :]
    return name


class World:
    def __init__(self, rng: random.Random):
        self.rng = rng
        rs, rg = halves(RUSSIAN)
        self.russian = (rs, rg)
        ls, lg = halves(LATIN)
        ss, sg = halves(SOUTH_ASIAN)
        self.latin = (
            ls + [cyr_latin(s, _ICAO) for s in rs],
            lg + [cyr_latin(g, _ICAO) for g in rg],
        )
        self.south = (ss, sg)

    def pick(self, pool: list[str], k: int = 1) -> list[str]:
        return self.rng.sample(pool, k)

    def positive(self, cls: str) -> tuple[tuple[str, str], tuple[str, str], str]:
        """(notice surname, given), (scan surname, given), nationality."""
        rng = self.rng
        if cls in SCRIPTS:
            nat, block = SCRIPTS[cls]
            surnames, given = (scripted(h) for h in halves(block))
            (s_lat, s_nat), (g_lat, g_nat) = rng.choice(surnames), rng.choice(given)
            if cls == "hangul":  # JONG-UN, JONG UN or JONGUN: passports differ
                g_lat = g_lat.replace("-", rng.choice(("-", " ", "")))
            return (s_lat, g_lat), (s_nat, g_nat), nat
        if cls in ("hungarian", "latvian"):
            rs, rg = self.russian
            s, g = rng.choice(rs), rng.choice(rg)
            render = hungarian if cls == "hungarian" else latvian
            # The holder a national of that state, or a Russian whose name a Hungarian or
            # Latvian official wrote (half each, by the names drawn: the random stream of
            # the other classes stays as it was): only the name's marks say so then.
            nat = "RUS" if (len(s) + len(g)) % 2 else ("HUN" if cls == "hungarian" else "LVA")
            return (cyr_latin(s, _ICAO), cyr_latin(g, _ICAO)), (render(s), render(g)), nat
        if cls == "runtogether":
            ls, lg = self.latin
            s, g = rng.choice(ls), rng.choice(lg)
            given = [g] + (self.pick(lg) if rng.random() < 0.3 else [])
            notice = (s, " ".join(given))
            u = rng.random()
            if u < 0.4:
                return notice, ("".join(given) + s, ""), "XXX"
            if u < 0.7:
                return notice, (s + "".join(given), ""), "XXX"
            return notice, (g[-1] + s, g[:-1] + "".join(" " + x for x in given[1:])), "XXX"
        if cls == "ocr_digits":
            ls, lg = self.latin if rng.random() < 0.7 else self.south
            s, g = rng.choice(ls), " ".join(self.pick(lg, rng.choice((1, 1, 2))))
            if rng.random() < 0.5:
                return (s, g), (ocr(rng, s), g), "XXX"
            return (s, g), (s, ocr(rng, g)), "XXX"
        ss, sg = self.south
        if cls == "parts_added":
            s, father = self.pick(ss, 2)
            g = self.pick(sg, 2)
            return (s, g[0]), (father, f"{g[0]} {g[1]} {s}"), "PAK"
        # parts_dropped: a long name (clan and tribal names) cut to three of its parts
        s = rng.choice(("KHAN", "MALIK", "BAIG", "MIRZA"))
        given = self.pick(sg, 3)
        clan = self.pick([x for x in ss if x.endswith("ZAI")] or ss, 1)
        notice = (s, " ".join([*given, *clan, rng.choice(("PADSHAH", "SAHIB", "JAN"))]))
        return notice, (clan[0], f"{given[0]} {given[2]}"), "AFG"

    def initials(self, cls: str) -> tuple[tuple[str, str], tuple[str, str], str]:
        """A surname with the given names' initials only, as some documents print them
        (KHAMENEI, A.; JUNCKER, J.-C. or JC; South Indian names), or (`other_initial`)
        with an initial that none of the notice's given names begins with."""
        rng = self.rng
        ls, lg = self.latin if rng.random() < 0.7 else self.south
        s = rng.choice(ls)
        given = self.pick(lg, rng.choice((1, 1, 2)))
        if cls == "other_initial":
            letters = [c for c in "ABDEFGHIKLMNRSTVY" if c not in {g[0] for g in given}]
            return (s, " ".join(given)), (s, rng.choice(letters) + "."), "XXX"
        firsts = [g[0] for g in given]
        written = rng.choice((" ".join(firsts), ". ".join(firsts) + ".", "".join(firsts),
                              ".-".join(firsts) + "."))
        return (s, " ".join(given)), (s, written), "XXX"

    def foreign(self, cls: str) -> tuple[tuple[str, str], tuple[str, str], str]:
        """A Western or Russian name in Hangul or katakana on the scan (a Korean or
        Japanese residence card, a visa), in Latin letters on the notice."""
        rng = self.rng
        (s_lat, s_ko, s_ja, s_zh), (g_lat, g_ko, g_ja, g_zh) = (
            rng.choice(FOREIGN_SURNAMES), rng.choice(FOREIGN_GIVEN))  # fmt: skip
        if cls == "foreign_hangul":
            return (s_lat, g_lat), (s_ko, g_ko), "XXX"
        if cls == "foreign_han":
            return (s_lat, g_lat), (s_zh, g_zh), "XXX"
        return (s_lat, g_lat), (s_ja, g_ja), "XXX"

    def foreign_2(self, cls: str, lists: tuple[list[tuple[str, str, str]], ...] = (
            FOREIGN_SURNAMES_2, FOREIGN_GIVEN_2)) -> tuple[tuple[str, str], tuple[str, str], str]:
        """The second (or third) list: the same person in Hangul or katakana, or
        (``foreign_other``) another's notice, half the time of the same surname."""
        rng = self.rng
        surnames, given = lists
        s, g = rng.choice(surnames), rng.choice(given)
        if not cls.startswith("foreign_other"):
            col = 1 if cls.startswith("foreign_hangul") else 2
            return (s[0], g[0]), (s[col], g[col]), "XXX"
        col = rng.choice((1, 2))
        while True:
            s2 = s if rng.random() < 0.5 else rng.choice(surnames)
            g2 = rng.choice(given)
            if (s2, g2) != (s, g):
                return (s2[0], g2[0]), (s[col], g[col]), "XXX"

    def foreign_han_2(self, cls: str) -> tuple[tuple[str, str], tuple[str, str], str]:
        """The Chinese list: the same person in characters, or (``foreign_han_other``)
        another's notice, half the time of the same surname."""
        rng = self.rng
        s, g = rng.choice(FOREIGN_HAN_SURNAMES_2), rng.choice(FOREIGN_HAN_GIVEN_2)
        if cls != "foreign_han_other":
            return (s[0], g[0]), (s[1], g[1]), "XXX"
        while True:
            s2 = s if rng.random() < 0.5 else rng.choice(FOREIGN_HAN_SURNAMES_2)
            g2 = rng.choice(FOREIGN_HAN_GIVEN_2)
            if (s2, g2) != (s, g):
                return (s2[0], g2[0]), (s[1], g[1]), "XXX"

    def negative(self, cls: str) -> tuple[tuple[str, str], tuple[str, str], str]:
        rng = self.rng
        ls, lg = self.latin
        if cls == "other_given":
            a, b = rng.choice(pairs(SIMILAR_GIVEN))
            s = rng.choice(ls)
            a, b = (a, b) if rng.random() < 0.5 else (b, a)
            return (s, a), (s, b), "XXX"
        if cls == "soundalike":
            a, b = rng.choice(pairs(SIMILAR_SURNAME))
            g = rng.choice(lg)
            a, b = (a, b) if rng.random() < 0.5 else (b, a)
            return (a, g), (b, g), "XXX"
        if cls == "both_similar":
            (s1, s2), (g1, g2) = (
                rng.choice(pairs(SIMILAR_SURNAME)),
                rng.choice(pairs(SIMILAR_GIVEN)),
            )
            return (s1, g1), (s2, g2), "XXX"
        s1, s2 = self.pick(ls, 2)
        g1, g2 = self.pick(lg, 2)
        return (s1, g1), (s2, g2), "XXX"


def build(per_class: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    world = World(rng)
    notices: list[dict[str, Any]] = []
    scans: list[dict[str, Any]] = []
    for cls in POSITIVE + NEGATIVE:
        for _ in range(per_class):
            make = world.positive if cls in POSITIVE else world.negative
            (ns, ng), (ss, sg), nat = make(cls)
            if nat == "XXX":
                nat = rng.choice(("D", "FRA", "GBR", "RUS", "PAK", "NGA", "ITA", "ESP"))
            add_pair(rng, notices, scans, f"W{len(notices):06d}", cls, (ns, ng), (ss, sg),
                     nat, same=cls in POSITIVE)
    rng = random.Random(seed + 1)
    world = World(rng)
    for cls in INITIALS + FOREIGN:
        for _ in range(per_class):
            make = world.initials if cls in INITIALS else world.foreign
            (ns, ng), (ss, sg), nat = make(cls)
            nat = rng.choice(("D", "FRA", "GBR", "IND", "PAK", "NGA", "ITA", "ESP"))
            add_pair(rng, notices, scans, f"W{len(notices):06d}", cls, (ns, ng), (ss, sg),
                     nat, same=cls != "other_initial")
    # The later foreign lists, each drawn from a random stream of its own (seed + offset):
    # (offset, classes, the pair maker, the class of another person's notice).
    lists: tuple[tuple[int, tuple[str, ...], Any, str], ...] = (
        (2, FOREIGN_2, lambda w, c: w.foreign_2(c), "foreign_other"),
        (3, FOREIGN_3, lambda w, c: w.foreign_2(c, (FOREIGN_SURNAMES_3, FOREIGN_GIVEN_3)),
         "foreign_other_3"),
        (4, FOREIGN_HAN_2, lambda w, c: w.foreign_han_2(c), "foreign_han_other"),
    )
    for offset, classes, make_pair, other in lists:
        rng = random.Random(seed + offset)
        world = World(rng)
        for cls in classes:
            for _ in range(per_class):
                (ns, ng), (ss, sg), _ = make_pair(world, cls)
                nat = rng.choice(("D", "FRA", "GBR", "IND", "PAK", "NGA", "ITA", "ESP"))
                add_pair(rng, notices, scans, f"W{len(notices):06d}", cls, (ns, ng), (ss, sg),
                         nat, same=cls != other)
    return notices, scans


def add_pair(rng: random.Random, notices: list[dict[str, Any]], scans: list[dict[str, Any]],
             rid: str, cls: str, notice: tuple[str, str], scan: tuple[str, str], nat: str,
             *, same: bool) -> None:
    """One red notice and one traveller scan with the same full date of birth and
    nationality, so that only the name decides; `same`: the scan should find it."""
    (ns, ng), (ss, sg) = notice, scan
    dob = f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    notices.append({"list": "notice", "id": rid, "colour": "red",
                    "names": [{"surname": ns, "given_names": ng, "script": "Latn"}],
                    "date_of_birth": dob, "nationalities": [nat], "documents": []})
    scans.append({"family": cls, "surname": ss or None, "given_names": sg or None,
                  "date_of_birth": dob, "nationality": nat, "sex": None,
                  "expect": rid if same else None, "notice_dob": "full"})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-class", type=int, default=120)
    ap.add_argument("--seed", type=int, default=26)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "out-world")
    args = ap.parse_args()
    notices, scans = build(args.per_class, args.seed)
    write_set(args.out, notices, scans)


if __name__ == "__main__":
    main()
