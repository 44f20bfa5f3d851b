/*
 * nhs.h - NHS numbers: ten digits whose last is a modulus 11 check digit.
 */
#ifndef KITH_NHS_H
#define KITH_NHS_H

#include <stdbool.h>

/* NHS number: ten digits (spaces and hyphens forgiven) whose modulus 11
 * check digit is right. Writes the bare ten digits to out. */
bool nhs_number_valid(const char *s, char out[11]);

#endif
