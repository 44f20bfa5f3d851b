/*
 * talk_data.c - conversations' demo data (talk_demo, talk.h): four open
 * spaces (living with COPD, living with diabetes, carers' corner, tea and
 * chat) and a space for the first demo group, each with a few topics of
 * kind peer talk between the demo town's people, some "me too" and
 * "thank you", a peer supporter named to moderate the COPD space, and one
 * gentle flag waiting in the moderation queue.
 *
 * Everything is written through the rules (talk_space_create,
 * talk_topic_create, talk_post_create, talk_react, talk_flag_post), so
 * the demo goes through the same classifier, limits and checks as a
 * person would: the demo people are given display names and trusted
 * first, so a new account's limits do not stop them. Nobody new is made:
 * the people are the sign-in accounts (people_feature.c) and the peer
 * support demo's (peer_data.c). Times are before opts->now, oldest first.
 *
 * Run again, it starts over: its spaces (by slug, and the group's) are
 * deleted first, and with them their topics, posts, reactions and flags.
 */
#include "core/common.h"
#include "talk/talk_int.h"

#include "auth/person.h"
#include "auth/policy.h"
#include "core/demo.h"
#include "core/str.h"
#include "people/people.h"
#include "store/store.h"

#include <stdio.h>

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

/* ---------------------------------------------------------------- who */

enum demo_who { W_MAGGIE, W_DAVID, W_ANITA, W_RUTH, W_COLIN, W_HALINA, W_STAN, W_JOAN, W__MAX };

static const struct {
	const char *email, *display_name, *notify;
} demo_people[W__MAX] = {
	[W_MAGGIE] = { "member@demo.kith.test", "Maggie", "daily" },
	[W_DAVID] = { "peer@demo.kith.test", "David E", "daily" },
	[W_ANITA] = { "anita.peer@demo.kith.test", "Anita K", "off" },
	[W_RUTH] = { "ruth.peer@demo.kith.test", "RuthA", "off" },
	[W_COLIN] = { "colin.peer@demo.kith.test", "Colin M", "off" },
	[W_HALINA] = { "halina.ask@demo.kith.test", "Halina", "off" },
	[W_STAN] = { "stan.ask@demo.kith.test", "StanB", "off" },
	[W_JOAN] = { "coordinator@demo.kith.test", "Joan B", "instant" },
};

/* ---------------------------------------------------------------- where */

enum demo_space { S_COPD, S_DIABETES, S_CARERS, S_GENERAL, S_GROUP, S__MAX };

static const struct {
	const char *slug, *name, *kind, *condition, *about;
} demo_spaces[S_GROUP] = {
	[S_COPD] = { "living-with-copd", "Living with COPD", "condition", "copd",
		     "For anyone living with COPD or another lung condition, and the people close to them. "
		     "Share what helps with breathlessness, getting out and about, and the good and bad days." },
	[S_DIABETES] = { "living-with-diabetes", "Living with diabetes", "condition", "diabetes",
			 "Type 1, type 2 or just diagnosed: swap ideas about food, getting active and living "
			 "well with diabetes." },
	[S_CARERS] = { "carers-corner", "Carers' corner", "carers", NULL,
		       "For people who look after someone. Say how it really is: people here understand." },
	[S_GENERAL] = { "tea-and-chat", "Tea and chat", "general", NULL,
			"Anything and everything: what you are reading, what is growing in the garden, what "
			"made you smile today." },
};

/* The group's space: the first demo group, whose members are the demo
 * member and the peer supporter who hosts it (groups_data.c). */
#define GROUP_SLUG "our-walking-group"
static const struct sql q_d_group = { "talk.d_group",
	"SELECT g.service_id, s.name FROM community_group g JOIN service s ON s.id = g.service_id "
	"JOIN group_member m ON m.service_id = g.service_id WHERE m.person_id = $1 "
	"ORDER BY m.joined_at, g.service_id LIMIT 1", NULL };
static const struct sql q_d_clear = { "talk.d_clear", "DELETE FROM talk_space WHERE slug = $1", NULL };
static const struct sql q_d_clear_group = { "talk.d_clear_group",
	"DELETE FROM talk_space WHERE service_id = $1", NULL };
static const struct sql q_d_trust = { "talk.d_trust",
	"UPDATE talk_profile SET trusted = 1, trusted_by = NULL, muted_until = NULL, suspended = 0 "
	"WHERE person_id = $1", NULL };

/* ---------------------------------------------------------------- what */

#define REPLIES_MAX 4
#define REACTS_MAX 5

struct demo_reply {
	enum demo_who who;
	int hours;                   /* after the topic was started */
	int quote;                   /* the post of the topic it quotes: 1 the opening, 2 the first reply... */
	const char *body;
};

struct demo_react {
	enum demo_who who;
	int post;                    /* 0 the opening, 1 the first reply, ... */
	const char *kind;            /* "metoo", "thanks" */
};

static const struct demo_topic {
	enum demo_space space;
	enum demo_who who;
	int days_ago;
	const char *title, *body;
	struct demo_reply replies[REPLIES_MAX];
	struct demo_react reacts[REACTS_MAX];
} demo_topics[] = {
	{ S_COPD, W_MAGGIE, 20, "Just been told I have COPD",
	  "My GP told me last week that I have COPD. I came home and had a little cry, if I'm honest. "
	  "I don't really know yet what it means for day-to-day life.\n\nHow did you all feel at the start, "
	  "and what helped?",
	  { { W_DAVID, 3, 0,
	      "I remember that week well. It is a lot to take in, and it is fine to feel upset about it.\n\n"
	      "What helped me most was a **pulmonary rehab** course. Ask your GP or practice nurse to refer "
	      "you: it is free, it builds you up gently, and you meet people in the same boat. The Breathe "
	      "Easy group in town is friendly too." },
	    { W_COLIN, 9, 0,
	      "Not COPD for me but a stroke, and the first few weeks after the news were the hardest. "
	      "It does get easier as you learn what your body can do. Be kind to yourself." },
	    { W_MAGGIE, 30, 2,
	      "Thank you both, that helps more than you know. I have asked the nurse about the rehab "
	      "course and she is putting me on the list." } },
	  { { W_STAN, 0, "metoo" }, { W_MAGGIE, 1, "thanks" }, { W_MAGGIE, 2, "thanks" },
	    { W_RUTH, 0, "metoo" } } },
	{ S_COPD, W_STAN, 9, "Breathless on hills: any tips?",
	  "I've had COPD for three years. On the flat I manage fine now, but the hill up to the shops "
	  "leaves me puffing and I have to stop two or three times on the way. Does anyone have tips for "
	  "hills?",
	  { { W_DAVID, 2, 0,
	      "Hills are hard for lots of us. A few things that work for me:\n\n"
	      "- slow down *before* the hill, not halfway up it\n"
	      "- breathe in through your nose for two steps, out through pursed lips for three or four\n"
	      "- pick your stopping places in advance, so a stop is part of the plan\n\n"
	      "I still stop at the same lamp post every time, and I enjoy the view while I'm there." },
	    { W_MAGGIE, 5, 0,
	      "Pursed-lip breathing made a real difference for me too. The rehab team showed us how, and "
	      "it is worth asking your nurse at your next review what else might help." },
	    { W_STAN, 50, 2,
	      "Thank you. I tried the lamp post idea this morning and made it up with two stops instead of "
	      "three. Small wins!" } },
	  { { W_STAN, 1, "thanks" }, { W_RUTH, 1, "thanks" }, { W_MAGGIE, 0, "metoo" },
	    { W_DAVID, 3, "thanks" } } },
	{ S_DIABETES, W_HALINA, 14, "Eating well on a budget",
	  "I was told I have type 2 diabetes in the spring. Everything I read says eat more vegetables, but "
	  "prices keep going up. What do you cook that is cheap and good for you?",
	  { { W_ANITA, 4, 0,
	      "Frozen vegetables are just as good and much cheaper, and nothing goes to waste. I make a big "
	      "pot of lentil and vegetable soup on Sundays and it lasts me three days.\n\nThe practice can "
	      "also refer you to a dietitian, who was really helpful for me." },
	    { W_HALINA, 20, 0,
	      "Lentil soup is a good idea, thank you. My mum used to make one like that." } },
	  { { W_HALINA, 1, "thanks" }, { W_MAGGIE, 0, "metoo" } } },
	{ S_CARERS, W_ANITA, 6, "So tired all the time",
	  "I look after my mum, who has dementia. I love her dearly, but some weeks I am running on empty. "
	  "I don't get a full night's sleep and I have stopped seeing my friends.\n\nHow do other carers "
	  "manage the tiredness?",
	  { { W_RUTH, 2, 0,
	      "That sounds exhausting, and you are doing so much. When I was caring for my dad, asking the "
	      "council for a **carer's assessment** got me a few hours of respite each week. Even one "
	      "afternoon to yourself makes a difference." },
	    { W_MAGGIE, 6, 0,
	      "Sending you a big hug. Is there a carers' group near you? Ours meets on Thursday mornings and "
	      "it is the one place I can say how things really are." },
	    { W_ANITA, 26, 2,
	      "I didn't know about the carer's assessment. I rang the council today and they are sending "
	      "someone round. Thank you both." } },
	  { { W_RUTH, 0, "metoo" }, { W_MAGGIE, 0, "metoo" }, { W_ANITA, 1, "thanks" },
	    { W_ANITA, 2, "thanks" } } },
	{ S_GENERAL, W_RUTH, 4, "What does pacing look like for you?",
	  "Pacing has been the biggest change for me since the arthritis got worse. I plan one bigger job "
	  "a day and rest before I'm tired, not after. What does pacing look like for you?",
	  { { W_COLIN, 3, 0,
	      "I split jobs into chunks. Hoover one room, sit down with a cuppa, then do the next. My wife "
	      "laughs at me but it works." },
	    { W_DAVID, 8, 0,
	      "Same here. I keep a little diary of good and bad days, and after a month I could see the "
	      "pattern: a busy Monday meant a flat Tuesday." },
	    { W_STAN, 30, 0,
	      "Has anyone tried the joint supplement my neighbour sells? She says it cured her knees and "
	      "she can get you a discount if you buy six tubs." } },
	  { { W_RUTH, 1, "thanks" }, { W_HALINA, 0, "metoo" }, { W_RUTH, 2, "thanks" } } },
	{ S_GENERAL, W_COLIN, 2, "What is everyone reading?",
	  "The evenings are drawing in. I have just finished a good history of the railways from the "
	  "library. Any recommendations for the winter?",
	  { { W_MAGGIE, 5, 0,
	      "I'm working my way along the large-print shelf at the library. The one about the canals was "
	      "lovely." } },
	  { { W_COLIN, 1, "thanks" } } },
	{ S_GROUP, W_DAVID, 12, "Welcome to our group's space",
	  "This space is just for the members of our walk. Use it to ask about lifts, share what you saw "
	  "on the route, or say if you can't make it this week.",
	  { { W_MAGGIE, 4, 0,
	      "Lovely idea. Does anyone pass the library on their way? I'd be glad of a lift when the "
	      "weather is bad." },
	    { W_DAVID, 7, 0, "I do, Maggie. I'll pick you up at quarter to ten on Tuesday." } },
	  { { W_MAGGIE, 2, "thanks" } } },
};

/* The one flag in the queue: on the supplement post (topic 4, reply 3). */
#define FLAG_TOPIC 4
#define FLAG_POST 3
#define FLAG_BY W_RUTH
#define FLAG_NOTE "Someone selling supplements that they say cure things. Could a moderator take a look?"

/* ---------------------------------------------------------------- writing it */

struct demo {
	struct db *db;
	struct arena a;
	const struct demo_opts *opts;
	const struct talk_env *env;
	struct actor who[W__MAX];
	int64_t space[S__MAX];
	char group_id[37];
	json_t *errors;
	int topics, posts;
};

/* Says what a rule refused (the demo's own data: a bug to fix). */
static enum err said(struct demo *d, enum err e, const char *what)
{
	if (e && d->opts->out) {
		const json_t *x = json_array_get(d->errors, 0);
		const char *detail = json_string_value(json_object_get(x, "detail"));

		fprintf(d->opts->out, "Conversations demo: %s: %s%s%s\n", what, err_name(e),
			detail ? ": " : "", detail ? detail : "");
	}
	json_array_clear(d->errors);
	return e;
}

static enum err load_people(struct demo *d)
{
	for (size_t i = 0; i < W__MAX; i++) {
		struct person p;
		enum err e = person_find_email(d->db, &d->a, demo_people[i].email, &p);

		if (e)
			return e;
		d->who[i] = (struct actor){ .id = p.id, .roles = p.roles, .org_id = p.org_id,
					    .verified = p.verified, .name = p.name, .email = p.email };
	}
	return ERR_OK;
}

/* Display names, trusted, and the coordinator on duty. */
static enum err profiles(struct demo *d, int64_t at)
{
	enum err e = ERR_OK;

	for (size_t i = 0; i < W__MAX && e == ERR_OK; i++) {
		e = said(d, talk_profile_set(d->db, d->who[i].id, demo_people[i].display_name,
					     demo_people[i].notify, at, d->errors), demo_people[i].display_name);
		if (e == ERR_OK)
			e = db_exec(d->db, &q_d_trust, DB_ARGS(DB_INT(d->who[i].id)), NULL);
	}
	if (e == ERR_OK)
		e = talk_duty_set(d->db, d->who[W_JOAN].id, true, at);
	return e;
}

/* A clean start: the demo's spaces go, with everything in them. */
static enum err clear(struct demo *d)
{
	enum err e = ERR_OK;

	for (size_t i = 0; i < ARRAY_LEN(demo_spaces) && e == ERR_OK; i++)
		e = db_exec(d->db, &q_d_clear, DB_ARGS(DB_TEXT(demo_spaces[i].slug)), NULL);
	if (e == ERR_OK)
		e = db_exec(d->db, &q_d_clear, DB_ARGS(DB_TEXT(GROUP_SLUG)), NULL);
	if (e == ERR_OK && d->group_id[0])
		e = db_exec(d->db, &q_d_clear_group, DB_ARGS(DB_TEXT(d->group_id)), NULL);
	return e;
}

static enum err spaces(struct demo *d, const char *group_name, int64_t at)
{
	int64_t by = d->who[W_JOAN].id;
	enum err e = ERR_OK;

	for (size_t i = 0; i < ARRAY_LEN(demo_spaces) && e == ERR_OK; i++) {
		struct talk_space_fields f = { .slug = demo_spaces[i].slug, .name = demo_spaces[i].name,
			.about = demo_spaces[i].about, .kind = demo_spaces[i].kind,
			.condition = demo_spaces[i].condition, .open = true };

		e = said(d, talk_space_create(d->db, &f, by, at, d->errors, &d->space[i]), demo_spaces[i].name);
	}
	if (e == ERR_OK && d->group_id[0]) {
		const char *about = arena_printf(&d->a, "Just for the members and hosts of %s: lifts, the "
						 "route, and saying if you can't make it.", group_name);
		char name[101];
		struct talk_space_fields f = { .slug = GROUP_SLUG, .name = name, .about = about,
			.kind = "group", .service_id = d->group_id, .open = true };

		/* A group's space is named after the group (at most 100 characters). */
		snprintf(name, sizeof(name), "%s", group_name);
		if (!about)
			return ERR_NOMEM;
		e = said(d, talk_space_create(d->db, &f, by, at, d->errors, &d->space[S_GROUP]), "the group's space");
	}
	if (e == ERR_OK)
		e = said(d, talk_moderator_add(d->db, d->space[S_COPD], demo_people[W_DAVID].email, by, at, d->errors),
			 "the COPD space's moderator");
	return e;
}

static enum err topic(struct demo *d, const struct demo_topic *t)
{
	int64_t start = d->opts->now - (int64_t)t->days_ago * DAY, ids[1 + REPLIES_MAX] = { 0 };
	const struct actor *w = &d->who[t->who];
	struct talk_posted p;
	struct talk_space s;
	size_t n = 1;
	enum err e;

	if (!d->space[t->space])
		return ERR_OK;   /* no group to talk in */
	if ((e = talk_space_load_id(d->db, &d->a, w, d->space[t->space], &s)) != ERR_OK ||
	    (e = said(d, talk_topic_create(d->env, d->db, &s, w, t->title, t->body, start, d->errors, &p),
		      t->title)) != ERR_OK)
		return e;
	ids[0] = p.id;
	d->topics++;
	d->posts++;
	for (size_t i = 0; i < REPLIES_MAX && t->replies[i].body && e == ERR_OK; i++) {
		const struct demo_reply *r = &t->replies[i];
		int64_t quote = r->quote > 0 && (size_t)r->quote <= n ? ids[r->quote - 1] : 0;
		struct talk_posted rp;

		e = said(d, talk_post_create(d->env, d->db, p.topic_id, &d->who[r->who], r->body, quote,
					     start + r->hours * HOUR, d->errors, &rp), t->title);
		if (e == ERR_OK) {
			ids[n++] = rp.id;
			d->posts++;
		}
	}
	for (size_t i = 0; i < REACTS_MAX && t->reacts[i].kind && e == ERR_OK; i++) {
		const struct demo_react *x = &t->reacts[i];

		if ((size_t)x->post < n && ids[x->post])
			e = said(d, talk_react(d->db, ids[x->post], &d->who[x->who], x->kind, true,
					       start + 2 * DAY + (int64_t)i * HOUR), "a reaction");
	}
	if (e == ERR_OK && t == &demo_topics[FLAG_TOPIC] && ids[FLAG_POST]) {
		int64_t flag = 0;

		e = said(d, talk_flag_post(d->env, d->db, ids[FLAG_POST], &d->who[FLAG_BY],
					   talk_reason_code(TALK_R_UNSAFE_ADVICE), FLAG_NOTE,
					   start + 33 * HOUR, d->errors, &flag), "the flag");
	}
	return e;
}

enum err talk_demo(struct db *db, const struct demo_opts *opts)
{
	static const struct talk_env env = { 0 };   /* the defaults; no email from demo data */
	struct demo d = { .db = db, .opts = opts, .env = &env };
	struct db_res *r;
	const char *group_name = NULL;
	int64_t at = opts->now - 30 * DAY;
	enum err e;

	arena_init(&d.a);
	if ((e = load_people(&d)) != ERR_OK) {
		arena_release(&d.a);
		return e == ERR_NOT_FOUND ? ERR_OK : e;   /* no demo people: nobody to talk */
	}
	if (!(d.errors = json_array())) {
		arena_release(&d.a);
		return ERR_NOMEM;
	}
	if ((e = db_query(db, &q_d_group, DB_ARGS(DB_INT(d.who[W_MAGGIE].id)), &r)) == ERR_OK) {
		if ((e = db_next(r)) == ERR_OK && db_row(r)) {
			str_copy(d.group_id, sizeof(d.group_id), db_text(r, 0));
			group_name = arena_strdup(&d.a, db_text(r, 1));
		}
		db_res_free(r);
	}
	if (e == ERR_OK && d.group_id[0] && !group_name)
		e = ERR_NOMEM;
	if (e == ERR_OK)
		e = clear(&d);
	if (e == ERR_OK)
		e = profiles(&d, at);
	if (e == ERR_OK)
		e = spaces(&d, group_name, at);
	for (size_t i = 0; i < ARRAY_LEN(demo_topics) && e == ERR_OK; i++)
		e = topic(&d, &demo_topics[i]);
	if (e == ERR_OK && opts->out)
		fprintf(opts->out, "Conversations: %d spaces, %d topics, %d posts (David moderates \"Living with "
			"COPD\"; one flag waits in the queue).\n", d.space[S_GROUP] ? S__MAX : S_GROUP, d.topics,
			d.posts);
	json_decref(d.errors);
	arena_release(&d.a);
	return e;
}
