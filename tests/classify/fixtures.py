"""Hand-written multilingual crisis sentences (written for tocsin's tests; no corpus text).

Each entry: (lang, text, expected hazard or None, a need that must be found or None).
"""

from __future__ import annotations

CRISIS = [
    ("en", "Air strikes hit the main hospital overnight, dozens of wounded need blood",
     "armed_conflict", "medical"),
    ("en", "Flash floods have cut the road to the valley; families need drinking water",
     "flood", "water"),
    ("fr", "Un séisme de magnitude 6 a détruit plusieurs immeubles, des gens sous les décombres",
     "earthquake", "search_and_rescue"),
    ("fr", "Les inondations ont forcé l'évacuation du quartier, il faut des tentes",
     "flood", "shelter"),
    ("es", "El huracán dejó sin electricidad a toda la ciudad y hay heridos",
     "storm", "power"),
    ("es", "Incendio forestal avanza hacia el pueblo, ordenan la evacuación",
     "wildfire", "evacuation"),
    ("ar", "قصف عنيف على المستشفى الرئيسي في المدينة وسقوط عشرات الجرحى",
     "armed_conflict", "medical"),
    ("ar", "زلزال قوي يضرب المنطقة والسكان بحاجة إلى مياه الشرب والخيام",
     "earthquake", "water"),
    ("he", "רעידת אדמה חזקה הרסה בניינים ויש לכודים מתחת להריסות",
     "earthquake", "search_and_rescue"),
    ("he", "הפגזה כבדה על העיר, התושבים זקוקים למים ולמזון",
     "armed_conflict", "food"),
    ("uk", "Внаслідок обстрілу пошкоджено лікарню, є загиблі та поранені",
     "armed_conflict", "medical"),
    ("uk", "Повінь затопила село, людям потрібна питна вода та їжа",
     "flood", "water"),
    ("ru", "После землетрясения тысячи людей остались без жилья и нуждаются в палатках",
     "earthquake", "shelter"),
    ("ru", "Гуманитарный конвой с продовольствием не может въехать в осаждённый город",
     "armed_conflict", "food"),
    ("ht", "Tranbleman tè a kraze anpil kay, nou bezwen dlo ak manje",
     "earthquake", "water"),
    ("ht", "Inondasyon an pote ale kay moun yo, yo bezwen abri",
     "flood", "shelter"),
]

NOT_CRISIS = [
    ("en", "Just finished a great book about medieval architecture, highly recommend it"),
    ("en", "Our new coffee menu launches on Monday with three seasonal flavours"),
    ("fr", "Je vais au cinéma ce soir avec mes amis pour voir une comédie"),
    ("es", "Mañana tenemos partido de fútbol con los compañeros de la oficina"),
]
