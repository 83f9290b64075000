"""Word lists the detector needs: function words to ignore, crisis words that name no story.

Both lists are small and multilingual on purpose; IDF does the rest of the weighting.
"""

from __future__ import annotations

# Function words of the languages most crisis streams carry. Small on purpose: IDF already
# down-weights frequent words; this list only removes words that are frequent *everywhere*
# and would otherwise tie unrelated events together early in a stream, before IDF has data.
_STOP = """
a an the and or but if of to in on at by for from with without into onto over under about
after before during as is are was were be been being am do does did done have has had
having i me my we our you your he him his she her it its they them their this that these
those there here what which who whom whose when where why how all any both each few more
most other some such no nor not only own same so than too very can will just should would
could may might must shall now then also via rt amp http https www com co t.co get got
up out off again once let lets im dont cant wont its it's i'm u ur us
able above across actually again against ago ain't almost along already although always
among another anyone anything anyway anywhere around aren't away back became become
becomes behind below beside besides between beyond came can't cannot come comes coming
couldn't didn't doesn't doing don't down else elsewhere enough etc even ever every
everything far feel felt find first five four further gets getting give given go goes
going gone gonna gotta gt hadn't hasn't haven't he's hence here's hey himself hmm however
i'd i'll i've isn't itself keep know knows last least less like likely look looks lol
lmao made make makes many maybe mean means meanwhile might mine mostly much myself need
neither never next nobody none nothing often oh ok okay omg one ones onto others otherwise
ourselves perhaps put quite rather really right said saw say says see seem seemed seems
seen several she's since someone something sometime sometimes somewhere still take takes
tell thing things think though three through thus till together took toward towards try
two until upon used using want wanna way well went what's whatever whenever whether while
whole why will within wow yeah yes yet you'd you'll you're you've yourself y'all ya
le la les un une des du de et ou mais donc ni car que qui quoi dont où au aux ce cet cette
ces il elle ils elles nous vous je tu se sa son ses leur leurs est sont été être avoir a
pour par sur dans avec sans en ne pas plus y l d
el los las uno una unos unas y o pero del al que quien en con sin por para es son fue ser
lo se su sus le les mas muy ya
o os as um uma e do da dos das em no na nos nas com sem por para é são foi ser
der die das ein eine und oder aber von zu im in mit ohne für ist sind war den dem des
il lo gli uno e o ma di da in con senza per è sono
في من على إلى الى عن مع هذا هذه ذلك التي الذي الذين و أو ثم قد لا ما لم لن هو هي هم كان
""".split()
STOPWORDS: frozenset[str] = frozenset(_STOP)


def stem(word: str) -> str:
    """A deliberately crude English plural/possessive stripper.

    "floods", "flood's" and "flood" must meet; full stemming costs more than it earns on
    tweets, and it must never damage non-Latin words (those have no such suffixes here).
    """
    if word.endswith("'s") or word.endswith("’s"):
        word = word[:-2]
    if len(word) > 4 and word[-1] == "s" and word[-2] not in "su'":
        word = word[:-1]
    return word


# Generic crisis vocabulary: words any disaster story uses, so they can never be the anchor
# that identifies one story (see merge.py), nor a trustworthy place name (see features.py).
_GENERIC = """
hurricane storm tropical cyclone typhoon tornado tornadoe twister wind winds rain rainfall
surge landfall category cat earthquake earth quake tremor aftershock magnitude richter shake
flood flooding flooded floodwater water river fire wildfire blaze smoke burn burning
explosion explode exploded blast bomb bombing bomber attack landslide mudslide tsunami
eruption volcano drought famine outbreak disease epidemic crash accident collapse
disaster emergency crisis catastrophe tragedy devastation devastating damage destroyed
destruction relief help aid donate donation fund fundraiser support volunteer rescue
evacuation evacuate evacuated shelter victim survivor affected people family families home
house pray prayer praying thought condolence dead death die died kill killed toll injured
injury missing safe safety warning watch alert update news breaking live video photo
pic report latest today tonight now new day week time please thank thanks need needs
stay hope love heart everyone prayfor sending
city town state county area region country world national local government official
ouragan tempête séisme tremblement terre inondation incendie feu explosion aide secours
victime mort morts blessé blessés catastrophe urgence
huracán huracan tormenta sismo terremoto temblor inundación inundacion incendio explosión
ayuda víctima victima muerto muertos herido heridos desastre emergencia
إعصار عاصفة زلزال هزة فيضان فيضانات سيول حريق انفجار مساعدة إغاثة ضحايا قتلى جرحى كارثة
طوارئ
""".split()
GENERIC: frozenset[str] = frozenset(stem(w) for w in _GENERIC) | frozenset(_GENERIC)


# Words that say "something bad happened to people or places": the crisis cue a candidate
# needs before it may open an event when no classifier has judged its reports (see
# online.py). Narrower than GENERIC: no "people", "news" or "today".
_CRISIS = """
hurricane storm cyclone typhoon tornado twister earthquake quake tremor aftershock flood
flooding flooded floodwater inundated wildfire bushfire fire blaze burning explosion blast
exploded bomb bombing bomber attack shooting shooter gunman landslide mudslide tsunami
eruption volcano drought famine outbreak epidemic cholera ebola crash derailed collapse
collapsed disaster emergency evacuation evacuate evacuated evacuee rescue rescued rescuer
victim survivor dead death died dies kill killed toll injured injuries wounded missing
damage damaged destroyed destruction devastation devastated relief shelter aid donate
donation homeless displaced stranded trapped casualties refugee warning
ouragan tempête séisme tremblement inondation inondé incendie explosion attentat
évacuation secours victime victimes mort morts blessé blessés disparu disparus sinistré
huracán huracan tormenta sismo terremoto temblor inundación inundacion incendio explosión
explosion atentado evacuación rescate víctima victima víctimas muertos heridos
desaparecidos damnificados
إعصار عاصفة زلزال هزة فيضان فيضانات سيول حريق انفجار تفجير هجوم إخلاء إنقاذ ضحايا قتلى
جرحى مفقودين نازحين كارثة
"""
CRISIS: frozenset[str] = frozenset(stem(w) for w in _CRISIS.split()) | frozenset(_CRISIS.split())

#: Common words that gazetteers also list as places ("West", Texas; "Coast", Tanzania): a
#: report using them almost never means the place, so the detector ignores such matches.
NOT_PLACES: frozenset[str] = frozenset(
    "west east north south central centre center coast mission red cross red cross "
    "island islands bay valley city downtown marathon".split()) | {"red cross"}
