/* SPDX-License-Identifier: MIT */
/*
 * test_auth.c - accounts, password hashing, the first Administrator,
 * HTTP Basic and session tokens through the router's authentication
 * hook, session expiry, failed-login throttling and the audit records,
 * as a client sees them (statuses, headers) and as the store keeps them.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "tests/mgmt/auth_test.h"

#define FABRICS "/redfish/v1/Fabrics"
#define SESSIONS "/redfish/v1/SessionService/Sessions"
#define ADD "/redfish/v1/Fabrics/PCIe/Zones/Zone-0/Actions/Zone.AddEndpoint"

TestSuite(mgmt_auth, .init = at_setup, .fini = at_teardown, .timeout = 60);

Test(mgmt_auth, roles_hold_the_redfish_privileges)
{
	const uint32_t login = MGMT_PRIV_BIT(MGMT_PRIV_LOGIN);
	const uint32_t self = MGMT_PRIV_BIT(MGMT_PRIV_CONFIGURE_SELF);
	const uint32_t comp = MGMT_PRIV_BIT(MGMT_PRIV_CONFIGURE_COMPONENTS);

	cr_assert_eq(mgmt_role_privs(MGMT_ROLE_ADMINISTRATOR), MGMT_PRIV_ALL);
	cr_assert_eq(mgmt_role_privs(MGMT_ROLE_OPERATOR), login | self | comp);
	cr_assert_eq(mgmt_role_privs(MGMT_ROLE_READONLY), login | self);
	cr_assert_str_eq(mgmt_role_name(MGMT_ROLE_READONLY), "ReadOnly");
}

Test(mgmt_auth, password_policy_rejects_short_and_long_passwords)
{
	char longpw[MGMT_PASSWORD_MAX + 2];
	struct fm_err err = { 0 };

	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	cr_assert_eq(mgmt_password_check("short", &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg,
			 "password: 5 characters, the policy is 8 to 128");
	cr_assert_eq(mgmt_password_check(longpw, NULL), -FM_EINVAL);
	cr_assert_eq(mgmt_password_check("tab\there-xx", NULL), -FM_EINVAL);
	cr_assert_eq(mgmt_password_check("just-right", NULL), 0);
}

Test(mgmt_auth, stored_hash_is_yescrypt_and_not_the_password)
{
	struct mgmt_store_account a;

	cr_assert_eq(mgmt_store_account_find(&a, at.mw.store, AT_ADMIN, NULL),
		     0);
	cr_assert_eq(strncmp(a.hash, "$y$", 3), 0, "%s", a.hash);
	cr_assert_null(strstr(a.hash, AT_ADMIN_PW));
	cr_assert_eq(a.role, MGMT_ROLE_ADMINISTRATOR);
	cr_assert(a.enabled && !a.locked);
}

Test(mgmt_auth, bootstrap_does_nothing_once_an_account_exists)
{
	struct fm_err err = { 0 };
	bool created = true;
	size_t n = 0;

	cr_assert_eq(mgmt_auth_bootstrap(&created, at.auth, "other", NULL,
					 stdout, &err),
		     0, "%s", err.msg);
	cr_assert_not(created);
	cr_assert_eq(mgmt_store_account_count(&n, at.mw.store, NULL), 0);
	cr_assert_eq(n, 1);
}

Test(mgmt_auth, bootstrap_prints_a_generated_password_once_that_logs_in)
{
	struct mgmt_store *st = NULL;
	struct mgmt_auth *a = NULL;
	struct mgmt_auth_opts opts = { .hash_cost = 1, .now = at_clock };
	char out[256] = "", pw[64] = "", token[MGMT_TOKEN_LEN];
	struct mgmt_session s;
	bool created = false;
	FILE *f = fmemopen(out, sizeof(out), "w");

	cr_assert_eq(mgmt_store_open(&st, ":memory:", NULL), 0);
	cr_assert_eq(mgmt_auth_new(&a, NULL, st, &at.mw.cfg, &opts, NULL), 0);
	cr_assert_eq(mgmt_auth_bootstrap(&created, a, "root", NULL, f, NULL),
		     0);
	fclose(f);
	cr_assert(created);
	cr_assert_eq(sscanf(out,
			    "mrfabricd: first start: Administrator account "
			    "\"root\", password %63s",
			    pw),
		     1, "%s", out);
	cr_assert_eq(strlen(pw), MGMT_GENERATED_PASSWORD_LEN);
	cr_assert_eq(mgmt_auth_login(&s, token, a, "root", pw, "::1", NULL), 0);
	mgmt_auth_free(a);
	mgmt_store_close(st);
}

Test(mgmt_auth, bootstrap_refuses_a_password_file_breaking_the_policy)
{
	struct mgmt_store *st = NULL;
	struct mgmt_auth *a = NULL;
	struct fm_err err = { 0 };
	char path[] = "/tmp/mrfabric-pw-XXXXXX";
	bool created = true;
	int fd = mkstemp(path);
	char want[128];

	cr_assert_eq(write(fd, "short\n", 6), 6);
	close(fd);
	cr_assert_eq(mgmt_store_open(&st, ":memory:", NULL), 0);
	cr_assert_eq(mgmt_auth_new(&a, NULL, st, &at.mw.cfg, NULL, NULL), 0);
	cr_assert_eq(mgmt_auth_bootstrap(&created, a, "root", path, NULL, &err),
		     -FM_EINVAL);
	snprintf(want, sizeof(want),
		 "admin password file %s: password: 5 characters, the policy "
		 "is 8 to 128",
		 path);
	cr_assert_str_eq(err.msg, want);
	cr_assert_not(created);
	unlink(path);
	mgmt_auth_free(a);
	mgmt_store_close(st);
}

Test(mgmt_auth, no_credentials_get_401_with_www_authenticate)
{
	struct mgmt_resp resp;

	cr_assert_eq(at_request(&resp, "GET", FABRICS, NULL, NULL, NULL, NULL),
		     401);
	cr_assert_str_eq(mgmt_resp_header(&resp, "WWW-Authenticate"),
			 "Basic realm=\"mrfabricd\"");
	cr_assert_str_eq(at_message_id(&resp), "Base.1.22.1.NoValidSession");
	mgmt_resp_fini(&resp);
}

Test(mgmt_auth, service_root_needs_no_credentials)
{
	cr_assert_eq(at_status("GET", "/redfish/v1", NULL, NULL, NULL), 200);
	cr_assert_eq(at_status("GET", "/redfish", NULL, NULL, NULL), 200);
}

Test(mgmt_auth, basic_with_the_right_password_is_accepted)
{
	char h[256];

	cr_assert_eq(at_status("GET", FABRICS, NULL, "Authorization",
			       at_basic(h, sizeof(h), AT_ADMIN, AT_ADMIN_PW)),
		     200);
}

Test(mgmt_auth, basic_with_a_wrong_password_gets_401)
{
	char h[256];

	cr_assert_eq(at_status("GET", FABRICS, NULL, "Authorization",
			       at_basic(h, sizeof(h), AT_ADMIN, "wrong-pass")),
		     401);
	cr_assert_eq(at_status("GET", FABRICS, NULL, "Authorization",
			       at_basic(h, sizeof(h), "nobody", AT_ADMIN_PW)),
		     401);
	cr_assert_eq(at_status("GET", FABRICS, NULL, "Authorization",
			       "Basic !!!notbase64"),
		     401);
}

Test(mgmt_auth, remembered_basic_header_stops_working_after_a_password_change)
{
	struct mgmt_store_account a;
	char h[256];

	at_basic(h, sizeof(h), AT_ADMIN, AT_ADMIN_PW);
	cr_assert_eq(at_status("GET", FABRICS, NULL, "Authorization", h), 200);
	cr_assert_eq(mgmt_store_account_find(&a, at.mw.store, AT_ADMIN, NULL),
		     0);
	cr_assert_eq(mgmt_auth_account_update(at.auth, a.id, 0, "new-Passw0rd",
					      MGMT_ROLE_ADMINISTRATOR, true,
					      false, NULL),
		     0);
	cr_assert_eq(at_status("GET", FABRICS, NULL, "Authorization", h), 401);
}

Test(mgmt_auth, session_token_authenticates_and_logout_ends_it)
{
	char token[MGMT_TOKEN_LEN], uri[128];

	cr_assert_eq(at_login(token, uri, sizeof(uri), AT_ADMIN, AT_ADMIN_PW),
		     201);
	cr_assert_eq(strlen(token), 64);
	cr_assert_eq(at_status("GET", FABRICS, NULL, "X-Auth-Token", token),
		     200);
	cr_assert_eq(at_status("DELETE", uri, NULL, "X-Auth-Token", token),
		     204);
	cr_assert_eq(at_status("GET", FABRICS, NULL, "X-Auth-Token", token),
		     401);
}

Test(mgmt_auth, wrong_token_gets_401)
{
	char token[MGMT_TOKEN_LEN];

	cr_assert_eq(at_login(token, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
	token[0] = token[0] == 'a' ? 'b' : 'a';
	cr_assert_eq(at_status("GET", FABRICS, NULL, "X-Auth-Token", token),
		     401);
}

Test(mgmt_auth, idle_session_expires_after_the_timeout)
{
	char token[MGMT_TOKEN_LEN];
	uint64_t timeout = at.mw.cfg.session_timeout_s * AT_NS_PER_S;

	cr_assert_eq(at_login(token, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
	at_now += timeout; /* exactly the timeout idle: still alive */
	cr_assert_eq(at_status("GET", FABRICS, NULL, "X-Auth-Token", token),
		     200);
	at_now += timeout + 1;
	cr_assert_eq(at_status("GET", FABRICS, NULL, "X-Auth-Token", token),
		     401);
	cr_assert_eq(mgmt_auth_session_count(at.auth), 0);
}

Test(mgmt_auth, disabling_an_account_ends_its_sessions)
{
	char token[MGMT_TOKEN_LEN];
	uint64_t id = at_account("op", "op-Passw0rd", MGMT_ROLE_OPERATOR);

	cr_assert_eq(at_login(token, NULL, 0, "op", "op-Passw0rd"), 201);
	cr_assert_eq(mgmt_auth_account_update(at.auth, id, 0, NULL,
					      MGMT_ROLE_OPERATOR, false, false,
					      NULL),
		     0);
	cr_assert_eq(at_status("GET", FABRICS, NULL, "X-Auth-Token", token),
		     401);
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "op-Passw0rd"), 401);
}

Test(mgmt_auth, role_change_applies_to_open_sessions)
{
	char token[MGMT_TOKEN_LEN];
	uint64_t id = at_account("ro", "ro-Passw0rd", MGMT_ROLE_READONLY);

	cr_assert_eq(at_login(token, NULL, 0, "ro", "ro-Passw0rd"), 201);
	cr_assert_eq(at_status("POST", ADD, "{}", "X-Auth-Token", token), 403);
	cr_assert_eq(mgmt_auth_account_update(at.auth, id, 0, NULL,
					      MGMT_ROLE_OPERATOR, true, false,
					      NULL),
		     0);
	cr_assert_eq(at_status("POST", ADD, "{}", "X-Auth-Token", token), 400);
}

Test(mgmt_auth, failed_logins_lock_the_account_even_for_the_right_password)
{
	unsigned i;

	for (i = 0; i < at.mw.cfg.login_failures; i++)
		cr_assert_eq(at_login(NULL, NULL, 0, AT_ADMIN, "wrong-pass"),
			     401);
	cr_assert(mgmt_auth_account_throttled(at.auth, AT_ADMIN));
	cr_assert_eq(at_login(NULL, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 401);
	at_now += (uint64_t)at.mw.cfg.login_lockout_s * AT_NS_PER_S;
	cr_assert_eq(at_login(NULL, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
}

Test(mgmt_auth, lockout_doubles_with_each_further_round_of_failures)
{
	uint64_t lockout = (uint64_t)at.mw.cfg.login_lockout_s * AT_NS_PER_S;
	unsigned round, i;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < at.mw.cfg.login_failures; i++)
			at_login(NULL, NULL, 0, AT_ADMIN, "wrong-pass");
		at_now += lockout << round;
	}
	/* the second lockout is twice the first: not over yet */
	at_now -= lockout;
	cr_assert(mgmt_auth_account_throttled(at.auth, AT_ADMIN));
	at_now += lockout;
	cr_assert_not(mgmt_auth_account_throttled(at.auth, AT_ADMIN));
}

Test(mgmt_auth, a_success_resets_the_failure_count)
{
	unsigned i;

	for (i = 0; i + 1 < at.mw.cfg.login_failures; i++)
		at_login(NULL, NULL, 0, AT_ADMIN, "wrong-pass");
	cr_assert_eq(at_login(NULL, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 201);
	at_login(NULL, NULL, 0, AT_ADMIN, "wrong-pass");
	cr_assert_not(mgmt_auth_account_throttled(at.auth, AT_ADMIN));
}

Test(mgmt_auth, unknown_accounts_are_throttled_like_known_ones)
{
	unsigned i;

	for (i = 0; i < at.mw.cfg.login_failures; i++)
		at_login(NULL, NULL, 0, "ghost", "wrong-pass");
	cr_assert(mgmt_auth_account_throttled(at.auth, "ghost"));
}

Test(mgmt_auth, administrator_unlock_clears_the_lockout)
{
	struct mgmt_store_account a;
	uint64_t id = at_account("op", "op-Passw0rd", MGMT_ROLE_OPERATOR);
	unsigned i;

	for (i = 0; i < at.mw.cfg.login_failures; i++)
		at_login(NULL, NULL, 0, "op", "wrong-pass");
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "op-Passw0rd"), 401);
	cr_assert_eq(mgmt_store_account_get(&a, at.mw.store, id, NULL), 0);
	cr_assert_eq(mgmt_auth_account_update(at.auth, id, 0, NULL,
					      MGMT_ROLE_OPERATOR, true, false,
					      NULL),
		     0);
	cr_assert_eq(at_login(NULL, NULL, 0, "op", "op-Passw0rd"), 201);
}

Test(mgmt_auth, one_address_with_many_failures_is_slowed_down)
{
	char name[16];
	unsigned i;

	/* twice an account's allowance, spread over many account names */
	for (i = 0; i < 2 * at.mw.cfg.login_failures; i++) {
		snprintf(name, sizeof(name), "guess%u", i);
		at_login(NULL, NULL, 0, name, "wrong-pass");
	}
	cr_assert_eq(at_login(NULL, NULL, 0, AT_ADMIN, AT_ADMIN_PW), 401);
}

Test(mgmt_auth, last_enabled_administrator_cannot_be_demoted_or_deleted)
{
	struct mgmt_store_account a;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_account_find(&a, at.mw.store, AT_ADMIN, NULL),
		     0);
	cr_assert_eq(mgmt_auth_account_update(at.auth, a.id, 0, NULL,
					      MGMT_ROLE_READONLY, true, false,
					      &err),
		     -FM_ESTATE);
	cr_assert_str_eq(err.msg,
			 "account admin is the last enabled Administrator");
	cr_assert_eq(mgmt_auth_account_delete(at.auth, a.id, NULL), -FM_ESTATE);
	at_account("admin2", "admin2-Passw0rd", MGMT_ROLE_ADMINISTRATOR);
	cr_assert_eq(mgmt_auth_account_delete(at.auth, a.id, NULL), 0);
}

Test(mgmt_auth, audit_records_mutations_refusals_and_logins_without_secrets)
{
	struct mgmt_store_audit *rec = NULL;
	char token[MGMT_TOKEN_LEN], uri[128];
	size_t n = 0, i;
	bool login = false, refused = false, logout = false;

	cr_assert_eq(at_login(NULL, NULL, 0, AT_ADMIN, "wrong-pass"), 401);
	cr_assert_eq(at_login(token, uri, sizeof(uri), AT_ADMIN, AT_ADMIN_PW),
		     201);
	cr_assert_eq(at_status("POST", ADD, "{}", NULL, NULL), 401);
	cr_assert_eq(at_status("DELETE", uri, NULL, "X-Auth-Token", token),
		     204);
	cr_assert_eq(at_status("GET", FABRICS, NULL, NULL, NULL), 401);
	cr_assert_eq(mgmt_store_audit_list(&rec, &n, at.mw.store, NULL), 0);
	cr_assert_eq(n, 4, "GETs are not recorded: %zu records", n);
	for (i = 0; i < n; i++) {
		const struct mgmt_store_audit *r = &rec[i];

		cr_assert_str_eq(r->peer, AT_PEER);
		cr_assert_null(strstr(r->uri, AT_ADMIN_PW));
		cr_assert_null(strstr(r->uri, token));
		if (r->status == 201 && !strcmp(r->user, AT_ADMIN))
			login = true;
		if (r->status == 401 && !strcmp(r->method, "POST") &&
		    !strcmp(r->user, "-") &&
		    !strcmp(r->message_id, "Base.1.22.1.NoValidSession"))
			refused = true;
		if (r->status == 204 && !strcmp(r->uri, uri) &&
		    !strcmp(r->user, AT_ADMIN))
			logout = true;
	}
	cr_assert_str_eq(rec[0].user, AT_ADMIN, "the claimed name of a login");
	cr_assert_eq(rec[0].status, 401);
	cr_assert(login && refused && logout);
	free(rec);
}

Test(mgmt_auth, audit_keeps_only_the_newest_records)
{
	struct mgmt_store_audit *rec = NULL;
	size_t n = 0;
	unsigned i;

	at.mw.cfg.audit_retention = 3;
	for (i = 0; i < 5; i++)
		at_status("POST", ADD, "{}", NULL, NULL);
	cr_assert_eq(mgmt_store_audit_list(&rec, &n, at.mw.store, NULL), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(rec[0].id, 3);
	cr_assert_eq(rec[2].id, 5);
	free(rec);
}
