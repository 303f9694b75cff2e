/* SPDX-License-Identifier: MIT */
/*
 * res_fabrics.c - /redfish/v1/Fabrics: the PCIe fabric with its switches
 * and ports (and their metrics), its endpoints (one per host, one per
 * assignable function) and its zones (one per host: the host endpoint
 * plus the targets bound to it).  Read side only: the Zone and Fabric
 * bodies advertise the actions (their "Actions" targets), and POST to
 * the Zones collection is routed here, but res_zones_actions.c serves
 * them all.
 *
 * Identifiers and URIs: mgmt/fabric.h.  Port and PortMetrics read the
 * port live over FMP (link state and counters move without events);
 * everything else reads the model.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/fabric.h"
#include "mgmt/redfish_int.h"
#include "mgmt/res_fabric_int.h"
#include "mgmt/router_int.h"

#define FABRIC_COLLECTION_TYPE "#FabricCollection.FabricCollection"
#define FABRIC_TYPE "#Fabric.v1_4_0.Fabric"
#define SWITCH_COLLECTION_TYPE "#SwitchCollection.SwitchCollection"
#define SWITCH_TYPE "#Switch.v1_11_0.Switch"
#define PORT_COLLECTION_TYPE "#PortCollection.PortCollection"
#define PORT_TYPE "#Port.v1_18_0.Port"
#define PORT_METRICS_TYPE "#PortMetrics.v1_8_1.PortMetrics"
#define ENDPOINT_COLLECTION_TYPE "#EndpointCollection.EndpointCollection"
#define ENDPOINT_TYPE "#Endpoint.v1_8_2.Endpoint"

/* The OEM namespace of mrfabricd's extensions ("Oem": {"MrFabric": {}}). */
#define FABRIC_OEM "MrFabric"

/* ---------------------------------------------------------------------
 * Shared with res_chassis.c, res_systems.c, res_managers.c.
 */

int mgmt_res_fabric_sync(struct mgmt_fabric **out, struct mgmt_ctx *ctx,
			 const char *uri, struct fm_err *err)
{
	struct fm_err e = { 0 };

	*out = NULL;
	if (!ctx->fabric)
		return fm_err_set(err, FM_ENOENT, "%s: no switch attached",
				  uri);
	/* a switch that fails or contradicts itself is the service's
	 * failure, never the client's (EPARSE would say malformed JSON);
	 * one that cannot be reached now (mgmt/switch_link.h) leaves the
	 * last snapshot to answer from */
	if (mgmt_fabric_sync(ctx->fabric, &e) < 0) {
		if (e.code != FM_EUNAVAIL && e.code != FM_ETIMEDOUT)
			return fm_err_set(err, FM_EIO, "%s: switch: %s", uri,
					  e.msg);
		FM_LOG(FM_LOG_DEBUG, "%s: last known state: %s", uri, e.msg);
	}
	*out = ctx->fabric;
	return 0;
}

int mgmt_res_index_collection(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			      const struct mgmt_req *req, const char *type,
			      const char *name, mgmt_res_member_count_fn *count,
			      mgmt_res_member_uri_fn *uri, bool need_switch,
			      struct fm_err *err)
{
	char member[MGMT_FABRIC_URI_MAX];
	struct mgmt_fabric *f = NULL;
	struct json_object *o = NULL;
	size_t i;
	int ret = 0;

	if (need_switch || ctx->fabric)
		ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, req->uri, type, name, err);
	for (i = 0; ret == 0 && f && i < count(f); i++) {
		uri(member, sizeof(member), (unsigned)i);
		ret = mgmt_rf_collection_add(o, member, err);
	}
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

int mgmt_res_set_links(struct json_object *obj, const char *key,
		       struct json_object *links)
{
	char count[96];
	size_t n;

	if (!links)
		return -FM_ENOMEM;
	n = json_object_array_length(links);
	if (mgmt_rf_set(obj, key, links) < 0)
		return -FM_ENOMEM;
	snprintf(count, sizeof(count), "%s@odata.count", key);
	return mgmt_rf_set(obj, count, json_object_new_int64((int64_t)n));
}

int mgmt_res_link_append(struct json_object *links, const char *uri)
{
	struct json_object *l = mgmt_rf_link_new(uri);

	if (!l || json_object_array_add(links, l) != 0) {
		json_object_put(l);
		return -FM_ENOMEM;
	}
	return 0;
}

struct json_object *mgmt_res_status_new(const char *state)
{
	struct json_object *st = json_object_new_object();
	int bad = 0;

	if (!st)
		return NULL;
	bad |= mgmt_rf_set_str(st, "State", state);
	bad |= mgmt_rf_set_str(st, "Health", "OK");
	if (bad) {
		json_object_put(st);
		return NULL;
	}
	return st;
}

/* The vendors of the devices a PCIe fabric typically carries. */
static const struct fabric_vendor {
	uint16_t id;
	const char *name;
} fabric_vendors[] = {
	{ 0x1000, "Broadcom / LSI" },
	{ 0x1002, "Advanced Micro Devices, Inc. [AMD/ATI]" },
	{ 0x1022, "Advanced Micro Devices, Inc. [AMD]" },
	{ 0x10b5, "PLX Technology, Inc." },
	{ 0x10de, "NVIDIA Corporation" },
	{ 0x10ee, "Xilinx Corporation" },
	{ 0x11f8, "Microchip Technology" },
	{ 0x144d, "Samsung Electronics Co Ltd" },
	{ 0x14e4, "Broadcom Inc. and subsidiaries" },
	{ 0x15b3, "Mellanox Technologies" },
	{ 0x1af4, "Red Hat, Inc." },
	{ 0x1b36, "Red Hat, Inc." },
	{ 0x1d0f, "Amazon.com, Inc." },
	{ 0x8086, "Intel Corporation" },
};

const char *mgmt_res_vendor_name(uint16_t vendor)
{
	size_t i;

	for (i = 0; i < FM_ARRAY_SIZE(fabric_vendors); i++)
		if (fabric_vendors[i].id == vendor)
			return fabric_vendors[i].name;
	return NULL;
}

/* A 200 response carrying @o, or @o released and -FM_ENOMEM. */
static int fabric_reply(struct mgmt_resp *resp, struct json_object *o, int bad,
			const char *uri, struct fm_err *err)
{
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory", uri);
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* ---------------------------------------------------------------------
 * Zones (the body is shared: res_fabric_int.h).
 */

/*
 * The actions a resource advertises (Redfish DSP0266 "Actions"): "#Name"
 * -> {"target": <uri>/Actions/<Name>}.  res_zones_actions.c serves them.
 */
struct fabric_action {
	const char *name; /* Zone.AddEndpoint, or Oem/MrFabric.MoveEndpoint */
	const char *title;
};

static const struct fabric_action zone_actions[] = {
	{ "Zone.AddEndpoint", "Bind a function to this zone's host" },
	{ "Zone.RemoveEndpoint", "Unbind a function from this zone's host" },
};

static const struct fabric_action fabric_oem_actions[] = {
	{ "MrFabric.MoveEndpoint", "Move a function to another zone" },
	{ "MrFabric.ApplyBindings", "Apply binding changes all or none" },
};

/*
 * {"#<name>": {"target": "<base>/Actions/<prefix><name>", "title": ...}}
 * for each of @acts; NULL when out of memory.
 */
static struct json_object *
actions_new_prefixed(const char *base, const char *prefix,
		     const struct fabric_action *acts, size_t n)
{
	struct json_object *o = json_object_new_object(), *a;
	char key[MGMT_FABRIC_URI_MAX];
	int bad = 0;
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < n; i++) {
		a = json_object_new_object();
		if (!a) {
			bad = 1;
			break;
		}
		bad |= mgmt_rf_set_fmt(a, "target", "%s/Actions/%s%s", base,
				       prefix, acts[i].name);
		bad |= mgmt_rf_set_str(a, "title", acts[i].title);
		snprintf(key, sizeof(key), "#%s", acts[i].name);
		bad |= mgmt_rf_set(o, key, a);
	}
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *
actions_new(const char *base, const struct fabric_action *acts, size_t n)
{
	return actions_new_prefixed(base, "", acts, n);
}

int mgmt_zone_body_new(struct json_object **out, const struct mgmt_fabric *f,
		       unsigned part, struct fm_err *err)
{
	char uri[MGMT_FABRIC_URI_MAX], name[64];
	struct json_object *o = NULL, *links, *eps;
	const size_t *idx;
	size_t i, n;
	int bad = 0, ret;

	*out = NULL;
	if (!mgmt_fabric_part(f, part))
		return fm_err_set(err, FM_ENOENT, "no zone Zone-%u", part);
	mgmt_fabric_zone_uri(uri, sizeof(uri), part);
	snprintf(name, sizeof(name), "Zone of host %u", part);
	ret = mgmt_rf_resource_new(&o, uri, MGMT_ZONE_TYPE, name, err);
	if (ret < 0)
		return ret;
	links = json_object_new_object();
	eps = json_object_new_array();
	if (eps) {
		mgmt_fabric_host_endpoint_uri(uri, sizeof(uri), part);
		bad |= mgmt_res_link_append(eps, uri);
		n = mgmt_fabric_part_fns(&idx, f, part);
		for (i = 0; i < n; i++) {
			const struct sw_fmp_fn *fn = mgmt_fabric_fn(f, idx[i]);

			mgmt_fabric_fn_endpoint_uri(uri, sizeof(uri), fn->fid);
			bad |= mgmt_res_link_append(eps, uri);
		}
	}
	bad |= mgmt_rf_set_str(o, "Description",
			       "The host endpoint of one blade and the "
			       "functions bound to it");
	bad |= mgmt_rf_set_str(o, "ZoneType", "ZoneOfEndpoints");
	bad |= mgmt_rf_set(o, "Status", mgmt_res_status_new("Enabled"));
	mgmt_fabric_zone_uri(uri, sizeof(uri), part);
	bad |= mgmt_rf_set(
		o, "Actions",
		actions_new(uri, zone_actions, FM_ARRAY_SIZE(zone_actions)));
	if (links)
		bad |= mgmt_res_set_links(links, "Endpoints", eps);
	else
		json_object_put(eps);
	bad |= mgmt_rf_set(o, "Links", links);
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "zone %u: out of memory",
				  part);
	}
	*out = o;
	return 0;
}

static int zone_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			       const struct mgmt_req *req, struct fm_err *err)
{
	return mgmt_res_index_collection(
		resp, ctx, req, MGMT_ZONE_COLLECTION_TYPE, "Zone Collection",
		mgmt_fabric_part_count, mgmt_fabric_zone_uri, true, err);
}

static int zone_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		    const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_fabric *f;
	struct json_object *o;
	unsigned part;
	int ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = mgmt_fabric_zone_id_parse(
			&part, mgmt_req_param(req, "zone"), err);
	if (ret == 0)
		ret = mgmt_zone_body_new(&o, f, part, err);
	if (ret < 0)
		return ret;
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* ---------------------------------------------------------------------
 * The fabric.
 */

static int fabric_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				 const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	int ret;

	ret = mgmt_rf_collection_new(&o, req->uri, FABRIC_COLLECTION_TYPE,
				     "Fabric Collection", err);
	if (ret == 0 && ctx->fabric)
		ret = mgmt_rf_collection_add(o, MGMT_FABRIC_URI, err);
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static int fabric_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		      const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL, *actions;
	struct mgmt_fabric *f;
	int bad = 0, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = mgmt_rf_resource_new(&o, req->uri, FABRIC_TYPE,
					   "PCIe Fabric", err);
	if (ret < 0)
		return ret;
	bad |= mgmt_rf_set_str(o, "FabricType", "PCIe");
	bad |= mgmt_rf_set(
		o, "MaxZones",
		json_object_new_int64((int64_t)mgmt_fabric_part_count(f)));
	bad |= mgmt_rf_set(o, "Status", mgmt_res_status_new("Enabled"));
	bad |= mgmt_rf_set_link(o, "Switches", MGMT_FABRIC_URI "/Switches");
	bad |= mgmt_rf_set_link(o, "Endpoints", MGMT_FABRIC_URI "/Endpoints");
	bad |= mgmt_rf_set_link(o, "Zones", MGMT_FABRIC_URI "/Zones");
	actions = json_object_new_object();
	if (actions)
		bad |= mgmt_rf_set(actions, "Oem",
				   actions_new_prefixed(
					   MGMT_FABRIC_URI, "Oem/",
					   fabric_oem_actions,
					   FM_ARRAY_SIZE(fabric_oem_actions)));
	bad |= mgmt_rf_set(o, "Actions", actions);
	return fabric_reply(resp, o, bad, req->uri, err);
}

/* ---------------------------------------------------------------------
 * Switches and ports.
 */

/* The chip named by {switch}, which must exist. */
static int fabric_chip_find(unsigned *chip, const struct mgmt_fabric *f,
			    const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "switch");
	int ret;

	ret = mgmt_fabric_switch_id_parse(chip, id, err);
	if (ret == 0 && *chip >= mgmt_fabric_chip_count(f))
		ret = fm_err_set(err, FM_ENOENT, "no switch %s", id);
	return ret;
}

/* The port named by {switch} and {port}, which must exist. */
static int fabric_port_find(const struct mgmt_fabric_port **out,
			    const struct mgmt_fabric *f,
			    const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "port");
	unsigned chip, port;
	int ret;

	ret = fabric_chip_find(&chip, f, req, err);
	if (ret == 0)
		ret = mgmt_fabric_port_id_parse(&port, id, err);
	if (ret == 0) {
		*out = mgmt_fabric_port(f, chip, port);
		if (!*out)
			ret = fm_err_set(err, FM_ENOENT, "no port %s", id);
	}
	return ret;
}

static int switch_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				 const struct mgmt_req *req, struct fm_err *err)
{
	return mgmt_res_index_collection(
		resp, ctx, req, SWITCH_COLLECTION_TYPE, "Switch Collection",
		mgmt_fabric_chip_count, mgmt_fabric_switch_uri, true, err);
}

static struct json_object *fabric_protocols_new(void)
{
	struct json_object *a = json_object_new_array_ext(1);
	struct json_object *s = json_object_new_string("PCIe");

	if (!a || !s || json_object_array_add(a, s) != 0) {
		json_object_put(a);
		json_object_put(s);
		return NULL;
	}
	return a;
}

static int switch_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		      const struct mgmt_req *req, struct fm_err *err)
{
	const struct sw_fmp_identify_rsp *id;
	char name[64], uri[MGMT_URI_MAX];
	struct json_object *o = NULL, *links, *mgr;
	struct mgmt_fabric *f;
	const char *vendor;
	unsigned chip;
	int bad = 0, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = fabric_chip_find(&chip, f, req, err);
	if (ret < 0)
		return ret;
	id = mgmt_fabric_identity(f);
	snprintf(name, sizeof(name), "%.32s chip %u", id->name, chip);
	ret = mgmt_rf_resource_new(&o, req->uri, SWITCH_TYPE, name, err);
	if (ret < 0)
		return ret;
	vendor = mgmt_res_vendor_name(id->vendor);
	if (vendor)
		bad |= mgmt_rf_set_str(o, "Manufacturer", vendor);
	bad |= mgmt_rf_set_fmt(o, "Model", "%04x:%04x", id->vendor, id->device);
	bad |= mgmt_rf_set_fmt(o, "FirmwareVersion", "%u.%u",
			       id->fw_version >> 16, id->fw_version & 0xffff);
	bad |= mgmt_rf_set_str(o, "SwitchType", "PCIe");
	bad |= mgmt_rf_set(o, "SupportedProtocols", fabric_protocols_new());
	bad |= mgmt_rf_set(o, "IsManaged", json_object_new_boolean(1));
	bad |= mgmt_rf_set(o, "Enabled", json_object_new_boolean(1));
	bad |= mgmt_rf_set(o, "Status", mgmt_res_status_new("Enabled"));
	snprintf(uri, sizeof(uri), "%s/Ports", req->uri);
	bad |= mgmt_rf_set_link(o, "Ports", uri);
	links = json_object_new_object();
	mgr = json_object_new_array_ext(1);
	if (mgr)
		bad |= mgmt_res_link_append(mgr, MGMT_FABRIC_MANAGER_URI);
	if (links) {
		bad |= mgmt_rf_set_link(links, "Chassis",
					MGMT_FABRIC_ENCLOSURE_URI);
		bad |= mgmt_res_set_links(links, "ManagedBy", mgr);
	} else {
		json_object_put(mgr);
	}
	bad |= mgmt_rf_set(o, "Links", links);
	return fabric_reply(resp, o, bad, req->uri, err);
}

static int port_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			       const struct mgmt_req *req, struct fm_err *err)
{
	char uri[MGMT_FABRIC_URI_MAX];
	struct mgmt_fabric *f;
	struct json_object *o = NULL;
	unsigned chip;
	size_t i;
	int ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = fabric_chip_find(&chip, f, req, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, req->uri, PORT_COLLECTION_TYPE,
					     "Port Collection", err);
	for (i = 0; ret == 0 && i < mgmt_fabric_port_count(f, chip); i++) {
		mgmt_fabric_port_uri(uri, sizeof(uri), chip, (unsigned)i);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* PCI_EXP_LNKSTA_CLS encodings 1..6 in GT/s (PCIe r6.0 7.5.3.8). */
static const double fabric_gts[] = { 0, 2.5, 5, 8, 16, 32, 64 };

/* The endpoints reached through port @p: its host, or its device's
 * assignable functions. */
static struct json_object *port_endpoints_new(const struct mgmt_fabric *f,
					      const struct mgmt_fabric_port *p)
{
	struct json_object *a = json_object_new_array();
	char uri[MGMT_FABRIC_URI_MAX];
	size_t first, n, i;
	int bad = 0;

	if (!a)
		return NULL;
	if (p->role == MGMT_PORT_UPSTREAM) {
		mgmt_fabric_host_endpoint_uri(uri, sizeof(uri),
					      (unsigned)p->partition);
		bad |= mgmt_res_link_append(a, uri);
	} else if (p->device != SW_FID_NONE &&
		   mgmt_fabric_device_fns(&first, &n, f, p->chip, p->port,
					  NULL) == 0) {
		for (i = first; i < first + n; i++) {
			const struct sw_fmp_fn *fn = mgmt_fabric_fn(f, i);

			if (!mgmt_fabric_fn_assignable(fn))
				continue;
			mgmt_fabric_fn_endpoint_uri(uri, sizeof(uri), fn->fid);
			bad |= mgmt_res_link_append(a, uri);
		}
	}
	if (bad) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static int port_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		    const struct mgmt_req *req, struct fm_err *err)
{
	const struct mgmt_fabric_port *p;
	struct sw_fmp_port_state_rsp st;
	struct json_object *o = NULL, *links;
	char name[64], uri[MGMT_URI_MAX];
	struct mgmt_fabric *f;
	struct fm_err e = { 0 };
	bool up, training, enabled;
	int bad = 0, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = fabric_port_find(&p, f, req, err);
	if (ret < 0)
		return ret;
	if (sw_fmp_client_port_state(&st, mgmt_fabric_client(f), p->chip,
				     p->port, &e) < 0)
		return fm_err_set(err,
				  e.code == FM_EUNAVAIL ? FM_EUNAVAIL : FM_EIO,
				  "%s: switch: %s", req->uri, e.msg);
	up = st.flags & SW_FMP_PORT_UP;
	training = st.flags & SW_FMP_PORT_TRAINING;
	enabled = st.flags & SW_FMP_PORT_ENABLED;
	snprintf(name, sizeof(name), "Port %u of chip %u", p->port, p->chip);
	ret = mgmt_rf_resource_new(&o, req->uri, PORT_TYPE, name, err);
	if (ret < 0)
		return ret;
	bad |= mgmt_rf_set_fmt(o, "PortId", "%u", p->port);
	bad |= mgmt_rf_set_str(o, "PortProtocol", "PCIe");
	bad |= mgmt_rf_set_str(o, "PortType",
			       mgmt_fabric_port_role_name(p->role));
	bad |= mgmt_rf_set_str(o, "LinkState",
			       enabled ? "Enabled" : "Disabled");
	bad |= mgmt_rf_set_str(o, "LinkStatus",
			       up ? "LinkUp"
				  : (training ? "Training" : "LinkDown"));
	bad |= mgmt_rf_set(o, "InterfaceEnabled",
			   json_object_new_boolean(enabled));
	/* unidirectional raw rate of all lanes (Port.CurrentSpeedGbps
	 * includes the encoding overhead) */
	bad |= mgmt_rf_set(o, "CurrentSpeedGbps",
			   json_object_new_double(
				   up && st.speed < FM_ARRAY_SIZE(fabric_gts)
					   ? fabric_gts[st.speed] * st.width
					   : 0));
	bad |= mgmt_rf_set(o, "Width", json_object_new_int(up ? st.width : 0));
	bad |= mgmt_rf_set(
		o, "Status",
		mgmt_res_status_new(enabled ? "Enabled" : "Disabled"));
	snprintf(uri, sizeof(uri), "%s/Metrics", req->uri);
	bad |= mgmt_rf_set_link(o, "Metrics", uri);
	links = json_object_new_object();
	if (links)
		bad |= mgmt_res_set_links(links, "AssociatedEndpoints",
					  port_endpoints_new(f, p));
	bad |= mgmt_rf_set(o, "Links", links);
	return fabric_reply(resp, o, bad, req->uri, err);
}

static int port_metrics_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			    const struct mgmt_req *req, struct fm_err *err)
{
	const struct mgmt_fabric_port *p;
	struct sw_fmp_port_state_rsp st;
	struct json_object *o = NULL, *pcie, *oem, *ours;
	struct mgmt_fabric *f;
	struct fm_err e = { 0 };
	char name[64];
	int bad = 0, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = fabric_port_find(&p, f, req, err);
	if (ret < 0)
		return ret;
	if (sw_fmp_client_port_state(&st, mgmt_fabric_client(f), p->chip,
				     p->port, &e) < 0)
		return fm_err_set(err,
				  e.code == FM_EUNAVAIL ? FM_EUNAVAIL : FM_EIO,
				  "%s: switch: %s", req->uri, e.msg);
	snprintf(name, sizeof(name), "Metrics of port %u of chip %u", p->port,
		 p->chip);
	ret = mgmt_rf_resource_new(&o, req->uri, PORT_METRICS_TYPE, name, err);
	if (ret < 0)
		return ret;
	pcie = json_object_new_object();
	if (pcie)
		bad |= mgmt_rf_set(pcie, "UnsupportedRequestCount",
				   json_object_new_int64((int64_t)st.ur));
	bad |= mgmt_rf_set(o, "PCIeErrors", pcie);
	/* the switch's own counters of the port's ingress, which the
	 * standard PortMetrics does not name */
	oem = json_object_new_object();
	ours = json_object_new_object();
	if (ours) {
		bad |= mgmt_rf_set(ours, "TLPsIn",
				   json_object_new_int64((int64_t)st.tlp_in));
		bad |= mgmt_rf_set(ours, "TLPsOut",
				   json_object_new_int64((int64_t)st.tlp_out));
		bad |= mgmt_rf_set(ours, "Dropped",
				   json_object_new_int64((int64_t)st.dropped));
		bad |= mgmt_rf_set(ours, "UnsupportedRequests",
				   json_object_new_int64((int64_t)st.ur));
		bad |= mgmt_rf_set(ours, "Trapped",
				   json_object_new_int64((int64_t)st.trapped));
		bad |= mgmt_rf_set(
			ours, "LinkDowns",
			json_object_new_int64((int64_t)st.link_downs));
	}
	if (oem)
		bad |= mgmt_rf_set(oem, FABRIC_OEM, ours);
	else
		json_object_put(ours);
	bad |= mgmt_rf_set(o, "Oem", oem);
	return fabric_reply(resp, o, bad, req->uri, err);
}

/* ---------------------------------------------------------------------
 * Endpoints.
 */

static int endpoint_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				   const struct mgmt_req *req,
				   struct fm_err *err)
{
	char uri[MGMT_FABRIC_URI_MAX];
	struct mgmt_fabric *f;
	struct json_object *o = NULL;
	size_t i;
	int ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, req->uri,
					     ENDPOINT_COLLECTION_TYPE,
					     "Endpoint Collection", err);
	for (i = 0; ret == 0 && i < mgmt_fabric_part_count(f); i++) {
		mgmt_fabric_host_endpoint_uri(uri, sizeof(uri), (unsigned)i);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	for (i = 0; ret == 0 && i < mgmt_fabric_fn_count(f); i++) {
		const struct sw_fmp_fn *fn = mgmt_fabric_fn(f, i);

		if (!mgmt_fabric_fn_assignable(fn))
			continue;
		mgmt_fabric_fn_endpoint_uri(uri, sizeof(uri), fn->fid);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* Endpoint.EntityType of a function by its class code (PCI Code and ID
 * Assignment r1.15); NULL where no EntityType fits. */
static const char *endpoint_entity_type(uint32_t class_code)
{
	switch (class_code >> 16) {
	case 0x01:
		return ((class_code >> 8) & 0xff) == 0x08 ? "Drive" : NULL;
	case 0x02:
		return "NetworkController";
	case 0x03:
		return "DisplayController";
	case 0x06:
		return "Bridge";
	case 0x0b:
		return "Processor";
	case 0x12:
		return "AccelerationFunction";
	default:
		return NULL;
	}
}

/* {"EntityRole": @role, ...} in an array of one. */
static struct json_object *endpoint_entities_new(struct json_object *ent)
{
	struct json_object *a = json_object_new_array_ext(1);

	if (!a || !ent || json_object_array_add(a, ent) != 0) {
		json_object_put(a);
		json_object_put(ent);
		return NULL;
	}
	return a;
}

static struct json_object *endpoint_links_new(const char *port_uri, int zone)
{
	struct json_object *links = json_object_new_object();
	struct json_object *ports = json_object_new_array_ext(1);
	struct json_object *zones = json_object_new_array_ext(1);
	char uri[MGMT_FABRIC_URI_MAX];
	int bad = 0;

	if (!links || !ports || !zones) {
		json_object_put(links);
		json_object_put(ports);
		json_object_put(zones);
		return NULL;
	}
	if (port_uri)
		bad |= mgmt_res_link_append(ports, port_uri);
	if (zone >= 0) {
		mgmt_fabric_zone_uri(uri, sizeof(uri), (unsigned)zone);
		bad |= mgmt_res_link_append(zones, uri);
	}
	bad |= mgmt_res_set_links(links, "ConnectedPorts", ports);
	bad |= mgmt_res_set_links(links, "Zones", zones);
	if (bad) {
		json_object_put(links);
		return NULL;
	}
	return links;
}

static int endpoint_host_body(struct json_object *o,
			      const struct mgmt_fabric *f, unsigned part)
{
	const struct mgmt_fabric_part *p = mgmt_fabric_part(f, part);
	char uri[MGMT_FABRIC_URI_MAX], port[MGMT_FABRIC_URI_MAX];
	struct json_object *ent = json_object_new_object();
	int bad = 0;

	if (ent) {
		bad |= mgmt_rf_set_str(ent, "EntityRole", "Initiator");
		bad |= mgmt_rf_set_str(ent, "EntityType", "RootComplex");
		mgmt_fabric_system_uri(uri, sizeof(uri), part);
		bad |= mgmt_rf_set_link(ent, "EntityLink", uri);
	}
	mgmt_fabric_port_uri(port, sizeof(port), p->info.chip, p->info.port);
	bad |= mgmt_rf_set_str(o, "Description", "The root complex of a blade");
	bad |= mgmt_rf_set_str(o, "EndpointProtocol", "PCIe");
	bad |= mgmt_rf_set(o, "ConnectedEntities", endpoint_entities_new(ent));
	bad |= mgmt_rf_set(
		o, "Status",
		mgmt_res_status_new(p->info.flags & SW_FMP_PART_LINK_UP
					    ? "Enabled"
					    : "StandbyOffline"));
	bad |= mgmt_rf_set(o, "Links", endpoint_links_new(port, (int)part));
	return bad;
}

static struct json_object *endpoint_pci_id_new(const struct sw_fmp_fn *fn)
{
	struct json_object *id = json_object_new_object();
	int bad = 0;

	if (!id)
		return NULL;
	bad |= mgmt_rf_set_fmt(id, "VendorId", "0x%04x", fn->vendor);
	bad |= mgmt_rf_set_fmt(id, "DeviceId", "0x%04x", fn->device);
	bad |= mgmt_rf_set_fmt(id, "ClassCode", "0x%06x",
			       fn->class_code & 0xffffff);
	if (bad) {
		json_object_put(id);
		return NULL;
	}
	return id;
}

static int endpoint_fn_body(struct json_object *o, const struct sw_fmp_fn *fn)
{
	char uri[MGMT_FABRIC_URI_MAX], port[MGMT_FABRIC_URI_MAX];
	struct json_object *ent = json_object_new_object();
	const char *type = endpoint_entity_type(fn->class_code);
	int bad = 0;

	if (ent) {
		bad |= mgmt_rf_set_str(ent, "EntityRole", "Target");
		if (type)
			bad |= mgmt_rf_set_str(ent, "EntityType", type);
		mgmt_fabric_fn_uri(uri, sizeof(uri), fn->fid);
		bad |= mgmt_rf_set_link(ent, "EntityLink", uri);
		bad |= mgmt_rf_set(ent, "EntityPciId", endpoint_pci_id_new(fn));
		bad |= mgmt_rf_set_fmt(ent, "PciClassCode", "0x%06x",
				       fn->class_code & 0xffffff);
	}
	mgmt_fabric_port_uri(port, sizeof(port), SW_FID_CHIP(fn->fid),
			     SW_FID_PORT(fn->fid));
	bad |= mgmt_rf_set_str(
		o, "Description",
		fn->flags & SW_FMP_FN_VF
			? "A virtual function a host can be given"
			: "A function a host can be given");
	bad |= mgmt_rf_set_str(o, "EndpointProtocol", "PCIe");
	bad |= mgmt_rf_set(o, "ConnectedEntities", endpoint_entities_new(ent));
	bad |= mgmt_rf_set(o, "Status",
			   mgmt_res_status_new(fn->state == SW_FN_FAILED
						       ? "UnavailableOffline"
						       : "Enabled"));
	bad |= mgmt_rf_set(o, "Links", endpoint_links_new(port, fn->partition));
	return bad;
}

static int endpoint_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "endpoint");
	const struct sw_fmp_fn *fn = NULL;
	struct json_object *o = NULL;
	struct mgmt_fabric *f;
	char name[64];
	bool is_host;
	uint32_t fid;
	int part, bad, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = mgmt_fabric_endpoint_id_parse(&is_host, &part, &fid, id,
						    err);
	if (ret < 0)
		return ret;
	if (is_host) {
		if (!mgmt_fabric_part(f, (unsigned)part))
			return fm_err_set(err, FM_ENOENT, "no endpoint %s", id);
		snprintf(name, sizeof(name), "Root complex of host %d", part);
	} else {
		fn = mgmt_fabric_fn_find(f, fid);
		if (!fn || !mgmt_fabric_fn_assignable(fn))
			return fm_err_set(err, FM_ENOENT, "no endpoint %s", id);
		if (fn->flags & SW_FMP_FN_VF)
			snprintf(name, sizeof(name), "VF %u of device %u-%u",
				 SW_FID_INDEX(fid), SW_FID_CHIP(fid),
				 SW_FID_PORT(fid));
		else
			snprintf(name, sizeof(name), "Function of device %u-%u",
				 SW_FID_CHIP(fid), SW_FID_PORT(fid));
	}
	ret = mgmt_rf_resource_new(&o, req->uri, ENDPOINT_TYPE, name, err);
	if (ret < 0)
		return ret;
	bad = is_host ? endpoint_host_body(o, f, (unsigned)part)
		      : endpoint_fn_body(o, fn);
	return fabric_reply(resp, o, bad, req->uri, err);
}

/*
 * The routes.  The fabric's own segment is literal ("PCIe"): the service
 * has exactly one fabric, so any other name is 404 from the router.
 */
static const struct mgmt_route fabric_routes[] = {
	{
		.path = "/redfish/v1/Fabrics",
		.type = FABRIC_COLLECTION_TYPE,
		.op[MGMT_GET] = { fabric_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI,
		.type = FABRIC_TYPE,
		.op[MGMT_GET] = { fabric_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI "/Switches",
		.type = SWITCH_COLLECTION_TYPE,
		.op[MGMT_GET] = { switch_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI "/Switches/{switch}",
		.type = SWITCH_TYPE,
		.op[MGMT_GET] = { switch_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI "/Switches/{switch}/Ports",
		.type = PORT_COLLECTION_TYPE,
		.op[MGMT_GET] = { port_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI "/Switches/{switch}/Ports/{port}",
		.type = PORT_TYPE,
		.op[MGMT_GET] = { port_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI
		"/Switches/{switch}/Ports/{port}/Metrics",
		.type = PORT_METRICS_TYPE,
		.op[MGMT_GET] = { port_metrics_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI "/Endpoints",
		.type = ENDPOINT_COLLECTION_TYPE,
		.op[MGMT_GET] = { endpoint_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI "/Endpoints/{endpoint}",
		.type = ENDPOINT_TYPE,
		.op[MGMT_GET] = { endpoint_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_URI "/Zones",
		.type = MGMT_ZONE_COLLECTION_TYPE,
		.op[MGMT_GET] = { zone_collection_get, MGMT_PRIV_LOGIN },
		.op[MGMT_POST] = { mgmt_zone_collection_post,
				   MGMT_PRIV_CONFIGURE_COMPONENTS },
	},
	{
		.path = MGMT_FABRIC_URI "/Zones/{zone}",
		.type = MGMT_ZONE_TYPE,
		.op[MGMT_GET] = { zone_get, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_fabrics, "fabrics", fabric_routes);
