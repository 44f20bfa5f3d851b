/*
 * fuzz_eml.c - the development mailbox's .eml reader (mail_parse) and the
 * file-name check that guards which files it opens. Files in mail_dir are
 * written by kith, but the folder is on disk where anything may change
 * them, so the reader must survive any bytes.
 */
#include "core/common.h"
#include "core/str.h"
#include "mail/mail_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_parsed m;
	char name[96];
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	if (size > MAILBOX_FILE_MAX)
		return 0;
	memcpy(name, data, n);
	name[n] = '\0';
	(void)mail_eml_name_ok(name);
	memset(&m, 0, sizeof(m));
	if (mail_parse((const char *)data, size, &m) == ERR_OK)
		mail_parsed_free(&m);
	return 0;
}
