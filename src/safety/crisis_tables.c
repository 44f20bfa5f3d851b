/*
 * crisis_tables.c - the words and phrase patterns of the crisis
 * classifier (crisis.h says what it does; crisis_int.h the pattern
 * syntax). Data only: crisis.c compiles these once into word ids.
 *
 * Written for kith from the commonly listed warning signs of suicide and
 * self-harm (a wish to die, feeling a burden, hopelessness, a plan or the
 * means, saying goodbye), danger at home, and the idioms of British
 * English that share their words; measured on tests/data/crisis/. When a
 * pattern is added here, add the phrasing to labelled.tsv and a harmless
 * use of the same words beside it, and run test_crisis. Do not tune on
 * held_out.tsv: fold it into labelled.tsv and write a new one (its header
 * says how that has gone).
 *
 * Patterns hold the forms the tokenizer makes: "can't", "cant", "cannot"
 * are "can not"; "I'm" is "i am", "I'd" "i would", "wanna" "want to";
 * "no one" is "nobody", "any more" "anymore", "self-harm" "selfharm".
 */
#include "core/common.h"

#include "safety/crisis.h"
#include "safety/crisis_int.h"

#define URG CRISIS_URGENT
#define CON CRISIS_CONCERN
#define SUI CRISIS_SUICIDE
#define SH  CRISIS_SELF_HARM
#define DAN CRISIS_DANGER
#define OTH CRISIS_OTHER
#define DES CRISIS_DESPAIR

const struct crisis_class_def crisis_classes[C__MAX] = {
	[C_BE] = { "BE", "am is are was were be been being" },
	/* Words that may sit inside a predicate: "want to just die". */
	[C_ADV] = { "ADV", "just really so honestly literally seriously actually truly genuinely "
		"sometimes often still kindof sortof even simply basically totally completely properly "
		"desperately badly ever always already definitely probably now then all very quite "
		"fucking bloody constantly secretly quietly slowly also too sincerely like" },
	[C_ANYMORE] = { "ANYMORE", "anymore" },
	[C_WANT] = { "WANT", "want wants wanting wanted wish wishes wished wishing need needs needed" },
	[C_FIRST] = { "FIRST", "i me my myself mine we us our" },
	[C_SECOND] = { "SECOND", "you your yours yourself yourselves" },
	[C_GENERIC] = { "GENERIC", "people someone somebody anyone anybody everyone everybody nobody "
		"one folk folks many others patients person those" },
	[C_SOMEONE] = { "SOMEONE", "someone somebody" },
	[C_THIRD] = { "THIRD", "he she they him her them his their hers theirs who himself herself "
		"themselves themself" },
	/* People the writer may speak of: a subject that is someone else. */
	[C_PERSON] = { "PERSON", "son daughter friend friends mum dad mother father husband wife "
		"partner boyfriend girlfriend fiance fiancee brother sister child kid kids children "
		"teenager nephew niece cousin uncle aunt auntie nan nana gran granny grandma "
		"grandmother grandad grandpa grandfather grandson granddaughter neighbour colleague "
		"mate flatmate housemate ex stepson stepdaughter stepdad stepmum stepfather stepmother "
		"man woman lad girl boy guy bloke carer sibling parent parents family teen" },
	[C_IT] = { "IT", "it this that there what which something everything nothing" },
	[C_NEG] = { "NEG", "not never no nor neither stopped hardly barely" },
	/* Words that start a new clause: negation does not reach across them,
	 * and a subject is looked for on the far side only for coordination. */
	[C_CONJ] = { "CONJ", "and but so because though although when while whilst whereas since "
		"until then yet as after before or" },
	/* What may come before a subjectless predicate at a clause's start. */
	[C_FILLER] = { "FILLER", "just really honestly seriously literally tbh ngl lol omg ugh so "
		"and but sometimes still now today tonight right genuinely actually oh well yeah yes "
		"ok okay hi hello hey sorry god please always often kindof sortof most days nights "
		"currently again anyway also even only maybe think feel feeling like i thinking thought "
		"about of considering keep kept" },
	/* What a clause may end with before "$": "I can't go on any more tbh". */
	[C_TAIL] = { "TAIL", "anymore now tonight today really honestly tbh ngl lol seriously "
		"sometimes though too either again anyway already right x xx xxx please soon" },
	/* Between a subject and a tight predicate: "I have been self harming". */
	[C_AUX] = { "AUX", "am is are was were be been being have has had having do does did will "
		"would could should might may can must going to gonna started start starting keep keeps "
		"kept still just really always often sometimes again also even ever never not used want "
		"wants wanted need feel feels feeling felt like tried try trying currently constantly "
		"actually seriously so very quite get gets getting got thinking considering planning "
		"about of stop" },
	/* Past forms inside a predicate or between subject and predicate. */
	[C_PASTV] = { "PASTV", "wanted wished needed felt was were had tried took taken attempted "
		"attempt attempts thought overdosed killed ended did used swallowed downed necked "
		"stockpiled hoarded harmed could died" },
	[C_PASTAUX] = { "PASTAUX", "was were had did used tried wanted wished felt thought attempted "
		"considered planned" },
	[C_HAVE] = { "HAVE", "have has" },
	[C_IF] = { "IF", "if whether unless suppose supposing imagine hypothetically" },
	/* "know if", "wonder if": the writer asking themselves, not a condition. */
	[C_NOTIF] = { "NOTIF", "know sure wonder wondering unsure decide deciding question questioning "
		"see knowing certain as what" },
	/* Pronouns after "anyone else" that mean the writer too. */
	[C_FRAMEPRO] = { "FRAMEPRO", "they them you one we people" },
	[C_PILLS] = { "PILLS", "pills pill tablets tablet meds med medication medications medicine "
		"medicines paracetamol codamol tramadol morphine insulin antidepressants painkillers "
		"diazepam sertraline amitriptyline oxycodone capsules citalopram fluoxetine mirtazapine "
		"pregabalin gabapentin zopiclone ibuprofen aspirin lithium opioids opiates "
		"prescription" },
	[C_QTY] = { "QTY", "all every loads lots lot load bunch handful whole entire box boxes packet "
		"packets pack packs bottle bottles stash rest most dozens hundreds too #num ten twelve "
		"fifteen twenty thirty forty fifty sixty hundred dozen" },
	[C_REFL] = { "REFL", "myself himself herself themselves themself yourself" },
	[C_SCARED] = { "SCARED", "scared afraid frightened terrified petrified fearful worried" },
	[C_PARTNER] = { "PARTNER", "husband wife partner boyfriend girlfriend ex dad father stepdad "
		"stepfather mum mother son daughter brother sister carer fiance fiancee family uncle" },
	/* "he'll kill me if I leave": danger; "if I eat the last biscuit": a joke. */
	[C_DVERB] = { "DVERB", "leave left leaving tell told telling go went call called ring rang "
		"report reported try tried talk talked speak spoke say said contact do not" },
	[C_LIVEV] = { "LIVEV", "live living carry keep exist existing suffer suffering stay face "
		"continue" },
	/* Words near "myself" that make it an accident. */
	[C_ACCIDENT] = { "ACCIDENT", "shaving chopping cooking slicing peeling opening gardening "
		"lifting falling fell fall playing running walking slipping slipped tripping tripped "
		"carrying moving exercising exercise gym climbing stairs ladder accident accidentally "
		"accidently mistake tin bread onions onion glass paper hedge roses brambles oven kettle "
		"iron pan hob stove kitchen garden dog cat if trying doing getting cycling bike driving "
		"car ice football rugby hoovering cleaning decorating diy" },
	[C_JOKE] = { "JOKE", "lol haha hahaha lmao lmfao rofl jk joking kidding" },
	[C_MEDIA] = { "MEDIA", "film films movie movies book books novel story stories series "
		"episode show programme documentary article news newspaper podcast song songs lyrics "
		"character characters play drama soap telly tv radio report statistics study research "
		"training course leaflet poster campaign fiction poem speaker workshop lecture webinar "
		"conference seminar" },
	[C_HURTV] = { "HURTV", "kill murder hurt stab hit beat strangle shoot harm rape attack batter "
		"smash choke" },
	/* Someone doing it to the writer: "he hits me". */
	[C_HURTS] = { "HURTS", "hits hit beats beat punches punched kicks kicked slaps slapped "
		"chokes choked strangles strangled shoves shoved pushes pushed hurts hurt rapes raped "
		"attacks attacked assaults assaulted abuses abused batters battered bullies bullied "
		"beating hitting punching kicking slapping choking strangling hurting abusing raping "
		"attacking threatening threatens threatened threaten stalks stalking stalked harassing "
		"harasses harassed" },
	[C_SUBJPRO] = { "SUBJPRO", "i he she they we you it" },
	[C_WOULD] = { "WOULD", "would could might" },
	[C_DET] = { "DET", "the a an this that my his her their your our" },
	/* The writer alone ("our speaker" is not a cue's writer). */
	[C_SELFWORD] = { "SELFWORD", "i me my myself mine" },
};

/* Word sequences that patterns share. LIFE needs no clause end after it;
 * GOON does ("going on" the trip, "being here" in hospital). */
const struct crisis_phrase_def crisis_phrases[] = {
	{ "LIFE", "living|existing|life|continuing|being alive|me being alive|staying alive|live|exist|"
		"be alive|stay alive|my life|this life|surviving|survive" },
	{ "GOON", "being here|me being here|going on|carrying on|keeping going|keep going|go on|carry on|"
		"be here|stay|staying|me|getting up|waking up|keep living|keep fighting" },
	{ "VICTIM", "me|us|my kids|the kids|my children|the children|my baby|the baby|my son|my daughter|"
		"me and the kids|me and my kids" },
	/* What may end a clause before "$", beside the words of @TAIL. */
	{ "TAIL", "at the moment|at the minute|right now|these days|at all|most days|every day|all the time|"
		"some days|this weekend|this week|next week|tomorrow night|for good|forever|permanently|"
		"for both of us|for all of us|once and for all|any day now|for real|to be honest|if i am honest|"
		"if i am being honest|every single day|every night|every morning" },
};
const size_t crisis_nphrases = ARRAY_LEN(crisis_phrases);

/* What moderators read beside the phrase. */
#define WHY_WISH   "a wish to die"
#define WHY_NOTLIVE "not wanting to live"
#define WHY_INTENT "thoughts or plans of suicide"
#define WHY_MEANS  "a plan or the means"
#define WHY_OD     "an overdose"
#define WHY_SH     "self-harm"
#define WHY_GOODBYE "saying goodbye"
#define WHY_BURDEN "feeling others are better off without them"
#define WHY_DANGER "danger from someone"
#define WHY_HOPE   "hopelessness"
#define WHY_GRIEF  "wanting to join someone who died"

const struct crisis_rule crisis_rules[] = {
	/* ------------------------------------------------ a wish to die */
	{ "@WANT to ?@ADV ?@ADV die", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "@WANT to ?@ADV be ?@ADV dead", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "@WANT to ?@ADV not be ?@ADV alive|here|around $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "@WANT to ?@ADV not exist|live|wake|breathe", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "@WANT to ?@ADV stop existing|living|breathing", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "wish|wishing ?that i ?@ADV could|would ?@ADV stop existing|living|breathing", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "@WANT to ?@ADV disappear|vanish", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "@WANT it ?@ADV all to ?@ADV end|stop|finish", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "@WANT it ?@ADV all to be over", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "@WANT it to ?@ADV end|finish $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_WISH },
	{ "@WANT it to be over $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_WISH },
	{ "@WANT it to ?@ADV stop $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "@WANT everything to ?@ADV end|stop $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_WISH },
	{ "@WANT ?@ADV my|this ?@ADV life to ?@ADV end|stop|finish", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_WISH },
	{ "@WANT ?@ADV my|this ?@ADV life to be over", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_WISH },
	{ "@WANT to ?@ADV ?go ?to sleep forever|permanently", SUI, URG, W_SUBJ, G_SLEEP, F_ELLIPT, WHY_WISH },
	{ "sleep and ?@ADV not|never wake", SUI, URG, W_SUBJ, G_SLEEP, F_ELLIPT, WHY_WISH },
	{ "hope|hoping|pray|praying|wish|wishing ?that i ?@ADV ?will|would|could|do|did|might|can not|never ?@ADV wake ?up $",
		SUI, URG, W_MINE, G_SLEEP, 0, WHY_WISH },
	{ "hope|hoping|pray|praying|wish|wishing ?that i ?@ADV ?will|would|could|do|did|might|can not|never ?@ADV wake ?up tomorrow|again|ever|in",
		SUI, URG, W_MINE, G_SLEEP, 0, WHY_WISH },
	{ "not ?@ADV @WANT to ?@ADV wake ?up $", SUI, URG, W_SUBJ, G_SLEEP, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "not ?@ADV @WANT to ?@ADV wake ?up tomorrow|again|ever|in", SUI, URG, W_SUBJ, G_SLEEP, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "wish|wishing|wished ?that i ?@ADV was|were|could|would ?be ?@ADV dead", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "wish|wishing|wished ?that i ?@ADV could|would ?@ADV die", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "wish|wishing|wished ?that i ?@ADV had|would ?have ?@ADV died", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "wish|wishing|wished ?that i ?@ADV had|was|were ?@ADV never ?been born", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "wish|wishing|wished ?that i ?@ADV was|were not ?@ADV here|alive|around $", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "wish|wishing|wished ?that i ?@ADV ?had|would not|never ?@ADV survived|woken|woke", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "wish|wishing ?that i could ?@ADV disappear|vanish", DES, CON, W_MINE, G_MISC, 0, WHY_HOPE },
	{ "wish|wishing|wished ?that i ?@ADV could|would|did ?@ADV not|never exist|be", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "wish|hope|hoping|praying|pray *4 would|will|could ?@ADV ?just take me $", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "not ?@ADV deserve to ?@ADV @@LIFE", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "should ?@ADV be dead|have died", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "should not ?@ADV be alive", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "@WANT to ?@ADV be gone $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "thought|idea|prospect|thinking ?of|about ?@ADV not|never waking|dying|death|being *6 comfort|comforts|comforting|relief|relieved|peace|peaceful|gets|appeals|appealing|calms",
		SUI, URG, W_SUBJ, G_DIE, F_DSELF, WHY_WISH },
	{ "imagining|picturing|imagine|picture ?my ?own funeral|death *4 relieved|relief|peace|calm|happy|comfort|better",
		SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "wish|wishing ?that it ?@ADV would|could ?all ?@ADV end|stop", SUI, URG, W_MINE, G_MISC, 0, WHY_WISH },
	{ "pray|praying for death|the end", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "pray|praying|asking|begging ?for god to take me", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "let me ?@ADV die", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "rather ?@ADV be ?@ADV dead $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "rather ?@ADV die $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "rather ?@ADV be dead than ?@ADV @LIVEV", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "rather ?@ADV die than ?@ADV @LIVEV", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "rather ?@ADV ?be dead|die than ?@ADV go|carry|keep on|going", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "rather ?@ADV ?be dead|die than *5 like this|that", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "ready to die $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "better off dead", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "leave|leaving ?@ADV this world|earth|life", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_WISH },
	{ "hate being alive", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_NOTLIVE },
	{ "feel|feeling|felt|feels ?@ADV like dying", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_WISH },
	{ "hope|hoping|pray|praying|wish|wishing ?that i ?@ADV will|would|could|might ?@ADV die", SUI, URG, W_MINE, G_DIE, 0, WHY_WISH },
	{ "happy|glad|relieved|fine|okay|ok|grateful if i ?@ADV did|do|would not|never ?@ADV wake", SUI, URG, W_MINE, G_SLEEP, F_IFOK, WHY_WISH },
	{ "disappointed|gutted|upset|annoyed|angry ?that|to i ?am|be ?@ADV still here|alive|awake", SUI, URG, W_MINE, G_SLEEP, 0, WHY_WISH },
	{ "disappointed|gutted|upset|annoyed|angry to ?@ADV ?be ?@ADV still here|alive", SUI, URG, W_SUBJ, G_SLEEP, F_ELLIPT, WHY_WISH },
	{ "not ?@ADV @WANT to ?@ADV do life", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "@WANT it ?@ADV to ?@ADV stop|end for good|forever|permanently", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_WISH },

	/* ------------------------------------------------ not wanting to live */
	{ "not ?@ADV ?@ADV @WANT to ?@ADV be here|around $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV ?@ADV @WANT to ?@ADV be|stay|feel alive", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV ?@ADV @WANT to ?@ADV live|exist|continue|survive $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV ?@ADV @WANT to ?@ADV live ?@ADV like this|that", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV ?@ADV @WANT to ?@ADV exist", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV ?@ADV @WANT to ?@ADV go|carry on $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV ?@ADV @WANT to ?@ADV keep going|living $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV ?@ADV @WANT to ?@ADV be on|in this earth|planet|world", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV know|sure ?if|whether|that i ?@ADV want to ?@ADV live|exist|continue", SUI, URG, W_MINE, G_DIE, F_IFOK, WHY_NOTLIVE },
	{ "not ?@ADV know|sure ?if|whether|that i ?@ADV want to ?@ADV be alive|here|around", SUI, URG, W_MINE, G_DIE, F_IFOK, WHY_NOTLIVE },
	{ "not ?@ADV know|sure ?if|whether|that i ?@ADV want to ?@ADV go|carry on", SUI, URG, W_MINE, G_DIE, F_IFOK, WHY_NOTLIVE },
	{ "not ?@ADV know|sure ?if|whether|that i ?@ADV want to ?@ADV keep going", SUI, URG, W_MINE, G_DIE, F_IFOK, WHY_NOTLIVE },
	{ "not ?@ADV see|find|have ?a|the|any ?@ADV point|reason|purpose|sense ?in|of|to|for ?@ADV @@LIFE",
		SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV see|find|have ?a|the|any ?@ADV point|reason|purpose|sense ?in|of|to|for ?@ADV @@GOON $",
		SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "not ?@ADV see|find ?a|the|any ?@ADV point|reason ?in|of|to|for ?@ADV anything|trying ?@ANYMORE $",
		DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "not ?@ADV see|find ?a|the|any ?@ADV point ?@ANYMORE $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "not ?@ADV see|have ?a|any ?@ADV future $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "no ?@ADV future $", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "no ?@ADV future for me", DES, CON, W_MINE, G_MISC, 0, WHY_HOPE },
	{ "no|nothing ?@ADV point|reason|purpose|sense ?in|of|to|for ?@ADV @@LIFE", SUI, URG, W_SUBJ, G_MISC, F_DSELF | F_OTHER, WHY_NOTLIVE },
	{ "no|nothing ?@ADV point|reason|purpose|sense ?in|of|to|for ?@ADV @@GOON $", SUI, URG, W_SUBJ, G_MISC, F_DSELF | F_OTHER, WHY_NOTLIVE },
	{ "no|nothing ?@ADV point|reason|purpose for me to ?@ADV live|exist|continue|stay|be", SUI, URG, W_MINE, G_MISC, 0, WHY_NOTLIVE },
	{ "no ?@ADV point|reason ?in|to|of ?@ADV anything|trying ?@ANYMORE $", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "no|nothing ?@ADV ?left|more to live for", SUI, URG, W_SUBJ, G_MISC, F_DSELF | F_OTHER, WHY_NOTLIVE },
	{ "running|run|ran out of ?@ADV reasons|reason to @@LIFE", SUI, URG, W_SUBJ, G_MISC, F_DSELF, WHY_NOTLIVE },
	{ "running|run|ran out of ?@ADV reasons|reason to @@GOON $", SUI, URG, W_SUBJ, G_MISC, F_DSELF, WHY_NOTLIVE },
	{ "what is|was ?@ADV the point ?in|of ?@ADV @@LIFE", SUI, URG, W_SUBJ, G_MISC, F_DSELF, WHY_NOTLIVE },
	{ "what is|was ?@ADV the point ?in|of ?@ADV @@GOON $", SUI, URG, W_SUBJ, G_MISC, F_DSELF, WHY_NOTLIVE },
	{ "what is ?@ADV the point ?in|of ?@ADV anything|it ?@ANYMORE $", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "what is ?@ADV the point ?@ANYMORE $", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "life ?@ADV @BE ?@ADV not|no ?@ADV ?longer worth living|it", SUI, URG, W_SUBJ, G_MISC, F_DSELF, WHY_NOTLIVE },
	{ "not ?@ADV worth living", SUI, URG, W_SUBJ, G_MISC, F_DSELF, WHY_NOTLIVE },
	{ "not ?@ADV matter ?@ADV if|whether i ?@ADV live|lived|die|died", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_NOTLIVE },
	{ "tired|sick ?and ?tired of ?@ADV living|life|existing $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_NOTLIVE },
	{ "tired|sick ?and ?tired of being alive|here $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_NOTLIVE },
	{ "tired|sick ?and ?tired of ?@ADV living|life like this", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "tired|sick ?and ?tired of ?@ADV fighting $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "done with ?@ADV life|living|existing", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_NOTLIVE },
	{ "done with being alive", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_NOTLIVE },
	{ "done with ?@ADV everything $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "done with it all $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "had enough of ?@ADV life|living|existing", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_NOTLIVE },
	{ "had enough of being alive", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_NOTLIVE },
	{ "had enough of ?@ADV everything $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "had enough $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "done $", DES, CON, W_SUBJ, G_MISC, F_TIGHT, WHY_HOPE },
	{ "@WANT|need out $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "my|this life @BE ?@ADV over|pointless|meaningless|worthless|hopeless|empty", DES, CON, W_MINE, G_MISC, 0, WHY_HOPE },
	{ "not ?@ADV care ?@ADV if|whether i ?@ADV live|die|died|wake|survive", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_NOTLIVE },
	{ "suicide|dying|death ?@ADV @BE ?@ADV the|my ?only ?@ADV option|answer|way|choice", SUI, URG, W_SUBJ, G_SUICIDE, F_DSELF, WHY_INTENT },
	{ "only way out $", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "doing them|everyone|everybody|the world ?@ADV a favour", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_BURDEN },
	{ "doing *3 a favour if|by i ?@ADV was|were|did|died|disappeared|killed|ended|went|left", SUI, URG, W_SUBJ, G_MISC, F_CUE | F_IFOK, WHY_BURDEN },

	/* ------------------------------------------------ going on */
	{ "can|could not ?@ADV go|carry on $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "can|could not ?@ADV keep going|living $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "can|could not ?@ADV go|carry on ?@ADV like this|this ?way $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV live ?@ADV like this|that ?@ANYMORE", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "can|could not ?@ADV live ?@ANYMORE $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_NOTLIVE },
	{ "can|could not ?@ADV live with this|the|my ?@ADV pain|life ?@ANYMORE $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "no way i can|could ?@ADV @@GOON $", SUI, URG, W_MINE, G_MISC, 0, WHY_NOTLIVE },
	{ "no way i can|could ?@ADV keep|go|carry living|going|on|fighting", SUI, URG, W_MINE, G_MISC, 0, WHY_NOTLIVE },
	{ "not ?@ADV see myself ?@ADV still|being ?@ADV here|alive|around", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_NOTLIVE },
	{ "can|could not ?@ADV do this|it ?@ADV @ANYMORE", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV do this $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV take|stand|bear|handle it|this|life ?@ANYMORE $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV take|handle|stand|bear|cope ?with @ANYMORE", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV take|stand|bear|handle ?this|the ?@ADV pain ?@ANYMORE $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV cope $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV cope|handle|manage|deal|bear|stand *4 @ANYMORE", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV take|stand|bear|handle much ?more|longer", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "can|could not ?@ADV cope with ?@ADV anything|life|everything|it|this ?@ANYMORE $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "not ?@ADV think|know|sure ?if|whether|that|how i can|could ?@ADV go|carry on $", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_NOTLIVE },
	{ "not ?@ADV think|know|sure ?if|whether|that|how i can|could ?@ADV keep going $", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_NOTLIVE },
	{ "not ?@ADV think|know|sure ?if|whether|that|how i can|could ?@ADV cope|do this ?@ANYMORE $", DES, CON, W_MINE, G_MISC, F_IFOK, WHY_HOPE },
	{ "how much longer|more can i ?@ADV take|cope|last|do|go|carry|keep", DES, CON, W_MINE, G_MISC, 0, WHY_HOPE },
	{ "how much longer|more i can ?@ADV take|cope|last|do|go|carry|keep", DES, CON, W_MINE, G_MISC, 0, WHY_HOPE },
	{ "give|giving|gave|given up $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "give|giving|gave|given up on ?@ADV life|living|myself|everything|me", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "ready to give up $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },

	/* ------------------------------------------------ hopelessness */
	{ "hopeless", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "nothing ?@ADV @BE ?@ADV ever|never ?@ADV going to get|be better", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "never ?@ADV going to get better", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "@BE|feel|feeling|feels ?@ADV useless|pointless $", DES, CON, W_SUBJ, G_MISC, F_TIGHT, WHY_HOPE },
	{ "useless to everyone|anyone|anybody|everybody|my|them", DES, CON, W_SUBJ, G_MISC, 0, WHY_HOPE },
	{ "everything|life|things ?@ADV @BE|feels|seems ?@ADV ?so hopeless|pointless|meaningless", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "no hope ?left $", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "no hope ?left for me", DES, CON, W_MINE, G_MISC, 0, WHY_HOPE },
	{ "lost ?all ?@ADV hope $", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "see|find no ?@ADV way out", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "not ?@ADV see|find ?a|any ?@ADV way out", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "no way out $", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "lost|losing|given|giving|gave|abandoned ?up ?all ?@ADV hope", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "tired|sick ?and ?tired of ?@ADV everything|everyone|trying $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "tired|sick ?and ?tired of it all $", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "no ?@ADV light at the end of the|my tunnel", DES, CON, W_SUBJ, G_MISC, F_CUE, WHY_HOPE },
	{ "not ?@ADV see ?any|the|a light at the end", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "rock bottom", DES, CON, W_SUBJ, G_MISC, F_CUE, WHY_HOPE },
	{ "not ?@ADV see ?things|it|life|anything ?@ADV ever ?@ADV getting|get|going|improving|changing ?to ?get better", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "will never ?@ADV get|be better", DES, CON, W_SUBJ, G_MISC, F_DSELF, WHY_HOPE },
	{ "feel|feeling|felt|feels ?@ADV ?so empty|numb|trapped", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "dead inside", DES, CON, W_SUBJ, G_MISC, F_CUE, WHY_HOPE },
	{ "living|life|existing @BE ?@ADV too painful|hard|much", DES, CON, W_SUBJ, G_MISC, F_CUE, WHY_HOPE },
	{ "hate|hating|hated my ?@ADV life|self", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "hate|hating|hated myself", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_HOPE },
	{ "a|such|just|the|nothing|only ?@ADV ?a ?@ADV burden", DES, CON, W_SUBJ, G_MISC, 0, WHY_BURDEN },
	{ "worthless", DES, CON, W_SUBJ, G_MISC, F_CUE, WHY_HOPE },
	{ "waste of space|oxygen|air", DES, CON, W_SUBJ, G_MISC, 0, WHY_HOPE },
	{ "nobody ?@ADV cares|care ?@ADV about me $", DES, CON, W_MINE, G_MISC, 0, WHY_HOPE },

	/* ------------------------------------------------ others better off */
	{ "better|happier|easier ?off ?@ADV without me", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "better|easier|simpler|happier ?off ?for ?everyone|everybody|them if i ?@ADV was|were|am ?@ADV dead|gone", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "easier|simpler|happier ?for ?everyone|everybody|them if i ?@ADV was|were|did ?@ADV not|never ?@ADV here|around|alive|exist", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "without me ?@ADV around|here $", DES, CON, W_MINE, G_MISC, 0, WHY_BURDEN },
	{ "better ?off if i ?@ADV was|were|did ?@ADV not|never ?@ADV here|around|alive|exist|existed|born|been", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "better ?off if i ?@ADV just ?@ADV died|disappeared|killed|ended", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "nobody ?@ADV would|will ?@ADV ?even miss me", SUI, URG, W_MINE, G_MISC, 0, WHY_BURDEN },
	{ "nobody ?@ADV @BE going to ?@ADV miss me", SUI, URG, W_MINE, G_MISC, 0, WHY_BURDEN },
	{ "nobody *4 if|when i ?@ADV died|die|disappeared|disappear|killed|ended", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "nobody *4 if|when i ?@ADV was|were|am ?@ADV gone|dead", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "nobody *4 if|when i ?@ADV was|were|am not ?@ADV here|around|alive", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "nobody ?@ADV cares|care|cared ?@ADV if|whether i ?@ADV live|lived|die|died", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "anyone|anybody *3 if|when i ?@ADV died|disappeared|disappear|die|killed|ended", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },
	{ "anyone|anybody *3 if|when i ?@ADV was|were ?@ADV gone|dead", SUI, URG, W_MINE, G_MISC, F_IFOK, WHY_BURDEN },

	/* ------------------------------------------------ suicide, said so */
	{ "kill|killing|killed|murder|hang|hanging|hanged|drown|drowning|shoot|shooting|poison|poisoning|gas|suffocate|electrocute ?@ADV myself",
		SUI, URG, W_MINE, G_KILLSELF, F_ACT, WHY_INTENT },
	{ "kill|killing|kills|killed ?@ADV himself|herself|themselves|themself", OTH, URG, W_THEIRS, G_KILLSELF, F_ACT, WHY_INTENT },
	{ "end|ending|ended|take|taking|took|taken ?@ADV my ?own life", SUI, URG, W_MINE, G_TAKELIFE, F_ACT, WHY_INTENT },
	{ "end|ending|ended|take|taking|takes|took|taken ?@ADV his|her|their ?own life", OTH, URG, W_THEIRS, G_TAKELIFE, F_ACT, WHY_INTENT },
	{ "end|ending it ?@ADV all", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_INTENT },
	{ "end|ending it ?all myself", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_INTENT },
	/* Looser cues, for what the phrases above miss: a concern, not urgent. */
	{ "suicide|suicidal", SUI, CON, W_SUBJ, G_SUICIDE, F_CUE, WHY_INTENT },
	{ "overdose|overdosing|overdosed|selfharm", SUI, CON, W_SUBJ, G_OD, F_CUE, WHY_OD },
	{ "end|ending it $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_INTENT },
	{ "end|ending things|everything $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_OTHER, WHY_INTENT },
	{ "commit|committing|committed|attempt|attempting|attempted|contemplating|considering|consider|contemplate|planning|plan|plotting ?@ADV suicide",
		SUI, URG, W_SUBJ, G_SUICIDE, F_ELLIPT | F_OTHER | F_ACT, WHY_INTENT },
	{ "died|dies|die by ?@ADV suicide", SUI, URG, W_SUBJ, G_SUICIDE, F_OTHER | F_ACT, WHY_INTENT },
	{ "suicide ?@ADV attempt|attempts|bid", SUI, URG, W_SUBJ, G_SUICIDE, F_OTHER | F_ACT, WHY_INTENT },
	{ "suicidal", SUI, URG, W_SUBJ, G_SUICIDE, F_TIGHT | F_OTHER, WHY_INTENT },
	{ "suicidal ?@ADV again|tonight|today|lately|recently|now", SUI, URG, W_SUBJ, G_SUICIDE, F_ELLIPT, WHY_INTENT },
	{ "feel|feeling|felt ?@ADV ?so suicidal", SUI, URG, W_SUBJ, G_SUICIDE, F_ELLIPT | F_OTHER, WHY_INTENT },
	{ "suicide ?@ADV note|notes|letter|plan|plans|method|methods", SUI, URG, W_SUBJ, G_SUICIDE, 0, WHY_MEANS },
	{ "thinking|think|thought|thinks ?@ADV about|of ?@ADV suicide", SUI, URG, W_SUBJ, G_SUICIDE, F_ELLIPT | F_OTHER, WHY_INTENT },
	{ "thoughts|urges|feelings of|about ?@ADV suicide", SUI, URG, W_SUBJ, G_SUICIDE, 0, WHY_INTENT },
	{ "talk|talks|talking|talked|speaks|speaking ?@ADV about|of ?@ADV suicide", SUI, URG, W_SUBJ, G_SUICIDE, F_ELLIPT | F_OTHER, WHY_INTENT },
	{ "my ?@ADV suicide", SUI, URG, W_MINE, G_SUICIDE, 0, WHY_INTENT },
	{ "ways|way|methods|method|how to ?@ADV die|suicide", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_MEANS },
	{ "painless way|ways|method|methods", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_MEANS },
	{ "quickest|easiest|best|fastest|surest|painless ?@ADV way|ways|method|methods to ?@ADV go|die $", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_MEANS },
	{ "quickest|easiest|best|fastest|surest|painless ?@ADV way|ways|method|methods to ?@ADV do|end it", SUI, URG, W_SUBJ, G_DIE, F_ELLIPT, WHY_MEANS },
	{ "letters|letter|notes|note to my|the ?@ADV children|kids|family|wife|husband|partner|mum|parents|son|daughter *2 explaining|saying|why|goodbye|sorry",
		SUI, URG, W_SUBJ, G_MISC, F_CUE, WHY_GOODBYE },
	{ "might|will|could|may|would ?@ADV do something ?@ADV stupid|silly|drastic|daft", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_INTENT },
	{ "to ?@ADV do something ?@ADV stupid|silly|drastic|daft", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_INTENT },
	{ "nearly|almost ?@ADV did|done something ?@ADV stupid|silly|drastic", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_ACT, WHY_INTENT },
	{ "do|doing|did something|anything ?@ADV to myself", SUI, URG, W_MINE, G_MISC, F_ACT, WHY_INTENT },
	{ "might|could|will|would|may ?@ADV do to myself", SUI, URG, W_MINE, G_MISC, 0, WHY_INTENT },
	{ "@SCARED ?@ADV ?of what i ?@ADV might|could|will|would|may ?@ADV do $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_INTENT },
	{ "not ?@ADV trust myself", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_INTENT },

	/* ------------------------------------------------ means and plans */
	{ "jump|jumping|throw|throwing|step|stepping|walk|walking|run|running|lie|lying ?myself ?out ?@ADV in front of ?a|the train|trains|bus|lorry|car|truck|traffic|tube|van",
		SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_MEANS },
	{ "jump|jumping|throw|throwing ?myself off|from ?a|the|this|that|my|our ?@ADV bridge|cliff|building|roof|balcony|tower|window|flyover|carpark|multistorey|motorway",
		SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_MEANS },
	{ "drive|driving|crash|crashing|steer|steering ?my|the|it ?car|myself into|off ?a|the wall|tree|bridge|cliff|lorry|river|sea",
		SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_MEANS },
	{ "walk|walking ?@ADV into the sea|river|canal|lake|water", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_MEANS },
	{ "noose", SUI, URG, W_SUBJ, G_MISC, 0, WHY_MEANS },
	{ "standing|stood|sat|sitting|stand|sit ?@ADV on|at ?the|a ledge|parapet|tracks|railway", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_MEANS },
	{ "engine running *3 garage", SUI, URG, W_SUBJ, G_MISC, F_DSELF, WHY_MEANS },
	{ "given|giving|gave away ?all my things|stuff|belongings|possessions", DES, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_GOODBYE },
	{ "slit|slitting|slash|slashing|cut|cutting ?@ADV my wrists|wrist|throat", SH, URG, W_MINE, G_HARM, F_ACT, WHY_SH },
	{ "take|took|taken|taking|have|had|do|did ?@ADV an|a overdose|od", SUI, URG, W_SUBJ, G_OD, F_ELLIPT | F_OTHER | F_ACT, WHY_OD },
	{ "overdose|overdosed|overdosing", SUI, URG, W_SUBJ, G_OD, F_ELLIPT | F_TIGHT | F_OTHER | F_ACT, WHY_OD },
	{ "took|swallowed|downed|necked|swallow|taken|swallowing ?@ADV ?a|an|the @QTY *3 @PILLS", SUI, URG, W_SUBJ, G_PILLS, F_ELLIPT | F_OTHER | F_ACT, WHY_OD },
	{ "to ?@ADV take|swallow|down ?a|an|the @QTY *3 @PILLS", SUI, URG, W_SUBJ, G_PILLS, F_ELLIPT | F_OTHER, WHY_MEANS },
	{ "about|of taking|swallowing @QTY *3 @PILLS", SUI, URG, W_SUBJ, G_PILLS, F_ELLIPT | F_OTHER, WHY_MEANS },
	{ "stockpile|stockpiling|stockpiled|hoard|hoarding|hoarded|stash|stashing|stashed|saving|saved|collecting|collected|storing|stored ?up ?@ADV my|some|the|all|enough|of ?@ADV @PILLS",
		SUI, URG, W_SUBJ, G_PILLS, F_ELLIPT | F_ACT, WHY_MEANS },
	{ "@PILLS ?@ADV saved|stashed|stockpiled|hoarded|hidden|lined|counted|laid", SUI, URG, W_SUBJ, G_PILLS, F_ACT, WHY_MEANS },
	{ "stash|stockpile|hoard|supply|collection of *4 @PILLS", SUI, URG, W_SUBJ, G_PILLS, F_CUE, WHY_MEANS },
	{ "@PILLS in my hand|hands|palm", SUI, CON, W_SUBJ, G_PILLS, F_CUE, WHY_MEANS },
	{ "take|swallow|swallowed|took|taking ?@ADV the|a ?whole lot|packet|box|bottle|lot $", SUI, URG, W_SUBJ, G_PILLS, F_ELLIPT | F_ACT, WHY_MEANS },
	{ "how much|many *2 @PILLS ?it would|will|does|could ?it take", SUI, URG, W_SUBJ, G_PILLS, F_DSELF, WHY_MEANS },
	{ "enough *2 @PILLS *3 to ?@ADV kill|end|die|overdose|finish", SUI, URG, W_SUBJ, G_PILLS, F_DSELF, WHY_MEANS },
	{ "how many *2 @PILLS *6 die|kill|overdose|end|wake|fatal|lethal", SUI, URG, W_SUBJ, G_PILLS, F_DSELF, WHY_MEANS },
	{ "how many *2 @PILLS would|does|will it take $", SUI, URG, W_SUBJ, G_PILLS, F_DSELF, WHY_MEANS },
	{ "lethal|fatal ?@ADV dose|amount|overdose", SUI, URG, W_SUBJ, G_OD, F_DSELF, WHY_MEANS },

	/* ------------------------------------------------ saying goodbye */
	{ "my last|final post|message|goodbye|words|note $", SUI, URG, W_MINE, G_GOODBYE, 0, WHY_GOODBYE },
	{ "goodbye|bye ?everyone|everybody|all|world|guys|friends ?@ADV forever|permanently", SUI, URG, W_MINE, G_MISC, 0, WHY_GOODBYE },
	{ "goodbye|bye ?everyone|everybody|all|world|guys|friends ?@ADV for good|ever", SUI, URG, W_MINE, G_MISC, 0, WHY_GOODBYE },
	{ "goodbye cruel world", SUI, URG, W_MINE, G_MISC, 0, WHY_GOODBYE },
	{ "this is goodbye $", SUI, URG, W_MINE, G_MISC, 0, WHY_GOODBYE },
	{ "say|saying|said ?my goodbye|goodbyes *4 forever|permanently|final|good", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_GOODBYE },
	{ "@WANT to ?@ADV say goodbye $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_GOODBYE },
	{ "said|saying|say ?all my goodbyes $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_GOODBYE },
	{ "goodbye ?everyone|everybody|all|world|x|xx $", SUI, CON, W_MINE, G_GOODBYE, F_WHOLE, WHY_GOODBYE },
	{ "not ?@ADV be ?@ADV around|here|alive ?for ?much|very longer $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_GOODBYE },
	{ "not ?@ADV be ?@ADV around|here @ANYMORE $", SUI, CON, W_SUBJ, G_MISC, F_ELLIPT, WHY_GOODBYE },
	{ "be ?@ADV gone|dead ?@ADV soon|tomorrow|tonight $", SUI, URG, W_SUBJ, G_MISC, 0, WHY_GOODBYE },

	/* ------------------------------------------------ self-harm */
	{ "cut|cutting|cuts|burn|burning|burnt|burned|hurt|hurting|harm|harming|harmed|injure|injuring|injured|punch|punching|hit|hitting|scratch|scratching|bite|biting|bruise|bruising ?@ADV myself",
		SH, URG, W_MINE, G_HARM, F_ACT, WHY_SH },
	{ "starve|starving|starved|punish|punishing ?@ADV myself", SH, CON, W_MINE, G_HARM, 0, WHY_SH },
	{ "make|made|making ?@ADV myself bleed", SH, URG, W_MINE, G_HARM, F_ACT, WHY_SH },
	{ "cut|cutting|cuts|burn|burning|hurt|hurting|hurts|harm|harming|harms|injure|injuring|punching|hitting ?@ADV himself|herself|themselves|themself",
		OTH, URG, W_THEIRS, G_HARM, F_ACT, WHY_SH },
	{ "selfharm", SH, URG, W_SUBJ, G_HARM, F_TIGHT | F_OTHER | F_ACT, WHY_SH },
	{ "selfharm ?@ADV again|tonight|today|lately|recently", SH, URG, W_SUBJ, G_HARM, F_ELLIPT, WHY_SH },
	{ "urge|urges|urged|temptation ?@ADV to ?@ADV selfharm|cut|harm|die $", SH, URG, W_SUBJ, G_HARM, F_DSELF | F_OTHER, WHY_SH },
	{ "urge|urges|urged|temptation ?@ADV to ?@ADV selfharm", SH, URG, W_SUBJ, G_HARM, F_DSELF | F_OTHER, WHY_SH },
	{ "cutting|cut ?@ADV again $", SH, URG, W_SUBJ, G_HARM, F_ELLIPT, WHY_SH },
	{ "@WANT to ?@ADV cut $", SH, URG, W_SUBJ, G_HARM, F_ELLIPT, WHY_SH },
	{ "fresh|new|deep cuts on|all over my ?@ADV arms|legs|thighs|wrists|stomach|body", SH, URG, W_SUBJ, G_HARM, F_DSELF, WHY_SH },
	{ "started|start|starting ?@ADV cutting|selfharm $", SH, URG, W_SUBJ, G_HARM, 0, WHY_SH },
	{ "relapse|relapsed|relapsing ?@ADV ?with|on|into selfharm|cutting", SH, URG, W_SUBJ, G_HARM, F_ELLIPT | F_ACT, WHY_SH },
	{ "clean from|of ?@ADV selfharm|cutting", SH, CON, W_SUBJ, G_HARM, F_DSELF, WHY_SH },

	/* ------------------------------------------------ danger from someone */
	{ "will|would|might|could|may ?@ADV @HURTV|finish @@VICTIM", DAN, URG, W_AGENT, G_KILLME, F_ACT, WHY_DANGER },
	{ "wants|want|wanted|tried|trying|try|threatened|threatening|threatens|threaten|going|promised|swore|swears ?@ADV to ?@ADV @HURTV|finish @@VICTIM",
		DAN, URG, W_AGENT, G_KILLME, F_ACT, WHY_DANGER },
	{ "pulled|held|waved|pointed|had a|his|her knife|gun|blade|weapon to|on|at me", DAN, URG, W_MINE, G_DANGER, F_ACT, WHY_DANGER },
	{ "locks|locked|lock me in|out", DAN, URG, W_AGENT, G_DANGER, F_ACT, WHY_DANGER },
	{ "@HURTS ?@ADV me", DAN, URG, W_AGENT, G_DANGER, F_ACT, WHY_DANGER },
	{ "was|were|been|got|being|am|is|get|getting ?@ADV raped|assaulted|attacked|abused|beaten|strangled|choked|battered|stabbed|threatened",
		DAN, URG, W_SUBJ, G_DANGER, F_TIGHT | F_ACT, WHY_DANGER },
	{ "being ?@ADV abused|threatened|stalked|hurt|beaten|hit|controlled|raped|assaulted|attacked|harassed|bullied", DAN, URG, W_SUBJ, G_DANGER, F_TIGHT | F_ACT, WHY_DANGER },
	{ "being followed $", DAN, URG, W_SUBJ, G_DANGER, F_TIGHT, WHY_DANGER },
	{ "abusive|violent|controlling ?@ADV relationship|marriage|partner|husband|wife|boyfriend|girlfriend|ex|home|household",
		DAN, URG, W_SUBJ, G_DANGER, F_ACT, WHY_DANGER },
	{ "experiencing|suffering|fleeing|escaping ?@ADV ?from domestic abuse|violence", DAN, URG, W_SUBJ, G_DANGER, F_ELLIPT, WHY_DANGER },
	{ "survivor|escaped ?@ADV of|from domestic abuse|violence", DAN, CON, W_SUBJ, G_DANGER, F_ELLIPT, WHY_DANGER },
	{ "not ?@ADV ?feel|feeling safe ?@ADV at|in ?my home|house|flat", DAN, URG, W_SUBJ, G_DANGER, F_ELLIPT, WHY_DANGER },
	{ "not ?@ADV ?feel|feeling safe ?@ADV with|around him|her|them|my", DAN, URG, W_SUBJ, G_DANGER, F_ELLIPT, WHY_DANGER },
	{ "not ?@ADV ?feel|feeling safe ?@ADV $", DAN, URG, W_SUBJ, G_DANGER, F_ELLIPT, WHY_DANGER },
	{ "not ?@ADV ?feel|feeling safe ?@ADV from|with|around myself|me", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT, WHY_INTENT },
	{ "a danger|risk to myself", SUI, URG, W_MINE, G_MISC, 0, WHY_INTENT },
	{ "@SCARED|fear|fearing ?@ADV for my ?own life|safety", DAN, URG, W_MINE, G_DANGER, 0, WHY_DANGER },
	{ "@SCARED ?@ADV of him|her|them $", DAN, URG, W_SUBJ, G_DANGER, F_TIGHT, WHY_DANGER },
	{ "@SCARED ?@ADV of my ?@ADV @PARTNER $", DAN, URG, W_SUBJ, G_DANGER, F_TIGHT, WHY_DANGER },
	{ "@SCARED ?@ADV ?to go|going ?back home $", DAN, URG, W_SUBJ, G_DANGER, F_TIGHT | F_ELLIPT, WHY_DANGER },
	{ "@SCARED ?@ADV of|to|about ?@ADV go|going|being ?back home|alone to|with him|her|them", DAN, URG, W_SUBJ, G_DANGER, F_TIGHT | F_ELLIPT, WHY_DANGER },
	{ "grabbed|grabs|grabbing|held|holds|pinned|pins|threw|throws ?@ADV me by|against|down|into ?the|my throat|neck|hair|wall|floor|bed|door",
		DAN, URG, W_AGENT, G_DANGER, F_ACT, WHY_DANGER },
	{ "not ?@ADV let me leave", DAN, URG, W_AGENT, G_DANGER, 0, WHY_DANGER },
	{ "not ?@ADV let me see|contact|call|speak|talk|ring ?to ?my|anyone|anybody ?@ADV friends|family|anyone|anybody|mum|sister|brother",
		DAN, URG, W_AGENT, G_DANGER, 0, WHY_DANGER },
	{ "follows|followed|following|stalks|stalked|stalking|watching|watches me home|everywhere|around", DAN, URG, W_AGENT, G_DANGER, F_ACT, WHY_DANGER },
	{ "follows|followed|following|stalks|stalked|stalking me $", DAN, URG, W_AGENT, G_DANGER, F_ACT, WHY_DANGER },
	{ "controls|controlling|controlled ?@ADV all ?@ADV my money|phone|life", DAN, CON, W_AGENT, G_DANGER, 0, WHY_DANGER },

	/* ------------------------------------------------ grief that wants to follow */
	{ "@WANT to ?@ADV be with him|her|them $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_DEATH, WHY_GRIEF },
	{ "@WANT to ?@ADV be with my ?@ADV @PERSON $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_DEATH, WHY_GRIEF },
	{ "@WANT to ?@ADV join|follow him|her|them|my $", SUI, URG, W_SUBJ, G_MISC, F_ELLIPT | F_DEATH, WHY_GRIEF },
};
const size_t crisis_nrules = ARRAY_LEN(crisis_rules);

#define CANCEL(g) (1u << (g))

const struct crisis_mark crisis_marks[] = {
	/* Idioms and accidents, which cancel the patterns they overlap. */
	{ "die|dying|died of|from embarrassment|shame|boredom|laughter|laughing|cuteness|happiness|jealousy|envy|excitement|fright|curiosity|thirst|hunger|heat",
		M_CANCEL, CANCEL(G_DIE) },
	{ "die|dying|died laughing|happy|peacefully|old|naturally|comfortably|with|at", M_CANCEL, CANCEL(G_DIE) },
	{ "die|dying|died in peace|comfort|dignity|hospital|a|the|my own", M_CANCEL, CANCEL(G_DIE) },
	{ "die|dying|died my|your|her|his|our|their hair|roots|clothes|fabric|wool|jeans", M_CANCEL, CANCEL(G_DIE) },
	{ "dead good|easy|tired|lucky|right|funny|proud|chuffed|nice|posh|keen|jealous|handy|simple|quick|slow|quiet|busy|excited|boring|heavy|expensive|cheap|on",
		M_CANCEL, CANCEL(G_DIE) },
	{ "kill|killing|killed myself|himself|herself|themselves laughing", M_CANCEL, CANCEL(G_KILLSELF) },
	{ "could have ?@ADV killed myself", M_CANCEL, CANCEL(G_KILLSELF) },
	{ "could ?@ADV kill myself ?@ADV for|when|over|because|after|at|with", M_CANCEL, CANCEL(G_KILLSELF) },
	{ "nearly|almost ?@ADV killed myself *4 @ACCIDENT", M_CANCEL, CANCEL(G_KILLSELF) },
	{ "killing myself ?@ADV at|with|working|trying|doing|over|running|cleaning|training|getting", M_CANCEL, CANCEL(G_KILLSELF) },
	{ "@REFL *3 @ACCIDENT", M_CANCEL, CANCEL(G_HARM) },
	{ "accidentally|accidently|nearly|almost ?@ADV cut|cutting|burnt|burned|burn|hurt|hurting|injured|harmed|hit ?@ADV @REFL", M_CANCEL, CANCEL(G_HARM) },
	{ "overdose|overdosed|overdosing|od on ?the chocolate|sugar|cake|coffee|caffeine|carbs|netflix|sun|sunshine|telly|tv|christmas|vitamins|vitamin|puns|exercise|cheese|biscuits|crisps|sweets|love",
		M_CANCEL, CANCEL(G_OD) },
	{ "accidental|accidentally|accidently|accident|mistake|mistakenly", M_CANCEL_SENT, CANCEL(G_OD) | CANCEL(G_PILLS) },
	{ "@PILLS ?@ADV this|every morning|day|evening|night", M_CANCEL, CANCEL(G_PILLS) },
	{ "@PILLS ?@ADV with|before|after ?my|your|the|some breakfast|food|lunch|dinner|tea|meals|bed|water", M_CANCEL, CANCEL(G_PILLS) },
	{ "@PILLS ?@ADV as prescribed|directed|instructed|usual|normal", M_CANCEL, CANCEL(G_PILLS) },
	{ "@PILLS ?@ADV on time", M_CANCEL, CANCEL(G_PILLS) },
	{ "@PILLS ?@ADV like|as the ?nurse|doctor|gp|pharmacist|consultant said|told|says", M_CANCEL, CANCEL(G_PILLS) },
	{ "@PILLS ?@ADV for the day|week", M_CANCEL, CANCEL(G_PILLS) },
	{ "@PILLS ?@ADV today", M_CANCEL, CANCEL(G_PILLS) },
	{ "@PILLS ?@ADV to|into|in ?the|a|my ?local pharmacy|chemist|bin|surgery|hospital|doctor|gp|nurse|disposal", M_CANCEL, CANCEL(G_PILLS) },
	{ "@PILLS *3 disposal|disposing|recycling|returning|dispose|review", M_CANCEL, CANCEL(G_PILLS) },
	{ "#num mg|mcg|ml|milligrams|micrograms|units|g|grams", M_CANCEL, CANCEL(G_PILLS) },
	{ "forgot|forget|forgotten|remember|remembered|remind|reminded|reminder|need|needs|supposed|meant|have|has|had|got|told|tell|tells|asked|advised|careful|important|how|when ?@ADV to ?@ADV take|swallow",
		M_CANCEL, CANCEL(G_PILLS) },
	{ "@HURTV me ?@ADV when|if|once|because @SUBJPRO !@DVERB", M_CANCEL, CANCEL(G_KILLME) },
	{ "@HURTV me ?@ADV for", M_CANCEL, CANCEL(G_KILLME) },
	{ "@JOKE", M_CANCEL_SENT, CANCEL(G_KILLME) },
	{ "i ?have|had|would ?@ADV eaten|ate|broke|broken|lost|forgot|forgotten|spent|bought|crashed|ruined|scratched|dented|smashed|missed|drunk|finished|burnt|burned",
		M_CANCEL_SENT, CANCEL(G_KILLME) },
	{ "my last|final post|message *2 before|for|until|of|in|on|about|was|here|today|tonight", M_CANCEL, CANCEL(G_GOODBYE) },
	{ "to live for in|at|round|around this|the|that|our town|city|village|place|area|street|estate", M_CANCEL, CANCEL(G_MISC) },
	{ "hopeless at|with|about|when", M_CANCEL, CANCEL(G_MISC) },
	{ "a favour by|and|for", M_CANCEL, CANCEL(G_MISC) },
	{ "doing me|us a favour", M_CANCEL, CANCEL(G_MISC) },
	{ "lost *3 to suicide", M_CANCEL, CANCEL(G_SUICIDE) },
	{ "suicide|suicidal prevention|awareness|training|rate|rates|statistics|stats|bomber|bombers|bombing|squad|risk|research|charity|helpline|line|hotline|course|first|watch|tendencies",
		M_CANCEL, CANCEL(G_SUICIDE) },
	{ "take|taking|took|taken my ?own life back|away|over|into", M_CANCEL, CANCEL(G_TAKELIFE) },
	{ "take|taking|took|taken my ?own life in my|both|your|our ?own hands", M_CANCEL, CANCEL(G_TAKELIFE) },
	{ "has|have taken my ?whole life", M_CANCEL, CANCEL(G_TAKELIFE) },
	{ "it|that|this|which took|takes my ?whole life", M_CANCEL, CANCEL(G_TAKELIFE) },
	{ "could ?@ADV sleep forever", M_CANCEL, CANCEL(G_SLEEP) },
	{ "hit|hurt|attacked|bitten *2 by a|the car|ball|bus|van|bike|door|lorry|truck|cyclist|dog|dogs|cat|swan|bees|wasp",
		M_CANCEL, CANCEL(G_DANGER) },
	{ "hit|hits|threw|throws me with a|the|his|her pillow|cushion|towel|newspaper|sock|ball|snowball|joke|question|bill|teddy",
		M_CANCEL, CANCEL(G_DANGER) },

	/* Time. */
	{ "years|year|decades|months ago", M_DISTANT, 0 },
	{ "last year", M_DISTANT, 0 },
	{ "#year", M_DISTANT, 0 },
	{ "used to", M_DISTANT, 0 },
	{ "when i was|were", M_DISTANT, 0 },
	{ "as a teenager|teen|child|kid|student|youngster", M_DISTANT, 0 },
	{ "in my teens|twenties|thirties|forties|youth", M_DISTANT, 0 },
	{ "back then|when|in", M_DISTANT, 0 },
	{ "at the time", M_DISTANT, 0 },
	{ "in the past", M_DISTANT, 0 },
	{ "long ago", M_DISTANT, 0 },
	{ "long time ago", M_DISTANT, 0 },
	{ "at uni|school|university|college", M_DISTANT, 0 },
	{ "last night|week|weekend|month", M_RECENT, 0 },
	{ "yesterday|today|tonight|earlier|currently|recently|lately|again", M_RECENT, 0 },
	{ "this morning|afternoon|evening|week|weekend", M_RECENT, 0 },
	{ "just now", M_RECENT, 0 },
	{ "right now", M_RECENT, 0 },
	{ "hours|minutes|hour|days ago", M_RECENT, 0 },
	{ "have|has just", M_RECENT, 0 },
	{ "the other day|night", M_RECENT, 0 },
	{ "at the moment|minute", M_RECENT, 0 },

	/* Context. */
	{ "@MEDIA", M_MEDIA, 0 },
	{ "said|told|answered|replied|admitted|admit|say *3 yes|yeah|yep|honestly|truthfully", M_AFFIRM, 0 },
	{ "which|and i ?@ADV have|had|did|do|am $", M_AFFIRM, 0 },
	{ "is|was it ?@ADV normal|ok|okay|alright|wrong|bad|weird|common|natural|selfish|strange|terrible|awful|horrible to", M_FRAME, 0 },
	{ "anyone|anybody else", M_FRAME, 0 },
	{ "am i the only one", M_FRAME, 0 },
	{ "no way|chance", M_NEGFRAME, 0 },
	{ "never in a million years", M_NEGFRAME, 0 },
	{ "not that|because", M_NEGFRAME, 0 },

	/* The post as a whole. */
	{ "much|so|lot|far|loads|way ?@ADV better now", M_RECOVERY, 0 },
	{ "better place now", M_RECOVERY, 0 },
	{ "in a good|better|happier|safer place", M_RECOVERY, 0 },
	{ "in recovery", M_RECOVERY, 0 },
	{ "recovered", M_RECOVERY, 0 },
	{ "years|months|weeks|days clean", M_RECOVERY, 0 },
	{ "clean for|since", M_RECOVERY, 0 },
	{ "glad i ?@ADV did not|survived|failed", M_RECOVERY, 0 },
	{ "glad i ?@ADV am|is ?@ADV still here|alive|around", M_RECOVERY, 0 },
	{ "got ?the ?@ADV help", M_RECOVERY, 0 },
	{ "not anymore $", M_RECOVERY, 0 },
	{ "no longer feel|want|think|have", M_RECOVERY, 0 },
	{ "helped|saved me", M_RECOVERY, 0 },
	{ "died|funeral|grave|bereaved|bereavement|widow|widower|widowed|cremation|cremated|buried|burial", M_DEATH, 0 },
	{ "lost my|our ?@ADV @PERSON", M_DEATH, 0 },
	{ "passed ?@ADV away|on", M_DEATH, 0 },
	{ "death of", M_DEATH, 0 },
};
const size_t crisis_nmarks = ARRAY_LEN(crisis_marks);

const struct crisis_expand crisis_expands[] = {
	{ "dont", "do not" }, { "doesnt", "does not" }, { "didnt", "did not" }, { "cant", "can not" },
	{ "cannot", "can not" }, { "wont", "will not" }, { "wouldnt", "would not" },
	{ "couldnt", "could not" }, { "shouldnt", "should not" }, { "isnt", "is not" },
	{ "arent", "are not" }, { "wasnt", "was not" }, { "werent", "were not" },
	{ "havent", "have not" }, { "hasnt", "has not" }, { "hadnt", "had not" }, { "aint", "is not" },
	{ "mustnt", "must not" }, { "neednt", "need not" }, { "dnt", "do not" }, { "cnt", "can not" },
	{ "im", "i am" }, { "ive", "i have" }, { "youre", "you are" }, { "theyre", "they are" },
	{ "thats", "that is" }, { "whats", "what is" }, { "theres", "there is" }, { "hes", "he is" },
	{ "wanna", "want to" }, { "gonna", "going to" }, { "gotta", "got to" }, { "hafta", "have to" },
	{ "kinda", "kindof" }, { "sorta", "sortof" }, { "dunno", "do not know" }, { "lemme", "let me" },
	{ "gimme", "give me" }, { "imma", "i am going to" }, { "ima", "i am going to" },
	{ "idk", "i do not know" }, { "u", "you" }, { "ur", "your" }, { "r", "are" }, { "ya", "you" },
	{ "cuz", "because" }, { "coz", "because" }, { "cos", "because" }, { "bc", "because" },
	{ "tho", "though" }, { "rn", "right now" }, { "tmrw", "tomorrow" }, { "tmr", "tomorrow" },
	{ "2moro", "tomorrow" }, { "2day", "today" }, { "2nite", "tonight" }, { "tonite", "tonight" },
	{ "b4", "before" }, { "pls", "please" }, { "plz", "please" }, { "ppl", "people" },
	{ "sum1", "someone" }, { "some1", "someone" }, { "any1", "anyone" }, { "every1", "everyone" },
	{ "no1", "nobody" }, { "noone", "nobody" }, { "kms", "kill myself" }, { "wud", "would" },
	{ "cud", "could" }, { "shud", "should" }, { "wen", "when" }, { "wat", "what" },
	{ "nomore", "anymore" }, { "anymor", "anymore" }, { "anylonger", "anymore" },
	{ "cocodamol", "codamol" }, { "selfharming", "selfharm" }, { "selfharmed", "selfharm" },
	{ "selfharms", "selfharm" }, { "wanted2", "wanted to" }, { "want2", "want to" },
};
const size_t crisis_nexpands = ARRAY_LEN(crisis_expands);

const struct crisis_merge crisis_merges[] = {
	{ "any", "more", "anymore" }, { "any", "longer", "anymore" }, { "no", "one", "nobody" },
	{ "no", "body", "nobody" }, { "some", "one", "someone" }, { "some", "body", "somebody" },
	{ "every", "one", "everyone" }, { "every", "body", "everybody" }, { "any", "one", "anyone" },
	{ "any", "body", "anybody" }, { "self", "harm", "selfharm" }, { "self", "harming", "selfharm" },
	{ "self", "harmed", "selfharm" }, { "self", "harms", "selfharm" }, { "self", "injury", "selfharm" },
	{ "self", "injuring", "selfharm" }, { "self", "injure", "selfharm" }, { "good", "bye", "goodbye" },
	{ "over", "dose", "overdose" }, { "over", "dosed", "overdosed" }, { "over", "dosing", "overdosing" },
	{ "co", "codamol", "codamol" }, { "kind", "of", "kindof" }, { "sort", "of", "sortof" }, { "car", "park", "carpark" }, { "multi", "storey", "multistorey" },
};
const size_t crisis_nmerges = ARRAY_LEN(crisis_merges);

const struct crisis_alias crisis_aliases[] = {
	{ "sucidal", "suicidal" }, { "suicidle", "suicidal" }, { "suicdal", "suicidal" },
	{ "suisidal", "suicidal" }, { "suicidel", "suicidal" }, { "sucidle", "suicidal" },
	{ "suicidial", "suicidal" }, { "suicidall", "suicidal" }, { "sucide", "suicide" },
	{ "suicde", "suicide" }, { "suiside", "suicide" }, { "suiscide", "suicide" },
	{ "suicid", "suicide" }, { "sewerslide", "suicide" }, { "myslef", "myself" },
	{ "mysef", "myself" }, { "meself", "myself" }, { "myslf", "myself" }, { "mself", "myself" },
	{ "myselff", "myself" }, { "mysel", "myself" }, { "unalive", "kill" }, { "unalived", "killed" },
	{ "unaliving", "killing" }, { "dieing", "dying" }, { "bout", "about" }, { "abt", "about" }, { "tablts", "tablets" },
	{ "medz", "meds" }, { "paracetemol", "paracetamol" }, { "paracetomol", "paracetamol" },
	{ "paracetamal", "paracetamol" }, { "parcetamol", "paracetamol" }, { "overdoze", "overdose" },
	{ "oded", "overdosed" }, { "wnat", "want" }, { "wnt", "want" },
	{ "hopless", "hopeless" }, { "burdon", "burden" }, { "everyones", "everyone" },
	{ "nobodys", "nobody" }, { "enuf", "enough" }, { "mom", "mum" }, { "mam", "mum" },
	{ "mummy", "mum" }, { "mommy", "mum" }, { "daddy", "dad" }, { "hubby", "husband" },
	{ "bf", "boyfriend" }, { "gf", "girlfriend" }, { "missus", "wife" }, { "neighbor", "neighbour" },
	{ "sh", "selfharm" },
	{ "kil", "kill" }, { "killin", "killing" }, { "livin", "living" },
	{ "goin", "going" }, { "tryin", "trying" }, { "thinkin", "thinking" }, { "feelin", "feeling" },
	{ "endin", "ending" }, { "cuttin", "cutting" }, { "wantin", "wanting" },
};
const size_t crisis_naliases = ARRAY_LEN(crisis_aliases);

const char *const crisis_engine_words[] = {
	"if", "even", "else", "honest", "truthful", "own", "my", "our", "would", "lol", "#num",
	"#few", "#year", "to", "have", "want", "going", "need", "wish", "ready", "trying", "try",
	"tried", "used", "able", "stop", "help", "no", "more", "taken", "know", "me", "us",
};
const size_t crisis_nengine_words = ARRAY_LEN(crisis_engine_words);
