/*
 * errors.h - per-field errors, shared by the rules that find them and the
 * pages and API that show them.
 *
 * An error list is a JSON array of {"field": name, "detail": sentence} in
 * the order the fields appear on the page; empty means acceptable. Field
 * names are the form field, the JSON member and the HTML id at once, so a
 * summary entry links to #field. Details are plain English that say what
 * to do ("Enter your name"). This header needs only jansson: rules include
 * it without knowing about HTTP.
 */
#ifndef KITH_WEB_ERRORS_H
#define KITH_WEB_ERRORS_H

#include <stddef.h>

#include <jansson.h>

/* Appends {field, detail} to errors (nothing when errors is NULL). */
void web_error(json_t *errors, const char *field, const char *detail);
/* The detail for field in errors, or NULL. */
const char *web_error_for(const json_t *errors, const char *field);
/* web_error unless field already has one (a page's own checks and the
 * domain's may both notice one thing); NULL field or detail: nothing. */
void web_error_once(json_t *errors, const char *field, const char *detail);
/* Each of from's {field, detail} (the domain's check of a form whose
 * fields it names as the form does) added to errors by web_error_once. */
void web_errors_merge(json_t *errors, const json_t *from);
/* Sorts errors into page order, so the summary reads down the page: a
 * field goes where the first entry of order[] that starts it is (fields
 * in none go last); errors of one field keep their order. */
void web_errors_sort(json_t *errors, const char *const *order, size_t n);

#endif
