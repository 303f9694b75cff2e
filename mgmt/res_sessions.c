/* SPDX-License-Identifier: MIT */
/*
 * res_sessions.c - /redfish/v1/SessionService and its Sessions (DSP0266
 * "Redfish session login authentication").
 *
 * POST Sessions {"UserName", "Password"} needs no authentication: 201,
 * the token in X-Auth-Token (the only time it is shown), the session in
 * Location and in the body (never the password or the token).  DELETE of
 * a session logs it out at once.  An Administrator (ConfigureUsers) sees
 * and may end every session; anyone else only their own (others' are
 * 404, as if absent).
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt/auth.h"
#include "mgmt/redfish_int.h"
#include "mgmt/res_fabric_int.h"
#include "mgmt/router_int.h"

#define SS_URI "/redfish/v1/SessionService"
#define SESSIONS_URI SS_URI "/Sessions"
#define SS_TYPE "#SessionService.v1_2_0.SessionService"
#define SESSION_TYPE "#Session.v1_8_0.Session"
#define SESSION_COLLECTION_TYPE "#SessionCollection.SessionCollection"
#define SESSION_URI_MAX 96

static int sess_need_auth(struct mgmt_auth **out, struct mgmt_ctx *ctx,
			  const struct mgmt_req *req, struct fm_err *err)
{
	*out = ctx->auth;
	if (!ctx->auth)
		return fm_err_set(err, FM_EIO,
				  "%s: no session service in this daemon",
				  req->uri);
	return 0;
}

/* May the caller see session @s? */
static bool sess_visible(const struct mgmt_req *req,
			 const struct mgmt_session *s)
{
	if (!req->who)
		return false;
	if (req->who->privs & MGMT_PRIV_BIT(MGMT_PRIV_CONFIGURE_USERS))
		return true;
	return strcmp(req->who->user, s->user) == 0;
}

static void sess_uri(char *out, size_t len, uint64_t id)
{
	snprintf(out, len, SESSIONS_URI "/%" PRIu64, id);
}

static struct json_object *sess_json(const struct mgmt_session *s)
{
	char uri[SESSION_URI_MAX], created[MGMT_RF_TIME_LEN];
	struct json_object *o = NULL;
	int bad = 0;

	sess_uri(uri, sizeof(uri), s->id);
	if (mgmt_rf_resource_new(&o, uri, SESSION_TYPE, "User Session", NULL) <
	    0)
		return NULL;
	mgmt_rf_time(created, s->created_ms);
	bad |= mgmt_rf_set_str(o, "Description", "A Redfish login session");
	bad |= mgmt_rf_set_str(o, "UserName", s->user);
	bad |= mgmt_rf_set_str(o, "SessionType", "Redfish");
	bad |= mgmt_rf_set_str(o, "CreatedTime", created);
	if (s->peer[0])
		bad |= mgmt_rf_set_str(o, "ClientOriginIPAddress", s->peer);
	/* DSP0266: Password and Token are null in responses */
	bad |= json_object_object_add(o, "Password", NULL) != 0;
	bad |= json_object_object_add(o, "Token", NULL) != 0;
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int ss_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		  const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	struct mgmt_auth *a;
	int bad = 0, ret;

	ret = sess_need_auth(&a, ctx, req, err);
	if (ret == 0)
		ret = mgmt_rf_resource_new(&o, SS_URI, SS_TYPE,
					   "Session Service", err);
	if (ret < 0)
		return ret;
	bad |= mgmt_rf_set_str(o, "Description",
			       "Redfish sessions: POST UserName and Password "
			       "to Sessions for an X-Auth-Token");
	bad |= mgmt_rf_set(o, "Status", mgmt_res_status_new("Enabled"));
	bad |= mgmt_rf_set(o, "ServiceEnabled", json_object_new_boolean(1));
	bad |= mgmt_rf_set(
		o, "SessionTimeout",
		json_object_new_int64(mgmt_auth_config(a)->session_timeout_s));
	bad |= mgmt_rf_set_link(o, "Sessions", SESSIONS_URI);
	return mgmt_rf_reply(resp, 200, o,
			     bad ? mgmt_rf_nomem(err, req->uri) : 0);
}

static int sessions_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	char uri[SESSION_URI_MAX];
	struct mgmt_auth *a;
	size_t n, i;
	int ret;

	ret = sess_need_auth(&a, ctx, req, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, SESSIONS_URI,
					     SESSION_COLLECTION_TYPE,
					     "Sessions", err);
	if (ret < 0)
		return ret;
	n = mgmt_auth_session_count(a);
	for (i = 0; ret == 0 && i < n; i++) {
		const struct mgmt_session *s = mgmt_auth_session_at(a, i);

		if (!sess_visible(req, s))
			continue;
		sess_uri(uri, sizeof(uri), s->id);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	return mgmt_rf_reply(resp, 200, o, ret);
}

static const struct mgmt_prop login_props[] = {
	{ "UserName", MGMT_PROP_STRING, .writable = true, .required = true },
	{ "Password", MGMT_PROP_STRING, .writable = true, .required = true },
};

static const char *sess_str(const struct json_object *body, const char *key)
{
	struct json_object *v;

	json_object_object_get_ex(body, key, &v);
	return json_object_get_string(v);
}

static int sessions_post(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			 const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_session s;
	struct json_object *o;
	char token[MGMT_TOKEN_LEN], uri[SESSION_URI_MAX];
	struct fm_err e = { 0 };
	struct mgmt_auth *a;
	int ret;

	ret = sess_need_auth(&a, ctx, req, err);
	if (ret < 0)
		return ret;
	ret = mgmt_rf_check_props(resp, req->json, login_props,
				  FM_ARRAY_SIZE(login_props), NULL);
	if (ret < 0)
		return ret;
	ret = mgmt_auth_login(&s, token, a, sess_str(req->json, "UserName"),
			      sess_str(req->json, "Password"), req->peer, &e);
	if (ret == -FM_EPERM) {
		/* one answer for a wrong name, password or lockout */
		mgmt_resp_header_set(resp, "WWW-Authenticate",
				     "Basic realm=\"mrfabricd\"");
		return mgmt_rf_error(resp, 401,
				     MGMT_MSG_RESOURCE_AT_URI_UNAUTHORIZED,
				     req->uri, "authentication failed");
	}
	if (ret < 0)
		return fm_err_set(err, -ret, "%s", e.msg);
	o = sess_json(&s);
	if (!o) {
		mgmt_auth_session_delete(a, s.id, NULL);
		explicit_bzero(token, sizeof(token));
		return fm_err_set(err, FM_ENOMEM, "%s: out of memory",
				  req->uri);
	}
	mgmt_resp_set_json(resp, 201, o);
	sess_uri(uri, sizeof(uri), s.id);
	mgmt_resp_header_set(resp, "Location", "%s", uri);
	mgmt_resp_header_set(resp, "X-Auth-Token", "%s", token);
	explicit_bzero(token, sizeof(token));
	return 0;
}

/*
 * The session {session} names, if the caller may see it: -FM_ENOENT for
 * one that is absent or another user's (see the top comment).
 */
static int sess_target(const struct mgmt_session **out, struct mgmt_auth **a,
		       struct mgmt_ctx *ctx, const struct mgmt_req *req,
		       struct fm_err *err)
{
	const char *p = mgmt_req_param(req, "session");
	uint64_t id;
	int ret;

	*out = NULL;
	ret = sess_need_auth(a, ctx, req, err);
	if (ret < 0)
		return ret;
	if (mgmt_rf_id_parse(&id, p, "session", NULL) == 0)
		*out = mgmt_auth_session_find(*a, id);
	if (!*out || !sess_visible(req, *out))
		return fm_err_set(err, FM_ENOENT, "no session %s", p);
	return 0;
}

static int session_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	const struct mgmt_session *s;
	struct json_object *o;
	struct mgmt_auth *a;
	int ret;

	ret = sess_target(&s, &a, ctx, req, err);
	if (ret < 0)
		return ret;
	o = sess_json(s);
	return mgmt_rf_reply(resp, 200, o,
			     o ? 0 : mgmt_rf_nomem(err, req->uri));
}

static int session_delete(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			  const struct mgmt_req *req, struct fm_err *err)
{
	const struct mgmt_session *s;
	struct mgmt_auth *a;
	int ret;

	ret = sess_target(&s, &a, ctx, req, err);
	if (ret == 0)
		ret = mgmt_auth_session_delete(a, s->id, err);
	if (ret == 0)
		resp->status = 204;
	return ret;
}

/*
 * The SessionService routes.  POST Sessions is the one mutating route
 * without authentication (DSP0266: the login itself).
 */
static const struct mgmt_route session_routes[] = {
	{
		.path = SS_URI,
		.type = SS_TYPE,
		.op[MGMT_GET] = { ss_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = SESSIONS_URI,
		.type = SESSION_COLLECTION_TYPE,
		.op[MGMT_GET] = { sessions_get, MGMT_PRIV_LOGIN },
		.op[MGMT_POST] = { sessions_post, MGMT_PRIV_NONE },
	},
	{
		.path = SESSIONS_URI "/{session}",
		.type = SESSION_TYPE,
		.op[MGMT_GET] = { session_get, MGMT_PRIV_LOGIN },
		.op[MGMT_DELETE] = { session_delete, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_sessions, "sessions", session_routes);
