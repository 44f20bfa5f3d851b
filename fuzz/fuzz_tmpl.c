/*
 * fuzz_tmpl.c - libFuzzer target for the template engine.
 *
 * The input is a template, optionally followed by a NUL and a JSON
 * context. It is compiled twice, as "f.html" (HTML mode) and "f.txt" (text
 * mode), next to small fixed partials so that {{>p.html}}, recursion
 * through {{>f.html}} and dynamic partials are reachable, and each
 * compiled template is rendered into a bounded buffer.
 *
 * Beyond "no crash, no leak, no hang", one property is checked: with the
 * fixed context, whose every string carries a breakout payload, HTML mode
 * must never let the payload through unescaped (unless the template uses
 * raw_html).
 */
#include "core/common.h"
#include "core/buf.h"
#include "core/log.h"
#include "view/tmpl.h"

#define OUT_MAX (64 * 1024)

/* Every string carries a payload: '<', '"' or '\'' followed by the byte
 * 0x01. No string starts with 0x01, so when the template holds no 0x01
 * itself, "<\x01", "\"\x01" or "'\x01" in the output means a value got
 * past its escaper. */
static const char fixed_ctx[] =
	"{"
	"\"name\": \"Ann\\\"\\u0001 '<\\u0001>&\","
	"\"title\": \"T'\\u0001\","
	"\"x\": \"<\\u0001>\", \"y\": \"\\\"\\u0001\", \"z\": \"'\\u0001\","
	"\"s\": \" javascript:alert(1)<\\u0001\","
	"\"u\": \"JaVaScRiPt:alert(1)\\\"\\u0001\","
	"\"slash\": \"/\","
	"\"url\": \"https://example.org/?a=1&b=<\\u0001\","
	"\"e\": \"\", \"n\": 42, \"r\": 2.5, \"zero\": 0,"
	"\"t\": true, \"f\": false, \"nul\": null, \"none\": [],"
	"\"tpl\": \"p.html\", \"self\": \"f.html\", \"bad\": \"nope.html\","
	"\"ttpl\": \"p.txt\","
	"\"items\": [{\"name\": \"a<\\u0001\", \"id\": 1, \"tags\": [\"q\", \"'\\u0001\"]},"
	"            {\"name\": \"b\\\"\\u0001\", \"id\": 2, \"tags\": []},"
	"            {\"name\": \"c\", \"id\": 3, \"next\": {\"name\": \"<\\u0001\"}}],"
	"\"user\": {\"name\": \"Sam<\\u0001\", \"role\": \"peer\","
	"           \"email\": \"ann@example.org\\\"\\u0001\"},"
	"\"page\": {\"title\": \"P<\\u0001\", \"template\": \"p.html\"}"
	"}";

static const char partial_html[] =
	"<p title=\"{{title}}\">{{name}}</p>\n"
	"{{#items}}<a href=\"/i/{{id}}?n={{name}}\">{{name}}</a>{{/items}}\n";
static const char partial_txt[] = "Hi {{name}}\n{{#items}}- {{name}}\n{{/items}}";

static json_t *ctx_fixed;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_error_t jerr;

	UNUSED(argc);
	UNUSED(argv);
	log_set_quiet(1);
	ctx_fixed = json_loads(fixed_ctx, 0, &jerr);
	if (!ctx_fixed) {
		fprintf(stderr, "fuzz_tmpl: fixed context: %s\n", jerr.text);
		abort();
	}
	return 0;
}

static bool contains_ci(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;

		while (j < k && (p[i + j] | 0x20) == (needle[j] | 0x20))
			j++;
		if (j == k)
			return true;
	}
	return false;
}

static void run(const char *name, const char *text, size_t len,
		const json_t *ctx, bool check)
{
	bool txt = strcmp(name, "f.txt") == 0;
	struct tmpl_src srcs[] = {
		{ name, text, len },
		{ txt ? "p.txt" : "p.html", txt ? partial_txt : partial_html,
			txt ? sizeof(partial_txt) - 1 : sizeof(partial_html) - 1 },
	};
	struct tmpl_set *set = NULL;
	struct buf out;
	char err[256];
	size_t nlen = strlen(name);
	enum err e;

	e = tmpl_compile(srcs, ARRAY_LEN(srcs), &set, err, sizeof(err));
	if (e != ERR_OK) {
		/* A refusal leaves nothing behind and names the fuzzed
		 * template (the fixed partial is valid). */
		if (e != ERR_INVALID || set != NULL ||
				strncmp(err, name, nlen) != 0 || err[nlen] != ':')
			abort();
		return;
	}
	buf_init(&out, OUT_MAX);
	e = tmpl_render(set, name, ctx, &out);
	if (e != ERR_OK && e != ERR_TOO_LARGE && e != ERR_NOT_FOUND &&
			e != ERR_INTERNAL)
		abort();
	if (out.len > OUT_MAX || (e != ERR_OK && out.len != 0))
		abort();
	if (e == ERR_OK && check && (memmem(out.p, out.len, "<\x01", 2) ||
			memmem(out.p, out.len, "\"\x01", 2) ||
			memmem(out.p, out.len, "'\x01", 2))) {
		fprintf(stderr, "fuzz_tmpl: the payload got past the escaper:\n%s\n",
			out.p);
		abort();
	}
	buf_release(&out);
	tmpl_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(data, '\0', size);
	size_t tlen = nul ? (size_t)(nul - text) : size;
	json_t *ctx = NULL;
	bool check;

	if (nul) {
		json_error_t jerr;

		ctx = json_loadb(nul + 1, size - tlen - 1,
			JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	}
	/* The escaping property only holds for the fixed context's known
	 * payloads, and not where the template writes them itself. */
	check = !ctx && !memchr(text, 0x01, tlen) &&
		!contains_ci(text, tlen, "raw_html");
	run("f.html", text, tlen, ctx ? ctx : ctx_fixed, check);
	run("f.txt", text, tlen, ctx ? ctx : ctx_fixed, false);
	json_decref(ctx);
	return 0;
}
