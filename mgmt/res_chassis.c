/* SPDX-License-Identifier: MIT */
/*
 * res_chassis.c - /redfish/v1/Chassis: the enclosure (the switch and the
 * shared devices) with its PCIeDevices and their PCIeFunctions (PFs and
 * VFs), and one Chassis per blade.
 *
 * Identifiers and URIs: mgmt/fabric.h.  A device is what sits on one
 * downstream port: its function 0 and, for an SR-IOV PF, its VFs.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/fabric.h"
#include "mgmt/redfish_int.h"
#include "mgmt/res_fabric_int.h"
#include "mgmt/router_int.h"

#define CHASSIS_URI "/redfish/v1/Chassis"
#define CHASSIS_COLLECTION_TYPE "#ChassisCollection.ChassisCollection"
#define CHASSIS_TYPE "#Chassis.v1_28_0.Chassis"
#define DEVICE_COLLECTION_TYPE "#PCIeDeviceCollection.PCIeDeviceCollection"
#define DEVICE_TYPE "#PCIeDevice.v1_21_0.PCIeDevice"
#define FUNCTION_COLLECTION_TYPE                                               \
	"#PCIeFunctionCollection.PCIeFunctionCollection"
#define FUNCTION_TYPE "#PCIeFunction.v1_7_0.PCIeFunction"

#define CHASSIS_OEM "MrFabric"

static int chassis_reply(struct mgmt_resp *resp, struct json_object *o, int bad,
			 const char *uri, struct fm_err *err)
{
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory", uri);
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static int chassis_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				  const struct mgmt_req *req,
				  struct fm_err *err)
{
	char uri[MGMT_FABRIC_URI_MAX];
	struct mgmt_fabric *f = NULL;
	struct json_object *o = NULL;
	size_t i;
	int ret = 0;

	if (ctx->fabric)
		ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, req->uri,
					     CHASSIS_COLLECTION_TYPE,
					     "Chassis Collection", err);
	if (ret == 0 && f)
		ret = mgmt_rf_collection_add(o, MGMT_FABRIC_ENCLOSURE_URI, err);
	for (i = 0; ret == 0 && f && i < mgmt_fabric_part_count(f); i++) {
		mgmt_fabric_chassis_uri(uri, sizeof(uri), (unsigned)i);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* [{"@odata.id": @uri}], NULL when out of memory. */
static struct json_object *chassis_one_link_new(const char *uri)
{
	struct json_object *a = json_object_new_array_ext(1);

	if (a && mgmt_res_link_append(a, uri) < 0) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static int chassis_enclosure_body(struct json_object *o,
				  const struct mgmt_fabric *f)
{
	struct json_object *links = json_object_new_object();
	struct json_object *blades = json_object_new_array();
	struct json_object *switches = json_object_new_array();
	char uri[MGMT_FABRIC_URI_MAX];
	size_t i;
	int bad = 0;

	if (!links || !blades || !switches) {
		json_object_put(links);
		json_object_put(blades);
		json_object_put(switches);
		return -FM_ENOMEM;
	}
	for (i = 0; i < mgmt_fabric_part_count(f); i++) {
		mgmt_fabric_chassis_uri(uri, sizeof(uri), (unsigned)i);
		bad |= mgmt_res_link_append(blades, uri);
	}
	for (i = 0; i < mgmt_fabric_chip_count(f); i++) {
		mgmt_fabric_switch_uri(uri, sizeof(uri), (unsigned)i);
		bad |= mgmt_res_link_append(switches, uri);
	}
	bad |= mgmt_rf_set_str(o, "ChassisType", "Enclosure");
	bad |= mgmt_rf_set_str(o, "Description",
			       "The enclosure of the PCIe switch, the shared "
			       "devices and the blades");
	bad |= mgmt_rf_set(o, "Status", mgmt_res_status_new("Enabled"));
	bad |= mgmt_rf_set_link(o, "PCIeDevices",
				MGMT_FABRIC_ENCLOSURE_URI "/PCIeDevices");
	bad |= mgmt_res_set_links(links, "Contains", blades);
	bad |= mgmt_res_set_links(links, "Switches", switches);
	bad |= mgmt_res_set_links(
		links, "ManagedBy",
		chassis_one_link_new(MGMT_FABRIC_MANAGER_URI));
	bad |= mgmt_rf_set(o, "Links", links);
	return bad;
}

static int chassis_blade_body(struct json_object *o,
			      const struct mgmt_fabric *f, unsigned part)
{
	const struct mgmt_fabric_part *p = mgmt_fabric_part(f, part);
	struct json_object *links = json_object_new_object();
	char uri[MGMT_FABRIC_URI_MAX];
	int bad = 0;

	if (!links)
		return -FM_ENOMEM;
	mgmt_fabric_system_uri(uri, sizeof(uri), part);
	bad |= mgmt_rf_set_str(o, "ChassisType", "Blade");
	bad |= mgmt_rf_set(
		o, "Status",
		mgmt_res_status_new(p->info.flags & SW_FMP_PART_LINK_UP
					    ? "Enabled"
					    : "StandbyOffline"));
	bad |= mgmt_res_set_links(links, "ComputerSystems",
				  chassis_one_link_new(uri));
	bad |= mgmt_rf_set_link(links, "ContainedBy",
				MGMT_FABRIC_ENCLOSURE_URI);
	bad |= mgmt_rf_set(o, "Links", links);
	return bad;
}

static int chassis_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "chassis");
	struct json_object *o = NULL;
	struct mgmt_fabric *f;
	bool enclosure;
	unsigned part = 0;
	char name[64];
	int bad, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret < 0)
		return ret;
	enclosure = strcmp(id, MGMT_FABRIC_ENCLOSURE_ID) == 0;
	if (!enclosure && (mgmt_fabric_blade_id_parse(&part, id, NULL) < 0 ||
			   !mgmt_fabric_part(f, part)))
		return fm_err_set(err, FM_ENOENT, "no chassis %s", id);
	if (enclosure)
		snprintf(name, sizeof(name), "%.32s enclosure",
			 mgmt_fabric_identity(f)->name);
	else
		snprintf(name, sizeof(name), "Blade %u", part);
	ret = mgmt_rf_resource_new(&o, req->uri, CHASSIS_TYPE, name, err);
	if (ret < 0)
		return ret;
	bad = enclosure ? chassis_enclosure_body(o, f)
			: chassis_blade_body(o, f, part);
	return chassis_reply(resp, o, bad, req->uri, err);
}

/* ---------------------------------------------------------------------
 * PCIe devices and functions.
 */

static int device_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				 const struct mgmt_req *req, struct fm_err *err)
{
	char uri[MGMT_FABRIC_URI_MAX];
	struct mgmt_fabric *f;
	struct json_object *o = NULL;
	size_t i;
	int ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, req->uri,
					     DEVICE_COLLECTION_TYPE,
					     "PCIe Device Collection", err);
	for (i = 0; ret == 0 && i < mgmt_fabric_device_count(f); i++) {
		mgmt_fabric_device_uri(uri, sizeof(uri),
				       mgmt_fabric_device(f, i)->fid);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* The device named by {device}: its fid, first function and count. */
static int device_find(uint32_t *fid, size_t *first, size_t *n,
		       const struct mgmt_fabric *f, const struct mgmt_req *req,
		       struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "device");

	if (mgmt_fabric_device_id_parse(fid, id, NULL) < 0 ||
	    mgmt_fabric_device_fns(first, n, f, SW_FID_CHIP(*fid),
				   SW_FID_PORT(*fid), NULL) < 0)
		return fm_err_set(err, FM_ENOENT, "no PCIe device %s", id);
	return 0;
}

static struct json_object *device_interface_new(const struct mgmt_fabric *f,
						uint32_t fid)
{
	const struct mgmt_fabric_port *p =
		mgmt_fabric_port(f, SW_FID_CHIP(fid), SW_FID_PORT(fid));
	struct json_object *pi = json_object_new_object();
	int bad = 0;

	if (!pi)
		return NULL;
	if (p && (p->state.flags & SW_FMP_PORT_UP)) {
		bad |= mgmt_rf_set(pi, "LanesInUse",
				   json_object_new_int(p->state.width));
		if (p->state.speed >= 1 && p->state.speed <= 6)
			bad |= mgmt_rf_set_fmt(pi, "PCIeType", "Gen%u",
					       p->state.speed);
	}
	if (bad) {
		json_object_put(pi);
		return NULL;
	}
	return pi;
}

static int device_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		      const struct mgmt_req *req, struct fm_err *err)
{
	char name[64], uri[MGMT_URI_MAX];
	const struct sw_fmp_fn *pf;
	struct json_object *o = NULL, *links;
	struct mgmt_fabric *f;
	const char *vendor;
	size_t first, n;
	uint32_t fid;
	int bad = 0, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = device_find(&fid, &first, &n, f, req, err);
	if (ret < 0)
		return ret;
	pf = mgmt_fabric_fn(f, first);
	snprintf(name, sizeof(name), "PCIe device on port %u of chip %u",
		 SW_FID_PORT(fid), SW_FID_CHIP(fid));
	ret = mgmt_rf_resource_new(&o, req->uri, DEVICE_TYPE, name, err);
	if (ret < 0)
		return ret;
	vendor = mgmt_res_vendor_name(pf->vendor);
	if (vendor)
		bad |= mgmt_rf_set_str(o, "Manufacturer", vendor);
	bad |= mgmt_rf_set_fmt(o, "Model", "%04x:%04x", pf->vendor, pf->device);
	bad |= mgmt_rf_set_str(o, "DeviceType",
			       n > 1 ? "MultiFunction" : "SingleFunction");
	bad |= mgmt_rf_set(o, "PCIeInterface", device_interface_new(f, fid));
	bad |= mgmt_rf_set(o, "Status", mgmt_res_status_new("Enabled"));
	snprintf(uri, sizeof(uri), "%s/PCIeFunctions", req->uri);
	bad |= mgmt_rf_set_link(o, "PCIeFunctions", uri);
	links = json_object_new_object();
	if (links) {
		bad |= mgmt_res_set_links(
			links, "Chassis",
			chassis_one_link_new(MGMT_FABRIC_ENCLOSURE_URI));
		mgmt_fabric_switch_uri(uri, sizeof(uri), SW_FID_CHIP(fid));
		bad |= mgmt_rf_set_link(links, "Switch", uri);
	}
	bad |= mgmt_rf_set(o, "Links", links);
	return chassis_reply(resp, o, bad, req->uri, err);
}

static int function_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				   const struct mgmt_req *req,
				   struct fm_err *err)
{
	char uri[MGMT_FABRIC_URI_MAX];
	struct mgmt_fabric *f;
	struct json_object *o = NULL;
	size_t first = 0, n = 0, i;
	uint32_t fid;
	int ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = device_find(&fid, &first, &n, f, req, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, req->uri,
					     FUNCTION_COLLECTION_TYPE,
					     "PCIe Function Collection", err);
	for (i = first; ret == 0 && i < first + n; i++) {
		mgmt_fabric_fn_uri(uri, sizeof(uri), mgmt_fabric_fn(f, i)->fid);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

/* PCIeFunction.DeviceClass by base class (PCI Code and ID Assignment
 * r1.15, 1.1 - 1.20); others are "Other". */
static const char *const function_classes[] = {
	[0x00] = "UnclassifiedDevice",
	[0x01] = "MassStorageController",
	[0x02] = "NetworkController",
	[0x03] = "DisplayController",
	[0x04] = "MultimediaController",
	[0x05] = "MemoryController",
	[0x06] = "Bridge",
	[0x07] = "CommunicationController",
	[0x08] = "GenericSystemPeripheral",
	[0x09] = "InputDeviceController",
	[0x0a] = "DockingStation",
	[0x0b] = "Processor",
	[0x0c] = "SerialBusController",
	[0x0d] = "WirelessController",
	[0x0e] = "IntelligentController",
	[0x0f] = "SatelliteCommunicationsController",
	[0x10] = "EncryptionController",
	[0x11] = "SignalProcessingController",
	[0x12] = "ProcessingAccelerators",
	[0x13] = "NonEssentialInstrumentation",
	[0x40] = "Coprocessor",
	[0xff] = "UnassignedClass",
};

static const char *function_class(uint32_t class_code)
{
	const char *c = function_classes[(class_code >> 16) & 0xff];

	return c ? c : "Other";
}

/* enum sw_fn_state as the Oem State of a function. */
static const char *const function_states[] = {
	[SW_FN_FREE] = "Free",		 [SW_FN_BOUND] = "Bound",
	[SW_FN_UNBINDING] = "Unbinding", [SW_FN_RESETTING] = "Resetting",
	[SW_FN_FAILED] = "Failed",	 [SW_FN_FABRIC] = "Fabric",
};

/*
 * Oem.MrFabric of a function: its binding State, and the System that
 * owns it and the Endpoint that represents it when there are.
 */
static struct json_object *function_oem_new(const struct sw_fmp_fn *fn)
{
	struct json_object *oem = json_object_new_object();
	struct json_object *ours = json_object_new_object();
	char uri[MGMT_FABRIC_URI_MAX];
	int bad = 0;

	if (!oem || !ours) {
		json_object_put(oem);
		json_object_put(ours);
		return NULL;
	}
	bad |= mgmt_rf_set_str(ours, "State",
			       fn->state < FM_ARRAY_SIZE(function_states)
				       ? function_states[fn->state]
				       : "Unknown");
	if (fn->partition >= 0) {
		mgmt_fabric_system_uri(uri, sizeof(uri),
				       (unsigned)fn->partition);
		bad |= mgmt_rf_set_link(ours, "System", uri);
	}
	if (mgmt_fabric_fn_assignable(fn)) {
		mgmt_fabric_fn_endpoint_uri(uri, sizeof(uri), fn->fid);
		bad |= mgmt_rf_set_link(ours, "Endpoint", uri);
	}
	bad |= mgmt_rf_set(oem, CHASSIS_OEM, ours);
	if (bad) {
		json_object_put(oem);
		return NULL;
	}
	return oem;
}

static int function_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "function");
	char name[64], uri[MGMT_FABRIC_URI_MAX];
	const struct sw_fmp_fn *fn = NULL;
	struct json_object *o = NULL, *links;
	struct mgmt_fabric *f;
	size_t first, n;
	uint32_t dev, fid;
	bool vf;
	int bad = 0, ret;

	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = device_find(&dev, &first, &n, f, req, err);
	if (ret < 0)
		return ret;
	if (mgmt_fabric_fn_id_parse(&fid, dev, id, NULL) == 0)
		fn = mgmt_fabric_fn_find(f, fid);
	if (!fn)
		return fm_err_set(err, FM_ENOENT, "no PCIe function %s", id);
	vf = fn->flags & SW_FMP_FN_VF;
	if (vf)
		snprintf(name, sizeof(name), "VF %u", SW_FID_INDEX(fid));
	else
		snprintf(name, sizeof(name), "Physical function");
	ret = mgmt_rf_resource_new(&o, req->uri, FUNCTION_TYPE, name, err);
	if (ret < 0)
		return ret;
	bad |= mgmt_rf_set(o, "FunctionId",
			   json_object_new_int(SW_FID_INDEX(fid)));
	bad |= mgmt_rf_set_str(o, "FunctionType", vf ? "Virtual" : "Physical");
	bad |= mgmt_rf_set_str(o, "FunctionProtocol", "PCIe");
	bad |= mgmt_rf_set_str(o, "DeviceClass",
			       function_class(fn->class_code));
	bad |= mgmt_rf_set_fmt(o, "VendorId", "0x%04x", fn->vendor);
	bad |= mgmt_rf_set_fmt(o, "DeviceId", "0x%04x", fn->device);
	bad |= mgmt_rf_set_fmt(o, "ClassCode", "0x%06x",
			       fn->class_code & 0xffffff);
	bad |= mgmt_rf_set(o, "Status",
			   mgmt_res_status_new(fn->state == SW_FN_FAILED
						       ? "UnavailableOffline"
						       : "Enabled"));
	bad |= mgmt_rf_set(o, "Oem", function_oem_new(fn));
	links = json_object_new_object();
	if (links) {
		mgmt_fabric_device_uri(uri, sizeof(uri), fid);
		bad |= mgmt_rf_set_link(links, "PCIeDevice", uri);
	}
	bad |= mgmt_rf_set(o, "Links", links);
	return chassis_reply(resp, o, bad, req->uri, err);
}

/*
 * The routes.  Devices hang under the enclosure only (a literal segment):
 * a blade chassis has no PCIeDevices of its own (its System lists what
 * it was given).
 */
static const struct mgmt_route chassis_routes[] = {
	{
		.path = CHASSIS_URI,
		.type = CHASSIS_COLLECTION_TYPE,
		.op[MGMT_GET] = { chassis_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = CHASSIS_URI "/{chassis}",
		.type = CHASSIS_TYPE,
		.op[MGMT_GET] = { chassis_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_ENCLOSURE_URI "/PCIeDevices",
		.type = DEVICE_COLLECTION_TYPE,
		.op[MGMT_GET] = { device_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_ENCLOSURE_URI "/PCIeDevices/{device}",
		.type = DEVICE_TYPE,
		.op[MGMT_GET] = { device_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_ENCLOSURE_URI
		"/PCIeDevices/{device}/PCIeFunctions",
		.type = FUNCTION_COLLECTION_TYPE,
		.op[MGMT_GET] = { function_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = MGMT_FABRIC_ENCLOSURE_URI
		"/PCIeDevices/{device}/PCIeFunctions/{function}",
		.type = FUNCTION_TYPE,
		.op[MGMT_GET] = { function_get, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_chassis, "chassis", chassis_routes);
