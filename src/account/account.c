/*
 * account.c - the account forms' rules, and small words for the pages.
 *
 * One check per form, each returning the [{field, detail}] array that the
 * page shows beside its fields and the API returns in a 422. The field
 * rules themselves (what a name, an email address, a phone number or a
 * password must be) belong to the auth module (person.h, password.h); this
 * file decides which fields each form has, in which order, and what to say
 * when one is missing.
 */
#include "core/common.h"
#include "web/errors.h"
#include "account/account.h"
#include "auth/password.h"
#include "auth/person.h"
#include "auth/session.h"
#include "core/str.h"

/* A field with a rule of its own in the person module (name, email
 * address, phone number): the rule's words when value breaks it. */
static void check_rule(json_t *errors, const char *field, const char *(*rule)(const char *),
		const char *value)
{
	const char *why = rule(value ? value : "");

	if (why)
		web_error(errors, field, why);
}

/* A password field: present, not absurdly long, not weak. */
static void check_password(json_t *errors, const char *field, const char *pw,
		const char *missing, const char *name, const char *email)
{
	const char *why;

	if (!pw || !pw[0]) {
		web_error(errors, field, missing);
		return;
	}
	if (strlen(pw) > PASSWORD_MAX_BYTES) {
		web_error(errors, field, "Your password must be 1,024 characters or fewer.");
		return;
	}
	why = password_weakness(pw, name, email);
	if (why)
		web_error(errors, field, why);
}

json_t *account_check_register(const char *name, const char *email, const char *phone,
		const char *password)
{
	json_t *errors = json_array();

	if (!errors)
		return NULL;
	check_rule(errors, FLD_NAME, person_check_name, name);
	check_rule(errors, FLD_EMAIL, person_check_email, email);
	if (!str_is_blank(phone))
		check_rule(errors, FLD_PHONE, person_check_phone, phone);
	check_password(errors, FLD_PASSWORD, password, "Enter a password", name, email);
	return errors;
}

json_t *account_check_login(const char *email, const char *password)
{
	json_t *errors = json_array();

	if (!errors)
		return NULL;
	if (str_is_blank(email))
		web_error(errors, FLD_EMAIL, "Enter your email address");
	if (!password || !password[0])
		web_error(errors, FLD_PASSWORD, "Enter your password");
	return errors;
}

json_t *account_check_new_password(const char *password, const char *confirm,
		const char *current, bool need_current, const char *name, const char *email)
{
	json_t *errors = json_array();
	const char *why;

	if (!errors)
		return NULL;
	if (need_current && (!current || !current[0]))
		web_error(errors, FLD_CURRENT, "Enter your current password");
	check_password(errors, FLD_PASSWORD, password, "Enter a new password", name, email);
	if (!confirm || !confirm[0])
		web_error(errors, FLD_CONFIRM, "Enter the new password again");
	else if (password && password[0] && (why = account_confirm_rule(password, confirm)))
		web_error(errors, FLD_CONFIRM, why);
	return errors;
}

const char *account_confirm_rule(const char *password, const char *confirm)
{
	return strcmp(password, confirm) == 0 ? NULL : "The passwords do not match. Enter the "
	       "same new password in both boxes";
}

json_t *account_check_reset(const char *email)
{
	json_t *errors = json_array();

	if (!errors)
		return NULL;
	check_rule(errors, FLD_EMAIL, person_check_email, email);
	return errors;
}

/* UTF-8 code points in s (s already checked as clean UTF-8). */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

const char *account_token_name_rule(const char *name)
{
	if (str_is_blank(name))
		return "Enter what the token is for, like \"GP practice system\"";
	if (chars(name) > ACCOUNT_TOKEN_NAME_MAX)
		return "The name must be 100 characters or fewer";
	return apitoken_check_name(name);
}

json_t *account_check_token_name(const char *name)
{
	json_t *errors = json_array();
	const char *why = account_token_name_rule(name);

	if (errors && why)
		web_error(errors, FLD_TOKEN_NAME, why);
	return errors;
}

json_t *account_check_grant(const char *role, const char *org_id, enum role *out)
{
	json_t *errors = json_array();
	enum role r;

	if (!errors)
		return NULL;
	if (str_is_blank(role)) {
		web_error(errors, FLD_ROLE, "Choose a role");
		return errors;
	}
	if (!role_parse(role, &r)) {
		web_error(errors, FLD_ROLE, "Choose one of the roles listed");
		return errors;
	}
	*out = r;
	if (r == ROLE_ORGANISER) {
		if (str_is_blank(org_id))
			web_error(errors, FLD_ORG, "Enter the id of the organisation they work for");
		else if (!str_is_uuid(str_c(org_id)))
			web_error(errors, FLD_ORG, "Enter the organisation's id in the correct "
				      "format, like 3f2504e0-4f89-41d3-9a0c-0305e82c3301");
	}
	return errors;
}

bool account_next_ok(const char *next)
{
	size_t n;

	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return false;
	n = strlen(next);
	if (n > 1024)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)next[i] <= 0x20 || (unsigned char)next[i] >= 0x7f ||
		    next[i] == '\\')
			return false;
	return true;
}

bool account_role_parse(const char *s, enum role *r)
{
	char name[32];
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= sizeof(name))
		return false;
	for (size_t i = 0; i <= n; i++)
		name[i] = s[i] == '-' ? '_' : s[i];
	return role_parse(name, r);
}

static const char *const role_words[ROLE__MAX] = {
	[ROLE_MEMBER] = "Member",
	[ROLE_PEER_SUPPORTER] = "Peer supporter",
	[ROLE_ORGANISER] = "Organiser",
	[ROLE_LINK_WORKER] = "Link worker",
	[ROLE_COORDINATOR] = "Coordinator",
	[ROLE_COMMISSIONER] = "Commissioner",
	[ROLE_ADMIN] = "Admin",
};

const char *account_role_words(enum role r)
{
	return (unsigned)r < ROLE__MAX ? role_words[r] : "Unknown role";
}

/* UK summer time runs from 01:00 UTC on the last Sunday in March to 01:00
 * UTC on the last Sunday in October. */
static int64_t last_sunday_0100(int year, int mon /* 0-based */, int mday_last)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = mon, .tm_mday = mday_last,
			 .tm_hour = 1 };
	time_t t = timegm(&tm);
	struct tm back;

	if (t == (time_t)-1 || !gmtime_r(&t, &back))
		return 0;
	return (int64_t)t - (int64_t)back.tm_wday * 86400;
}

bool account_when(int64_t t, bool date_only, char *out, size_t n)
{
	static const char *const months[12] = {
		"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December",
	};
	time_t tt = (time_t)t;
	struct tm tm;
	int64_t start, end;
	int h, w;

	if (!gmtime_r(&tt, &tm))
		return false;
	start = last_sunday_0100(tm.tm_year + 1900, 2, 31);
	end = last_sunday_0100(tm.tm_year + 1900, 9, 31);
	if (t >= start && t < end) {
		tt = (time_t)(t + 3600);
		if (!gmtime_r(&tt, &tm))
			return false;
	}
	if (tm.tm_mon < 0 || tm.tm_mon > 11)
		return false;
	if (date_only)
		w = snprintf(out, n, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
	else {
		h = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
		w = snprintf(out, n, "%d %s %d at %d:%02d%s", tm.tm_mday, months[tm.tm_mon],
			     tm.tm_year + 1900, h, tm.tm_min, tm.tm_hour < 12 ? "am" : "pm");
	}
	return w > 0 && (size_t)w < n;
}

