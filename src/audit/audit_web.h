/*
 * audit_web.h - the audit log, from a request: who and where come from
 * the request itself. For handlers (the edge); rules call audit_log()
 * with what they know.
 */
#ifndef KITH_AUDIT_WEB_H
#define KITH_AUDIT_WEB_H

#include <stdint.h>

#include "core/err.h"

struct request;

/* Appends an audit entry (audit_log) with the actor, client address and
 * request id of req. Uses
 * req->db, which must be in a write transaction or autocommit. */
enum err audit_req(struct request *req, const char *action, int64_t subject_id,
		const char *detail);

#endif
