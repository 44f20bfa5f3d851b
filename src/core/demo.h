/*
 * demo.h - what `kith demo` asks of each feature's demo data: the day it
 * is relative to, how many synthetic services to add, and where to say
 * what was made. A plain struct, so demo code (which writes data and
 * knows nothing of the app) can take it.
 */
#ifndef KITH_DEMO_H
#define KITH_DEMO_H

#include <stdint.h>
#include <stdio.h>

struct demo_opts {
	int64_t now;            /* the clock demo data is relative to */
	long services;          /* synthetic directory services to add (0: none) */
	FILE *out;              /* where to print what was created (accounts, counts) */
};

#endif
