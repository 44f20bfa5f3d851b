/*
 * auth_shared.c - the helpers the files of src/auth share (auth_int.h):
 * making and hashing tokens, keeping a header printable, and reading a
 * person's roles and times out of the rows auth_db.c's statements return.
 *
 * They sit below the rules that use them (person.c, session.c,
 * onetime.c and the request side), so no rule file has to call another
 * for a helper: person.c may call session.c (a role change revokes
 * sessions) without session.c calling back into person.c.
 */
#include "core/common.h"
#include "auth/auth_int.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/timeutil.h"

#include <sodium.h>

/* ---------------------------------------------------------------- tokens */

bool auth_token_new(const char *prefix, char *out, size_t outlen)
{
	unsigned char r[TOKEN_HEX / 2];
	size_t pn = strlen(prefix);

	if (outlen < pn + TOKEN_HEX + 1 || !rand_bytes(r, sizeof(r)))
		return false;
	memcpy(out, prefix, pn);
	hex_encode(r, sizeof(r), out + pn);
	sodium_memzero(r, sizeof(r));
	return true;
}

void auth_token_hash(const char *s, char out[TOKEN_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	hex_encode(h, sizeof(h), out);
}

const char *auth_clean_ascii(char *out, size_t outlen, const char *s)
{
	size_t n = 0;

	if (!s || outlen == 0)
		return NULL;
	for (; *s && n + 1 < outlen; s++)
		if (*s >= 0x20 && *s < 0x7f)
			out[n++] = *s;
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n ? out : NULL;
}

/* ---------------------------------------------------------------- rows */

void auth_add_role(struct arena *a, struct db_res *r, int col, int org_col,
		unsigned *roles, const char **org_id)
{
	enum role role;
	const char *name = db_text(r, col);

	if (!name)
		return;
	if (!role_parse(name, &role)) {
		log_warn("person: unknown role in person_role");
		return;
	}
	*roles |= ROLE_BIT(role);
	if (role == ROLE_ORGANISER && !db_isnull(r, org_col))
		*org_id = arena_strdup(a, db_text(r, org_col));
}

json_t *auth_json_iso(int64_t t)
{
	char iso[32];

	if (!time_iso8601(t, iso, sizeof(iso)))
		return json_null();
	return json_string(iso);
}

json_t *auth_json_time(struct db_res *r, int col)
{
	return db_isnull(r, col) ? json_null() : auth_json_iso(db_int(r, col));
}
