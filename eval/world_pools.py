"""Name tables for the world set (``world_set.py``): a person's name as a notice writes it
(Latin, the spelling the person's own passport uses by national convention) beside the
same name in the script of the person's country, written from public naming conventions
(ICAO 9303 part 3, national passport practice, the Revised Romanisation of Korean,
Hepburn, ELOT 743, the Georgian and Armenian national systems, RTGS, UNGEGN Khmer).

Entries are ``LATIN=native`` separated by spaces; ``|`` separates the surnames from
the given names. Independent of any library's tests and of the matcher's own tables.
"""

from __future__ import annotations

# script -> (nationality, "surnames | given names")
SCRIPTS: dict[str, tuple[str, str]] = {
    "arabic": (
        "EGY",
        """
        HADDAD=حداد KHOURY=خوري MANSOUR=منصور AL-MASRI=المصري NASSER=ناصر HAMDAN=حمدان
        SALEH=صالح QASSEM=قاسم ABBAS=عباس HASSAN=حسن OTHMAN=عثمان AL-HASHIMI=الهاشمي
        SHALABI=شلبي AZIZ=عزيز FARAH=فرح BAKR=بكر DARWISH=درويش KARAM=كرم SULTAN=سلطان
        | AHMED=أحمد MOHAMMED=محمد KHALED=خالد OMAR=عمر YOUSSEF=يوسف TAREK=طارق SAMI=سامي
        WALID=وليد KARIM=كريم JAMAL=جمال FAISAL=فيصل HAMZA=حمزة BILAL=بلال NABIL=نبيل
        RAMI=رامي ZIAD=زياد FATIMA=فاطمة LAYLA=ليلى MARYAM=مريم NOUR=نور""",
    ),
    "arabic_of_latin": (
        "USA",
        """
        MCCONNELL=ماكونيل SMITH=سميث JOHNSON=جونسون BROWN=براون MILLER=ميلر WILSON=ويلسون
        TAYLOR=تايلور ANDERSON=أندرسون THOMPSON=تومسون MARTIN=مارتن WHITE=وايت CLARK=كلارك
        ROBINSON=روبنسون WALKER=ووكر CARTER=كارتر PARKER=باركر
        | MITCH=ميتش JOHN=جون MICHAEL=مايكل DAVID=ديفيد JAMES=جيمس ROBERT=روبرت PETER=بيتر
        GEORGE=جورج THOMAS=توماس MARK=مارك PAUL=بول SARAH=سارة MARIA=ماريا LINDA=ليندا
        HELEN=هيلين KEVIN=كيفن""",
    ),
    "persian_of_latin": (
        "USA",
        """
        MCCONNELL=مکانل SMITH=اسمیت JOHNSON=جانسون BROWN=براون MILLER=میلر TAYLOR=تیلور
        MARTIN=مارتین CLARK=کلارک WALKER=واکر CARTER=کارتر PARKER=پارکر WILSON=ویلسون
        | MITCH=میچ JOHN=جان MICHAEL=مایکل DAVID=دیوید JAMES=جیمز ROBERT=رابرت PETER=پیتر
        GEORGE=جورج THOMAS=توماس SARAH=سارا MARIA=ماریا KEVIN=کوین""",
    ),
    "persian": (
        "IRN",
        """
        HOSSEINI=حسینی REZAEI=رضایی MOHAMMADI=محمدی AHMADI=احمدی KARIMI=کریمی RAHIMI=رحیمی
        MOUSAVI=موسوی JAFARI=جعفری HASHEMI=هاشمی SADEGHI=صادقی TEHRANI=تهرانی
        GHORBANI=قربانی NAZARI=نظری
        | ALI=علی REZA=رضا HASSAN=حسن MEHDI=مهدی HAMID=حمید MAJID=مجید SAEED=سعید
        MARYAM=مریم ZAHRA=زهرا FATEMEH=فاطمه DARIUSH=داریوش BABAK=بابک""",
    ),
    "belarusian": (
        "BLR",
        """
        PUTIN=Пуцін LAVROV=Лаўроў IVANOV=Іваноў PETROV=Пятроў SMIRNOV=Смірноў VOLKOV=Волкаў
        KOZLOV=Казлоў SOKOLOV=Сакалоў NOVIKOV=Навікоў MOROZOV=Марозаў POPOV=Папоў
        ZAKHAROV=Захараў ORLOV=Арлоў
        | VLADIMIR=Уладзімір SERGEI=Сяргей ALEKSANDR=Аляксандр DMITRII=Дзмітрый
        NIKOLAI=Мікалай MIKHAIL=Міхаіл ANDREI=Андрэй ALEKSEI=Аляксей IVAN=Іван PAVEL=Павел
        VIKTOR=Віктар IURII=Юрый OLEG=Алег""",
    ),
    "ukrainian": (
        "UKR",
        """
        PUTIN=Путін LAVROV=Лавров IVANOV=Іванов PETROV=Петров SMIRNOV=Смірнов VOLKOV=Волков
        KOZLOV=Козлов SOKOLOV=Соколов NOVIKOV=Новіков MOROZOV=Морозов POPOV=Попов
        ZAKHAROV=Захаров ORLOV=Орлов
        | VLADIMIR=Володимир SERGEI=Сергій ALEKSANDR=Олександр DMITRII=Дмитро
        NIKOLAI=Микола MIKHAIL=Михайло ANDREI=Андрій ALEKSEI=Олексій IVAN=Іван PAVEL=Павло
        VIKTOR=Віктор IURII=Юрій OLEG=Олег""",
    ),
    "hangul": (
        "KOR",
        """
        KIM=김 LEE=이 PARK=박 CHOI=최 JUNG=정 KANG=강 CHO=조 YOON=윤 JANG=장 LIM=임 HAN=한
        OH=오 SEO=서 SHIN=신 KWON=권 HWANG=황 AHN=안 SONG=송 YOO=유 HONG=홍
        | MIN-JUN=민준 SEO-YEON=서연 JI-HOON=지훈 JI-WOO=지우 HYUN-WOO=현우 SOO-JIN=수진
        JONG-UN=정은 YOUNG-HO=영호 SUNG-MIN=성민 EUN-JI=은지 HYE-JIN=혜진 DONG-HYUN=동현
        JAE-SUNG=재성 SANG-WOO=상우 MIN-SEO=민서 JOON-HO=준호""",
    ),
    "han": (
        "CHN",
        """
        WANG=王 LI=李 ZHANG=张 LIU=刘 CHEN=陈 YANG=杨 HUANG=黄 ZHAO=赵 WU=吴 ZHOU=周 XU=徐
        SUN=孙 MA=马 ZHU=朱 HU=胡 GUO=郭 HE=何 LIN=林 LUO=罗 GAO=高
        | WEI=伟 FANG=芳 XIUYING=秀英 NA=娜 MIN=敏 JING=静 LEI=磊 QIANG=强 JUN=军 YONG=勇
        YAN=艳 JIE=杰 TAO=涛 MING=明 CHAO=超 XIAOMING=小明 JIANGUO=建国 HAIYAN=海燕
        ZHIQIANG=志强 JINPING=近平""",
    ),
    "kana": (
        "JPN",
        """
        SATO=さとう SUZUKI=すずき TAKAHASHI=タカハシ TANAKA=たなか WATANABE=ワタナベ
        ITO=いとう YAMAMOTO=やまもと NAKAMURA=ナカムラ KOBAYASHI=こばやし KATO=カトウ
        YOSHIDA=よしだ YAMADA=ヤマダ SASAKI=ささき MATSUMOTO=マツモト INOUE=いのうえ
        | HIROSHI=ひろし TAKESHI=タケシ KENJI=けんじ YUKI=ユキ AKIRA=あきら TARO=タロウ
        ICHIRO=いちろう SHOHEI=ショウヘイ YUMIKO=ゆみこ KEIKO=ケイコ HARUKI=はるき
        NAOMI=なおみ SHINJI=シンジ RYOTA=りょうた""",
    ),
    "kanji": (
        "JPN",
        """
        SATO=佐藤 SUZUKI=鈴木 TAKAHASHI=高橋 TANAKA=田中 WATANABE=渡辺 ITO=伊藤
        YAMAMOTO=山本 NAKAMURA=中村 KOBAYASHI=小林 KATO=加藤 YOSHIDA=吉田 YAMADA=山田
        MATSUMOTO=松本 INOUE=井上 KIMURA=木村
        | TARO=太郎 ICHIRO=一郎 HIROSHI=博 TAKESHI=武 KENJI=健二 MAKOTO=誠 AKIRA=明
        YUMIKO=由美子 KEIKO=恵子 NAOKI=直樹 HARUKI=春樹 SHOHEI=翔平""",
    ),
    "hebrew": (
        "ISR",
        """
        COHEN=כהן LEVI=לוי MIZRAHI=מזרחי PERETZ=פרץ BITON=ביטון DAHAN=דהן AVRAHAM=אברהם
        FRIEDMAN=פרידמן AZOULAY=אזולאי KATZ=כץ YOSEF=יוסף SHAPIRO=שפירא GOLDBERG=גולדברג
        NETANYAHU=נתניהו BEN-DAVID=בן-דוד
        | DAVID=דוד MOSHE=משה YOSEF=יוסף DANIEL=דניאל YAAKOV=יעקב MICHAEL=מיכאל ARIEL=אריאל
        NOAM=נועם BINYAMIN=בנימין SARAH=שרה RACHEL=רחל MIRIAM=מרים TAMAR=תמר YAEL=יעל
        ITZHAK=יצחק""",
    ),
    "greek": (
        "GRC",
        """
        PAPADOPOULOS=Παπαδόπουλος GEORGIOU=Γεωργίου NIKOLAOU=Νικολάου IOANNOU=Ιωάννου
        PAPADAKIS=Παπαδάκης KARAGIANNIS=Καραγιάννης VASILEIOU=Βασιλείου DIMITRIOU=Δημητρίου
        KONSTANTINIDIS=Κωνσταντινίδης TSIPRAS=Τσίπρας MITSOTAKIS=Μητσοτάκης
        | GEORGIOS=Γεώργιος DIMITRIOS=Δημήτριος KONSTANTINOS=Κωνσταντίνος IOANNIS=Ιωάννης
        NIKOLAOS=Νικόλαος ALEXIS=Αλέξης MARIA=Μαρία ELENI=Ελένη AIKATERINI=Αικατερίνη
        SOFIA=Σοφία KYRIAKOS=Κυριάκος PANAGIOTIS=Παναγιώτης""",
    ),
    "georgian": (
        "GEO",
        """
        SAAKASHVILI=სააკაშვილი KAPANADZE=კაპანაძე BERIDZE=ბერიძე GELASHVILI=გელაშვილი
        MAISURADZE=მაისურაძე GIORGADZE=გიორგაძე LOMIDZE=ლომიძე TSIKLAURI=წიკლაური
        BOLKVADZE=ბოლქვაძე KHARAISHVILI=ხარაიშვილი
        | MIKHEIL=მიხეილ GIORGI=გიორგი DAVIT=დავით NINO=ნინო TAMAR=თამარ LEVAN=ლევან
        IRAKLI=ირაკლი ZURAB=ზურაბ NIKOLOZ=ნიკოლოზ KETEVAN=ქეთევან""",
    ),
    "armenian": (
        "ARM",
        """
        PASHINYAN=Փաշինյան SARGSYAN=Սարգսյան HAKOBYAN=Հակոբյան GRIGORYAN=Գրիգորյան
        HARUTYUNYAN=Հարությունյան KHACHATRYAN=Խաչատրյան PETROSYAN=Պետրոսյան
        VARDANYAN=Վարդանյան MKRTCHYAN=Մկրտչյան GEVORGYAN=Գևորգյան
        | NIKOL=Նիկոլ ARMEN=Արմեն TIGRAN=Տիգրան ARAM=Արամ NAREK=Նարեկ DAVIT=Դավիթ ANI=Անի
        LUSINE=Լուսինե ANNA=Աննա GOHAR=Գոհար""",
    ),
    "thai": (
        "THA",
        """
        SHINAWATRA=ชินวัตร SUWANNARAT=สุวรรณรัตน์ SAETANG=แซ่ตั้ง SRISUK=ศรีสุข
        WONGSAWAT=วงศ์สวัสดิ์ BOONMA=บุญมา CHAIYAPORN=ชัยพร RATTANAKORN=รัตนากร
        PHROMMA=พรหมมา SANGSRI=แสงศรี KAEWKLA=แก้วกล้า
        | THAKSIN=ทักษิณ SOMCHAI=สมชาย SOMSAK=สมศักดิ์ PRAYUT=ประยุทธ์ SUDARAT=สุดารัตน์
        NATTAPONG=ณัฐพงศ์ WICHAI=วิชัย MALEE=มาลี SIRIPORN=ศิริพร KANYA=กัญญา
        SOMPONG=สมพงษ์ ANAN=อนันต์""",
    ),
    "khmer": (
        "KHM",
        """
        HUN=ហ៊ុន SOK=សុខ KEO=កែវ MEAS=មាស TEP=ទេព CHEA=ជា CHAN=ចាន់ SIM=ស៊ីម NHEM=ញឹម
        KONG=គង់ PRAK=ប្រាក់ LIM=លឹម
        | SEN=សែន SOKHA=សុខា VANNA=វណ្ណា DARA=តារា SREY=ស្រី PISETH=ពិសិដ្ឋ SOPHEA=សោភា
        RATHA=រដ្ឋា CHANTHA=ចន្ថា BOPHA=បុប្ផា VISAL=វិសាល""",
    ),
    "devanagari": (
        "IND",
        """
        MODI=मोदी SHARMA=शर्मा VERMA=वर्मा GUPTA=गुप्ता SINGH=सिंह KUMAR=कुमार YADAV=यादव
        PATEL=पटेल JOSHI=जोशी MISHRA=मिश्रा CHAUHAN=चौहान PANDEY=पांडे TIWARI=तिवारी
        | NARENDRA=नरेन्द्र RAHUL=राहुल AMIT=अमित SUNIL=सुनील RAJESH=राजेश PRIYA=प्रिया
        SUNITA=सुनीता ANIL=अनिल VIJAY=विजय DEEPAK=दीपक POOJA=पूजा RAVI=रवि ARJUN=अर्जुन""",
    ),
    "bengali": (
        "BGD",
        """
        HASINA=হাসিনা RAHMAN=রহমান HOSSAIN=হোসেন ISLAM=ইসলাম CHOWDHURY=চৌধুরী
        AHMED=আহমেদ KHAN=খান SARKAR=সরকার DAS=দাস BISWAS=বিশ্বাস MIAH=মিয়া
        | SHEIKH=শেখ KARIM=করিম RAHIM=রহিম FATEMA=ফাতেমা NASRIN=নাসরিন RUMANA=রুমানা
        SHAKIB=সাকিব TAMIM=তামিম ANWAR=আনোয়ার JAMAL=জামাল SALMA=সালমা""",
    ),
}

# Russian names (Cyrillic), for the Hungarian and Latvian renderings of a notice's
# ICAO spelling (PUTIN VLADIMIR: PUTYIN VLAGYIMIR, PUTINS VLADIMIRS).
RUSSIAN = (
    "Путин Лавров Иванов Петров Смирнов Волков Козлов Соколов Новиков Морозов Попов Захаров"
    " Орлов Медведев Никитин Зайцев Шувалов Нарышкин Дягилев Тютчев"
    " | Владимир Сергей Александр Дмитрий Николай Михаил Андрей Алексей Иван Павел Виктор"
    " Юрий Олег Игорь Денис Вячеслав Геннадий Никита Евгений Вадим"
)

# Latin names whose holders' documents run parts together or split them elsewhere, drop
# or add parts (South Asian, Afghan, Arab): surnames | given names, by region.
SOUTH_ASIAN = (
    "CHOUDARY MAHMOOD IQBAL HUSSAIN MALIK QURESHI SIDDIQUI BUTT AKHTAR RAZA STANEKZAI"
    " KARZAI POPALZAI YUSUFZAI NOORZAI AHMADZAI BAIG MIRZA"
    " | ANJEM IFTIKHAR IMRAN TARIQ SHER ABBAS NASIR ZAHID AMJAD ASIF KAMRAN FAROOQ SAJID"
    " WAQAS BILAL NAVEED HAMID AJMAL HAMEED ZUBAIR ANWAR RASHID KHALIL"
)
LATIN = (
    "NKUNDA PUTIN MERKEL MACRON KOWALCZYK FERREIRA LINDQVIST OKONKWO MBEKI KAGAME SCHNEIDER"
    " BERNARDI MORETTI DUBOIS LAURENT VASQUEZ ALVARENGA KOVACEVIC HORVATH NOVAK JANSSEN"
    " DEVRIES OLSEN HANSEN OKAFOR ADEYEMI MWANGI OTIENO"
    " | LAURENT VLADIMIR ANGELA EMMANUEL JOANNA PAULO INGRID CHINEDU THABO PAUL FRIEDRICH"
    " GIULIA MATTEO CLAIRE ANTOINE CARMEN RODRIGO MILAN TOMAS LUKAS SANNE ERIK FREJA NGOZI"
    " OLUWASEUN WANJIRU ODHIAMBO ALEXANDER"
)

# Different people: given names that look alike but are not spellings of one another.
SIMILAR_GIVEN = """
MAHIR:MAHATHIR TIGRAN:TIGER ANGELO:ANGELA MARIO:MARIUS SAMIR:SAMI AMIR:AMIN HASSAN:HASHEM
JAMAL:JAMIL NABIL:NABIH RASHID:RASHAD ARTUR:ARTEM BORIS:BOGDAN OMAR:OMID KARIM:KARAMAT
IVAN:IVO MARCO:MARCEL LUCIA:LUCIANA FRANCO:FRANCESCO JULIAN:JULIO
ANTON:ANTONIN ALI:ALIM ADNAN:ADAM NATASHA:NATALIA
VIKTOR:VIKTORIA RUSLAN:RUSTAM TIMUR:TIMOFEI FARID:FARIDUN
ARMEN:ARMAND KAMIL:KAMAL HAMID:HAMDI SALIM:SALMAN MAHMOUD:MAHDI
"""
# Surnames that sound alike but are other families' names.
SIMILAR_SURNAME = """
BARAKHOEV:BARKHANOEV MAROGHASHVILI:MARGOSHVILI RONALDINHO:RONALDO MERKEL:MERCAZ
KOVALENKO:KOVALCHUK PETROVSKI:PETRESCU HERNANDEZ:HERRERA GONZALEZ:GONZAGA MARTINEZ:MARTELLI
SCHNEIDER:SCHNEEBERGER SIMONOV:SIMONYAN KARIMOV:KARIMI
ABDULLAEV:ABDULOV NAZAROV:NAZARBAYEV RAHMANOV:RAHIMOV TSIKLAURI:TSIKARISHVILI
BERIDZE:BERISHVILI MAMEDOV:MAMONTOV ALIEV:ALIKHANOV
SOKOLOV:SOKOLOWSKI DRAGANOV:DRAGOMIROV FERRARO:FERRANTI
MOHAMMADI:MOHAMMADZADEH HOSSEINI:HOSSEINPOUR ROSSINI:ROSSETTI BIANCHI:BIANCARDI
"""
