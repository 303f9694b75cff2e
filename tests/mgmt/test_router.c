/* SPDX-License-Identifier: MIT */
/*
 * test_router.c - the dispatcher with plain request structs: routing,
 * methods, privileges, the checks on the request, If-Match and ETags, the
 * common headers, and the table of bad input (every case gets its status
 * and Redfish error, and changes nothing).  A small "Widget" family
 * stands in for the resource families built on the router.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"
#include "fabric/json.h"
#include "tests/mgmt/json_path.h"
#include "tests/support/support.h"

#define WIDGETS "/redfish/v1/Widgets"
#define WIDGET_TYPE "#Widget.v1_0_0.Widget"

/* The one widget, and how often handlers changed it. */
static struct widget {
	char name[32];
	int count;
	unsigned changes;
	unsigned resets;
} widget = { "first", 1, 0, 0 };

static const struct mgmt_prop widget_props[] = {
	{ .name = "Id", .type = MGMT_PROP_STRING },
	{ .name = "Name", .type = MGMT_PROP_STRING, .writable = true },
	{ .name = "Count", .type = MGMT_PROP_INT, .writable = true },
};

static const char *const reset_types[] = { "On", "ForceOff", NULL };
static const struct mgmt_prop reset_params[] = {
	{ .name = "ResetType",
	  .type = MGMT_PROP_STRING,
	  .required = true,
	  .values = reset_types },
};

static int widget_find(const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "widget");

	if (strcmp(id, "w1") != 0)
		return fm_err_set(err, FM_ENOENT, "no widget %s", id);
	return 0;
}

static int widget_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		      const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	int ret;

	(void)ctx;
	ret = widget_find(req, err);
	if (ret == 0)
		ret = mgmt_rf_resource_new(&o, req->uri, WIDGET_TYPE,
					   widget.name, err);
	if (ret < 0)
		return ret;
	mgmt_rf_set(o, "Count", json_object_new_int(widget.count));
	mgmt_rf_set_str(o, "Caller", req->who->user);
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static int widget_patch(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *v;
	int ret;

	ret = widget_find(req, err);
	if (ret == 0)
		ret = mgmt_rf_check_props(resp, req->json, widget_props,
					  FM_ARRAY_SIZE(widget_props), NULL);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(req->json, "Name", &v))
		snprintf(widget.name, sizeof(widget.name), "%s",
			 json_object_get_string(v));
	if (json_object_object_get_ex(req->json, "Count", &v))
		widget.count = json_object_get_int(v);
	widget.changes++;
	return widget_get(resp, ctx, req, err);
}

static int widget_delete(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			 const struct mgmt_req *req, struct fm_err *err)
{
	int ret = widget_find(req, err);

	(void)resp;
	(void)ctx;
	if (ret < 0)
		return ret;
	widget.changes++;
	return 0;
}

static int widget_reset(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			const struct mgmt_req *req, struct fm_err *err)
{
	int ret;

	(void)ctx;
	ret = widget_find(req, err);
	if (ret == 0)
		ret = mgmt_rf_check_props(resp, req->json, reset_params,
					  FM_ARRAY_SIZE(reset_params),
					  "Widget.Reset");
	if (ret < 0)
		return ret;
	widget.resets++;
	return 0;
}

static int widgets_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	int ret;

	(void)ctx;
	ret = mgmt_rf_collection_new(&o, req->uri,
				     "#WidgetCollection.WidgetCollection",
				     "Widgets", err);
	if (ret == 0)
		ret = mgmt_rf_collection_add(o, WIDGETS "/w1", err);
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static int special_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	int ret;

	(void)ctx;
	ret = mgmt_rf_resource_new(&o, req->uri, WIDGET_TYPE, "special", err);
	if (ret < 0)
		return ret;
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* GET /Fail/{code}: fails with -code and a message */
static int fail_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		    const struct mgmt_req *req, struct fm_err *err)
{
	(void)resp;
	(void)ctx;
	return fm_err_set(err, atoi(mgmt_req_param(req, "code")),
			  "failing as asked");
}

static int public_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		      const struct mgmt_req *req, struct fm_err *err)
{
	(void)ctx;
	return mgmt_resp_set_text(resp, 200, "text/plain", req->uri,
				  strlen(req->uri), err);
}

static const struct mgmt_route widget_routes[] = {
	{
		.path = WIDGETS,
		.type = "#WidgetCollection.WidgetCollection",
		.op[MGMT_GET] = { widgets_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = WIDGETS "/{widget}",
		.type = WIDGET_TYPE,
		.op[MGMT_GET] = { widget_get, MGMT_PRIV_LOGIN },
		.op[MGMT_PATCH] = { widget_patch,
				    MGMT_PRIV_CONFIGURE_COMPONENTS },
		.op[MGMT_DELETE] = { widget_delete,
				     MGMT_PRIV_CONFIGURE_COMPONENTS },
	},
	{
		.path = WIDGETS "/{widget}/Actions/Widget.Reset",
		.op[MGMT_POST] = { widget_reset,
				   MGMT_PRIV_CONFIGURE_COMPONENTS },
	},
	{
		.path = WIDGETS "/Special",
		.type = WIDGET_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { special_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = "/Fail/{code}",
		.op[MGMT_GET] = { fail_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = "/Public",
		.op[MGMT_GET] = { public_get, MGMT_PRIV_NONE },
	},
};

MGMT_ROUTE_SET(widget_set, "widgets", widget_routes);

static struct mgmt_config cfg;
static struct mgmt_router *router;
static struct mgmt_ctx ctx;

static void setup(void)
{
	const struct mgmt_route_set *sets[] = { &widget_set };

	mgmt_config_defaults(&cfg);
	cfg.body_max = 1024;
	cr_assert_eq(mgmt_router_new(&router, sets, 1, NULL), 0);
	ctx.cfg = &cfg;
	ctx.router = router;
}

static void teardown(void)
{
	mgmt_router_free(router);
}

TestSuite(mgmt_router, .init = setup, .fini = teardown);

/* A request: @hdrs is "Name: value" lines, NULL-terminated. */
struct t_req {
	struct mgmt_req req;
	struct mgmt_kv headers[8];
	struct mgmt_kv query[4];
	char hbuf[8][128];
};

static void dispatch(struct mgmt_resp *resp, const char *method,
		     const char *path, const char *body,
		     const char *const *hdrs)
{
	struct t_req t;
	size_t i;

	memset(&t, 0, sizeof(t));
	t.req.method = method;
	t.req.path = path;
	t.req.body = body;
	t.req.body_len = body ? strlen(body) : 0;
	for (i = 0; hdrs && hdrs[i]; i++) {
		char *colon;

		snprintf(t.hbuf[i], sizeof(t.hbuf[i]), "%s", hdrs[i]);
		colon = strchr(t.hbuf[i], ':');
		cr_assert(colon);
		*colon = '\0';
		t.headers[i].name = t.hbuf[i];
		t.headers[i].value = colon + 2;
	}
	t.req.headers = t.headers;
	t.req.nheaders = i;
	mgmt_router_dispatch(resp, router, &ctx, &t.req);
}

static const char *msg_id(const struct mgmt_resp *r)
{
	return jstr(r->json, "error/@Message.ExtendedInfo/0/MessageId");
}

static const char *const json_ct[] = { "Content-Type: application/json", NULL };

/* Routing */
Test(mgmt_router, unknown_path_is_404_resource_missing_at_uri)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", "/redfish/v1/Nope", NULL, NULL);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(msg_id(&r), "Base.1.22.1.ResourceMissingAtURI");
	cr_assert_str_eq(
		jstr(r.json, "error/@Message.ExtendedInfo/0/MessageArgs/0"),
		"/redfish/v1/Nope");
	cr_assert_str_eq(mgmt_resp_header(&r, "OData-Version"), "4.0");
	cr_assert_null(mgmt_resp_header(&r, "Allow"));
	mgmt_resp_fini(&r);
}

Test(mgmt_router, path_parameter_reaches_the_handler)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/w1", NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "Id"), "w1");
	cr_assert_str_eq(jstr(r.json, "@odata.id"), WIDGETS "/w1");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, trailing_slash_names_the_same_resource)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/w1/", NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "@odata.id"), WIDGETS "/w1");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, literal_segment_wins_over_a_parameter)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/Special", NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "Name"), "special");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, empty_segment_matches_no_parameter)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "//Actions/Widget.Reset", NULL, NULL);
	cr_assert_eq(r.status, 404);
	mgmt_resp_fini(&r);
}

Test(mgmt_router, handler_not_found_is_404)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/w2", NULL, NULL);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(msg_id(&r), "Base.1.22.1.ResourceMissingAtURI");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, wrong_method_is_405_with_allow)
{
	struct mgmt_resp r;

	dispatch(&r, "PUT", WIDGETS "/w1", "{\"Name\": \"x\"}", json_ct);
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(msg_id(&r), "Base.1.22.1.OperationNotAllowed");
	cr_assert_str_eq(mgmt_resp_header(&r, "Allow"),
			 "GET, HEAD, PATCH, DELETE");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, unknown_method_is_405)
{
	struct mgmt_resp r;

	dispatch(&r, "BREW", WIDGETS, NULL, NULL);
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(mgmt_resp_header(&r, "Allow"), "GET, HEAD");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, head_answers_as_get)
{
	struct mgmt_resp get, head;

	dispatch(&get, "GET", WIDGETS "/w1", NULL, NULL);
	dispatch(&head, "HEAD", WIDGETS "/w1", NULL, NULL);
	cr_assert_eq(head.status, 200);
	cr_assert_eq(head.body_len, get.body_len);
	cr_assert_str_eq(mgmt_resp_header(&head, "ETag"),
			 mgmt_resp_header(&get, "ETag"));
	mgmt_resp_fini(&get);
	mgmt_resp_fini(&head);
}

/* Common headers */
Test(mgmt_router, get_carries_json_etag_and_describedby)
{
	char etag[MGMT_ETAG_LEN];
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/w1", NULL, NULL);
	cr_assert_str_eq(mgmt_resp_header(&r, "Content-Type"),
			 "application/json; charset=utf-8");
	cr_assert_str_eq(mgmt_resp_header(&r, "OData-Version"), "4.0");
	cr_assert_str_eq(mgmt_resp_header(&r, "Allow"),
			 "GET, HEAD, PATCH, DELETE");
	cr_assert_str_eq(mgmt_resp_header(&r, "Link"),
			 "<http://redfish.dmtf.org/schemas/v1/Widget.v1_0_0."
			 "json>; rel=describedby");
	cr_assert_str_eq(mgmt_resp_header(&r, "Cache-Control"), "no-cache");
	mgmt_rf_etag(etag, r.body, r.body_len);
	cr_assert_str_eq(mgmt_resp_header(&r, "ETag"), etag);
	mgmt_resp_fini(&r);
}

Test(mgmt_router, collection_links_its_unversioned_schema)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS, NULL, NULL);
	cr_assert_str_eq(mgmt_resp_header(&r, "Link"),
			 "<http://redfish.dmtf.org/schemas/v1/"
			 "WidgetCollection.json>; rel=describedby");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, static_resource_has_no_cache_control)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/Special", NULL, NULL);
	cr_assert_null(mgmt_resp_header(&r, "Cache-Control"));
	mgmt_resp_fini(&r);
}

Test(mgmt_router, errors_have_no_etag_and_no_link)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/w2", NULL, NULL);
	cr_assert_null(mgmt_resp_header(&r, "ETag"));
	cr_assert_null(mgmt_resp_header(&r, "Link"));
	cr_assert_str_eq(mgmt_resp_header(&r, "Allow"),
			 "GET, HEAD, PATCH, DELETE");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, body_less_success_is_204)
{
	struct mgmt_resp r;

	dispatch(&r, "DELETE", WIDGETS "/w1", NULL, NULL);
	cr_assert_eq(r.status, 204);
	cr_assert_eq(r.body_len, 0);
	mgmt_resp_fini(&r);
}

Test(mgmt_router, text_body_keeps_its_content_type)
{
	struct mgmt_resp r;

	dispatch(&r, "GET", "/Public", NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(mgmt_resp_header(&r, "Content-Type"), "text/plain");
	cr_assert_eq(r.body_len, strlen("/Public"));
	cr_assert_eq(memcmp(r.body, "/Public", r.body_len), 0);
	mgmt_resp_fini(&r);
}

/* Conditional requests */
Test(mgmt_router, if_none_match_current_etag_is_304_without_body)
{
	char hdr[64];
	const char *hdrs[] = { hdr, NULL };
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/w1", NULL, NULL);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s",
		 mgmt_resp_header(&r, "ETag"));
	mgmt_resp_fini(&r);
	dispatch(&r, "GET", WIDGETS "/w1", NULL, hdrs);
	cr_assert_eq(r.status, 304);
	cr_assert_eq(r.body_len, 0);
	cr_assert_not_null(mgmt_resp_header(&r, "ETag"));
	mgmt_resp_fini(&r);
}

Test(mgmt_router, patch_with_current_etag_applies)
{
	char hdr[64];
	const char *hdrs[] = { "Content-Type: application/json", hdr, NULL };
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/w1", NULL, NULL);
	snprintf(hdr, sizeof(hdr), "If-Match: %s",
		 mgmt_resp_header(&r, "ETag"));
	mgmt_resp_fini(&r);
	dispatch(&r, "PATCH", WIDGETS "/w1", "{\"Count\": 5}", hdrs);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(widget.count, 5);
	cr_assert_eq(json_object_get_int(jget(r.json, "Count")), 5);
	mgmt_resp_fini(&r);
}

Test(mgmt_router, if_match_star_applies_to_an_existing_resource)
{
	const char *hdrs[] = { "Content-Type: application/json", "If-Match: *",
			       NULL };
	struct mgmt_resp r;

	dispatch(&r, "PATCH", WIDGETS "/w1", "{\"Name\": \"n\"}", hdrs);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(widget.name, "n");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, if_match_on_a_missing_resource_is_404)
{
	const char *hdrs[] = { "Content-Type: application/json", "If-Match: *",
			       NULL };
	struct mgmt_resp r;

	dispatch(&r, "PATCH", WIDGETS "/w9", "{\"Name\": \"n\"}", hdrs);
	cr_assert_eq(r.status, 404);
	cr_assert_eq(widget.changes, 0);
	mgmt_resp_fini(&r);
}

Test(mgmt_router, etag_changes_when_the_resource_does)
{
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	char before[MGMT_ETAG_LEN];
	struct mgmt_resp r;

	dispatch(&r, "GET", WIDGETS "/w1", NULL, NULL);
	snprintf(before, sizeof(before), "%s", mgmt_resp_header(&r, "ETag"));
	mgmt_resp_fini(&r);
	dispatch(&r, "PATCH", WIDGETS "/w1", "{\"Count\": 9}", hdrs);
	mgmt_resp_fini(&r);
	dispatch(&r, "GET", WIDGETS "/w1", NULL, NULL);
	cr_assert_str_neq(mgmt_resp_header(&r, "ETag"), before);
	mgmt_resp_fini(&r);
}

/* Handler errors */
struct fail_case {
	char path[24];
	unsigned status;
	char id[40];
};

ParameterizedTestParameters(mgmt_router, handler_error_code_sets_the_status)
{
	static struct fail_case cases[] = {
		{ "/Fail/1", 400, "GeneralError" },
		{ "/Fail/5", 409, "ResourceInUse" },
		{ "/Fail/7", 500, "OperationFailed" },
		{ "/Fail/12", 409, "ResourceExhaustion" },
		{ "/Fail/13", 403, "InsufficientPrivilege" },
	};

	return cr_make_param_array(struct fail_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct fail_case *c, mgmt_router,
		  handler_error_code_sets_the_status)
{
	char id[64];
	struct mgmt_resp r;

	snprintf(id, sizeof(id), "Base.1.22.1.%s", c->id);
	dispatch(&r, "GET", c->path, NULL, NULL);
	cr_assert_eq(r.status, c->status);
	cr_assert_str_eq(msg_id(&r), id);
	mgmt_resp_fini(&r);
}

/* Authentication and privileges */
static unsigned auth_calls;

static int auth_header(struct mgmt_principal *who, void *actx,
		       const struct mgmt_req *req, struct mgmt_resp *resp,
		       struct fm_err *err)
{
	const char *user = mgmt_req_header(req, "X-Test-User");

	(void)actx;
	auth_calls++;
	if (!user) {
		mgmt_resp_header_set(resp, "WWW-Authenticate",
				     "Basic realm=\"mrfabric\"");
		return fm_err_set(err, FM_EPERM, "no credentials");
	}
	snprintf(who->user, sizeof(who->user), "%s", user);
	who->privs = strcmp(user, "reader") == 0
			     ? MGMT_PRIV_BIT(MGMT_PRIV_LOGIN)
			     : MGMT_PRIV_ALL;
	return 0;
}

Test(mgmt_router, without_credentials_is_401_with_the_hook_headers)
{
	struct mgmt_resp r;

	mgmt_router_set_auth(router, auth_header, NULL);
	dispatch(&r, "GET", WIDGETS "/w1", NULL, NULL);
	cr_assert_eq(r.status, 401);
	cr_assert_str_eq(msg_id(&r), "Base.1.22.1.NoValidSession");
	cr_assert_str_eq(mgmt_resp_header(&r, "WWW-Authenticate"),
			 "Basic realm=\"mrfabric\"");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, public_route_skips_authentication)
{
	struct mgmt_resp r;

	mgmt_router_set_auth(router, auth_header, NULL);
	dispatch(&r, "GET", "/Public", NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(auth_calls, 0);
	mgmt_resp_fini(&r);
}

Test(mgmt_router, handler_sees_the_authenticated_user)
{
	const char *hdrs[] = { "X-Test-User: alice", NULL };
	struct mgmt_resp r;

	mgmt_router_set_auth(router, auth_header, NULL);
	dispatch(&r, "GET", WIDGETS "/w1", NULL, hdrs);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "Caller"), "alice");
	mgmt_resp_fini(&r);
}

Test(mgmt_router, missing_privilege_is_403_and_changes_nothing)
{
	const char *hdrs[] = { "X-Test-User: reader",
			       "Content-Type: application/json", NULL };
	struct mgmt_resp r;

	mgmt_router_set_auth(router, auth_header, NULL);
	dispatch(&r, "PATCH", WIDGETS "/w1", "{\"Count\": 2}", hdrs);
	cr_assert_eq(r.status, 403);
	cr_assert_str_eq(msg_id(&r), "Base.1.22.1.InsufficientPrivilege");
	cr_assert_eq(widget.changes, 0);
	mgmt_resp_fini(&r);
}

Test(mgmt_router, without_hook_every_request_has_every_privilege)
{
	const char *hdrs[] = { "Content-Type: application/json", NULL };
	struct mgmt_resp r;

	dispatch(&r, "PATCH", WIDGETS "/w1", "{\"Count\": 2}", hdrs);
	cr_assert_eq(r.status, 200);
	mgmt_resp_fini(&r);
}

/* Route tables */
struct table_case {
	char path[48];
	char msg[96];
};

ParameterizedTestParameters(mgmt_router, malformed_route_is_refused)
{
	static struct table_case cases[] = {
		{ "redfish/v1", "path \"redfish/v1\" is not absolute" },
		{ "/redfish//v1", "has an empty segment" },
		{ "/redfish/v1/", "has an empty segment" },
		{ "/a/{id", "bad parameter segment" },
		{ "/a/{}", "bad parameter segment" },
		{ "/a/x{id}", "braces inside a segment" },
		{ "/a/{i}d}", "bad parameter segment" },
	};

	return cr_make_param_array(struct table_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct table_case *c, mgmt_router, malformed_route_is_refused)
{
	struct mgmt_route route = { .path = c->path,
				    .op[MGMT_GET] = { .fn = public_get } };
	struct mgmt_route_set set = { "bad", &route, 1 };
	const struct mgmt_route_set *sets[] = { &set };
	struct mgmt_router *r = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_router_new(&r, sets, 1, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, c->msg), "%s: \"%s\"", c->path, err.msg);
	cr_assert(strstr(err.msg, "routes bad: "), "%s", err.msg);
}

Test(mgmt_router, two_routes_with_one_pattern_are_refused)
{
	static const struct mgmt_route routes[] = {
		{ .path = "/a/{x}", .op[MGMT_GET] = { .fn = public_get } },
		{ .path = "/a/{y}", .op[MGMT_GET] = { .fn = public_get } },
	};
	struct mgmt_route_set set = { "dup", routes, 2 };
	const struct mgmt_route_set *sets[] = { &set };
	struct mgmt_router *r = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_router_new(&r, sets, 1, &err), -FM_EINVAL);
	cr_assert_str_eq(
		err.msg,
		"routes dup: \"/a/{y}\" has the pattern of \"/a/{x}\"");
}

Test(mgmt_router, privilege_out_of_range_is_refused)
{
	struct mgmt_route route = {
		.path = "/a", .op[MGMT_GET] = { public_get, MGMT_PRIV_COUNT }
	};
	struct mgmt_route_set set = { "priv", &route, 1 };
	const struct mgmt_route_set *sets[] = { &set };
	struct mgmt_router *r = NULL;

	cr_assert_eq(mgmt_router_new(&r, sets, 1, NULL), -FM_EINVAL);
}

Test(mgmt_router, default_router_builds)
{
	struct mgmt_router *r = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_router_new_default(&r, &err), 0, "%s", err.msg);
	cr_assert_gt(mgmt_router_count(r), 0);
	mgmt_router_free(r);
}

/*
 * Bad input, one row each: the status and Base message it gets, a
 * Redfish error body, and no change to the widget.
 */
struct bad_case {
	char method[8];
	char path[48];
	char ctype[40]; /* Content-Type, "" none */
	char body[64];	/* "@big": more than body_max bytes */
	char extra[48]; /* one more header line, "" none */
	char query[16]; /* a query argument name, "" none */
	unsigned status;
	char id[40];
};

#define AJ "application/json"

ParameterizedTestParameters(mgmt_router,
			    bad_input_gets_its_error_and_changes_nothing)
{
	static struct bad_case cases[] = {
		/* malformed JSON */
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Name\": ", "", "", 400,
		  "MalformedJSON" },
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Name\": \"x\"} x", "", "",
		  400, "MalformedJSON" },
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Name\": \"\xff\"}", "", "",
		  400, "MalformedJSON" },
		{ "PATCH", WIDGETS "/w1", AJ, "[1]", "", "", 400,
		  "MalformedJSON" },
		{ "POST", WIDGETS "/w1/Actions/Widget.Reset", AJ, "{,}", "", "",
		  400, "MalformedJSON" },
		/* wrong types */
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Count\": \"3\"}", "", "", 400,
		  "PropertyValueTypeError" },
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Name\": 3}", "", "", 400,
		  "PropertyValueTypeError" },
		{ "POST", WIDGETS "/w1/Actions/Widget.Reset", AJ,
		  "{\"ResetType\": 1}", "", "", 400,
		  "ActionParameterValueTypeError" },
		/* unknown or read-only properties */
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Colour\": \"red\"}", "", "",
		  400, "PropertyUnknown" },
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Id\": \"w2\"}", "", "", 400,
		  "PropertyNotWritable" },
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Count\": 1, \"Id\": \"x\"}",
		  "", "", 400, "PropertyNotWritable" },
		{ "POST", WIDGETS "/w1/Actions/Widget.Reset", AJ,
		  "{\"ResetType\": \"On\", \"Delay\": 1}", "", "", 400,
		  "ActionParameterUnknown" },
		{ "POST", WIDGETS "/w1/Actions/Widget.Reset", AJ,
		  "{\"ResetType\": \"Off\"}", "", "", 400,
		  "ActionParameterValueNotInList" },
		{ "POST", WIDGETS "/w1/Actions/Widget.Reset", "", "", "", "",
		  400, "ActionParameterMissing" },
		{ "PATCH", WIDGETS "/w1", AJ, "{}", "", "", 400, "EmptyJSON" },
		{ "PATCH", WIDGETS "/w1", "", "", "", "", 400, "EmptyJSON" },
		/* unknown resources */
		{ "GET", "/redfish/v1/Nope", "", "", "", "", 404,
		  "ResourceMissingAtURI" },
		{ "PATCH", WIDGETS "/w7", AJ, "{\"Count\": 1}", "", "", 404,
		  "ResourceMissingAtURI" },
		{ "DELETE", WIDGETS "/w7", "", "", "", "", 404,
		  "ResourceMissingAtURI" },
		{ "POST", WIDGETS "/w7/Actions/Widget.Reset", AJ,
		  "{\"ResetType\": \"On\"}", "", "", 404,
		  "ResourceMissingAtURI" },
		/* oversized bodies */
		{ "PATCH", WIDGETS "/w1", AJ, "@big", "", "", 413,
		  "PayloadTooLarge" },
		{ "POST", WIDGETS "/w1/Actions/Widget.Reset", AJ, "@big", "",
		  "", 413, "PayloadTooLarge" },
		/* wrong methods */
		{ "PUT", WIDGETS "/w1", AJ, "{\"Count\": 1}", "", "", 405,
		  "OperationNotAllowed" },
		{ "POST", WIDGETS "/w1", AJ, "{\"Count\": 1}", "", "", 405,
		  "OperationNotAllowed" },
		{ "DELETE", WIDGETS, "", "", "", "", 405,
		  "OperationNotAllowed" },
		{ "GET", WIDGETS "/w1/Actions/Widget.Reset", "", "", "", "",
		  405, "OperationNotAllowed" },
		/* wrong content types */
		{ "PATCH", WIDGETS "/w1", "text/plain", "{\"Count\": 1}", "",
		  "", 415, "HeaderInvalid" },
		{ "PATCH", WIDGETS "/w1", "", "{\"Count\": 1}", "", "", 415,
		  "HeaderInvalid" },
		{ "PATCH", WIDGETS "/w1", "application/jsonx", "{\"Count\": 1}",
		  "", "", 415, "HeaderInvalid" },
		{ "POST", WIDGETS "/w1/Actions/Widget.Reset",
		  "application/x-www-form-urlencoded", "ResetType=On", "", "",
		  415, "HeaderInvalid" },
		/* preconditions, versions, queries */
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Count\": 1}",
		  "If-Match: \"0000000000000000\"", "", 412,
		  "PreconditionFailed" },
		{ "DELETE", WIDGETS "/w1", "", "", "If-Match: W/\"x\"", "", 412,
		  "PreconditionFailed" },
		{ "POST", WIDGETS "/w1/Actions/Widget.Reset", AJ,
		  "{\"ResetType\": \"On\"}", "If-Match: \"1\"", "", 412,
		  "PreconditionFailed" },
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Count\": 1}",
		  "OData-Version: 3.0", "", 412, "HeaderInvalid" },
		{ "GET", WIDGETS "/w1", "", "", "", "$expand", 501,
		  "QueryParameterUnsupported" },
		{ "PATCH", WIDGETS "/w1", AJ, "{\"Count\": 1}", "", "only", 501,
		  "QueryParameterUnsupported" },
	};

	return cr_make_param_array(struct bad_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, mgmt_router,
		  bad_input_gets_its_error_and_changes_nothing)
{
	struct widget before = widget;
	struct mgmt_kv headers[2], query[1];
	char big[2048], ct[64], extra[64], id[64];
	struct mgmt_req req = { 0 };
	struct mgmt_resp r;
	char *colon;

	req.method = c->method;
	req.path = c->path;
	if (strcmp(c->body, "@big") == 0) {
		memset(big, ' ', sizeof(big));
		big[0] = '{';
		big[sizeof(big) - 1] = '}';
		req.body = big;
		req.body_len = sizeof(big);
	} else {
		req.body = c->body;
		req.body_len = strlen(c->body);
	}
	if (c->ctype[0]) {
		snprintf(ct, sizeof(ct), "%s", c->ctype);
		headers[req.nheaders].name = "Content-Type";
		headers[req.nheaders++].value = ct;
	}
	if (c->extra[0]) {
		snprintf(extra, sizeof(extra), "%s", c->extra);
		colon = strchr(extra, ':');
		*colon = '\0';
		headers[req.nheaders].name = extra;
		headers[req.nheaders++].value = colon + 2;
	}
	if (c->query[0]) {
		query[0].name = c->query;
		query[0].value = "1";
		req.query = query;
		req.nquery = 1;
	}
	req.headers = headers;
	mgmt_router_dispatch(&r, router, &ctx, &req);

	snprintf(id, sizeof(id), "Base.1.22.1.%s", c->id);
	cr_assert_eq(r.status, c->status, "%s %s %s: %u", c->method, c->path,
		     c->body, r.status);
	cr_assert_str_eq(jstr(r.json, "error/code"),
			 "Base.1.22.1.GeneralError");
	cr_assert_str_eq(msg_id(&r), id, "%s %s %s", c->method, c->path,
			 c->body);
	cr_assert_str_eq(mgmt_resp_header(&r, "Content-Type"),
			 "application/json; charset=utf-8");
	cr_assert_str_eq(mgmt_resp_header(&r, "OData-Version"), "4.0");
	cr_assert_eq(memcmp(&widget, &before, sizeof(widget)), 0,
		     "%s %s changed the widget", c->method, c->path);
	mgmt_resp_fini(&r);
}

Test(mgmt_router, privilege_names_are_redfish_privilege_types)
{
	struct json_object *doc = NULL, *types;
	struct fm_err err = { 0 };
	char path[512];
	unsigned p;
	size_t i;

	cr_assert_eq(fab_json_parse_file(
			     &doc,
			     t_source_path(path, sizeof(path),
					   "../shared/redfish/json-schema/"
					   "Privileges.json"),
			     &err),
		     0, "%s", err.msg);
	types = jget(doc, "definitions/PrivilegeType/enum");
	for (p = 0; p < MGMT_PRIV_COUNT; p++) {
		const char *name = mgmt_priv_name((enum mgmt_priv)p);
		bool found = false;

		cr_assert(name, "privilege %u has no name", p);
		for (i = 0; i < json_object_array_length(types); i++)
			found |= strcmp(json_object_get_string(
						json_object_array_get_idx(types,
									  i)),
					name) == 0;
		cr_assert(found, "%s is no Redfish PrivilegeType", name);
	}
	cr_assert_null(mgmt_priv_name(MGMT_PRIV_COUNT));
	json_object_put(doc);
}

Test(mgmt_router, method_names)
{
	cr_assert_str_eq(mgmt_method_name(MGMT_GET), "GET");
	cr_assert_str_eq(mgmt_method_name(MGMT_DELETE), "DELETE");
	cr_assert_null(mgmt_method_name(MGMT_METHOD_COUNT));
}
