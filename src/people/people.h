/*
 * people.h - looking after accounts from the command line, and the demo
 * accounts:
 *
 *   kith user add --email E --name N --role ROLE [--role ROLE ...] [--org ORG_ID]
 *                 [--password-stdin]
 *   kith token create --for EMAIL --name NAME | list [--for EMAIL] | revoke ID
 *   kith org add --name NAME [--id UUID]
 *   kith audit [--actor ID] [--subject ID] [--action A] [--since DATE]
 *              [--until DATE] [--limit N]
 *
 * Every change is audited as done by kith itself (actor 0) "via the
 * command line".
 */
#ifndef KITH_PEOPLE_H
#define KITH_PEOPLE_H

struct feature;
struct demo_opts;

/* The password every demo account gets; printed by `kith demo`. */
#define PEOPLE_DEMO_PASSWORD "walk-talk-tea-2026"
/* The demo organisation organisers belong to. */
#define PEOPLE_DEMO_ORG "6f1d2c1e-3b7a-4c55-9a51-0d3f2b8e7a10"

extern const struct feature people_feature;

#endif
