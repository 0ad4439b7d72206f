"""Demo pages for parents: two pages the region shares, two of Haarlem's own, with translations in
English, Arabic and Ukrainian; one Arabic translation is left behind the Dutch text on purpose, so the
editors' status table and the reader's notice have something to show."""

from accounts.demo import DemoContext
from parents import services
from parents.models import InfoPage, Topic

PAGES = [
    (
        "region",
        Topic.SCHOOL_SYSTEM,
        {
            "nl": (
                "Het Nederlandse schoolsysteem",
                "Kinderen gaan vanaf **4 jaar** naar de basisschool (groep 1 tot en met 8). Vanaf de eerste "
                "schooldag van de maand na de **5e verjaardag** is school verplicht.\n\n"
                "Rond **12 jaar** gaan kinderen naar de middelbare school: vmbo, havo of vwo. De basisschool "
                "geeft een advies.\n\n- School is gratis; scholen vragen soms een vrijwillige bijdrage.\n"
                "- Tot 18 jaar leert uw kind op school of met werk en school samen.",
            ),
            "en": (
                "The Dutch school system",
                "Children go to primary school from **age 4** (groups 1 to 8). School is compulsory from the "
                "first school day of the month after the **5th birthday**.\n\n"
                "At about **12** children move to secondary school: vmbo, havo or vwo. The primary school "
                "gives advice.\n\n- School is free; schools sometimes ask a voluntary contribution.\n"
                "- Until 18 your child learns at school, or with work and school together.",
            ),
            "ar": (
                "النظام المدرسي الهولندي",
                "يذهب الأطفال إلى المدرسة الابتدائية من **سن 4 سنوات** (المجموعات 1 إلى 8). التعليم إلزامي "
                "ابتداءً من أول يوم دراسي في الشهر الذي يلي **عيد الميلاد الخامس**.\n\n"
                "في سن **12 سنة** تقريبًا ينتقل الأطفال إلى المدرسة الثانوية.\n\n"
                "- المدرسة مجانية؛ وقد تطلب المدارس أحيانًا مساهمة طوعية.",
            ),
            "uk": (
                "Шкільна система Нідерландів",
                "Діти йдуть до початкової школи з **4 років** (групи 1–8). Навчання обов'язкове з першого "
                "шкільного дня місяця після **5-го дня народження**.\n\n"
                "Приблизно у **12 років** діти переходять до середньої школи: vmbo, havo або vwo.\n\n"
                "- Школа безкоштовна; іноді школи просять добровільний внесок.",
            ),
        },
    ),
    (
        "region",
        Topic.NEWCOMER_CLASSES,
        {
            "nl": (
                "Nieuwkomersklassen (ITK en ISK)",
                "Is uw kind net in Nederland? Dan leert het vaak eerst een jaar Nederlands in een "
                "**nieuwkomersklas**: de ITK voor de basisschoolleeftijd, de ISK voor 12 tot 18 jaar. "
                "Daarna gaat uw kind naar een gewone school, met een **maatje** dat helpt.",
            ),
            "en": (
                "Newcomer classes (ITK and ISK)",
                "Is your child new in the Netherlands? Then they often first learn Dutch for a year in a "
                "**newcomer class**: the ITK for primary-school ages, the ISK for 12 to 18. After that your "
                "child goes to a regular school, with a **buddy** who helps.",
            ),
            "uk": (
                "Класи для новоприбулих (ITK та ISK)",
                "Ваша дитина щойно приїхала до Нідерландів? Тоді вона часто спершу рік вивчає нідерландську "
                "в **класі для новоприбулих**: ITK для віку початкової школи, ISK для 12–18 років.",
            ),
        },
    ),
    (
        "Haarlem",
        Topic.REGISTRATION,
        {
            "nl": (
                "Uw kind aanmelden in Haarlem",
                "Meld uw kind aan bij een school in de buurt. De school meldt uw kind bij het **centraal "
                "meldpunt nieuwkomers**, dat een plek in een nieuwkomersklas zoekt.\n\n"
                "Vragen? Bel het meldpunt: [023 511 5000](tel:0235115000).",
            ),
            "en": (
                "Registering your child in Haarlem",
                "Register your child at a school nearby. The school reports your child to the **central "
                "newcomer desk**, which finds a place in a newcomer class.\n\n"
                "Questions? Call the desk: [023 511 5000](tel:0235115000).",
            ),
            "ar": (
                "تسجيل طفلك في هارلم",
                "سجّل طفلك في مدرسة قريبة. تُبلغ المدرسة **مكتب الوافدين الجدد** الذي يبحث عن مكان في صف "
                "للوافدين الجدد.",
            ),
        },
    ),
]


def seed(ctx: DemoContext) -> None:
    editor = ctx.users.get("municipal") or next(iter(ctx.users.values()))
    for owner_name, topic, texts in PAGES:
        owner = ctx.region if owner_name == "region" else ctx.municipalities[owner_name]
        if InfoPage.objects.filter(organisation=owner, topic=topic).exists():
            continue
        title, body = texts["nl"]
        page = services.create_page(owner, editor, title=title, body=body, topic=topic)
        for language, (t_title, t_body) in texts.items():
            if language != "nl":
                services.save_translation(page, editor, language, title=t_title, body=t_body)
        services.update_source(page, editor, title=title, body=body, topic=topic, order=0, published=True)
        if topic == Topic.REGISTRATION:
            # The desk's opening hours were added after the Arabic translation: it is now behind.
            services.update_source(
                page, editor, title=title, body=body + "\n\nHet meldpunt is open op werkdagen van 9 tot 17 uur.",
                topic=topic, order=0, published=True,
            )  # fmt: skip
