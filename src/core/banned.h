/*
 * banned.h - functions kith does not use, made into compile errors.
 *
 * Included last by every kith .c file (through core/common.h). Each has a
 * bounded or reentrant replacement: buf_add/buf_addf/str_copy for the string
 * functions, str_to_i64 for atoi/atol/sscanf, gmtime_r for gmtime, and
 * localtime_r with an explicit zone for localtime. scripts/check-banned.sh
 * greps for them too, so a file that forgets the include is still caught.
 */
#ifndef KITH_BANNED_H
#define KITH_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_see_STYLE_md

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef sscanf
#define sscanf(...) BANNED(sscanf)
#undef gmtime
#define gmtime(x) BANNED(gmtime)
#undef localtime
#define localtime(x) BANNED(localtime)

#endif
