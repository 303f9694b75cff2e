/* SPDX-License-Identifier: MIT */
/*
 * redfish.c - the Redfish vocabulary of mgmt/: Base registry messages,
 * the error body, the -FM_E* to HTTP status table, @odata helpers,
 * request body checks and ETags.  See redfish_int.h.
 */
#include "mgmt/redfish_int.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RF_MAX_ARGS 9	   /* %1..%9 */
#define RF_TEXT_MAX 1024   /* a message with its arguments substituted */
#define RF_POINTER_MAX 256 /* an RFC 6901 pointer to a property */

/*
 * Base.1.22.1 (DMTF DSP8011), the entries this service uses, verbatim:
 * Message, MessageSeverity, Resolution, NumberOfArgs.  prop_arg marks the
 * argument that names a property (it also goes to RelatedProperties).
 */
/* clang-format off: one field a line, the registry's text verbatim */
const struct mgmt_msg_def mgmt_base_messages[MGMT_MSG_COUNT] = {
	[MGMT_MSG_ACTION_PARAMETER_MISSING] = {
		.id = "ActionParameterMissing",
		.message =
			"The action %1 requires the parameter %2 to be "
			"present in the request body.",
		.severity = "Critical",
		.resolution =
			"Supply the action with the required parameter in the "
			"request body when the request is resubmitted.",
		.nargs = 2,
		.prop_arg = 2,
	},
	[MGMT_MSG_ACTION_PARAMETER_UNKNOWN] = {
		.id = "ActionParameterUnknown",
		.message =
			"The action %1 was submitted with the invalid "
			"parameter %2.",
		.severity = "Warning",
		.resolution =
			"Correct the invalid action parameter and resubmit "
			"the request if the operation failed.",
		.nargs = 2,
		.prop_arg = 2,
	},
	[MGMT_MSG_ACTION_PARAMETER_VALUE_NOT_IN_LIST] = {
		.id = "ActionParameterValueNotInList",
		.message =
			"The value '%1' for the parameter %2 in the action %3 "
			"is not in the list of acceptable values.",
		.severity = "Warning",
		.resolution =
			"Choose a value from the enumeration list that the "
			"implementation can support and resubmit the request "
			"if the operation failed.",
		.nargs = 3,
		.prop_arg = 2,
	},
	[MGMT_MSG_ACTION_PARAMETER_VALUE_TYPE_ERROR] = {
		.id = "ActionParameterValueTypeError",
		.message =
			"The value '%1' for the parameter %2 in the action %3 "
			"is not a type that the parameter can accept.",
		.severity = "Warning",
		.resolution =
			"Correct the value for the parameter in the request "
			"body and resubmit the request if the operation "
			"failed.",
		.nargs = 3,
		.prop_arg = 2,
	},
	[MGMT_MSG_EMPTY_JSON] = {
		.id = "EmptyJSON",
		.message =
			"The request body submitted contained an empty JSON "
			"object and the service is unable to process it.",
		.severity = "Warning",
		.resolution =
			"Add properties in the JSON object and resubmit the "
			"request.",
		.nargs = 0,
	},
	[MGMT_MSG_GENERAL_ERROR] = {
		.id = "GeneralError",
		.message =
			"A general error has occurred.  See Resolution for "
			"information on how to resolve the error, or "
			"@Message.ExtendedInfo if Resolution is not provided.",
		.severity = "Critical",
		.resolution =
			"None.",
		.nargs = 0,
	},
	[MGMT_MSG_HEADER_INVALID] = {
		.id = "HeaderInvalid",
		.message =
			"Header '%1' is invalid.",
		.severity = "Critical",
		.resolution =
			"Resubmit the request with a valid request header.",
		.nargs = 1,
	},
	[MGMT_MSG_INSUFFICIENT_PRIVILEGE] = {
		.id = "InsufficientPrivilege",
		.message =
			"There are insufficient privileges for the account or "
			"credentials associated with the current session to "
			"perform the requested operation.",
		.severity = "Critical",
		.resolution =
			"Either abandon the operation or change the "
			"associated access rights and resubmit the request if "
			"the operation failed.",
		.nargs = 0,
	},
	[MGMT_MSG_INTERNAL_ERROR] = {
		.id = "InternalError",
		.message =
			"The request failed due to an internal service error. "
			" The service is still operational.",
		.severity = "Critical",
		.resolution =
			"Resubmit the request.  If the problem persists, "
			"consider resetting the service.",
		.nargs = 0,
	},
	[MGMT_MSG_MALFORMED_JSON] = {
		.id = "MalformedJSON",
		.message =
			"The request body submitted was malformed JSON and "
			"could not be parsed by the receiving service.",
		.severity = "Critical",
		.resolution =
			"Ensure that the request body is valid JSON and "
			"resubmit the request.",
		.nargs = 0,
	},
	[MGMT_MSG_NO_VALID_SESSION] = {
		.id = "NoValidSession",
		.message =
			"There is no valid session established with the "
			"implementation.",
		.severity = "Critical",
		.resolution =
			"Establish a session before attempting any operations.",
		.nargs = 0,
	},
	[MGMT_MSG_OPERATION_FAILED] = {
		.id = "OperationFailed",
		.message =
			"An error occurred internal to the service as part of "
			"the overall request.  Partial results may have been "
			"returned.",
		.severity = "Warning",
		.resolution =
			"Resubmit the request.  If the problem persists, "
			"consider resetting the service or provider.",
		.nargs = 0,
	},
	[MGMT_MSG_OPERATION_NOT_ALLOWED] = {
		.id = "OperationNotAllowed",
		.message =
			"The HTTP method is not allowed on this resource.",
		.severity = "Critical",
		.resolution =
			"None.",
		.nargs = 0,
	},
	[MGMT_MSG_OPERATION_TIMEOUT] = {
		.id = "OperationTimeout",
		.message =
			"A timeout internal to the service occurred as part "
			"of the request.  Partial results may have been "
			"returned.",
		.severity = "Warning",
		.resolution =
			"Resubmit the request.  If the problem persists, "
			"consider resetting the service or provider.",
		.nargs = 0,
	},
	[MGMT_MSG_PAYLOAD_TOO_LARGE] = {
		.id = "PayloadTooLarge",
		.message =
			"The supplied payload exceeds the maximum size "
			"supported by the service.",
		.severity = "Critical",
		.resolution =
			"Check that the supplied payload is correct and "
			"supported by this service.",
		.nargs = 0,
	},
	[MGMT_MSG_PRECONDITION_FAILED] = {
		.id = "PreconditionFailed",
		.message =
			"The ETag supplied did not match the ETag required to "
			"change this resource.",
		.severity = "Critical",
		.resolution =
			"Try the operation again using the appropriate ETag.",
		.nargs = 0,
	},
	[MGMT_MSG_PROPERTY_MISSING] = {
		.id = "PropertyMissing",
		.message =
			"The property %1 is a required property and must be "
			"included in the request.",
		.severity = "Warning",
		.resolution =
			"Ensure that the property is in the request body and "
			"has a valid value and resubmit the request if the "
			"operation failed.",
		.nargs = 1,
		.prop_arg = 1,
	},
	[MGMT_MSG_PROPERTY_NOT_WRITABLE] = {
		.id = "PropertyNotWritable",
		.message =
			"The property %1 is a read-only property and cannot "
			"be assigned a value.",
		.severity = "Warning",
		.resolution =
			"Remove the property from the request body and "
			"resubmit the request if the operation failed.",
		.nargs = 1,
		.prop_arg = 1,
	},
	[MGMT_MSG_PROPERTY_UNKNOWN] = {
		.id = "PropertyUnknown",
		.message =
			"The property %1 is not in the list of valid "
			"properties for the resource.",
		.severity = "Warning",
		.resolution =
			"Remove the unknown property from the request body "
			"and resubmit the request if the operation failed.",
		.nargs = 1,
		.prop_arg = 1,
	},
	[MGMT_MSG_PRECONDITION_REQUIRED] = {
		.id = "PreconditionRequired",
		.message =
			"A precondition header or annotation is required to "
			"change this resource.",
		.severity = "Critical",
		.resolution =
			"Try the operation again using an If-Match or "
			"If-None-Match header and appropriate ETag.",
		.nargs = 0,
	},
	[MGMT_MSG_PROPERTY_VALUE_FORMAT_ERROR] = {
		.id = "PropertyValueFormatError",
		.message =
			"The value '%1' for the property %2 is not a format "
			"that the property can accept.",
		.severity = "Warning",
		.resolution =
			"Correct the value for the property in the request "
			"body and resubmit the request if the operation "
			"failed.",
		.nargs = 2,
		.prop_arg = 2,
	},
	[MGMT_MSG_RESOURCE_ALREADY_EXISTS] = {
		.id = "ResourceAlreadyExists",
		.message =
			"The requested resource of type %1 with the property "
			"%2 with the value '%3' already exists.",
		.severity = "Critical",
		.resolution =
			"Do not repeat the create operation as the resource "
			"was already created.",
		.nargs = 3,
		.prop_arg = 2,
	},
	[MGMT_MSG_RESOURCE_AT_URI_UNAUTHORIZED] = {
		.id = "ResourceAtUriUnauthorized",
		.message =
			"While accessing the resource at '%1', the service "
			"received an authorization error '%2'.",
		.severity = "Critical",
		.resolution =
			"Ensure that the appropriate access is provided for "
			"the service in order for it to access the URI.",
		.nargs = 2,
	},
	[MGMT_MSG_PROPERTY_VALUE_NOT_IN_LIST] = {
		.id = "PropertyValueNotInList",
		.message =
			"The value '%1' for the property %2 is not in the "
			"list of acceptable values.",
		.severity = "Warning",
		.resolution =
			"Choose a value from the enumeration list that the "
			"implementation can support and resubmit the request "
			"if the operation failed.",
		.nargs = 2,
		.prop_arg = 2,
	},
	[MGMT_MSG_PROPERTY_VALUE_TYPE_ERROR] = {
		.id = "PropertyValueTypeError",
		.message =
			"The value '%1' for the property %2 is not a type "
			"that the property can accept.",
		.severity = "Warning",
		.resolution =
			"Correct the value for the property in the request "
			"body and resubmit the request if the operation "
			"failed.",
		.nargs = 2,
		.prop_arg = 2,
	},
	[MGMT_MSG_QUERY_PARAMETER_UNSUPPORTED] = {
		.id = "QueryParameterUnsupported",
		.message =
			"Query parameter '%1' is not supported.",
		.severity = "Warning",
		.resolution =
			"Correct or remove the query parameter and resubmit "
			"the request.",
		.nargs = 1,
	},
	[MGMT_MSG_RESOURCE_EXHAUSTION] = {
		.id = "ResourceExhaustion",
		.message =
			"The resource '%1' was unable to satisfy the request "
			"due to unavailability of resources.",
		.severity = "Critical",
		.resolution =
			"Ensure that the resources are available and resubmit "
			"the request.",
		.nargs = 1,
	},
	[MGMT_MSG_RESOURCE_IN_USE] = {
		.id = "ResourceInUse",
		.message =
			"The change to the requested resource failed because "
			"the resource is in use or in transition.",
		.severity = "Warning",
		.resolution =
			"Remove the condition and resubmit the request if the "
			"operation failed.",
		.nargs = 0,
	},
	[MGMT_MSG_RESOURCE_MISSING_AT_URI] = {
		.id = "ResourceMissingAtURI",
		.message =
			"The resource at the URI '%1' was not found.",
		.severity = "Critical",
		.resolution =
			"Place a valid resource at the URI or correct the URI "
			"and resubmit the request.",
		.nargs = 1,
	},
	[MGMT_MSG_SERVICE_TEMPORARILY_UNAVAILABLE] = {
		.id = "ServiceTemporarilyUnavailable",
		.message =
			"The service is temporarily unavailable.  Retry in %1 "
			"seconds.",
		.severity = "Critical",
		.resolution =
			"Wait for the indicated retry duration and retry the "
			"operation.",
		.nargs = 1,
	},
};
/* clang-format on */

/* ---------------------------------------------------------------------
 * Error bodies
 */

/* Substitute %1..%9 of @fmt with @args into @out (truncated to @len). */
static void rf_message_format(char *out, size_t len, const char *fmt,
			      const char *const *args, unsigned nargs)
{
	size_t n = 0;
	const char *p;

	for (p = fmt; *p && n + 1 < len; p++) {
		const char *sub = NULL;
		unsigned idx;

		if (p[0] == '%' && p[1] >= '1' && p[1] <= '9') {
			idx = (unsigned)(p[1] - '1');
			if (idx < nargs) {
				sub = args[idx];
				p++;
			}
		}
		if (!sub) {
			out[n++] = *p;
			continue;
		}
		while (*sub && n + 1 < len)
			out[n++] = *sub++;
	}
	out[n] = '\0';
}

static struct json_object *rf_message_new(enum mgmt_msg msg,
					  const char *const *args,
					  const char *resolution)
{
	const struct mgmt_msg_def *def = &mgmt_base_messages[msg];
	char text[RF_TEXT_MAX];
	struct json_object *m, *margs;
	unsigned i;
	int bad = 0;

	m = json_object_new_object();
	margs = json_object_new_array_ext((int)def->nargs);
	if (!m || !margs) {
		json_object_put(m);
		json_object_put(margs);
		return NULL;
	}
	for (i = 0; i < def->nargs; i++) {
		struct json_object *a = json_object_new_string(args[i]);

		if (!a || json_object_array_add(margs, a) != 0) {
			json_object_put(a);
			bad = -FM_ENOMEM;
		}
	}
	rf_message_format(text, sizeof(text), def->message, args, def->nargs);
	bad |= mgmt_rf_set_str(m, "@odata.type", MGMT_MESSAGE_TYPE);
	bad |= mgmt_rf_set_fmt(m, "MessageId", MGMT_BASE_REGISTRY ".%s",
			       def->id);
	bad |= mgmt_rf_set_str(m, "Message", text);
	bad |= mgmt_rf_set(m, "MessageArgs", margs);
	bad |= mgmt_rf_set_str(m, "MessageSeverity", def->severity);
	bad |= mgmt_rf_set_str(m, "Resolution",
			       resolution ? resolution : def->resolution);
	if (def->prop_arg) {
		/* RelatedProperties holds the pointer as a fragment: "#/Name" */
		char ptr[RF_POINTER_MAX + 2];
		struct json_object *rel = json_object_new_array_ext(1);
		struct json_object *s;

		snprintf(ptr, sizeof(ptr), "#%s", args[def->prop_arg - 1]);
		s = json_object_new_string(ptr);
		if (!rel || !s || json_object_array_add(rel, s) != 0) {
			json_object_put(s);
			bad = -FM_ENOMEM;
		}
		bad |= mgmt_rf_set(m, "RelatedProperties", rel);
	}
	if (bad) {
		json_object_put(m);
		return NULL;
	}
	return m;
}

static int rf_error_append(struct mgmt_resp *resp, enum mgmt_msg msg,
			   const char *const *args, const char *resolution)
{
	struct json_object *error, *info, *m;

	if (!resp->json ||
	    !json_object_object_get_ex(resp->json, "error", &error) ||
	    !json_object_object_get_ex(error, "@Message.ExtendedInfo", &info))
		return -FM_EINVAL;
	m = rf_message_new(msg, args, resolution);
	if (!m || json_object_array_add(info, m) != 0) {
		json_object_put(m);
		return -FM_ENOMEM;
	}
	return -FM_EINVAL;
}

static int rf_error_set(struct mgmt_resp *resp, unsigned status,
			enum mgmt_msg msg, const char *const *args,
			const char *resolution)
{
	const struct mgmt_msg_def *general =
		&mgmt_base_messages[MGMT_MSG_GENERAL_ERROR];
	struct json_object *body, *error;
	int bad = 0;

	body = json_object_new_object();
	error = json_object_new_object();
	if (!body || !error) {
		json_object_put(body);
		json_object_put(error);
		goto nomem;
	}
	bad |= mgmt_rf_set(body, "error", error);
	bad |= mgmt_rf_set_fmt(error, "code", MGMT_BASE_REGISTRY ".%s",
			       general->id);
	bad |= mgmt_rf_set_str(error, "message", general->message);
	bad |= mgmt_rf_set(error, "@Message.ExtendedInfo",
			   json_object_new_array());
	if (bad) {
		json_object_put(body);
		goto nomem;
	}
	mgmt_resp_set_json(resp, status, body);
	return rf_error_append(resp, msg, args, resolution);
nomem:
	/* the dispatcher turns a response without body into a bare 500 */
	mgmt_resp_set_json(resp, 500, NULL);
	return -FM_ENOMEM;
}

/* Collect the nargs string arguments of @msg from @ap into @args. */
static void rf_args(const char **args, enum mgmt_msg msg, va_list ap)
{
	unsigned i;

	for (i = 0; i < mgmt_base_messages[msg].nargs && i < RF_MAX_ARGS; i++) {
		args[i] = va_arg(ap, const char *);
		if (!args[i])
			args[i] = "null";
	}
}

int mgmt_rf_error(struct mgmt_resp *resp, unsigned status, enum mgmt_msg msg,
		  ...)
{
	const char *args[RF_MAX_ARGS];
	va_list ap;

	va_start(ap, msg);
	rf_args(args, msg, ap);
	va_end(ap);
	return rf_error_set(resp, status, msg, args, NULL);
}

int mgmt_rf_error_add(struct mgmt_resp *resp, enum mgmt_msg msg, ...)
{
	const char *args[RF_MAX_ARGS];
	va_list ap;

	va_start(ap, msg);
	rf_args(args, msg, ap);
	va_end(ap);
	return rf_error_append(resp, msg, args, NULL);
}

/*
 * -FM_E* -> HTTP status and message.  A message with one argument gets
 * @arg, or the URI when @arg is NULL; GeneralError gets the error's own
 * text as its Resolution (the registry asks for a service-defined one).
 * To change how an error code reaches clients, change this table,
 * nowhere else.
 */
static const struct rf_code_map {
	unsigned status;
	enum mgmt_msg msg;
	const char *arg;
} rf_code_map[FM_ECOUNT] = {
	[FM_EOK] = { 500, MGMT_MSG_INTERNAL_ERROR },
	[FM_EINVAL] = { 400, MGMT_MSG_GENERAL_ERROR },
	[FM_ENOMEM] = { 500, MGMT_MSG_INTERNAL_ERROR },
	[FM_ENOENT] = { 404, MGMT_MSG_RESOURCE_MISSING_AT_URI },
	[FM_EEXIST] = { 409, MGMT_MSG_GENERAL_ERROR },
	[FM_EBUSY] = { 409, MGMT_MSG_RESOURCE_IN_USE },
	[FM_ERANGE] = { 400, MGMT_MSG_GENERAL_ERROR },
	[FM_EIO] = { 500, MGMT_MSG_OPERATION_FAILED },
	[FM_ESTATE] = { 409, MGMT_MSG_GENERAL_ERROR },
	[FM_ETIMEDOUT] = { 500, MGMT_MSG_OPERATION_TIMEOUT },
	[FM_EPARSE] = { 400, MGMT_MSG_MALFORMED_JSON },
	[FM_ESCHEMA] = { 400, MGMT_MSG_GENERAL_ERROR },
	[FM_ENOSPC] = { 409, MGMT_MSG_RESOURCE_EXHAUSTION },
	[FM_EPERM] = { 403, MGMT_MSG_INSUFFICIENT_PRIVILEGE },
	[FM_EUNSUPP] = { 501, MGMT_MSG_GENERAL_ERROR },
	/* the switch link is down; it is retried twice a second */
	[FM_EUNAVAIL] = { 503, MGMT_MSG_SERVICE_TEMPORARILY_UNAVAILABLE, "1" },
};

static const struct rf_code_map *rf_code_find(int code)
{
	if (code < 0)
		code = -code;
	if (code >= FM_ECOUNT)
		code = FM_EOK;
	return &rf_code_map[code];
}

unsigned mgmt_rf_status_from_code(int code)
{
	return rf_code_find(code)->status;
}

int mgmt_rf_error_from_code(struct mgmt_resp *resp, int code, const char *uri,
			    const char *detail)
{
	const struct rf_code_map *map = rf_code_find(code);
	const char *args[1] = { map->arg ? map->arg : uri ? uri : "" };
	const char *resolution = NULL;

	if (map->msg == MGMT_MSG_GENERAL_ERROR && detail && detail[0])
		resolution = detail;
	return rf_error_set(resp, map->status, map->msg, args, resolution);
}

/* ---------------------------------------------------------------------
 * @odata helpers
 */
int mgmt_rf_set(struct json_object *obj, const char *key,
		struct json_object *val)
{
	if (!val)
		return -FM_ENOMEM;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -FM_ENOMEM;
	}
	return 0;
}

int mgmt_rf_set_str(struct json_object *obj, const char *key, const char *val)
{
	return mgmt_rf_set(obj, key, json_object_new_string(val));
}

int mgmt_rf_set_fmt(struct json_object *obj, const char *key, const char *fmt,
		    ...)
{
	char *s = NULL;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -FM_ENOMEM;
	ret = mgmt_rf_set(obj, key, json_object_new_string_len(s, n));
	free(s);
	return ret;
}

struct json_object *mgmt_rf_link_new(const char *uri)
{
	struct json_object *o = json_object_new_object();

	if (o && mgmt_rf_set_str(o, "@odata.id", uri) < 0) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

int mgmt_rf_set_link(struct json_object *obj, const char *key, const char *uri)
{
	return mgmt_rf_set(obj, key, mgmt_rf_link_new(uri));
}

int mgmt_rf_resource_new(struct json_object **out, const char *uri,
			 const char *type, const char *name, struct fm_err *err)
{
	const char *id = strrchr(uri, '/');
	struct json_object *o = json_object_new_object();
	int bad = 0;

	if (!o)
		goto nomem;
	bad |= mgmt_rf_set_str(o, "@odata.id", uri);
	bad |= mgmt_rf_set_str(o, "@odata.type", type);
	bad |= mgmt_rf_set_str(o, "Id", id ? id + 1 : uri);
	bad |= mgmt_rf_set_str(o, "Name", name);
	if (bad)
		goto nomem;
	*out = o;
	return 0;
nomem:
	json_object_put(o);
	return fm_err_set(err, FM_ENOMEM, "%s: out of memory", uri);
}

int mgmt_rf_collection_new(struct json_object **out, const char *uri,
			   const char *type, const char *name,
			   struct fm_err *err)
{
	struct json_object *o = json_object_new_object();
	int bad = 0;

	if (!o)
		goto nomem;
	bad |= mgmt_rf_set_str(o, "@odata.id", uri);
	bad |= mgmt_rf_set_str(o, "@odata.type", type);
	bad |= mgmt_rf_set_str(o, "Name", name);
	bad |= mgmt_rf_set(o, "Members", json_object_new_array());
	bad |= mgmt_rf_set(o, "Members@odata.count", json_object_new_int(0));
	if (bad)
		goto nomem;
	*out = o;
	return 0;
nomem:
	json_object_put(o);
	return fm_err_set(err, FM_ENOMEM, "%s: out of memory", uri);
}

int mgmt_rf_collection_add(struct json_object *coll, const char *member_uri,
			   struct fm_err *err)
{
	struct json_object *members, *count, *link;

	if (!json_object_object_get_ex(coll, "Members", &members) ||
	    !json_object_object_get_ex(coll, "Members@odata.count", &count))
		return fm_err_set(err, FM_EINVAL,
				  "%s: not a resource collection", member_uri);
	link = mgmt_rf_link_new(member_uri);
	if (!link || json_object_array_add(members, link) != 0) {
		json_object_put(link);
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory",
				  member_uri);
	}
	json_object_set_int(count, (int)json_object_array_length(members));
	return 0;
}

int mgmt_rf_reply(struct mgmt_resp *resp, unsigned status,
		  struct json_object *o, int ret)
{
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, status, o);
	return 0;
}

int mgmt_rf_nomem(struct fm_err *err, const char *uri)
{
	return fm_err_set(err, FM_ENOMEM, "%s: out of memory", uri);
}

int mgmt_rf_id_parse(uint64_t *id, const char *s, const char *what,
		     struct fm_err *err)
{
	uint64_t v = 0;
	const char *p;

	if (!s || s[0] < '1' || s[0] > '9' || strlen(s) > 19)
		return fm_err_set(err, FM_ENOENT, "no %s \"%.40s\"", what,
				  s ? s : "");
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return fm_err_set(err, FM_ENOENT, "no %s \"%.40s\"",
					  what, s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*id = v;
	return 0;
}

void mgmt_rf_time(char out[MGMT_RF_TIME_LEN], int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, MGMT_RF_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool rf_is_ident(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return false;
	}
	return true;
}

size_t mgmt_rf_type_schema(char *out, size_t len, const char *type)
{
	const char *dot;
	size_t n;

	if (!type || type[0] != '#')
		return 0;
	dot = strrchr(type, '.');
	if (!dot || dot == type + 1 || !rf_is_ident(dot + 1, strlen(dot + 1)))
		return 0;
	n = (size_t)(dot - (type + 1));
	if (!rf_is_ident(type + 1, n) || n + 1 > len)
		return 0;
	memcpy(out, type + 1, n);
	out[n] = '\0';
	return n;
}

/* ---------------------------------------------------------------------
 * Request body checks
 */

/* "/name" with RFC 6901 escapes ("~0" for '~', "~1" for '/'). */
static void rf_pointer(char *out, size_t len, const char *name)
{
	size_t n = 0;

	out[n++] = '/';
	for (; *name && n + 3 < len; name++) {
		if (*name == '~' || *name == '/') {
			out[n++] = '~';
			out[n++] = *name == '~' ? '0' : '1';
		} else {
			out[n++] = *name;
		}
	}
	out[n] = '\0';
}

static bool rf_type_ok(const struct mgmt_prop *p, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return p->nullable;
	case json_type_boolean:
		return p->type == MGMT_PROP_BOOL;
	case json_type_double:
		return p->type == MGMT_PROP_NUMBER;
	case json_type_int:
		return p->type == MGMT_PROP_INT || p->type == MGMT_PROP_NUMBER;
	case json_type_object:
		return p->type == MGMT_PROP_OBJECT;
	case json_type_array:
		return p->type == MGMT_PROP_ARRAY;
	case json_type_string:
		return p->type == MGMT_PROP_STRING;
	}
	return false;
}

static bool rf_value_listed(const struct mgmt_prop *p, struct json_object *v)
{
	const char *s = json_object_get_string(v);
	const char *const *a;

	if (!p->values || json_object_get_type(v) != json_type_string)
		return true;
	for (a = p->values; *a; a++)
		if (strcmp(*a, s) == 0)
			return true;
	return false;
}

/* The value as a message argument: strings bare, the rest as JSON. */
static const char *rf_value_text(struct json_object *v)
{
	if (json_object_get_type(v) == json_type_string)
		return json_object_get_string(v);
	return json_object_to_json_string_ext(
		v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

struct rf_check {
	struct mgmt_resp *resp;
	const char *action;
	int ret;
	unsigned found;
};

/* Record one problem: the first makes the error, the others add to it. */
static void rf_report(struct rf_check *c, enum mgmt_msg prop_msg,
		      enum mgmt_msg action_msg, const char *value,
		      const char *name)
{
	char ptr[RF_POINTER_MAX];
	const char *args[3];
	enum mgmt_msg msg = c->action ? action_msg : prop_msg;
	unsigned n = 0;
	int ret;

	rf_pointer(ptr, sizeof(ptr), name);
	/* argument order differs per message: follow the registry */
	switch (msg) {
	case MGMT_MSG_PROPERTY_VALUE_TYPE_ERROR:
	case MGMT_MSG_PROPERTY_VALUE_NOT_IN_LIST:
		args[n++] = value;
		args[n++] = ptr;
		break;
	case MGMT_MSG_ACTION_PARAMETER_VALUE_TYPE_ERROR:
	case MGMT_MSG_ACTION_PARAMETER_VALUE_NOT_IN_LIST:
		args[n++] = value;
		args[n++] = ptr;
		args[n++] = c->action;
		break;
	case MGMT_MSG_ACTION_PARAMETER_MISSING:
	case MGMT_MSG_ACTION_PARAMETER_UNKNOWN:
		args[n++] = c->action;
		args[n++] = ptr;
		break;
	default:
		args[n++] = ptr;
		break;
	}
	if (c->found++ == 0)
		ret = rf_error_set(c->resp, 400, msg, args, NULL);
	else
		ret = rf_error_append(c->resp, msg, args, NULL);
	if (ret == -FM_ENOMEM || c->ret == 0)
		c->ret = ret;
}

static const struct mgmt_prop *rf_prop_find(const struct mgmt_prop *props,
					    size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(props[i].name, name) == 0)
			return &props[i];
	return NULL;
}

int mgmt_rf_check_props(struct mgmt_resp *resp, const struct json_object *body,
			const struct mgmt_prop *props, size_t nprops,
			const char *action)
{
	struct rf_check c = { resp, action, 0, 0 };
	/* json-c's iterators take non-const objects; nothing is changed */
	struct json_object *b = (struct json_object *)body;
	size_t i;

	if (b) {
		json_object_object_foreach(b, key, val)
		{
			const struct mgmt_prop *p;

			if (strncmp(key, "@odata.", 7) == 0) {
				rf_report(&c, MGMT_MSG_PROPERTY_NOT_WRITABLE,
					  MGMT_MSG_ACTION_PARAMETER_UNKNOWN,
					  NULL, key);
				continue;
			}
			p = rf_prop_find(props, nprops, key);
			if (!p)
				rf_report(&c, MGMT_MSG_PROPERTY_UNKNOWN,
					  MGMT_MSG_ACTION_PARAMETER_UNKNOWN,
					  NULL, key);
			else if (!action && !p->writable)
				rf_report(&c, MGMT_MSG_PROPERTY_NOT_WRITABLE,
					  MGMT_MSG_PROPERTY_NOT_WRITABLE, NULL,
					  key);
			else if (!rf_type_ok(p, val))
				rf_report(
					&c, MGMT_MSG_PROPERTY_VALUE_TYPE_ERROR,
					MGMT_MSG_ACTION_PARAMETER_VALUE_TYPE_ERROR,
					rf_value_text(val), key);
			else if (!rf_value_listed(p, val))
				rf_report(
					&c, MGMT_MSG_PROPERTY_VALUE_NOT_IN_LIST,
					MGMT_MSG_ACTION_PARAMETER_VALUE_NOT_IN_LIST,
					rf_value_text(val), key);
		}
	}
	for (i = 0; i < nprops; i++) {
		if (props[i].required &&
		    (!b || !json_object_object_get_ex(b, props[i].name, NULL)))
			rf_report(&c, MGMT_MSG_PROPERTY_MISSING,
				  MGMT_MSG_ACTION_PARAMETER_MISSING, NULL,
				  props[i].name);
	}
	return c.ret;
}

/* ---------------------------------------------------------------------
 * ETags
 */
void mgmt_rf_etag(char out[MGMT_ETAG_LEN], const char *body, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)body[i];
		h *= 0x100000001b3ULL; /* FNV 64 prime */
	}
	snprintf(out, MGMT_ETAG_LEN, "\"%016llx\"", (unsigned long long)h);
}

bool mgmt_rf_etag_listed(const char *list, const char *etag, bool weak)
{
	size_t elen = strlen(etag);
	const char *p = list;

	while (*p) {
		const char *end;
		bool is_weak = false;
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && p[0] == '*')
			return true;
		if (n > 2 && p[0] == 'W' && p[1] == '/') {
			is_weak = true;
			p += 2;
			n -= 2;
		}
		if ((weak || !is_weak) && n == elen && memcmp(p, etag, n) == 0)
			return true;
		p = end;
	}
	return false;
}
