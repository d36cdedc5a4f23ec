// Generated from the Rust types in protocol/ by `kring_protocol::typescript`.
// Do not edit: run `KRING_UPDATE_TYPES=1 cargo test -p kring-protocol`.

export type MemberId = number;

export type ItemId = number;

export type RoomCode = string;

export type DisplayName = string;

export type Title = string;

export type Text = string;

export type Localized = { nl: string, en: string, de?: string, fr?: string, };

export type Language = "nl" | "en" | "de" | "fr";

export type Role = "facilitator" | "case_bringer" | "participant" | "note_taker" | "screen";

export type InputKind = "case" | "vote" | "statement" | "question" | "answer" | "key_question" | "analysis" | "advice" | "private_note" | "reaction" | "commitment" | "reflection" | "notepad";

export type TurnMode = "free" | "round" | "case_bringer_only" | "silent";

export type MethodTemplate = { 
/**
 * Stable identifier, lowercase letters, digits and `-` (e.g. `basic`, `incident`).
 */
id: string, name: Localized, description: Localized, 
/**
 * Dots each member may give while choosing a case (dot voting).
 */
dots_per_member: number, 
/**
 * Each member becomes the case-bringer once (Troika): `next_phase` after the last phase
 * starts the method again as a new case round with the next member (join order) who has
 * not brought a case in this meeting yet.
 */
rotate_case_bringer?: boolean, phases: Array<PhaseTemplate>, };

export type PhaseTemplate = { 
/**
 * Unique within the method, lowercase letters, digits and `-`.
 */
id: string, name: Localized, 
/**
 * What the phase asks of people, in plain words ("Ask open questions. No advice yet.").
 */
instruction: Localized, 
/**
 * Default time box in minutes.
 */
minutes: number, turns: TurnMode, 
/**
 * Which kinds of input each role may submit in this phase. A role that is absent may
 * submit nothing. The facilitator's control commands are not listed here.
 */
allow: Partial<Record<Role, Array<InputKind>>>, 
/**
 * "Back turned": the case-bringer hears everything but may not post or speak.
 */
case_bringer_listens: boolean, 
/**
 * At most this many items of a kind per member in this phase (e.g. 3 questions each).
 */
max_per_member: Partial<Record<InputKind, number>>, 
/**
 * The case-bringer may keep a private notepad in this phase (also while listening).
 */
case_bringer_notes?: boolean, 
/**
 * One contribution per turn (a `round` phase): written input that takes a turn is
 * accepted only from the member who holds the floor, one item per turn.
 */
one_per_turn?: boolean, 
/**
 * Where the case-bringer comes in a round of this phase (default: join order).
 */
round_order?: RoundOrder, };

export type RoundOrder = "joined" | "case_bringer_first" | "case_bringer_last";

export type Command = { "kind": "start_session", } | { "kind": "next_phase", } | { "kind": "prev_phase", } | { "kind": "goto_phase", index: number, } | { "kind": "extend_timer", seconds: number, } | { "kind": "pause_timer", paused: boolean, } | { "kind": "set_timer", seconds: number, } | { "kind": "set_turn_limit", seconds: number | null, } | { "kind": "end_session", } | { "kind": "lock_room", locked: boolean, } | { "kind": "set_case_bringer", member: MemberId | null, } | { "kind": "set_role", member: MemberId, role: Role, } | { "kind": "remove_member", member: MemberId, } | { "kind": "remove_and_lock", member: MemberId, } | { "kind": "remove_offline", } | { "kind": "choose_case", case: ItemId, 
/**
 * Keep the other proposals for the next meeting of the group.
 */
keep_others?: boolean, } | { "kind": "keep_case", case: ItemId, keep: boolean, } | { "kind": "give_floor", member: MemberId, } | { "kind": "end_floor", } | { "kind": "next_speaker", } | { "kind": "skip_speaker", member: MemberId, } | { "kind": "start_round", } | { "kind": "hide_item", item: ItemId, hidden: boolean, } | { "kind": "reveal_notes", } | { "kind": "start_case", 
/**
 * Id of a built-in method.
 */
method: string, 
/**
 * The next case-bringer; `null` when the method chooses the case first.
 */
case_bringer?: MemberId | null, } | { "kind": "reorder_round", order: Array<MemberId>, } | { "kind": "set_co_facilitator", member: MemberId, on: boolean, } | { "kind": "hand_facilitator", member: MemberId, } | { "kind": "reveal_votes", } | { "kind": "raise_hand", } | { "kind": "lower_hand", } | { "kind": "pass", } | { "kind": "submit", input: InputKind, 
/**
 * Trimmed, then at most as many characters (Unicode scalar values) as the kind allows:
 * 500 for a question or key question, 600 for a case, 1000 for a commitment, 4000 for
 * a statement, 1500 for the rest (the table is `limits::max_chars`, and `MAX_CHARS` in
 * `wire.js`). Longer text is refused with `text_too_long`, never cut.
 */
text: Text, 
/**
 * The question an `answer` answers.
 */
reply_to?: ItemId | null, 
/**
 * Hide my name from the other members (never from the rules).
 */
anonymous?: boolean, 
/**
 * Submit even though the question reads like advice.
 */
confirm?: boolean, } | { "kind": "vote", item: ItemId, } | { "kind": "unvote", item: ItemId, } | { "kind": "triage", item: ItemId, status: TriageStatus, } | { "kind": "react", item: ItemId, reaction: Reaction, } | { "kind": "share_reactions", shared: boolean, } | { "kind": "choose_key_question", item: ItemId, } | { "kind": "carry_commitment", item: ItemId, carry: boolean, } | { "kind": "rate_process", scores: Array<number>, remark?: Text | null, } | { "kind": "withdraw", item: ItemId, } | { "kind": "rename", 
/**
 * 1 to 40 characters after trimming, no control characters (`invalid_name`).
 */
name: string, } | { "kind": "confirm_presence", 
/**
 * My number with a professional register (e.g. `BIG 19012345601`, `SKJ 100012345`),
 * shown on my own certificate only, never to other members or on the list. Trimmed;
 * 1 to 60 characters without control characters (`invalid_value`); empty or absent:
 * none.
 */
registration?: string | null, } | { "kind": "write_reflection", text: Text, } | { "kind": "confirm_list", } | { "kind": "set_minutes", member: MemberId, minutes: number | null, };

export type TriageStatus = "open" | "answered" | "parked";

export type Temperature = "none" | "warm" | "lukewarm" | "cold";

export type Reaction = { temperature: Temperature, useful: boolean, };

export type ReactionEntry = { item: ItemId, reaction: Reaction, };

export type Sequenced = { seq: number, at: number, event: Event, };

export type MemberInfo = { id: MemberId, name: DisplayName, role: Role, };

export type Item = { id: ItemId, kind: InputKind, 
/**
 * The author; `null` for other members when the item is anonymous.
 */
by: MemberId | null, anonymous: boolean, 
/**
 * `null` while a private note is unrevealed, or for hidden items (except for the
 * facilitator).
 */
text: Text | null, 
/**
 * Index of the phase the item was made in.
 */
phase: number, 
/**
 * Sequence number of that phase (a phase visited twice has two).
 */
phase_seq: number, 
/**
 * The case round (0-based) the item belongs to; `phase` indexes that round's method.
 */
case_round: number, at: number, reply_to: ItemId | null, 
/**
 * Upvotes (questions) or dots (cases).
 */
votes: number, status: TriageStatus, hidden: boolean, 
/**
 * A case proposal kept for the group's next meeting, or a commitment its case-bringer
 * agreed to take there.
 */
kept: boolean, 
/**
 * The case proposal that was chosen, or the key question the case-bringer chose.
 */
chosen: boolean, 
/**
 * A private note that the facilitator revealed.
 */
revealed: boolean, };

export type Event = { "kind": "member_joined", member: MemberInfo, } | { "kind": "member_renamed", member: MemberId, name: DisplayName, } | { "kind": "role_changed", member: MemberId, role: Role, } | { "kind": "member_removed", member: MemberId, } | { "kind": "phase_changed", index: number, phase_seq: number, deadline: number | null, round: Array<MemberId>, } | { "kind": "timer_changed", deadline: number | null, } | { "kind": "timer_paused", left_ms: number, } | { "kind": "turn_limit_set", seconds: number | null, } | { "kind": "votes_revealed", } | { "kind": "time_up", phase_seq: number, } | { "kind": "session_ended", } | { "kind": "room_locked", locked: boolean, } | { "kind": "hand_raised", member: MemberId, } | { "kind": "hand_lowered", member: MemberId, } | { "kind": "floor_given", member: MemberId, } | { "kind": "floor_ended", member: MemberId, speaking_ms: number, } | { "kind": "round_started", order: Array<MemberId>, } | { "kind": "round_turn_done", member: MemberId, passed: boolean, } | { "kind": "left_turns", member: MemberId, } | { "kind": "rejoined_turns", member: MemberId, } | { "kind": "item_added", item: Item, } | { "kind": "item_voted", item: ItemId, votes: number, up: boolean, } | { "kind": "item_triaged", item: ItemId, status: TriageStatus, } | { "kind": "item_hidden", item: ItemId, hidden: boolean, restored: Item | null, } | { "kind": "item_reacted", item: ItemId | null, reaction: Reaction | null, shared: boolean, } | { "kind": "reactions_shared", case_round: number, shared: boolean, reactions: Array<ReactionEntry>, } | { "kind": "note_taken", note: Item | null, } | { "kind": "key_question_chosen", item: ItemId, } | { "kind": "round_reordered", order: Array<MemberId>, } | { "kind": "commitment_carried", item: ItemId, carry: boolean, } | { "kind": "process_rated", case_round: number, count: number, } | { "kind": "co_facilitator_set", member: MemberId, on: boolean, } | { "kind": "case_round_started", index: number, method: MethodTemplate, case_bringer: MemberId | null, } | { "kind": "item_withdrawn", item: ItemId, } | { "kind": "case_chosen", case: ItemId, case_bringer: MemberId, } | { "kind": "case_kept", case: ItemId, keep: boolean, } | { "kind": "notes_revealed", notes: Array<Item>, } | { "kind": "presence_confirmed", member: MemberId, } | { "kind": "reflection_written", member: MemberId, } | { "kind": "list_confirmed", } | { "kind": "minutes_set", member: MemberId, } | { "kind": "warning_shown", warning: Warning, } | { "kind": "warning_overridden", warning: Warning, };

export type Warning = "advice_question" | "advice_statement" | "not_a_question" | "advice_in_analysis";

export type SessionStatus = "lobby" | "running" | "ended";

export type SessionView = { 
/**
 * Canonical (`K7M3QX9PA`); shown grouped (`K7M-3QX-9PA`).
 */
code: RoomCode, title: Title, language: Language, 
/**
 * The method of the running case round (`phase.index` and `Item.phase` index it).
 */
method: MethodTemplate, 
/**
 * The running case round (0-based).
 */
case_round: number, 
/**
 * Every case round of the meeting so far, in order.
 */
cases: Array<CaseRoundView>, 
/**
 * What the facilitator chose when creating the session (e.g. whether anonymous input is
 * allowed).
 */
settings: SessionSettings, status: SessionStatus, phase: PhaseState | null, locked: boolean, case_bringer: MemberId | null, members: Array<MemberView>, 
/**
 * Raised hands, in queue order.
 */
hands: Array<MemberId>, floor: Floor | null, round: RoundView | null, items: Array<Item>, 
/**
 * The reactions case-bringers shared, the same for every viewer (the screen too). A
 * case-bringer's own, shared or not, are in `me.reactions`.
 */
reactions: Array<ReactionEntry>, 
/**
 * Commitments and kept cases carried over from the group's previous meeting.
 */
report_back: ReportBack | null, 
/**
 * The group's name, as given at creation (on the attendance record and certificates).
 */
group_name: string | null, 
/**
 * IANA time zone of the meeting (e.g. `Europe/Amsterdam`): the record's local times.
 */
time_zone: string, 
/**
 * Who confirmed being present, and whether the facilitator confirmed the list.
 */
attendance: AttendanceState, me: Me, };

export type PhaseState = { index: number, 
/**
 * Changes every time a phase is entered; commands carry it as their phase stamp.
 */
seq: number, started_at: number, 
/**
 * `null` while the clock is paused (see `paused_left`) or for a phase without time box.
 */
deadline: number | null, time_up: boolean, 
/**
 * The time left while the clock is paused.
 */
paused_left: number | null, 
/**
 * Seconds each speaker's turn may take in this phase (shown as a countdown from
 * `floor.since`), if the facilitator set a limit.
 */
turn_limit: number | null, 
/**
 * The facilitator showed the dot counts in this phase.
 */
votes_revealed: boolean, };

export type MemberView = { id: MemberId, name: DisplayName, role: Role, online: boolean, 
/**
 * Total of finished turns; add `now - floor.since` for the current speaker.
 */
speaking_ms: number, 
/**
 * False after being away past the grace period: skipped in rounds.
 */
in_turns: boolean, 
/**
 * Holds a second console with the facilitator's rights.
 */
co_facilitator: boolean, };

export type Floor = { member: MemberId, since: number, };

export type RoundView = { order: Array<MemberId>, 
/**
 * Members whose turn is over (spoke or passed), in order.
 */
done: Array<MemberId>, passed: Array<MemberId>, };

export type CaseRoundView = { index: number, method_id: string, method_name: Localized, case_bringer: MemberId | null, started_at: number | null, 
/**
 * The case proposal chosen for this round (it may have been proposed in an earlier one).
 */
case: ItemId | null, 
/**
 * The key question the case-bringer chose.
 */
key_question: ItemId | null, reactions_shared: boolean, 
/**
 * Answers to the process evaluation so far.
 */
process_count: number, };

export type ProcessAggregate = { case_round: number, method_id: string, 
/**
 * Members who answered.
 */
count: number, 
/**
 * Per item of `PROCESS_ITEMS`: the sum of the scores given and how many gave one.
 */
sums: Array<number>, answered: Array<number>, 
/**
 * The remarks, without names, in no particular order.
 */
remarks: Array<Text>, };

export type Me = { 
/**
 * `null` for the shared screen.
 */
member: MemberId | null, role: Role, 
/**
 * Items I voted for (a case appears once per dot).
 */
votes: Array<ItemId>, 
/**
 * Items I wrote, anonymous ones included.
 */
items: Array<ItemId>, 
/**
 * My private notes that are not revealed yet, with their text.
 */
notes: Array<Item>, 
/**
 * The registration number I gave when confirming my presence (my certificate only).
 */
registration: string | null, 
/**
 * My personal reflection.
 */
reflection: Text | null, 
/**
 * My private notepad as case-bringer (every case round I brought).
 */
notepad: Array<Item>, 
/**
 * My reactions as case-bringer (every case round I brought), shared or not.
 */
reactions: Array<ReactionEntry>, 
/**
 * Case rounds whose process evaluation I answered.
 */
rated: Array<number>, 
/**
 * For the facilitator: how often each warning was shown in this session and how often its
 * text was sent anyway, to coach the group (no text, no names). Absent for everyone else
 * and until a first warning.
 */
warnings?: Array<WarningTally>, };

export type AttendanceState = { 
/**
 * Members who confirmed "I was present", in the order they did.
 */
confirmed: Array<MemberId>, 
/**
 * When the facilitator confirmed the list.
 */
list_confirmed_at: number | null, };

export type WarningTally = { warning: Warning, shown: number, sent_anyway: number, };

export type ReportBack = { previous_title: string, previous_date: number, commitments: Array<CarriedItem>, kept_cases: Array<CarriedItem>, 
/**
 * Process evaluations of this group's meetings, oldest first (numbers only), for the
 * facilitator's trend. Kept with the group; never in a session's view (the facilitator
 * reads it with `GET /api/sessions/{code}/process`).
 */
process: Array<ProcessPoint>, };

export type CarriedItem = { text: Text, by_name: string, };

export type ProcessPoint = { date: number, method_id: string, count: number, sums: Array<number>, answered: Array<number>, };

export type ClientMsg = { "type": "hello", protocol: number, join: Join, } | { "type": "command" } & CommandEnvelope | { "type": "ping", t?: number | null, } | { "type": "leave", };

export type Join = { "as": "member", name: string, } | { "as": "facilitator", token: string, name: string, } | { "as": "resume", token: string, epoch?: number | null, last_seq?: number | null, } | { "as": "screen", token: string, };

export type CommandEnvelope = { 
/**
 * Client message id, unique per member (1 to 64 characters). A retry reuses it.
 */
id: string, 
/**
 * Phase stamp: `phase.seq` as the client saw it when the user acted.
 */
phase?: number | null, command: Command, };

export type ServerMsg = { "type": "welcome" } & Welcome | { "type": "event" } & Sequenced | { "type": "ack" } & Ack | { "type": "error" } & ErrorMsg | { "type": "pong", t: number | null, server_time: number, } | { "type": "presence", member: MemberId, online: boolean, };

export type Welcome = { protocol: number, 
/**
 * `null` for the shared screen.
 */
member: MemberId | null, role: Role, 
/**
 * Secret: keep it to come back as the same member (`join.as = "resume"`).
 */
resume_token: string | null, epoch: number, 
/**
 * The room's latest sequence number.
 */
seq: number, server_time: number, 
/**
 * Members online now.
 */
online: Array<MemberId>, 
/**
 * How long after the session ends everything written in it is kept before it is deleted
 * for good (the operator's `--retention`), so that the app can say when.
 */
retention_ms: number, 
/**
 * The full view; `null` when the missed events `last_seq + 1 ..= seq` follow instead.
 */
view: SessionView | null, };

export type Ack = { id: string, 
/**
 * Sequence number of the last event the command produced (events arrive before the ack).
 */
seq: number, 
/**
 * The item a `submit` created.
 */
item: ItemId | null, };

export type ErrorMsg = { 
/**
 * The client message id of the refused command: set on every refusal of a frame that is a
 * command with a readable id of at most 64 bytes (also `rate_limited` and
 * `hello_required`), `null` for errors about anything else.
 */
id: string | null, code: ErrorCode, category: Category, 
/**
 * English, for people reading logs of their own client; clients show their own catalog
 * text for `code`. Never contains session content.
 */
message: string, 
/**
 * The offending field, when there is one (e.g. `command.text`).
 */
field?: string, 
/**
 * For `phase_forbids`: the phases (indices) where the input is allowed.
 */
phases?: Array<number>, 
/**
 * For `rate_limited` and `too_many_attempts`: when to try again.
 */
retry_after_ms?: number, 
/**
 * For the warnings on advice (`advice_like_question`, `advice_like_statement`,
 * `advice_in_analysis`): the words that made the text advice-like, as spans of the text
 * the command carried. Positions, never the words themselves: the error stays
 * content-free.
 */
cues?: Array<TextSpan>, };

export type TextSpan = { start: number, end: number, };

export type Category = "fix" | "retry" | "reconnect" | "confirm" | "fatal";

export type ErrorCode = "bad_json" | "bad_message" | "unknown_type" | "message_too_large" | "hello_required" | "already_joined" | "unsupported_version" | "room_not_found" | "room_locked" | "room_full" | "bad_token" | "invalid_name" | "name_taken" | "removed" | "taken_over" | "rate_limited" | "flooding" | "too_many_attempts" | "slow_consumer" | "heartbeat_timeout" | "shutting_down" | "store_unavailable" | "room_moved" | "internal" | "not_facilitator" | "not_started" | "already_started" | "session_ended" | "phase_forbids" | "case_bringer_listens" | "phase_closed" | "no_case_bringer" | "no_such_phase" | "no_such_item" | "no_such_member" | "invalid_target" | "invalid_value" | "text_empty" | "text_too_long" | "limit_reached" | "vote_limit" | "not_voted" | "already_in_queue" | "not_in_queue" | "not_your_turn" | "wait_your_turn" | "not_case_bringer" | "no_round" | "not_author" | "anonymity_disabled" | "advice_like_question" | "advice_like_statement" | "not_a_question" | "advice_in_analysis" | "invalid_request" | "invalid_template" | "unknown_method" | "forbidden" | "read_only" | "not_found" | "not_ended" | "not_confirmed";

export type CreateSession = { 
/**
 * Id of a built-in method (see `GET /api/methods`). Ignored when `template` is given.
 */
method?: string, 
/**
 * A custom method template, checked with errors that name the field.
 */
template?: MethodTemplate, 
/**
 * 1 to 120 characters after trimming, no control characters.
 */
title: string, language?: Language, settings?: SessionSettings, 
/**
 * Start this session as the next meeting of a group (the token from an earlier session).
 */
group_token?: string, 
/**
 * The group's name (e.g. `Intervisiegroep Jeugd Noord`), for the attendance record and
 * certificates, which are kept long after the session's content: no case content here.
 * Trimmed; 1 to 80 characters without control characters; empty or absent: none.
 */
group_name?: string, 
/**
 * IANA time zone the meeting takes place in (e.g. `Europe/Brussels`); the attendance
 * record states its local start and end in it. Default `Europe/Amsterdam`.
 */
time_zone?: string, };

export type SessionSettings = { 
/**
 * Members may hide their name on items from the other members. Off by default: in a
 * small fixed group, anonymity hides little and costs trust.
 */
allow_anonymous: boolean, 
/**
 * The group keeps a carry-over for its next meeting: kept cases, the process
 * evaluation's numbers, and each commitment its case-bringer agreed to carry.
 */
keep_for_group: boolean, 
/**
 * A self-led group: the facilitator also takes part (takes turns, posts what
 * participants may).
 */
facilitator_takes_part?: boolean, 
/**
 * The video call of a remote or hybrid group (an `https://` address of at most 500
 * characters), shown to members in the lobby and on their phones.
 */
video_url?: string, };

export type SessionCreated = { 
/**
 * The room code as people read it, e.g. `K7M-3QX-9PA` (typed case-insensitively, dashes
 * optional); `ws_path` holds its canonical form.
 */
code: string, 
/**
 * The link participants open (also as QR code at `qr_url`).
 */
join_url: string, 
/**
 * The join link as a QR code (SVG).
 */
qr_url: string, 
/**
 * WebSocket path of the room.
 */
ws_path: string, 
/**
 * Secret (128 bits or more): joins as facilitator and opens the shared screen.
 */
facilitator_token: string, 
/**
 * Secret that only opens the read-only shared screen (`join.as = "screen"`), for a
 * projector PC that must not hold the facilitator's powers.
 */
screen_token: string, 
/**
 * The shared screen's link, with the screen token in the fragment (never sent to a
 * server in a request).
 */
screen_url: string, 
/**
 * Secret for starting the group's next meeting (see `CreateSession::group_token`).
 */
group_token: string, };

export type SessionPreview = { title: string, language: Language, };

export type MethodList = { methods: Array<MethodTemplate>, };

export type ApiError = { code: ErrorCode, category: Category, message: string, field?: string, };

export type Attendance = { 
/**
 * The session's title while its content is kept; `null` once it is deleted (a title can
 * say more than a register needs).
 */
title: string | null, group_name: string | null, 
/**
 * IANA time zone of the local times below.
 */
time_zone: string, 
/**
 * Local date of the start, `YYYY-MM-DD`; `null` before the start.
 */
date: string | null, 
/**
 * Local start and end, `HH:MM`.
 */
start: string | null, end: string | null, started_at: number | null, ended_at: number | null, 
/**
 * The method of each case round, by name in the session's language.
 */
methods: Array<string>, 
/**
 * Each case round: its method and who brought the case.
 */
cases: Array<AttendanceCase>, 
/**
 * Who led the meeting: everyone who held the facilitator role, in order (several names
 * when the role was handed over).
 */
facilitator: string, 
/**
 * Who had the facilitator's rights beside them.
 */
co_facilitators: Array<string>, 
/**
 * When the facilitator confirmed the list.
 */
list_confirmed_at: number | null, members: Array<AttendanceRow>, };

export type AttendanceCase = { 
/**
 * The method's name in the session's language.
 */
method: string, 
/**
 * Who brought the case; `null` if nobody did.
 */
case_bringer: string | null, };

export type AttendanceRow = { 
/**
 * The member's id in the session (`set_minutes` names them with it).
 */
member: MemberId, name: string, role: Role, joined_at: number, 
/**
 * Time present between the start and the end of the meeting: connected, or away for no
 * longer than the turn grace (a locked phone, a network drop).
 */
present_ms: number, 
/**
 * Minutes present on the list: as the facilitator set them, or else `present_ms` in whole
 * minutes, rounded to the nearest.
 */
minutes: number, 
/**
 * `present_ms` in whole minutes, rounded to the nearest.
 */
measured_minutes: number, 
/**
 * The facilitator set `minutes` (a correction of what was measured).
 */
set_by_facilitator: boolean, 
/**
 * Hours as registers count them: `minutes` rounded down to whole quarter hours, e.g.
 * `1.75`.
 */
hours: number, 
/**
 * When the member confirmed "I was present".
 */
confirmed_at: number | null, };

export type CertificateCase = { method: string, 
/**
 * The certificate's holder brought this case.
 */
brought: boolean, };

export type Verification = { 
/**
 * The code as kring writes it, e.g. `K7MQ-3QX9-PA2T-8CWR`.
 */
code: string, name: string, registration: string | null, role: Role, group_name: string | null, time_zone: string, date: string, start: string, end: string, methods: Array<string>, 
/**
 * Each case round: its method, and whether the holder brought the case.
 */
cases: Array<CertificateCase>, facilitator: string, co_facilitators: Array<string>, minutes: number, hours: number, 
/**
 * The minutes were set by the facilitator rather than measured.
 */
set_by_facilitator: boolean, confirmed_at: number | null, list_confirmed_at: number | null, };

export type ProcessResults = { process: Array<ProcessAggregate>, 
/**
 * The group's earlier meetings, oldest first.
 */
trend: Array<ProcessPoint>, };
