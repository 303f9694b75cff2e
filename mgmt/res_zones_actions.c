/* SPDX-License-Identifier: MIT */
/*
 * res_zones_actions.c - the actions that change bindings (DESIGN.md
 * "The REST API"; schemas/redfish-oem.md documents the OEM ones):
 *
 *   POST .../Zones/{zone}/Actions/Zone.AddEndpoint     bind: 204 once the
 *        switch bound the function and signalled the hot-add
 *   POST .../Zones/{zone}/Actions/Zone.RemoveEndpoint  unbind: 202 + task
 *        (managed by default; Oem.MrFabric.Mode "Surprise" or
 *        "WaitLinkDown" when asked)
 *   POST /redfish/v1/Fabrics/PCIe/Zones                 bind by POSTing a
 *        Zone: the listed functions join the listed host's zone, all or
 *        none; 201 (200: nothing to do) with Location and the Zone
 *   POST /redfish/v1/Fabrics/PCIe/Actions/Oem/MrFabric.MoveEndpoint
 *        move to another zone: 202 + task (mgmt/move.h)
 *   POST /redfish/v1/Fabrics/PCIe/Actions/Oem/MrFabric.ApplyBindings
 *        a list of changes applied all or none: 202 + task
 *
 * A zone is a partition (one host); its members are the function
 * endpoints bound to it (ids of mgmt/fabric.h).  The desired binding in
 * the store is written before the switch is asked, so an acknowledged
 * change survives a crash (reconcile applies it); a request the switch
 * refuses puts the store back and changes nothing.  A function in a move
 * or batch gets 409 ResourceInUse (the store refuses: -FM_EBUSY).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mgmt/fabric.h"
#include "mgmt/mgmt.h"
#include "mgmt/move.h"
#include "mgmt/redfish_int.h"
#include "mgmt/res_fabric_int.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"
#include "mgmt/task.h"
#include "switchfw/fmp.h"

#define ZONE_URI MGMT_FABRIC_URI "/Zones/{zone}"
#define ENDPOINTS_PREFIX MGMT_FABRIC_URI "/Endpoints/"
#define ADD_ACTION "Zone.AddEndpoint"
#define REMOVE_ACTION "Zone.RemoveEndpoint"
#define MOVE_ACTION "MrFabric.MoveEndpoint"
#define BATCH_ACTION "MrFabric.ApplyBindings"

static const char *const unbind_modes[] = { "Managed", "Surprise",
					    "WaitLinkDown", NULL };
static const enum sw_unbind_mode unbind_mode_values[] = {
	SW_UNBIND_MANAGED,
	SW_UNBIND_SURPRISE,
	SW_UNBIND_WAIT_LINK_DOWN,
};

/* The partition of the {zone} parameter; -FM_ENOENT for none. */
static int act_zone(unsigned *part, struct mgmt_ctx *ctx,
		    const struct mgmt_req *req, struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	int ret;

	ret = mgmt_fabric_zone_id_parse(part, mgmt_req_param(req, "zone"), err);
	if (ret == 0)
		ret = sw_fmp_client_identify(&id, ctx->fmp, err);
	if (ret == 0 && *part >= id.npartitions)
		ret = fm_err_set(err, FM_ENOENT, "no zone \"%.40s\"",
				 mgmt_req_param(req, "zone"));
	return ret;
}

/*
 * The @odata.id of link parameter @param of @body (the checks already
 * made sure it is an object).  NULL, with a 400 in @resp, when absent.
 */
static const char *act_link(struct mgmt_resp *resp,
			    const struct json_object *body, const char *param,
			    const char *action)
{
	struct json_object *link, *id;

	if (!json_object_object_get_ex(body, param, &link) ||
	    !json_object_object_get_ex(link, "@odata.id", &id) ||
	    !json_object_is_type(id, json_type_string)) {
		mgmt_rf_error(resp, 400, MGMT_MSG_ACTION_PARAMETER_MISSING,
			      action, param);
		return NULL;
	}
	return json_object_get_string(id);
}

/*
 * The function endpoint link parameter @param names: *fid, after checking
 * that the switch has it and a host can be given it.  -FM_EINVAL with a
 * 400 in @resp otherwise.
 */
static int act_endpoint(uint32_t *fid, struct mgmt_resp *resp,
			struct mgmt_ctx *ctx, const struct json_object *body,
			const char *param, const char *action)
{
	const char *uri = act_link(resp, body, param, action);
	struct sw_fmp_fn fn;
	bool is_host;
	int part;

	if (!uri)
		return -FM_EINVAL;
	if (strncmp(uri, ENDPOINTS_PREFIX, strlen(ENDPOINTS_PREFIX)) != 0 ||
	    mgmt_fabric_endpoint_id_parse(&is_host, &part, fid,
					  uri + strlen(ENDPOINTS_PREFIX),
					  NULL) < 0 ||
	    mgmt_switch_fn_find(&fn, ctx->fmp, *fid, NULL) < 0)
		return mgmt_rf_error(resp, 400,
				     MGMT_MSG_RESOURCE_MISSING_AT_URI, uri);
	if (is_host || !mgmt_fabric_fn_assignable(&fn))
		return mgmt_rf_error(
			resp, 400, MGMT_MSG_ACTION_PARAMETER_VALUE_NOT_IN_LIST,
			uri, param, action);
	return 0;
}

/* The zone link parameter @param names: *part; 400 in @resp otherwise. */
static int act_zone_link(unsigned *part, struct mgmt_resp *resp,
			 struct mgmt_ctx *ctx, const struct json_object *body,
			 const char *param, const char *action)
{
	static const char prefix[] = MGMT_FABRIC_URI "/Zones/";
	const char *uri = act_link(resp, body, param, action);
	struct sw_fmp_identify_rsp id;

	if (!uri)
		return -FM_EINVAL;
	if (strncmp(uri, prefix, strlen(prefix)) != 0 ||
	    mgmt_fabric_zone_id_parse(part, uri + strlen(prefix), NULL) < 0 ||
	    sw_fmp_client_identify(&id, ctx->fmp, NULL) < 0 ||
	    *part >= id.npartitions)
		return mgmt_rf_error(resp, 400,
				     MGMT_MSG_RESOURCE_MISSING_AT_URI, uri);
	return 0;
}

/* The body of the request, as text for the task's Payload. */
static const char *act_body_text(const struct mgmt_req *req)
{
	return req->json ? json_object_to_json_string_ext(
				   (struct json_object *)req->json,
				   JSON_C_TO_STRING_PLAIN)
			 : NULL;
}

static int act_need_switch(struct mgmt_ctx *ctx, bool tasks, struct fm_err *err)
{
	if (!ctx->fmp || !ctx->store || (tasks && !ctx->tasks))
		return fm_err_set(err, FM_EIO,
				  "no switch, store or task engine attached");
	return 0;
}

static const struct mgmt_prop add_props[] = {
	{ .name = "Endpoint", .type = MGMT_PROP_OBJECT, .required = true },
};

/*
 * Bind @fid to partition @part: the desired binding is stored first, then
 * the switch binds it and signals the hot-add; a refusal puts the store
 * back.  *bound is false when @fid already was a member of @part (nothing
 * done).  -FM_ESTATE when it is in another zone, -FM_EBUSY while it moves
 * (the store refuses), or what the switch answered.
 */
static int zone_bind(bool *bound, struct mgmt_ctx *ctx, unsigned part,
		     uint32_t fid, struct fm_err *err)
{
	struct mgmt_store_binding b;
	unsigned vppb;
	int ret;

	*bound = false;
	ret = mgmt_store_binding_get(&b, ctx->store, fid, err);
	if (ret == 0) {
		if (b.partition == part)
			return 0; /* already a member */
		return fm_err_set(err, FM_ESTATE,
				  "endpoint of fid 0x%08x is in zone %u: "
				  "remove it there, or move it",
				  fid, b.partition);
	}
	if (ret != -FM_ENOENT)
		return ret;
	fm_err_clear(err);
	/* the slot is ours to choose: the switch does not know what the
	 * desired state reserves for moves in progress */
	ret = mgmt_slot_pick(&vppb, ctx->fmp, ctx->store, part, fid, err);
	if (ret == 0)
		ret = mgmt_store_binding_set(NULL, ctx->store, fid, part,
					     (int32_t)vppb, 0, err);
	if (ret < 0)
		return ret;
	ret = sw_fmp_client_bind(&vppb, ctx->fmp, fid, part, (int)vppb, err);
	if (ret < 0) {
		mgmt_store_binding_remove(ctx->store, fid, 0, NULL);
		return ret;
	}
	FM_LOG(FM_LOG_INFO, "zone %u: fid 0x%08x bound to vPPB %u", part, fid,
	       vppb);
	*bound = true;
	return 0;
}

static int zone_add_endpoint(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			     const struct mgmt_req *req, struct fm_err *err)
{
	unsigned part;
	uint32_t fid;
	bool bound;
	int ret;

	ret = act_need_switch(ctx, false, err);
	if (ret == 0)
		ret = act_zone(&part, ctx, req, err);
	if (ret < 0)
		return ret;
	ret = mgmt_rf_check_props(resp, req->json, add_props,
				  FM_ARRAY_SIZE(add_props), ADD_ACTION);
	if (ret == 0)
		ret = act_endpoint(&fid, resp, ctx, req->json, "Endpoint",
				   ADD_ACTION);
	if (ret < 0)
		return ret;
	ret = zone_bind(&bound, ctx, part, fid, err);
	if (ret < 0)
		return ret;
	resp->status = 204;
	return 0;
}

/*
 * POST to the Zones collection (schemas/redfish-oem.md "Binding by
 * POSTing a Zone").  A zone is a host's partition, so a POST does not
 * make a new one: it names the host endpoint of an existing zone and the
 * function endpoints to bind to it, and answers with that zone.
 */
#define ZONE_POST_TARGETS_MAX 256 /* function endpoints in one POST */

static const char *const zone_types[] = { "ZoneOfEndpoints", NULL };

static const struct mgmt_prop zone_post_props[] = {
	{ .name = "Links",
	  .type = MGMT_PROP_OBJECT,
	  .writable = true,
	  .required = true },
	{ .name = "ZoneType",
	  .type = MGMT_PROP_STRING,
	  .writable = true,
	  .values = zone_types },
	{ .name = "Name", .type = MGMT_PROP_STRING, .writable = true },
	{ .name = "Description", .type = MGMT_PROP_STRING, .writable = true },
};

static const struct mgmt_prop zone_post_link_props[] = {
	{ .name = "Endpoints",
	  .type = MGMT_PROP_ARRAY,
	  .writable = true,
	  .required = true },
};

/*
 * Endpoint link @item of Links.Endpoints: the host's partition in *part
 * (*is_host) or a function's fid in *fid that exists and can be bound.
 * 400 in @resp otherwise.
 */
static int zone_post_endpoint(bool *is_host, int *part, uint32_t *fid,
			      struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			      const struct json_object *item)
{
	struct json_object *id = NULL;
	struct sw_fmp_identify_rsp ident;
	struct sw_fmp_fn fn;
	const char *uri;

	if (!json_object_is_type(item, json_type_object) ||
	    !json_object_object_get_ex(item, "@odata.id", &id) ||
	    !json_object_is_type(id, json_type_string))
		return mgmt_rf_error(
			resp, 400, MGMT_MSG_PROPERTY_VALUE_TYPE_ERROR,
			json_object_to_json_string((struct json_object *)item),
			"Links/Endpoints");
	uri = json_object_get_string(id);
	if (strncmp(uri, ENDPOINTS_PREFIX, strlen(ENDPOINTS_PREFIX)) != 0 ||
	    mgmt_fabric_endpoint_id_parse(is_host, part, fid,
					  uri + strlen(ENDPOINTS_PREFIX),
					  NULL) < 0)
		return mgmt_rf_error(resp, 400,
				     MGMT_MSG_RESOURCE_MISSING_AT_URI, uri);
	if (*is_host) {
		if (sw_fmp_client_identify(&ident, ctx->fmp, NULL) < 0 ||
		    *part < 0 || (unsigned)*part >= ident.npartitions)
			return mgmt_rf_error(resp, 400,
					     MGMT_MSG_RESOURCE_MISSING_AT_URI,
					     uri);
		return 0;
	}
	if (mgmt_switch_fn_find(&fn, ctx->fmp, *fid, NULL) < 0)
		return mgmt_rf_error(resp, 400,
				     MGMT_MSG_RESOURCE_MISSING_AT_URI, uri);
	if (!mgmt_fabric_fn_assignable(&fn))
		return mgmt_rf_error(resp, 400,
				     MGMT_MSG_PROPERTY_VALUE_NOT_IN_LIST, uri,
				     "Links/Endpoints");
	return 0;
}

/*
 * Links.Endpoints of @body: the one host endpoint's partition in *part
 * and the distinct function fids in @fids (*n of them, at most
 * ZONE_POST_TARGETS_MAX).  400 in @resp when it is not exactly one host
 * endpoint and at least one function endpoint.
 */
static int zone_post_parse(unsigned *part, uint32_t *fids, size_t *n,
			   struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			   const struct json_object *body)
{
	struct json_object *links, *eps;
	size_t i, j, len, hosts = 0;
	bool is_host, dup;
	uint32_t fid;
	int ret, p;

	*n = 0;
	json_object_object_get_ex(body, "Links", &links);
	ret = mgmt_rf_check_props(resp, links, zone_post_link_props,
				  FM_ARRAY_SIZE(zone_post_link_props), NULL);
	if (ret < 0)
		return ret;
	json_object_object_get_ex(links, "Endpoints", &eps);
	len = json_object_array_length(eps);
	for (i = 0; i < len; i++) {
		ret = zone_post_endpoint(&is_host, &p, &fid, resp, ctx,
					 json_object_array_get_idx(eps, i));
		if (ret < 0)
			return ret;
		if (is_host) {
			if (hosts++ && (unsigned)p != *part)
				break;
			*part = (unsigned)p;
			continue;
		}
		for (dup = false, j = 0; j < *n && !dup; j++)
			dup = fids[j] == fid;
		if (dup)
			continue;
		if (*n == ZONE_POST_TARGETS_MAX)
			break;
		fids[(*n)++] = fid;
	}
	if (i < len || hosts == 0 || *n == 0)
		return mgmt_rf_error(
			resp, 400, MGMT_MSG_PROPERTY_VALUE_NOT_IN_LIST,
			json_object_to_json_string(eps), "Links/Endpoints");
	return 0;
}

int mgmt_zone_collection_post(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			      const struct mgmt_req *req, struct fm_err *err)
{
	char uri[MGMT_FABRIC_URI_MAX];
	struct mgmt_store_binding b;
	struct mgmt_store_move mv;
	struct mgmt_fabric *f;
	struct json_object *o = NULL;
	uint32_t *fids = NULL;
	bool *bound = NULL;
	size_t n = 0, i, nbound = 0;
	unsigned part = 0;
	int ret;

	/* the answer is the Zone body: no fabric model, no change */
	ret = act_need_switch(ctx, false, err);
	if (ret == 0)
		ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret < 0)
		return ret;
	ret = mgmt_rf_check_props(resp, req->json, zone_post_props,
				  FM_ARRAY_SIZE(zone_post_props), NULL);
	if (ret < 0)
		return ret;
	fids = calloc(ZONE_POST_TARGETS_MAX, sizeof(*fids));
	bound = calloc(ZONE_POST_TARGETS_MAX, sizeof(*bound));
	if (!fids || !bound) {
		ret = fm_err_set(err, FM_ENOMEM, "zone post: out of memory");
		goto out;
	}
	ret = zone_post_parse(&part, fids, &n, resp, ctx, req->json);
	if (ret < 0)
		goto out;
	/* refuse before changing anything when a target belongs elsewhere */
	for (i = 0; ret == 0 && i < n; i++) {
		if (mgmt_store_move_find_active(&mv, ctx->store, fids[i],
						NULL) == 0)
			ret = fm_err_set(err, FM_EBUSY, "fid 0x%08x is moving",
					 fids[i]);
		else if (mgmt_store_binding_get(&b, ctx->store, fids[i],
						NULL) == 0 &&
			 b.partition != part)
			ret = fm_err_set(err, FM_ESTATE,
					 "endpoint of fid 0x%08x is in zone "
					 "%u: remove it there, or move it",
					 fids[i], b.partition);
	}
	for (i = 0; ret == 0 && i < n; i++) {
		ret = zone_bind(&bound[i], ctx, part, fids[i], err);
		nbound += bound[i];
	}
	if (ret < 0) {
		/* all or none: take back what this request bound (it was
		 * never enumerated long enough to be in use) */
		while (i-- > 0)
			if (bound[i] &&
			    (sw_fmp_client_unbind(ctx->fmp, fids[i],
						  SW_UNBIND_SURPRISE,
						  NULL) < 0 ||
			     mgmt_store_binding_remove(ctx->store, fids[i], 0,
						       NULL) < 0))
				FM_LOG(FM_LOG_WARN,
				       "zone %u: fid 0x%08x not taken back",
				       part, fids[i]);
		goto out;
	}
	ret = mgmt_res_fabric_sync(&f, ctx, req->uri, err);
	if (ret == 0)
		ret = mgmt_zone_body_new(&o, f, part, err);
	if (ret < 0)
		goto out;
	mgmt_fabric_zone_uri(uri, sizeof(uri), part);
	ret = mgmt_resp_header_set(resp, "Location", "%s", uri);
	if (ret < 0) {
		json_object_put(o);
		fm_err_set(err, -ret, "zone %u: location too long", part);
		goto out;
	}
	mgmt_resp_set_json(resp, nbound ? 201 : 200, o);
out:
	free(fids);
	free(bound);
	return ret;
}

/* Oem.MrFabric.Mode of @body into *mode (Managed when absent). */
static int act_mode(enum sw_unbind_mode *mode, struct mgmt_resp *resp,
		    const struct json_object *body, const char *action)
{
	static const struct mgmt_prop oem_props[] = {
		{ .name = "MrFabric", .type = MGMT_PROP_OBJECT },
	};
	static const struct mgmt_prop mf_props[] = {
		{ .name = "Mode",
		  .type = MGMT_PROP_STRING,
		  .values = unbind_modes },
	};
	struct json_object *oem, *mf, *m;
	size_t i;
	int ret;

	*mode = SW_UNBIND_MANAGED;
	if (!json_object_object_get_ex(body, "Oem", &oem))
		return 0;
	ret = mgmt_rf_check_props(resp, oem, oem_props,
				  FM_ARRAY_SIZE(oem_props), action);
	if (ret < 0 || !json_object_object_get_ex(oem, "MrFabric", &mf))
		return ret;
	ret = mgmt_rf_check_props(resp, mf, mf_props, FM_ARRAY_SIZE(mf_props),
				  action);
	if (ret < 0 || !json_object_object_get_ex(mf, "Mode", &m))
		return ret;
	for (i = 0; unbind_modes[i]; i++)
		if (strcmp(json_object_get_string(m), unbind_modes[i]) == 0)
			*mode = unbind_mode_values[i];
	return 0;
}

static const struct mgmt_prop remove_props[] = {
	{ .name = "Endpoint", .type = MGMT_PROP_OBJECT, .required = true },
	{ .name = "Oem", .type = MGMT_PROP_OBJECT },
};

static int zone_remove_endpoint(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_task_origin origin = { "POST", req->uri,
					   act_body_text(req) };
	enum sw_unbind_mode mode;
	struct mgmt_store_binding b;
	struct mgmt_store_move mv;
	unsigned part;
	uint64_t task;
	uint32_t fid;
	int ret;

	ret = act_need_switch(ctx, true, err);
	if (ret == 0)
		ret = act_zone(&part, ctx, req, err);
	if (ret < 0)
		return ret;
	ret = mgmt_rf_check_props(resp, req->json, remove_props,
				  FM_ARRAY_SIZE(remove_props), REMOVE_ACTION);
	if (ret == 0)
		ret = act_mode(&mode, resp, req->json, REMOVE_ACTION);
	if (ret == 0)
		ret = act_endpoint(&fid, resp, ctx, req->json, "Endpoint",
				   REMOVE_ACTION);
	if (ret < 0)
		return ret;
	ret = mgmt_store_binding_get(&b, ctx->store, fid, err);
	if (ret == -FM_ENOENT || (ret == 0 && b.partition != part)) {
		fm_err_clear(err);
		return fm_err_set(err, FM_ESTATE,
				  "endpoint of fid 0x%08x is not in zone %u",
				  fid, part);
	}
	if (ret == 0 &&
	    mgmt_store_move_find_active(&mv, ctx->store, fid, NULL) == 0)
		ret = fm_err_set(err, FM_EBUSY, "fid 0x%08x is moving", fid);
	if (ret == 0)
		ret = mgmt_unbind_start(&task, ctx->tasks, fid, mode,
					(uint64_t)ctx->cfg->move_timeout_ms *
						1000000ull,
					&origin, err);
	if (ret < 0)
		return ret;
	return mgmt_task_accepted(resp, ctx, task, err);
}

static const struct mgmt_prop move_props[] = {
	{ .name = "Endpoint", .type = MGMT_PROP_OBJECT, .required = true },
	{ .name = "TargetZone", .type = MGMT_PROP_OBJECT, .required = true },
	{ .name = "Oem", .type = MGMT_PROP_OBJECT },
};

static int fabric_move_endpoint(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_task_origin origin = { "POST", req->uri,
					   act_body_text(req) };
	enum sw_unbind_mode mode;
	struct mgmt_store_binding b;
	unsigned part;
	uint64_t task;
	uint32_t fid;
	int ret;

	ret = act_need_switch(ctx, true, err);
	if (ret < 0)
		return ret;
	ret = mgmt_rf_check_props(resp, req->json, move_props,
				  FM_ARRAY_SIZE(move_props), MOVE_ACTION);
	if (ret == 0)
		ret = act_mode(&mode, resp, req->json, MOVE_ACTION);
	if (ret == 0)
		ret = act_endpoint(&fid, resp, ctx, req->json, "Endpoint",
				   MOVE_ACTION);
	if (ret == 0)
		ret = act_zone_link(&part, resp, ctx, req->json, "TargetZone",
				    MOVE_ACTION);
	if (ret < 0)
		return ret;
	ret = mgmt_store_binding_get(&b, ctx->store, fid, err);
	if (ret == -FM_ENOENT) {
		fm_err_clear(err);
		return fm_err_set(err, FM_ESTATE,
				  "endpoint of fid 0x%08x is in no zone: add "
				  "it to one instead",
				  fid);
	}
	if (ret == 0 && b.partition == part)
		return fm_err_set(err, FM_ESTATE,
				  "endpoint of fid 0x%08x is already in zone "
				  "%u",
				  fid, part);
	if (ret == 0)
		ret = mgmt_move_start(
			&task, ctx->tasks, fid, part, MGMT_VPPB_ANY, mode,
			(uint64_t)ctx->cfg->move_timeout_ms * 1000000ull,
			&origin, err);
	if (ret < 0)
		return ret;
	return mgmt_task_accepted(resp, ctx, task, err);
}

static const struct mgmt_prop batch_props[] = {
	{ .name = "Changes", .type = MGMT_PROP_ARRAY, .required = true },
};

static const struct mgmt_prop change_props[] = {
	{ .name = "Endpoint", .type = MGMT_PROP_OBJECT, .required = true },
	{ .name = "Zone",
	  .type = MGMT_PROP_OBJECT,
	  .required = true,
	  .nullable = true },
};

/* Change @i of the Changes array into @c; 400 in @resp when bad. */
static int batch_change(struct mgmt_store_change *c, struct mgmt_resp *resp,
			struct mgmt_ctx *ctx, const struct json_object *item)
{
	struct json_object *zone;
	unsigned part;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!json_object_is_type(item, json_type_object))
		return mgmt_rf_error(
			resp, 400, MGMT_MSG_ACTION_PARAMETER_VALUE_TYPE_ERROR,
			json_object_to_json_string((struct json_object *)item),
			"Changes", BATCH_ACTION);
	ret = mgmt_rf_check_props(resp, item, change_props,
				  FM_ARRAY_SIZE(change_props), BATCH_ACTION);
	if (ret == 0)
		ret = act_endpoint(&c->fid, resp, ctx, item, "Endpoint",
				   BATCH_ACTION);
	if (ret < 0)
		return ret;
	json_object_object_get_ex(item, "Zone", &zone);
	if (!zone)
		return 0; /* null: remove from its zone */
	ret = act_zone_link(&part, resp, ctx, item, "Zone", BATCH_ACTION);
	if (ret < 0)
		return ret;
	c->bind = true;
	c->partition = part;
	c->vppb = MGMT_VPPB_ANY;
	return 0;
}

static int fabric_apply_bindings(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
				 const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_task_origin origin = { "POST", req->uri,
					   act_body_text(req) };
	struct mgmt_store_change *changes = NULL;
	struct json_object *arr;
	uint64_t task = 0;
	size_t n, i;
	int ret;

	ret = act_need_switch(ctx, true, err);
	if (ret < 0)
		return ret;
	ret = mgmt_rf_check_props(resp, req->json, batch_props,
				  FM_ARRAY_SIZE(batch_props), BATCH_ACTION);
	if (ret < 0)
		return ret;
	json_object_object_get_ex(req->json, "Changes", &arr);
	n = json_object_array_length(arr);
	if (n == 0 || n > MGMT_STORE_BATCH_MAX)
		return mgmt_rf_error(
			resp, 400, MGMT_MSG_ACTION_PARAMETER_VALUE_NOT_IN_LIST,
			json_object_to_json_string(arr), "Changes",
			BATCH_ACTION);
	changes = calloc(n, sizeof(*changes));
	if (!changes)
		return fm_err_set(err, FM_ENOMEM, "batch: out of memory");
	for (i = 0; ret == 0 && i < n; i++)
		ret = batch_change(&changes[i], resp, ctx,
				   json_object_array_get_idx(arr, i));
	if (ret == 0)
		ret = mgmt_batch_start(&task, ctx->tasks, changes, n,
				       (uint64_t)ctx->cfg->move_timeout_ms *
					       1000000ull,
				       &origin, err);
	free(changes);
	if (ret < 0)
		return ret;
	return mgmt_task_accepted(resp, ctx, task, err);
}

/*
 * Routes.  Changing bindings needs ConfigureComponents (Redfish's
 * privilege for Zones and Endpoints).
 */
static const struct mgmt_route zone_action_routes[] = {
	{
		.path = ZONE_URI "/Actions/" ADD_ACTION,
		.type = NULL,
		.op[MGMT_POST] = { zone_add_endpoint,
				   MGMT_PRIV_CONFIGURE_COMPONENTS },
	},
	{
		.path = ZONE_URI "/Actions/" REMOVE_ACTION,
		.type = NULL,
		.op[MGMT_POST] = { zone_remove_endpoint,
				   MGMT_PRIV_CONFIGURE_COMPONENTS },
	},
	{
		.path = MGMT_FABRIC_URI "/Actions/Oem/" MOVE_ACTION,
		.type = NULL,
		.op[MGMT_POST] = { fabric_move_endpoint,
				   MGMT_PRIV_CONFIGURE_COMPONENTS },
	},
	{
		.path = MGMT_FABRIC_URI "/Actions/Oem/" BATCH_ACTION,
		.type = NULL,
		.op[MGMT_POST] = { fabric_apply_bindings,
				   MGMT_PRIV_CONFIGURE_COMPONENTS },
	},
};

MGMT_ROUTE_SET(mgmt_res_zones_actions, "zone actions", zone_action_routes);
