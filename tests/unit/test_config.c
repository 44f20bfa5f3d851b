/*
 * test_config.c - defaults, file, environment and flags, and refusals that
 * name the key.
 */
#include "core/common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "app/config.h"
#include "app/features.h"

#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
	UNUSED(state);
	snprintf(dir, sizeof(dir), "/tmp/kith-config-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	UNUSED(state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text, char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void every_default_is_valid(void **state)
{
	struct config c;
	char err[256];

	UNUSED(state);
	for (size_t i = 0, n = config_key_count(); i < n; i++) {
		const struct config_key *k = config_key_at(i, NULL);

		config_defaults(&c);
		assert_int_equal(config_set(&c, k->name, k->def, err, sizeof(err)), ERR_OK);
		assert_non_null(k->help);
		/* One name for each setting across the platform and features. */
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(config_key_at(j, NULL)->name, k->name);
	}
	/* Every feature's settings fit the config's feature area. */
	for (size_t f = 0; f < features_n; f++)
		if (features[f]->settings)
			assert_non_null(config_settings(&c, features[f]->settings));
	config_defaults(&c);
	assert_string_equal(c.db, "sqlite:var/kith.db");
	assert_string_equal(c.listen_host, "127.0.0.1");
	assert_int_equal(c.listen_port, 8080);
	assert_int_equal(c.synchronous, 2);
	assert_true(c.migrate_on_start);
}

static void naming_rule(void **state)
{
	char s[64];

	UNUSED(state);
	config_env_name("smtp_url", s, sizeof(s));
	assert_string_equal(s, "KITH_SMTP_URL");
	config_flag_name("smtp_url", s, sizeof(s));
	assert_string_equal(s, "--smtp-url");
}

static void precedence_file_env_flag(void **state)
{
	struct config c;
	char err[512], path[128];
	char a0[] = "serve", a1[] = "--config", a2[256], a3[] = "--threads", a4[] = "7",
	     a5[] = "--site-name=Kith Town", a6[] = "extra";
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, NULL };
	int argc = 7;

	UNUSED(state);
	write_file("kith.conf", "# comment\nthreads = 3\nrate_limit = 10\nlisten = 0.0.0.0:9000\n"
		   "site_name = File Name\n", path, sizeof(path));
	snprintf(a2, sizeof(a2), "%s", path);
	setenv("KITH_RATE_LIMIT", "20", 1);
	setenv("KITH_SITE_NAME", "Env Name", 1);
	assert_int_equal(config_load(&c, &argc, argv, err, sizeof(err)), ERR_OK);
	unsetenv("KITH_RATE_LIMIT");
	unsetenv("KITH_SITE_NAME");
	assert_int_equal(c.threads, 7);          /* flag beats file */
	assert_int_equal(c.rate_limit, 20);      /* env beats file */
	assert_string_equal(c.site_name, "Kith Town"); /* flag beats env */
	assert_string_equal(c.listen_host, "0.0.0.0");
	assert_int_equal(c.listen_port, 9000);
	assert_string_equal(c.config_file, path);
	/* Setting flags are removed; the command and its own arguments stay. */
	assert_int_equal(argc, 2);
	assert_string_equal(argv[0], "serve");
	assert_string_equal(argv[1], "extra");
}

static void refusals_name_the_key(void **state)
{
	struct config c;
	char err[512], path[128];
	int argc;
	char a0[] = "serve", a1[] = "--config", a2[256], a3[] = "--threads", a4[] = "lots";
	char *argv[] = { a0, a1, a2, NULL, NULL, NULL };

	UNUSED(state);
	write_file("bad1.conf", "threads = 2\nsmtp_colour = blue\n", path, sizeof(path));
	snprintf(a2, sizeof(a2), "%s", path);
	argc = 3;
	assert_int_equal(config_load(&c, &argc, argv, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "smtp_colour"));
	assert_non_null(strstr(err, ":2:"));

	write_file("bad2.conf", "[server]\nthreads = 2\n", path, sizeof(path));
	snprintf(a2, sizeof(a2), "%s", path);
	argc = 3;
	assert_int_equal(config_load(&c, &argc, argv, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "sections"));

	write_file("ok.conf", "threads = 2\n", path, sizeof(path));
	snprintf(a2, sizeof(a2), "%s", path);
	argv[3] = a3;
	argv[4] = a4;
	argc = 5;
	assert_int_equal(config_load(&c, &argc, argv, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "threads"));
	assert_non_null(strstr(err, "whole number"));

	setenv("KITH_DB", "mysql://x", 1);
	argc = 3;
	argv[3] = NULL;
	assert_int_equal(config_load(&c, &argc, argv, err, sizeof(err)), ERR_INVALID);
	unsetenv("KITH_DB");
	assert_non_null(strstr(err, "KITH_DB"));
	assert_non_null(strstr(err, "sqlite:PATH"));

	config_defaults(&c);
	assert_int_equal(config_set(&c, "listen", "localhost", err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "HOST:PORT"));
	assert_int_equal(config_set(&c, "listen", "[::1]:8081", err, sizeof(err)), ERR_OK);
	assert_string_equal(c.listen_host, "::1");
	assert_int_equal(config_set(&c, "listen", "127.0.0.1:70000", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "dev_mode", "maybe", err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "true or false"));
	assert_int_equal(config_set(&c, "base_url", "https://kith.example.org/", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "body_max", "10", err, sizeof(err)), ERR_INVALID);
	assert_int_equal(config_set(&c, "log_level", "loud", err, sizeof(err)), ERR_INVALID);
}

static void missing_explicit_file_refused(void **state)
{
	struct config c;
	char err[512];
	char a0[] = "serve", a1[] = "--config=/nonexistent/kith.conf";
	char *argv[] = { a0, a1, NULL };
	int argc = 2;

	UNUSED(state);
	assert_int_equal(config_load(&c, &argc, argv, err, sizeof(err)), ERR_INVALID);
	assert_non_null(strstr(err, "/nonexistent/kith.conf"));
}

static void dump_redacts_passwords(void **state)
{
	struct config c;
	char err[256], *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	UNUSED(state);
	config_defaults(&c);
	assert_int_equal(config_set(&c, "db", "postgresql://kith:s3cret@db.example:5432/kith", err, sizeof(err)), ERR_OK);
	config_dump(&c, f);
	fclose(f);
	assert_null(strstr(text, "s3cret"));
	assert_non_null(strstr(text, "postgresql://kith:***@db.example:5432/kith"));
	assert_non_null(strstr(text, "listen = 127.0.0.1:8080"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_default_is_valid),
		cmocka_unit_test(naming_rule),
		cmocka_unit_test(precedence_file_env_flag),
		cmocka_unit_test(refusals_name_the_key),
		cmocka_unit_test(missing_explicit_file_refused),
		cmocka_unit_test(dump_redacts_passwords),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
