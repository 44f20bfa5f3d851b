/*
 * audit_feature.h - the audit log's pages and API: /admin/audit and
 * GET /api/v1/audit (admins), /account/activity (who looked at my record).
 */
#ifndef KITH_AUDIT_FEATURE_H
#define KITH_AUDIT_FEATURE_H

struct feature;
struct demo_opts;

extern const struct feature audit_feature;

#endif
