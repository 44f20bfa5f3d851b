/*
 * crisis_bench.c - the crisis classifier's cost per post, in process.
 *
 *   crisis_bench [--ms M]
 *
 * Classifies posts of the sizes conversations see, each over and over
 * for about M milliseconds (default 300) in 5 batches, and prints the
 * median time a post of each kind, in microseconds (wall and CPU):
 *   - a typical post of about 400 bytes, harmless, and the same with a
 *     risk sentence in the middle (which is then judged in context);
 *   - a long post of about 5,000 bytes, harmless and with risk;
 *   - the longest post read, CRISIS_TEXT_MAX bytes, as sentences and as
 *     one sentence with no punctuation (read in overlapping windows);
 *   - a hostile post: CRISIS_TEXT_MAX bytes of the words most patterns
 *     start with ("to want to i to"), the slowest input known.
 * The first call builds the word tables (once per process); it is timed
 * on its own. Then, run from the repository root, the recall and
 * precision on tests/data/crisis/ (as tests/unit/test_crisis.c measures
 * and checks them), so one run gives the figures. Ends with one
 * line for scripts: RESULT key=value ...
 */
#include "core/common.h"

#include <time.h>

#include "safety/crisis.h"

static const char typical[] =
	"Had my review with the respiratory nurse today and she was lovely, changed my inhaler "
	"again and sorted out my repeat prescription. The new one is a dry powder so I have to "
	"breathe in hard, which is a bit of a struggle first thing. Walked to the postbox and "
	"back, first time in a fortnight. Does anyone else find the cold mornings worse? See "
	"you all at Thursday's group, I'll bring the biscuits this time x";

static const char risky[] =
	"Had my review with the respiratory nurse today and she was lovely, changed my inhaler "
	"again and sorted out my repeat prescription. To be honest I'm struggling more than I "
	"let on and most nights I lie awake wishing I wouldn't wake up. Walked to the postbox "
	"and back, first time in a fortnight. Does anyone else find the cold mornings worse? "
	"See you all at Thursday's group, I'll bring the biscuits x";

static const char paragraph[] =
	"The pain clinic finally rang back and I have an appointment in March, which feels like "
	"forever but at least it's something. My husband has been brilliant, he does the "
	"shopping now and we've worked out a routine with the stairs. I still miss work more "
	"than I thought I would, the people mostly. The physio says to pace myself and not to "
	"push through, which is hard when you've always been the one who gets things done. ";

static char long_harmless[6000], long_risky[6000], max_sentences[CRISIS_TEXT_MAX + 1],
	max_one[CRISIS_TEXT_MAX + 1], hostile[CRISIS_TEXT_MAX + 1];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static size_t fill(char *buf, size_t cap, const char *unit, size_t want)
{
	size_t o = 0, n = strlen(unit);

	while (o + n < want && o + n < cap) {
		memcpy(buf + o, unit, n);
		o += n;
	}
	buf[o] = '\0';
	return o;
}

struct post {
	const char *name, *key;
	const char *p;
	size_t n;
	enum crisis_level want;
};

/* Median microseconds a post (wall, and CPU) over 5 batches of about
 * ms/5 milliseconds each. */
static void time_post(const struct post *t, double ms, double *wall_us, double *cpu_us)
{
	double w[5], c[5];
	size_t iters = 1;
	struct crisis_result r;
	volatile size_t sink = 0;

	/* Calibrate: double until one batch takes a fifth of the time. */
	for (;;) {
		double t0 = now_s();
		for (size_t i = 0; i < iters; i++) {
			crisis_classify(t->p, t->n, &r);
			sink += r.level;
		}
		if ((now_s() - t0) * 1000 >= ms / 5 || iters > (1u << 24))
			break;
		iters *= 2;
	}
	for (int b = 0; b < 5; b++) {
		double t0 = now_s(), c0 = cpu_s();
		for (size_t i = 0; i < iters; i++) {
			crisis_classify(t->p, t->n, &r);
			sink += r.level;
		}
		w[b] = (now_s() - t0) * 1e6 / (double)iters;
		c[b] = (cpu_s() - c0) * 1e6 / (double)iters;
	}
	qsort(w, 5, sizeof(w[0]), cmp_double);
	qsort(c, 5, sizeof(c[0]), cmp_double);
	*wall_us = w[2];
	*cpu_us = c[2];
	(void)sink;
	if (r.level != t->want) {
		fprintf(stderr, "%s: classified %s, expected %s\n", t->name, crisis_level_name(r.level),
			crisis_level_name(t->want));
		exit(1);
	}
}

/* Signposting and urgent-flag recall and precision on one labelled set
 * ("label<TAB>text", "\n" a line break, '#' comments); false if it cannot
 * be read. */
static bool measure(const char *path, size_t *lines, double *rec, double *prec, double *urec, double *uprec)
{
	FILE *f = fopen(path, "r");
	static char line[8192], text[8192];
	size_t tp = 0, fp = 0, fn = 0, utp = 0, ufp = 0, ufn = 0;

	if (!f)
		return false;
	*lines = 0;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		size_t o = 0;
		struct crisis_result r;
		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		for (const char *q = tab + 1; *q && *q != '\n'; q++) {
			if (q[0] == '\\' && q[1] == 'n')
				text[o++] = '\n', q++;
			else
				text[o++] = *q;
		}
		crisis_classify(text, o, &r);
		bool want = strcmp(line, "none") != 0, wurg = strcmp(line, "urgent") == 0;
		tp += want && r.signpost;
		fp += !want && r.signpost;
		fn += want && !r.signpost;
		utp += wurg && r.urgent;
		ufp += !wurg && r.urgent;
		ufn += wurg && !r.urgent;
		(*lines)++;
	}
	fclose(f);
	*rec = tp + fn ? (double)tp / (double)(tp + fn) : 1;
	*prec = tp + fp ? (double)tp / (double)(tp + fp) : 1;
	*urec = utp + ufn ? (double)utp / (double)(utp + ufn) : 1;
	*uprec = utp + ufp ? (double)utp / (double)(utp + ufp) : 1;
	return true;
}

int main(int argc, char **argv)
{
	double ms = 300;
	char result[1024];
	size_t ro;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ms") && i + 1 < argc)
			ms = strtod(argv[++i], NULL);
		else {
			fprintf(stderr, "usage: %s [--ms M]\n", argv[0]);
			return 2;
		}
	}

	size_t o = fill(long_harmless, sizeof(long_harmless), paragraph, 5000);
	size_t half = fill(long_risky, sizeof(long_risky), paragraph, 2500);
	half += (size_t)snprintf(long_risky + half, sizeof(long_risky) - half,
		"Some days I think they would all be better off without me. ");
	while (half + strlen(paragraph) < 5000) {
		memcpy(long_risky + half, paragraph, strlen(paragraph));
		half += strlen(paragraph);
	}
	long_risky[half] = '\0';
	size_t nmax = fill(max_sentences, sizeof(max_sentences), paragraph, CRISIS_TEXT_MAX);
	size_t none = fill(max_one, sizeof(max_one), "and the walk was lovely and the tea was hot ", CRISIS_TEXT_MAX);
	size_t nhost = fill(hostile, sizeof(hostile), "to want to i to not want to be to ", CRISIS_TEXT_MAX);

	const struct post posts[] = {
		{ "typical post, harmless", "typical", typical, strlen(typical), CRISIS_NONE },
		{ "typical post, risk in the middle", "typical_risk", risky, strlen(risky), CRISIS_URGENT },
		{ "long post, harmless", "long", long_harmless, o, CRISIS_NONE },
		{ "long post, risk in the middle", "long_risk", long_risky, half, CRISIS_URGENT },
		{ "longest read, sentences", "max", max_sentences, nmax, CRISIS_NONE },
		{ "longest read, one sentence", "max_one", max_one, none, CRISIS_NONE },
		{ "hostile: pattern-start words", "hostile", hostile, nhost, CRISIS_NONE },
	};

	/* The first call builds the tables. */
	double t0 = now_s();
	if (crisis_tables_problem()) {
		fprintf(stderr, "crisis tables: %s\n", crisis_tables_problem());
		return 1;
	}
	double init_us = (now_s() - t0) * 1e6;

	ro = (size_t)snprintf(result, sizeof(result), "RESULT init_us=%.0f", init_us);
	printf("tables built once in %.0f us\n", init_us);
	printf("  %-36s %7s %12s %12s %10s\n", "post", "bytes", "us a post", "CPU us", "MB/s");
	for (size_t i = 0; i < ARRAY_LEN(posts); i++) {
		double wall, cpu;
		time_post(&posts[i], ms, &wall, &cpu);
		printf("  %-36s %7zu %12.2f %12.2f %10.1f\n", posts[i].name, posts[i].n, wall, cpu,
			(double)posts[i].n / wall);
		ro += (size_t)snprintf(result + ro, sizeof(result) - ro, " %s_bytes=%zu %s_us=%.2f %s_cpu_us=%.2f",
			posts[i].key, posts[i].n, posts[i].key, wall, posts[i].key, cpu);
	}
	static const char *const sets[][2] = {
		{ "tests/data/crisis/labelled.tsv", "labelled" },
		{ "tests/data/crisis/held_out.tsv", "held_out" },
	};
	for (size_t i = 0; i < ARRAY_LEN(sets); i++) {
		size_t lines;
		double rec, prec, urec, uprec;
		if (!measure(sets[i][0], &lines, &rec, &prec, &urec, &uprec)) {
			printf("%s: not found (run from the repository root for recall and precision)\n", sets[i][0]);
			continue;
		}
		printf("%s: %zu lines: signposting recall %.3f precision %.3f; urgent flag recall %.3f "
			"precision %.3f\n", sets[i][0], lines, rec, prec, urec, uprec);
		ro += (size_t)snprintf(result + ro, sizeof(result) - ro, " %s_recall=%.3f %s_precision=%.3f",
			sets[i][1], rec, sets[i][1], prec);
	}
	printf("%s\n", result);
	return 0;
}
