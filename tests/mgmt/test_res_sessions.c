/* SPDX-License-Identifier: MIT */
/*
 * test_res_sessions.c - /redfish/v1/SessionService as a client sees it:
 * login (201, X-Auth-Token, Location, a Session body without secrets),
 * failed logins, logout, who sees which sessions, the service's
 * SessionTimeout.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/mgmt/auth_test.h"

#define SS "/redfish/v1/SessionService"
#define SESSIONS SS "/Sessions"

TestSuite(mgmt_res_sessions, .init = at_setup, .fini = at_teardown,
	  .timeout = 60);

static unsigned login_resp(struct mgmt_resp *resp, const char *body)
{
	return at_request(resp, "POST", SESSIONS, body, NULL, NULL, NULL);
}

Test(mgmt_res_sessions, login_answers_201_with_token_location_and_session)
{
	struct mgmt_resp resp;
	const char *token, *loc;
	struct json_object *v;

	cr_assert_eq(login_resp(&resp, "{\"UserName\": \"admin\", "
				       "\"Password\": \"" AT_ADMIN_PW "\"}"),
		     201);
	token = mgmt_resp_header(&resp, "X-Auth-Token");
	loc = mgmt_resp_header(&resp, "Location");
	cr_assert_not_null(token);
	cr_assert_str_eq(loc, SESSIONS "/1");
	cr_assert(json_object_object_get_ex(resp.json, "UserName", &v));
	cr_assert_str_eq(json_object_get_string(v), AT_ADMIN);
	cr_assert(json_object_object_get_ex(resp.json, "@odata.type", &v));
	cr_assert_str_eq(json_object_get_string(v), "#Session.v1_8_0.Session");
	cr_assert_null(strstr(resp.body, AT_ADMIN_PW));
	cr_assert_null(strstr(resp.body, token));
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_sessions, tokens_are_distinct_and_256_bit_hex)
{
	char a[MGMT_TOKEN_LEN], b[MGMT_TOKEN_LEN];

	cr_assert_eq(at_login(a, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
	cr_assert_eq(at_login(b, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
	cr_assert_eq(strspn(a, "0123456789abcdef"), 64);
	cr_assert_str_neq(a, b);
}

Test(mgmt_res_sessions, wrong_password_gets_401_resource_at_uri_unauthorized)
{
	struct mgmt_resp resp;

	cr_assert_eq(login_resp(&resp, "{\"UserName\": \"admin\", "
				       "\"Password\": \"wrong-pass\"}"),
		     401);
	cr_assert_str_eq(at_message_id(&resp),
			 "Base.1.22.1.ResourceAtUriUnauthorized");
	cr_assert_null(mgmt_resp_header(&resp, "X-Auth-Token"));
	cr_assert_null(strstr(resp.body, "wrong-pass"));
	mgmt_resp_fini(&resp);
	cr_assert_eq(mgmt_auth_session_count(at.auth), 0);
}

Test(mgmt_res_sessions, login_without_password_gets_property_missing)
{
	struct mgmt_resp resp;

	cr_assert_eq(login_resp(&resp, "{\"UserName\": \"admin\"}"), 400);
	cr_assert_str_eq(at_message_id(&resp), "Base.1.22.1.PropertyMissing");
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_sessions, logout_makes_the_token_fail_at_once)
{
	char token[MGMT_TOKEN_LEN], uri[128];

	cr_assert_eq(at_login(token, uri, sizeof(uri), AT_ADMIN, AT_ADMIN_PW),
		     201);
	cr_assert_eq(at_status("GET", uri, NULL, "X-Auth-Token", token), 200);
	cr_assert_eq(at_status("DELETE", uri, NULL, "X-Auth-Token", token),
		     204);
	cr_assert_eq(at_status("GET", SS, NULL, "X-Auth-Token", token), 401);
}

Test(mgmt_res_sessions, others_see_only_their_own_sessions)
{
	char admin[MGMT_TOKEN_LEN], ro[MGMT_TOKEN_LEN], auri[128], ruri[128];
	struct mgmt_resp resp;
	struct json_object *m;

	at_account("ro", "ro-Passw0rd", MGMT_ROLE_READONLY);
	cr_assert_eq(at_login(admin, auri, sizeof(auri), AT_ADMIN, AT_ADMIN_PW),
		     201);
	cr_assert_eq(at_login(ro, ruri, sizeof(ruri), "ro", "ro-Passw0rd"),
		     201);
	cr_assert_eq(at_request(&resp, "GET", SESSIONS, NULL, "X-Auth-Token",
				ro, NULL),
		     200);
	cr_assert(json_object_object_get_ex(resp.json, "Members", &m));
	cr_assert_eq(json_object_array_length(m), 1);
	mgmt_resp_fini(&resp);
	cr_assert_eq(at_status("GET", auri, NULL, "X-Auth-Token", ro), 404);
	cr_assert_eq(at_status("DELETE", auri, NULL, "X-Auth-Token", ro), 404);
	cr_assert_eq(at_request(&resp, "GET", SESSIONS, NULL, "X-Auth-Token",
				admin, NULL),
		     200);
	cr_assert(json_object_object_get_ex(resp.json, "Members", &m));
	cr_assert_eq(json_object_array_length(m), 2);
	mgmt_resp_fini(&resp);
	/* an Administrator may end anyone's session */
	cr_assert_eq(at_status("DELETE", ruri, NULL, "X-Auth-Token", admin),
		     204);
	cr_assert_eq(at_status("GET", SS, NULL, "X-Auth-Token", ro), 401);
}

Test(mgmt_res_sessions, service_shows_the_configured_timeout)
{
	char token[MGMT_TOKEN_LEN];
	struct mgmt_resp resp;
	struct json_object *v;

	at.mw.cfg.session_timeout_s = 600;
	cr_assert_eq(at_login(token, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
	cr_assert_eq(
		at_request(&resp, "GET", SS, NULL, "X-Auth-Token", token, NULL),
		200);
	cr_assert(json_object_object_get_ex(resp.json, "SessionTimeout", &v));
	cr_assert_eq(json_object_get_int(v), 600);
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_sessions, service_root_links_sessions_and_they_resolve)
{
	char token[MGMT_TOKEN_LEN];
	struct mgmt_resp resp;
	struct json_object *links, *s, *id;

	cr_assert_eq(
		at_request(&resp, "GET", "/redfish/v1", NULL, NULL, NULL, NULL),
		200);
	cr_assert(json_object_object_get_ex(resp.json, "Links", &links));
	cr_assert(json_object_object_get_ex(links, "Sessions", &s));
	cr_assert(json_object_object_get_ex(s, "@odata.id", &id));
	cr_assert_str_eq(json_object_get_string(id), SESSIONS);
	mgmt_resp_fini(&resp);
	cr_assert_eq(at_login(token, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
	cr_assert_eq(at_status("GET", SESSIONS, NULL, "X-Auth-Token", token),
		     200);
}
