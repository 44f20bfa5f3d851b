/*
 * peer_feature.c - peer support in a running kith: for now its command
 * line, `kith match solve FILE`, which runs the matching engine on a text
 * instance and prints one line with what it found and how long the solve
 * took (reading the file and checking it are not counted).
 */
#include "core/common.h"
#include "app/cli.h"
#include "app/features.h"
#include "core/timeutil.h"
#include "match/instance.h"
#include "match/match.h"
#include "peer/peer.h"

#include <stdio.h>
#include <stdlib.h>

static int solve_file(const char *path)
{
	char why[256];
	size_t len = 0;
	char *text = cli_read_file(path, PEER_SOLVE_FILE_MAX, &len, why, sizeof(why));
	struct match_owned in;
	struct match_result res;
	int64_t *pair_of = NULL;
	uint64_t t0;
	enum err e;

	if (!text) {
		fprintf(stderr, "kith: %s\n", why);
		return 1;
	}
	e = match_instance_parse(text, len, &in, why, sizeof(why));
	free(text);
	if (e == ERR_INVALID) {
		fprintf(stderr, "kith: %s: %s\n", path, why);
		return 1;
	}
	if (e == ERR_OK && !(pair_of = malloc((in.prob.people ? in.prob.people : 1) * sizeof(*pair_of))))
		e = ERR_NOMEM;
	if (e) {
		fprintf(stderr, "kith: %s: %s\n", path, err_title(e));
		match_owned_release(&in);
		return 1;
	}
	t0 = time_mono_us();
	e = match_solve(&in.prob, pair_of, &res);
	if (e == ERR_OK)
		printf("matched %llu cost %lld solve_s %.3f\n", (unsigned long long)res.matched,
		       (long long)res.cost, (double)(time_mono_us() - t0) / 1e6);
	else
		fprintf(stderr, "kith: %s: the engine could not solve it (%s)\n", path, err_title(e));
	free(pair_of);
	match_owned_release(&in);
	return e == ERR_OK ? 0 : 1;
}

static int match_cmd(const struct config *cfg, int argc, char **argv)
{
	const char *pos[2];
	int npos;

	UNUSED(cfg);
	if (!cli_parse(argc, argv, 1, NULL, 0, pos, 2, &npos) || npos != 2 ||
	    strcmp(pos[0], "solve") != 0) {
		fprintf(stderr, "kith: usage: kith match solve FILE (a matching instance: \"P M E\", the M "
			"capacities, then E lines \"person peer cost\"; - reads standard input)\n");
		return 2;
	}
	return solve_file(pos[1]);
}

static const struct command commands[] = {
	{ "match", "match solve FILE",
	  "run the peer matching engine on a text instance (P M E, capacities, E lines \"person peer "
	  "cost\") and print \"matched N cost C solve_s T\"", match_cmd },
};

const struct feature peer_feature = {
	.name = "peer", .commands = commands, .ncommands = ARRAY_LEN(commands),
};
