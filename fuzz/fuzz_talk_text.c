/*
 * fuzz_talk_text.c - the text conversations read from their writers
 * (src/talk/): talk_fold (search words, display names' and watched
 * words' keys), talk_has_link (new accounts' posts with links are held;
 * display names may not be addresses), talk_name_check (talk_profile_set's
 * display-name rules) and talk_watched_match (talk_watched_apply's
 * matching of the watched words, without the database).
 *
 * The input: byte 0 chooses why's size for the watched words (bits 0-2:
 * 0, 1, 20, 46, 47, 80, 160, 512 bytes); the rest, split at NUL bytes, is
 * the text (a post, a title, a name), then up to WORDS_MAX watched words,
 * each "Aword" or "Aword|replacement" with A's bit 0 set for a word that
 * holds the post (else one replaced; a blank replacement is "***").
 *
 * Invariants:
 *   - talk_fold: never longer than the text; only a-z, 0-9, spaces and
 *     bytes of 0x80 and above; no space at either end, never two in a
 *     row; clean UTF-8 whenever the text is; folding again changes
 *     nothing; ASCII letters' case does not matter; for ASCII text, the
 *     words of letters and digits lowercased, one space between;
 *   - talk_has_link: true whenever a scheme (http:, https:, www.,
 *     mailto:, ftp:) starts a word; true only with a '.' or ':' in the
 *     text; the same with a space at either end;
 *   - talk_name_check: accepted names are the text trimmed, clean UTF-8,
 *     3..30 characters each a letter, digit, space, hyphen, apostrophe,
 *     full stop or underscore, at least one letter or digit, no '@', no
 *     link, fewer than seven digits, key their fold, never empty and
 *     never a kept name; a refusal is one error, field display_name;
 *     text that is not clean UTF-8 or has an '@' is refused;
 *   - talk_watched_match, with the words as talk_watched_add keeps them
 *     (checked, folded) and again with the raw bytes: the output and the
 *     hold are an independent reading's; *out is the body itself exactly
 *     when nothing was replaced; clean UTF-8 in, clean UTF-8 out; why is
 *     empty unless held, always within whylen and clean UTF-8 (cut at a
 *     character when the word does not fit), and the whole sentence with
 *     the first hold word when it fits. Output past the buffer's bound
 *     (TALK_BODY_MAX * 4) is ERR_NOMEM with the body kept.
 */
#include "core/common.h"

#include "core/arena.h"
#include "core/str.h"
#include "talk/talk_int.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define WORDS_MAX 16
#define WHY_PRE "It has a word the moderators check first (\""
#define WHY_POST "\")"

static bool clean(const char *s)
{
	return str_is_clean_utf8(s, strlen(s));
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ---------------------------------------------------------------- talk_fold */

static void check_fold(struct arena *a, const char *text)
{
	size_t n = strlen(text), fn;
	const char *f = talk_fold(a, text), *again;
	bool ascii = true;
	char *upper;

	CHECK(f);
	fn = strlen(f);
	CHECK(fn <= n);
	for (size_t i = 0; i < fn; i++) {
		unsigned char c = (unsigned char)f[i];

		CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c >= 0x80);
		if (c == ' ')
			CHECK(i > 0 && i + 1 < fn && f[i + 1] != ' ');
	}
	if (clean(text))
		CHECK(clean(f));
	again = talk_fold(a, f);
	CHECK(again && strcmp(again, f) == 0);

	upper = arena_strdup(a, text);
	CHECK(upper);
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	again = talk_fold(a, upper);
	CHECK(again && strcmp(again, f) == 0);

	/* ASCII: the words of letters and digits, lowercased. */
	for (size_t i = 0; i < n; i++)
		ascii &= (unsigned char)text[i] < 0x80;
	if (ascii) {
		char *ref = arena_alloc(a, n + 1);
		size_t o = 0;
		bool gap = false;

		CHECK(ref);
		for (size_t i = 0; i < n; i++) {
			if (!alnum(text[i])) {
				gap = o > 0;
				continue;
			}
			if (gap)
				ref[o++] = ' ';
			gap = false;
			ref[o++] = lower(text[i]);
		}
		ref[o] = 0;
		CHECK(strcmp(ref, f) == 0);
	}
}

/* ---------------------------------------------------------------- talk_has_link */

static bool host_byte(char c)
{
	return alnum(c) || c == '-';
}

static void check_link(struct arena *a, const char *text)
{
	static const char *const schemes[] = { "http:", "https:", "www.", "mailto:", "ftp:" };
	bool has = talk_has_link(text), scheme = false;
	const char *padded = arena_printf(a, " %s ", text);

	CHECK(!talk_has_link(NULL));
	for (size_t i = 0; text[i] && !scheme; i++) {
		if (i > 0 && host_byte(text[i - 1]))
			continue;
		for (size_t k = 0; k < ARRAY_LEN(schemes) && !scheme; k++) {
			size_t l = strlen(schemes[k]), j;

			for (j = 0; j < l && text[i + j] && lower(text[i + j]) == schemes[k][j]; j++)
				;
			scheme = j == l;
		}
	}
	if (scheme)
		CHECK(has);
	if (has)
		CHECK(strchr(text, '.') || strchr(text, ':'));
	CHECK(padded);
	CHECK(talk_has_link(padded) == has);
}

/* ---------------------------------------------------------------- talk_name_check */

/* The code point at s (strict: clean UTF-8 only is given), its bytes in *len. */
static uint32_t decode(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] < 0xe0) {
		*len = 2;
		return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if (s[0] < 0xf0) {
		*len = 3;
		return ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*len = 4;
	return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) | ((uint32_t)(s[2] & 0x3f) << 6) |
	       (s[3] & 0x3f);
}

/* Letters of the alphabets names are written in (talk.c's name_letter, read from its comment). */
static bool letter(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	return (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7) || (c >= 0x370 && c <= 0x52f) ||
	       (c >= 0x590 && c <= 0x6ff) || (c >= 0x900 && c <= 0xdff) || (c >= 0x1e00 && c <= 0x1eff) ||
	       (c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af);
}

static void check_name(struct arena *a, const char *text)
{
	static const char *const kept[] = { "someone", "kith", "kith team", "moderator", "moderators", "mod",
		"admin", "administrator", "coordinator", "samaritans", "nhs", "nhs 111", "shout", "anonymous" };
	json_t *errors = json_array();
	char *name = NULL, *key = NULL;
	struct str t = str_trim(str_c(text));
	size_t chars = 0, digits = 0, alnums = 0;
	bool ok;

	CHECK(errors);
	ok = talk_name_check(a, text, errors, &name, &key);
	if (!ok) {
		const json_t *e = json_array_get(errors, 0);
		const char *d = json_string_value(json_object_get(e, "detail"));

		CHECK(json_array_size(errors) == 1);
		CHECK(strcmp(json_string_value(json_object_get(e, "field")), "display_name") == 0);
		CHECK(d && strlen(d) >= 20 && clean(d));
		goto out;
	}
	CHECK(json_array_size(errors) == 0);
	CHECK(name && key);
	CHECK(strlen(name) == t.n && memcmp(name, t.p, t.n) == 0);
	CHECK(clean(text) && clean(name));
	CHECK(!strchr(text, '@'));
	CHECK(!talk_has_link(name));
	CHECK(*key && strcmp(key, talk_fold(a, name)) == 0);
	for (size_t k = 0; k < ARRAY_LEN(kept); k++)
		CHECK(strcmp(key, kept[k]) != 0);
	for (const unsigned char *p = (const unsigned char *)name; *p;) {
		size_t len;
		uint32_t c = decode(p, &len);

		p += len;
		chars++;
		digits += c >= '0' && c <= '9';
		if (letter(c) || (c >= '0' && c <= '9'))
			alnums++;
		else
			CHECK(c == ' ' || c == '-' || c == '\'' || c == '.' || c == '_' || c == 0x2019);
	}
	CHECK(chars >= TALK_NAME_MIN && chars <= TALK_NAME_MAX);
	CHECK(alnums > 0 && digits < 7);
out:
	json_decref(errors);
}

/* ---------------------------------------------------------------- talk_watched_match */

static bool word_byte(unsigned char c)
{
	return alnum((char)c) || c >= 0x80;
}

/* The reading: body with the words replaced into ref (malloc'd), the
 * first hold word in *first, whether a word was replaced in *replaced;
 * its length returned. */
static size_t reference(const char *body, const struct talk_watch *w, size_t nw, char **ref, bool *hold,
		const char **first, bool *replaced)
{
	size_t len = strlen(body), o = 0, cap = len + 1;
	char *r = malloc(cap);

	CHECK(r);
	*hold = false;
	*replaced = false;
	*first = NULL;
	for (size_t i = 0; i < len;) {
		size_t k = nw;

		if ((i == 0 || !word_byte((unsigned char)body[i - 1])) && word_byte((unsigned char)body[i])) {
			for (k = 0; k < nw; k++) {
				size_t n = w[k].n, j;

				if (i + n > len)
					continue;
				for (j = 0; j < n && lower(body[i + j]) == lower(w[k].word[j]); j++)
					;
				if (j == n && !word_byte((unsigned char)body[i + n]))
					break;
			}
		}
		/* A hold word stays as the body has it (its own case). */
		const char *add = k == nw || w[k].hold ? body + i : w[k].replacement;
		size_t an = k == nw ? 1 : w[k].hold ? w[k].n : strlen(w[k].replacement);

		if (k < nw && w[k].hold && !*hold) {
			*hold = true;
			*first = w[k].word;
		}
		*replaced |= k < nw && !w[k].hold;
		while (o + an + 1 > cap) {
			cap *= 2;
			r = realloc(r, cap);
			CHECK(r);
		}
		memcpy(r + o, add, an);
		o += an;
		i += k == nw ? 1 : w[k].n;
	}
	r[o] = 0;
	*ref = r;
	return o;
}

static void check_watched(struct arena *a, const char *body, const struct talk_watch *w, size_t nw, size_t whylen,
		bool realistic)
{
	char why[512 + 1], *ref;
	const char *out = NULL, *first;
	bool hold = true, rhold, replaced;
	size_t rn = reference(body, w, nw, &ref, &rhold, &first, &replaced);
	enum err e;

	memset(why, 'x', sizeof(why));
	e = talk_watched_match(a, body, w, nw, &out, &hold, whylen ? why : NULL, whylen);
	CHECK(hold == rhold);
	if (!replaced) {
		CHECK(e == ERR_OK && out == body && strcmp(ref, body) == 0);
	} else if (rn > TALK_BODY_MAX * 4) {
		CHECK(e == ERR_NOMEM && out == body);
	} else {
		/* A copy, even when a word's replacement is itself. */
		CHECK(e == ERR_OK && out && out != body);
		CHECK(strcmp(out, ref) == 0);
	}
	if (realistic && clean(body) && e == ERR_OK)
		CHECK(clean(out));
	if (whylen) {
		size_t wl = strnlen(why, whylen);
		char *full;

		CHECK(wl < whylen);
		CHECK(!hold || wl > 0 || whylen == 1);
		CHECK(hold || wl == 0);
		if (realistic)
			CHECK(str_is_clean_utf8(why, wl));
		if (hold) {
			full = arena_printf(a, WHY_PRE "%s" WHY_POST, first);
			CHECK(full);
			if (strlen(full) < whylen) {
				CHECK(strcmp(why, full) == 0);
			} else if (whylen >= sizeof(WHY_PRE WHY_POST)) {
				/* The word cut, at most 3 bytes short of the room, and closed. */
				size_t pre = sizeof(WHY_PRE) - 1, post = sizeof(WHY_POST) - 1, room = whylen - 1 - pre - post;

				CHECK(wl >= pre + post && wl + 3 >= whylen - 1);
				CHECK(strncmp(why, WHY_PRE, pre) == 0 && strcmp(why + wl - post, WHY_POST) == 0);
				CHECK(wl - pre - post <= room && strncmp(why + pre, first, wl - pre - post) == 0);
			} else {
				CHECK(strncmp(why, full, wl) == 0);
			}
		}
	}
	free(ref);
}

/* The words as talk_watched_add keeps them: checked, folded, a blank
 * replacement "***"; the ones it would refuse left out. */
static size_t realistic_words(struct arena *a, const struct talk_watch *raw, size_t n, struct talk_watch *w)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *f, *rep = raw[i].replacement;

		if (str_check_line(raw[i].word, TALK_WORD_MAX, "", "", ""))
			continue;
		if (!raw[i].hold && !str_is_blank(rep) && str_check_line(rep, TALK_WORD_MAX, "", "", ""))
			continue;
		f = talk_fold(a, raw[i].word);
		CHECK(f);
		if (!*f)
			continue;
		w[k].word = f;
		w[k].n = strlen(f);
		w[k].hold = raw[i].hold;
		w[k].replacement = raw[i].hold ? "***" : str_is_blank(rep) ? "***" : rep;
		k++;
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t whylens[8] = { 0, 1, 20, 46, 47, 80, 160, 512 };
	struct talk_watch raw[WORDS_MAX], w[WORDS_MAX];
	size_t nraw = 0, nw, whylen;
	const char *text;
	char *s;
	struct arena a;

	if (size < 1)
		return 0;
	whylen = whylens[data[0] & 7];
	s = malloc(size);
	CHECK(s);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	text = s;
	for (char *p = s + strlen(s); p < s + size - 1 && nraw < WORDS_MAX;) {
		char *seg = p + 1, *bar;

		p = seg + strlen(seg);
		if (!*seg)
			continue;
		raw[nraw].hold = *seg & 1;
		raw[nraw].word = seg + 1;
		raw[nraw].replacement = "***";
		if ((bar = strchr(seg + 1, '|')) != NULL) {
			*bar = '\0';
			raw[nraw].replacement = bar + 1;
		}
		raw[nraw].n = strlen(raw[nraw].word);
		if (raw[nraw].n)
			nraw++;
	}

	arena_init(&a);
	check_fold(&a, text);
	check_link(&a, text);
	check_name(&a, text);
	nw = realistic_words(&a, raw, nraw, w);
	check_watched(&a, text, w, nw, whylen, true);
	check_watched(&a, text, raw, nraw, whylen, false);
	arena_release(&a);
	free(s);
	return 0;
}
