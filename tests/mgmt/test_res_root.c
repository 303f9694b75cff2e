/* SPDX-License-Identifier: MIT */
/*
 * test_res_root.c - the service's entry points: /redfish, ServiceRoot,
 * the odata document and $metadata (checked against DMTF's CSDL files in
 * ../shared/redfish/csdl), through the dispatcher with plain request
 * structs.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"
#include "tests/mgmt/json_path.h"
#include "tests/support/support.h"

#define CSDL_DIR "../shared/redfish/csdl/"

static struct mgmt_config cfg;
static struct mgmt_router *router;
static struct mgmt_ctx ctx;

static void use_router(struct mgmt_router *r)
{
	mgmt_router_free(router);
	router = r;
	ctx.router = r;
}

static void setup(void)
{
	struct mgmt_router *r = NULL;

	mgmt_config_defaults(&cfg);
	snprintf(cfg.uuid, sizeof(cfg.uuid),
		 "01234567-89ab-cdef-0123-456789abcdef");
	cr_assert_eq(mgmt_router_new_default(&r, NULL), 0);
	ctx.cfg = &cfg;
	use_router(r);
}

static void teardown(void)
{
	use_router(NULL);
}

TestSuite(mgmt_res_root, .init = setup, .fini = teardown);

static void get(struct mgmt_resp *resp, const char *path)
{
	struct mgmt_req req = { .method = "GET", .path = path };

	mgmt_router_dispatch(resp, router, &ctx, &req);
}

/* An authentication hook that lets nobody in. */
static int refuse_all(struct mgmt_principal *who, void *actx,
		      const struct mgmt_req *req, struct mgmt_resp *resp,
		      struct fm_err *err)
{
	(void)who;
	(void)actx;
	(void)req;
	(void)resp;
	return fm_err_set(err, FM_EPERM, "nobody");
}

/* A family with resources under /redfish/v1, to link from the root. */
static int dummy_get(struct mgmt_resp *resp, struct mgmt_ctx *c,
		     const struct mgmt_req *req, struct fm_err *err)
{
	(void)c;
	(void)req;
	(void)err;
	mgmt_resp_set_json(resp, 200, json_object_new_object());
	return 0;
}

static const struct mgmt_route extra_routes[] = {
	{ .path = "/redfish/v1/TaskService",
	  .type = "#TaskService.v1_2_1.TaskService",
	  .op[MGMT_GET] = { .fn = dummy_get } },
	{ .path = "/redfish/v1/Fabrics",
	  .type = "#FabricCollection.FabricCollection",
	  .op[MGMT_GET] = { .fn = dummy_get } },
	{ .path = "/redfish/v1/Fabrics/{fabric}",
	  .type = "#Fabric.v1_3_2.Fabric",
	  .op[MGMT_GET] = { .fn = dummy_get } },
	{ .path = "/redfish/v1/SessionService/Sessions",
	  .type = "#SessionCollection.SessionCollection",
	  .op[MGMT_GET] = { .fn = dummy_get } },
};

MGMT_ROUTE_SET(extra_set, "extra", extra_routes);

static void use_extra_router(void)
{
	const struct mgmt_route_set *sets[] = { &mgmt_res_root,
						&mgmt_res_registries,
						&extra_set };
	struct mgmt_router *r = NULL;

	cr_assert_eq(mgmt_router_new(&r, sets, 3, NULL), 0);
	use_router(r);
}

/* /redfish */
Test(mgmt_res_root, redfish_names_the_v1_service_root)
{
	struct mgmt_resp r;

	get(&r, "/redfish");
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "{\"v1\":\"/redfish/v1/\"}");
	mgmt_resp_fini(&r);
}

/* ServiceRoot */
Test(mgmt_res_root, service_root_identifies_the_service)
{
	struct mgmt_resp r;

	get(&r, "/redfish/v1/");
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "@odata.id"), "/redfish/v1");
	cr_assert_str_eq(jstr(r.json, "@odata.type"),
			 "#ServiceRoot.v1_20_0.ServiceRoot");
	cr_assert_str_eq(jstr(r.json, "Id"), "RootService");
	cr_assert_str_eq(jstr(r.json, "RedfishVersion"), "1.20.0");
	cr_assert_str_eq(jstr(r.json, "UUID"),
			 "01234567-89ab-cdef-0123-456789abcdef");
	cr_assert_str_eq(mgmt_resp_header(&r, "Link"),
			 "<http://redfish.dmtf.org/schemas/v1/ServiceRoot."
			 "v1_20_0.json>; rel=describedby");
	mgmt_resp_fini(&r);
}

Test(mgmt_res_root, service_root_links_sessions_before_they_exist)
{
	struct mgmt_resp r;

	get(&r, "/redfish/v1");
	cr_assert_str_eq(jstr(r.json, "Links/Sessions/@odata.id"),
			 "/redfish/v1/SessionService/Sessions");
	mgmt_resp_fini(&r);
}

Test(mgmt_res_root, service_root_links_the_registries)
{
	struct mgmt_resp r;

	get(&r, "/redfish/v1");
	cr_assert_str_eq(jstr(r.json, "Registries/@odata.id"),
			 "/redfish/v1/Registries");
	cr_assert_null(jget(r.json, "$metadata"));
	cr_assert_null(jget(r.json, "odata"));
	mgmt_resp_fini(&r);
}

Test(mgmt_res_root, service_root_links_every_top_level_family)
{
	struct mgmt_resp r;

	use_extra_router();
	get(&r, "/redfish/v1");
	/* TaskService is linked as "Tasks" (its schema's uriSegment) */
	cr_assert_str_eq(jstr(r.json, "Tasks/@odata.id"),
			 "/redfish/v1/TaskService");
	cr_assert_str_eq(jstr(r.json, "Fabrics/@odata.id"),
			 "/redfish/v1/Fabrics");
	cr_assert_null(jget(r.json, "TaskService"));
	mgmt_resp_fini(&r);
}

Test(mgmt_res_root, entry_points_need_no_authentication)
{
	static const char *const paths[] = { "/redfish", "/redfish/v1",
					     "/redfish/v1/$metadata",
					     "/redfish/v1/odata" };
	struct mgmt_resp r;
	size_t i;

	mgmt_router_set_auth(router, refuse_all, NULL);
	for (i = 0; i < FM_ARRAY_SIZE(paths); i++) {
		get(&r, paths[i]);
		cr_assert_eq(r.status, 200, "%s: %u", paths[i], r.status);
		mgmt_resp_fini(&r);
	}
}

Test(mgmt_res_root, service_root_is_read_only)
{
	struct mgmt_req req = { .method = "PATCH", .path = "/redfish/v1" };
	struct mgmt_resp r;

	mgmt_router_dispatch(&r, router, &ctx, &req);
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(mgmt_resp_header(&r, "Allow"), "GET, HEAD");
	mgmt_resp_fini(&r);
}

/* odata */
static bool odata_has(struct json_object *doc, const char *name,
		      const char *url)
{
	struct json_object *value = jget(doc, "value");
	size_t i;

	for (i = 0; i < json_object_array_length(value); i++) {
		struct json_object *e = json_object_array_get_idx(value, i);

		if (strcmp(jstr(e, "name"), name) == 0 &&
		    strcmp(jstr(e, "url"), url) == 0 &&
		    strcmp(jstr(e, "kind"), "Singleton") == 0)
			return true;
	}
	return false;
}

Test(mgmt_res_root, odata_lists_the_top_level_resources)
{
	struct mgmt_resp r;

	use_extra_router();
	get(&r, "/redfish/v1/odata");
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "@odata.context"),
			 "/redfish/v1/$metadata");
	cr_assert(odata_has(r.json, "Service", "/redfish/v1/"));
	cr_assert(odata_has(r.json, "Registries", "/redfish/v1/Registries"));
	cr_assert(odata_has(r.json, "Tasks", "/redfish/v1/TaskService"));
	cr_assert(odata_has(r.json, "Sessions",
			    "/redfish/v1/SessionService/Sessions"));
	cr_assert_eq(json_object_array_length(jget(r.json, "value")), 5);
	mgmt_resp_fini(&r);
}

/* $metadata */
static char *read_file(const char *rel)
{
	char path[512];
	FILE *f = fopen(t_source_path(path, sizeof(path), rel), "r");
	char *buf;
	long n;

	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * Every DMTF reference of @doc names a CSDL file that exists, and each
 * namespace it includes is declared there.  Returns the references seen.
 */
static unsigned check_references(const char *doc)
{
	static const char ref[] = "<edmx:Reference Uri=\"";
	const char *p = strstr(doc, ref);
	unsigned n = 0;

	for (; p; p = strstr(p, ref)) {
		const char *uri = p + sizeof(ref) - 1, *end = strchr(uri, '"');
		const char *close = strstr(uri, "</edmx:Reference>");
		char file[128], rel[256], want[160];
		const char *inc;
		char *csdl;

		p = close;
		if (strncmp(uri, MGMT_RF_SCHEMA_BASE,
			    strlen(MGMT_RF_SCHEMA_BASE)) != 0)
			continue;
		uri += strlen(MGMT_RF_SCHEMA_BASE);
		snprintf(file, sizeof(file), "%.*s", (int)(end - uri), uri);
		snprintf(rel, sizeof(rel), CSDL_DIR "%s", file);
		csdl = read_file(rel);
		for (inc = strstr(uri, "Namespace=\""); inc && inc < close;
		     inc = strstr(inc, "Namespace=\"")) {
			const char *ns = inc + strlen("Namespace=\"");

			snprintf(want, sizeof(want), "Namespace=\"%.*s\"",
				 (int)(strchr(ns, '"') - ns), ns);
			cr_assert(strstr(csdl, want), "%s does not declare %s",
				  file, want);
			inc = ns;
		}
		free(csdl);
		n++;
	}
	return n;
}

Test(mgmt_res_root, metadata_is_csdl_xml)
{
	struct mgmt_resp r;

	get(&r, "/redfish/v1/$metadata");
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(mgmt_resp_header(&r, "Content-Type"),
			 "application/xml");
	cr_assert_eq(strncmp(r.body,
			     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38),
		     0);
	cr_assert(strstr(r.body,
			 "<EntityContainer Name=\"Service\" "
			 "Extends=\"ServiceRoot.v1_20_0.ServiceContainer\"/>"));
	mgmt_resp_fini(&r);
}

Test(mgmt_res_root, metadata_references_exist_in_dmtf_csdl)
{
	struct mgmt_resp r;
	char *doc;

	use_extra_router();
	get(&r, "/redfish/v1/$metadata");
	doc = strndup(r.body, r.body_len);
	/* RedfishExtensions, Resource, Message, ServiceRoot, the registry
	 * file and its collection, the OEM registry (MessageRegistry), and
	 * the four extra types */
	cr_assert_eq(check_references(doc), 11);
	free(doc);
	mgmt_resp_fini(&r);
}

Test(mgmt_res_root, metadata_references_every_served_type)
{
	struct mgmt_resp r;
	size_t i;

	use_extra_router();
	get(&r, "/redfish/v1/$metadata");
	for (i = 0; i < mgmt_router_count(router); i++) {
		const struct mgmt_route *route = mgmt_router_route(router, i);
		char schema[128], want[160];

		if (!route->type)
			continue;
		mgmt_rf_type_schema(schema, sizeof(schema), route->type);
		snprintf(want, sizeof(want), "<edmx:Include Namespace=\"%s\"/>",
			 schema);
		cr_assert(memmem(r.body, r.body_len, want, strlen(want)),
			  "%s not referenced", schema);
	}
	/* error bodies use Message */
	cr_assert(memmem(r.body, r.body_len,
			 "<edmx:Include Namespace=\"Message.v1_3_0\"/>", 41));
	mgmt_resp_fini(&r);
}
