/* SPDX-License-Identifier: MIT */
/*
 * test_redfish.c - the Redfish vocabulary: the Base registry entries the
 * service sends (checked against DMTF's own file), the error body, the
 * -FM_E* to status table, request body checks, @odata helpers, ETags.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "fabric/json.h"
#include "mgmt/redfish_int.h"
#include "tests/mgmt/json_path.h"
#include "tests/support/support.h"

#define BASE_FILE "../shared/redfish/registries/Base.1.22.1.json"
#define GENERAL_ERROR_TEXT                                                     \
	"A general error has occurred.  See Resolution for information on "    \
	"how to resolve the error, or @Message.ExtendedInfo if Resolution is " \
	"not provided."

/* Registry */
ParameterizedTestParameters(mgmt_redfish, message_matches_dmtf_base_registry)
{
	static int idx[MGMT_MSG_COUNT];
	int i;

	for (i = 0; i < MGMT_MSG_COUNT; i++)
		idx[i] = i;
	return cr_make_param_array(int, idx, MGMT_MSG_COUNT);
}

ParameterizedTest(int *i, mgmt_redfish, message_matches_dmtf_base_registry)
{
	const struct mgmt_msg_def *def = &mgmt_base_messages[*i];
	struct json_object *reg = NULL, *m;
	struct fm_err err = { 0 };
	char path[512];

	cr_assert(def->id, "message %d has no entry", *i);
	cr_assert_eq(fab_json_parse_file(
			     &reg, t_source_path(path, sizeof(path), BASE_FILE),
			     &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(jstr(reg, "Id"), MGMT_BASE_REGISTRY);
	m = jget(jget(reg, "Messages"), def->id);
	cr_assert(m, "%s is not in the Base registry", def->id);
	cr_assert_str_eq(def->message, jstr(m, "Message"), "%s", def->id);
	cr_assert_str_eq(def->severity, jstr(m, "MessageSeverity"), "%s",
			 def->id);
	cr_assert_str_eq(def->resolution, jstr(m, "Resolution"), "%s", def->id);
	cr_assert_eq(def->nargs,
		     (unsigned)json_object_get_int(jget(m, "NumberOfArgs")),
		     "%s", def->id);
	cr_assert_leq(def->prop_arg, def->nargs, "%s", def->id);
	json_object_put(reg);
}

/* Error bodies */
Test(mgmt_redfish, error_body_is_the_redfish_error_object)
{
	struct mgmt_resp r;
	struct json_object *info;

	mgmt_resp_init(&r);
	cr_assert_eq(mgmt_rf_error(&r, 400, MGMT_MSG_PROPERTY_UNKNOWN, "/Foo"),
		     -FM_EINVAL);
	cr_assert_eq(r.status, 400);
	cr_assert_str_eq(jstr(r.json, "error/code"),
			 "Base.1.22.1.GeneralError");
	cr_assert_str_eq(jstr(r.json, "error/message"), GENERAL_ERROR_TEXT);
	info = jget(r.json, "error/@Message.ExtendedInfo");
	cr_assert_eq(json_object_array_length(info), 1);
	cr_assert_str_eq(jstr(info, "0/@odata.type"),
			 "#Message.v1_3_0.Message");
	cr_assert_str_eq(jstr(info, "0/MessageId"),
			 "Base.1.22.1.PropertyUnknown");
	cr_assert_str_eq(jstr(info, "0/Message"),
			 "The property /Foo is not in the list of valid "
			 "properties for the resource.");
	cr_assert_str_eq(jstr(info, "0/MessageArgs/0"), "/Foo");
	cr_assert_str_eq(jstr(info, "0/MessageSeverity"), "Warning");
	cr_assert_str_eq(jstr(info, "0/Resolution"),
			 "Remove the unknown property from the request body "
			 "and resubmit the request if the operation failed.");
	cr_assert_str_eq(jstr(info, "0/RelatedProperties/0"), "#/Foo");
	mgmt_resp_fini(&r);
}

Test(mgmt_redfish, message_without_property_has_no_related_properties)
{
	struct mgmt_resp r;

	mgmt_resp_init(&r);
	mgmt_rf_error(&r, 404, MGMT_MSG_RESOURCE_MISSING_AT_URI, "/x/y");
	cr_assert_str_eq(jstr(r.json, "error/@Message.ExtendedInfo/0/Message"),
			 "The resource at the URI '/x/y' was not found.");
	cr_assert_null(jget(r.json,
			    "error/@Message.ExtendedInfo/0/RelatedProperties"));
	mgmt_resp_fini(&r);
}

Test(mgmt_redfish, error_add_appends_a_message)
{
	struct mgmt_resp r;
	struct json_object *info;

	mgmt_resp_init(&r);
	mgmt_rf_error(&r, 400, MGMT_MSG_PROPERTY_UNKNOWN, "/A");
	cr_assert_eq(mgmt_rf_error_add(&r, MGMT_MSG_PROPERTY_VALUE_TYPE_ERROR,
				       "7", "/B"),
		     -FM_EINVAL);
	info = jget(r.json, "error/@Message.ExtendedInfo");
	cr_assert_eq(json_object_array_length(info), 2);
	cr_assert_str_eq(jstr(info, "1/Message"),
			 "The value '7' for the property /B is not a type "
			 "that the property can accept.");
	cr_assert_str_eq(jstr(info, "1/RelatedProperties/0"), "#/B");
	mgmt_resp_fini(&r);
}

struct code_case {
	int code;
	unsigned status;
	char id[40];
};

ParameterizedTestParameters(mgmt_redfish, error_code_maps_to_status_and_message)
{
	static struct code_case cases[] = {
		{ FM_EINVAL, 400, "GeneralError" },
		{ FM_ENOMEM, 500, "InternalError" },
		{ FM_ENOENT, 404, "ResourceMissingAtURI" },
		{ FM_EEXIST, 409, "GeneralError" },
		{ FM_EBUSY, 409, "ResourceInUse" },
		{ FM_ERANGE, 400, "GeneralError" },
		{ FM_EIO, 500, "OperationFailed" },
		{ FM_ESTATE, 409, "GeneralError" },
		{ FM_ETIMEDOUT, 500, "OperationTimeout" },
		{ FM_EPARSE, 400, "MalformedJSON" },
		{ FM_ESCHEMA, 400, "GeneralError" },
		{ FM_ENOSPC, 409, "ResourceExhaustion" },
		{ FM_EPERM, 403, "InsufficientPrivilege" },
		{ FM_EUNSUPP, 501, "GeneralError" },
		{ FM_EUNAVAIL, 503, "ServiceTemporarilyUnavailable" },
		{ 0, 500, "InternalError" },
		{ 999, 500, "InternalError" },
	};

	return cr_make_param_array(struct code_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct code_case *c, mgmt_redfish,
		  error_code_maps_to_status_and_message)
{
	char id[64];
	struct mgmt_resp r;

	mgmt_resp_init(&r);
	mgmt_rf_error_from_code(&r, -c->code, "/redfish/v1/X", "detail");
	snprintf(id, sizeof(id), "Base.1.22.1.%s", c->id);
	cr_assert_eq(r.status, c->status, "code %d", c->code);
	cr_assert_eq(mgmt_rf_status_from_code(c->code), c->status);
	cr_assert_str_eq(
		jstr(r.json, "error/@Message.ExtendedInfo/0/MessageId"), id,
		"code %d", c->code);
	mgmt_resp_fini(&r);
}

Test(mgmt_redfish, general_error_carries_the_detail_as_resolution)
{
	struct mgmt_resp r;

	mgmt_resp_init(&r);
	mgmt_rf_error_from_code(&r, -FM_EEXIST, "/z",
				"fid 0x00020001 is bound to partition 1");
	cr_assert_str_eq(
		jstr(r.json, "error/@Message.ExtendedInfo/0/Resolution"),
		"fid 0x00020001 is bound to partition 1");
	mgmt_resp_fini(&r);
}

Test(mgmt_redfish, unavailable_asks_to_retry_in_one_second)
{
	struct mgmt_resp r;

	mgmt_resp_init(&r);
	mgmt_rf_error_from_code(&r, -FM_EUNAVAIL, "/redfish/v1/Fabrics",
				"switch unreachable");
	cr_assert_str_eq(
		jstr(r.json, "error/@Message.ExtendedInfo/0/MessageArgs/0"),
		"1");
	cr_assert_str_eq(jstr(r.json, "error/@Message.ExtendedInfo/0/Message"),
			 "The service is temporarily unavailable.  Retry in 1 "
			 "seconds.");
	mgmt_resp_fini(&r);
}

Test(mgmt_redfish, uri_message_gets_the_uri)
{
	struct mgmt_resp r;

	mgmt_resp_init(&r);
	mgmt_rf_error_from_code(&r, -FM_ENOENT, "/redfish/v1/Nope", "x");
	cr_assert_str_eq(
		jstr(r.json, "error/@Message.ExtendedInfo/0/MessageArgs/0"),
		"/redfish/v1/Nope");
	mgmt_resp_fini(&r);
}

/* Body checks */
static const char *const colours[] = { "Red", "Green", NULL };

static const struct mgmt_prop props[] = {
	{ .name = "Name", .type = MGMT_PROP_STRING, .writable = true },
	{ .name = "Id", .type = MGMT_PROP_STRING },
	{ .name = "Count", .type = MGMT_PROP_INT, .writable = true },
	{ .name = "Ratio", .type = MGMT_PROP_NUMBER, .writable = true },
	{ .name = "On",
	  .type = MGMT_PROP_BOOL,
	  .writable = true,
	  .nullable = true },
	{ .name = "Colour",
	  .type = MGMT_PROP_STRING,
	  .writable = true,
	  .values = colours },
	{ .name = "Target",
	  .type = MGMT_PROP_OBJECT,
	  .writable = true,
	  .required = true },
};

static int check(struct mgmt_resp *r, const char *body, const char *action)
{
	struct json_object *doc = NULL;
	int ret;

	cr_assert_eq(fab_json_parse(&doc, "t", body, strlen(body), NULL), 0);
	mgmt_resp_init(r);
	ret = mgmt_rf_check_props(r, doc, props, FM_ARRAY_SIZE(props), action);
	json_object_put(doc);
	return ret;
}

Test(mgmt_redfish, acceptable_body_passes_the_check)
{
	struct mgmt_resp r;

	cr_assert_eq(
		check(&r,
		      "{\"Name\": \"x\", \"Count\": 3, \"Ratio\": 3,"
		      " \"On\": null, \"Colour\": \"Red\", \"Target\": {}}",
		      NULL),
		0);
	cr_assert_null(r.json);
	cr_assert_eq(check(&r, "{\"Ratio\": 0.5, \"Target\": {}}", NULL), 0);
}

struct prop_case {
	char body[64];
	char action[24]; /* "": a resource */
	char id[40];
	char message[160];
};

ParameterizedTestParameters(mgmt_redfish, bad_property_gets_its_message)
{
	static struct prop_case cases[] = {
		{ "{\"Bogus\": 1, \"Target\": {}}", "", "PropertyUnknown",
		  "The property /Bogus is not in the list of valid properties "
		  "for the resource." },
		{ "{\"Id\": \"x\", \"Target\": {}}", "", "PropertyNotWritable",
		  "The property /Id is a read-only property and cannot be "
		  "assigned a value." },
		{ "{\"@odata.id\": \"/x\", \"Target\": {}}", "",
		  "PropertyNotWritable",
		  "The property /@odata.id is a read-only property and cannot "
		  "be assigned a value." },
		{ "{\"Count\": \"3\", \"Target\": {}}", "",
		  "PropertyValueTypeError",
		  "The value '3' for the property /Count is not a type that "
		  "the property can accept." },
		{ "{\"Count\": 2.5, \"Target\": {}}", "",
		  "PropertyValueTypeError",
		  "The value '2.5' for the property /Count is not a type that "
		  "the property can accept." },
		{ "{\"Name\": null, \"Target\": {}}", "",
		  "PropertyValueTypeError",
		  "The value 'null' for the property /Name is not a type that "
		  "the property can accept." },
		{ "{\"Colour\": \"Blue\", \"Target\": {}}", "",
		  "PropertyValueNotInList",
		  "The value 'Blue' for the property /Colour is not in the "
		  "list of acceptable values." },
		{ "{\"Name\": \"x\"}", "", "PropertyMissing",
		  "The property /Target is a required property and must be "
		  "included in the request." },
		{ "{\"Bogus\": 1, \"Target\": {}}", "Zone.AddEndpoint",
		  "ActionParameterUnknown",
		  "The action Zone.AddEndpoint was submitted with the invalid "
		  "parameter /Bogus." },
		{ "{\"Count\": true, \"Target\": {}}", "Zone.AddEndpoint",
		  "ActionParameterValueTypeError",
		  "The value 'true' for the parameter /Count in the action "
		  "Zone.AddEndpoint is not a type that the parameter can "
		  "accept." },
		{ "{\"Colour\": \"Blue\", \"Target\": {}}", "Zone.AddEndpoint",
		  "ActionParameterValueNotInList",
		  "The value 'Blue' for the parameter /Colour in the action "
		  "Zone.AddEndpoint is not in the list of acceptable values." },
		{ "{}", "Zone.AddEndpoint", "ActionParameterMissing",
		  "The action Zone.AddEndpoint requires the parameter /Target "
		  "to be present in the request body." },
	};

	return cr_make_param_array(struct prop_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct prop_case *c, mgmt_redfish,
		  bad_property_gets_its_message)
{
	struct mgmt_resp r;
	char id[64];

	cr_assert_eq(check(&r, c->body, c->action[0] ? c->action : NULL),
		     -FM_EINVAL, "%s accepted", c->body);
	snprintf(id, sizeof(id), "Base.1.22.1.%s", c->id);
	cr_assert_eq(r.status, 400);
	cr_assert_str_eq(
		jstr(r.json, "error/@Message.ExtendedInfo/0/MessageId"), id);
	cr_assert_str_eq(jstr(r.json, "error/@Message.ExtendedInfo/0/Message"),
			 c->message);
	mgmt_resp_fini(&r);
}

Test(mgmt_redfish, every_bad_property_is_reported)
{
	struct mgmt_resp r;
	struct json_object *info;

	cr_assert_eq(
		check(&r, "{\"A\": 1, \"Id\": \"x\", \"Count\": \"1\"}", NULL),
		-FM_EINVAL);
	info = jget(r.json, "error/@Message.ExtendedInfo");
	cr_assert_eq(json_object_array_length(info), 4);
	cr_assert_str_eq(jstr(info, "0/MessageId"),
			 "Base.1.22.1.PropertyUnknown");
	cr_assert_str_eq(jstr(info, "1/MessageId"),
			 "Base.1.22.1.PropertyNotWritable");
	cr_assert_str_eq(jstr(info, "2/MessageId"),
			 "Base.1.22.1.PropertyValueTypeError");
	cr_assert_str_eq(jstr(info, "3/MessageId"),
			 "Base.1.22.1.PropertyMissing");
	mgmt_resp_fini(&r);
}

Test(mgmt_redfish, pointer_escapes_slash_and_tilde)
{
	struct mgmt_resp r;

	cr_assert_eq(check(&r, "{\"a/b~c\": 1, \"Target\": {}}", NULL),
		     -FM_EINVAL);
	cr_assert_str_eq(
		jstr(r.json, "error/@Message.ExtendedInfo/0/MessageArgs/0"),
		"/a~1b~0c");
	mgmt_resp_fini(&r);
}

/* @odata helpers */
Test(mgmt_redfish, resource_id_is_the_last_uri_segment)
{
	struct json_object *o = NULL;

	cr_assert_eq(mgmt_rf_resource_new(&o, "/redfish/v1/Fabrics/PCIe",
					  "#Fabric.v1_3_2.Fabric", "PCIe",
					  NULL),
		     0);
	cr_assert_str_eq(jstr(o, "@odata.id"), "/redfish/v1/Fabrics/PCIe");
	cr_assert_str_eq(jstr(o, "@odata.type"), "#Fabric.v1_3_2.Fabric");
	cr_assert_str_eq(jstr(o, "Id"), "PCIe");
	cr_assert_str_eq(jstr(o, "Name"), "PCIe");
	json_object_put(o);
}

Test(mgmt_redfish, collection_counts_its_members)
{
	struct json_object *o = NULL;

	cr_assert_eq(mgmt_rf_collection_new(&o, "/redfish/v1/Systems",
					    "#ComputerSystemCollection."
					    "ComputerSystemCollection",
					    "Systems", NULL),
		     0);
	cr_assert_eq(json_object_get_int(jget(o, "Members@odata.count")), 0);
	cr_assert_eq(mgmt_rf_collection_add(o, "/redfish/v1/Systems/a", NULL),
		     0);
	cr_assert_eq(mgmt_rf_collection_add(o, "/redfish/v1/Systems/b", NULL),
		     0);
	cr_assert_eq(json_object_get_int(jget(o, "Members@odata.count")), 2);
	cr_assert_str_eq(jstr(o, "Members/1/@odata.id"),
			 "/redfish/v1/Systems/b");
	json_object_put(o);
}

Test(mgmt_redfish, type_names_its_schema)
{
	char s[64];

	cr_assert_eq(mgmt_rf_type_schema(s, sizeof(s), "#Zone.v1_6_3.Zone"),
		     11);
	cr_assert_str_eq(s, "Zone.v1_6_3");
	cr_assert_neq(mgmt_rf_type_schema(s, sizeof(s),
					  "#ZoneCollection.ZoneCollection"),
		      0);
	cr_assert_str_eq(s, "ZoneCollection");
	cr_assert_eq(mgmt_rf_type_schema(s, sizeof(s), "Zone.v1_6_3.Zone"), 0);
	cr_assert_eq(mgmt_rf_type_schema(s, sizeof(s), "#Zone"), 0);
	cr_assert_eq(mgmt_rf_type_schema(s, sizeof(s), "#.Zone"), 0);
	cr_assert_eq(mgmt_rf_type_schema(s, sizeof(s), "#a b.Zone"), 0);
	cr_assert_eq(mgmt_rf_type_schema(s, 4, "#Zone.v1_6_3.Zone"), 0);
}

/* ETags */
Test(mgmt_redfish, etag_is_a_quoted_hash_of_the_bytes)
{
	char a[MGMT_ETAG_LEN], b[MGMT_ETAG_LEN], c[MGMT_ETAG_LEN];

	mgmt_rf_etag(a, "{\"a\":1}", 7);
	mgmt_rf_etag(b, "{\"a\":1}", 7);
	mgmt_rf_etag(c, "{\"a\":2}", 7);
	cr_assert_eq(strlen(a), 18);
	cr_assert_eq(a[0], '"');
	cr_assert_eq(a[17], '"');
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
}

Test(mgmt_redfish, etag_list_matching)
{
	const char *e = "\"0123456789abcdef\"";

	cr_assert(mgmt_rf_etag_listed("*", e, false));
	cr_assert(mgmt_rf_etag_listed(e, e, false));
	cr_assert(mgmt_rf_etag_listed("\"x\", \"0123456789abcdef\"", e, false));
	cr_assert(
		mgmt_rf_etag_listed(" \"x\" ,\"0123456789abcdef\" ", e, false));
	cr_assert_not(mgmt_rf_etag_listed("\"x\"", e, false));
	cr_assert_not(mgmt_rf_etag_listed("0123456789abcdef", e, false));
	cr_assert_not(mgmt_rf_etag_listed("", e, false));
	/* strong comparison: a weak tag never matches (If-Match) */
	cr_assert_not(mgmt_rf_etag_listed("W/\"0123456789abcdef\"", e, false));
	/* weak comparison (If-None-Match) */
	cr_assert(mgmt_rf_etag_listed("W/\"0123456789abcdef\"", e, true));
}
