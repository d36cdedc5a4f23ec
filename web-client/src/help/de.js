// Wie eine Methode funktioniert, auf Deutsch. Jede Sprache hat dieselben Schlüssel
// (test/i18n.test.js prüft das).

/** @type {import('../views/help.js').HelpTexts} */
export default {
  intro:
    "In der Kollegialen Beratung hilft eine Gruppe von Kolleginnen und Kollegen einer Person aus ihrer Mitte, der Fallgeberin oder dem Fallgeber, bei einer echten Frage aus der Arbeit. Die Methode hält die Reihenfolge ein: erst verstehen, dann beraten. So fühlt sich die Fallgeberin oder der Fallgeber gehört statt mit guten Ratschlägen überschüttet.",
  agreements: [
    "Was hier besprochen wird, bleibt in der Gruppe. Außerhalb erzählst du nur, was dich selbst betrifft.",
    "Keine Vorgesetzten von Teilnehmenden in der Gruppe: Alle sollen frei sprechen können.",
    "Das Handy ist hier nur zum Tippen da: keine Fotos, keine Aufnahmen, Benachrichtigungen aus.",
    "Es spricht immer nur eine Person; die Moderation erteilt das Wort.",
    "Halte dich an die Phase: Fragen in der Fragephase, Ratschläge erst in der Beratungsphase.",
    "Die Fallgeberin oder der Fallgeber entscheidet selbst, was sie oder er mit den Ratschlägen macht.",
  ],
  roles: {
    facilitator:
      "Achtet auf die Methode und die Zeit, erteilt das Wort und greift ein, wenn jemand zu früh Ratschläge gibt. Spricht selbst nicht inhaltlich mit.",
    case_bringer:
      "Bringt eine echte Situation aus der eigenen Arbeit ein, mit einer Frage, die sie oder ihn beschäftigt. Antwortet kurz, hört zu und wählt selbst, was hilfreich ist.",
    participant:
      "Stellt offene Fragen, um zu verstehen, sucht mit nach dem Kern und gibt erst Rat, wenn die Phase es vorsieht. Ein Beitrag auf einmal, wenn du dran bist.",
    note_taker:
      "Macht mit wie alle anderen und hält zusätzlich fest, was gesagt wird, damit die Fallgeberin oder der Fallgeber es nachlesen kann.",
  },
  goodQuestions: [
    "Was macht diese Situation für dich so schwierig?",
    "Was hast du bisher getan, und was ist dann passiert?",
    "Wer ist noch beteiligt?",
    "Was soll in drei Monaten anders sein?",
  ],
  badQuestions: [
    ["Hast du schon mal versucht, mit ihr zu reden?", "ein versteckter Rat"],
    ["Warum hast du das nicht sofort gemeldet?", "ein Urteil in Frageform"],
    ["War das Dienstag oder Mittwoch?", "ein Detail, das nicht weiterhilft"],
    ["Wäre es nicht besser aufzuhören?", "deine Lösung, nicht ihre oder seine Frage"],
  ],
  purposes: {
    "basic/inventory":
      "Alle können eine Situation einbringen. Mit den Punkten wählt die Gruppe den Fall, bei dem gerade die meiste Energie liegt.",
    "basic/question":
      "Die Fallgeberin oder der Fallgeber erzählt ungestört. Ohne Unterbrechungen kommt das eigentliche Problem oft erst richtig auf den Tisch.",
    "basic/explore":
      "Offene Fragen helfen der Gruppe und der Fallgeberin oder dem Fallgeber, das Problem besser zu sehen. Wer jetzt schon Rat gibt, löst ein Problem, das vielleicht nicht das eigentliche ist.",
    "basic/core":
      "Von vielen Fragen und Eindrücken zum Kern: Worum geht es eigentlich? Die Fallgeberin oder der Fallgeber formuliert die Schlüsselfrage, auf die die Ratschläge antworten.",
    "basic/advice":
      "Erst jetzt kommen Ratschläge, zur Schlüsselfrage, reihum. Die Fallgeberin oder der Fallgeber hört zu und markiert jeden Rat als hilfreich oder nicht, ohne sich zu verteidigen.",
    "basic/evaluation":
      "Die Fallgeberin oder der Fallgeber sagt, was sie oder er tun wird. Alle blicken kurz zurück: Was nimmst du mit, wie lief es miteinander?",
    "incident/choose":
      "Ein Vorfall ist ein kurzer Moment, in dem gehandelt werden musste. Die Gruppe wählt den Vorfall, aus dem sie am meisten lernen kann.",
    "incident/sketch":
      "Die Fallgeberin oder der Fallgeber erzählt bis zum Moment des Handelns, ohne den Ausgang. So können sich alle in die Lage hineinversetzen.",
    "incident/write-questions":
      "Alle notieren für sich, welche Fakten fehlen. Stilles Schreiben verhindert, dass die erste Frage alle anderen lenkt.",
    "incident/information":
      "Nur Sachfragen: wer, was, wo, wann. So wird das Bild vollständig, bevor sich Urteile einschleichen.",
    "incident/analysis":
      "Die Gruppe bespricht, was hier eigentlich los ist. Die Fallgeberin oder der Fallgeber hört nur zu und erfährt, wie andere die Situation sehen.",
    "incident/position":
      "Alle entscheiden für sich, was sie tun würden und warum, bevor sie die anderen hören.",
    "incident/positions":
      "Reihum ein Standpunkt. Die Unterschiede zeigen, wie viele Wege es gibt zu handeln.",
    "incident/outcome":
      "Erst jetzt erzählt die Fallgeberin oder der Fallgeber, was wirklich geschah, und die Gruppe kann ihre Standpunkte damit vergleichen.",
    "incident/discussion":
      "Was lernen wir aus den Unterschieden zwischen den Standpunkten und dem, was wirklich geschah?",
    "incident/evaluation":
      "Die Fallgeberin oder der Fallgeber sagt, was sie oder er mitnimmt. Alle blicken kurz auf das Treffen zurück.",
    "gossip/introduce":
      "Die Fallgeberin oder der Fallgeber schildert kurz die Situation und die Frage, um die es geht.",
    "gossip/explore":
      "Ein paar offene Fragen, damit die Gruppe genug weiß, um über die Fallgeberin oder den Fallgeber zu „tratschen“.",
    "gossip/gossip":
      "Die Fallgeberin oder der Fallgeber dreht sich um. Die Gruppe spricht über sie oder ihn, als wäre sie oder er nicht da: freier und ehrlicher als von Angesicht zu Angesicht. Sie oder er hört nur zu.",
    "gossip/harvest":
      "Die Fallgeberin oder der Fallgeber dreht sich zurück, erzählt, was berührt hat, markiert, was hilfreich ist, und sagt, was sie oder er tun wird.",
    "gossip/evaluation": "Alle sagen kurz, was sie aus diesem Treffen mitnehmen.",
    "balint/pitch":
      "Reihum, kurz: Welchen Fall möchtest du einbringen? So weiß die Gruppe, woraus sie wählen kann.",
    "balint/choose":
      "Die Punkte zeigen, welcher Fall die Gruppe am meisten anspricht; die Moderation wählt.",
    "balint/present":
      "Die Fallgeberin oder der Fallgeber erzählt den Fall, auch was er in ihr oder ihm ausgelöst hat. Gefühle zählen hier so viel wie Fakten.",
    "balint/associate":
      "Alle notieren für sich, was die Geschichte in ihnen auslöst: Bilder, Gefühle, Erinnerungen. Sie sagen oft etwas über den Fall.",
    "balint/clarify": "Fragen, um die Geschichte besser zu verstehen, ohne Ratschläge.",
    "balint/judgement":
      "Alle bilden sich ein eigenes Urteil über die Situation, bevor die Gruppe spricht.",
    "balint/group":
      "Reihum Urteil und Rat. Die Fallgeberin oder der Fallgeber hört zu, ohne zu reagieren, damit alles gesagt werden kann.",
    "balint/decision":
      "Die Fallgeberin oder der Fallgeber erzählt, was sie oder er getan hat oder tun wird.",
    "balint/evaluation": "Alle sagen kurz, wie sie das Treffen erlebt haben.",
    "tietze/casting":
      "Die Gruppe verteilt die Rollen: Wer bringt einen Fall ein, wer moderiert, wer schreibt mit. Das geht schnell und gibt Halt.",
    "tietze/account":
      "Die Fallgeberin oder der Fallgeber berichtet frei, was los ist. Danach ein paar Verständnisfragen, noch ohne Ratschläge.",
    "tietze/key-question":
      "Eine gute Schlüsselfrage entscheidet darüber, ob die Beratung später hilft. Die Fallgeberin oder der Fallgeber wählt sie.",
    "tietze/method":
      "Die Gruppe wählt, wie sie berät, etwa Brainstorming, Hypothesen oder gute Ratschläge, passend zur Frage.",
    "tietze/consultation":
      "Reihum ein Beitrag in der gewählten Form. Die Fallgeberin oder der Fallgeber hört nur zu und muss nicht reagieren.",
    "tietze/closing":
      "Die Fallgeberin oder der Fallgeber sagt, welche Ideen wertvoll waren und was sie oder er tun wird.",
    "troika/prepare":
      "Die Klientin oder der Klient überlegt in Ruhe, welche Frage sie oder er einbringen will.",
    "troika/share": "Die Klientin oder der Klient schildert kurz die Situation und die Frage.",
    "troika/clarify": "Ein paar klärende Fragen, damit die Beratenden die Frage gut verstehen.",
    "troika/consult":
      "Die Klientin oder der Klient dreht sich um. Die Beratenden besprechen, was sie hören und was die Person tun könnte.",
    "troika/respond":
      "Die Klientin oder der Klient sagt, was hilfreich war und was sie oder er tun wird. Dann wechseln die Rollen.",
    "*/report-back":
      "Was ist aus den Vorhaben vom letzten Mal geworden? Ein kurzer Rückblick macht es beim nächsten Mal leichter, etwas zu tun.",
  },
  generic: {
    case: "Alle können eine Situation aus ihrer Arbeit einbringen.",
    vote: "Mit Punkten wählt die Gruppe, womit sie weitermacht.",
    statement: "Die Fallgeberin oder der Fallgeber erzählt; die anderen hören zu.",
    question: "Offene Fragen, um die Situation zu verstehen, noch ohne Ratschläge.",
    key_question: "Die Schlüsselfrage: Worum geht es eigentlich?",
    analysis: "Was fällt dir auf? Vermutungen und Muster, noch keine Lösungen.",
    advice: "Jetzt dürfen Ratschläge gegeben werden, zur Schlüsselfrage.",
    private_note: "Alle schreiben zuerst für sich, ohne die anderen zu hören.",
    commitment: "Die Fallgeberin oder der Fallgeber sagt, was sie oder er tun wird.",
    reflection: "Zurückblicken: Was nimmst du mit?",
    listen: "Eine Person erzählt; die anderen hören zu.",
    talk: "Die Gruppe spricht miteinander, eine Person nach der anderen.",
  },
};
