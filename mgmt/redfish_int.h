/* SPDX-License-Identifier: MIT */
/*
 * redfish_int.h - the Redfish vocabulary every resource handler speaks:
 * the Base message registry entries the service uses, the error body,
 * the mapping of -FM_E* codes to HTTP statuses, @odata helpers, request
 * body checks and ETags (DSP0266, the Redfish Specification).
 */
#ifndef MRFABRIC_MGMT_REDFISH_INT_H
#define MRFABRIC_MGMT_REDFISH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"
#include "mgmt/router_int.h"

struct json_object;

#define MGMT_RF_VERSION "1.20.0" /* DSP0266 version implemented */
#define MGMT_RF_SCHEMA_BASE "http://redfish.dmtf.org/schemas/v1/"
#define MGMT_BASE_REGISTRY "Base.1.22.1"
#define MGMT_BASE_REGISTRY_URI                                                 \
	"https://redfish.dmtf.org/registries/Base.1.22.1.json"
#define MGMT_MESSAGE_TYPE "#Message.v1_3_0.Message"

/*
 * The Base registry messages this service sends, with their text as
 * DMTF publishes it in Base.1.22.1 (a test compares every entry with
 * ../shared/redfish/registries/Base.1.22.1.json).  To use another
 * message, add it here and to redfish.c's table.
 */
enum mgmt_msg {
	MGMT_MSG_ACTION_PARAMETER_MISSING = 0,
	MGMT_MSG_ACTION_PARAMETER_UNKNOWN,
	MGMT_MSG_ACTION_PARAMETER_VALUE_NOT_IN_LIST,
	MGMT_MSG_ACTION_PARAMETER_VALUE_TYPE_ERROR,
	MGMT_MSG_EMPTY_JSON,
	MGMT_MSG_GENERAL_ERROR,
	MGMT_MSG_HEADER_INVALID,
	MGMT_MSG_INSUFFICIENT_PRIVILEGE,
	MGMT_MSG_INTERNAL_ERROR,
	MGMT_MSG_MALFORMED_JSON,
	MGMT_MSG_NO_VALID_SESSION,
	MGMT_MSG_OPERATION_FAILED,
	MGMT_MSG_OPERATION_NOT_ALLOWED,
	MGMT_MSG_OPERATION_TIMEOUT,
	MGMT_MSG_PAYLOAD_TOO_LARGE,
	MGMT_MSG_PRECONDITION_FAILED,
	MGMT_MSG_PRECONDITION_REQUIRED,
	MGMT_MSG_PROPERTY_MISSING,
	MGMT_MSG_PROPERTY_NOT_WRITABLE,
	MGMT_MSG_PROPERTY_UNKNOWN,
	MGMT_MSG_PROPERTY_VALUE_FORMAT_ERROR,
	MGMT_MSG_PROPERTY_VALUE_NOT_IN_LIST,
	MGMT_MSG_PROPERTY_VALUE_TYPE_ERROR,
	MGMT_MSG_QUERY_PARAMETER_UNSUPPORTED,
	MGMT_MSG_RESOURCE_ALREADY_EXISTS,
	MGMT_MSG_RESOURCE_AT_URI_UNAUTHORIZED,
	MGMT_MSG_RESOURCE_EXHAUSTION,
	MGMT_MSG_RESOURCE_IN_USE,
	MGMT_MSG_RESOURCE_MISSING_AT_URI,
	MGMT_MSG_SERVICE_TEMPORARILY_UNAVAILABLE,
	MGMT_MSG_COUNT
};

struct mgmt_msg_def {
	const char *id;	      /* "PropertyUnknown" */
	const char *message;  /* "%1", "%2", ... stand for the arguments */
	const char *severity; /* "OK", "Warning", "Critical" */
	const char *resolution;
	unsigned nargs;
	unsigned prop_arg; /* 1-based argument naming a property, 0: none */
};

extern const struct mgmt_msg_def mgmt_base_messages[MGMT_MSG_COUNT];

/*
 * Make @resp the Redfish error response @status carrying message @msg,
 * whose arguments follow as exactly nargs strings (const char *):
 *   {"error": {"code": "Base.1.22.1.GeneralError",
 *              "message": <GeneralError text>,
 *              "@Message.ExtendedInfo": [<the message>]}}
 * A message object holds @odata.type, MessageId ("Base.1.22.1.<id>"),
 * Message (arguments substituted), MessageArgs, MessageSeverity and
 * Resolution; RelatedProperties for the messages about a property
 * (whose property argument is an RFC 6901 pointer, "/Name").  Returns
 * -FM_EINVAL, so a handler can `return mgmt_rf_error(...)`, or -FM_ENOMEM
 * (the dispatcher then sends a bare 500).
 */
int mgmt_rf_error(struct mgmt_resp *resp, unsigned status, enum mgmt_msg msg,
		  ...);
/*
 * Append one more message to the error in @resp (made by mgmt_rf_error()).
 * Same arguments and returns.
 */
int mgmt_rf_error_add(struct mgmt_resp *resp, enum mgmt_msg msg, ...);
/*
 * The error response for -FM_E* @code (positive or negative) about
 * @uri: one table maps each code to a status and a message (404
 * ResourceMissingAtURI, 409 ResourceInUse, ...).  Where the registry has
 * no message of that meaning, GeneralError carries @detail (the fm_err
 * message) as its service-defined Resolution.
 */
int mgmt_rf_error_from_code(struct mgmt_resp *resp, int code, const char *uri,
			    const char *detail);
/* HTTP status the table gives -FM_E* @code. */
unsigned mgmt_rf_status_from_code(int code);

/*
 * @odata helpers.  They return 0 or -FM_ENOMEM; a failed set leaves the
 * object without that member and releases the value.  Sequences can be
 * checked once: `bad |= mgmt_rf_set(...); ...; if (bad) goto nomem;`.
 */
/* Add @val (a reference taken, also on failure) as @key of @obj. */
int mgmt_rf_set(struct json_object *obj, const char *key,
		struct json_object *val);
int mgmt_rf_set_str(struct json_object *obj, const char *key, const char *val);
int mgmt_rf_set_fmt(struct json_object *obj, const char *key, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
/* {"@odata.id": uri} as @key of @obj. */
int mgmt_rf_set_link(struct json_object *obj, const char *key, const char *uri);
/* {"@odata.id": uri}, NULL when out of memory. */
struct json_object *mgmt_rf_link_new(const char *uri);

/*
 * A new resource body: @odata.id @uri, @odata.type @type, Id (the last
 * segment of @uri, as DSP0266 requires of collection members) and Name.
 * *out is a new reference.  -FM_ENOMEM.
 */
int mgmt_rf_resource_new(struct json_object **out, const char *uri,
			 const char *type, const char *name,
			 struct fm_err *err);
/*
 * A new resource collection: @odata.id, @odata.type, Name, Members [] and
 * Members@odata.count 0.  Add members with mgmt_rf_collection_add().
 */
int mgmt_rf_collection_new(struct json_object **out, const char *uri,
			   const char *type, const char *name,
			   struct fm_err *err);
int mgmt_rf_collection_add(struct json_object *coll, const char *member_uri,
			   struct fm_err *err);

/*
 * The end of a GET-like handler: when @ret is 0, answer @status with
 * body @o (its reference passes to @resp) and return 0; else release @o
 * (NULL is fine) and return @ret.
 */
int mgmt_rf_reply(struct mgmt_resp *resp, unsigned status,
		  struct json_object *o, int ret);
/* -FM_ENOMEM with "@uri: out of memory" in @err. */
int mgmt_rf_nomem(struct fm_err *err, const char *uri);

/*
 * The id a URI segment @s names: decimal without leading zeros, as the
 * service writes ids (1 to 19 digits).  Anything else, NULL included,
 * names no @what: -FM_ENOENT.
 */
int mgmt_rf_id_parse(uint64_t *id, const char *s, const char *what,
		     struct fm_err *err);

/* ISO 8601 UTC of @ms since the epoch ("2026-11-22T03:24:02Z"). */
#define MGMT_RF_TIME_LEN 32
void mgmt_rf_time(char out[MGMT_RF_TIME_LEN], int64_t ms);

/*
 * The versioned schema a type names: "#Zone.v1_6_3.Zone" ->
 * "Zone.v1_6_3", "#ZoneCollection.ZoneCollection" -> "ZoneCollection".
 * Returns the length written (without NUL), or 0 when @type is not of
 * the form "#Namespace[.vX_Y_Z].Type" or does not fit in @len bytes.
 */
size_t mgmt_rf_type_schema(char *out, size_t len, const char *type);

/*
 * Request body checks.  A handler of PATCH, of POST to a collection or of
 * an action lists the properties (parameters) it knows;
 * mgmt_rf_check_props() reports every member of @body that is unknown,
 * read-only, of the wrong JSON type or not one of the allowed values, and
 * every required one that is missing, as one 400 error with a message
 * each: PropertyUnknown, PropertyNotWritable, PropertyValueTypeError,
 * PropertyValueNotInList, PropertyMissing; for an action (@action its
 * name, "Zone.AddEndpoint") the ActionParameter* messages instead.
 * @odata.* annotations are read-only properties.  Returns 0 when the
 * body is acceptable, else -FM_EINVAL (or -FM_ENOMEM) with the error in
 * @resp.  A NULL @body counts as an empty object.
 */
enum mgmt_prop_type {
	MGMT_PROP_STRING = 0,
	MGMT_PROP_INT,
	MGMT_PROP_NUMBER, /* integer or not */
	MGMT_PROP_BOOL,
	MGMT_PROP_OBJECT,
	MGMT_PROP_ARRAY,
};

struct mgmt_prop {
	const char *name;
	enum mgmt_prop_type type;
	bool writable; /* ignored for action parameters */
	bool required;
	bool nullable;		   /* null is accepted */
	const char *const *values; /* strings: the allowed ones, NULL-ended;
				      NULL: any */
};

int mgmt_rf_check_props(struct mgmt_resp *resp, const struct json_object *body,
			const struct mgmt_prop *props, size_t nprops,
			const char *action);

/*
 * Strong ETag of @len bytes of @body: a 64-bit FNV-1a hash as
 * "\"<16 hex digits>\"" (with the quotes, as the header carries it).
 */
#define MGMT_ETAG_LEN 19 /* 16 digits, 2 quotes, NUL */
void mgmt_rf_etag(char out[MGMT_ETAG_LEN], const char *body, size_t len);

/*
 * True when the If-Match / If-None-Match list @list ("\"a\", \"b\"" or
 * "*") names @etag.  @weak selects RFC 7232 2.3.2 weak comparison
 * (If-None-Match), where W/"x" matches "x"; with strong comparison
 * (If-Match) a weak tag never matches.
 */
bool mgmt_rf_etag_listed(const char *list, const char *etag, bool weak);

#endif
