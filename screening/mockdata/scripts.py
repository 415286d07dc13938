"""Names first written in another script: Arabic, Russian and Ukrainian, Chinese.

Each comes with its original spelling (the alias a notice carries in that script) and
the Latin spellings documents and lists actually show. Transliteration here is a small
independent implementation, deliberately not the matcher's (screening.matching.translit),
so that mock data does not agree with the matcher by construction.
"""

from __future__ import annotations

# ------------------------------------------------------------------ Arabic
# LATIN|ARABIC|other Latin spellings...
ARABIC_MALE = """
MOHAMMED|محمد|MUHAMMAD|MOHAMED|MOHAMMAD AHMED|أحمد|AHMAD|AHMET ALI|علي|ALY OMAR|عمر|UMAR|OMER
KHALED|خالد|KHALID YOUSSEF|يوسف|YOUSEF|YUSUF IBRAHIM|إبراهيم|IBRAHEEM|EBRAHIM HASSAN|حسن|HASAN
HUSSEIN|حسين|HUSSAIN|HUSEIN|HOSSEIN MAHMOUD|محمود|MAHMUD|MAHMOOD MUSTAFA|مصطفى|MOSTAFA|MOUSTAFA
ABDULLAH|عبد_الله|ABDALLAH|ABDULLA ABDELRAHMAN|عبد_الرحمن|ABDUL_RAHMAN|ABDULRAHMAN
SAEED|سعيد|SAID|SAEID TAREK|طارق|TARIQ|TAREQ KARIM|كريم|KAREEM SAMIR|سمير|SAMEER
NASSER|ناصر|NASER|NASIR WALID|وليد|WALEED HAMZA|حمزة|HAMZAH BILAL|بلال|BELAL JAMAL|جمال|GAMAL
FAISAL|فيصل|FAYSAL SALEH|صالح|SALIH ADEL|عادل|ADIL RAMI|رامي|RAMY ZIAD|زياد|ZIYAD
YASSER|ياسر|YASIR|YASER OSAMA|أسامة|USAMA|OUSSAMA MAJID|ماجد|MAJED ANAS|أنس|ANES
AYMAN|أيمن|AIMAN HICHAM|هشام|HISHAM|HESHAM RACHID|رشيد|RASHID|RASHEED NABIL|نبيل|NABEEL
SULEIMAN|سليمان|SULAIMAN|SLIMANE
"""
ARABIC_FEMALE = """
FATIMA|فاطمة|FATMA|FATEMA AISHA|عائشة|AICHA|AYESHA MARIAM|مريم|MARYAM|MERIEM KHADIJA|خديجة|KHADIDJA
ZAINAB|زينب|ZEINAB|ZAYNAB NOUR|نور|NUR|NOOR LAYLA|ليلى|LEILA|LAILA SARA|سارة|SARAH HANAA|هناء|HANA
AMINA|أمينة|AMINAH YASMINE|ياسمين|YASMIN|JASMIN RANIA|رانيا|RANYA SALMA|سلمى|SELMA HUDA|هدى|HODA
REEM|ريم|RIM DINA|دينا|DEENA MONA|منى|MOUNA NADIA|نادية|NADIYA SAMIRA|سميرة|SAMEERA LINA|لينا|LEENA
"""
ARABIC_SURNAMES = """
AL-MASRI|المصري|EL-MASRY AL-AHMAD|الأحمد HADDAD|حداد|AL-HADDAD KHALIL|خليل|KHALIEL
AL-SAYED|السيد|EL-SAYED MANSOUR|منصور|MANSUR|MANSOOR AL-HASHEMI|الهاشمي|HASHEMI|AL-HASHIMI
BENALI|بن_علي|BEN_ALI BENSALEM|بن_سالم|BEN_SALEM EL-AMRANI|العمراني|AMRANI HAMDAN|حمدان|HAMDANE
AL-KHATIB|الخطيب|KHATIB AL-NAJJAR|النجار|EL-NAGGAR SHALABI|شلبي|CHALABI|SHALABY AWAD|عوض|AWWAD
DARWISH|درويش|DERWICHE AL-TAMIMI|التميمي|TAMIMI AL-OBEIDI|العبيدي|AL-UBAIDI|OBAIDI
AL-SHAMMARI|الشمري|SHAMMARI HAMMADI|حمادي|HAMADI MOUSSA|موسى|MUSA|MOUSA ISSA|عيسى|ESSA
ZAHRAN|زهران QASSEM|قاسم|KASSEM|QASIM AL-RASHID|الرشيد|AL-RASHEED OTHMAN|عثمان|OSMAN|OTHMANE
KHOURY|خوري|EL-KHOURY|KHOURI SAAD|سعد|SAAD SULTAN|سلطان|SOLTANE ABDEL-AZIZ|عبد_العزيز|ABDULAZIZ
AL-HUSSEINI|الحسيني|HUSSEINI AL-QURASHI|القرشي|QURESHI BOUZID|بوزيد|BOUZIDI
AL-BAGHDADI|البغدادي|BAGHDADI AL-HALABI|الحلبي|HALABI AL-SHAMI|الشامي|CHAMI
AL-DIMASHQI|الدمشقي|DIMASHKI AL-YEMENI|اليمني|YAMANI AL-TIKRITI|التكريتي|TIKRITI
AL-ANSARI|الأنصاري|ANSARI AL-KURDI|الكردي|KURDI AL-MAGHRIBI|المغربي|MAGHRIBI
AL-TUNISI|التونسي|TOUNSI AL-JAZAIRI|الجزائري|DJAZAIRI AL-LIBI|الليبي|LIBI
AL-BASRI|البصري|BASRI AL-MOSULI|الموصلي|MOUSSILI AL-HIJAZI|الحجازي|HEGAZY
AL-NAJDI|النجدي|NAJDI AL-SUDANI|السوداني|SOUDANI AL-HOMSI|الحمصي|HOMSI
AL-FARSI|الفارسي|FARSI AL-JABOURI|الجبوري|JUBURI AL-DULAIMI|الدليمي|DULAIMI
AL-ZUBAIDI|الزبيدي|ZUBAIDI AL-HARBI|الحربي|HARBI AL-OTAIBI|العتيبي|OTAIBI
AL-QAHTANI|القحطاني|KAHTANI AL-GHAMDI|الغامدي|GHAMIDI AL-MUTAIRI|المطيري|MUTAIRI
BOUAZIZ|بوعزيز|BOUAZIZI BENNANI|بناني|BANNANI TAZI|التازي|ETTAZI
"""


def _table(text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    out = []
    for entry in text.split():
        latin, arabic, *others = entry.replace("_", " ").split("|")
        out.append((latin, arabic, tuple(others)))
    return tuple(out)


ARABIC = (_table(ARABIC_MALE), _table(ARABIC_FEMALE), _table(ARABIC_SURNAMES))


def arabic_article_variants(latin: str) -> tuple[str, ...]:
    """AL-MASRI is also written ALMASRI, AL MASRI and EL MASRI."""
    for article in ("AL-", "EL-"):
        if latin.startswith(article):
            rest = latin[len(article) :]
            other = "EL-" if article == "AL-" else "AL-"
            return (article[:2] + rest, article[:2] + " " + rest, other + rest)
    return ()


# --------------------------------------------------------------- Cyrillic


def _words(text: str) -> list[str]:
    return text.split()


def _pairs(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split())


RUSSIAN_MALE = _words(
    "Александр Сергей Дмитрий Андрей Алексей Максим Иван Михаил Николай Владимир Евгений Павел"
    " Артём Игорь Олег Юрий Виктор Роман Денис Никита Константин Анатолий Вячеслав Григорий"
    " Фёдор Кирилл Егор Тимур Руслан Станислав Вадим Леонид Борис Георгий Антон Геннадий"
    " Аркадий Валерий Василий Глеб Даниил Эдуард Ефим Захар Лев Марк Матвей Пётр Прохор Савелий"
    " Семён Степан Тихон Ярослав Всеволод Святослав Ростислав Филипп Эрик Арсений Богдан"
)
RUSSIAN_FEMALE = _words(
    "Анна Мария Елена Ольга Татьяна Наталья Ирина Светлана Екатерина Юлия Анастасия Дарья"
    " Ксения Полина Людмила Галина Марина Виктория Алёна Валентина Вера Надежда Любовь Софья Яна"
    " Алина Алиса Ангелина Варвара Василиса Вероника Евгения Елизавета Зоя Инна Кира Лариса"
    " Лидия Майя Милана Нина Оксана Раиса Регина Тамара Ульяна Эльвира Диана Жанна Зинаида"
)
RUSSIAN_SURNAMES = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов"
    " Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев"
    " Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв"
    " Сергеев Фролов Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов"
    " Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев"
    " Щербаков Чернышёв Юдин Покровский Вишневский Жуковский Шевцов Хабибуллин Шамсутдинов"
)
UKRAINIAN_MALE = _words(
    "Олександр Андрій Сергій Дмитро Володимир Юрій Віктор Іван Василь Микола Петро Тарас"
    " Богдан Олег Ігор Євген Максим Роман Михайло Григорій Остап Ярослав Степан Віталій"
    " Валентин Всеволод Данило Захар Кирило Леонід Мирослав Назар Орест Павло Ростислав"
    " Святослав Устим Федір Яків Антон Артем Вадим Борис Геннадій Зиновій Любомир"
)
UKRAINIAN_FEMALE = _words(
    "Олена Оксана Наталія Ірина Тетяна Юлія Ганна Марія Людмила Світлана Катерина Галина"
    " Ольга Вікторія Надія Соломія Христина Леся Дарина Зоряна Богдана Віра Євгенія Злата"
    " Ірина Лариса Любов Мирослава Ніна Роксолана Софія Уляна Анастасія Вероніка Алла Інна"
)
UKRAINIAN_SURNAMES = _words(
    "Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль Поліщук Бойко"
    " Мельник Ковальчук Лисенко Савченко Руденко Петренко Марченко Мороз Павленко Клименко"
    " Кравчук Гончаренко Литвиненко Тимошенко Яценко Кузьменко Левченко Гриценко Симоненко"
    " Приходько Демченко Онищенко Білик Кушнір Головко Романенко Давиденко Зінченко Швець"
    " Сидоренко Харченко Панченко Іваненко Гуменюк Бондар Костенко Пономаренко Кириленко"
    " Мазур Ващенко Дорошенко Яковенко"
)
# The long tail of surnames: stems x endings (Волк+ов, Орл+овский, Шевч+енко).
RU_STEMS = _words(
    "Волк Орл Сокол Ворон Кузнец Рыбак Плотник Гончар Бык Баран Козл Карп Бобр Жук Комар"
    " Гром Мороз Снег Камен Бел Черн Сед Рыж Лыс Толст Долг Смирн Весел Добр Мал Стар Нов"
    " Бор Кедр Дуб Берез Лип Рябин Калин Малин Вишн Лебед Гусак Щегл Зябл Дрозд Скворц"
)
RU_ENDINGS = _words("ов ов ов ин овский ович")
UK_STEMS = _words(
    "Коваль Шевч Бондар Ткач Кравч Мельнич Гончар Рибач Пасіч Кушнір Петр Іван Павл Марч"
    " Левч Мирон Остап Тарас Лук Кирил Данил Семен Гнат Максим Панас Юрч Степан Федор Олекс"
    " Карп Дем Харч Сидор Клим Наум Антон Хом Гордій Яким"
)
UK_ENDINGS = _words("енко енко ук чук ський ишин")

_RU_LATIN = "A B V G D E E ZH Z I I K L M N O P R S T U F KH TS CH SH SHCH IE Y _ E IU IA"
_RU = dict(zip("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ", _words(_RU_LATIN), strict=True))
_UK = {**_RU, "Г": "H", "Ґ": "G", "Є": "IE", "И": "Y", "І": "I", "Ї": "I", "'": "_", "’": "_"}
# Scheme overrides: "A/B" is A at the start of a word or after a vowel, else B;
# "A^B" is A at the start of a word only, else B.
CYRILLIC_SCHEMES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    # ICAO 9303 (Russian passports since 2013)
    "ru_icao": (_RU, {}),
    # Older Russian passports and English-language press (BGN/PCGN-like)
    "ru_bgn": (_RU, _pairs("Е=YE/E Ё=YO/E Й=Y Ю=YU Я=YA Ъ=_")),
    # German (Duden) conventions
    "ru_de": (
        _RU,
        _pairs("В=W Е=JE/E Ё=JO Ж=SCH З=S Й=J Х=CH Ц=Z Ч=TSCH Ш=SCH Щ=SCHTSCH Ю=JU Я=JA"),
    ),
    # French conventions
    "ru_fr": (_RU, _pairs("Ж=J Ш=CH Ч=TCH Щ=CHTCH У=OU Ю=IOU Я=IA Х=KH Й=I Ъ=_")),
    # Ukrainian national system (2010), also used by Ukrainian passports
    "uk_national": (_UK, _pairs("Є=YE^IE Ї=YI^I Й=Y^I Ю=YU^IU Я=YA^IA")),
    # Ukrainian names spelt the Russian way (older Soviet-era documents)
    "uk_russian": (_UK, _pairs("Г=G И=I І=I Й=Y Ю=YU Я=YA")),
    # Ukrainian names in German conventions
    "uk_de": (_UK, _pairs("В=W Ж=SCH З=S Й=J Х=CH Ц=Z Ч=TSCH Ш=SCH Щ=SCHTSCH Ю=JU Я=JA Є=JE")),
}
_VOWELS = set("АЕЁИОУЫЭЮЯЄІЇЬЪ")


def transliterate(text: str, scheme: str) -> str:
    base, over = CYRILLIC_SCHEMES[scheme]
    out = []
    prev = ""
    for ch in text.upper():
        value = over.get(ch) or base.get(ch)
        if value is None:
            out.append(ch)
        else:
            if "/" in value:
                initial, other = value.split("/")
                value = initial if (not prev or prev in _VOWELS or not prev.isalpha()) else other
            elif "^" in value:
                initial, other = value.split("^")
                value = initial if (not prev or not prev.isalpha()) else other
            out.append(value.replace("_", ""))
        prev = ch
    return "".join(out)


def feminine_russian(surname: str) -> str:
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def patronymic(father: str, female: bool, ukrainian: bool) -> str | None:
    """Иванович / Ивановна from Иван; None where the rule would need a dictionary."""
    if ukrainian:
        if father.endswith("ій"):
            return father[:-1] + ("ївна" if female else "йович")
        if father.endswith("й"):
            return father[:-1] + ("ївна" if female else "йович")
        if father[-1] in "аяоь":
            return None
        return father + ("івна" if female else "ович")
    if father.endswith("ий"):
        return father[:-2] + ("ьевна" if female else "ьевич")
    if father.endswith("й"):
        return father[:-1] + ("евна" if female else "евич")
    if father[-1] in "аяоьр" or father in ("Павел", "Лев"):
        return None
    return father + ("овна" if female else "ович")


# ---------------------------------------------------------------- Chinese
# HANZI|PINYIN|WADE-GILES|CANTONESE
CHINESE_SURNAMES = """
王|WANG|WANG|WONG 李|LI|LI|LEE 张|ZHANG|CHANG|CHEUNG 刘|LIU|LIU|LAU 陈|CHEN|CHEN|CHAN
杨|YANG|YANG|YEUNG 黄|HUANG|HUANG|WONG 赵|ZHAO|CHAO|CHIU 周|ZHOU|CHOU|CHOW 吴|WU|WU|NG
徐|XU|HSU|TSUI 孙|SUN|SUN|SUEN 马|MA|MA|MA 朱|ZHU|CHU|CHU 胡|HU|HU|WU 郭|GUO|KUO|KWOK
何|HE|HO|HO 林|LIN|LIN|LAM 高|GAO|KAO|KO 罗|LUO|LO|LAW 郑|ZHENG|CHENG|CHENG 梁|LIANG|LIANG|LEUNG
谢|XIE|HSIEH|TSE 宋|SONG|SUNG|SUNG 唐|TANG|TANG|TONG 许|XU|HSU|HUI 邓|DENG|TENG|TANG
冯|FENG|FENG|FUNG 韩|HAN|HAN|HON 曹|CAO|TSAO|CHO 曾|ZENG|TSENG|TSANG 彭|PENG|PENG|PANG
萧|XIAO|HSIAO|SIU 蔡|CAI|TSAI|CHOI 潘|PAN|PAN|POON 田|TIAN|TIEN|TIN 董|DONG|TUNG|TUNG
袁|YUAN|YUAN|YUEN 叶|YE|YEH|YIP 蒋|JIANG|CHIANG|CHEUNG 杜|DU|TU|TO 苏|SU|SU|SO 魏|WEI|WEI|NGAI
程|CHENG|CHENG|CHING 吕|LYU|LU|LUI 丁|DING|TING|TING 沈|SHEN|SHEN|SHUM 钟|ZHONG|CHUNG|CHUNG
谭|TAN|TAN|TAM 廖|LIAO|LIAO|LIU 陆|LU|LU|LUK 金|JIN|CHIN|KAM 石|SHI|SHIH|SHEK
"""
# HANZI|PINYIN|WADE-GILES|CANTONESE|m, f or u (either)
CHINESE_GIVEN = """
小|XIAO|HSIAO|SIU|u 明|MING|MING|MING|m 伟|WEI|WEI|WAI|m 芳|FANG|FANG|FONG|f 娜|NA|NA|NA|f
敏|MIN|MIN|MAN|u 静|JING|CHING|CHING|f 丽|LI|LI|LAI|f 强|QIANG|CHIANG|KEUNG|m 磊|LEI|LEI|LUI|m
军|JUN|CHUN|KWAN|m 洋|YANG|YANG|YEUNG|u 勇|YONG|YUNG|YUNG|m 艳|YAN|YEN|YIM|f 杰|JIE|CHIEH|KIT|m
涛|TAO|TAO|TO|m 超|CHAO|CHAO|CHIU|m 秀|XIU|HSIU|SAU|f 霞|XIA|HSIA|HA|f 平|PING|PING|PING|u
刚|GANG|KANG|KONG|m 英|YING|YING|YING|f 华|HUA|HUA|WAH|u 建|JIAN|CHIEN|KIN|m 国|GUO|KUO|KWOK|m
志|ZHI|CHIH|CHI|m 文|WEN|WEN|MAN|u 海|HAI|HAI|HOI|m 红|HONG|HUNG|HUNG|f 玉|YU|YU|YUK|f
兰|LAN|LAN|LAN|f 晓|XIAO|HSIAO|HIU|u 宇|YU|YU|YU|m 浩|HAO|HAO|HO|m 俊|JUN|CHUN|CHUN|m
嘉|JIA|CHIA|KA|u 欣|XIN|HSIN|YAN|f 怡|YI|YI|YEE|f 婷|TING|TING|TING|f 慧|HUI|HUI|WAI|f
子|ZI|TZU|TSZ|u 天|TIAN|TIEN|TIN|m 思|SI|SSU|SZE|u 雨|YU|YU|YU|f 博|BO|PO|POK|m 辉|HUI|HUI|FAI|m
鹏|PENG|PENG|PANG|m 飞|FEI|FEI|FEI|m 燕|YAN|YEN|YIN|f 梅|MEI|MEI|MUI|f 春|CHUN|CHUN|CHUN|u
东|DONG|TUNG|TUNG|m 永|YONG|YUNG|WING|m 德|DE|TE|TAK|m 荣|RONG|JUNG|WING|u 安|AN|AN|ON|u
林|LIN|LIN|LAM|u 新|XIN|HSIN|SAN|u 宏|HONG|HUNG|WANG|m
"""


def _chinese(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(entry.split("|")) for entry in text.split())


CHINESE = (_chinese(CHINESE_SURNAMES), _chinese(CHINESE_GIVEN))
