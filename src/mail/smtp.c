/*
 * smtp.c - turning an outbox row into an RFC 5322 message, and the
 * message into an SMTP transaction (libcurl) or a .eml file.
 *
 * Messages are 7-bit clean: both bodies are quoted-printable and a
 * non-ASCII subject or sender name is an RFC 2047 encoded word, so no
 * line is ever longer than 76 characters and no relay needs 8BITMIME.
 * Every line ends in CRLF. The Message-ID and the MIME boundary come from
 * the outbox id and the Date from created_at, so a message sent twice
 * (a crash between the server's "250" and our record of it) is the same
 * message both times and mail systems can tell.
 *
 * libcurl's error text (curl_easy_strerror) and the SMTP reply code are
 * all that is kept of a failure: curl's error buffer and the server's
 * reply can quote the recipient, and the URL can hold a password.
 */
#include "core/common.h"
#include "mail/mail.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/str.h"
#include "mail/mail_int.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ headers */

static size_t trimmed(const char **p, size_t n)
{
	while (n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		n--;
	}
	while (n && ((*p)[n - 1] == ' ' || (*p)[n - 1] == '\t'))
		n--;
	return n;
}

bool mail_from_addr(const char *from, char *out, size_t n)
{
	const char *lt = strrchr(from, '<'), *p = from;
	size_t len;

	if (lt) {
		const char *gt = strchr(lt, '>');

		if (!gt)
			return false;
		p = lt + 1;
		len = (size_t)(gt - p);
	} else {
		len = strlen(from);
	}
	len = trimmed(&p, len);
	if (len + 1 > n)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return mail_addr_ok(out);
}

/* The display name before "<...>", without surrounding quotes. */
static void from_name(const char *from, char *out, size_t n)
{
	const char *lt = strrchr(from, '<'), *p = from;
	size_t len;

	out[0] = '\0';
	if (!lt)
		return;
	len = trimmed(&p, (size_t)(lt - from));
	if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
		p++;
		len -= 2;
	}
	if (len + 1 > n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = '\0';
}

void mail_message_id(const char *base_url, int64_t id, char *out, size_t n)
{
	const char *h = strstr(base_url, "://");
	size_t len;

	h = h ? h + 3 : base_url;
	if (h[0] == '[') {
		len = strcspn(h, "]/");
		len += h[len] == ']';
	} else {
		len = strcspn(h, ":/?#");
	}
	for (size_t i = 0; i < len; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '[' || c == ']' || c == ':')) {
			len = 0;
			break;
		}
	}
	if (len == 0 || len > 253) {
		h = "localhost";
		len = strlen(h);
	}
	snprintf(out, n, "<kith-outbox-%lld@%.*s>", (long long)id, (int)len, h);
}

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* Bytes of UTF-8 per encoded word: 39 bytes are 52 base64 characters,
 * so "Subject: =?utf-8?B?...?=" stays within 76. A multiple of 3 puts
 * no padding inside the run. */
#define WORD_BYTES 39

void mail_encode_word(struct buf *b, const char *s)
{
	char clean[MAIL_SUBJECT_MAX * 2 + 1];
	size_t n = 0, i = 0;
	bool first = true;

	/* CR and LF never reach a header, whatever the caller passed. */
	for (; *s && n + 1 < sizeof(clean); s++)
		if (*s != '\r' && *s != '\n')
			clean[n++] = *s;
	clean[n] = '\0';
	if (printable_ascii(clean)) {
		buf_add(b, clean, n);
		return;
	}
	while (i < n) {
		size_t take = n - i < WORD_BYTES ? n - i : WORD_BYTES;
		char b64[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];

		/* Back off to the start of a UTF-8 character. */
		if (i + take < n)
			while (take > 1 && ((unsigned char)clean[i + take] & 0xc0) == 0x80)
				take--;
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)clean + i, take,
				  sodium_base64_VARIANT_ORIGINAL);
		buf_addf(b, "%s=?utf-8?B?%s?=", first ? "" : "\r\n ", b64);
		first = false;
		i += take;
	}
}

/* A display name: a quoted string when ASCII, encoded words otherwise. */
static void encode_name(struct buf *b, const char *name)
{
	if (!printable_ascii(name)) {
		mail_encode_word(b, name);
		return;
	}
	buf_addc(b, '"');
	for (; *name; name++) {
		if (*name == '"' || *name == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *name);
	}
	buf_addc(b, '"');
}

/* ---------------------------------------------------- quoted-printable */

#define QP_LINE 76

void mail_qp_encode(struct buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;

	while (i <= n) {
		size_t end = i, col = 0;

		while (end < n && p[end] != '\n')
			end++;
		/* A line of p[i..end), without its CR. */
		size_t len = end - i;

		if (len && p[i + len - 1] == '\r')
			len--;
		for (size_t k = 0; k < len; k++) {
			unsigned char c = (unsigned char)p[i + k];
			bool enc = c == '=' || c > 126 || (c < 32 && c != '\t') ||
				   ((c == ' ' || c == '\t') && k + 1 == len) ||
				   (col == 0 && c == '.') ||
				   (col == 0 && c == 'F' && len - k >= 5 && memcmp(p + i + k, "From ", 5) == 0);
			size_t w = enc ? 3 : 1;

			/* Room for this and a soft break's '='. */
			if (col + w > QP_LINE - 1) {
				buf_adds(b, "=\r\n");
				col = 0;
				enc = enc || c == '.' ||
				      (c == 'F' && len - k >= 5 && memcmp(p + i + k, "From ", 5) == 0);
				w = enc ? 3 : 1;
			}
			if (enc) {
				char t[3] = { '=', hex[c >> 4], hex[c & 15] };

				buf_add(b, t, 3);
			} else {
				buf_addc(b, (char)c);
			}
			col += w;
		}
		if (end >= n)
			break;
		buf_adds(b, "\r\n");
		i = end + 1;
	}
}

/* --------------------------------------------------------------- build */

/* A body part. In a multipart the CRLF before the next delimiter belongs
 * to the delimiter, so it is always added; a message of one part only
 * needs to end in a line end. */
static void part(struct buf *b, const char *ctype, const char *body, bool last_crlf)
{
	buf_addf(b, "Content-Type: %s; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", ctype);
	mail_qp_encode(b, body, strlen(body));
	if (last_crlf || b->len < 2 || memcmp(b->p + b->len - 2, "\r\n", 2) != 0)
		buf_adds(b, "\r\n");
}

enum err mail_build(const char *base_url, const char *mail_from, const struct mail_msg *m,
		struct buf *out)
{
	char from[MAIL_ADDR_MAX + 1], name[256], mid[320], date[64], bound[64];
	time_t t = (time_t)m->date;
	struct tm tm;

	if (!mail_addr_ok(m->to) || !mail_from_addr(mail_from, from, sizeof(from)))
		return ERR_INVALID;
	from_name(mail_from, name, sizeof(name));
	if (!gmtime_r(&t, &tm) || !strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm))
		return ERR_INVALID;
	mail_message_id(base_url, m->id, mid, sizeof(mid));

	buf_addf(out, "Date: %s\r\nFrom: ", date);
	if (name[0]) {
		encode_name(out, name);
		buf_addc(out, ' ');
	}
	buf_addf(out, "<%s>\r\nTo: <%s>\r\nSubject: ", from, m->to);
	mail_encode_word(out, m->subject ? m->subject : "");
	buf_addf(out, "\r\nMessage-ID: %s\r\n"
		      "MIME-Version: 1.0\r\n"
		      "Auto-Submitted: auto-generated\r\n"
		      "X-Auto-Response-Suppress: All\r\n", mid);
	if (m->html && m->html[0]) {
		/* "=_" cannot occur in quoted-printable, so the boundary cannot
		 * occur in either part. */
		snprintf(bound, sizeof(bound), "=_kith_%lld_alt", (long long)m->id);
		buf_addf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", bound);
		buf_addf(out, "--%s\r\n", bound);
		part(out, "text/plain", m->text ? m->text : "", true);
		buf_addf(out, "--%s\r\n", bound);
		part(out, "text/html", m->html, true);
		buf_addf(out, "--%s--\r\n", bound);
	} else {
		part(out, "text/plain", m->text ? m->text : "", false);
	}
	return buf_ok(out) ? ERR_OK : ERR_TOO_LARGE;
}

/* ---------------------------------------------------------------- SMTP */

struct smtp_session {
	CURL *curl;
	char from[MAIL_ADDR_MAX + 3];
};

struct upload {
	const char *p;
	size_t n, off;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t room = size * nmemb, left = u->n - u->off;
	size_t k = left < room ? left : room;

	memcpy(dst, u->p + u->off, k);
	u->off += k;
	return k;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_start(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct smtp_session *smtp_open(const struct mail_settings *cfg)
{
	struct smtp_session *s;
	char from[MAIL_ADDR_MAX + 1];
	long ssl = CURLUSESSL_TRY;
	CURLcode rc = CURLE_OK;

	pthread_once(&curl_once, curl_start);
	if (curl_init_rc != CURLE_OK || !mail_from_addr(cfg->mail_from, from, sizeof(from)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->curl = curl_easy_init();
	if (!s->curl) {
		free(s);
		return NULL;
	}
	snprintf(s->from, sizeof(s->from), "<%s>", from);
	if (strcmp(cfg->smtp_tls, "require") == 0)
		ssl = CURLUSESSL_ALL;
	else if (strcmp(cfg->smtp_tls, "off") == 0)
		ssl = CURLUSESSL_NONE;
	if (strncmp(cfg->smtp_url, "smtps://", 8) == 0)
		ssl = CURLUSESSL_ALL;
#define SET(opt, val) if (rc == CURLE_OK) rc = curl_easy_setopt(s->curl, opt, val)
	SET(CURLOPT_URL, cfg->smtp_url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_USE_SSL, ssl);
	SET(CURLOPT_MAIL_FROM, s->from);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_CONNECTTIMEOUT, (long)cfg->smtp_timeout);
	SET(CURLOPT_TIMEOUT, (long)cfg->smtp_timeout);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_VERBOSE, 0L);
#undef SET
	if (rc != CURLE_OK) {
		/* No URL in the log: it may hold a password. */
		log_error("outbox: libcurl refused the SMTP settings: %s", curl_easy_strerror(rc));
		smtp_close(s);
		return NULL;
	}
	return s;
}

void smtp_close(struct smtp_session *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl);
	free(s);
}

enum err smtp_send(struct smtp_session *s, const char *to, const char *msg, size_t len,
		char *why, size_t whylen, bool *permanent)
{
	struct upload u = { msg, len, 0 };
	struct curl_slist *rcpt = NULL;
	char addr[MAIL_ADDR_MAX + 3];
	long code = 0;
	CURLcode rc;

	*permanent = false;
	snprintf(addr, sizeof(addr), "<%s>", to);
	rcpt = curl_slist_append(NULL, addr);
	if (!rcpt) {
		snprintf(why, whylen, "out of memory");
		return ERR_NOMEM;
	}
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, (void *)NULL);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return ERR_OK;
	if (code >= 400)
		snprintf(why, whylen, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
	else
		snprintf(why, whylen, "%s", curl_easy_strerror(rc));
	/* The mailbox does not exist or is not allowed: trying again in an
	 * hour will not change that. Other 5xx replies (authentication,
	 * policy) are usually the configuration and are retried. */
	*permanent = code == 550 || code == 551 || code == 553 || code == 556;
	return ERR_UNAVAILABLE;
}

/* ---------------------------------------------------------- .eml files */

static int mkdirs(const char *dir)
{
	char path[MAIL_PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -1;
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -1;
		path[i] = i < n ? '/' : '\0';
	}
	return 0;
}

enum err mail_eml_write(const char *dir, int64_t id, int64_t now, const char *msg, size_t len,
		char *name, size_t namelen, char *why, size_t whylen)
{
	char stamp[32], file[64], tmp[MAIL_PATH_MAX + 64], final[MAIL_PATH_MAX + 64];
	time_t t = (time_t)now;
	struct tm tm;
	size_t off = 0;
	int fd, dfd;

	if (!gmtime_r(&t, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm)) {
		snprintf(why, whylen, "bad time");
		return ERR_INTERNAL;
	}
	snprintf(file, sizeof(file), "%s-%lld.eml", stamp, (long long)id);
	if (mkdirs(dir) != 0)
		goto fail_errno;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%lld-%016llx.eml", dir, (long long)id,
		 (unsigned long long)rand_fast64());
	snprintf(final, sizeof(final), "%s/%s", dir, file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		goto fail_errno;
	while (off < len) {
		ssize_t w = write(fd, msg + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int saved = errno;

			close(fd);
			unlink(tmp);
			errno = saved;
			goto fail_errno;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, final) != 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		goto fail_errno;
	}
	/* The rename itself reaches the disk with the directory. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	if (name)
		snprintf(name, namelen, "%s", file);
	return ERR_OK;
fail_errno:
	snprintf(why, whylen, "cannot write to mail_dir: %s", strerror(errno));
	return ERR_UNAVAILABLE;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool mail_eml_name_ok(const char *name)
{
	size_t n = strlen(name), idlen;

	/* YYYYMMDDTHHMMSSZ-ID.eml */
	if (n < 16 + 1 + 1 + 4 || n > 16 + 1 + 19 + 4)
		return false;
	if (!digits(name, 8) || name[8] != 'T' || !digits(name + 9, 6) || name[15] != 'Z' ||
	    name[16] != '-' || strcmp(name + n - 4, ".eml") != 0)
		return false;
	idlen = n - 17 - 4;
	return idlen >= 1 && digits(name + 17, idlen);
}

/* ------------------------------------------------------------- parsing */

/* Quoted-printable back to bytes; CRLF line ends become LF. */
static void qp_decode(struct buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=' && i + 1 < n && (p[i + 1] == '\r' || p[i + 1] == '\n')) {
			i += (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n') ? 2 : 1;
		} else if (p[i] == '=' && i + 2 < n && str_hex_digit(p[i + 1]) >= 0 && str_hex_digit(p[i + 2]) >= 0) {
			buf_addc(b, (char)(str_hex_digit(p[i + 1]) * 16 + str_hex_digit(p[i + 2])));
			i += 2;
		} else if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
			continue;
		} else {
			buf_addc(b, p[i]);
		}
	}
}

static void crlf_to_lf(struct buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
			buf_addc(b, p[i]);
}

static void b64_decode(struct buf *b, const char *p, size_t n)
{
	size_t max = n / 4 * 3 + 3, got = 0;
	unsigned char *bin = malloc(max);

	if (!bin) {
		b->err = true;
		return;
	}
	if (sodium_base642bin(bin, max, p, n, " \t\r\n", &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) == 0)
		crlf_to_lf(b, (const char *)bin, got);
	free(bin);
}

/* One encoded word at s ("=?utf-8?B?...?="); false when it is not one
 * we can read (then it is shown as it is). */
static bool decode_word(struct buf *b, const char *s, size_t n, size_t *used)
{
	const char *p = s + 2, *end = s + n, *q, *txt, *stop;
	size_t cslen;

	if (n < 8 || s[0] != '=' || s[1] != '?')
		return false;
	q = memchr(p, '?', (size_t)(end - p));
	if (!q || end - q < 4 || q[2] != '?')
		return false;
	cslen = (size_t)(q - p);
	if (!((cslen == 5 && strncasecmp(p, "utf-8", 5) == 0) ||
	      (cslen == 8 && strncasecmp(p, "us-ascii", 8) == 0)))
		return false;
	txt = q + 3;
	stop = memmem(txt, (size_t)(end - txt), "?=", 2);
	if (!stop)
		return false;
	if (q[1] == 'B' || q[1] == 'b') {
		b64_decode(b, txt, (size_t)(stop - txt));
	} else if (q[1] == 'Q' || q[1] == 'q') {
		for (const char *c = txt; c < stop; c++) {
			if (*c == '_') {
				buf_addc(b, ' ');
			} else if (*c == '=' && stop - c > 2 && str_hex_digit(c[1]) >= 0 && str_hex_digit(c[2]) >= 0) {
				buf_addc(b, (char)(str_hex_digit(c[1]) * 16 + str_hex_digit(c[2])));
				c += 2;
			} else {
				buf_addc(b, *c);
			}
		}
	} else {
		return false;
	}
	*used = (size_t)(stop + 2 - s);
	return true;
}

void mail_decode_words(struct buf *b, const char *s, size_t n)
{
	size_t i = 0;
	bool after_word = false;

	while (i < n) {
		size_t used, ws = i;

		/* Whitespace between two encoded words is not part of the text. */
		while (ws < n && (s[ws] == ' ' || s[ws] == '\t' || s[ws] == '\r' || s[ws] == '\n'))
			ws++;
		if (after_word && ws > i && ws + 1 < n && s[ws] == '=' && s[ws + 1] == '?' &&
		    decode_word(b, s + ws, n - ws, &used)) {
			i = ws + used;
			continue;
		}
		if (decode_word(b, s + i, n - i, &used)) {
			i += used;
			after_word = true;
			continue;
		}
		after_word = false;
		buf_addc(b, s[i]);
		i++;
	}
}

/* Valid UTF-8 (as jansson wants it): each bad byte becomes '?'. */
static char *utf8_clean(const char *p, size_t n)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
			     (c & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = len && i + len <= n && c != 0;

		if (ok && len > 1 && !str_is_clean_utf8(p + i, len))
			ok = false;
		if (!ok) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
	return out;
}

void mail_parsed_free(struct mail_parsed *m)
{
	json_decref(m->headers);
	free(m->subject);
	free(m->to);
	free(m->date);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

/* The value of "name=" in a Content-Type's parameters, quotes removed. */
static bool ctype_param(const char *ct, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);

	for (const char *p = strchr(ct, ';'); p; p = strchr(p + 1, ';')) {
		const char *v = p + 1;
		size_t len;

		while (*v == ' ' || *v == '\t')
			v++;
		if (strncasecmp(v, name, nl) != 0 || v[nl] != '=')
			continue;
		v += nl + 1;
		if (*v == '"') {
			v++;
			len = strcspn(v, "\"");
		} else {
			len = strcspn(v, "; \t");
		}
		if (len == 0 || len + 1 > n)
			return false;
		memcpy(out, v, len);
		out[len] = '\0';
		return true;
	}
	return false;
}

#define PARSE_HEADERS_MAX 64

struct hdr {
	char *name, *value;
};

/* Unfolded headers of p[0..n) (up to the blank line); *body receives the
 * offset of the body (n when there is none). */
static size_t parse_headers(const char *p, size_t n, struct hdr *h, size_t max, size_t *body)
{
	size_t i = 0, nh = 0;

	*body = n;
	while (i < n) {
		size_t eol = i, next;

		while (eol < n && p[eol] != '\n')
			eol++;
		next = eol < n ? eol + 1 : n;
		if (eol > i && p[eol - 1] == '\r')
			eol--;
		if (eol == i) {
			*body = next;
			break;
		}
		if ((p[i] == ' ' || p[i] == '\t') && nh) {
			/* A folded line continues the previous header. */
			struct hdr *last = &h[nh - 1];
			size_t old = strlen(last->value), add = eol - i;
			/* Bounded, so a file of folded lines cannot make this
			 * quadratic. */
			char *v = old + add <= MAILBOX_HEAD_MAX ? realloc(last->value, old + add + 1) : NULL;

			if (v) {
				memcpy(v + old, p + i, add);
				v[old + add] = '\0';
				last->value = v;
			}
		} else {
			const char *colon = memchr(p + i, ':', eol - i);

			if (colon && nh < max) {
				const char *v = colon + 1;
				size_t vl = (size_t)(p + eol - v);

				vl = trimmed(&v, vl);
				h[nh].name = strndup(p + i, (size_t)(colon - (p + i)));
				h[nh].value = strndup(v, vl);
				if (h[nh].name && h[nh].value)
					nh++;
				else {
					free(h[nh].name);
					free(h[nh].value);
				}
			}
		}
		i = next;
	}
	return nh;
}

static const char *hget(const struct hdr *h, size_t nh, const char *name)
{
	for (size_t i = 0; i < nh; i++)
		if (strcasecmp(h[i].name, name) == 0)
			return h[i].value;
	return NULL;
}

static void free_headers(struct hdr *h, size_t nh)
{
	for (size_t i = 0; i < nh; i++) {
		free(h[i].name);
		free(h[i].value);
	}
}

/* The text of one body with its transfer encoding undone, as clean
 * UTF-8 with LF line ends. */
static char *decode_body(const char *cte, const char *p, size_t n)
{
	struct buf b;
	char *out;

	buf_init(&b, MAILBOX_FILE_MAX);
	if (cte && strcasecmp(cte, "quoted-printable") == 0)
		qp_decode(&b, p, n);
	else if (cte && strcasecmp(cte, "base64") == 0)
		b64_decode(&b, p, n);
	else
		crlf_to_lf(&b, p, n);
	out = buf_ok(&b) ? utf8_clean(b.p, b.len) : NULL;
	buf_release(&b);
	return out;
}

static bool is_ctype(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The text/plain part of a multipart body. */
static char *find_text_part(const char *p, size_t n, const char *boundary)
{
	char delim[128];
	size_t dl;
	const char *cur = p, *end = p + n;

	snprintf(delim, sizeof(delim), "--%s", boundary);
	dl = strlen(delim);
	for (;;) {
		const char *start = memmem(cur, (size_t)(end - cur), delim, dl), *stop, *after;
		struct hdr h[16];
		size_t nh, body;
		char *text = NULL;

		if (!start)
			return NULL;
		after = start + dl;
		if (end - after >= 2 && after[0] == '-' && after[1] == '-')
			return NULL;
		while (after < end && *after != '\n')
			after++;
		if (after < end)
			after++;
		stop = memmem(after, (size_t)(end - after), delim, dl);
		if (!stop)
			stop = end;
		/* The CRLF before a delimiter belongs to the delimiter. */
		const char *pend = stop;

		if (pend > after && pend[-1] == '\n')
			pend--;
		if (pend > after && pend[-1] == '\r')
			pend--;
		nh = parse_headers(after, (size_t)(pend - after), h, ARRAY_LEN(h), &body);
		if (is_ctype(hget(h, nh, "Content-Type"), "text/plain") || !hget(h, nh, "Content-Type"))
			text = decode_body(hget(h, nh, "Content-Transfer-Encoding"), after + body,
					   (size_t)(pend - after) - body);
		free_headers(h, nh);
		if (text || stop == end)
			return text;
		cur = stop;
	}
}

static char *decoded_header(const char *v)
{
	struct buf b;
	char *out;

	if (!v)
		return strdup("");
	buf_init(&b, MAILBOX_HEAD_MAX);
	mail_decode_words(&b, v, strlen(v));
	out = buf_ok(&b) ? utf8_clean(b.p, b.len) : NULL;
	buf_release(&b);
	return out;
}

enum err mail_parse(const char *p, size_t n, struct mail_parsed *out)
{
	struct hdr h[PARSE_HEADERS_MAX];
	size_t nh, body;
	const char *ct;
	enum err e = ERR_OK;

	memset(out, 0, sizeof(*out));
	nh = parse_headers(p, n, h, ARRAY_LEN(h), &body);
	if (nh == 0)
		return ERR_INVALID;
	out->headers = json_array();
	for (size_t i = 0; out->headers && i < nh; i++) {
		char *name = utf8_clean(h[i].name, strlen(h[i].name));
		char *value = decoded_header(h[i].value);

		if (name && value)
			json_array_append_new(out->headers, json_pack("{s:s, s:s}", "name", name,
								      "value", value));
		free(name);
		free(value);
	}
	out->subject = decoded_header(hget(h, nh, "Subject"));
	out->to = decoded_header(hget(h, nh, "To"));
	out->date = decoded_header(hget(h, nh, "Date"));
	if (!out->headers || !out->subject || !out->to || !out->date) {
		e = ERR_NOMEM;
		goto out;
	}
	ct = hget(h, nh, "Content-Type");
	if (body < n) {
		char boundary[100];

		if (is_ctype(ct, "multipart/alternative") || is_ctype(ct, "multipart/mixed")) {
			if (ctype_param(ct, "boundary", boundary, sizeof(boundary)))
				out->text = find_text_part(p + body, n - body, boundary);
		} else if (!ct || is_ctype(ct, "text/plain")) {
			out->text = decode_body(hget(h, nh, "Content-Transfer-Encoding"), p + body, n - body);
		}
	}
out:
	free_headers(h, nh);
	if (e)
		mail_parsed_free(out);
	return e;
}
