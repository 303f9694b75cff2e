/* SPDX-License-Identifier: MIT */
/*
 * auth_test.h - the fixture of the security tests (issue 5): the
 * daemon's binding side of mw_fixture.h plus the fabric model, the event
 * hub and the authentication module, with the router's authentication
 * and audit hooks set as mrfabricd sets them, and a first Administrator.
 * Passwords are hashed at the lowest yescrypt cost (tests only) and the
 * authentication clock is the test's (at_now), so expiry and throttling
 * need no sleep.  Header-only, so each test stays one source file.
 */
#ifndef MRFABRIC_TESTS_MGMT_AUTH_TEST_H
#define MRFABRIC_TESTS_MGMT_AUTH_TEST_H

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgmt/auth.h"
#include "mgmt/events.h"
#include "mgmt/fabric.h"
#include "tests/mgmt/mw_fixture.h"

#define AT_ADMIN "admin"
#define AT_ADMIN_PW "admin-Passw0rd"
#define AT_PEER "192.0.2.7"
#define AT_NS_PER_S 1000000000ull

struct at_fx {
	struct mw_fx mw;
	struct mgmt_fabric *fabric;
	struct mgmt_events *events;
	struct mgmt_auth *auth;
	char pwfile[64];
};

static struct at_fx at;
static uint64_t at_now = 1000 * AT_NS_PER_S;

static inline uint64_t at_clock(void *ctx)
{
	(void)ctx;
	return at_now;
}

/* The fixture; @full adds the fabric model and the event hub. */
static inline void at_setup_opts(bool full)
{
	struct mgmt_auth_opts opts = { .hash_cost = 1, .now = at_clock };
	struct mgmt_events_opts eo = { 0 };
	struct fm_err err = { 0 };
	bool created = false;
	FILE *f;
	int fd;

	mw_setup(&at.mw);
	if (full) {
		cr_assert_eq(mgmt_fabric_new(&at.fabric, at.mw.fmp, &err), 0,
			     "%s", err.msg);
		cr_assert_eq(mgmt_events_new(&at.events, at.mw.loop,
					     at.mw.store, at.mw.fmp, &eo, &err),
			     0, "%s", err.msg);
		mgmt_tasks_set_events(at.mw.tasks, at.events);
		at.mw.ctx.fabric = at.fabric;
		at.mw.ctx.events = at.events;
	}
	cr_assert_eq(mgmt_auth_new(&at.auth, at.mw.loop, at.mw.store,
				   &at.mw.cfg, &opts, &err),
		     0, "%s", err.msg);
	snprintf(at.pwfile, sizeof(at.pwfile), "/tmp/mrfabric-pw-XXXXXX");
	fd = mkstemp(at.pwfile);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\n", AT_ADMIN_PW);
	fclose(f);
	cr_assert_eq(mgmt_auth_bootstrap(&created, at.auth, AT_ADMIN, at.pwfile,
					 NULL, &err),
		     0, "%s", err.msg);
	cr_assert(created);
	at.mw.ctx.auth = at.auth;
	mgmt_router_set_auth(at.mw.router, mgmt_auth_hook, at.auth);
	mgmt_router_set_audit(at.mw.router, mgmt_auth_audit_hook, at.auth);
}

static inline void at_setup(void)
{
	at_setup_opts(false);
}

static inline void at_setup_full(void)
{
	at_setup_opts(true);
}

static inline void at_teardown(void)
{
	mgmt_auth_free(at.auth);
	if (at.mw.tasks)
		mgmt_tasks_set_events(at.mw.tasks, NULL);
	mgmt_events_free(at.events);
	mgmt_fabric_free(at.fabric);
	mw_teardown(&at.mw);
	unlink(at.pwfile);
	memset(&at, 0, sizeof(at));
}

/*
 * One request through the router from AT_PEER: @body NULL for none,
 * @hname/@hvalue one more header (NULL for none), @if_match NULL for no
 * If-Match.
 */
static inline unsigned at_request(struct mgmt_resp *resp, const char *method,
				  const char *path, const char *body,
				  const char *hname, const char *hvalue,
				  const char *if_match)
{
	struct mgmt_kv hdr[3];
	size_t n = 0;
	struct mgmt_req req = { 0 };

	if (body)
		hdr[n++] =
			(struct mgmt_kv){ "Content-Type", "application/json" };
	if (hname)
		hdr[n++] = (struct mgmt_kv){ hname, hvalue };
	if (if_match)
		hdr[n++] = (struct mgmt_kv){ "If-Match", if_match };
	req.method = method;
	req.path = path;
	req.headers = hdr;
	req.nheaders = n;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.peer = AT_PEER;
	mgmt_router_dispatch(resp, at.mw.router, &at.mw.ctx, &req);
	return resp->status;
}

static inline unsigned at_status(const char *method, const char *path,
				 const char *body, const char *hname,
				 const char *hvalue)
{
	struct mgmt_resp resp;
	unsigned st =
		at_request(&resp, method, path, body, hname, hvalue, NULL);

	mgmt_resp_fini(&resp);
	return st;
}

/* "Basic base64(user:password)" into @out. */
static inline const char *at_basic(char *out, size_t len, const char *user,
				   const char *password)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr"
				  "stuvwxyz0123456789+/";
	char plain[256];
	size_t n, i, o = 6;

	n = (size_t)snprintf(plain, sizeof(plain), "%s:%s", user, password);
	cr_assert_lt(n, sizeof(plain));
	snprintf(out, len, "Basic ");
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)plain[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)plain[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)plain[i + 2];
		cr_assert_lt(o + 4, len);
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* Log in as @user; the token into @token (MGMT_TOKEN_LEN), the session
 * URI into @uri (may be NULL).  Returns the status. */
static inline unsigned at_login(char *token, char *uri, size_t uri_len,
				const char *user, const char *password)
{
	struct mgmt_resp resp;
	char body[256];
	const char *t, *loc;
	unsigned st;

	snprintf(body, sizeof(body),
		 "{\"UserName\": \"%s\", \"Password\": \"%s\"}", user,
		 password);
	st = at_request(&resp, "POST", "/redfish/v1/SessionService/Sessions",
			body, NULL, NULL, NULL);
	t = mgmt_resp_header(&resp, "X-Auth-Token");
	loc = mgmt_resp_header(&resp, "Location");
	if (token)
		snprintf(token, MGMT_TOKEN_LEN, "%s", t ? t : "");
	if (uri)
		snprintf(uri, uri_len, "%s", loc ? loc : "");
	mgmt_resp_fini(&resp);
	return st;
}

/* Create account @user with @role; returns its id. */
static inline uint64_t at_account(const char *user, const char *password,
				  enum mgmt_role role)
{
	struct fm_err err = { 0 };
	uint64_t id = 0;

	cr_assert_eq(mgmt_auth_account_add(&id, at.auth, user, password, role,
					   true, &err),
		     0, "%s", err.msg);
	return id;
}

/* The first MessageId of an error response, "" if none. */
static inline const char *at_message_id(const struct mgmt_resp *resp)
{
	struct json_object *e, *info, *id;

	if (!resp->json ||
	    !json_object_object_get_ex(resp->json, "error", &e) ||
	    !json_object_object_get_ex(e, "@Message.ExtendedInfo", &info) ||
	    json_object_array_length(info) == 0 ||
	    !json_object_object_get_ex(json_object_array_get_idx(info, 0),
				       "MessageId", &id))
		return "";
	return json_object_get_string(id);
}

#endif
