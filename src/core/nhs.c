/*
 * nhs.c - the NHS number check digit (NHS Data Dictionary: modulus 11).
 */
#include "core/common.h"
#include "core/nhs.h"

bool nhs_number_valid(const char *s, char out[11])
{
	char d[11];
	size_t n = 0;
	int sum = 0, check;

	if (out)
		out[0] = '\0';
	if (!s)
		return false;
	for (size_t i = 0; s[i]; i++) {
		if (i > 32)
			return false;
		if (s[i] == ' ' || s[i] == '-')
			continue;
		if (s[i] < '0' || s[i] > '9' || n == 10)
			return false;
		d[n++] = s[i];
	}
	if (n != 10)
		return false;
	d[10] = '\0';
	/* Modulus 11: weights 10 down to 2 on the first nine digits. */
	for (int i = 0; i < 9; i++)
		sum += (d[i] - '0') * (10 - i);
	check = 11 - sum % 11;
	if (check == 11)
		check = 0;
	if (check == 10 || check != d[9] - '0')
		return false;
	if (out)
		memcpy(out, d, 11);
	return true;
}
