/* SPDX-License-Identifier: MIT */
/*
 * res_audit.c - the audit log as a Redfish LogService of the manager:
 * /redfish/v1/Managers/FabricManager/LogServices/Audit, whose Entries
 * are LogEntry resources (EntryType Oem, OemRecordFormat
 * "mrfabric-audit"), one per mutating request or login: who, what, from
 * where, and the result.  The records come from the store (auth.c's
 * audit hook writes them); they never hold a password, token or body.
 *
 * Reading the entries takes ConfigureManager: the trail says who acted
 * from which address, which is for Administrators.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt/auth.h"
#include "mgmt/fabric.h"
#include "mgmt/redfish_int.h"
#include "mgmt/res_fabric_int.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"

#define LS_URI "/redfish/v1/Managers/{manager}/LogServices"
#define LS_COLLECTION_TYPE "#LogServiceCollection.LogServiceCollection"
#define LS_TYPE "#LogService.v1_9_0.LogService"
#define ENTRY_COLLECTION_TYPE "#LogEntryCollection.LogEntryCollection"
#define ENTRY_TYPE "#LogEntry.v1_21_0.LogEntry"
#define AUDIT_ID "Audit"
#define AUDIT_URI MGMT_FABRIC_MANAGER_URI "/LogServices/" AUDIT_ID
#define ENTRIES_URI AUDIT_URI "/Entries"
#define AUDIT_URI_MAX 128
#define AUDIT_MESSAGE_MAX 1024

/* The {manager} parameter names the one manager. */
static int audit_manager(struct mgmt_auth **out, struct mgmt_ctx *ctx,
			 const struct mgmt_req *req, struct fm_err *err)
{
	const char *m = mgmt_req_param(req, "manager");

	*out = ctx->auth;
	if (!m || strcmp(m, MGMT_FABRIC_MANAGER_ID) != 0)
		return fm_err_set(err, FM_ENOENT, "no manager %s", m ? m : "");
	if (!ctx->auth)
		return fm_err_set(err, FM_EIO,
				  "%s: no audit log in this daemon", req->uri);
	return 0;
}

static int log_services_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			    const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	struct mgmt_auth *a;
	int ret;

	ret = audit_manager(&a, ctx, req, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, req->uri, LS_COLLECTION_TYPE,
					     "Log Services", err);
	if (ret == 0)
		ret = mgmt_rf_collection_add(o, AUDIT_URI, err);
	return mgmt_rf_reply(resp, 200, o, ret);
}

static int audit_service_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			     const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL, *purposes;
	struct mgmt_auth *a;
	struct timespec ts;
	char now[MGMT_RF_TIME_LEN];
	int bad = 0, ret;

	ret = audit_manager(&a, ctx, req, err);
	if (ret == 0 && strcmp(mgmt_req_param(req, "log"), AUDIT_ID) != 0)
		ret = fm_err_set(err, FM_ENOENT, "no log service %s",
				 mgmt_req_param(req, "log"));
	if (ret == 0)
		ret = mgmt_rf_resource_new(&o, AUDIT_URI, LS_TYPE, "Audit Log",
					   err);
	if (ret < 0)
		return ret;
	clock_gettime(CLOCK_REALTIME, &ts);
	mgmt_rf_time(now, (int64_t)ts.tv_sec * 1000);
	purposes = json_object_new_array();
	if (purposes &&
	    json_object_array_add(purposes,
				  json_object_new_string("Security")) != 0) {
		json_object_put(purposes);
		purposes = NULL;
	}
	bad |= mgmt_rf_set_str(o, "Description",
			       "Every POST, PATCH, PUT and DELETE, answered or "
			       "refused, and every login and logout: user, "
			       "client address, method, URI, status");
	bad |= mgmt_rf_set(o, "ServiceEnabled", json_object_new_boolean(1));
	bad |= mgmt_rf_set(o, "Status", mgmt_res_status_new("Enabled"));
	bad |= mgmt_rf_set(
		o, "MaxNumberOfRecords",
		json_object_new_int64(mgmt_auth_config(a)->audit_retention));
	bad |= mgmt_rf_set_str(o, "OverWritePolicy", "WrapsWhenFull");
	bad |= mgmt_rf_set_str(o, "LogEntryType", "OEM");
	bad |= mgmt_rf_set(o, "LogPurposes", purposes);
	bad |= mgmt_rf_set_str(o, "DateTime", now);
	bad |= mgmt_rf_set_str(o, "DateTimeLocalOffset", "+00:00");
	bad |= mgmt_rf_set_link(o, "Entries", ENTRIES_URI);
	return mgmt_rf_reply(resp, 200, o,
			     bad ? mgmt_rf_nomem(err, req->uri) : 0);
}

/* The {log} parameter of the entry routes names the audit log. */
static int audit_log(const struct mgmt_req *req, struct fm_err *err)
{
	const char *l = mgmt_req_param(req, "log");

	if (!l || strcmp(l, AUDIT_ID) != 0)
		return fm_err_set(err, FM_ENOENT, "no log service %s",
				  l ? l : "");
	return 0;
}

static const char *audit_severity(unsigned status)
{
	if (status >= 500)
		return "Critical";
	if (status >= 400)
		return "Warning";
	return "OK";
}

static struct json_object *audit_entry_json(const struct mgmt_store_audit *r)
{
	char uri[AUDIT_URI_MAX], created[MGMT_RF_TIME_LEN];
	char msg[AUDIT_MESSAGE_MAX];
	struct json_object *o = NULL;
	int bad = 0;

	snprintf(uri, sizeof(uri), ENTRIES_URI "/%" PRIu64, r->id);
	if (mgmt_rf_resource_new(&o, uri, ENTRY_TYPE, "Audit Record", NULL) < 0)
		return NULL;
	mgmt_rf_time(created, r->time_ms);
	snprintf(msg, sizeof(msg), "%s %s by %s from %s: %u%s%s", r->method,
		 r->uri, r->user, r->peer, r->status,
		 r->message_id[0] ? " " : "", r->message_id);
	bad |= mgmt_rf_set_str(o, "EntryType", "Oem");
	bad |= mgmt_rf_set_str(o, "OemRecordFormat", "mrfabric-audit");
	bad |= mgmt_rf_set_str(o, "Created", created);
	bad |= mgmt_rf_set_str(o, "Severity", audit_severity(r->status));
	bad |= mgmt_rf_set_str(o, "Message", msg);
	bad |= mgmt_rf_set_str(o, "Username", r->user);
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int entries_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_audit *all = NULL;
	struct json_object *o = NULL, *members = NULL;
	struct mgmt_auth *a;
	size_t n = 0, i;
	int ret;

	ret = audit_manager(&a, ctx, req, err);
	if (ret == 0)
		ret = audit_log(req, err);
	if (ret == 0)
		ret = mgmt_store_audit_list(&all, &n, mgmt_auth_store(a), err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, ENTRIES_URI,
					     ENTRY_COLLECTION_TYPE,
					     "Audit Records", err);
	if (ret == 0 && !json_object_object_get_ex(o, "Members", &members))
		ret = fm_err_set(err, FM_ENOMEM, "out of memory");
	/* LogEntryCollection members are expanded, as DSP0266 mockups of
	 * logs do: one request reads the whole bounded log */
	for (i = 0; ret == 0 && i < n; i++) {
		struct json_object *e = audit_entry_json(&all[i]);

		if (!e || json_object_array_add(members, e) != 0) {
			json_object_put(e);
			ret = fm_err_set(err, FM_ENOMEM, "out of memory");
		}
	}
	free(all);
	if (ret == 0 && mgmt_rf_set(o, "Members@odata.count",
				    json_object_new_int64((int64_t)n)) < 0)
		ret = fm_err_set(err, FM_ENOMEM, "out of memory");
	return mgmt_rf_reply(resp, 200, o, ret);
}

static int entry_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		     const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_audit r;
	struct json_object *o;
	struct mgmt_auth *a;
	uint64_t id = 0;
	int ret;

	ret = audit_manager(&a, ctx, req, err);
	if (ret == 0)
		ret = audit_log(req, err);
	if (ret == 0)
		ret = mgmt_rf_id_parse(&id, mgmt_req_param(req, "entry"),
				       "entry", err);
	if (ret == 0)
		ret = mgmt_store_audit_get(&r, mgmt_auth_store(a), id, err);
	if (ret < 0)
		return ret;
	o = audit_entry_json(&r);
	return mgmt_rf_reply(resp, 200, o,
			     o ? 0 : mgmt_rf_nomem(err, req->uri));
}

/* The audit routes; each names its privilege (see the top comment). */
static const struct mgmt_route audit_routes[] = {
	{
		.path = LS_URI,
		.type = LS_COLLECTION_TYPE,
		.op[MGMT_GET] = { log_services_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = LS_URI "/{log}",
		.type = LS_TYPE,
		.op[MGMT_GET] = { audit_service_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = LS_URI "/{log}/Entries",
		.type = ENTRY_COLLECTION_TYPE,
		.op[MGMT_GET] = { entries_get, MGMT_PRIV_CONFIGURE_MANAGER },
	},
	{
		.path = LS_URI "/{log}/Entries/{entry}",
		.type = ENTRY_TYPE,
		.op[MGMT_GET] = { entry_get, MGMT_PRIV_CONFIGURE_MANAGER },
	},
};

MGMT_ROUTE_SET(mgmt_res_audit, "audit", audit_routes);
