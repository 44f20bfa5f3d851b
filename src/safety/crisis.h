/*
 * crisis.h - does a post read as someone at risk? The classifier behind
 * conversations' crisis signposting (issue 13): a post that reads as its
 * writer (or someone they are with) at risk of harming themselves, or in
 * danger from someone, shows the writer where to get help at once and
 * puts an urgent flag at the top of the moderation queue. The post is
 * published either way; this only decides what help to show and how fast
 * a moderator looks.
 *
 * A library with no I/O (like src/search/): it includes only core/. Pure:
 * the same text always gives the same result; no allocation; thread-safe
 * (its word tables are built once, under pthread_once, in about 3 ms, and
 * only read after). Cost: about 10 microseconds for a typical 400-byte
 * post, 90 for 5,000 bytes, 2 ms for the worst 20,000 bytes known
 * (bench/crisis_bench.c, bench/RESULTS.md).
 *
 *   struct crisis_result r;
 *   crisis_classify(body, len, &r);
 *   if (r.signpost) show the help panel (Samaritans, NHS 111, Shout, 999);
 *   if (r.urgent)   raise an urgent flag quoting body[r.start..r.end).
 *
 * How it reads. Not a word list: the text is normalised (lowercase; common
 * accented Latin folded; curly quotes made straight; "don't", "dont" and
 * "do not" alike; texting forms such as "im", "wanna", "gonna", "cant",
 * "u", "kms", "unalive"; letters repeated for emphasis, "dieee"; a few
 * common misspellings, "sucidal", "myslef"), cut into sentences (. ! ?
 * ; and line breaks) and clauses (commas, dashes, "and", "but", ...), and
 * matched against phrase patterns (src/safety/crisis.c's tables). A
 * pattern is a predicate ("want to die", "end it all", "not want to be
 * here any more", "better off without me", "took all my tablets", "he is
 * going to kill me"); each match is then read in its context:
 *   - whose it is: the nearest subject before it in the clause. "I", "me"
 *     ("makes me want to die") or none at all at the start of a clause
 *     ("Want to die.") is the writer; "he", "my son" someone else; "you",
 *     "people", "someone" nobody in particular. "Does anyone else feel
 *     like they..." and "Is it normal to..." are the writer asking.
 *   - negation between the subject and the predicate ("I'm not suicidal",
 *     "I would never kill myself"), but not across a clause ("not ill but
 *     I want to die" is risk).
 *   - conditionals and reported questions: inside an if- or whether-
 *     clause it is hypothetical ("if you ever feel suicidal, call...";
 *     "my GP asked if I had thoughts of ending my life") unless the
 *     writer answers yes later in the sentence. "If this doesn't stop,
 *     I'll kill myself" is a threat, not a hypothetical: the predicate is
 *     in the main clause. "I'd ... if ..." (would with a condition) is a
 *     concern, not urgent.
 *   - idioms that share the words, as patterns that cancel the ones they
 *     overlap: "this hill is killing me", "I could kill for a cup of tea",
 *     "dying to see", "died laughing", "killing time", "dead tired", "over
 *     my dead body", "I'd die of embarrassment", "cut myself shaving",
 *     "end it with him", "my wife's going to kill me when she sees...".
 *   - time: a past wish or attempt with a distant or recovered marker
 *     ("years ago", "used to", "when I was first diagnosed", "I'm much
 *     better now" anywhere in the post) is a concern, not urgent; a recent
 *     one ("last night", "again", "just") is urgent as if present.
 *   - fiction and news: someone else's risk in a sentence about a film, a
 *     book or the news is no one's, and so is a quotation in one ("'I
 *     want to die' is the novel's first line"); "I keep thinking 'I want
 *     to die'" is the writer's.
 * Where no phrase matches, a few looser cues ("suicide", "overdose",
 * "rock bottom", "worthless") with the writer in the sentence give a
 * CONCERN: a signpost without an urgent flag.
 *
 * Levels, and why. URGENT: the writer wishes to die, means to, has a plan
 * or the means, has just acted, harms themselves now, or is in danger from
 * someone; or someone with them is at risk now ("my son says he wants to
 * kill himself"). Passive wishes ("I don't want to be here any more",
 * "I wish I could sleep and not wake up") are urgent: they are how most
 * people say it. CONCERN: hopelessness without a wish to die ("I can't
 * cope any more", "I'm a burden"), would-if threats, and past thoughts
 * or attempts told as past. CONCERN signposts too but raises no urgent
 * flag: a gentle panel costs a writer little, and people tell a past
 * crisis most often when it is near again; an urgent flag for every
 * recovery story would bury the ones that need a moderator in a minute.
 * A third party's completed suicide (grief: "my brother took his own life
 * in 2015") is NONE; a recent one is a CONCERN (bereavement by suicide
 * is itself a risk).
 *
 * How well. Measured by tests/unit/test_crisis.c on sets written for
 * kith (tests/data/crisis/): on the 654 lines it was tuned on, signposting
 * recall 0.979 and precision 0.991; on 143 lines written after tuning and
 * never tuned on, recall 0.750 and precision 0.964 (urgent flag: recall
 * 0.789, precision 0.978). Two earlier held-out sets scored recall 0.606
 * and 0.533 before they were tuned on. Read the held-out figure as the
 * estimate: a pattern classifier knows the ways of saying it that someone
 * wrote down, and misses many it was not shown.
 *
 * What it misses (known, from the held-out set): despair in words it has
 * no pattern for ("I'm completely broken", "nothing to look forward to",
 * "I can't face another day"); euphemism and imagery ("my meds are all
 * lined up and I'm ready", "I've got the pills out", "standing on the
 * bridge", "I've given away my cat"); "I'd" read as "I would" where it
 * means "I had" ("I wish I'd never been born"); a verb it lacks ("I'm on
 * the roof and I want to jump", "tried to hang himself", "my son is
 * violent towards me"); a second verb whose subject is hidden by the
 * first's object ("he shouts at me and slaps me"); meaning carried across
 * sentences or commas ("Goodbye everyone, forever."); other languages.
 * It signposts some it should not: terminal illness ("I won't be around
 * much longer, the cancer has spread"); hyperbole ("If I hear that song
 * again I'll kill myself lol"); some idioms said of people with no sign of
 * a joke ("my dad's going to kill me" is read as danger); a grief
 * anniversary ("took his own life ten years ago today").
 *
 * Limits: the first CRISIS_TEXT_MAX bytes are read (cut back to a whole
 * UTF-8 character); the rest of a longer post is not, and truncated says
 * so. A sentence of more than 96 words is read in overlapping windows.
 * Invalid UTF-8 bytes are read as spaces.
 */
#ifndef KITH_SAFETY_CRISIS_H
#define KITH_SAFETY_CRISIS_H

#include <stdbool.h>
#include <stddef.h>

#define CRISIS_TEXT_MAX 20000   /* bytes of a post the classifier reads */

enum crisis_level {
	CRISIS_NONE,
	CRISIS_CONCERN,            /* signpost, no urgent flag */
	CRISIS_URGENT,             /* signpost and an urgent flag */
	CRISIS_LEVEL__MAX
};

enum crisis_kind {
	CRISIS_KIND_NONE,
	CRISIS_SUICIDE,            /* the writer: a wish to die, intent, plan, means, an attempt */
	CRISIS_SELF_HARM,          /* the writer: cutting, hurting themselves */
	CRISIS_DANGER,             /* the writer in danger from someone */
	CRISIS_OTHER,              /* someone else at risk of harming themselves */
	CRISIS_DESPAIR,            /* hopelessness without a wish to die (CONCERN only) */
	CRISIS_KIND__MAX
};

struct crisis_result {
	enum crisis_level level;
	enum crisis_kind kind;
	bool signpost;             /* level >= CRISIS_CONCERN: show where to get help now */
	bool urgent;               /* level == CRISIS_URGENT: flag at the top of the queue */
	bool truncated;            /* the text was longer than CRISIS_TEXT_MAX */
	/* The phrase that decided it, for the moderator's view: bytes
	 * [start, end) of the text given, both on UTF-8 character
	 * boundaries; 0, 0 when level is NONE. When several phrases
	 * match, the highest level wins, then the earliest. */
	size_t start, end;
	/* What the phrase was read as, a few words for moderators ("a wish
	 * to die", "danger from someone"); "" when level is NONE. Static. */
	const char *why;
};

/* Classifies text p[0..n) (UTF-8; p may be NULL when n is 0). Never
 * fails: any bytes are read, invalid ones as spaces. */
void crisis_classify(const char *p, size_t n, struct crisis_result *out);

/* Names for logs and moderators' views: "none", "concern", "urgent";
 * "none", "suicide", "self-harm", "danger", "someone else", "despair". */
const char *crisis_level_name(enum crisis_level level);
const char *crisis_kind_name(enum crisis_kind kind);

/* NULL when the built-in pattern tables compiled, else the first problem
 * (a pattern naming an unknown class, a table too small): a pattern that
 * does not compile is skipped, so the unit test calls this. */
const char *crisis_tables_problem(void);

#endif
