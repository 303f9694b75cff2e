/* SPDX-License-Identifier: MIT */
/*
 * test_res_accounts.c - /redfish/v1/AccountService as a client sees it:
 * creating, changing and deleting accounts with their statuses, Base
 * messages and ETag/If-Match rules; what each role may do to its own and
 * to other accounts; the Roles and their privileges.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/mgmt/auth_test.h"

#define ACCOUNTS "/redfish/v1/AccountService/Accounts"
#define ROLES "/redfish/v1/AccountService/Roles"

TestSuite(mgmt_res_accounts, .init = at_setup, .fini = at_teardown,
	  .timeout = 60);

static char admin_token[MGMT_TOKEN_LEN];

/* A request as @token's holder (the Administrator's when NULL). */
static unsigned as(struct mgmt_resp *resp, const char *token,
		   const char *method, const char *path, const char *body,
		   const char *if_match)
{
	if (!token) {
		if (!admin_token[0] || mgmt_auth_session_count(at.auth) == 0)
			cr_assert_eq(at_login(admin_token, NULL, 0, AT_ADMIN,
					      AT_ADMIN_PW),
				     201);
		token = admin_token;
	}
	return at_request(resp, method, path, body, "X-Auth-Token", token,
			  if_match);
}

static unsigned as_status(const char *token, const char *method,
			  const char *path, const char *body,
			  const char *if_match)
{
	struct mgmt_resp resp;
	unsigned st = as(&resp, token, method, path, body, if_match);

	mgmt_resp_fini(&resp);
	return st;
}

/* The ETag of @path as the Administrator sees it. */
static void etag_of(char out[MGMT_ETAG_LEN], const char *path)
{
	struct mgmt_resp resp;

	cr_assert_eq(as(&resp, NULL, "GET", path, NULL, NULL), 200);
	snprintf(out, MGMT_ETAG_LEN, "%s", mgmt_resp_header(&resp, "ETag"));
	mgmt_resp_fini(&resp);
}

static const char *account_uri(char *out, size_t len, uint64_t id)
{
	snprintf(out, len, ACCOUNTS "/%llu", (unsigned long long)id);
	return out;
}

static const char *json_str(const struct mgmt_resp *resp, const char *key)
{
	struct json_object *v;

	cr_assert(json_object_object_get_ex(resp->json, key, &v), "no %s", key);
	return json_object_get_string(v);
}

Test(mgmt_res_accounts, post_creates_an_account_with_location)
{
	struct mgmt_resp resp;
	const char *loc;

	cr_assert_eq(as(&resp, NULL, "POST", ACCOUNTS,
			"{\"UserName\": \"op\", \"Password\": \"op-Passw0rd\","
			" \"RoleId\": \"Operator\"}",
			NULL),
		     201);
	loc = mgmt_resp_header(&resp, "Location");
	cr_assert_str_eq(loc, ACCOUNTS "/2");
	cr_assert_str_eq(json_str(&resp, "UserName"), "op");
	cr_assert_str_eq(json_str(&resp, "RoleId"), "Operator");
	cr_assert_null(strstr(resp.body ? resp.body : "", "op-Passw0rd"));
	mgmt_resp_fini(&resp);
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "op-Passw0rd"), 201);
}

Test(mgmt_res_accounts, response_shows_null_password)
{
	struct mgmt_resp resp;
	struct json_object *pw;

	cr_assert_eq(as(&resp, NULL, "GET", ACCOUNTS "/1", NULL, NULL), 200);
	cr_assert(json_object_object_get_ex(resp.json, "Password", &pw));
	cr_assert_null(pw);
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_accounts, short_password_gets_property_value_format_error)
{
	struct mgmt_resp resp;

	cr_assert_eq(as(&resp, NULL, "POST", ACCOUNTS,
			"{\"UserName\": \"op\", \"Password\": \"short\","
			" \"RoleId\": \"Operator\"}",
			NULL),
		     400);
	cr_assert_str_eq(at_message_id(&resp),
			 "Base.1.22.1.PropertyValueFormatError");
	cr_assert_null(strstr(resp.body, "short"), "%s", resp.body);
	mgmt_resp_fini(&resp);
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "short"), 401);
}

Test(mgmt_res_accounts, unknown_role_gets_property_value_not_in_list)
{
	struct mgmt_resp resp;

	cr_assert_eq(as(&resp, NULL, "POST", ACCOUNTS,
			"{\"UserName\": \"op\", \"Password\": \"op-Passw0rd\","
			" \"RoleId\": \"Root\"}",
			NULL),
		     400);
	cr_assert_str_eq(at_message_id(&resp),
			 "Base.1.22.1.PropertyValueNotInList");
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_accounts, taken_user_name_gets_409_resource_already_exists)
{
	struct mgmt_resp resp;

	cr_assert_eq(as(&resp, NULL, "POST", ACCOUNTS,
			"{\"UserName\": \"admin\", \"Password\": "
			"\"x-Passw0rd\", \"RoleId\": \"ReadOnly\"}",
			NULL),
		     409);
	cr_assert_str_eq(at_message_id(&resp),
			 "Base.1.22.1.ResourceAlreadyExists");
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_accounts, patch_without_if_match_gets_428)
{
	struct mgmt_resp resp;

	cr_assert_eq(as(&resp, NULL, "PATCH", ACCOUNTS "/1",
			"{\"Password\": \"new-Passw0rd\"}", NULL),
		     428);
	cr_assert_str_eq(at_message_id(&resp),
			 "Base.1.22.1.PreconditionRequired");
	mgmt_resp_fini(&resp);
	cr_assert_eq(at_login(NULL, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
}

Test(mgmt_res_accounts, patch_with_a_stale_etag_gets_412)
{
	char uri[96], etag[MGMT_ETAG_LEN];
	uint64_t id = at_account("op", "op-Passw0rd", MGMT_ROLE_OPERATOR);

	account_uri(uri, sizeof(uri), id);
	etag_of(etag, uri);
	/* a password change shows nowhere in the body, yet moves the ETag */
	cr_assert_eq(as_status(NULL, "PATCH", uri,
			       "{\"Password\": \"op2-Passw0rd\"}", etag),
		     200);
	cr_assert_eq(as_status(NULL, "PATCH", uri,
			       "{\"Password\": \"op3-Passw0rd\"}", etag),
		     412);
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "op2-Passw0rd"), 201);
}

Test(mgmt_res_accounts, patch_changes_role_enabled_and_locked)
{
	struct mgmt_resp resp;
	char uri[96], etag[MGMT_ETAG_LEN];
	uint64_t id = at_account("op", "op-Passw0rd", MGMT_ROLE_OPERATOR);
	struct json_object *v;

	account_uri(uri, sizeof(uri), id);
	etag_of(etag, uri);
	cr_assert_eq(as(&resp, NULL, "PATCH", uri,
			"{\"RoleId\": \"ReadOnly\", \"Enabled\": false}", etag),
		     200);
	cr_assert_str_eq(json_str(&resp, "RoleId"), "ReadOnly");
	cr_assert(json_object_object_get_ex(resp.json, "Enabled", &v));
	cr_assert_not(json_object_get_boolean(v));
	mgmt_resp_fini(&resp);
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "op-Passw0rd"), 401);
}

Test(mgmt_res_accounts, throttled_account_shows_locked_until_an_admin_unlocks)
{
	struct mgmt_resp resp;
	char uri[96], etag[MGMT_ETAG_LEN];
	uint64_t id = at_account("op", "op-Passw0rd", MGMT_ROLE_OPERATOR);
	struct json_object *v;
	unsigned i;

	for (i = 0; i < at.mw.cfg.login_failures; i++)
		at_login(NULL, NULL, 0, "op", "wrong-pass");
	account_uri(uri, sizeof(uri), id);
	cr_assert_eq(as(&resp, NULL, "GET", uri, NULL, NULL), 200);
	cr_assert(json_object_object_get_ex(resp.json, "Locked", &v));
	cr_assert(json_object_get_boolean(v));
	mgmt_resp_fini(&resp);
	etag_of(etag, uri);
	cr_assert_eq(as_status(NULL, "PATCH", uri, "{\"Locked\": false}", etag),
		     200);
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "op-Passw0rd"), 201);
}

Test(mgmt_res_accounts, delete_needs_if_match_and_removes_the_account)
{
	char uri[96], etag[MGMT_ETAG_LEN];
	uint64_t id = at_account("op", "op-Passw0rd", MGMT_ROLE_OPERATOR);

	account_uri(uri, sizeof(uri), id);
	cr_assert_eq(as_status(NULL, "DELETE", uri, NULL, NULL), 428);
	etag_of(etag, uri);
	cr_assert_eq(as_status(NULL, "DELETE", uri, NULL, etag), 204);
	cr_assert_eq(as_status(NULL, "GET", uri, NULL, NULL), 404);
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "op-Passw0rd"), 401);
}

Test(mgmt_res_accounts, last_administrator_cannot_be_deleted)
{
	struct mgmt_resp resp;
	char etag[MGMT_ETAG_LEN];

	etag_of(etag, ACCOUNTS "/1");
	cr_assert_eq(as(&resp, NULL, "DELETE", ACCOUNTS "/1", NULL, etag), 409);
	cr_assert_str_eq(at_message_id(&resp), "Base.1.22.1.GeneralError");
	cr_assert(strstr(resp.body, "last enabled Administrator"), "%s",
		  resp.body);
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_accounts, user_changes_its_own_password_but_not_its_role)
{
	char token[MGMT_TOKEN_LEN], uri[96], etag[MGMT_ETAG_LEN];
	uint64_t id = at_account("ro", "ro-Passw0rd", MGMT_ROLE_READONLY);

	account_uri(uri, sizeof(uri), id);
	cr_assert_eq(at_login(token, NULL, 0, "ro", "ro-Passw0rd"), 201);
	etag_of(etag, uri);
	cr_assert_eq(as_status(token, "PATCH", uri,
			       "{\"RoleId\": \"Administrator\"}", etag),
		     403);
	cr_assert_eq(as_status(token, "PATCH", uri,
			       "{\"Password\": \"ro2-Passw0rd\"}", etag),
		     200);
	cr_assert_eq(at_login(NULL, NULL, 0, "ro", "ro2-Passw0rd"), 201);
}

Test(mgmt_res_accounts, read_only_cannot_touch_other_accounts)
{
	char token[MGMT_TOKEN_LEN], etag[MGMT_ETAG_LEN];

	at_account("ro", "ro-Passw0rd", MGMT_ROLE_READONLY);
	cr_assert_eq(at_login(token, NULL, 0, "ro", "ro-Passw0rd"), 201);
	etag_of(etag, ACCOUNTS "/1");
	cr_assert_eq(as_status(token, "GET", ACCOUNTS "/1", NULL, NULL), 403);
	cr_assert_eq(as_status(token, "PATCH", ACCOUNTS "/1",
			       "{\"Password\": \"hijack-Passw0rd\"}", etag),
		     403);
	cr_assert_eq(as_status(token, "DELETE", ACCOUNTS "/1", NULL, etag),
		     403);
	cr_assert_eq(as_status(token, "POST", ACCOUNTS,
			       "{\"UserName\": \"x\", \"Password\": "
			       "\"x-Passw0rd\", \"RoleId\": \"Administrator\"}",
			       NULL),
		     403);
	cr_assert_eq(at_login(NULL, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
}

Test(mgmt_res_accounts, collection_lists_only_own_account_to_non_admins)
{
	struct mgmt_resp resp;
	char token[MGMT_TOKEN_LEN];
	struct json_object *m;

	at_account("ro", "ro-Passw0rd", MGMT_ROLE_READONLY);
	cr_assert_eq(at_login(token, NULL, 0, "ro", "ro-Passw0rd"), 201);
	cr_assert_eq(as(&resp, token, "GET", ACCOUNTS, NULL, NULL), 200);
	cr_assert(json_object_object_get_ex(resp.json, "Members", &m));
	cr_assert_eq(json_object_array_length(m), 1);
	mgmt_resp_fini(&resp);
	cr_assert_eq(as(&resp, NULL, "GET", ACCOUNTS, NULL, NULL), 200);
	cr_assert(json_object_object_get_ex(resp.json, "Members", &m));
	cr_assert_eq(json_object_array_length(m), 2);
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_accounts, roles_show_their_assigned_privileges)
{
	static const struct {
		const char *role;
		const char *privs;
	} want[] = {
		{ "Administrator",
		  "[\"Login\",\"ConfigureComponents\",\"ConfigureManager\","
		  "\"ConfigureUsers\",\"ConfigureSelf\"]" },
		{ "Operator",
		  "[\"Login\",\"ConfigureComponents\",\"ConfigureSelf\"]" },
		{ "ReadOnly", "[\"Login\",\"ConfigureSelf\"]" },
	};
	struct mgmt_resp resp;
	struct json_object *p;
	char uri[96];
	size_t i;

	for (i = 0; i < FM_ARRAY_SIZE(want); i++) {
		snprintf(uri, sizeof(uri), ROLES "/%s", want[i].role);
		cr_assert_eq(as(&resp, NULL, "GET", uri, NULL, NULL), 200);
		cr_assert(json_object_object_get_ex(resp.json,
						    "AssignedPrivileges", &p));
		cr_assert_str_eq(json_object_to_json_string_ext(
					 p, JSON_C_TO_STRING_PLAIN),
				 want[i].privs);
		cr_assert_str_eq(json_str(&resp, "RoleId"), want[i].role);
		mgmt_resp_fini(&resp);
	}
	cr_assert_eq(as_status(NULL, "GET", ROLES "/Root", NULL, NULL), 404);
}
