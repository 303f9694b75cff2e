/* SPDX-License-Identifier: MIT */
/*
 * res_managers.c - /redfish/v1/Managers: mrfabricd itself, the one
 * manager of the service (ManagerType FabricManager, which Manager
 * v1_24_0 defines), with links to the fabric, switches and enclosure it
 * manages.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/fabric.h"
#include "mgmt/mgmt.h"
#include "mgmt/redfish_int.h"
#include "mgmt/res_fabric_int.h"
#include "mgmt/router_int.h"
#include "mgmt/switch_link.h"

#define MANAGERS_URI "/redfish/v1/Managers"
#define MANAGER_COLLECTION_TYPE "#ManagerCollection.ManagerCollection"
#define MANAGER_TYPE "#Manager.v1_24_0.Manager"

static int manager_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				  const struct mgmt_req *req,
				  struct fm_err *err)
{
	struct json_object *o = NULL;
	int ret;

	(void)ctx;
	ret = mgmt_rf_collection_new(&o, req->uri, MANAGER_COLLECTION_TYPE,
				     "Manager Collection", err);
	if (ret == 0)
		ret = mgmt_rf_collection_add(o, MGMT_FABRIC_MANAGER_URI, err);
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* Links of the manager: what it manages, none without a switch. */
static struct json_object *manager_links_new(const struct mgmt_fabric *f)
{
	struct json_object *links = json_object_new_object();
	struct json_object *fabrics = json_object_new_array();
	struct json_object *switches = json_object_new_array();
	struct json_object *chassis = json_object_new_array();
	char uri[MGMT_FABRIC_URI_MAX];
	size_t i;
	int bad = 0;

	if (!links || !fabrics || !switches || !chassis) {
		json_object_put(links);
		json_object_put(fabrics);
		json_object_put(switches);
		json_object_put(chassis);
		return NULL;
	}
	if (f) {
		bad |= mgmt_res_link_append(fabrics, MGMT_FABRIC_URI);
		bad |= mgmt_res_link_append(chassis, MGMT_FABRIC_ENCLOSURE_URI);
		for (i = 0; i < mgmt_fabric_chip_count(f); i++) {
			mgmt_fabric_switch_uri(uri, sizeof(uri), (unsigned)i);
			bad |= mgmt_res_link_append(switches, uri);
		}
	}
	bad |= mgmt_res_set_links(links, "ManagerForFabrics", fabrics);
	bad |= mgmt_res_set_links(links, "ManagerForSwitches", switches);
	bad |= mgmt_res_set_links(links, "ManagerForChassis", chassis);
	if (bad) {
		json_object_put(links);
		return NULL;
	}
	return links;
}

static int manager_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "manager");
	struct mgmt_fabric *f = NULL;
	struct json_object *o = NULL, *status;
	int bad = 0, ret;

	if (strcmp(id, MGMT_FABRIC_MANAGER_ID) != 0)
		return fm_err_set(err, FM_ENOENT, "no manager %s", id);
	if (ctx->fabric) {
		ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
		if (ret < 0)
			return ret;
	}
	ret = mgmt_rf_resource_new(&o, req->uri, MANAGER_TYPE,
				   "mrfabricd fabric manager", err);
	if (ret < 0)
		return ret;
	bad |= mgmt_rf_set_str(o, "ManagerType", "FabricManager");
	bad |= mgmt_rf_set_str(o, "Description",
			       "The PCIe fabric manager: binds functions and "
			       "VFs of the shared devices to the blades");
	bad |= mgmt_rf_set_str(o, "Model", "mrfabricd");
	if (ctx->cfg && ctx->cfg->uuid[0]) {
		bad |= mgmt_rf_set_str(o, "UUID", ctx->cfg->uuid);
		bad |= mgmt_rf_set_str(o, "ServiceEntryPointUUID",
				       ctx->cfg->uuid);
	}
	bad |= mgmt_rf_set(
		o, "Status",
		mgmt_res_status_new(f ? "Enabled" : "StandbyOffline"));
	/* the switch cannot be reached: what needs it gets 503 */
	if (ctx->link && !mgmt_switch_link_up(ctx->link) &&
	    json_object_object_get_ex(o, "Status", &status))
		bad |= mgmt_rf_set_str(status, "Health", "Critical");
	bad |= mgmt_rf_set(o, "Links", manager_links_new(f));
	/* the audit log (res_audit.c) */
	bad |= mgmt_rf_set_link(o, "LogServices",
				MGMT_FABRIC_MANAGER_URI "/LogServices");
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory",
				  req->uri);
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static const struct mgmt_route manager_routes[] = {
	{
		.path = MANAGERS_URI,
		.type = MANAGER_COLLECTION_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { manager_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MANAGERS_URI "/{manager}",
		.type = MANAGER_TYPE,
		.op[MGMT_GET] = { manager_get, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_managers, "managers", manager_routes);
