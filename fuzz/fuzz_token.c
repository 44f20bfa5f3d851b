/*
 * fuzz_token.c - reading a credential from request headers, exactly as
 * auth_resolve() does before it touches the database: the Authorization
 * header and the kith_session cookie (parsed from the Cookie header by
 * req_cookie) go through auth_parse_credential(); token_well_formed() is
 * also run on the raw input.
 *
 * Input: the Authorization header's value, a newline, the Cookie
 * header's value (no newline: no Authorization header; an empty first
 * line is an empty header). Neither may hold NUL, CR or LF, as on the
 * wire.
 *
 * Invariants: a BEARER or COOKIE credential is a well-formed token of the
 * right kind that appears verbatim in its header; a cookie credential is
 * always a browser session ("ks_"); BAD_BEARER only when the header's
 * scheme is Bearer, any case; a Bearer header is never ignored; a
 * credential that is not BEARER or COOKIE carries no token bytes; NONE
 * only when there is no Bearer header and no non-empty session cookie.
 * token_well_formed() agrees with a byte-at-a-time reference.
 */
#include "core/common.h"

#include "auth/auth_web.h"
#include "auth/session.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static bool ref_well_formed(const char *s, size_t n)
{
	if (n != TOKEN_LEN || s[0] != 'k' || (s[1] != 's' && s[1] != 't') || s[2] != '_')
		return false;
	for (size_t i = 3; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool is_bearer_scheme(const char *h)
{
	while (*h == ' ' || *h == '\t')
		h++;
	return strncasecmp(h, "bearer", 6) == 0 && (h[6] == '\0' || h[6] == ' ' || h[6] == '\t');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nl;
	struct request req;
	struct auth_cred c;
	char *authz = NULL, *cookie_hdr = NULL, *raw;
	const char *session;
	char kind = 0;

	if (memchr(p, '\0', size) || memchr(p, '\r', size))
		return 0;
	/* token_well_formed on the whole input as a C string. */
	raw = malloc(size + 1);
	if (!raw)
		return 0;
	memcpy(raw, p, size);
	raw[size] = '\0';
	CHECK(token_well_formed(raw, &kind) == ref_well_formed(raw, size));
	if (ref_well_formed(raw, size))
		CHECK(kind == raw[1]);
	free(raw);

	req_init(&req, NULL);
	nl = memchr(p, '\n', size);
	if (nl) {
		const char *rest = nl + 1;
		size_t rn = size - (size_t)(rest - p);

		if (memchr(rest, '\n', rn))
			goto out;
		authz = arena_strndup(&req.arena, p, (size_t)(nl - p));
		cookie_hdr = arena_strndup(&req.arena, rest, rn);
		kv_add(&req.arena, &req.headers, "Authorization", authz, strlen(authz));
	} else {
		cookie_hdr = arena_strndup(&req.arena, p, size);
	}
	if (cookie_hdr && *cookie_hdr)
		kv_add(&req.arena, &req.headers, "Cookie", cookie_hdr, strlen(cookie_hdr));

	/* What auth_resolve does. */
	session = req_cookie(&req, SESSION_COOKIE);
	auth_parse_credential(req_header(&req, "Authorization"), session, &c);

	switch (c.kind) {
	case AUTH_CRED_BEARER:
		CHECK(authz && is_bearer_scheme(authz));
		CHECK(token_well_formed(c.token, &kind) && kind == c.type);
		CHECK(strstr(authz, c.token) != NULL);
		break;
	case AUTH_CRED_BAD_BEARER:
		CHECK(authz && is_bearer_scheme(authz));
		break;
	case AUTH_CRED_COOKIE:
		CHECK(!authz || !is_bearer_scheme(authz));
		CHECK(session && strcmp(session, c.token) == 0);
		CHECK(token_well_formed(c.token, &kind) && kind == 's' && c.type == 's');
		CHECK(strstr(cookie_hdr, c.token) != NULL);
		break;
	case AUTH_CRED_BAD_COOKIE:
		CHECK(!authz || !is_bearer_scheme(authz));
		CHECK(session && *session);
		CHECK(!token_well_formed(session, &kind) || kind != 's');
		break;
	case AUTH_CRED_NONE:
		CHECK(!authz || !is_bearer_scheme(authz));
		CHECK(!session || !*session);
		break;
	default:
		CHECK(!"unknown credential kind");
	}
	if (c.kind != AUTH_CRED_BEARER && c.kind != AUTH_CRED_COOKIE) {
		for (size_t i = 0; i < sizeof(c.token); i++)
			CHECK(c.token[i] == '\0');
		CHECK(c.type == 0);
	}
out:
	req_release(&req);
	return 0;
}
