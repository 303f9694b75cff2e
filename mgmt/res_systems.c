/* SPDX-License-Identifier: MIT */
/*
 * res_systems.c - /redfish/v1/Systems: one ComputerSystem per blade (per
 * partition), listing the PCIe devices and functions the fabric gave it.
 *
 * Identifiers and URIs: mgmt/fabric.h.  A function belongs to a blade
 * from its bind until its unbind completes (owner in the switch's
 * function list), whatever the hot-plug state with the host.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/fabric.h"
#include "mgmt/redfish_int.h"
#include "mgmt/res_fabric_int.h"
#include "mgmt/router_int.h"

#define SYSTEMS_URI "/redfish/v1/Systems"
#define SYSTEM_COLLECTION_TYPE                                                 \
	"#ComputerSystemCollection.ComputerSystemCollection"
#define SYSTEM_TYPE "#ComputerSystem.v1_27_0.ComputerSystem"

static int system_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				 const struct mgmt_req *req, struct fm_err *err)
{
	/* blades exist only with a switch; without one the list is empty */
	return mgmt_res_index_collection(resp, ctx, req, SYSTEM_COLLECTION_TYPE,
					 "Computer System Collection",
					 mgmt_fabric_part_count,
					 mgmt_fabric_system_uri, false, err);
}

/*
 * Links to what blade @part owns: its functions into @fns and, once
 * each, their devices into @devs (functions come in fid order, so a
 * device's functions are adjacent).
 */
static int system_owned_add(struct json_object *devs, struct json_object *fns,
			    const struct mgmt_fabric *f, unsigned part)
{
	char uri[MGMT_FABRIC_URI_MAX];
	uint32_t last_dev = SW_FID_NONE;
	const size_t *idx;
	size_t i, n;
	int bad = 0;

	n = mgmt_fabric_part_fns(&idx, f, part);
	for (i = 0; i < n; i++) {
		const struct sw_fmp_fn *fn = mgmt_fabric_fn(f, idx[i]);
		uint32_t dev =
			SW_FID(SW_FID_CHIP(fn->fid), SW_FID_PORT(fn->fid), 0);

		if (dev != last_dev) {
			mgmt_fabric_device_uri(uri, sizeof(uri), dev);
			bad |= mgmt_res_link_append(devs, uri);
			last_dev = dev;
		}
		mgmt_fabric_fn_uri(uri, sizeof(uri), fn->fid);
		bad |= mgmt_res_link_append(fns, uri);
	}
	return bad;
}

static struct json_object *system_links_new(unsigned part)
{
	struct json_object *links = json_object_new_object();
	struct json_object *chassis = json_object_new_array_ext(1);
	struct json_object *eps = json_object_new_array_ext(1);
	char uri[MGMT_FABRIC_URI_MAX];
	int bad = 0;

	if (!links || !chassis || !eps) {
		json_object_put(links);
		json_object_put(chassis);
		json_object_put(eps);
		return NULL;
	}
	mgmt_fabric_chassis_uri(uri, sizeof(uri), part);
	bad |= mgmt_res_link_append(chassis, uri);
	mgmt_fabric_host_endpoint_uri(uri, sizeof(uri), part);
	bad |= mgmt_res_link_append(eps, uri);
	bad |= mgmt_res_set_links(links, "Chassis", chassis);
	bad |= mgmt_res_set_links(links, "Endpoints", eps);
	if (bad) {
		json_object_put(links);
		return NULL;
	}
	return links;
}

static int system_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		      const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "system");
	const struct mgmt_fabric_part *p;
	struct json_object *o = NULL, *devs, *fns;
	struct mgmt_fabric *f;
	unsigned part;
	char name[64];
	int bad = 0, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret < 0)
		return ret;
	if (mgmt_fabric_blade_id_parse(&part, id, NULL) < 0 ||
	    !(p = mgmt_fabric_part(f, part)))
		return fm_err_set(err, FM_ENOENT, "no system %s", id);
	snprintf(name, sizeof(name), "Blade %u", part);
	ret = mgmt_rf_resource_new(&o, req->uri, SYSTEM_TYPE, name, err);
	if (ret < 0)
		return ret;
	devs = json_object_new_array();
	fns = json_object_new_array();
	if (devs && fns)
		bad |= system_owned_add(devs, fns, f, part);
	bad |= mgmt_rf_set_str(o, "SystemType", "Physical");
	bad |= mgmt_rf_set_str(o, "Description",
			       "A blade: a host on one upstream port of the "
			       "fabric");
	bad |= mgmt_rf_set(
		o, "Status",
		mgmt_res_status_new(p->info.flags & SW_FMP_PART_LINK_UP
					    ? "Enabled"
					    : "StandbyOffline"));
	bad |= mgmt_res_set_links(o, "PCIeDevices", devs);
	bad |= mgmt_res_set_links(o, "PCIeFunctions", fns);
	bad |= mgmt_rf_set(o, "Links", system_links_new(part));
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory",
				  req->uri);
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static const struct mgmt_route system_routes[] = {
	{
		.path = SYSTEMS_URI,
		.type = SYSTEM_COLLECTION_TYPE,
		.op[MGMT_GET] = { system_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = SYSTEMS_URI "/{system}",
		.type = SYSTEM_TYPE,
		.op[MGMT_GET] = { system_get, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_systems, "systems", system_routes);
