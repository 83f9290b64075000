"""Curated multilingual crisis vocabulary: concepts shared across en, fr, es, ar, he, uk, ru, ht.

Why: the shipped training data is English (plus some Spanish, French and Haitian Creole), so
an n-gram model knows nothing about Arabic, Hebrew or Cyrillic text. Each *concept* below
(e.g. ``airstrike``) is one feature whatever language fired it; a model that learned what
the concept means on English data applies it to a Ukrainian post that says "обстріл". The
same concepts drive the rules for hazards and needs that the corpora do not label
(explosions, landslides, communications, evacuation, ...).

Notation: a term is matched at a word start (after an optional Arabic or Hebrew clitic
prefix such as ``ال``/``و``/``ב``/``ה``); a trailing ``*`` makes it a stem (any ending),
otherwise the term must end at a word end. Terms are casefolded; multi-word terms match
across single spaces. These lists were written for tocsin; they contain no corpus text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGS = ("en", "fr", "es", "ar", "he", "uk", "ru", "ht")


@dataclass(frozen=True, slots=True)
class Concept:
    """A crisis notion and what it implies: a hazard, a need and/or an information type."""

    name: str
    hazard: str | None = None
    need: str | None = None
    info: str | None = None
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _c(name: str, *, hazard: str | None = None, need: str | None = None,
       info: str | None = None, **terms: str) -> Concept:
    """Build a concept from ``lang="term1|term2|..."`` keyword strings (compact to read)."""
    return Concept(name, hazard, need, info,
                   {lang: tuple(t.strip() for t in s.split("|") if t.strip())
                    for lang, s in terms.items()})


CONCEPTS: tuple[Concept, ...] = (
    # ---------------------------------------------------------------- hazards
    _c("earthquake", hazard="earthquake",
       en="earthquake*|quake*|tremor*|aftershock*|seismic|magnitude",
       fr="séisme*|seisme*|tremblement* de terre|secousse*|sismique*",
       es="terremoto*|sismo*|temblor*|réplica*|sísmic*",
       ar="زلزال*|زلازل|هزة أرضية|هزات ارتدادية|هزة ارتدادية|الهزة",
       he="רעידת אדמה|רעידות אדמה|רעש אדמה|רעידת|רעידות",
       uk="землетрус*|підземн* поштовх*|поштовх*|сейсміч*",
       ru="землетрясени*|подземн* толч*|толчк*|толчок|сейсмич*",
       ht="tranbleman*|goudougoudou|latè tranble|sezis*"),
    _c("flood", hazard="flood",
       en="flood*|inundat*|flash flood*|overflow*|submerged|high water",
       fr="inondation*|inondé*|crue*|submergé*",
       es="inundaci*|inundad*|riada*|crecida*|desbord*",
       ar="فيضان*|فيضانات|سيول|السيول|غرق المنازل|غمرت المياه",
       he="שיטפון*|שיטפונות|הצפה|הצפות|הוצפו",
       uk="повін*|повені|паводк*|затоплен*|підтоплен*",
       ru="наводнени*|паводк*|затоплен*|подтоплен*|потоп*",
       ht="inondasyon*|lavalas|dlo desann|dlo monte|rivyè desann"),
    _c("storm", hazard="storm",
       en="hurricane*|typhoon*|cyclone*|tropical storm*|storm*|tornado*|landfall|winds",
       fr="ouragan*|cyclone*|typhon*|tempête*|tempete*|tornade*",
       es="huracán*|huracan*|tifón*|tifon*|ciclón*|ciclon*|tormenta*|tornado*",
       ar="إعصار*|اعصار*|أعاصير|عاصفة*|عواصف|العاصفة",
       he="הוריקן|סופה|סופת|סערה|טייפון|ציקלון|טורנדו",
       uk="ураган*|тайфун*|циклон*|шторм*|буря|бурі|смерч*|торнадо",
       ru="ураган*|тайфун*|циклон*|шторм*|буря|бури|смерч*|торнадо",
       ht="siklòn*|siklon*|ouragan*|tanpèt*|tanpet*|van fò"),
    _c("wildfire", hazard="wildfire",
       en="wildfire*|bushfire*|forest fire*|brush fire*|grass fire*|blaze*|firefighter*",
       fr="incendie*|feu de forêt|feux de forêt|pompier*",
       es="incendio*|fuego forestal|bombero*",
       ar="حريق*|حرائق|النيران|ألسنة اللهب|الإطفاء",
       he="שריפה|שריפת|שריפות|שרפה|שרפות|דליקה|כבאים|כבאות",
       uk="пожеж*|лісов* пожеж*|вогонь|полум*",
       ru="пожар*|лесн* пожар*|возгорани*|огонь|плам*",
       ht="dife|ensandi|ponpye"),
    _c("explosion", hazard="explosion",
       en="explosion*|blast*|explod*|detonat*|ammonium nitrate",
       fr="explosion*|déflagration*|explos*",
       es="explosión*|explosion*|explot*|estallido*|deflagración",
       ar="انفجار*|تفجير*|انفجارات|دوي",
       he="פיצוץ*|התפוצצות|פיצוצים",
       uk="вибух*",
       ru="взрыв*",
       ht="eksplozyon*|eksploze"),
    _c("armed_conflict", hazard="armed_conflict",
       en="airstrike*|air strike*|air raid*|shelling|shelled|bombard*|bombing*|artillery|"
          "missile*|rocket fire|rockets|drone strike*|drone attack*|gunfire|gunmen|militia*|"
          "siege*|besieged|ceasefire|cease-fire|clashes|fighting|war|frontline*|front line*|"
          "troops|sniper*|mortar*|armed group*|insurgent*|militants|military",
       fr="frappe* aérienne*|frappes|raid* aérien*|bombardement*|bombardé*|obus|pilonn*|"
          "missile*|roquette*|siège|assiég*|combats|affrontements|guerre|tirs|cessez-le-feu|"
          "milice*|drone*|groupe* armé*|militaire*|artillerie",
       es="bombarde*|ataque* aéreo*|obús|obuses|proyectil*|misil*|cohete*|asedio*|sitiad*|"
          "combates|enfrentamientos|guerra|tiroteo*|alto el fuego|milicia*|dron*|"
          "grupo* armado*|militar*|artillería",
       ar="غارة|غارات|قصف|القصف|صاروخ*|صواريخ|قذيفة|قذائف|حصار|محاصر*|اشتباكات|معارك|"
          "حرب|الحرب|مسيرة|مسيّرة|هجوم|اقتحام|قناص*|مسلحين|مسلحون|ميليشيا*|جيش|العسكري*|"
          "وقف إطلاق النار|مدفعية",
       he="תקיפה אווירית|תקיפות|תקיפת|הפצצה|הפצצות|הפגזה|הפגזות|טיל|טילים|רקטה|רקטות|"
          "מצור|קרבות|מלחמה|ירי|כטב\"ם|כטבמ|רחפן נפץ|מחבלים|צבא|הפסקת אש|ארטילריה|יירוט",
       uk="авіаудар*|авіанальот*|обстріл*|бомбардуван*|ракет*|снаряд*|облог*|блокад*|бої|"
          "боях|"
          "війн*|дрон*|шахед*|артилер*|окупант*|бойов*|військов*|перемир*|прильот*|"
          "безпілотник*",
       ru="авиаудар*|авианалет*|авианалёт*|обстрел*|бомбардировк*|бомбёжк*|бомбежк*|ракет*|"
          "снаряд*|осад*|осажд*|блокад*|бои|боях|войн*|артиллер*|беспилотник*|дрон*|боевик*|военн*|"
          "перемири*|прилет*|прилёт*",
       ht="bonbadman*|atak*|lagè|gang ame|gang yo|tire bal|bal mawon|zam|fiziyad*|"
          "kidnapin*|militè"),
    _c("disease_outbreak", hazard="disease_outbreak",
       en="outbreak*|epidemic*|pandemic*|cholera|ebola|measles|mers|dengue|infection*|"
          "virus*|quarantine*|vaccin*|symptom*",
       fr="épidémie*|epidemie*|pandémie*|choléra|cholera|rougeole|ebola|virus|quarantaine|"
          "vaccin*|symptôme*",
       es="epidemia*|pandemia*|brote*|cólera|colera|sarampión|ébola|ebola|virus|"
          "cuarentena*|vacun*|síntoma*|dengue",
       ar="وباء|الوباء|تفشي|الكوليرا|كوليرا|إيبولا|ايبولا|حصبة|الحصبة|فيروس*|عدوى|"
          "حجر صحي|لقاح*|كورونا",
       he="מגפה|מגיפה|התפרצות|כולרה|אבולה|חצבת|נגיף|וירוס|הדבקה|בידוד|חיסון*",
       uk="епідемі*|пандемі*|спалах*|холер*|кір|кору|вірус*|інфекці*|карантин*|вакцин*",
       ru="эпидеми*|пандеми*|вспышк*|холер*|корь|кори|вирус*|инфекци*|карантин*|вакцин*",
       ht="epidemi*|kolera|maladi|viris|vaksen*|karantèn"),
    _c("transport_accident", hazard="transport_accident",
       en="derail*|plane crash*|air crash*|train crash*|bus crash*|shipwreck*|capsiz*|"
          "collision*|car crash*|ferry sank|boat sank|sank",
       fr="déraill*|accident d'avion|crash|naufrage*|chavir*|collision*|accident de train|"
          "accident de bus",
       es="descarril*|accidente aéreo|accidente de avión|naufragio*|naufrag*|choque*|"
          "accidente de tren|accidente de autobús|volcó|zozobr*",
       ar="تحطم طائرة|سقوط طائرة|تحطم|حادث قطار|غرق سفينة|غرق قارب|غرق مركب|انقلاب حافلة|"
          "حادث سير|تصادم|اصطدام",
       he="התרסקות|התרסקה|תאונת רכבת|תאונת דרכים|תאונה|טביעת|התנגשות|ירידה מהפסים",
       uk="авіакатастроф*|катастроф* літака|аварі*|зіткнен*|зійшов з рейок|корабельн*|"
          "затону*|дтп",
       ru="авиакатастроф*|крушени*|авари*|столкновени*|сход* с рельс*|сошел с рельс*|"
          "затону*|дтп",
       ht="aksidan*|kanntè chavire|bato chavire|chavire|kamyon chavire"),
    _c("landslide", hazard="landslide",
       en="landslide*|mudslide*|rockslide*|avalanche*|mudflow*|sinkhole*",
       fr="glissement* de terrain|coulée* de boue|éboulement*|avalanche*",
       es="deslizamiento*|alud*|avalancha*|derrumbe*|deslave*|corrimiento* de tierra",
       ar="انهيار أرضي|انهيارات أرضية|انزلاق*|انهيار صخري|انهيارات طينية|انجراف*",
       he="מפולת|מפולות|גלישת קרקע|מפולת בוץ|מפולת שלגים",
       uk="зсув*|лавин*|сел|селі|селев*|обвал*",
       ru="оползн*|оползен*|лавин*|сель|селев*|обвал*",
       ht="glisman tè|tè glise|lavalas labou|mòn desann"),
    _c("drought", hazard="drought_or_food_insecurity",
       en="drought*|famine*|starvation|starving|starve*|malnutrition|malnourished|"
          "food insecurity|food crisis|crop failure*",
       fr="sécheresse*|secheresse*|famine*|malnutrition|malnutri*|insécurité alimentaire|"
          "crise alimentaire",
       es="sequía*|sequia*|hambruna*|desnutrición|desnutrid*|inseguridad alimentaria|"
          "crisis alimentaria",
       ar="جفاف|الجفاف|مجاعة|المجاعة|سوء التغذية|الجوع|انعدام الأمن الغذائي|التجويع",
       he="בצורת|רעב|הרעבה|תת-תזונה|תת תזונה|חוסר ביטחון תזונתי",
       uk="посух*|голод*|голодомор|недоїдан*|виснажен*",
       ru="засух*|голод*|недоедани*|истощени*|продовольственн* кризис*",
       ht="sechrès*|sechrès|grangou|famin|malnitrisyon|ensekirite alimantè"),
    # ------------------------------------------------------- information types
    _c("casualties", info="casualties",
       en="dead|death*|died|die|killed|kill*|injur*|wounded|casualt*|death toll|toll|bodies|"
          "fatalit*|victims|lost their lives",
       fr="mort|morts|morte*|décès|décéd*|tué*|blessé*|victime*|bilan|cadavre*|corps",
       es="muert*|muerto*|fallec*|herid*|víctima*|victima*|cadáver*|cadaver*|saldo",
       ar="قتلى|قتيل|مقتل|ضحايا|جرحى|جريح|مصابين|إصابات|اصابات|وفاة|وفيات|شهداء|شهيد|"
          "استشهاد|جثث|حصيلة|لقي حتفه|لقوا حتفهم",
       he="הרוגים|נהרג*|נהרגו|פצועים|פצוע*|נפגעים|מתו|הרוג|חללים|גופות|נרצח*",
       uk="загибл*|загину*|вбит*|вбив*|поранен*|жертв*|травмован*|тіл*|смерт*|постраждал*",
       ru="погибш*|погиб*|убит*|убил*|ранен*|жертв*|пострадавш*|пострадал*|тел*|смерт*",
       ht="mouri|moun mouri|kadav*|blese*|viktim*|lanmò|pèdi lavi"),
    _c("missing", info="missing_or_found",
       en="missing|trapped|found alive|whereabouts|unaccounted|still searching|"
          "missing people|missing person*",
       fr="disparu*|porté* disparu*|coincé*|retrouvé* vivant*|introuvable*",
       es="desaparecid*|atrapad*|hallado* con vida|paradero|sin rastro",
       ar="مفقود*|المفقودين|عالقين|عالقون|محاصرين تحت|مصيرهم مجهول|العثور على",
       he="נעדר*|נעדרים|לכודים|לכוד*|אותרו|נמצא בחיים",
       uk="зниклих|зникл*|безвісти|під завалами|заблокован*|розшук*",
       ru="пропавш*|пропал*|без вести|под завалами|заблокирован*|розыск*",
       ht="disparèt|pèdi|pa jwenn|anba dekonb*|bloke anba"),
    _c("displacement", info="displacement",
       en="evacuat*|displaced|refugee*|fled|flee*|fleeing|homeless|evacuees|relocat*|"
          "displacement|idp*|camp*",
       fr="évacu*|evacu*|déplacé*|réfugié*|sinistrés|fuir|fuient|fui|sans-abri|"
          "relogé*|exode|camp*",
       es="evacu*|desplazad*|refugiad*|damnificad*|huir|huyen|huyeron|sin hogar|"
          "éxodo|campamento*",
       ar="نزوح|النزوح|نازحين|نازح*|لاجئ*|لاجئين|إجلاء|اجلاء|تهجير|مهجر*|فرار|فروا|"
          "مخيم*|مشرد*",
       he="פינוי|מפונים|פונו|עקורים|פליטים|פליט*|נמלטו|ברחו|להתפנות|מחנה|מחנות",
       uk="евакуац*|евакуйов*|переселен*|біженц*|виїхал*|втекл*|вимушен* переселен*|"
          "табор*|впо",
       ru="эвакуац*|эвакуир*|беженц*|переселен*|бежал*|бегств*|лагер*|вынужденн* переселен*",
       ht="evakye|evakyasyon|refijye*|deplase*|sinistre*|kite kay|kan*|san kay"),
    _c("damage", info="infrastructure_damage",
       en="damage*|destroy*|destruction|collaps*|power outage*|blackout*|bridge*|"
          "road* closed|rubble|flattened|washed away|wiped out|roof*|debris",
       fr="dégât*|dégats|détrui*|destruction*|effondr*|panne*|coupure* d'électricité|"
          "pont*|route* coupée*|décombres|toit*|ravag*|endommag*",
       es="daño*|dano*|destru*|derrumb*|colaps*|apagón|apagon|sin luz|puente*|"
          "carretera*|escombros|techo*|arras*|dañad*",
       ar="دمار|تدمير|مدمر*|انهيار|انهار|أضرار|اضرار|متضرر*|انقطاع الكهرباء|"
          "انقطاع التيار|جسر|جسور|طريق مقطوع|مباني|المباني|ركام|أنقاض|انقاض|هدم",
       he="נזק*|נזקים|הרס|הרוס*|קרס*|קריסת|הפסקת חשמל|גשר|גשרים|כבישים|הריסות|בניין|"
          "בניינים|נפגע",
       uk="зруйнован*|руйнуван*|руйнац*|пошкоджен*|знеструм*|без світла|міст|мости|"
          "інфраструктур*|завал*|уламк*|будин*",
       ru="разрушен*|поврежден*|повреждён*|обесточ*|без света|мост*|инфраструктур*|"
          "завал*|обломк*|руин*|здани*",
       ht="domaj|kraze|kraze nèt|efondre|pa gen kouran|pon|dekonb*|kay kraze|wout bloke"),
    _c("request", info="urgent_needs",
       en="need*|needed|urgent*|please help|send help|running out|lack of|shortage*|sos|"
          "in need|desperate*|we need|they need|please send",
       fr="besoin*|urgent*|urgence|manque*|pénurie*|au secours|aidez*|avons besoin|"
          "s'il vous plaît",
       es="necesit*|urgente*|urgencia|falta*|escasez|auxilio|ayúdenos|ayudenos|socorro|"
          "por favor",
       ar="نحتاج|بحاجة|يحتاج*|يحتاجون|عاجل|عاجلة|نقص|نفاد|نفد|استغاثة|النجدة|ساعدونا|"
          "أنقذونا|انقذونا|مناشدة|نناشد",
       he="צריכים|צריך|זקוקים|זקוק*|דחוף|דחופה|מחסור|הצילו|עזרה דחופה|חסר*|בבקשה",
       uk="потребу*|потрібн*|терміново|нестач*|брак|допоможіть|рятуйте|не вистачає|"
          "закінчу*",
       ru="нужн*|нуждаю*|срочно|нехватк*|дефицит*|помогите|спасите|не хватает|"
          "закончил*|заканчива*",
       ht="bezwen|nou bezwen|ijan|ijans|manke|ede nou|souple|tanpri|nou mande|pa gen"),
    _c("relief", info="relief_efforts",
       en="donat*|relief|volunteer*|aid|fundrais*|rescue*|rescuers|red cross|charity|"
          "humanitarian|supplies|distribut*|convoy*|aid workers|support fund",
       fr="don|dons|secours|bénévole*|benevole*|aide humanitaire|croix-rouge|"
          "croix rouge|sauveteur*|collecte*|humanitaire*|distribu*|convoi*|ravitaill*",
       es="donac*|donativ*|dona|voluntari*|ayuda humanitaria|cruz roja|rescatist*|"
          "socorrist*|víveres|viveres|humanitari*|distribu*|convoy*|acopio",
       ar="تبرع*|إغاثة|اغاثة|الإغاثة|مساعدات|المساعدات|متطوع*|الهلال الأحمر|"
          "الصليب الأحمر|قافلة|قوافل|إنقاذ|انقاذ|إنسانية|توزيع",
       he="תרומ*|תרמו|סיוע|מתנדב*|הצלה|מד\"א|מדא|חילוץ|צלב אדום|הומניטרי*|חלוקת|שיירת",
       uk="допомог*|гуманітарн*|волонтер*|рятувальн*|червон* хрест*|пожертв*|збір|"
          "благодійн*|конво*|розвезл*",
       ru="помощь|помощи|гуманитарн*|волонтер*|волонтёр*|спасател*|красн* крест*|"
          "пожертвован*|сбор|благотворительн*|конво*",
       ht="sekou|èd|ed imanitè|volontè|kwa wouj|don|distribisyon|ede moun|bay manje"),
    _c("warning", info="caution_and_advice",
       en="warning*|alert*|advisory|watch|evacuation order*|stay safe|stay indoors|"
          "take shelter|forecast*|be prepared|boil water|avoid|tips|precaution*|shelter in place",
       fr="alerte*|vigilance|avertissement*|consigne*|prévision*|restez chez vous|"
          "mise à l'abri|mettez-vous à l'abri|évitez|prudence|précaution*",
       es="alerta*|aviso*|advertencia*|precaución*|precaucion*|pronóstico*|pronostico*|"
          "manténgase|quédese en casa|evite*|recomendaciones|prevención",
       ar="تحذير*|تنبيه|إنذار|انذار|احترسوا|ابقوا في منازلكم|توقعات|الأرصاد|ينصح|"
          "تجنبوا|احتياطات|أوامر إخلاء|اوامر اخلاء",
       he="אזהרה|אזהרת|התרעה|התרעות|התראה|הנחיות|מרחב מוגן|הישארו בבית|צבע אדום|"
          "היזהרו|הוראות|פיקוד העורף|תחזית",
       uk="попередженн*|тривог*|укритт*|залишайтеся|обережн*|рекоменд*|прогноз*|"
          "повітряна тривога",
       ru="предупреждени*|тревог*|укрыти*|оставайтесь|осторожн*|рекоменд*|прогноз*|"
          "штормовое предупреждение",
       ht="avètisman|atansyon|alèt|rete lakay|pran prekosyon|veye|pwoteje tèt nou"),
    _c("sympathy", info="sympathy_and_support",
       en="pray*|prayers|thoughts|condolence*|rip|heartbreak*|heartbroken|god bless|"
          "stay strong|solidarity|hearts go out|sending love",
       fr="prières|prière|pensées|condoléances|courage|solidarité|prions|"
          "de tout cœur|repose en paix",
       es="oraciones|oremos|oración|condolencias|pésame|fuerza|solidaridad|"
          "mis pensamientos|descansen en paz|dios",
       ar="نصلي|دعاء|ندعو|تعازي|التعازي|رحمهم الله|الله يرحم|تضامن|قلوبنا|اللهم|"
          "إنا لله|انا لله",
       he="מתפללים|תפילות|תפילה|תנחומים|משתתפים בצער|לבנו עם|יהי זכרם ברוך|"
          "בשורות טובות|ה' ירחם|חזקו",
       uk="молимос*|молитв*|співчутт*|співчуває*|солідарн*|тримайтеся|вічна пам'ять|"
          "світла пам'ять",
       ru="молимся|молитв*|соболезнован*|скорбим|скорб*|держитесь|вечная память|"
          "светлая память|солидарн*",
       ht="lapriyè|priye|kondoleyans|kouraj|bondye|solidarite|nou avè nou"),
    # ------------------------------------------------------------------- needs
    _c("water", need="water",
       en="drinking water|clean water|water|thirst*|dehydrat*|water purification|bottled water",
       fr="eau|eau potable|soif|déshydrat*",
       es="agua|agua potable|sed|deshidrat*",
       ar="مياه|ماء|مياه الشرب|مياه صالحة للشرب|عطش|العطش",
       he="מים|מי שתייה|צמא|התייבשות",
       uk="вода|води|воду|питн* вод*|спраг*|зневоднен*",
       ru="вода|воды|воду|питьев*|жажд*|обезвожив*",
       ht="dlo|dlo potab|swaf|dlo pou bwè"),
    _c("food", need="food",
       en="food|hungry|meals|rations|rice|bread|baby formula|food supplies",
       fr="nourriture|vivres|manger|alimentaire*|riz|pain",
       es="comida*|alimento*|víveres|viveres|arroz|pan",
       ar="طعام|غذاء|غذائية|خبز|الخبز|مواد غذائية|أرز|ارز|وجبات",
       he="מזון|אוכל|לחם|מנות מזון|מצרכים",
       uk="їжа|їжі|їжу|продукт* харчуван*|продукти|харчуван*|хліб*",
       ru="еда|еды|еду|продовольстви*|продукты|питани*|хлеб*",
       ht="manje|diri|pen|grangou|manje pou"),
    _c("shelter", need="shelter",
       en="shelter*|tent*|homeless|blanket*|tarp*|tarpaulin*|housing|roof over",
       fr="abri*|tente*|sans-abri|couverture*|bâche*|hébergement*|logement*",
       es="refugio*|albergue*|carpa*|tienda* de campaña|techo|cobija*|manta*|lona*|vivienda*",
       ar="مأوى|ملجأ|ملاجئ|خيام|خيمة|بطانيات|مشردين|إيواء|ايواء|سكن",
       he="מחסה|מקלט|מקלטים|אוהל*|שמיכות|מחוסרי דיור|דיור",
       uk="притул*|укритт*|намет*|ковдр*|житл*",
       ru="убежищ*|укрыти*|палатк*|приют*|одеял*|жиль*",
       ht="abri|tant|dòmi deyò|domi deyo|prela|lojman|kay pou"),
    _c("medical", need="medical",
       en="medic*|hospital*|doctor*|nurse*|clinic*|ambulance*|medicine*|first aid|blood|"
          "health care|healthcare|surgery",
       fr="médic*|hôpita*|hopita*|médecin*|ambulance*|soins|sang|clinique*|infirmi*",
       es="médic*|medic*|hospital*|medicina*|medicamento*|ambulancia*|sangre|clínica*|"
          "enfermer*",
       ar="مستشفى|مستشفيات|المستشفى|طبي*|طبية|أدوية|ادوية|دواء|إسعاف|اسعاف|أطباء|"
          "دم|عيادة|صحي*",
       he="בית חולים|בתי חולים|בית החולים|רפואי*|תרופות|אמבולנס|רופא*|מרפאה|דם|ניתוח",
       uk="лікарн*|медичн*|медикамент*|ліки|ліків|швидк* допомог*|лікар*|медик*|кров",
       ru="больниц*|госпитал*|медицин*|лекарств*|скорой|скорая|врач*|медик*|кровь",
       ht="lopital|doktè|dokte|medikaman|swen|klinik|anbilans|enfimyè|san"),
    _c("rescue", need="search_and_rescue",
       en="search and rescue|rescue team*|trapped|under rubble|under the rubble|dig out|sar",
       fr="sauvetage|secouri*|recherches|sous les décombres|équipe* de secours",
       es="rescate*|búsqueda|busqueda|bajo los escombros|rescatar",
       ar="إنقاذ|انقاذ|البحث عن|تحت الأنقاض|تحت الانقاض|فرق الإنقاذ|انتشال",
       he="חילוץ|חיפוש|מתחת להריסות|לכודים|צוותי חילוץ",
       uk="порятун*|рятувальн*|пошуков*|під завалами|деблокув*",
       ru="спасени*|спасател*|поисков*|под завалами|деблокир*",
       ht="sove|rechèch|anba dekonb*|bloke anba|retire moun"),
    _c("evacuation", need="evacuation",
       en="evacuat*|evacuation order*|evacuees|safe passage|humanitarian corridor*",
       fr="évacu*|evacu*|couloir* humanitaire*",
       es="evacu*|corredor* humanitario*",
       ar="إجلاء|اجلاء|إخلاء|اخلاء|ممر إنساني|ممرات إنسانية",
       he="פינוי|להתפנות|פונו|מפונים|מסדרון הומניטרי",
       uk="евакуац*|евакуйов*|гуманітарн* коридор*",
       ru="эвакуац*|эвакуир*|гуманитарн* коридор*",
       ht="evakye|evakyasyon"),
    _c("power", need="power",
       en="power outage*|power cut*|electricity|blackout*|no power|without power|"
          "generator*|power lines|power restored",
       fr="électricité|electricite|courant|panne* de courant|générateur*|coupure* de courant",
       es="electricidad|apagón*|apagon*|sin luz|luz eléctrica|generador*",
       ar="الكهرباء|كهرباء|مولد*|انقطاع التيار|التيار الكهربائي",
       he="חשמל|הפסקת חשמל|גנרטור*|אין חשמל",
       uk="електри*|світло|знеструм*|генератор*|блекаут*|без світла",
       ru="электричеств*|электроэнерги*|свет|обесточ*|генератор*|блэкаут*|без света",
       ht="kouran|elektrisite|jeneratè|jenerate"),
    _c("communications", need="communications",
       en="phone network*|cell service|no signal|internet outage|communications down|"
          "telecom*|phone lines|cell towers|no network|mobile network*",
       fr="réseau téléphonique|télécommunication*|pas de réseau|réseau mobile|internet",
       es="comunicaciones|sin señal|telefonía|red móvil|internet",
       ar="الاتصالات|اتصالات|شبكة الهاتف|الإنترنت|الانترنت|انقطاع الاتصال*",
       he="תקשורת|קליטה|אינטרנט|סלולר*|רשת סלולרית",
       uk="зв'яз*|звʼяз*|зв’яз*|інтернет*|мобільн* мереж*",
       ru="связ*|интернет*|сотов*|мобильн* сет*",
       ht="telefòn|rezo|kominikasyon|entènèt|pa gen rezo"),
    _c("protection", need="protection",
       en="attacks on civilians|protection|gbv|sexual violence|looting|looters|kidnap*|"
          "abduct*|child soldiers|human shields|unsafe|security|violence|rape",
       fr="protection|violences sexuelles|pillage*|pilleurs|enlèvement*|kidnapp*|"
          "sécurité|violence*|viol",
       es="protección|proteccion|violencia sexual|saqueo*|secuestro*|seguridad|violencia*",
       ar="حماية|الحماية|عنف جنسي|نهب|اختطاف|خطف|الأمن|عنف|المدنيين",
       he="הגנה|אלימות מינית|ביזה|חטיפה|חטופים|אלימות|ביטחון|אזרחים",
       uk="захист*|насильств*|мародер*|викраден*|безпек*|цивільн*",
       ru="защит*|насили*|мародер*|мародёр*|похищен*|безопасност*|мирн* жител*",
       ht="pwoteksyon|vyolans|vòlè|kidnapin*|kadejak|sekirite|ensekirite"),
    _c("cash", need="cash",
       en="cash|money|cash transfer*|vouchers|funds",
       fr="argent|espèces|transferts monétaires|bons d'achat",
       es="dinero|efectivo|transferencias|vales",
       ar="نقود|أموال|اموال|مساعدات نقدية|مال|قسائم",
       he="כסף|מזומן|מענק*|שוברים",
       uk="грош*|готівк*|виплат*",
       ru="деньг*|наличн*|выплат*",
       ht="lajan|kach"),
    # conflict-specific compounds: attacks on health care, aid convoys, sieges
    _c("attack_on_health", hazard="armed_conflict", need="medical", info="infrastructure_damage",
       en="attack on hospital*|hospital bombed|hospital hit|hospital shelled|"
          "attack on health*|strike on hospital*",
       fr="attaque contre l'hôpital|hôpital bombardé|hôpital touché",
       es="ataque al hospital|hospital bombardeado",
       ar="قصف مستشفى|استهداف مستشفى|قصف المستشفى|استهداف المستشفيات",
       he="הפצצת בית חולים|פגיעה בבית חולים",
       uk="удар по лікарні|обстріл лікарні|ракета влучила в лікарню",
       ru="удар по больнице|обстрел больницы",
       ht="atak sou lopital"),
    _c("aid_convoy", info="relief_efforts",
       en="aid convoy*|humanitarian convoy*|aid truck*|aid delivery|aid deliveries",
       fr="convoi* humanitaire*|convoi* d'aide|camions d'aide",
       es="convoy* humanitario*|convoy* de ayuda|camiones de ayuda",
       ar="قافلة مساعدات|قوافل المساعدات|شاحنات المساعدات|قافلة إنسانية",
       he="שיירת סיוע|משאיות סיוע|שיירה הומניטרית",
       uk="гуманітарн* конво*|гуманітарн* вантаж*",
       ru="гуманитарн* конво*|гуманитарн* груз*|гуманитарн* колонн*",
       ht="konvwa|kamyon sekou"),
)

CONCEPT_NAMES: tuple[str, ...] = tuple(c.name for c in CONCEPTS)
