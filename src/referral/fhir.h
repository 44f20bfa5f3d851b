/*
 * fhir.h - referrals as FHIR R4 resources following the UK Core profiles,
 * and a ServiceRequest sent by another system read into a referral.
 *
 * Pure functions: no database, no HTTP. The handlers (referral_api.c)
 * load a referral, ask referral_view() for what this caller may see, and
 * turn that object into a resource here, so FHIR shows exactly what the
 * pages and the JSON API show and never more: a caller who may not see
 * the person gets a subject with no name, no NHS number and no contact
 * details; a reason the view leaves out is not in a note.
 *
 * base is the site's base URL with no trailing slash
 * ("https://kith.example.org"). kith's own code systems, identifier
 * systems and extensions are named under it, so each kith's ids are its
 * own namespace:
 *
 *   <base>/fhir/sid/<type>        a target's id: type is ref_target_name()
 *                                 ("service", "group", "peer", "help_request")
 *   <base>/fhir/sid/organisation  an organisation's id
 *   <base>/fhir/sid/client        the referred person's record id
 *   <base>/fhir/CodeSystem/need           ref_needs codes
 *   <base>/fhir/CodeSystem/referral-status ref_status_name() words
 *   <base>/fhir/CodeSystem/decline-reason  ref_decline_reasons codes
 *   <base>/fhir/CodeSystem/close-reason    ref_close_reasons codes
 *   <base>/fhir/StructureDefinition/consent         valueCode share|contact|outcome
 *   <base>/fhir/StructureDefinition/consent-method  valueCode verbal|written|online
 *
 * Receiving a referral (POST /fhir/ServiceRequest), the accepted form:
 *
 *   {"resourceType": "ServiceRequest", "status": "active", "intent": "order",
 *    "identifier": [{"system": "https://gp.example/referrals", "value": "R-123"}],
 *    "contained": [{"resourceType": "Patient", "id": "p",
 *        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}],
 *        "name": [{"given": ["Ann"], "family": "Other"}],   (or "text")
 *        "telecom": [{"system": "email", "value": "ann@example.org", "rank": 1},
 *                    {"system": "phone", "value": "01632 960001"}],
 *        "address": [{"line": ["1 High Street"], "city": "Northtown", "postalCode": "NT1 1AA"}],
 *        "birthDate": "1950-02-01",
 *        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}}]}],
 *    "subject": {"reference": "#p"},
 *    "performer": [{"identifier": {"system": "<base>/fhir/sid/service", "value": "<service uuid>"}}],
 *    "reasonCode": [{"coding": [{"system": "<base>/fhir/CodeSystem/need", "code": "loneliness"}]},
 *                   {"coding": [{"system": "http://snomed.info/sct", "code": "<a need's SNOMED code>"}]}],
 *    "note": [{"text": "In the person's own words"},
 *             {"text": "Accessibility needs: A hearing loop, please"}],
 *    "extension": [{"url": "<base>/fhir/StructureDefinition/consent", "valueCode": "share"},
 *                  {"url": "<base>/fhir/StructureDefinition/consent", "valueCode": "contact"},
 *                  {"url": "<base>/fhir/StructureDefinition/consent-method", "valueCode": "written"}]}
 *
 * The subject may instead be a logical reference with no contained
 * Patient: {"identifier": {NHS number}, "display": "Ann Other"} (then
 * the person is contacted through the referrer), or kith's record of a
 * person the sender referred before, {"identifier": {"system":
 * "<base>/fhir/sid/client", "value": <the id kith gave>}} (a second open
 * referral of that person to the same place is then refused, 409). How to contact them is
 * the telecom ranked first (email, or phone/sms), else an email, else a
 * phone, else an address (post), else through the referrer
 * ("link_worker"). Consent to share, with its method, is required; a
 * referral without it is refused, saying which extension is missing.
 * The first identifier becomes the referral's external id ("system|value").
 */
#ifndef KITH_FHIR_H
#define KITH_FHIR_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "referral/referral.h"

#define FHIR_VERSION "4.0.1"
#define FHIR_MIME "application/fhir+json"
#define FHIR_SNOMED "http://snomed.info/sct"
#define FHIR_NHS_NUMBER "https://fhir.nhs.uk/Id/nhs-number"
#define FHIR_SR_PROFILE "https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"
#define FHIR_TASK_PROFILE "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Task"
#define FHIR_PATIENT_PROFILE "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
/* "Referral to social prescribing service" */
#define FHIR_SP_CODE "871731000000106"
#define FHIR_SP_DISPLAY "Referral to social prescribing service"

#define FHIR_SID "/fhir/sid/"
#define FHIR_SID_ORG "/fhir/sid/organisation"
#define FHIR_SID_CLIENT "/fhir/sid/client"
#define FHIR_CS_NEED "/fhir/CodeSystem/need"
#define FHIR_CS_STATUS "/fhir/CodeSystem/referral-status"
#define FHIR_CS_DECLINE "/fhir/CodeSystem/decline-reason"
#define FHIR_CS_CLOSE "/fhir/CodeSystem/close-reason"
#define FHIR_EXT_CONSENT "/fhir/StructureDefinition/consent"
#define FHIR_EXT_CONSENT_METHOD "/fhir/StructureDefinition/consent-method"

/* Limits on what a received ServiceRequest may hold (more is 422). */
#define FHIR_LIST_MAX 32           /* items in any array we read */
#define FHIR_EXTERNAL_ID_MAX 200   /* "system|value", bytes */

/* The CapabilityStatement for GET /fhir/metadata (a new reference, NULL
 * when out of memory): status active, kind instance, fhirVersion 4.0.1,
 * format json, one server rest entry with ServiceRequest (read, create)
 * and Task (read), bearer-token security, and the accepted form of a
 * received ServiceRequest in words. version is kith's. */
json_t *fhir_capability(const char *base, const char *version, int64_t now);

/* The ServiceRequest for a referral, from referral_view()'s object (for
 * this caller; borrowed). external_id is the sending system's
 * "system|value" or "value" (NULL: none). A new reference, NULL when out
 * of memory or when view lacks id, status or sent_at. */
json_t *fhir_service_request(const json_t *view, const char *base, const char *external_id);

/* The Task carrying the lifecycle of the same referral (same id). */
json_t *fhir_task(const json_t *view, const char *base);

/* FHIR Task.status and ServiceRequest.status for a kith status. */
const char *fhir_task_status(enum ref_status s);
const char *fhir_request_status(enum ref_status s);

/* Reads a received ServiceRequest into out (source "external"). Strings
 * are borrowed from doc or copied into a; out->needs is in a. Problems
 * are appended to issues as {"field": FHIRPath, "detail": what to fix}.
 * ERR_BAD_REQUEST when doc is not a ServiceRequest at all (one issue),
 * ERR_INVALID when something in it is wrong or missing, ERR_NOMEM;
 * ERR_OK when nothing was appended. Whether the target exists, and
 * the rules referral_check() applies, are the caller's to ask. */
enum err fhir_parse_service_request(const json_t *doc, const char *base, struct arena *a,
		struct ref_new *out, json_t *issues);

/* The FHIRPath a referral_check() field name ("person.email") stands for
 * in a received ServiceRequest ("ServiceRequest.contained.telecom"). */
const char *fhir_expression(const char *field);

#endif
