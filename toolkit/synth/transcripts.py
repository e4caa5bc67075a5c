"""Synthetic interview transcripts (Norwegian Bokmål) with known personal data and known codes.

Every transcript is SYNTHETIC: it is assembled from template sentences written for this toolkit, with slots
filled from the synthetic name pools (:mod:`toolkit.synth.names`), fictional schools and employers, Tenor test
identity numbers, random phone numbers and e-mail addresses at reserved example domains. Because the
generator inserts every personal value itself, it knows exactly where each one is (``pii_spans``, character
offsets into ``text``) and which theme every answer was written for (``codes``), so de-identification and
automatic coding can be scored against a known truth.

Three groups, as in the project's interview design: young people picked out as positive deviants
(``positivt_avvik``), comparison youths (``sammenligning``) and NAV advisers (``veileder``). Positive deviants
talk more, and more positively, about trusted adults, continuity, participation and own mastery; comparison
youths more about system barriers and mental health; so a theme-by-group analysis has a difference to find.

Turns follow the toolkit's transcript contract: one paragraph per speaker turn, starting with a label and a
colon, paragraphs separated by blank lines, and ``turn_index`` counting every turn from 0. Codes are given to
participants' answers only (the part a human coder codes), one per theme a turn was built from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from toolkit.synth import names as nm

CODE_IDS: tuple[str, ...] = (
    "relasjoner",
    "helhet",
    "kontinuitet",
    "koordinering",
    "medvirkning",
    "psykisk_helse",
    "skole_mestring",
    "arbeid",
    "tilhorighet",
    "familie",
    "systembarrierer",
    "egen_mestring",
)
"""Theme ids shared with the codebook (``protocols/codebook_nb.yml``)."""
GROUPS: tuple[str, ...] = ("positivt_avvik", "sammenligning", "veileder")
PII_TYPES: tuple[str, ...] = (
    "PERSON",
    "FNR",
    "TELEFON",
    "EPOST",
    "ADRESSE",
    "STED",
    "ORGANISASJON",
    "DATO",
    "ALDER",
)

# How often each group talks about each theme (relative weights), and how often in the positive voice.
THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "positivt_avvik": {
        "relasjoner": 3.0,
        "kontinuitet": 2.5,
        "medvirkning": 2.5,
        "egen_mestring": 2.5,
        "helhet": 2.0,
        "skole_mestring": 1.5,
        "arbeid": 1.5,
        "tilhorighet": 1.2,
        "koordinering": 1.0,
        "familie": 1.0,
        "psykisk_helse": 0.7,
        "systembarrierer": 0.5,
    },
    "sammenligning": {
        "systembarrierer": 3.0,
        "psykisk_helse": 3.0,
        "koordinering": 2.0,
        "skole_mestring": 2.0,
        "familie": 1.5,
        "arbeid": 1.2,
        "tilhorighet": 1.0,
        "helhet": 0.8,
        "relasjoner": 0.8,
        "egen_mestring": 0.7,
        "kontinuitet": 0.6,
        "medvirkning": 0.5,
    },
    "veileder": {
        "koordinering": 2.5,
        "kontinuitet": 2.0,
        "systembarrierer": 2.0,
        "relasjoner": 2.0,
        "helhet": 1.5,
        "arbeid": 1.5,
        "medvirkning": 1.2,
        "psykisk_helse": 1.2,
        "skole_mestring": 1.0,
        "tilhorighet": 0.8,
        "familie": 0.8,
        "egen_mestring": 1.0,
    },
}
POSITIVE_VOICE = {"positivt_avvik": 0.8, "sammenligning": 0.25}

# ------------------------------------------------------------------------------------------- sentence banks
# Slots: {navn} {hjelper} {hjelper2} {venn} (PERSON) · {skole} {nav} {arbeidsgiver} (ORGANISASJON) ·
# {sted} {sted2} (STED) · {adresse} (ADRESSE) · {telefon} (TELEFON) · {epost} (EPOST) · {fnr} (FNR) ·
# {dato} {tid} (DATO) · {alder} {alder_naa} (ALDER) · {hun} {Hun} {henne} (pronouns of {hjelper}; not PII).
YOUTH: dict[str, dict[str, list[str]]] = {
    "relasjoner": {
        "+": [
            "Det var {hjelper}, kontaktlæreren min på {skole}, som gjorde forskjellen. {Hun} ga seg aldri, "
            "selv når jeg ikke møtte opp.",
            "{hjelper} var en voksen jeg kunne stole på. {Hun} sa ifra når jeg tullet, men {hun} ga meg "
            "aldri opp.",
            "Jeg hadde én trygg voksen, {hjelper}, som jeg kunne ringe når som helst.",
            "Det betydde mye at noen faktisk brydde seg. {hjelper} spurte hvordan jeg hadde det, ikke bare "
            "hvorfor jeg ikke kom på skolen.",
            "Treneren min, {hjelper2}, ble nesten som en ekstra forelder for meg da jeg var {alder}.",
            "Relasjonen til {hjelper} var det viktigste. Jeg tror ikke jeg hadde fullført uten {henne}.",
            "Jeg stolte på {hjelper} fordi {hun} gjorde det {hun} sa at {hun} skulle gjøre.",
        ],
        "-": [
            "Jeg hadde egentlig ingen voksne å snakke med. Lærerne byttet hele tiden, og ingen kjente meg "
            "skikkelig.",
            "Det fantes ingen jeg stolte på. Når jeg først fortalte noe, ble det bare skrevet ned i et "
            "skjema.",
            "Jeg har hatt mange voksne rundt meg, men ingen som jeg følte var der for meg.",
            "Kontaktlæreren på {skole} prøvde vel, men vi fikk aldri noen god relasjon.",
        ],
    },
    "helhet": {
        "+": [
            "{hjelper} så hele meg, ikke bare fraværet. {Hun} spurte om søvn, om venner og om hvordan det "
            "var hjemme.",
            "For første gang ble jeg tatt på alvor som et helt menneske, ikke bare som en sak hos {nav}.",
            "De skjønte at problemene på skolen hang sammen med alt annet i livet mitt, og tok det derfra.",
            "Det var godt å bli sett for den jeg er, med de sterke sidene mine også.",
        ],
        "-": [
            "Alle så bare én bit av meg. Skolen så fraværet, legen så angsten, og {nav} så bare papirene.",
            "Jeg følte meg som et saksnummer. Ingen spurte hvordan livet mitt egentlig var.",
            "De var bare opptatt av karakterene, ikke av hvorfor jeg ikke orket å gå på skolen.",
        ],
    },
    "kontinuitet": {
        "+": [
            "Jeg hadde den samme veilederen fra ungdomsskolen og helt til jeg begynte i lære, så jeg slapp å "
            "fortelle historien min på nytt.",
            "{hjelper} fulgte meg over fra ungdomsskolen til {skole}, og {hun} var der fortsatt da jeg "
            "byttet linje.",
            "At det var den samme personen hele veien, betydde alt. {hjelper} visste hva som hadde skjedd "
            "før.",
            "Selv da jeg flyttet til {sted2}, holdt {hjelper} kontakten med meg.",
            "Vi hadde faste møter annenhver uke i tre år, og {hjelper} glemte aldri en avtale.",
        ],
        "-": [
            "Jeg har hatt fem eller seks forskjellige veiledere hos {nav}. Hver gang måtte jeg begynne på "
            "nytt.",
            "Akkurat når jeg hadde blitt kjent med noen, sluttet de eller fikk ny jobb.",
            "Det var nye folk hele tiden, og til slutt gadd jeg ikke å fortelle mer.",
            "Da jeg gikk over fra ungdomsskolen til {skole}, var det ingen som fulgte meg over. Alt var nytt "
            "på én gang.",
        ],
    },
    "koordinering": {
        "+": [
            "Skolen, {nav} og helsesykepleieren satt på samme møte, så jeg slapp å løpe mellom kontorene.",
            "{hjelper} ordnet det sånn at alle snakket sammen, og jeg hadde én plan i stedet for fire.",
            "Vi hadde ansvarsgruppemøte hver måned, og der var alle som jobbet med meg.",
        ],
        "-": [
            "Jeg hadde {nav}, oppfølgingstjenesten, fastlegen og en psykiatrisk sykepleier, men ingen av dem "
            "snakket sammen.",
            "Hver instans hadde sin egen plan, og planene sa forskjellige ting.",
            "Jeg ble sendt fram og tilbake mellom kontorene, og ingen hadde ansvaret for helheten.",
            "Jeg måtte selv fortelle alle hva de andre hadde sagt, for de snakket ikke med hverandre.",
        ],
    },
    "medvirkning": {
        "+": [
            "De spurte meg hva jeg ville, og det var faktisk jeg som bestemte hvilken praksisplass jeg "
            "skulle prøve.",
            "{hjelper} lot meg være med på å lage planen. Det var min plan, ikke deres.",
            "Jeg fikk være med på møtene og si min mening før de bestemte noe.",
            "Det var første gang noen spurte meg hva jeg selv trodde ville hjelpe.",
        ],
        "-": [
            "Det var bestemt før jeg kom inn i rommet. Jeg fikk bare beskjed om hva som skulle skje.",
            "Ingen spurte meg om noe. De snakket om meg, ikke med meg.",
            "Jeg sa at jeg ikke ville begynne på det kurset, men jeg måtte likevel.",
        ],
    },
    "psykisk_helse": {
        "+": [
            "Angsten er der fortsatt, men jeg har lært meg å leve med den.",
            "Jeg fikk endelig snakke med en psykolog {tid}, og det hjalp meg å forstå hva som skjedde.",
            "Når jeg fikk hjelp med søvnen, ble alt det andre litt lettere.",
        ],
        "-": [
            "Jeg hadde mye angst på ungdomsskolen og klarte ikke å gå inn i klasserommet.",
            "Da jeg var {alder}, ble jeg deprimert og lå mest i senga i flere måneder.",
            "Jeg slet med søvnen og fikk panikkanfall før prøver.",
            "Det psykiske tok all energien, så skolen ble liggende.",
            "Jeg gikk til BUP en periode, men det hjalp ikke så mye da.",
            "Noen dager klarer jeg ikke å gå ut døra i det hele tatt.",
        ],
    },
    "skole_mestring": {
        "+": [
            "Jeg fikk gå på en praktisk linje på {skole}, og der fikk jeg endelig til noe.",
            "Da jeg fikk tilpasset opplæring i matte, begynte jeg å få bedre karakterer.",
            "Det var første gang jeg følte at jeg mestret noe på skolen.",
            "Jeg tok fagbrevet {tid}, ett år etter de andre, men jeg tok det.",
        ],
        "-": [
            "Jeg droppet ut av {skole} etter første år. Jeg hang ikke med, og fraværet ble bare større.",
            "Jeg hadde over tretti prosent fravær på ungdomsskolen og fikk ikke karakter i flere fag.",
            "Jeg følte meg dum i klasserommet, og til slutt sluttet jeg å prøve.",
            "Jeg begynte på {skole} {tid}, men sluttet før jul.",
        ],
    },
    "arbeid": {
        "+": [
            "Jeg fikk arbeidspraksis hos {arbeidsgiver}, og sjefen der ga meg ansvar fra første dag.",
            "Nå jobber jeg fast hos {arbeidsgiver}, og det er jeg stolt av.",
            "En jobbspesialist fra {nav} hjalp meg å finne en jobb som passet, og fulgte meg opp de første "
            "ukene.",
            "Jeg fikk læreplass hos {arbeidsgiver} {tid}.",
        ],
        "-": [
            "Jeg har søkt på mange jobber, men får aldri svar.",
            "På praksisplassen satt jeg bare og ventet. Ingen der visste hvorfor jeg var der.",
            "Jeg har vært på tiltak etter tiltak, men aldri fått en ordentlig jobb.",
        ],
    },
    "tilhorighet": {
        "+": [
            "Fotballaget i {sted} ble et viktig sted for meg. Der var jeg bare en av gjengen.",
            "Jeg begynte på et fritidstilbud for ungdom i {sted}, og der fikk jeg venner.",
            "Musikken og bandet holdt meg oppe. Der hørte jeg til.",
            "Bestevennen min, {venn}, dro meg med ut når jeg bare ville være hjemme.",
        ],
        "-": [
            "Jeg hadde ingen venner i klassen og var mye alene.",
            "Det er ikke så mye å finne på i {sted} hvis du ikke driver med idrett.",
            "Jeg ble mobbet på ungdomsskolen og trakk meg unna alle.",
        ],
    },
    "familie": {
        "+": [
            "Mamma har alltid stilt opp, selv om hun hadde nok med sitt.",
            "Bestemoren min i {sted2} var den jeg kunne gå til når det var kaos hjemme.",
            "Storebroren min hjalp meg med leksene da ingen andre hadde tid.",
        ],
        "-": [
            "Det var mye krangling hjemme, og pappa drakk en del.",
            "Vi flyttet mye da jeg var liten, og jeg byttet skole fire ganger.",
            "Foreldrene mine skilte seg da jeg var {alder}, og alt ble snudd på hodet.",
            "Barnevernet var inne i familien en periode. Det var tøft, men kanskje nødvendig.",
            "Vi hadde dårlig råd hjemme, og jeg kunne ikke være med på det de andre gjorde.",
            "Vi bodde i {adresse} i {sted} da jeg var {alder}, og det var trangt og bråkete.",
        ],
    },
    "systembarrierer": {
        "+": [
            "Det hjalp at {hjelper} fikk samtykke fra meg, så alle kunne snakke sammen uten at "
            "taushetsplikten stoppet det.",
            "Da saken først kom i gang, slapp jeg å stå i kø. {hjelper} fikk ordnet en time samme uke.",
        ],
        "-": [
            "Jeg sto på venteliste til psykolog i nesten et år.",
            "Taushetsplikten gjorde at skolen og {nav} ikke kunne snakke sammen om meg, selv om jeg ønsket "
            "det.",
            "Det var regler for alt. Jeg var for gammel for det ene tilbudet og for ung for det andre.",
            "Jeg måtte oppgi fødselsnummeret mitt, {fnr}, hver eneste gang jeg ringte, og fikk en ny person "
            "på tråden hver gang.",
            "Søknaden min ble avslått fordi et skjema manglet en underskrift, og så tok det tre måneder til.",
            "Jeg fikk brev fra {nav} med ord jeg ikke skjønte, og turte ikke å ringe og spørre.",
            "Møtet ble flyttet fra {dato} til over en måned senere fordi saksbehandleren var syk.",
        ],
    },
    "egen_mestring": {
        "+": [
            "Jeg bestemte meg for at jeg skulle klare det, om ikke for noen andre, så for meg selv.",
            "Jeg har lært at jeg klarer mer enn jeg trodde, og det gir meg motivasjon til å fortsette.",
            "Nå setter jeg meg små mål hver uke, og når jeg når dem, blir jeg mer motivert.",
            "Jeg er stolt av at jeg fullførte, selv om det tok lengre tid enn for de andre.",
            "Jeg begynte å tro på meg selv da jeg fikk til noe jeg trodde var umulig.",
        ],
        "-": [
            "Jeg har mistet troen på at det kommer til å gå bra for meg.",
            "Det er vanskelig å finne motivasjon når ingenting skjer.",
        ],
    },
}

YOUTH_QUESTIONS: dict[str, list[str]] = {
    "relasjoner": [
        "Har det vært noen voksne som har betydd noe spesielt for deg?",
        "Var det noen du kunne stole på underveis?",
        "Hvem har vært viktige personer for deg?",
    ],
    "helhet": [
        "Følte du at de som hjalp deg, så hele deg?",
        "Hvordan opplevde du å bli møtt av hjelpeapparatet?",
    ],
    "kontinuitet": [
        "Har du hatt de samme hjelperne over tid, eller har det byttet?",
        "Hvordan var overgangen fra ungdomsskolen til videregående?",
    ],
    "koordinering": [
        "Hvordan samarbeidet de ulike tjenestene rundt deg?",
        "Hvem hadde oversikten over hjelpen du fikk?",
    ],
    "medvirkning": [
        "Ble du spurt om hva du selv ønsket?",
        "Hvordan var det å være med på å bestemme i din egen sak?",
    ],
    "psykisk_helse": [
        "Hvordan har du hatt det med deg selv, psykisk?",
        "Har helsa påvirket skolen eller jobben?",
    ],
    "skole_mestring": [
        "Hvis du tenker tilbake på skolen, hvordan var det for deg?",
        "Hvordan gikk det på videregående?",
    ],
    "arbeid": [
        "Har du hatt jobb, praksis eller læreplass?",
        "Hva gjorde at jobben fungerte, eller ikke fungerte?",
    ],
    "tilhorighet": [
        "Hva liker du å bruke fritiden på?",
        "Har du hatt et sted eller et miljø der du føler at du hører til?",
    ],
    "familie": ["Kan du fortelle litt om familien din?", "Hvordan har det vært hjemme?"],
    "systembarrierer": [
        "Har du møtt regler eller ordninger som har stått i veien?",
        "Har det vært ventetid eller ting som har stoppet opp?",
    ],
    "egen_mestring": [
        "Hva har du selv gjort som har hjulpet?",
        "Hva er du stolt av?",
        "Hva driver deg videre?",
    ],
}

ADVISER: dict[str, list[str]] = {
    "relasjoner": [
        "Det viktigste vi gjør, er å bygge en relasjon. Uten tillit skjer det ingenting.",
        "Jeg ser at de ungdommene som klarer seg, nesten alltid har hatt én trygg voksen i livet.",
        "Jeg prøver å være tilgjengelig på telefon, også utenom kontortid, for dem jeg følger opp.",
        "En ungdom, la oss kalle ungdommen {venn}, sa til meg at jeg var den første voksne ungdommen stolte "
        "på.",
    ],
    "helhet": [
        "Vi må se hele mennesket, ikke bare ytelsen de søker om.",
        "Ofte handler fraværet om noe helt annet enn skolen, om bolig, helse eller familie.",
        "Jeg hadde en gutt som bodde i {adresse}, og det var først da jeg var på hjemmebesøk at jeg skjønte "
        "hvordan han hadde det.",
    ],
    "kontinuitet": [
        "Hos oss følger samme veileder den unge fra første møte til de er i jobb eller skole.",
        "Vi har hatt stor utskifting av ansatte, og det går hardt ut over ungdommene.",
        "Den unge får ofte ny veileder når saken flyttes mellom avdelinger, og da mister vi mye.",
        "Jeg har fulgt noen av ungdommene i over tre år, fra de var {alder} til de fikk fast jobb.",
    ],
    "koordinering": [
        "Vi har faste samarbeidsmøter med oppfølgingstjenesten og {skole}, og det har gjort en stor "
        "forskjell.",
        "Tjenestene jobber for mye hver for seg, og det er ingen som eier helheten.",
        "Individuell plan høres fint ut, men i praksis er det sjelden noen som koordinerer den.",
        "Siden {tid} har vi hatt en felles koordinator for ungdom mellom {nav} og kommunen.",
    ],
    "medvirkning": [
        "Vi lar ungdommen selv sette målene, og så jobber vi ut fra dem.",
        "Noen ganger har vi bestemt for mye over hodet på de unge, og det har ikke fungert.",
        "Når den unge er med og lager planen, følger de den i mye større grad.",
    ],
    "psykisk_helse": [
        "Psykiske plager er den vanligste grunnen til at ungdommene våre faller ut.",
        "Ventetiden i psykisk helsevern gjør at vi står alene med ungdommer som trenger behandling.",
        "Mange har angst, og da hjelper det ikke å sende dem på et kurs med tjue andre.",
    ],
    "skole_mestring": [
        "Mange har dårlige erfaringer fra skolen og tror ikke at de får til noe.",
        "Vi samarbeider med {skole} om alternative løp for elever som står i fare for å slutte.",
    ],
    "arbeid": [
        "Arbeidspraksis hos en god arbeidsgiver, for eksempel {arbeidsgiver}, kan snu en hel livssituasjon.",
        "Vi bruker individuell jobbstøtte og får flere ut i ordinært arbeid enn før.",
        "Det er vanskelig å finne arbeidsgivere i {sted} som vil ta inn ungdom uten fullført skole.",
    ],
    "tilhorighet": [
        "Vi ser at de som har en fritidsaktivitet eller et miljø å høre til, klarer seg bedre.",
        "Mange av ungdommene er veldig ensomme, og det snakker vi for lite om.",
    ],
    "familie": [
        "Når familien har det vanskelig, blir alt tyngre for ungdommen.",
        "Vi prøver å involvere foreldrene når ungdommen ønsker det.",
    ],
    "systembarrierer": [
        "Regelverket er laget for voksne, og det passer dårlig for en nittenåring som trenger tid.",
        "Taushetsplikten blir ofte brukt som en grunn til ikke å samarbeide.",
        "Vi har ikke lov til å følge opp ungdommen etter at saken er avsluttet, selv om vi ser at de trenger "
        "det.",
        "I én sak måtte jeg lese opp fødselsnummeret {fnr} tre ganger i telefonen før jeg fikk svar fra en "
        "annen etat.",
        "Den {dato} fikk vi nye rutiner som gjorde at ventetiden ble enda lengre.",
    ],
    "egen_mestring": [
        "Når ungdommen opplever å mestre noe, skjer det noe med motivasjonen.",
        "Vi prøver å bygge på det de er gode på, ikke bare på problemene.",
    ],
}

ADVISER_QUESTIONS: dict[str, list[str]] = {
    "relasjoner": [
        "Hva kjennetegner en god relasjon mellom veileder og ungdom?",
        "Hvor viktig er det at ungdommen har en trygg voksen?",
    ],
    "helhet": ["Hvordan får dere et helhetlig bilde av den unges situasjon?"],
    "kontinuitet": [
        "Hvor lenge følger dere den samme ungdommen?",
        "Hva skjer når en ungdom bytter veileder?",
    ],
    "koordinering": [
        "Hvordan samarbeider dere med skolen og helsetjenestene?",
        "Hvem koordinerer hjelpen rundt den unge?",
    ],
    "medvirkning": ["Hvordan får ungdommene være med på å bestemme?"],
    "psykisk_helse": ["Hvor ofte møter dere ungdommer med psykiske plager?"],
    "skole_mestring": ["Hva gjør dere for dem som står i fare for å slutte på skolen?"],
    "arbeid": ["Hvilke tiltak for arbeid fungerer best for de unge?"],
    "tilhorighet": ["Hva betyr fritid og tilhørighet for ungdommene dere følger opp?"],
    "familie": ["Hvilken rolle spiller familien?"],
    "systembarrierer": [
        "Hvilke regler eller ordninger står i veien for godt arbeid?",
        "Hva er de største hindringene i systemet?",
    ],
    "egen_mestring": ["Hva skal til for at ungdommene får tro på seg selv?"],
}

INTERVIEW_YEAR = 2024
ALSO_CODES: dict[str, tuple[str, ...]] = {
    # Templates that plainly carry a second theme besides the one they were written for; a human coder would
    # code both, so the truth does too.
    "Jeg hadde mye angst på ungdomsskolen og klarte ikke å gå inn i klasserommet.": ("skole_mestring",),
    "Det psykiske tok all energien, så skolen ble liggende.": ("skole_mestring",),
    "Jeg sto på venteliste til psykolog i nesten et år.": ("psykisk_helse",),
    "Taushetsplikten gjorde at skolen og {nav} ikke kunne snakke sammen om meg, selv om jeg ønsket det.": (
        "koordinering",
    ),
    "Det hjalp at {hjelper} fikk samtykke fra meg, så alle kunne snakke sammen uten at taushetsplikten "
    "stoppet det.": ("koordinering",),
    "{hjelper} fulgte meg over fra ungdomsskolen til {skole}, og {hun} var der fortsatt da jeg byttet "
    "linje.": ("relasjoner",),
    "Jeg er stolt av at jeg fullførte, selv om det tok lengre tid enn for de andre.": ("skole_mestring",),
    "Jeg tok fagbrevet {tid}, ett år etter de andre, men jeg tok det.": ("egen_mestring",),
    "Alle så bare én bit av meg. Skolen så fraværet, legen så angsten, og {nav} så bare papirene.": (
        "koordinering",
    ),
    "De var bare opptatt av karakterene, ikke av hvorfor jeg ikke orket å gå på skolen.": ("skole_mestring",),
    "Ventetiden i psykisk helsevern gjør at vi står alene med ungdommer som trenger behandling.": (
        "systembarrierer",
    ),
    "Vi samarbeider med {skole} om alternative løp for elever som står i fare for å slutte.": (
        "koordinering",
    ),
    "Taushetsplikten blir ofte brukt som en grunn til ikke å samarbeide.": ("koordinering",),
    "Mange har dårlige erfaringer fra skolen og tror ikke at de får til noe.": ("egen_mestring",),
}
"""Second themes of some templates (keyed by the template text)."""

_SLOT = re.compile(r"\{(\w+)\}")
_MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
_SEASONS = ("våren", "sommeren", "høsten", "vinteren")


@dataclass
class SyntheticTranscript:
    """One synthetic transcript: its file ``name``, ``text``, ``group`` and the truth about it.

    ``pii_spans``: ``{start, end, type}`` with ``text[start:end]`` the inserted value; ``codes``:
    ``{turn_index, code_id}`` for the themes each participant turn was written from.
    """

    name: str
    text: str
    group: str
    pii_spans: list[dict[str, Any]] = field(default_factory=list)
    codes: list[dict[str, Any]] = field(default_factory=list)


class _Writer:
    """Appends text and records where each slot value lands, so spans are exact by construction."""

    def __init__(self, persona: dict[str, tuple[str, str | None]], rng: np.random.Generator) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[dict[str, Any]] = []
        self.persona = persona
        self.rng = rng
        self.used_slots: set[str] = set()
        age = int(persona["alder_naa"][0]) if persona["alder_naa"][0].isdigit() else 22
        self.first_year = max(2010, INTERVIEW_YEAR - age + 14)  # events in the story happen from about age 14

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def fill(self, template: str) -> None:
        cursor = 0
        for match in _SLOT.finditer(template):
            self.add(template[cursor : match.start()])
            slot = match.group(1)
            if slot == "hjelper" and slot in self.used_slots:
                slot = "hjelper_kort"  # the full name once, then the first name, as people talk
            self.used_slots.add(match.group(1))
            value, pii_type = self._value(slot)
            if match.start() == 0 or template[: match.start()].rstrip().endswith((".", "!", "?")):
                value = value[:1].upper() + value[1:]
            if pii_type:
                self.spans.append({"start": self.pos, "end": self.pos + len(value), "type": pii_type})
            self.add(value)
            cursor = match.end()
        self.add(template[cursor:])

    def _value(self, slot: str) -> tuple[str, str | None]:
        rng = self.rng
        if slot == "dato":
            day, month, year = (
                int(rng.integers(1, 29)),
                int(rng.integers(1, 13)),
                int(rng.integers(self.first_year, INTERVIEW_YEAR)),
            )
            if rng.random() < 0.6:
                return f"{day:02d}.{month:02d}.{year}", "DATO"
            return f"{day}. {_MONTHS[month - 1]} {year}", "DATO"
        if slot == "tid":
            year = int(rng.integers(self.first_year, INTERVIEW_YEAR))
            if rng.random() < 0.6:
                return f"{_SEASONS[rng.integers(0, 4)]} {year}", "DATO"
            self.add("i ")  # the preposition is not part of the date
            return f"{_MONTHS[rng.integers(0, 12)]} {year}", "DATO"
        if slot == "alder":
            return str(int(rng.integers(13, 20))), "ALDER"
        return self.persona[slot]

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _pick(rng: np.random.Generator, options: list[str] | tuple[str, ...]) -> str:
    return options[int(rng.integers(0, len(options)))]


def _ascii(text: str) -> str:
    return text.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", " ": ".", "-": ""}))


def _persona(rng: np.random.Generator, group: str) -> dict[str, tuple[str, str | None]]:
    """The people, places and numbers one interview talks about (all synthetic)."""
    from toolkit.synth.register import PLANTED_KOMMUNE, PLANTED_SKOLE, tenor_numbers

    female = rng.random() < 0.5
    first = _pick(rng, nm.FORNAVN_K if female else nm.FORNAVN_M)
    last = _pick(rng, nm.ETTERNAVN)
    helper_female = rng.random() < 0.6
    helper_first = _pick(rng, nm.FORNAVN_K if helper_female else nm.FORNAVN_M)
    helper = helper_first if rng.random() < 0.6 else f"{helper_first} {_pick(rng, nm.ETTERNAVN)}"
    # Positive deviants come more often from where the practice was planted (a nod to the register's truth).
    kommune = (
        PLANTED_KOMMUNE if group == "positivt_avvik" and rng.random() < 0.5 else _pick(rng, list(nm.KOMMUNER))
    )
    skole = PLANTED_SKOLE if group == "positivt_avvik" and rng.random() < 0.5 else _pick(rng, nm.SKOLER)
    other_kommune = _pick(rng, [k for k in nm.KOMMUNER if k != kommune])
    born = np.datetime64("1996-01-01") + np.timedelta64(int(rng.integers(0, 6 * 365)), "D")
    fnr = str(tenor_numbers(np.array([born]), np.array([rng.random() < 0.1]), rng)[0])
    if rng.random() < 0.3:
        fnr = f"{fnr[:6]} {fnr[6:]}"
    phone = f"{_pick(rng, ('4', '9'))}{int(rng.integers(0, 10_000_000)):07d}"
    style = rng.random()
    phone = (
        phone
        if style < 0.4
        else f"{phone[:3]} {phone[3:5]} {phone[5:]}"
        if style < 0.8
        else f"+47 {phone[:3]} {phone[3:5]} {phone[5:]}"
    )
    number = int(rng.integers(1, 99)) if rng.random() < 0.5 else ""
    email = f"{_ascii(first)}.{_ascii(last)}{number}@{_pick(rng, nm.EPOST_DOMENER)}"
    street = f"{_pick(rng, nm.GATENAVN)} {int(rng.integers(1, 90))}"
    pronoun = ("hun", "Hun", "henne") if helper_female else ("han", "Han", "ham")
    return {
        "navn": (first if rng.random() < 0.7 else f"{first} {last}", "PERSON"),
        "hjelper": (helper, "PERSON"),
        "hjelper_kort": (helper_first, "PERSON"),
        "hjelper2": (f"{_pick(rng, nm.FORNAVN_M + nm.FORNAVN_K)}", "PERSON"),
        "venn": (_pick(rng, nm.FORNAVN_K + nm.FORNAVN_M), "PERSON"),
        "skole": (skole, "ORGANISASJON"),
        "nav": (nm.NAV_KONTOR[kommune], "ORGANISASJON"),
        "arbeidsgiver": (_pick(rng, nm.ARBEIDSGIVERE), "ORGANISASJON"),
        "sted": (_pick(rng, nm.STEDER[kommune]), "STED"),
        "sted2": (_pick(rng, nm.STEDER[other_kommune]), "STED"),
        "adresse": (street, "ADRESSE"),
        "telefon": (phone, "TELEFON"),
        "epost": (email, "EPOST"),
        "fnr": (fnr, "FNR"),
        "alder_naa": (str(int(rng.integers(19, 27))), "ALDER"),
        "hun": (pronoun[0], None),
        "Hun": (pronoun[1], None),
        "henne": (pronoun[2], None),
    }


def _choose_themes(rng: np.random.Generator, group: str, count: int) -> list[str]:
    weights = THEME_WEIGHTS[group]
    themes = list(weights)
    probs = np.array([weights[t] for t in themes])
    # With replacement: a group returns to the themes it cares about, which is what makes groups differ.
    return [themes[i] for i in rng.choice(len(themes), size=count, replace=True, p=probs / probs.sum())]


class _Interview:
    """Turn bookkeeping for one transcript: labels, turn index, codes."""

    def __init__(self, writer: _Writer, interviewer: str, participant: str) -> None:
        self.w = writer
        self.interviewer = interviewer
        self.participant = participant
        self.turns = 0
        self.codes: list[dict[str, Any]] = []

    def turn(self, speaker: str, sentences: list[str], themes: tuple[str, ...] = ()) -> None:
        if self.turns:
            self.w.add("\n\n")
        self.w.add(f"{speaker}: ")
        for i, sentence in enumerate(sentences):
            if i:
                self.w.add(" ")
            self.w.fill(sentence)
        if themes:
            themes = (*themes, *(code for sentence in sentences for code in ALSO_CODES.get(sentence, ())))
        for theme in dict.fromkeys(themes):
            self.codes.append({"turn_index": self.turns, "code_id": theme})
        self.turns += 1

    def ask(self, question: str) -> None:
        self.turn(self.interviewer, [question])

    def answer(self, sentences: list[str], themes: tuple[str, ...] = ()) -> None:
        self.turn(self.participant, sentences, themes)


def _youth_sentence(
    rng: np.random.Generator, group: str, theme: str, used: set[str], positive: bool, *, required: bool = True
) -> str | None:
    """An unused sentence of ``theme`` in the answer's voice; the other voice only when one is required."""
    fresh = [s for s in YOUTH[theme]["+" if positive else "-"] if s not in used]
    if not fresh and not required:
        return None  # an extra sentence is left out rather than contradict the answer's voice
    fresh = fresh or [s for s in YOUTH[theme]["-" if positive else "+"] if s not in used]
    fresh = fresh or YOUTH[theme]["+" if positive else "-"]
    sentence = _pick(rng, fresh)
    used.add(sentence)
    return sentence


def _youth_interview(
    rng: np.random.Generator, group: str, persona: dict, labels: tuple[str, str]
) -> _Interview:
    interview = _Interview(_Writer(persona, rng), *labels)
    interview.ask(
        _pick(
            rng,
            [
                "Takk for at du vil være med. Kan du fortelle litt om deg selv?",
                "Fint at du kunne komme. Vil du starte med å si litt om hvem du er?",
                "Da setter vi i gang. Hvem er du, og hva driver du med for tiden?",
            ],
        )
    )
    interview.answer(
        [
            _pick(
                rng,
                [
                    "Jeg heter {navn}, er {alder_naa} år og bor i {sted}.",
                    "{navn} heter jeg. Jeg er {alder_naa} og har bodd i {sted} nesten hele livet.",
                    "Jeg er {navn}, {alder_naa} år, og kommer fra {sted}.",
                ],
            )
        ]
    )
    used: set[str] = set()
    asked: set[str] = set()
    for theme in _choose_themes(rng, group, int(rng.integers(12, 17))):
        question = _pick(rng, [q for q in YOUTH_QUESTIONS[theme] if q not in asked] or YOUTH_QUESTIONS[theme])
        asked.add(question)
        interview.ask(question)
        themes = [theme]
        positive = bool(
            rng.random() < POSITIVE_VOICE[group]
        )  # one voice per answer, so it reads as one story
        sentences = [str(_youth_sentence(rng, group, theme, used, positive))]
        if rng.random() < 0.35 and (
            extra := _youth_sentence(rng, group, theme, used, positive, required=False)
        ):
            sentences.append(extra)
        second = _choose_themes(rng, group, 1)[0]
        if rng.random() < 0.3 and (
            extra := _youth_sentence(rng, group, second, used, positive, required=False)
        ):
            sentences.append(extra)
            themes.append(second)
        interview.answer(sentences, tuple(themes))
    if rng.random() < 0.35:
        interview.ask("Til samtykkeskjemaet: kan du lese opp fødselsnummeret ditt?")
        interview.answer(["Ja, det er {fnr}."])
    interview.ask("Kan vi ta kontakt med deg igjen hvis vi lurer på noe?")
    contact = ["Ja, bare ring meg på {telefon}."]
    if rng.random() < 0.6:
        contact.append("Eller send en e-post til {epost}.")
    interview.answer(contact)
    interview.ask("Takk for at du delte dette med oss.")
    return interview


def _adviser_interview(rng: np.random.Generator, persona: dict, labels: tuple[str, str]) -> _Interview:
    interview = _Interview(_Writer(persona, rng), *labels)
    interview.ask("Kan du starte med å fortelle om rollen din?")
    interview.answer(
        [
            _pick(
                rng,
                [
                    "Jeg heter {navn} og har jobbet som veileder ved {nav} i sju år, mest med ungdom under "
                    "30.",
                    "{navn} heter jeg. Jeg er ungdomsveileder ved {nav} og har vært det siden {tid}.",
                ],
            )
        ]
    )
    used: set[str] = set()
    for theme in _choose_themes(rng, "veileder", int(rng.integers(10, 15))):
        interview.ask(_pick(rng, ADVISER_QUESTIONS[theme]))
        fresh = [s for s in ADVISER[theme] if s not in used] or ADVISER[theme]
        sentences = [_pick(rng, fresh)]
        used.add(sentences[0])
        themes = [theme]
        if rng.random() < 0.3:
            second = _choose_themes(rng, "veileder", 1)[0]
            more = [s for s in ADVISER[second] if s not in used]
            if more:
                sentences.append(_pick(rng, more))
                used.add(sentences[-1])
                themes.append(second)
        interview.answer(sentences, tuple(themes))
    interview.ask("Hvordan kan vi nå deg hvis vi har oppfølgingsspørsmål?")
    interview.answer(["Send en e-post til {epost}, eller ring {telefon} på dagtid."])
    return interview


def _groups(n: int, rng: np.random.Generator) -> list[str]:
    n_adviser = n // 4
    rest = n - n_adviser
    groups = (
        ["positivt_avvik"] * ((rest + 1) // 2) + ["sammenligning"] * (rest // 2) + ["veileder"] * n_adviser
    )
    return [groups[i] for i in rng.permutation(n)]


def make_transcripts(n: int = 12, seed: int = 2021) -> list[SyntheticTranscript]:
    """Generate ``n`` synthetic interview transcripts (``intervju_01.txt`` …), reproducibly from ``seed``.

    About a quarter are NAV-adviser interviews; the rest are split between positive deviants and comparison
    youths. File order is shuffled so a file's number says nothing about its group.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng([int(seed), 2])
    width = max(2, len(str(n)))
    transcripts = []
    for index, group in enumerate(_groups(int(n), rng), start=1):
        persona = _persona(rng, group)
        if group == "veileder":
            labels = ("Intervjuer", "Veileder") if rng.random() < 0.7 else ("I", "Veileder")
            interview = _adviser_interview(rng, persona, labels)
        else:
            labels = ("I", "U") if rng.random() < 0.6 else ("Intervjuer", "Deltaker")
            interview = _youth_interview(rng, group, persona, labels)
        header = f"Syntetisk intervju {index} (oppdiktet, ingen virkelige personer), transkribert "
        date_value = f"{int(rng.integers(1, 29)):02d}.{int(rng.integers(1, 13)):02d}.{INTERVIEW_YEAR}"
        shift = len(header) + len(date_value) + 2
        body = interview.w.text
        text = header + date_value + "\n\n" + body + "\n"
        spans = [{"start": len(header), "end": len(header) + len(date_value), "type": "DATO"}]
        spans += [
            {"start": s["start"] + shift, "end": s["end"] + shift, "type": s["type"]}
            for s in interview.w.spans
        ]
        transcripts.append(
            SyntheticTranscript(
                name=f"intervju_{index:0{width}d}.txt",
                text=text,
                group=group,
                pii_spans=spans,
                codes=interview.codes,
            )
        )
    return transcripts


__all__ = ["CODE_IDS", "GROUPS", "PII_TYPES", "SyntheticTranscript", "make_transcripts"]
