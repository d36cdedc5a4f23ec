// How a method works, in English. Every language has the same keys (test/i18n.test.js checks).

/** @type {import('../views/help.js').HelpTexts} */
export default {
  intro:
    "In peer consultation a group of colleagues helps one of them, the case-bringer, with a real question from their work. The method keeps the order: understand first, advise later. That way the case-bringer feels heard instead of buried in good advice.",
  agreements: [
    "What is said here stays in the group. Outside it, only talk about what concerns yourself.",
    "Nobody's manager is in the group: everyone must be able to speak freely.",
    "Phones are only for typing here: no photos, no recordings, notifications off.",
    "One person speaks at a time; the facilitator gives the floor.",
    "Keep to the phase: questions in the question phase, advice only in the advice phase.",
    "The case-bringer decides what to do with the advice.",
  ],
  roles: {
    facilitator:
      "Guards the method and the time, gives the floor and steps in when someone advises too early. Does not take part in the content.",
    case_bringer:
      "Brings a real situation from their own work, with a question they are struggling with. Answers questions briefly, listens, and chooses what is useful.",
    participant:
      "Asks open questions to understand, helps find the core, and gives advice only when the phase asks for it. One contribution at a time, in your turn.",
    note_taker:
      "Takes part like any participant and also notes what is said, so the case-bringer can read it back.",
  },
  goodQuestions: [
    "What makes this situation so hard for you?",
    "What have you done so far, and what happened then?",
    "Who else is involved?",
    "What would you like to be different three months from now?",
  ],
  badQuestions: [
    ["Have you tried talking to her?", "advice in disguise"],
    ["Why didn't you report it right away?", "a judgement dressed as a question"],
    ["Was that on Tuesday or Wednesday?", "a detail that does not help the case-bringer"],
    ["Wouldn't it be better to stop?", "your solution, not their question"],
  ],
  purposes: {
    "basic/inventory":
      "Anyone can bring a situation. By spreading dots the group picks the case with the most energy right now.",
    "basic/question":
      "The case-bringer tells their story without interruption. Often the real problem only surfaces when nobody cuts in.",
    "basic/explore":
      "Open questions help the group and the case-bringer see the problem better. Advice now would solve a problem that may not be the real one.",
    "basic/core":
      "From many questions and impressions to the core: what is this really about? The case-bringer words the key question the advice will answer.",
    "basic/advice":
      "Only now advice, on the key question, in turns. The case-bringer listens and marks each piece as useful or not, without defending.",
    "basic/evaluation":
      "The case-bringer says what they will do. Everyone looks back briefly: what do you take away, how did it go together?",
    "incident/choose":
      "An incident is a short moment when you had to act. The group picks the incident it can learn most from.",
    "incident/sketch":
      "The case-bringer tells up to the moment of action, without the outcome, so everyone can put themselves in that situation.",
    "incident/write-questions":
      "Everyone notes for themselves which facts are missing. Writing in silence keeps the first question from steering the rest.",
    "incident/information":
      "Only factual questions: who, what, where, when. The picture gets complete before judgements creep in.",
    "incident/analysis":
      "The group discusses what is really going on. The case-bringer only listens and hears how others see the situation.",
    "incident/position":
      "Everyone decides for themselves what they would do, and why, before hearing the others.",
    "incident/positions":
      "One position each, in turns. The differences show how many ways there are to act.",
    "incident/outcome":
      "Only now does the case-bringer tell what really happened, and the group can compare its positions with it.",
    "incident/discussion":
      "What do we learn from the differences between the positions and what really happened?",
    "incident/evaluation":
      "The case-bringer says what they take away. Everyone looks back briefly on the meeting.",
    "gossip/introduce":
      "The case-bringer briefly tells the situation and the question at its heart.",
    "gossip/explore":
      "A few open questions, so the group knows enough to ‘gossip’ about the case-bringer.",
    "gossip/gossip":
      "The case-bringer turns their back. The group talks about them as if they were not there: freer and more honest than face to face. The case-bringer only listens.",
    "gossip/harvest":
      "The case-bringer turns back and tells what struck home, marks what is useful and says what they will do.",
    "gossip/evaluation": "Everyone says briefly what they take away from this meeting.",
    "balint/pitch":
      "In turns, briefly, which case you would like to bring, so the group knows what it can choose from.",
    "balint/choose": "Dots show which case speaks to the group most; the facilitator picks.",
    "balint/present":
      "The case-bringer tells the case, including what it did to them. Feelings matter here as much as facts.",
    "balint/associate":
      "Everyone notes what the story brings up: images, feelings, memories. They often say something about the case.",
    "balint/clarify": "Questions to understand the story better, without advice.",
    "balint/judgement":
      "Everyone forms their own judgement of the situation before the group talks.",
    "balint/group":
      "Your judgement and advice, in turns. The case-bringer listens without reacting, so everything can be said.",
    "balint/decision": "The case-bringer tells what they did or will do.",
    "balint/evaluation": "Everyone says briefly how they experienced the meeting.",
    "tietze/casting":
      "The group shares out the roles: who brings a case, who facilitates, who takes notes. It takes little time and gives structure.",
    "tietze/account":
      "The case-bringer tells freely what is going on. Then a few questions to understand it, still without advice.",
    "tietze/key-question":
      "A good key question decides whether the advice will help. The case-bringer chooses it.",
    "tietze/method":
      "The group chooses how to consult, for example a brainstorm, hypotheses or good advice, to fit the question.",
    "tietze/consultation":
      "One contribution each, in turns, in the chosen form. The case-bringer only listens and need not react.",
    "tietze/closing": "The case-bringer says which ideas were valuable and what they will do.",
    "troika/prepare": "The client thinks in silence about the question to bring.",
    "troika/share": "The client briefly tells the situation and the question.",
    "troika/clarify":
      "A few clarifying questions, so the consultants understand the question well.",
    "troika/consult":
      "The client turns around. The consultants discuss what they hear and what the client could do.",
    "troika/respond": "The client says what was useful and what they will do. Then roles change.",
    "*/report-back":
      "What became of last time's commitments? Looking back briefly makes it easier to act next time.",
  },
  generic: {
    case: "Anyone can bring a situation from their work.",
    vote: "With dots, the group chooses what to go on with.",
    statement: "The case-bringer tells; the others listen.",
    question: "Open questions to understand the situation, no advice yet.",
    key_question: "The key question: what is this really about?",
    analysis: "What strikes you? Hunches and patterns, no solutions yet.",
    advice: "Now advice may be given, on the key question.",
    private_note: "Everyone writes for themselves first, without hearing the others.",
    commitment: "The case-bringer says what they will do.",
    reflection: "Looking back: what do you take away?",
    listen: "One person tells; the others listen.",
    talk: "The group talks together, one at a time.",
  },
};
