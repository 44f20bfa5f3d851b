/*
 * ledger.c - the timebank's ledger (ledger.h).
 */
#include "core/common.h"
#include "timebank/ledger.h"

#include "core/fields.h"
#include "core/str.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct sql q_account_person_add = { "tb.account_person_add",
	"INSERT INTO timebank_account (kind, person_id, created_at) VALUES ('person', $1, $2) "
	"ON CONFLICT DO NOTHING", NULL };
static const struct sql q_account_person = { "tb.account_person",
	"SELECT id FROM timebank_account WHERE person_id = $1", NULL };
static const struct sql q_account_org_add = { "tb.account_org_add",
	"INSERT INTO timebank_account (kind, organisation_id, created_at) VALUES ('organisation', $1, $2) "
	"ON CONFLICT DO NOTHING", NULL };
static const struct sql q_account_org = { "tb.account_org",
	"SELECT id FROM timebank_account WHERE organisation_id = $1", NULL };
static const struct sql q_pot_add = { "tb.pot_add",
	"INSERT INTO timebank_account (kind, created_at) VALUES ('pot', $1) ON CONFLICT DO NOTHING", NULL };
static const struct sql q_pot = { "tb.pot", "SELECT id FROM timebank_account WHERE kind = 'pot'", NULL };

#define ACCOUNT_COLS "SELECT id, kind, coalesce(person_id, 0), organisation_id, balance, floor_minutes, created_at " \
	"FROM timebank_account "
static const struct sql q_account = { "tb.account", ACCOUNT_COLS "WHERE id = $1", NULL };
/* A transfer's two accounts, the lower id first, locked on PostgreSQL
 * until the transaction ends (SQLite's writer is alone). */
static const struct sql q_accounts_lock = { "tb.accounts_lock",
	ACCOUNT_COLS "WHERE id IN ($1, $2) ORDER BY id",
	ACCOUNT_COLS "WHERE id IN ($1, $2) ORDER BY id FOR UPDATE" };
static const struct sql q_floor = { "tb.floor",
	"UPDATE timebank_account SET floor_minutes = $2 WHERE id = $1", NULL };

#define TRANSFER_COLS "SELECT t.id, t.from_account, t.to_account, t.minutes, t.kind, coalesce(t.reverses, 0), " \
	"t.recorded_by, t.on_behalf, t.created_at, " \
	"coalesce((SELECT r.id FROM timebank_transfer r WHERE r.reverses = t.id), 0) FROM timebank_transfer t "
static const struct sql q_transfer = { "tb.transfer", TRANSFER_COLS "WHERE t.id = $1", NULL };
static const struct sql q_transfer_key = { "tb.transfer_key",
	TRANSFER_COLS "WHERE t.recorded_by = $1 AND t.idempotency_key = $2", NULL };
static const struct sql q_transfer_add = { "tb.transfer_add",
	"INSERT INTO timebank_transfer (from_account, to_account, minutes, kind, reverses, recorded_by, on_behalf, "
	"idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id", NULL };
static const struct sql q_movement_add = { "tb.movement_add",
	"INSERT INTO timebank_movement (transfer_id, account_id, minutes, created_at) VALUES ($1, $2, $3, $4)", NULL };
static const struct sql q_balance_add = { "tb.balance_add",
	"UPDATE timebank_account SET balance = balance + $2 WHERE id = $1", NULL };
static const struct sql q_note_add = { "tb.note_add",
	"INSERT INTO timebank_note (transfer_id, note) VALUES ($1, $2)", NULL };
static const struct sql q_note = { "tb.note", "SELECT note FROM timebank_note WHERE transfer_id = $1", NULL };

/* The check, one inconsistency at a time, the first found first. */
static const struct sql q_check_counts = { "tb.check_counts",
	"SELECT (SELECT count(*) FROM timebank_account), (SELECT count(*) FROM timebank_transfer), "
	"(SELECT count(*) FROM timebank_movement)", NULL };
static const struct sql q_check_moves = { "tb.check_moves",
	"SELECT t.id, t.from_account, t.to_account, t.minutes, count(m.id), "
	"coalesce(sum(CASE WHEN m.account_id = t.from_account AND m.minutes = -t.minutes THEN 1 ELSE 0 END), 0), "
	"coalesce(sum(CASE WHEN m.account_id = t.to_account AND m.minutes = t.minutes THEN 1 ELSE 0 END), 0), "
	"coalesce(sum(m.minutes), 0) "
	"FROM timebank_transfer t LEFT JOIN timebank_movement m ON m.transfer_id = t.id "
	"GROUP BY t.id, t.from_account, t.to_account, t.minutes "
	"HAVING count(m.id) <> 2 OR coalesce(sum(m.minutes), 0) <> 0 "
	"OR coalesce(sum(CASE WHEN m.account_id = t.from_account AND m.minutes = -t.minutes THEN 1 ELSE 0 END), 0) <> 1 "
	"OR coalesce(sum(CASE WHEN m.account_id = t.to_account AND m.minutes = t.minutes THEN 1 ELSE 0 END), 0) <> 1 "
	"ORDER BY t.id LIMIT 1", NULL };
static const struct sql q_check_orphans = { "tb.check_orphans",
	"SELECT m.id, m.transfer_id FROM timebank_movement m "
	"WHERE NOT EXISTS (SELECT 1 FROM timebank_transfer t WHERE t.id = m.transfer_id) ORDER BY m.id LIMIT 1", NULL };
static const struct sql q_check_balances = { "tb.check_balances",
	"SELECT a.id, a.balance, coalesce((SELECT sum(m.minutes) FROM timebank_movement m WHERE m.account_id = a.id), 0) "
	"FROM timebank_account a WHERE a.balance <> coalesce((SELECT sum(m.minutes) FROM timebank_movement m "
	"WHERE m.account_id = a.id), 0) ORDER BY a.id LIMIT 1", NULL };
static const struct sql q_check_sum = { "tb.check_sum",
	"SELECT coalesce(sum(balance), 0), (SELECT coalesce(sum(minutes), 0) FROM timebank_movement) "
	"FROM timebank_account", NULL };

/* ---------------------------------------------------------------- accounts */

static enum err account_made(struct db *db, const struct sql *add, const struct sql *get, struct db_val key,
		int64_t now, int64_t *id)
{
	enum err e = db_query_int(db, get, &key, 1, id);

	if (e != ERR_NOT_FOUND)
		return e;
	if ((e = db_exec(db, add, DB_ARGS(key, DB_INT(now)), NULL)) != ERR_OK)
		return e;
	return db_query_int(db, get, &key, 1, id);
}

enum err tb_account_of_person(struct db *db, int64_t person_id, int64_t now, int64_t *id)
{
	*id = 0;
	return account_made(db, &q_account_person_add, &q_account_person, DB_INT(person_id), now, id);
}

enum err tb_account_of_organisation(struct db *db, const char *organisation_id, int64_t now, int64_t *id)
{
	*id = 0;
	if (!organisation_id || !*organisation_id)
		return ERR_NOT_FOUND;
	return account_made(db, &q_account_org_add, &q_account_org, DB_TEXT(organisation_id), now, id);
}

enum err tb_account_pot(struct db *db, int64_t now, int64_t *id)
{
	enum err e = db_query_int(db, &q_pot, DB_NOARGS, id);

	if (e != ERR_NOT_FOUND)
		return e;
	if ((e = db_exec(db, &q_pot_add, DB_ARGS(DB_INT(now)), NULL)) != ERR_OK)
		return e;
	return db_query_int(db, &q_pot, DB_NOARGS, id);
}

static void account_read(struct db_res *r, const struct tb_limits *lim, struct tb_account *out)
{
	const char *kind = db_text(r, 1);

	memset(out, 0, sizeof(*out));
	out->id = db_int(r, 0);
	out->kind = strcmp(kind, "person") == 0 ? TB_PERSON : strcmp(kind, "pot") == 0 ? TB_POT : TB_ORGANISATION;
	out->person_id = db_int(r, 2);
	if (db_text(r, 3))
		str_copy(out->organisation_id, sizeof(out->organisation_id), db_text(r, 3));
	out->balance = db_int(r, 4);
	if (!db_isnull(r, 5))
		out->lowest = -db_int(r, 5);
	else
		out->lowest = -(out->kind == TB_PERSON ? lim->person : out->kind == TB_POT ? lim->pot : lim->organisation);
	out->created_at = db_int(r, 6);
}

enum err tb_account_get(struct db *db, const struct tb_limits *lim, int64_t id, struct tb_account *out)
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query_one(db, &q_account, DB_ARGS(DB_INT(id)), &r)) != ERR_OK)
		return e;
	account_read(r, lim, out);
	db_res_free(r);
	return ERR_OK;
}

enum err tb_account_set_floor(struct db *db, int64_t id, int64_t minutes)
{
	int64_t n = 0;
	enum err e;

	if (minutes > TB_MINUTES_MAX * 10)
		return ERR_INVALID;
	e = db_exec(db, &q_floor, DB_ARGS(DB_INT(id), minutes < 0 ? DB_NULL : DB_INT(minutes)), &n);
	return e == ERR_OK && n == 0 ? ERR_NOT_FOUND : e;
}

/* ---------------------------------------------------------------- words */

const char *tb_kind_name(enum tb_kind k)
{
	return k == TB_HELP ? "help" : k == TB_REVERSAL ? "reversal" : "transfer";
}

static enum tb_kind kind_parse(const char *s)
{
	return strcmp(s, "help") == 0 ? TB_HELP : strcmp(s, "reversal") == 0 ? TB_REVERSAL : TB_TRANSFER;
}

const char *tb_words(int64_t minutes, char *buf, size_t len)
{
	uint64_t m = minutes < 0 ? (uint64_t)0 - (uint64_t)minutes : (uint64_t)minutes;
	uint64_t h = m / 60, rest = m % 60;
	const char *sign = minutes < 0 ? "minus " : "";

	if (m == 0)
		snprintf(buf, len, "no time");
	else if (h && rest)
		snprintf(buf, len, "%s%llu hour%s %llu minute%s", sign, (unsigned long long)h, h == 1 ? "" : "s",
			 (unsigned long long)rest, rest == 1 ? "" : "s");
	else if (h)
		snprintf(buf, len, "%s%llu hour%s", sign, (unsigned long long)h, h == 1 ? "" : "s");
	else
		snprintf(buf, len, "%s%llu minute%s", sign, (unsigned long long)rest, rest == 1 ? "" : "s");
	return buf;
}

/* ---------------------------------------------------------------- transfers */

static void transfer_read(struct db_res *r, struct tb_transfer *out)
{
	memset(out, 0, sizeof(*out));
	out->id = db_int(r, 0);
	out->from = db_int(r, 1);
	out->to = db_int(r, 2);
	out->minutes = db_int(r, 3);
	out->kind = kind_parse(db_text(r, 4));
	out->reverses = db_int(r, 5);
	out->recorded_by = db_int(r, 6);
	out->on_behalf = db_int(r, 7) != 0;
	out->created_at = db_int(r, 8);
	out->reversed_by = db_int(r, 9);
}

static enum err transfer_one(struct db *db, const struct sql *q, const struct db_val *args, size_t nargs,
		struct tb_transfer *out)
{
	struct db_res *r;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query_one(db, q, args, nargs, &r)) != ERR_OK)
		return e;
	transfer_read(r, out);
	db_res_free(r);
	return ERR_OK;
}

enum err tb_transfer_get(struct db *db, int64_t id, struct tb_transfer *out)
{
	return transfer_one(db, &q_transfer, DB_ARGS(DB_INT(id)), out);
}

enum err tb_transfer_note(struct db *db, int64_t id, char **out)
{
	struct db_res *r;
	enum err e;

	*out = NULL;
	e = db_query_one(db, &q_note, DB_ARGS(DB_INT(id)), &r);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e)
		return e;
	*out = strdup(db_text(r, 0));
	db_res_free(r);
	return *out ? ERR_OK : ERR_NOMEM;
}

bool tb_key_ok(const char *key, size_t n)
{
	if (!key || n == 0 || n > TB_KEY_MAX || strlen(key) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

static void key_refused(json_t *errors)
{
	field_err(errors, "idempotency_key", "The idempotency key must be 1 to 100 letters, digits or punctuation, "
		  "with no spaces");
}

static bool request_ok(const struct tb_request *rq, json_t *errors)
{
	size_t before = json_array_size(errors);

	if (rq->from <= 0)
		field_err(errors, "from", "Choose the account the time comes from");
	if (rq->to <= 0)
		field_err(errors, "to", "Choose the account the time goes to");
	else if (rq->to == rq->from)
		field_err(errors, "to", "The time must go to a different account from the one it comes from");
	if (rq->minutes < 1)
		field_err(errors, "minutes", "Enter the time as a whole number of minutes, 1 or more");
	else if (rq->minutes > TB_MINUTES_MAX)
		field_err(errors, "minutes", "One transfer can be at most 1,000 hours (60,000 minutes)");
	if (rq->note && *rq->note)
		field_text_ok(errors, "note", "The note", rq->note, TB_NOTE_MAX, false);
	if (rq->key && !tb_key_ok(rq->key, strlen(rq->key)))
		key_refused(errors);
	return json_array_size(errors) == before;
}

/* The repeat of a request whose key was used: the first transfer, or
 * ERR_CONFLICT when that was another transfer. ERR_NOT_FOUND when the key
 * is new. */
static enum err repeat_of(struct db *db, int64_t recorded_by, const char *key, int64_t from, int64_t to,
		int64_t minutes, json_t *errors, struct tb_transfer *out)
{
	enum err e;

	if (!key)
		return ERR_NOT_FOUND;
	e = transfer_one(db, &q_transfer_key, DB_ARGS(DB_INT(recorded_by), DB_TEXT(key)), out);
	if (e)
		return e;
	if (out->from != from || out->to != to || out->minutes != minutes) {
		field_err(errors, "idempotency_key", "This idempotency key was used for a different transfer. Use a "
			  "new key for a new transfer");
		return ERR_CONFLICT;
	}
	out->repeated = true;
	return ERR_OK;
}

/* Locks and reads the two accounts (ERR_NOT_FOUND when either is not). */
static enum err accounts_lock(struct db *db, const struct tb_limits *lim, int64_t from, int64_t to,
		struct tb_account *a_from, struct tb_account *a_to)
{
	struct db_res *r;
	int found = 0;
	enum err e = db_query(db, &q_accounts_lock, DB_ARGS(DB_INT(from), DB_INT(to)), &r);

	if (e)
		return e;
	while ((e = db_next(r)) == ERR_OK && db_row(r)) {
		struct tb_account a;

		account_read(r, lim, &a);
		if (a.id == from)
			*a_from = a;
		else
			*a_to = a;
		found++;
	}
	db_res_free(r);
	return e ? e : found == 2 ? ERR_OK : ERR_NOT_FOUND;
}

/* Writes the transfer, its two movements, the two balances and the note;
 * out is the transfer as written (nothing is read back). */
static enum err transfer_write(struct db *db, int64_t from, int64_t to, int64_t minutes, enum tb_kind kind,
		int64_t reverses, int64_t recorded_by, bool on_behalf, const char *key, const char *note, int64_t now,
		struct tb_transfer *out)
{
	int64_t *id = &out->id;

	enum err e = db_query_int(db, &q_transfer_add, DB_ARGS(DB_INT(from), DB_INT(to), DB_INT(minutes),
		DB_TEXT(tb_kind_name(kind)), reverses ? DB_INT(reverses) : DB_NULL, DB_INT(recorded_by),
		DB_BOOL(on_behalf), key ? DB_TEXT(key) : DB_NULL, DB_INT(now)), id);

	if (e == ERR_OK)
		e = db_exec(db, &q_movement_add, DB_ARGS(DB_INT(*id), DB_INT(from), DB_INT(-minutes), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_movement_add, DB_ARGS(DB_INT(*id), DB_INT(to), DB_INT(minutes), DB_INT(now)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_balance_add, DB_ARGS(DB_INT(from), DB_INT(-minutes)), NULL);
	if (e == ERR_OK)
		e = db_exec(db, &q_balance_add, DB_ARGS(DB_INT(to), DB_INT(minutes)), NULL);
	if (e == ERR_OK && note && *note)
		e = db_exec(db, &q_note_add, DB_ARGS(DB_INT(*id), DB_TEXT(note)), NULL);
	if (e == ERR_OK)
		*out = (struct tb_transfer){ .id = *id, .from = from, .to = to, .minutes = minutes, .kind = kind,
					     .reverses = reverses, .recorded_by = recorded_by, .created_at = now,
					     .on_behalf = on_behalf };
	return e;
}

/* The sentence for a transfer that would take a below its floor. */
static enum err below_floor(const struct tb_account *a, int64_t minutes, json_t *errors)
{
	char has[48], lowest[48], would[48], can[48], why[300];

	snprintf(why, sizeof(why), "This would take the account to %s, and the lowest it can go is %s. It has %s now, "
		 "so it can give %s at most.", tb_words(a->balance - minutes, would, sizeof(would)),
		 tb_words(a->lowest, lowest, sizeof(lowest)), tb_words(a->balance, has, sizeof(has)),
		 a->balance - a->lowest > 0 ? tb_words(a->balance - a->lowest, can, sizeof(can)) : "no time");
	field_err(errors, "minutes", why);
	return ERR_CONFLICT;
}

enum err tb_transfer_make(struct db *db, const struct tb_limits *lim, const struct tb_request *rq, int64_t now,
		json_t *errors, struct tb_transfer *out)
{
	struct tb_account a_from, a_to;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (rq->kind == TB_REVERSAL || !request_ok(rq, errors))
		return ERR_INVALID;
	/* The locks first: a repeat waits for the first to commit, then sees it. */
	if ((e = accounts_lock(db, lim, rq->from, rq->to, &a_from, &a_to)) != ERR_OK)
		return e;
	e = repeat_of(db, rq->recorded_by, rq->key, rq->from, rq->to, rq->minutes, errors, out);
	if (e != ERR_NOT_FOUND)
		return e;
	if (a_from.balance - rq->minutes < a_from.lowest)
		return below_floor(&a_from, rq->minutes, errors);
	return transfer_write(db, rq->from, rq->to, rq->minutes, rq->kind, 0, rq->recorded_by, rq->on_behalf, rq->key,
			      rq->note, now, out);
}

enum err tb_reverse(struct db *db, int64_t id, const char *reason, int64_t recorded_by, const char *key,
		int64_t now, json_t *errors, struct tb_transfer *out)
{
	static const struct tb_limits none = { 0, 0, 0 };
	struct tb_transfer t;
	struct tb_account a_from, a_to;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!reason || str_is_blank(reason))
		field_err(errors, "reason", "Say why the transfer is being reversed");
	else
		field_text_ok(errors, "reason", "The reason", reason, TB_NOTE_MAX, false);
	if (key && !tb_key_ok(key, strlen(key)))
		key_refused(errors);
	if (json_array_size(errors))
		return ERR_INVALID;
	if ((e = tb_transfer_get(db, id, &t)) != ERR_OK)
		return e;
	if ((e = accounts_lock(db, &none, t.from, t.to, &a_from, &a_to)) != ERR_OK)
		return e;
	e = repeat_of(db, recorded_by, key, t.to, t.from, t.minutes, errors, out);
	if (e != ERR_NOT_FOUND)
		return e;
	if ((e = tb_transfer_get(db, id, &t)) != ERR_OK)   /* again, under the locks */
		return e;
	if (t.kind == TB_REVERSAL) {
		field_err(errors, "transfer", "This transfer is itself a reversal. To put it right, make a new "
			  "transfer");
		return ERR_CONFLICT;
	}
	if (t.reversed_by) {
		field_err(errors, "transfer", "This transfer has already been reversed");
		return ERR_CONFLICT;
	}
	return transfer_write(db, t.to, t.from, t.minutes, TB_REVERSAL, t.id, recorded_by, false, key, reason, now, out);
}

/* ---------------------------------------------------------------- the check */

enum err tb_check(struct db *db, struct tb_check_counts *counts, char *why, size_t whylen)
{
	struct db_res *r;
	enum err e;

	memset(counts, 0, sizeof(*counts));
	why[0] = '\0';
	if ((e = db_query_one(db, &q_check_counts, DB_NOARGS, &r)) != ERR_OK)
		return e;
	counts->accounts = db_int(r, 0);
	counts->transfers = db_int(r, 1);
	counts->movements = db_int(r, 2);
	db_res_free(r);
	e = db_query_one(db, &q_check_moves, DB_NOARGS, &r);
	if (e == ERR_OK) {
		snprintf(why, whylen, "transfer %lld (%lld minutes from account %lld to account %lld) has %lld "
			 "movement(s) summing to %lld; it needs exactly two, -%lld on account %lld and +%lld on "
			 "account %lld", (long long)db_int(r, 0), (long long)db_int(r, 3), (long long)db_int(r, 1),
			 (long long)db_int(r, 2), (long long)db_int(r, 4), (long long)db_int(r, 7),
			 (long long)db_int(r, 3), (long long)db_int(r, 1), (long long)db_int(r, 3),
			 (long long)db_int(r, 2));
		db_res_free(r);
		return ERR_INVALID;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	e = db_query_one(db, &q_check_orphans, DB_NOARGS, &r);
	if (e == ERR_OK) {
		snprintf(why, whylen, "movement %lld names transfer %lld, which does not exist", (long long)db_int(r, 0),
			 (long long)db_int(r, 1));
		db_res_free(r);
		return ERR_INVALID;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	e = db_query_one(db, &q_check_balances, DB_NOARGS, &r);
	if (e == ERR_OK) {
		snprintf(why, whylen, "account %lld has a balance of %lld minutes, but its movements sum to %lld",
			 (long long)db_int(r, 0), (long long)db_int(r, 1), (long long)db_int(r, 2));
		db_res_free(r);
		return ERR_INVALID;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	if ((e = db_query_one(db, &q_check_sum, DB_NOARGS, &r)) != ERR_OK)
		return e;
	if (db_int(r, 0) != 0 || db_int(r, 1) != 0)
		snprintf(why, whylen, "the balances sum to %lld minutes and the movements to %lld; both must be 0",
			 (long long)db_int(r, 0), (long long)db_int(r, 1));
	db_res_free(r);
	return why[0] ? ERR_INVALID : ERR_OK;
}

/* ---------------------------------------------------------------- a person's data */

static const struct sql q_x_account = { "tb.x_account",
	"SELECT a.id, a.balance FROM timebank_account a WHERE a.person_id = $1", NULL };
static const struct sql q_x_transfers = { "tb.x_transfers",
	"SELECT t.id, t.kind, t.minutes, CASE WHEN t.from_account = a.id THEN 'gave' ELSE 'received' END, "
	"t.created_at, n.note, coalesce(t.reverses, 0), t.on_behalf "
	"FROM timebank_account a JOIN timebank_transfer t ON t.from_account = a.id OR t.to_account = a.id "
	"LEFT JOIN timebank_note n ON n.transfer_id = t.id WHERE a.person_id = $1 ORDER BY t.id", NULL };
static const struct sql q_erase_notes = { "tb.erase_notes",
	"DELETE FROM timebank_note WHERE transfer_id IN (SELECT t.id FROM timebank_transfer t "
	"JOIN timebank_account a ON t.from_account = a.id OR t.to_account = a.id WHERE a.person_id = $1) "
	"OR transfer_id IN (SELECT id FROM timebank_transfer WHERE recorded_by = $1)", NULL };

static json_t *x_transfer(struct db_res *r, void *ctx)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:I, s:o, s:b}", "id", (json_int_t)db_int(r, 0), "kind",
			      db_text(r, 1), "minutes", (json_int_t)db_int(r, 2), "direction", db_text(r, 3),
			      "created_at", (json_int_t)db_int(r, 4), "note", db_json_text(r, 5), "on_behalf",
			      db_int(r, 7) != 0);

	UNUSED(ctx);
	if (o && db_int(r, 6))
		json_object_set_new(o, "reverses", json_integer((json_int_t)db_int(r, 6)));
	return o;
}

enum err tb_export_person(struct db *db, int64_t person_id, json_t *out)
{
	struct db_res *r;
	json_t *tb, *list = NULL;
	enum err e = db_query_one(db, &q_x_account, DB_ARGS(DB_INT(person_id)), &r);

	if (e == ERR_NOT_FOUND)
		return ERR_OK;   /* never in the timebank */
	if (e)
		return e;
	tb = json_pack("{s:I}", "balance_minutes", (json_int_t)db_int(r, 1));
	db_res_free(r);
	if (!tb)
		return ERR_NOMEM;
	e = db_rows_json(db, &q_x_transfers, DB_ARGS(DB_INT(person_id)), x_transfer, NULL, &list);
	if (e == ERR_OK && json_object_set_new(tb, "transfers", list) != 0)
		e = ERR_NOMEM;
	if (e == ERR_OK && json_object_set_new(out, "timebank", tb) != 0)
		return ERR_NOMEM;
	if (e)
		json_decref(tb);
	return e;
}

enum err tb_erase_person(struct db *db, int64_t person_id)
{
	return db_exec(db, &q_erase_notes, DB_ARGS(DB_INT(person_id)), NULL);
}

/* ---------------------------------------------------------------- an account's movements */

static const struct sql q_movements = { "tb.movements",
	"SELECT m.transfer_id, m.minutes, t.kind, CASE WHEN t.from_account = $1 THEN t.to_account "
	"ELSE t.from_account END, m.created_at FROM timebank_movement m "
	"JOIN timebank_transfer t ON t.id = m.transfer_id WHERE m.account_id = $1 ORDER BY m.id DESC LIMIT $2", NULL };

static json_t *movement_row(struct db_res *r, void *ctx)
{
	UNUSED(ctx);
	return json_pack("{s:I, s:I, s:s, s:I, s:I}", "transfer_id", (json_int_t)db_int(r, 0), "minutes",
			 (json_int_t)db_int(r, 1), "kind", db_text(r, 2), "with_account", (json_int_t)db_int(r, 3),
			 "created_at", (json_int_t)db_int(r, 4));
}

enum err tb_movements(struct db *db, int64_t account, int limit, json_t **out)
{
	return db_rows_json(db, &q_movements, DB_ARGS(DB_INT(account), DB_INT(limit)), movement_row, NULL, out);
}
