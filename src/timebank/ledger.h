/*
 * ledger.h - the timebank's ledger (issue 14): accounts, transfers in
 * whole minutes, reversals and the check that nothing has drifted.
 *
 * Double entry: a transfer is one row of timebank_transfer and two rows
 * of timebank_movement, minus on the account it comes from and plus on
 * the one it goes to, so the movements of every transfer, and of the
 * whole ledger, sum to zero. An account's balance is kept on its row,
 * changed in the same transaction as its movements; tb_check() proves it
 * equals their sum. Transfers and movements are never changed or removed
 * (migration 0021 makes both databases refuse it): tb_reverse() puts a
 * mistake right with a transfer the other way.
 *
 * Every function here runs in the caller's transaction (db_begin), so
 * that many transfers may share one commit. On PostgreSQL a transfer
 * locks its two accounts' rows, lowest id first, before it reads a
 * balance; SQLite's writer is alone.
 */
#ifndef KITH_TIMEBANK_LEDGER_H
#define KITH_TIMEBANK_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

struct db;

#define TB_MINUTES_MAX INT64_C(60000)   /* one transfer: at most 1,000 hours */
#define TB_NOTE_MAX 500                 /* characters */
#define TB_KEY_MAX 100                  /* bytes of an idempotency key */

/* How low balances may go, in minutes below zero (0 or more), by kind of
 * account, unless the account has a floor of its own. */
struct tb_limits {
	int64_t person, organisation, pot;
};

enum tb_account_kind { TB_PERSON, TB_ORGANISATION, TB_POT };

struct tb_account {
	int64_t id;
	enum tb_account_kind kind;
	int64_t person_id;            /* TB_PERSON */
	char organisation_id[40];     /* TB_ORGANISATION */
	int64_t balance;              /* minutes */
	int64_t lowest;               /* the lowest balance allowed: minus the floor, in minutes */
	int64_t created_at;
};

/* The account of a person, an organisation or the solidarity pot, made
 * the first time it is asked for. */
enum err tb_account_of_person(struct db *db, int64_t person_id, int64_t now, int64_t *id);
enum err tb_account_of_organisation(struct db *db, const char *organisation_id, int64_t now, int64_t *id);
enum err tb_account_pot(struct db *db, int64_t now, int64_t *id);

/* Account id (ERR_NOT_FOUND when there is none). */
enum err tb_account_get(struct db *db, const struct tb_limits *lim, int64_t id, struct tb_account *out);

/* Gives account id a floor of its own, minutes below zero (-1: the
 * timebank's for its kind again). */
enum err tb_account_set_floor(struct db *db, int64_t id, int64_t minutes);

enum tb_kind { TB_HELP, TB_TRANSFER, TB_REVERSAL };
const char *tb_kind_name(enum tb_kind k);

struct tb_request {
	int64_t from, to;             /* accounts */
	int64_t minutes;              /* 1 .. TB_MINUTES_MAX */
	enum tb_kind kind;            /* TB_HELP or TB_TRANSFER */
	const char *note;             /* NULL or up to TB_NOTE_MAX characters */
	const char *key;              /* the caller's idempotency key, or NULL */
	int64_t recorded_by;          /* the person entering it */
	bool on_behalf;               /* a broker entering it for someone without the internet */
};

struct tb_transfer {
	int64_t id, from, to, minutes;
	enum tb_kind kind;
	int64_t reverses;             /* TB_REVERSAL: the transfer it puts right */
	int64_t reversed_by;          /* the reversal of this one, or 0 */
	int64_t recorded_by, created_at;
	bool on_behalf;
	bool repeated;                /* tb_transfer_make: the key had been used; this is the first */
};

/* Is key[0..n) an idempotency key a caller may give: 1..TB_KEY_MAX
 * printable ASCII characters, no space, no NUL? */
bool tb_key_ok(const char *key, size_t n);

/* Moves rq->minutes from rq->from to rq->to. A key recorded_by has used
 * before returns that transfer (repeated), or ERR_CONFLICT when it was
 * for another transfer. ERR_INVALID with what to fix in errors (fields
 * "from", "to", "minutes", "note", "idempotency_key"); ERR_NOT_FOUND when
 * an account does not exist; ERR_CONFLICT, with the sentence in errors
 * (field "minutes"), when the account it comes from would go below its
 * floor. Nothing is written unless it succeeds. */
enum err tb_transfer_make(struct db *db, const struct tb_limits *lim, const struct tb_request *rq, int64_t now,
		json_t *errors, struct tb_transfer *out);

/* Puts transfer id right: the same minutes back the other way, with the
 * reason (required) as its note. A reversal may take an account below
 * its floor (the mistake is undone whatever was spent since); a transfer
 * is reversed once, and a reversal is not reversed (ERR_CONFLICT with
 * words in errors). */
enum err tb_reverse(struct db *db, int64_t id, const char *reason, int64_t recorded_by, const char *key,
		int64_t now, json_t *errors, struct tb_transfer *out);

/* Transfer id, with reversed_by (ERR_NOT_FOUND when there is none). */
enum err tb_transfer_get(struct db *db, int64_t id, struct tb_transfer *out);

/* The account's latest limit movements, newest first: [{transfer_id,
 * minutes (minus: out of this account), kind, with_account (the other
 * side), created_at}]. */
enum err tb_movements(struct db *db, int64_t account, int limit, json_t **out);

/* Its note, or NULL (in out, which the caller frees). */
enum err tb_transfer_note(struct db *db, int64_t id, char **out);

/* What tb_check() looked at. */
struct tb_check_counts {
	int64_t accounts, transfers, movements;
};

/* Is the ledger whole? Every transfer has exactly two movements, minus
 * and plus its minutes on its two accounts; every account's balance is
 * the sum of its movements; the balances sum to zero. ERR_INVALID with
 * the first inconsistency found, in words, in why. */
enum err tb_check(struct db *db, struct tb_check_counts *counts, char *why, size_t whylen);

/* "Download my data": the person's balance and transfers (with their
 * notes) under "timebank" in out; nothing when they have no account. */
enum err tb_export_person(struct db *db, int64_t person_id, json_t *out);

/* Erasing a person: the notes on transfers to, from or entered by them
 * go. The transfers stay (the other side's balance rests on them), with
 * the account, which names only the person's id. */
enum err tb_erase_person(struct db *db, int64_t person_id);

/* minutes as "2 hours 15 minutes", "minus 10 hours", "no time" into buf. */
const char *tb_words(int64_t minutes, char *buf, size_t len);

#endif
