/*
 * crisis_int.h - the classifier's tables, shared by crisis.c (the engine)
 * and crisis_tables.c (the words and patterns). Not for other folders.
 *
 * A pattern is words separated by spaces, matched against the words of one
 * sentence after normalising (crisis.h says what that folds):
 *
 *   word          that word ("don't" is "do not", "im" is "i am", ...)
 *   a|b|@CLASS    any of these; @CLASS is a class of crisis_classes[]
 *   @@PHRASES     any of the word sequences of crisis_phrases[] PHRASES
 *                 ("being alive", "me being here"); ?@@PHRASES too
 *   ?x            x or nothing
 *   !x            one word that is not x
 *   *N            up to N words, any
 *   $             the end of a clause: a comma, a full stop, a line break,
 *                 "and", "but", "because", "if", ... after any words of
 *                 @TAIL or phrases of @@TAIL ("any more", "tonight", "at
 *                 the moment", "for good"), which it takes
 *
 * The first element must be a plain word or alternation (it is what the
 * engine looks patterns up by), not a phrase class. A pattern never crosses a comma or a
 * sentence.
 */
#ifndef KITH_SAFETY_CRISIS_INT_H
#define KITH_SAFETY_CRISIS_INT_H

#include <stddef.h>
#include <stdint.h>

/* Classes the engine itself reads, in crisis_classes[] order. */
enum crisis_class {
	C_BE, C_ADV, C_ANYMORE, C_WANT, C_FIRST, C_SECOND, C_GENERIC, C_SOMEONE,
	C_THIRD, C_PERSON, C_IT, C_NEG, C_CONJ, C_FILLER, C_TAIL, C_AUX, C_PASTV,
	C_PASTAUX, C_HAVE, C_IF, C_NOTIF, C_FRAMEPRO, C_PILLS, C_QTY, C_REFL,
	C_SCARED, C_PARTNER, C_DVERB, C_LIVEV, C_ACCIDENT, C_JOKE, C_MEDIA,
	C_HURTV, C_HURTS, C_SUBJPRO, C_WOULD, C_DET, C_SELFWORD,
	C__MAX
};

struct crisis_class_def {
	const char *name;          /* referred to as @name */
	const char *words;
};

/* A phrase class: alternatives of one or more words, '|' between them. */
struct crisis_phrase_def {
	const char *name;          /* referred to as @@name */
	const char *phrases;
};

/* Whose the predicate is. */
enum crisis_who_rule {
	W_SUBJ,      /* the subject before it says (I: the writer; he: someone else) */
	W_MINE,      /* the pattern names the writer ("myself", "without me") */
	W_THEIRS,    /* the pattern names someone else ("himself") */
	W_AGENT,     /* the subject is someone who would harm the writer */
};

/* Rule flags. */
#define F_ELLIPT  0x001   /* no subject, at a clause's start: the writer ("Want to die.") */
#define F_DSELF   0x002   /* no subject anywhere: the writer ("there's no point living") */
#define F_OTHER   0x004   /* may be someone else's ("he wants to die") */
#define F_TIGHT   0x008   /* only auxiliaries between subject and predicate ("I've been
                             self harming", not "I read about self harm") */
#define F_ACT     0x010   /* an act: told in the past with no time, still urgent */
#define F_IFOK    0x020   /* has its own if/whether ("nobody would care if I died") */
#define F_DEATH   0x040   /* counts only in a post that speaks of a death */
#define F_WHOLE   0x080   /* only as a whole sentence ("Goodbye." on its own) */
#define F_CUE     0x100   /* a looser cue, not a phrase: the writer only if the
                             sentence has "I", "me" or "my" (or no subject at
                             all), never in a sentence about a film or a book */

/* Groups: a cancelling mark names the groups of rules it cancels. */
enum crisis_group {
	G_DIE, G_KILLSELF, G_HARM, G_OD, G_PILLS, G_KILLME, G_SUICIDE,
	G_TAKELIFE, G_SLEEP, G_DANGER, G_GOODBYE, G_MISC,
	G__MAX
};

struct crisis_rule {
	const char *pat;
	uint8_t kind;              /* enum crisis_kind when it is the writer's */
	uint8_t level;             /* enum crisis_level, said now of the writer */
	uint8_t who;               /* enum crisis_who_rule */
	uint8_t group;             /* enum crisis_group */
	uint16_t flags;            /* F_* */
	const char *why;           /* crisis_result.why */
};

/* What a mark tells the engine. */
enum crisis_mark_what {
	M_CANCEL,      /* cancels the rules of its groups that it overlaps */
	M_CANCEL_SENT, /* cancels the rules of its groups in its sentence */
	M_DISTANT,     /* the sentence is about long ago ("years ago", "used to") */
	M_RECENT,      /* ... about just now ("last night", "again") */
	M_MEDIA,       /* ... about a film, a book, the news */
	M_AFFIRM,      /* ... answers yes ("and I said yes") */
	M_FRAME,       /* the writer asks about themselves ("is it normal to") */
	M_NEGFRAME,    /* negates what follows in its clause ("no way") */
	M_RECOVERY,    /* the post says the writer is better now */
	M_DEATH,       /* the post speaks of a death (grief) */
};

struct crisis_mark {
	const char *pat;
	uint8_t what;              /* enum crisis_mark_what */
	uint16_t groups;           /* for M_CANCEL*: 1 << enum crisis_group */
};

/* Words rewritten before lookup: "dont" -> "do not". */
struct crisis_expand {
	const char *from, *to;
};

/* Two words read as one: "no one" -> "nobody", "self harm" -> "selfharm". */
struct crisis_merge {
	const char *first, *second, *to;
};

/* A misspelling read as the word: "sucidal" -> "suicidal". */
struct crisis_alias {
	const char *from, *to;
};

extern const struct crisis_class_def crisis_classes[C__MAX];
extern const struct crisis_phrase_def crisis_phrases[];
extern const size_t crisis_nphrases;
extern const struct crisis_rule crisis_rules[];
extern const size_t crisis_nrules;
extern const struct crisis_mark crisis_marks[];
extern const size_t crisis_nmarks;
extern const struct crisis_expand crisis_expands[];
extern const size_t crisis_nexpands;
extern const struct crisis_merge crisis_merges[];
extern const size_t crisis_nmerges;
extern const struct crisis_alias crisis_aliases[];
extern const size_t crisis_naliases;
/* Words the engine looks for by name ("if", "else", "honest", ...). */
extern const char *const crisis_engine_words[];
extern const size_t crisis_nengine_words;

#endif
