/* SPDX-License-Identifier: MIT */
/*
 * res_accounts.c - /redfish/v1/AccountService: the service, its Accounts
 * (ManagerAccount) and its predefined Roles (DSP0266 "Account service").
 *
 * Privileges (the route table below, plus what a table cannot say):
 *   - reading or PATCHing an account takes ConfigureSelf at the router;
 *     the handler then asks ConfigureUsers for anyone else's account,
 *     and a caller without ConfigureUsers may change only its own
 *     Password (not its role, Enabled or Locked): 403 otherwise;
 *   - the Accounts collection lists every account to ConfigureUsers,
 *     only the caller's own to everyone else;
 *   - creating and deleting accounts take ConfigureUsers.
 * PATCH and DELETE of an account require If-Match (428 without it): the
 * account's ETag names its id and generation, so any change, a password
 * one included, makes an older ETag fail with 412.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/auth.h"
#include "mgmt/redfish_int.h"
#include "mgmt/res_fabric_int.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"

#define AS_URI "/redfish/v1/AccountService"
#define ACCOUNTS_URI AS_URI "/Accounts"
#define ROLES_URI AS_URI "/Roles"
#define AS_TYPE "#AccountService.v1_18_1.AccountService"
#define ACCOUNT_TYPE "#ManagerAccount.v1_14_1.ManagerAccount"
#define ACCOUNT_COLLECTION_TYPE                                                \
	"#ManagerAccountCollection.ManagerAccountCollection"
#define ROLE_TYPE "#Role.v1_3_3.Role"
#define ROLE_COLLECTION_TYPE "#RoleCollection.RoleCollection"
#define ACCOUNT_URI_MAX 96
#define HIDDEN "[hidden]" /* stands for a password in messages */

static int acct_need_auth(struct mgmt_auth **out, struct mgmt_ctx *ctx,
			  const struct mgmt_req *req, struct fm_err *err)
{
	*out = ctx->auth;
	if (!ctx->auth)
		return fm_err_set(err, FM_EIO,
				  "%s: no account service in this daemon",
				  req->uri);
	return 0;
}

static bool acct_can(const struct mgmt_req *req, enum mgmt_priv p)
{
	return req->who && (req->who->privs & MGMT_PRIV_BIT(p));
}

/*
 * The account the URI names (and the account service in *@a), with the
 * ConfigureSelf rule above.
 */
static int acct_target(struct mgmt_store_account *out, struct mgmt_auth **a,
		       struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	uint64_t id = 0;
	int ret;

	ret = acct_need_auth(a, ctx, req, err);
	if (ret == 0)
		ret = mgmt_rf_id_parse(&id, mgmt_req_param(req, "account"),
				       "account", err);
	if (ret == 0)
		ret = mgmt_store_account_get(out, mgmt_auth_store(*a), id, err);
	if (ret == -FM_ENOENT)
		return mgmt_rf_error(
			resp, 404, MGMT_MSG_RESOURCE_MISSING_AT_URI, req->uri);
	if (ret < 0)
		return ret;
	if (!acct_can(req, MGMT_PRIV_CONFIGURE_USERS) &&
	    (!req->who || strcmp(req->who->user, out->name) != 0))
		return mgmt_rf_error(resp, 403,
				     MGMT_MSG_INSUFFICIENT_PRIVILEGE);
	return 0;
}

static void acct_uri(char *out, size_t len, uint64_t id)
{
	snprintf(out, len, ACCOUNTS_URI "/%" PRIu64, id);
}

/* The account's ETag: its id and generation (see the top comment). */
static void acct_etag(char out[MGMT_ETAG_LEN],
		      const struct mgmt_store_account *acct)
{
	snprintf(out, MGMT_ETAG_LEN, "\"%08" PRIx64 "%08" PRIx64 "\"",
		 acct->id & 0xffffffffu, acct->generation & 0xffffffffu);
}

static struct json_object *acct_json(const struct mgmt_store_account *acct,
				     struct mgmt_auth *a)
{
	char uri[ACCOUNT_URI_MAX], etag[MGMT_ETAG_LEN];
	const char *role = mgmt_role_name((enum mgmt_role)acct->role);
	struct json_object *o = NULL, *types, *links;
	int bad = 0;

	acct_uri(uri, sizeof(uri), acct->id);
	if (mgmt_rf_resource_new(&o, uri, ACCOUNT_TYPE, "User Account", NULL) <
	    0)
		return NULL;
	acct_etag(etag, acct);
	bad |= mgmt_rf_set_str(o, "@odata.etag", etag);
	bad |= mgmt_rf_set_str(o, "Description", "mrfabricd user account");
	bad |= mgmt_rf_set_str(o, "UserName", acct->name);
	bad |= mgmt_rf_set_str(o, "RoleId", role ? role : "");
	bad |= mgmt_rf_set(o, "Enabled",
			   json_object_new_boolean(acct->enabled));
	/* locked by an Administrator, or by failed-login throttling */
	bad |= mgmt_rf_set(o, "Locked",
			   json_object_new_boolean(
				   acct->locked ||
				   mgmt_auth_account_throttled(a, acct->name)));
	/* DSP0266: Password is null in responses */
	bad |= json_object_object_add(o, "Password", NULL) != 0;
	types = json_object_new_array();
	if (types && json_object_array_add(
			     types, json_object_new_string("Redfish")) != 0) {
		json_object_put(types);
		types = NULL;
	}
	bad |= mgmt_rf_set(o, "AccountTypes", types);
	links = json_object_new_object();
	if (links) {
		char ruri[ACCOUNT_URI_MAX];

		snprintf(ruri, sizeof(ruri), ROLES_URI "/%s", role ? role : "");
		if (mgmt_rf_set_link(links, "Role", ruri) < 0) {
			json_object_put(links);
			links = NULL;
		}
	}
	bad |= mgmt_rf_set(o, "Links", links);
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Answer with account @acct (status @status); its ETag header too. */
static int acct_answer(struct mgmt_resp *resp, unsigned status,
		       const struct mgmt_store_account *acct,
		       struct mgmt_auth *a, const struct mgmt_req *req,
		       struct fm_err *err)
{
	struct json_object *o = acct_json(acct, a);
	char etag[MGMT_ETAG_LEN];

	if (!o)
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory",
				  req->uri);
	acct_etag(etag, acct);
	mgmt_resp_set_json(resp, status, o);
	mgmt_resp_header_set(resp, "ETag", "%s", etag);
	return 0;
}

/* ---------------------------------------------------------------------
 * AccountService
 */
static int as_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		  const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	struct mgmt_auth *a;
	const struct mgmt_config *cfg;
	int bad = 0, ret;

	ret = acct_need_auth(&a, ctx, req, err);
	if (ret == 0)
		ret = mgmt_rf_resource_new(&o, AS_URI, AS_TYPE,
					   "Account Service", err);
	if (ret < 0)
		return ret;
	cfg = mgmt_auth_config(a);
	bad |= mgmt_rf_set_str(o, "Description",
			       "Local accounts of mrfabricd: roles "
			       "Administrator, Operator, ReadOnly");
	bad |= mgmt_rf_set(o, "Status", mgmt_res_status_new("Enabled"));
	bad |= mgmt_rf_set(o, "ServiceEnabled", json_object_new_boolean(1));
	bad |= mgmt_rf_set(o, "MinPasswordLength",
			   json_object_new_int(MGMT_PASSWORD_MIN));
	bad |= mgmt_rf_set(o, "MaxPasswordLength",
			   json_object_new_int(MGMT_PASSWORD_MAX));
	bad |= mgmt_rf_set(o, "AccountLockoutThreshold",
			   json_object_new_int64(cfg->login_failures));
	bad |= mgmt_rf_set(o, "AccountLockoutDuration",
			   json_object_new_int64(cfg->login_lockout_s));
	bad |= mgmt_rf_set(o, "AccountLockoutCounterResetAfter",
			   json_object_new_int64(cfg->login_window_s));
	bad |= mgmt_rf_set(o, "AccountLockoutCounterResetEnabled",
			   json_object_new_boolean(1));
	bad |= mgmt_rf_set_str(o, "LocalAccountAuth", "Enabled");
	bad |= mgmt_rf_set_str(o, "HTTPBasicAuth", "Enabled");
	bad |= mgmt_rf_set_link(o, "Accounts", ACCOUNTS_URI);
	bad |= mgmt_rf_set_link(o, "Roles", ROLES_URI);
	return mgmt_rf_reply(resp, 200, o,
			     bad ? mgmt_rf_nomem(err, req->uri) : 0);
}

/* ---------------------------------------------------------------------
 * Accounts
 */
static int accounts_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_account *all = NULL;
	struct json_object *o = NULL;
	char uri[ACCOUNT_URI_MAX];
	bool every = acct_can(req, MGMT_PRIV_CONFIGURE_USERS);
	struct mgmt_auth *a;
	size_t n = 0, i;
	int ret;

	ret = acct_need_auth(&a, ctx, req, err);
	if (ret == 0)
		ret = mgmt_store_account_list(&all, &n, mgmt_auth_store(a),
					      err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, ACCOUNTS_URI,
					     ACCOUNT_COLLECTION_TYPE,
					     "Accounts", err);
	for (i = 0; ret == 0 && i < n; i++) {
		if (!every &&
		    (!req->who || strcmp(req->who->user, all[i].name) != 0))
			continue;
		acct_uri(uri, sizeof(uri), all[i].id);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	free(all);
	return mgmt_rf_reply(resp, 200, o, ret);
}

static const char *const acct_roles[] = { "Administrator", "Operator",
					  "ReadOnly", NULL };

static const struct mgmt_prop acct_post_props[] = {
	{ "UserName", MGMT_PROP_STRING, .writable = true, .required = true },
	{ "Password", MGMT_PROP_STRING, .writable = true, .required = true },
	{ "RoleId", MGMT_PROP_STRING, .writable = true, .required = true,
	  .values = acct_roles },
	{ "Enabled", MGMT_PROP_BOOL, .writable = true },
	{ "AccountTypes", MGMT_PROP_ARRAY, .writable = false },
	{ "Locked", MGMT_PROP_BOOL, .writable = false },
	{ "Id", MGMT_PROP_STRING, .writable = false },
	{ "Name", MGMT_PROP_STRING, .writable = false },
};

static const char *acct_str(const struct json_object *body, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(body, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Boolean @key of @body, @dflt when absent. */
static bool acct_bool(const struct json_object *body, const char *key,
		      bool dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(body, key, &v))
		return dflt;
	return json_object_get_boolean(v);
}

static int accounts_post(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			 const struct mgmt_req *req, struct fm_err *err)
{
	const char *name, *pw, *role_name;
	struct mgmt_store_account acct;
	char uri[ACCOUNT_URI_MAX];
	struct fm_err e = { 0 };
	enum mgmt_role role = MGMT_ROLE_READONLY;
	struct mgmt_auth *a;
	uint64_t id = 0;
	int ret;

	ret = acct_need_auth(&a, ctx, req, err);
	if (ret < 0)
		return ret;
	ret = mgmt_rf_check_props(resp, req->json, acct_post_props,
				  FM_ARRAY_SIZE(acct_post_props), NULL);
	if (ret < 0)
		return ret;
	name = acct_str(req->json, "UserName");
	pw = acct_str(req->json, "Password");
	role_name = acct_str(req->json, "RoleId");
	mgmt_role_parse(&role, role_name);
	if (mgmt_user_name_check(name, NULL) < 0)
		return mgmt_rf_error(resp, 400,
				     MGMT_MSG_PROPERTY_VALUE_FORMAT_ERROR, name,
				     "/UserName");
	if (mgmt_password_check(pw, NULL) < 0)
		return mgmt_rf_error(resp, 400,
				     MGMT_MSG_PROPERTY_VALUE_FORMAT_ERROR,
				     HIDDEN, "/Password");
	ret = mgmt_auth_account_add(&id, a, name, pw, role,
				    acct_bool(req->json, "Enabled", true), &e);
	if (ret == -FM_EEXIST)
		return mgmt_rf_error(resp, 409,
				     MGMT_MSG_RESOURCE_ALREADY_EXISTS,
				     "ManagerAccount", "/UserName", name);
	if (ret == 0)
		ret = mgmt_store_account_get(&acct, mgmt_auth_store(a), id, &e);
	if (ret < 0)
		return fm_err_set(err, -ret, "%s", e.msg);
	ret = acct_answer(resp, 201, &acct, a, req, err);
	explicit_bzero(acct.hash, sizeof(acct.hash));
	if (ret < 0)
		return ret;
	acct_uri(uri, sizeof(uri), id);
	mgmt_resp_header_set(resp, "Location", "%s", uri);
	return 0;
}

static int account_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_account acct;
	struct mgmt_auth *a;
	int ret;

	ret = acct_target(&acct, &a, resp, ctx, req, err);
	if (ret == 0)
		ret = acct_answer(resp, 200, &acct, a, req, err);
	explicit_bzero(acct.hash, sizeof(acct.hash));
	return ret;
}

static const struct mgmt_prop acct_patch_props[] = {
	{ "Password", MGMT_PROP_STRING, .writable = true },
	{ "RoleId", MGMT_PROP_STRING, .writable = true, .values = acct_roles },
	{ "Enabled", MGMT_PROP_BOOL, .writable = true },
	{ "Locked", MGMT_PROP_BOOL, .writable = true },
	{ "UserName", MGMT_PROP_STRING, .writable = false },
	{ "AccountTypes", MGMT_PROP_ARRAY, .writable = false },
	{ "Id", MGMT_PROP_STRING, .writable = false },
	{ "Name", MGMT_PROP_STRING, .writable = false },
};

/*
 * The account a PATCH or DELETE changes: acct_target() without the hash.
 * DSP0266: a change to an account needs If-Match (428 without).
 */
static int acct_change_target(struct mgmt_store_account *out,
			      struct mgmt_auth **a, struct mgmt_resp *resp,
			      struct mgmt_ctx *ctx, const struct mgmt_req *req,
			      struct fm_err *err)
{
	int ret = acct_target(out, a, resp, ctx, req, err);

	if (ret < 0)
		return ret;
	explicit_bzero(out->hash, sizeof(out->hash));
	if (mgmt_req_header(req, "If-Match"))
		return 0;
	return mgmt_rf_error(resp, 428, MGMT_MSG_PRECONDITION_REQUIRED);
}

static int account_patch(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			 const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_account acct;
	const char *pw, *role_name;
	struct fm_err e = { 0 };
	enum mgmt_role role;
	struct json_object *v;
	struct mgmt_auth *a;
	bool admin = acct_can(req, MGMT_PRIV_CONFIGURE_USERS);
	int ret;

	ret = acct_change_target(&acct, &a, resp, ctx, req, err);
	if (ret == 0)
		ret = mgmt_rf_check_props(resp, req->json, acct_patch_props,
					  FM_ARRAY_SIZE(acct_patch_props),
					  NULL);
	if (ret < 0)
		return ret;
	/* ConfigureSelf covers the caller's own password, nothing more */
	if (!admin && (json_object_object_get_ex(req->json, "RoleId", &v) ||
		       json_object_object_get_ex(req->json, "Enabled", &v) ||
		       json_object_object_get_ex(req->json, "Locked", &v)))
		return mgmt_rf_error(resp, 403,
				     MGMT_MSG_INSUFFICIENT_PRIVILEGE);
	pw = acct_str(req->json, "Password");
	if (pw && mgmt_password_check(pw, NULL) < 0)
		return mgmt_rf_error(resp, 400,
				     MGMT_MSG_PROPERTY_VALUE_FORMAT_ERROR,
				     HIDDEN, "/Password");
	role = (enum mgmt_role)acct.role;
	role_name = acct_str(req->json, "RoleId");
	if (role_name)
		mgmt_role_parse(&role, role_name);
	ret = mgmt_auth_account_update(
		a, acct.id, acct.generation, pw, role,
		acct_bool(req->json, "Enabled", acct.enabled),
		acct_bool(req->json, "Locked", acct.locked), &e);
	if (ret == 0)
		ret = mgmt_store_account_get(&acct, mgmt_auth_store(a), acct.id,
					     &e);
	if (ret < 0)
		return fm_err_set(err, -ret, "%s", e.msg);
	ret = acct_answer(resp, 200, &acct, a, req, err);
	explicit_bzero(acct.hash, sizeof(acct.hash));
	return ret;
}

static int account_delete(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			  const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_account acct;
	struct mgmt_auth *a;
	int ret;

	ret = acct_change_target(&acct, &a, resp, ctx, req, err);
	if (ret == 0)
		ret = mgmt_auth_account_delete(a, acct.id, err);
	if (ret == 0)
		resp->status = 204;
	return ret;
}

/* ---------------------------------------------------------------------
 * Roles
 */
static int roles_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		     const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	char uri[ACCOUNT_URI_MAX];
	unsigned i;
	int ret;

	(void)ctx;
	ret = mgmt_rf_collection_new(&o, ROLES_URI, ROLE_COLLECTION_TYPE,
				     "Roles", err);
	for (i = 0; ret == 0 && i < MGMT_ROLE_COUNT; i++) {
		snprintf(uri, sizeof(uri), ROLES_URI "/%s",
			 mgmt_role_name((enum mgmt_role)i));
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	if (ret < 0) {
		json_object_put(o);
		return fm_err_set(err, -ret, "%s: out of memory", req->uri);
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static int role_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		    const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "role");
	struct json_object *o = NULL, *privs;
	enum mgmt_role role;
	uint32_t bits;
	unsigned p;
	int bad = 0, ret;

	(void)ctx;
	if (mgmt_role_parse(&role, id) < 0)
		return fm_err_set(err, FM_ENOENT, "no role %s", id);
	ret = mgmt_rf_resource_new(&o, req->uri, ROLE_TYPE, id, err);
	if (ret < 0)
		return ret;
	bits = mgmt_role_privs(role);
	privs = json_object_new_array();
	for (p = 0; privs && p < MGMT_PRIV_NONE; p++)
		if (bits & MGMT_PRIV_BIT(p))
			bad |= json_object_array_add(
				       privs,
				       json_object_new_string(mgmt_priv_name(
					       (enum mgmt_priv)p))) != 0;
	bad |= mgmt_rf_set_str(o, "Description", "A predefined Redfish role");
	bad |= mgmt_rf_set_str(o, "RoleId", id);
	bad |= mgmt_rf_set(o, "IsPredefined", json_object_new_boolean(1));
	bad |= mgmt_rf_set(o, "AssignedPrivileges", privs);
	return mgmt_rf_reply(resp, 200, o,
			     bad ? mgmt_rf_nomem(err, req->uri) : 0);
}

/*
 * The AccountService routes.  To add one, give every method its
 * privilege explicitly (see the top comment for ConfigureSelf).
 */
static const struct mgmt_route account_routes[] = {
	{
		.path = AS_URI,
		.type = AS_TYPE,
		.op[MGMT_GET] = { as_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = ACCOUNTS_URI,
		.type = ACCOUNT_COLLECTION_TYPE,
		.op[MGMT_GET] = { accounts_get, MGMT_PRIV_LOGIN },
		.op[MGMT_POST] = { accounts_post, MGMT_PRIV_CONFIGURE_USERS },
	},
	{
		.path = ACCOUNTS_URI "/{account}",
		.type = ACCOUNT_TYPE,
		.op[MGMT_GET] = { account_get, MGMT_PRIV_CONFIGURE_SELF },
		.op[MGMT_PATCH] = { account_patch, MGMT_PRIV_CONFIGURE_SELF },
		.op[MGMT_DELETE] = { account_delete,
				     MGMT_PRIV_CONFIGURE_USERS },
	},
	{
		.path = ROLES_URI,
		.type = ROLE_COLLECTION_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { roles_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = ROLES_URI "/{role}",
		.type = ROLE_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { role_get, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_accounts, "accounts", account_routes);
