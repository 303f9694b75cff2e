/* SPDX-License-Identifier: MIT */
/*
 * res_root.c - the entry points of the service (DSP0266 "Service root"):
 * /redfish (the version document), /redfish/v1 (ServiceRoot),
 * /redfish/v1/$metadata (the CSDL document referencing every schema the
 * service uses) and /redfish/v1/odata (the OData service document).
 *
 * All four follow from the route table: every family with a resource
 * directly under /redfish/v1 is linked from ServiceRoot and listed in the
 * odata document, and every @odata.type a route serves is referenced
 * from $metadata.  They need no authentication (DSP0266 allows exactly
 * these to be read anonymously).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"

#define ROOT_URI "/redfish/v1"
#define ROOT_TYPE "#ServiceRoot.v1_20_0.ServiceRoot"
#define ROOT_CONTAINER "ServiceRoot.v1_20_0.ServiceContainer"
#define SESSIONS_URI ROOT_URI "/SessionService/Sessions"
#define SCHEMA_NAME_MAX 128

/*
 * ServiceRoot properties whose name is not their URI segment (the
 * schema's "uriSegment" annotation); every other one is its segment.
 */
static const struct {
	const char *segment;
	const char *property;
} root_renamed[] = {
	{ "TaskService", "Tasks" },
};

/*
 * The resource directly under /redfish/v1 that route @r serves, as the
 * ServiceRoot property naming it; NULL when @r serves none.
 */
static const char *root_child(const struct mgmt_route *r)
{
	const char *seg;
	size_t i;

	if (!r->type || !r->op[MGMT_GET].fn ||
	    strncmp(r->path, ROOT_URI "/", sizeof(ROOT_URI)) != 0)
		return NULL;
	seg = r->path + sizeof(ROOT_URI);
	if (strchr(seg, '/') || seg[0] == '{')
		return NULL;
	for (i = 0; i < FM_ARRAY_SIZE(root_renamed); i++)
		if (strcmp(seg, root_renamed[i].segment) == 0)
			return root_renamed[i].property;
	return seg;
}

static bool root_routed(const struct mgmt_router *r, const char *path)
{
	size_t i;

	for (i = 0; i < mgmt_router_count(r); i++)
		if (strcmp(mgmt_router_route(r, i)->path, path) == 0)
			return true;
	return false;
}

/* GET /redfish: the versions the service speaks (DSP0266). */
static int root_versions_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			     const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = json_object_new_object();

	(void)ctx;
	if (!o || mgmt_rf_set_str(o, "v1", ROOT_URI "/") < 0) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory",
				  req->uri);
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static struct json_object *root_features_new(void)
{
	struct json_object *f = json_object_new_object();
	struct json_object *expand = json_object_new_object();
	int bad = 0;

	if (!f || !expand) {
		json_object_put(f);
		json_object_put(expand);
		return NULL;
	}
	/* no query parameter is supported: the dispatcher answers 501 */
	bad |= mgmt_rf_set(expand, "ExpandAll", json_object_new_boolean(0));
	bad |= mgmt_rf_set(expand, "Levels", json_object_new_boolean(0));
	bad |= mgmt_rf_set(expand, "Links", json_object_new_boolean(0));
	bad |= mgmt_rf_set(expand, "NoLinks", json_object_new_boolean(0));
	bad |= mgmt_rf_set(f, "ExpandQuery", expand);
	bad |= mgmt_rf_set(f, "FilterQuery", json_object_new_boolean(0));
	bad |= mgmt_rf_set(f, "SelectQuery", json_object_new_boolean(0));
	bad |= mgmt_rf_set(f, "OnlyMemberQuery", json_object_new_boolean(0));
	bad |= mgmt_rf_set(f, "ExcerptQuery", json_object_new_boolean(0));
	bad |= mgmt_rf_set(f, "TopSkipQuery", json_object_new_boolean(0));
	if (bad) {
		json_object_put(f);
		return NULL;
	}
	return f;
}

/* GET /redfish/v1: ServiceRoot. */
static int root_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		    const struct mgmt_req *req, struct fm_err *err)
{
	const struct mgmt_router *r = ctx->router;
	struct json_object *o = NULL, *links;
	size_t i;
	int bad = 0, ret;

	ret = mgmt_rf_resource_new(&o, ROOT_URI, ROOT_TYPE, "Root Service",
				   err);
	if (ret < 0)
		return ret;
	/* ServiceRoot is no collection member; its Id is the customary
	 * "RootService" of DMTF's mockups, not the segment "v1" */
	bad |= mgmt_rf_set_str(o, "Id", "RootService");
	bad |= mgmt_rf_set_str(o, "RedfishVersion", MGMT_RF_VERSION);
	if (ctx->cfg && ctx->cfg->uuid[0])
		bad |= mgmt_rf_set_str(o, "UUID", ctx->cfg->uuid);
	bad |= mgmt_rf_set_str(o, "Vendor", "mrfabric");
	bad |= mgmt_rf_set_str(o, "Product", "mrfabricd");
	bad |= mgmt_rf_set(o, "ProtocolFeaturesSupported", root_features_new());
	for (i = 0; r && i < mgmt_router_count(r); i++) {
		const struct mgmt_route *route = mgmt_router_route(r, i);
		const char *prop = root_child(route);

		if (prop)
			bad |= mgmt_rf_set_link(o, prop, route->path);
	}
	/* required by the schema, even before the session service exists */
	links = json_object_new_object();
	if (links && mgmt_rf_set_link(links, "Sessions", SESSIONS_URI) < 0) {
		json_object_put(links);
		links = NULL;
	}
	bad |= mgmt_rf_set(o, "Links", links);
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory",
				  req->uri);
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static int root_odata_add(struct json_object *value, const char *name,
			  const char *url)
{
	struct json_object *e = json_object_new_object();
	int bad = 0;

	if (!e)
		return -FM_ENOMEM;
	bad |= mgmt_rf_set_str(e, "name", name);
	bad |= mgmt_rf_set_str(e, "kind", "Singleton");
	bad |= mgmt_rf_set_str(e, "url", url);
	if (bad || json_object_array_add(value, e) != 0) {
		json_object_put(e);
		return -FM_ENOMEM;
	}
	return 0;
}

/* GET /redfish/v1/odata: the OData service document. */
static int root_odata_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			  const struct mgmt_req *req, struct fm_err *err)
{
	const struct mgmt_router *r = ctx->router;
	struct json_object *o = json_object_new_object();
	struct json_object *value = json_object_new_array();
	size_t i;
	int bad = 0;

	if (!o || !value) {
		json_object_put(value);
		goto nomem;
	}
	bad |= mgmt_rf_set_str(o, "@odata.context", ROOT_URI "/$metadata");
	bad |= mgmt_rf_set(o, "value", value);
	if (bad)
		goto nomem;
	bad |= root_odata_add(value, "Service", ROOT_URI "/");
	for (i = 0; r && i < mgmt_router_count(r); i++) {
		const struct mgmt_route *route = mgmt_router_route(r, i);
		const char *name = root_child(route);

		if (name)
			bad |= root_odata_add(value, name, route->path);
	}
	if (r && root_routed(r, SESSIONS_URI))
		bad |= root_odata_add(value, "Sessions", SESSIONS_URI);
	if (bad)
		goto nomem;
	mgmt_resp_set_json(resp, 200, o);
	return 0;
nomem:
	json_object_put(o);
	return fm_err_set(err, FM_ENOMEM, "%s: out of memory", req->uri);
}

/* ---------------------------------------------------------------------
 * $metadata
 */
struct md_schema {
	char base[SCHEMA_NAME_MAX];    /* "Zone": the CSDL file Zone_v1.xml */
	char version[SCHEMA_NAME_MAX]; /* "Zone.v1_6_3", "" unversioned */
};

/* Split @type ("#Zone.v1_6_3.Zone") into @s; false when malformed. */
static bool md_schema_of(struct md_schema *s, const char *type)
{
	char *dot;

	if (!mgmt_rf_type_schema(s->version, sizeof(s->version), type))
		return false;
	memcpy(s->base, s->version, sizeof(s->base));
	dot = strrchr(s->base, '.');
	if (dot && dot[1] == 'v' && dot[2] >= '0' && dot[2] <= '9')
		*dot = '\0';
	else
		s->version[0] = '\0';
	return true;
}

static void md_add(struct md_schema *list, size_t *n, const char *type)
{
	struct md_schema s;
	size_t i;

	if (!type || !md_schema_of(&s, type))
		return;
	for (i = 0; i < *n; i++)
		if (strcmp(list[i].base, s.base) == 0 &&
		    strcmp(list[i].version, s.version) == 0)
			return;
	list[(*n)++] = s;
}

static void md_write(FILE *f, const struct md_schema *list, size_t n)
{
	size_t i, j;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<edmx:Edmx xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/"
	      "edmx\" Version=\"4.0\">\n"
	      "  <edmx:Reference Uri=\"http://docs.oasis-open.org/odata/odata/"
	      "v4.0/errata03/csd01/complete/vocabularies/Org.OData.Core.V1."
	      "xml\">\n"
	      "    <edmx:Include Namespace=\"Org.OData.Core.V1\" "
	      "Alias=\"OData\"/>\n"
	      "  </edmx:Reference>\n"
	      "  <edmx:Reference Uri=\"" MGMT_RF_SCHEMA_BASE
	      "RedfishExtensions_v1.xml\">\n"
	      "    <edmx:Include Namespace=\"RedfishExtensions.v1_0_0\" "
	      "Alias=\"Redfish\"/>\n"
	      "  </edmx:Reference>\n",
	      f);
	for (i = 0; i < n; i++) {
		bool first = true;

		for (j = 0; j < i && first; j++)
			first = strcmp(list[j].base, list[i].base) != 0;
		if (!first)
			continue;
		fprintf(f,
			"  <edmx:Reference Uri=\"" MGMT_RF_SCHEMA_BASE
			"%s_v1.xml\">\n"
			"    <edmx:Include Namespace=\"%s\"/>\n",
			list[i].base, list[i].base);
		for (j = i; j < n; j++)
			if (list[j].version[0] &&
			    strcmp(list[j].base, list[i].base) == 0)
				fprintf(f,
					"    <edmx:Include "
					"Namespace=\"%s\"/>\n",
					list[j].version);
		fputs("  </edmx:Reference>\n", f);
	}
	fputs("  <edmx:DataServices>\n"
	      "    <Schema xmlns=\"http://docs.oasis-open.org/odata/ns/edm\" "
	      "Namespace=\"Service\">\n"
	      "      <EntityContainer Name=\"Service\" "
	      "Extends=\"" ROOT_CONTAINER "\"/>\n"
	      "    </Schema>\n"
	      "  </edmx:DataServices>\n"
	      "</edmx:Edmx>\n",
	      f);
}

/*
 * GET /redfish/v1/$metadata: a CSDL document (DSP0266 "Service metadata")
 * that references the schema file and namespaces of every type the
 * service serves: each route's @odata.type, plus Resource (the common
 * types) and Message (error bodies).
 */
static int root_metadata_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			     const struct mgmt_req *req, struct fm_err *err)
{
	const struct mgmt_router *r = ctx->router;
	size_t nroutes = r ? mgmt_router_count(r) : 0;
	struct md_schema *list = NULL;
	char *doc = NULL;
	size_t n = 0, len = 0, i;
	FILE *f = NULL;
	int ret;

	list = calloc(nroutes + 3, sizeof(*list));
	if (list)
		f = open_memstream(&doc, &len);
	if (!f) {
		ret = fm_err_set(err, FM_ENOMEM, "%s: out of memory", req->uri);
		goto out;
	}
	md_add(list, &n, "#Resource.v1_0_0.Resource");
	md_add(list, &n, MGMT_MESSAGE_TYPE);
	md_add(list, &n, ROOT_TYPE);
	for (i = 0; i < nroutes; i++)
		md_add(list, &n, mgmt_router_route(r, i)->type);
	md_write(f, list, n);
	if (fclose(f) != 0) {
		f = NULL;
		ret = fm_err_set(err, FM_ENOMEM, "%s: out of memory", req->uri);
		goto out;
	}
	f = NULL;
	ret = mgmt_resp_set_text(resp, 200, "application/xml", doc, len, err);
out:
	if (f)
		fclose(f);
	free(doc);
	free(list);
	return ret;
}

/*
 * The entry points.  No authentication (MGMT_PRIV_NONE): DSP0266 lets
 * clients read these before they log in.
 */
static const struct mgmt_route root_routes[] = {
	{
		.path = "/redfish",
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { root_versions_get, MGMT_PRIV_NONE },
	},
	{
		.path = ROOT_URI,
		.type = ROOT_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { root_get, MGMT_PRIV_NONE },
	},
	{
		.path = ROOT_URI "/$metadata",
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { root_metadata_get, MGMT_PRIV_NONE },
	},
	{
		.path = ROOT_URI "/odata",
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { root_odata_get, MGMT_PRIV_NONE },
	},
};

MGMT_ROUTE_SET(mgmt_res_root, "root", root_routes);
