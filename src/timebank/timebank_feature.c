/*
 * timebank_feature.c - the timebank as kith opens it: its settings (how
 * low balances may go), `kith timebank check`, and what it does when a
 * person downloads their data or is erased. The ledger is ledger.h.
 */
#include "core/common.h"
#include "timebank/timebank_feature.h"

#include "app/app.h"
#include "app/cli.h"
#include "app/config.h"
#include "app/features.h"
#include "core/event.h"
#include "store/store.h"
#include "timebank/ledger.h"

#include <stdio.h>

#define TS(field) CFG(struct timebank_settings, field)

static const struct config_key keys[] = {
	{ "timebank_lowest_hours", CT_INT, TS(timebank_lowest_hours), 0, 1000, "10",
	  "hours below zero a person's or an organisation's timebank balance may go (a coordinator may set "
	  "another for one account)", NULL },
	{ "timebank_pot_lowest_hours", CT_INT, TS(timebank_pot_lowest_hours), 0, 100000, "50",
	  "hours below zero the solidarity pot may go while it pays for help to people who cannot pay", NULL },
	{ 0 },
};

const struct settings timebank_settings = { "Timebank", keys, sizeof(struct timebank_settings) };

struct tb_limits timebank_limits(const struct config *cfg)
{
	const struct timebank_settings *s = cfg ? SETTINGS_OF(cfg, struct timebank_settings, timebank_settings) : NULL;
	int64_t person = s ? s->timebank_lowest_hours : 10, pot = s ? s->timebank_pot_lowest_hours : 50;

	return (struct tb_limits){ .person = person * 60, .organisation = person * 60, .pot = pot * 60 };
}

/* `kith timebank check`: exits 0 when the ledger is whole, 1 naming the
 * first inconsistency. */
static int check_now(const struct config *cfg)
{
	struct app app;
	struct tb_check_counts n;
	struct db *db;
	char why[512];
	enum err e;

	if (app_init(&app, cfg, false, why, sizeof(why)) != ERR_OK) {
		fprintf(stderr, "kith: %s\n", why);
		return 1;
	}
	why[0] = '\0';
	db = store_db(app.store);
	e = db ? db_begin_read(db) : ERR_UNAVAILABLE;
	if (e == ERR_OK) {
		e = tb_check(db, &n, why, sizeof(why));
		db_rollback(db);
	}
	if (e == ERR_OK)
		printf("timebank: the ledger is whole: %lld accounts, %lld transfers, %lld movements; every "
		       "transfer's movements and all the balances sum to zero\n", (long long)n.accounts,
		       (long long)n.transfers, (long long)n.movements);
	else if (e == ERR_INVALID)
		fprintf(stderr, "kith: timebank check: %s\n", why);
	else
		fprintf(stderr, "kith: timebank check: %s\n", err_title(e));
	app_release(&app);
	return e == ERR_OK ? 0 : 1;
}

static int timebank_cmd(const struct config *cfg, int argc, char **argv)
{
	const char *pos[1];
	int npos;

	if (cli_parse(argc, argv, 1, NULL, 0, pos, 1, &npos) && npos == 1 && strcmp(pos[0], "check") == 0)
		return check_now(cfg);
	fprintf(stderr, "kith: usage: kith timebank check (proves every transfer's two movements sum to zero, "
		"every balance equals its movements and all of them sum to zero; names the first thing that "
		"does not)\n");
	return 2;
}

static const struct command commands[] = {
	{ "timebank", "timebank check",
	  "prove the timebank's ledger whole: each transfer two movements summing to zero, each balance the sum "
	  "of its movements, all balances summing to zero; exits 1 naming the first inconsistency",
	  timebank_cmd },
};

static enum err on_person_erasing(const struct event *ev)
{
	return tb_erase_person(ev->db, ev->person_id);
}

static const struct subscription subscriptions[] = {
	{ EV_PERSON_ERASING, on_person_erasing },
	{ 0 },
};

static enum err export_person(struct db *db, int64_t person_id, int64_t now, json_t *out)
{
	UNUSED(now);
	return tb_export_person(db, person_id, out);
}

const struct feature timebank_feature = {
	.name = "timebank",
	.settings = &timebank_settings,
	.commands = commands,
	.ncommands = ARRAY_LEN(commands),
	.export_person = export_person,
	.subscriptions = subscriptions,
};
