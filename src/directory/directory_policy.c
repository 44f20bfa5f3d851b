/*
 * directory_policy.c - who may change the directory: coordinators and
 * admins any service, organisers their own organisation's (the
 * organisation kind decides).
 */
#include "core/common.h"
#include "directory/directory.h"


#define R(x) ROLE_BIT(ROLE_##x)

const struct action act_service_edit = { .name = "service_edit",
	.roles = R(COORDINATOR) | R(ADMIN), .kind = &org_kind, .relations = REL_ORG };
const struct action act_service_review = { .name = "service_review", .roles = R(COORDINATOR) | R(ADMIN) };

const struct action act_search_words = { .name = "search_words", .roles = R(COORDINATOR) | R(ADMIN) };

const struct action *const directory_actions[] = { &act_service_edit, &act_service_review,
	&act_search_words, NULL };
