/*
 * embedded.c - finding a file among those compiled into the binary.
 */
#include "core/common.h"
#include "core/embedded.h"

const struct embedded_file *embedded_find(const struct embedded_file *files, size_t n,
		const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (files[i].name && strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}
