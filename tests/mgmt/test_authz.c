/* SPDX-License-Identifier: MIT */
/*
 * test_authz.c - authorization over the whole service in one table: every
 * route of the default router (mgmt_router_count/mgmt_router_route), with
 * real ids for its {params}, x every method it serves x role
 * (Administrator, Operator, ReadOnly) x way of authenticating (none,
 * Basic right, Basic wrong password, session token right, token wrong,
 * token of an expired session, token of a logged-out session).
 *
 * The expected answer comes from this file's own copy of the Redfish role
 * -> privilege mapping and the privilege the route table names for the
 * method: exactly 401 without valid credentials, exactly 403 when the
 * role lacks the privilege, else any status below 500 other than 401 and
 * 403 (bodies are "{}": a handler may refuse them, but never as an
 * authorization failure).  {account} is the caller's own account and
 * {session} the caller's own session (a fresh one for DELETE), so that
 * ConfigureSelf and own-session rules apply as the table says.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/mgmt/auth_test.h"

enum role { ADMIN, OPERATOR, READONLY, NROLES };

enum way {
	WAY_NONE,
	WAY_BASIC,
	WAY_BASIC_BAD,
	WAY_TOKEN,
	WAY_TOKEN_BAD,
	WAY_TOKEN_EXPIRED,
	WAY_TOKEN_DELETED,
	NWAYS
};

static const char *const way_names[NWAYS] = {
	"no credentials",      "Basic",	      "Basic wrong password",
	"session token",       "wrong token", "expired session token",
	"ended session token",
};

/* DSP0266 "Roles": the predefined roles' privileges, written out here
 * independently of mgmt/auth.c. */
#define P(x) (1u << (x))
static const struct {
	const char *user;
	const char *password;
	uint32_t privs;
} roles[NROLES] = {
	[ADMIN] = { AT_ADMIN, AT_ADMIN_PW,
		    P(MGMT_PRIV_LOGIN) | P(MGMT_PRIV_CONFIGURE_COMPONENTS) |
			    P(MGMT_PRIV_CONFIGURE_MANAGER) |
			    P(MGMT_PRIV_CONFIGURE_USERS) |
			    P(MGMT_PRIV_CONFIGURE_SELF) },
	[OPERATOR] = { "operator", "operator-Passw0rd",
		       P(MGMT_PRIV_LOGIN) | P(MGMT_PRIV_CONFIGURE_COMPONENTS) |
			       P(MGMT_PRIV_CONFIGURE_SELF) },
	[READONLY] = { "readonly", "readonly-Passw0rd",
		       P(MGMT_PRIV_LOGIN) | P(MGMT_PRIV_CONFIGURE_SELF) },
};

/* Real ids of the small chassis for every {param} a route has. */
static const struct mgmt_kv params[] = {
	{ "chassis", "Enclosure" },
	{ "device", "0-2" },
	{ "function", "1" },
	{ "switch", "0" },
	{ "port", "2" },
	{ "endpoint", "F-0-2-1" },
	{ "zone", "Zone-0" },
	{ "system", "Blade-0" },
	{ "registry", "Base.1.22" },
	{ "task", "1" },
	{ "manager", "FabricManager" },
	{ "role", "ReadOnly" },
	{ "log", "Audit" },
	{ "entry", "1" },
	{ "file", "app.js" }, /* /ui/{file}: the web console (NoAuth) */
};

struct caller {
	uint64_t account;
	char token[MGMT_TOKEN_LEN];
	char session[16]; /* id of the token's session */
	char expired[MGMT_TOKEN_LEN];
	char ended[MGMT_TOKEN_LEN];
	char basic[256];
	char basic_bad[256];
};

static struct caller callers[NROLES];

static void session_id(char *out, size_t len, const char *uri)
{
	const char *slash = strrchr(uri, '/');

	cr_assert_not_null(slash, "%s", uri);
	snprintf(out, len, "%s", slash + 1);
}

static void callers_make(void)
{
	uint64_t timeout = at.mw.cfg.session_timeout_s * AT_NS_PER_S;
	struct mgmt_store_account a;
	char uri[128];
	unsigned r;

	/* wrong passwords by the hundred must not lock anyone out here */
	at.mw.cfg.login_failures = 1000000;
	for (r = OPERATOR; r < NROLES; r++)
		at_account(roles[r].user, roles[r].password,
			   r == OPERATOR ? MGMT_ROLE_OPERATOR
					 : MGMT_ROLE_READONLY);
	for (r = 0; r < NROLES; r++) {
		struct caller *c = &callers[r];

		cr_assert_eq(mgmt_store_account_find(&a, at.mw.store,
						     roles[r].user, NULL),
			     0);
		c->account = a.id;
		at_basic(c->basic, sizeof(c->basic), roles[r].user,
			 roles[r].password);
		at_basic(c->basic_bad, sizeof(c->basic_bad), roles[r].user,
			 "wrong-Passw0rd");
		cr_assert_eq(at_login(c->expired, NULL, 0, roles[r].user,
				      roles[r].password),
			     201);
		cr_assert_eq(at_login(c->ended, uri, sizeof(uri), roles[r].user,
				      roles[r].password),
			     201);
		cr_assert_eq(at_status("DELETE", uri, NULL, "X-Auth-Token",
				       c->ended),
			     204);
	}
	at_now += timeout + 1; /* the "expired" sessions expire */
	for (r = 0; r < NROLES; r++) {
		cr_assert_eq(at_login(callers[r].token, uri, sizeof(uri),
				      roles[r].user, roles[r].password),
			     201);
		session_id(callers[r].session, sizeof(callers[r].session), uri);
	}
}

/*
 * @pattern with every {param} replaced by its real id; {account} and
 * {session} by the caller's (for DELETE of a session a fresh one).
 */
static void substitute(char *out, size_t len, const char *pattern, enum role r,
		       enum mgmt_method m)
{
	const char *p = pattern;
	size_t n = 0, i;

	while (*p) {
		const char *end, *val = NULL;
		char name[32], own[32];

		if (*p != '{') {
			cr_assert_lt(n + 1, len);
			out[n++] = *p++;
			continue;
		}
		end = strchr(p, '}');
		cr_assert_not_null(end);
		snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
		for (i = 0; i < FM_ARRAY_SIZE(params) && !val; i++)
			if (strcmp(params[i].name, name) == 0)
				val = params[i].value;
		if (strcmp(name, "account") == 0) {
			snprintf(own, sizeof(own), "%llu",
				 (unsigned long long)callers[r].account);
			val = own;
		} else if (strcmp(name, "session") == 0 && m == MGMT_DELETE) {
			char uri[128];

			cr_assert_eq(at_login(NULL, uri, sizeof(uri),
					      roles[r].user, roles[r].password),
				     201);
			session_id(own, sizeof(own), uri);
			val = own;
		} else if (strcmp(name, "session") == 0) {
			val = callers[r].session;
		}
		cr_assert_not_null(val,
				   "no id for {%s} of %s: add it to "
				   "params[]",
				   name, pattern);
		n += (size_t)snprintf(out + n, len - n, "%s", val);
		cr_assert_lt(n, len);
		p = end + 1;
	}
	out[n] = '\0';
}

static void credentials(const char **name, const char **value,
			const char *bad_token, enum role r, enum way w)
{
	const struct caller *c = &callers[r];

	*name = NULL;
	*value = NULL;
	switch (w) {
	case WAY_NONE:
		break;
	case WAY_BASIC:
		*name = "Authorization";
		*value = c->basic;
		break;
	case WAY_BASIC_BAD:
		*name = "Authorization";
		*value = c->basic_bad;
		break;
	case WAY_TOKEN:
		*name = "X-Auth-Token";
		*value = c->token;
		break;
	case WAY_TOKEN_BAD:
		*name = "X-Auth-Token";
		*value = bad_token;
		break;
	case WAY_TOKEN_EXPIRED:
		*name = "X-Auth-Token";
		*value = c->expired;
		break;
	case WAY_TOKEN_DELETED:
		*name = "X-Auth-Token";
		*value = c->ended;
		break;
	case NWAYS:
		break;
	}
}

static bool way_valid(enum way w)
{
	return w == WAY_BASIC || w == WAY_TOKEN;
}

TestSuite(mgmt_authz, .init = at_setup_full, .fini = at_teardown,
	  .timeout = 120);

Test(mgmt_authz, every_route_method_role_and_credential_gets_its_status)
{
	static const char bad_token[] = "00000000000000000000000000000000"
					"00000000000000000000000000000000";
	const struct mgmt_router *router = at.mw.router;
	size_t i, cases = 0, wrong = 0;
	char report[4096] = "";
	size_t rn = 0;

	callers_make();
	for (i = 0; i < mgmt_router_count(router); i++) {
		const struct mgmt_route *route = mgmt_router_route(router, i);
		unsigned m;

		for (m = 0; m < MGMT_METHOD_COUNT; m++) {
			enum mgmt_priv need = route->op[m].priv;
			unsigned r, w;

			if (!route->op[m].fn)
				continue;
			for (r = 0; r < NROLES; r++) {
				for (w = 0; w < NWAYS; w++) {
					const char *method = mgmt_method_name(
						(enum mgmt_method)m);
					const char *hn, *hv;
					char path[256];
					unsigned st, want = 0;
					bool ok;

					substitute(path, sizeof(path),
						   route->path, (enum role)r,
						   (enum mgmt_method)m);
					credentials(&hn, &hv, bad_token,
						    (enum role)r, (enum way)w);
					st = at_status(
						method, path,
						m == MGMT_GET ||
								m == MGMT_DELETE
							? NULL
							: "{}",
						hn, hv);
					if (need != MGMT_PRIV_NONE &&
					    !way_valid((enum way)w))
						want = 401;
					else if (need != MGMT_PRIV_NONE &&
						 !(roles[r].privs & P(need)))
						want = 403;
					ok = want ? st == want
						  : st < 500 && st != 401 &&
							     st != 403;
					cases++;
					if (ok)
						continue;
					wrong++;
					if (rn < sizeof(report) - 200)
						rn += (size_t)snprintf(
							report + rn,
							sizeof(report) - rn,
							"\n  %s %s as %s with "
							"%s (%s): %u, want "
							"%s",
							method, path,
							roles[r].user,
							way_names[w],
							mgmt_priv_name(need),
							st,
							want == 401 ? "401"
							: want	    ? "403"
							       : "< 500, not "
								 "401/403");
				}
			}
		}
	}
	cr_assert_eq(wrong, 0, "%zu of %zu cases wrong:%s", wrong, cases,
		     report);
	/* every route x method x 3 roles x 7 ways, at least the core ones */
	cr_assert_geq(cases, 40 * NROLES * NWAYS, "only %zu cases", cases);
}
