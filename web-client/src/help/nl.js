// Hoe een methode werkt, in het Nederlands. Elke taal heeft dezelfde sleutels
// (test/i18n.test.js controleert dat).

/** @type {import('../views/help.js').HelpTexts} */
export default {
  intro:
    "Bij intervisie helpt een groep collega's één van hen, de inbrenger, met een echte vraag uit het werk. De methode bewaakt de volgorde: eerst begrijpen, dan pas advies. Zo voelt de inbrenger zich gehoord in plaats van overspoeld met goede raad.",
  agreements: [
    "Wat hier besproken wordt, blijft in de groep. Vertel er buiten de groep alleen over wat over jezelf gaat.",
    "Er zit geen leidinggevende van een van de deelnemers in de groep: iedereen moet vrijuit kunnen praten.",
    "De telefoon is hier alleen om in te typen: geen foto's, geen opnames, meldingen uit.",
    "Eén persoon tegelijk aan het woord; de begeleider geeft het woord.",
    "Houd je aan de fase: vragen in de vragenfase, advies pas in de adviesfase.",
    "De inbrenger beslist zelf wat hij of zij met de adviezen doet.",
  ],
  roles: {
    facilitator:
      "Bewaakt de methode en de tijd, geeft het woord en grijpt in als iemand te vroeg advies geeft. Praat zelf niet mee over de inhoud.",
    case_bringer:
      "Brengt een echte situatie uit het eigen werk in, met een vraag waar je zelf mee zit. Beantwoordt vragen kort, luistert en kiest zelf wat bruikbaar is.",
    participant:
      "Stelt open vragen om te begrijpen, denkt mee over de kern en geeft pas advies als de fase erom vraagt. Eén bijdrage tegelijk, in je beurt.",
    note_taker:
      "Doet mee als deelnemer en houdt daarnaast bij wat er gezegd wordt, zodat de inbrenger het kan nalezen.",
  },
  goodQuestions: [
    "Wat maakt deze situatie voor jou zo lastig?",
    "Wat heb je tot nu toe gedaan, en wat gebeurde er toen?",
    "Wie zijn er nog meer bij betrokken?",
    "Wat zou je willen dat er over drie maanden anders is?",
  ],
  badQuestions: [
    ["Heb je al eens geprobeerd om met haar te praten?", "een verkapt advies"],
    ["Waarom heb je dat niet meteen gemeld?", "een oordeel in vraagvorm"],
    ["Was dat dinsdag of woensdag?", "een detail dat de inbrenger niet verder helpt"],
    ["Zou het niet beter zijn om te stoppen?", "jouw oplossing, niet zijn of haar vraag"],
  ],
  purposes: {
    "basic/inventory":
      "Iedereen kan een situatie inbrengen. Door stippen te verdelen kiest de groep de casus waar nu de meeste energie op zit.",
    "basic/question":
      "De inbrenger vertelt ongestoord het eigen verhaal. Zonder onderbrekingen komt het echte probleem vaak pas goed op tafel.",
    "basic/explore":
      "Open vragen helpen de groep én de inbrenger het probleem beter te zien. Wie nu al advies geeft, lost een probleem op dat misschien niet het echte is.",
    "basic/core":
      "Van de vele vragen en indrukken naar de kern: waar gaat het eigenlijk om? De inbrenger formuleert de kernvraag waar de adviezen op ingaan.",
    "basic/advice":
      "Nu pas advies, op de kernvraag, om de beurt. De inbrenger luistert en laat per advies weten of het bruikbaar is, zonder te verdedigen.",
    "basic/evaluation":
      "De inbrenger zegt wat hij of zij gaat doen. Iedereen blikt kort terug: wat neem je mee, hoe ging het samen?",
    "incident/choose":
      "Een incident is een kort moment waarop je moest handelen. De groep kiest het incident waarvan ze het meest kan leren.",
    "incident/sketch":
      "De inbrenger vertelt tot het moment van handelen, zonder de afloop. Zo kan iedereen zich in die situatie verplaatsen.",
    "incident/write-questions":
      "Iedereen bedenkt voor zichzelf welke feiten nog ontbreken. Stil schrijven voorkomt dat de eerste vraag de rest stuurt.",
    "incident/information":
      "Alleen feitelijke vragen: wie, wat, waar, wanneer. Zo wordt het beeld compleet zonder dat er al oordelen in sluipen.",
    "incident/analysis":
      "De groep bespreekt wat hier eigenlijk aan de hand is. De inbrenger luistert alleen en hoort hoe anderen de situatie zien.",
    "incident/position":
      "Ieder bepaalt voor zichzelf wat hij of zij zou doen, en waarom, voordat de anderen hun standpunt geven.",
    "incident/positions":
      "Om de beurt een standpunt. De verschillen laten zien hoeveel manieren er zijn om te handelen.",
    "incident/outcome":
      "Nu pas vertelt de inbrenger wat er echt gebeurde. De groep kan de eigen standpunten ermee vergelijken.",
    "incident/discussion":
      "Wat leren we van de verschillen tussen de standpunten en wat er echt gebeurde?",
    "incident/evaluation":
      "De inbrenger zegt wat hij of zij meeneemt. Iedereen blikt kort terug op de bijeenkomst.",
    "gossip/introduce": "De inbrenger vertelt kort de situatie en de vraag waar het om draait.",
    "gossip/explore":
      "Een paar open vragen, zodat de groep genoeg weet om over de inbrenger te kunnen ‘roddelen’.",
    "gossip/gossip":
      "De inbrenger draait zich om. De groep praat over hem of haar alsof die er niet is: vrijer en eerlijker dan recht in het gezicht. De inbrenger luistert alleen.",
    "gossip/harvest":
      "De inbrenger draait zich weer om en vertelt wat raakte. Wat bruikbaar is, wordt gemarkeerd; de inbrenger zegt wat hij of zij gaat doen.",
    "gossip/evaluation": "Iedereen zegt kort wat hij of zij meeneemt uit deze bijeenkomst.",
    "balint/pitch":
      "Om de beurt kort welke casus je zou willen inbrengen. Zo weet de groep waaruit ze kan kiezen.",
    "balint/choose":
      "Stippen laten zien welke casus de groep het meest aanspreekt; de begeleider kiest.",
    "balint/present":
      "De inbrenger vertelt de casus, ook wat die met hem of haar deed. Gevoelens zijn hier net zo belangrijk als feiten.",
    "balint/associate":
      "Ieder schrijft voor zichzelf op wat het verhaal oproept: beelden, gevoelens, herinneringen. Die zeggen vaak iets over de casus.",
    "balint/clarify": "Vragen om het verhaal beter te begrijpen, zonder advies.",
    "balint/judgement":
      "Ieder vormt voor zichzelf een oordeel over de situatie, voordat de groep praat.",
    "balint/group":
      "Om de beurt je oordeel en advies. De inbrenger luistert zonder te reageren, zodat alles gezegd kan worden.",
    "balint/decision": "De inbrenger vertelt wat hij of zij deed of gaat doen.",
    "balint/evaluation": "Iedereen zegt kort hoe hij of zij de bijeenkomst heeft ervaren.",
    "tietze/casting":
      "De groep verdeelt de rollen: wie brengt in, wie begeleidt, wie schrijft mee. Dat kost weinig tijd en geeft houvast.",
    "tietze/account":
      "De inbrenger vertelt spontaan wat er speelt. Daarna een paar vragen om het goed te begrijpen, nog zonder advies.",
    "tietze/key-question":
      "Een goede kernvraag bepaalt of de adviezen straks helpen. De inbrenger kiest de kernvraag.",
    "tietze/method":
      "De groep kiest hoe ze gaat adviseren, bijvoorbeeld brainstorm, hypothesen of goede raad. Dat past de adviezen aan de vraag aan.",
    "tietze/consultation":
      "Om de beurt één bijdrage in de gekozen werkvorm. De inbrenger luistert alleen, en hoeft nergens op te reageren.",
    "tietze/closing": "De inbrenger zegt welke ideeën waardevol waren en wat hij of zij gaat doen.",
    "troika/prepare": "De klant bedenkt in stilte welke vraag hij of zij wil voorleggen.",
    "troika/share": "De klant vertelt kort de situatie en de vraag.",
    "troika/clarify": "Een paar verhelderende vragen, zodat de adviseurs de vraag goed begrijpen.",
    "troika/consult":
      "De klant draait zich om. De adviseurs praten samen over wat ze horen en wat de klant zou kunnen doen.",
    "troika/respond":
      "De klant zegt wat bruikbaar was en wat hij of zij gaat doen. Daarna wisselen de rollen.",
    "*/report-back":
      "Wat is er gebeurd met de voornemens van de vorige keer? Kort terugkijken maakt het de volgende keer makkelijker om iets te doen.",
  },
  generic: {
    case: "Iedereen kan een situatie uit het werk inbrengen.",
    vote: "De groep kiest met stippen waar ze verder mee wil.",
    statement: "De inbrenger vertelt; de anderen luisteren.",
    question: "Open vragen om de situatie te begrijpen, nog zonder advies.",
    key_question: "De kernvraag: waar gaat het eigenlijk om?",
    analysis: "Wat valt je op? Vermoedens en patronen, nog geen oplossingen.",
    advice: "Nu mag er advies gegeven worden, bij de kernvraag.",
    private_note: "Ieder schrijft eerst voor zichzelf, zonder de anderen te horen.",
    commitment: "De inbrenger zegt wat hij of zij gaat doen.",
    reflection: "Terugkijken: wat neem je mee?",
    listen: "Eén persoon vertelt; de anderen luisteren.",
    talk: "De groep praat samen, één tegelijk.",
  },
};
