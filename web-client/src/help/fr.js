// Comment fonctionne une méthode, en français. Chaque langue a les mêmes clés
// (test/i18n.test.js le vérifie).

/** @type {import('../views/help.js').HelpTexts} */
export default {
  intro:
    "En intervision (ou codéveloppement), un groupe de collègues aide l'un·e d'entre eux, le ou la client·e, à traiter une vraie question de son travail. La méthode tient l'ordre : d'abord comprendre, ensuite conseiller. Ainsi, le ou la client·e se sent écouté·e au lieu d'être submergé·e de bons conseils.",
  agreements: [
    "Ce qui se dit ici reste dans le groupe. À l'extérieur, ne parlez que de ce qui vous concerne vous-même.",
    "Aucun·e responsable hiérarchique d'un·e participant·e dans le groupe : chacun doit pouvoir parler librement.",
    "Le téléphone sert seulement à écrire : pas de photos, pas d'enregistrements, notifications coupées.",
    "Une seule personne parle à la fois ; l'animateur·rice donne la parole.",
    "Respectez la phase : les questions pendant les questions, les conseils seulement pendant les conseils.",
    "Le ou la client·e décide lui-même ou elle-même de ce qu'il ou elle fait des conseils.",
  ],
  roles: {
    facilitator:
      "Veille à la méthode et au temps, donne la parole et intervient quand quelqu'un conseille trop tôt. Ne participe pas au contenu.",
    case_bringer:
      "Apporte une situation réelle de son propre travail, avec une question qui le ou la préoccupe. Répond brièvement, écoute et choisit ce qui est utile.",
    participant:
      "Pose des questions ouvertes pour comprendre, aide à trouver le cœur du problème et ne conseille que lorsque la phase le demande. Une contribution à la fois, à son tour.",
    note_taker:
      "Participe comme les autres et note en plus ce qui est dit, pour que le ou la client·e puisse le relire.",
  },
  goodQuestions: [
    "Qu'est-ce qui rend cette situation si difficile pour vous ?",
    "Qu'avez-vous fait jusqu'ici, et que s'est-il passé ensuite ?",
    "Qui d'autre est concerné ?",
    "Qu'aimeriez-vous voir changer d'ici trois mois ?",
  ],
  badQuestions: [
    ["Avez-vous déjà essayé de lui en parler ?", "un conseil déguisé"],
    ["Pourquoi ne l'avez-vous pas signalé tout de suite ?", "un jugement sous forme de question"],
    ["C'était mardi ou mercredi ?", "un détail qui n'aide pas le ou la client·e"],
    ["Ne vaudrait-il pas mieux arrêter ?", "votre solution, pas sa question"],
  ],
  purposes: {
    "basic/inventory":
      "Chacun peut apporter une situation. En répartissant des points, le groupe choisit le cas qui a le plus d'énergie en ce moment.",
    "basic/question":
      "Le ou la client·e raconte son histoire sans être interrompu·e. Sans interruption, le vrai problème apparaît souvent bien mieux.",
    "basic/explore":
      "Les questions ouvertes aident le groupe et le ou la client·e à mieux voir le problème. Conseiller maintenant, ce serait résoudre un problème qui n'est peut-être pas le vrai.",
    "basic/core":
      "De nombreuses questions et impressions vers l'essentiel : de quoi s'agit-il vraiment ? Le ou la client·e formule la question clé à laquelle répondront les conseils.",
    "basic/advice":
      "Seulement maintenant les conseils, sur la question clé, à tour de rôle. Le ou la client·e écoute et indique pour chaque conseil s'il est utile, sans se défendre.",
    "basic/evaluation":
      "Le ou la client·e dit ce qu'il ou elle va faire. Chacun fait un bref retour : que retenez-vous, comment cela s'est-il passé ensemble ?",
    "incident/choose":
      "Un incident est un court moment où il a fallu agir. Le groupe choisit l'incident dont il peut le plus apprendre.",
    "incident/sketch":
      "Le ou la client·e raconte jusqu'au moment d'agir, sans la suite, pour que chacun puisse se mettre à sa place.",
    "incident/write-questions":
      "Chacun note pour soi les faits qui manquent. Écrire en silence évite que la première question oriente toutes les autres.",
    "incident/information":
      "Uniquement des questions factuelles : qui, quoi, où, quand. Le tableau se complète avant que les jugements ne s'installent.",
    "incident/analysis":
      "Le groupe discute de ce qui se passe vraiment. Le ou la client·e écoute seulement et entend comment les autres voient la situation.",
    "incident/position":
      "Chacun décide pour soi ce qu'il ferait, et pourquoi, avant d'entendre les autres.",
    "incident/positions":
      "Une position chacun, à tour de rôle. Les différences montrent combien il y a de façons d'agir.",
    "incident/outcome":
      "Ce n'est que maintenant que le ou la client·e raconte ce qui s'est vraiment passé ; le groupe peut y comparer ses positions.",
    "incident/discussion":
      "Qu'apprenons-nous des différences entre les positions et ce qui s'est vraiment passé ?",
    "incident/evaluation":
      "Le ou la client·e dit ce qu'il ou elle retient. Chacun revient brièvement sur la rencontre.",
    "gossip/introduce":
      "Le ou la client·e raconte brièvement la situation et la question qui est au cœur.",
    "gossip/explore":
      "Quelques questions ouvertes, pour que le groupe en sache assez pour « commérer » sur le ou la client·e.",
    "gossip/gossip":
      "Le ou la client·e se retourne. Le groupe parle de lui ou d'elle comme s'il ou elle n'était pas là : plus librement et plus franchement qu'en face. Il ou elle écoute seulement.",
    "gossip/harvest":
      "Le ou la client·e se retourne, dit ce qui l'a touché·e, marque ce qui est utile et dit ce qu'il ou elle va faire.",
    "gossip/evaluation": "Chacun dit brièvement ce qu'il retient de cette rencontre.",
    "balint/pitch":
      "À tour de rôle, brièvement, quel cas vous aimeriez apporter, pour que le groupe sache parmi quoi choisir.",
    "balint/choose":
      "Les points montrent quel cas parle le plus au groupe ; l'animateur·rice choisit.",
    "balint/present":
      "Le ou la client·e raconte le cas, y compris ce qu'il a provoqué chez lui ou chez elle. Ici, les émotions comptent autant que les faits.",
    "balint/associate":
      "Chacun note ce que le récit éveille en lui : images, sentiments, souvenirs. Ils disent souvent quelque chose du cas.",
    "balint/clarify": "Des questions pour mieux comprendre le récit, sans conseils.",
    "balint/judgement":
      "Chacun se forme son propre jugement sur la situation avant que le groupe ne parle.",
    "balint/group":
      "À tour de rôle, jugement et conseil. Le ou la client·e écoute sans réagir, pour que tout puisse être dit.",
    "balint/decision": "Le ou la client·e raconte ce qu'il ou elle a fait ou va faire.",
    "balint/evaluation": "Chacun dit brièvement comment il a vécu la rencontre.",
    "tietze/casting":
      "Le groupe répartit les rôles : qui apporte un cas, qui anime, qui prend des notes. Cela va vite et donne un cadre.",
    "tietze/account":
      "Le ou la client·e raconte librement ce qui se passe. Ensuite, quelques questions de compréhension, toujours sans conseils.",
    "tietze/key-question":
      "Une bonne question clé décide si la consultation aidera. Le ou la client·e la choisit.",
    "tietze/method":
      "Le groupe choisit comment il va conseiller, par exemple un remue-méninges, des hypothèses ou de bons conseils, selon la question.",
    "tietze/consultation":
      "Une contribution chacun, à tour de rôle, dans la forme choisie. Le ou la client·e écoute seulement et n'a pas à réagir.",
    "tietze/closing":
      "Le ou la client·e dit quelles idées ont été précieuses et ce qu'il ou elle va faire.",
    "troika/prepare": "Le ou la client·e réfléchit en silence à la question à apporter.",
    "troika/share": "Le ou la client·e raconte brièvement la situation et la question.",
    "troika/clarify":
      "Quelques questions de clarification, pour que les consultant·es comprennent bien la question.",
    "troika/consult":
      "Le ou la client·e se retourne. Les consultant·es discutent de ce qu'ils entendent et de ce qu'il ou elle pourrait faire.",
    "troika/respond":
      "Le ou la client·e dit ce qui a été utile et ce qu'il ou elle va faire. Puis les rôles changent.",
    "*/report-back":
      "Qu'est-il advenu des engagements de la dernière fois ? Un bref retour aide à passer à l'action la prochaine fois.",
  },
  generic: {
    case: "Chacun peut apporter une situation de son travail.",
    vote: "Avec des points, le groupe choisit la suite.",
    statement: "Le ou la client·e raconte ; les autres écoutent.",
    question: "Des questions ouvertes pour comprendre la situation, pas encore de conseils.",
    key_question: "La question clé : de quoi s'agit-il vraiment ?",
    analysis: "Qu'est-ce qui vous frappe ? Des intuitions et des schémas, pas encore de solutions.",
    advice: "Les conseils sont maintenant les bienvenus, sur la question clé.",
    private_note: "Chacun écrit d'abord pour soi, sans entendre les autres.",
    commitment: "Le ou la client·e dit ce qu'il ou elle va faire.",
    reflection: "Regarder en arrière : que retenez-vous ?",
    listen: "Une personne raconte ; les autres écoutent.",
    talk: "Le groupe discute ensemble, une personne à la fois.",
  },
};
