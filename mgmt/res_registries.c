/* SPDX-License-Identifier: MIT */
/*
 * res_registries.c - /redfish/v1/Registries: the message registries the
 * service's messages come from (DSP0266 "Message registries").
 *
 * The service sends messages of DMTF's Base registry only.  Like most
 * BMCs it does not carry the registry file itself: the MessageRegistryFile
 * points at DMTF's published copy, and the entries the service uses live
 * in redfish.c's mgmt_base_messages[] (checked against DMTF's file by
 * tests/mgmt/test_redfish.c).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"

#define REG_URI "/redfish/v1/Registries"
#define REG_COLLECTION_TYPE                                                    \
	"#MessageRegistryFileCollection.MessageRegistryFileCollection"
#define REG_FILE_TYPE "#MessageRegistryFile.v1_1_5.MessageRegistryFile"

struct reg_file {
	const char *id;	      /* the URI segment: "Base" */
	const char *registry; /* "<prefix>.<major>.<minor>" */
	const char *name;
	const char *description;
	const char *location; /* where the registry file is published */
};

static const struct reg_file reg_files[] = {
	{
		.id = "Base",
		.registry = "Base.1.22",
		.name = "Base Message Registry File",
		.description = "DMTF Base Message Registry File Location",
		.location = MGMT_BASE_REGISTRY_URI,
	},
};

static int reg_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			      const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	char uri[MGMT_URI_MAX];
	size_t i;
	int ret;

	(void)ctx;
	(void)req;
	ret = mgmt_rf_collection_new(&o, REG_URI, REG_COLLECTION_TYPE,
				     "Message Registry File Collection", err);
	for (i = 0; ret == 0 && i < FM_ARRAY_SIZE(reg_files); i++) {
		snprintf(uri, sizeof(uri), REG_URI "/%s", reg_files[i].id);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static struct json_object *reg_location_new(const struct reg_file *f)
{
	struct json_object *loc = json_object_new_array_ext(1);
	struct json_object *en = json_object_new_object();
	int bad = 0;

	if (!loc || !en) {
		json_object_put(loc);
		json_object_put(en);
		return NULL;
	}
	bad |= mgmt_rf_set_str(en, "Language", "en");
	/* Uri: where a client gets the file; here that is DMTF's copy */
	bad |= mgmt_rf_set_str(en, "Uri", f->location);
	bad |= mgmt_rf_set_str(en, "PublicationUri", f->location);
	if (bad || json_object_array_add(loc, en) != 0) {
		json_object_put(en);
		json_object_put(loc);
		return NULL;
	}
	return loc;
}

static int reg_file_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "registry");
	const struct reg_file *f = NULL;
	struct json_object *o = NULL, *langs, *en;
	size_t i;
	int bad = 0, ret;

	(void)ctx;
	for (i = 0; i < FM_ARRAY_SIZE(reg_files) && !f; i++)
		if (strcmp(reg_files[i].id, id) == 0)
			f = &reg_files[i];
	if (!f)
		return fm_err_set(err, FM_ENOENT, "no message registry %s", id);
	ret = mgmt_rf_resource_new(&o, req->uri, REG_FILE_TYPE, f->name, err);
	if (ret < 0)
		return ret;
	langs = json_object_new_array_ext(1);
	en = json_object_new_string("en");
	if (!langs || !en || json_object_array_add(langs, en) != 0) {
		json_object_put(en);
		bad = -FM_ENOMEM;
	}
	bad |= mgmt_rf_set_str(o, "Description", f->description);
	bad |= mgmt_rf_set(o, "Languages", langs);
	bad |= mgmt_rf_set_str(o, "Registry", f->registry);
	bad |= mgmt_rf_set(o, "Location", reg_location_new(f));
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory",
				  req->uri);
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static const struct mgmt_route reg_routes[] = {
	{
		.path = REG_URI,
		.type = REG_COLLECTION_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { reg_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = REG_URI "/{registry}",
		.type = REG_FILE_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { reg_file_get, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_registries, "registries", reg_routes);
