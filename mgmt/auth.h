/* SPDX-License-Identifier: MIT */
/*
 * auth.h - who may do what in mrfabricd (issue 5; DSP0266 "Security
 * details"): accounts with Redfish roles, password hashing, Redfish
 * sessions, HTTP Basic and X-Auth-Token authentication as the router's
 * authentication hook, failed-login throttling, and the audit log of
 * mutating requests.
 *
 * Roles and privileges (DSP0266 "Roles", Redfish privilege registry):
 *   Administrator  Login ConfigureComponents ConfigureManager
 *                  ConfigureUsers ConfigureSelf
 *   Operator       Login ConfigureComponents ConfigureSelf
 *   ReadOnly       Login ConfigureSelf
 * Authorization is the router's: each route method names the privilege
 * it needs (router_int.h); this module only says who the caller is and
 * what the caller holds.
 *
 * Secrets: passwords are kept only as crypt(3) yescrypt hashes ("$y$",
 * salt from crypt_gensalt_ra()) in the store; session tokens (256 bits
 * from getrandom(2), 64 hex digits) only as their SHA-256, compared in
 * constant time.  HTTP Basic is verified with crypt_r() (tens of ms by
 * design), so a verified Authorization header is remembered for a short
 * time (MGMT_AUTH_BASIC_CACHE_S) under the SHA-256 of the header value,
 * in memory only; every account change empties that cache.  No password,
 * token or request body is ever logged or recorded in the audit log.
 *
 * Throttling: an account (known or not, so that the answer does not tell
 * which exist) or a client address with cfg->login_failures failed
 * logins within cfg->login_window_s refuses every login, right password
 * or not, for cfg->login_lockout_s, doubling with each further failure
 * (at most MGMT_AUTH_LOCKOUT_MAX_S); a client address gets twice the
 * account's allowance.  A successful login clears the account's count;
 * an Administrator clears it by PATCHing the account's Locked to false.
 *
 * Threading: everything runs on the daemon's loop thread.
 */
#ifndef MRFABRIC_MGMT_AUTH_H
#define MRFABRIC_MGMT_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fabric/fm.h"
#include "mgmt/mgmt.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"

enum mgmt_role {
	MGMT_ROLE_ADMINISTRATOR = 0,
	MGMT_ROLE_OPERATOR,
	MGMT_ROLE_READONLY,
	MGMT_ROLE_COUNT
};

/* "Administrator", "Operator", "ReadOnly"; NULL out of range. */
const char *mgmt_role_name(enum mgmt_role role);
/* The role named @name (exact).  -FM_EINVAL. */
int mgmt_role_parse(enum mgmt_role *out, const char *name);
/* MGMT_PRIV_BIT()s of @role; 0 out of range. */
uint32_t mgmt_role_privs(enum mgmt_role role);

#define MGMT_PASSWORD_MIN 8
#define MGMT_PASSWORD_MAX 128
#define MGMT_TOKEN_LEN 65 /* 64 hex digits (256 bits) + NUL */
#define MGMT_SESSIONS_MAX 1024
#define MGMT_AUTH_BASIC_CACHE_S 60
#define MGMT_AUTH_LOCKOUT_MAX_S 3600
#define MGMT_GENERATED_PASSWORD_LEN 24 /* printed at first start */

/*
 * Check @password against the policy: MGMT_PASSWORD_MIN to
 * MGMT_PASSWORD_MAX bytes, no control characters.  -FM_EINVAL with the
 * reason (never the password) in @err.
 */
int mgmt_password_check(const char *password, struct fm_err *err);
/*
 * A user name is 1 to 63 of [A-Za-z0-9._-].  -FM_EINVAL naming it.
 */
int mgmt_user_name_check(const char *name, struct fm_err *err);

struct mgmt_auth;

/* A clock for tests: monotonic nanoseconds. */
typedef uint64_t mgmt_auth_now_fn(void *ctx);

struct mgmt_auth_opts {
	/* yescrypt cost for new hashes (crypt_gensalt_ra's count); 0: the
	 * library default.  Only tests lower it. */
	unsigned long hash_cost;
	/* the clock; NULL: mgmt_loop_now() of the loop (or CLOCK_MONOTONIC
	 * without a loop) */
	mgmt_auth_now_fn *now;
	void *now_ctx;
};

/*
 * An authentication module over @store (accounts, audit), with limits
 * and timeouts from @cfg, all borrowed and outliving it.  @loop (may be
 * NULL) gives the clock (mgmt_loop_now()).  @opts may be NULL.
 */
int mgmt_auth_new(struct mgmt_auth **out, struct mgmt_loop *loop,
		  struct mgmt_store *store, const struct mgmt_config *cfg,
		  const struct mgmt_auth_opts *opts, struct fm_err *err);
/* End every session and free @a (NULL is fine). */
void mgmt_auth_free(struct mgmt_auth *a);

/*
 * The first Administrator, only while there is no account at all:
 * named @user, with the first line of @password_file as password, or,
 * when @password_file is NULL or "", a random one of
 * MGMT_GENERATED_PASSWORD_LEN characters printed once on @out (the only
 * place it ever appears).  *created tells whether an account was made.
 * -FM_EIO when the file cannot be read, -FM_EINVAL for a password or
 * name that breaks the policy.
 */
int mgmt_auth_bootstrap(bool *created, struct mgmt_auth *a, const char *user,
			const char *password_file, FILE *out,
			struct fm_err *err);

/*
 * The router's authentication hook (mgmt_auth_fn; @ctx is the struct
 * mgmt_auth): X-Auth-Token when present, else HTTP Basic.  Missing,
 * wrong, expired or throttled credentials give -FM_EPERM with
 * WWW-Authenticate: Basic realm="mrfabricd" added to @resp.
 */
int mgmt_auth_hook(struct mgmt_principal *who, void *ctx,
		   const struct mgmt_req *req, struct mgmt_resp *resp,
		   struct fm_err *err);

/* --- accounts (the AccountService handlers) --- */

/*
 * Create an account.  -FM_EINVAL (name or password policy, message
 * saying which), -FM_EEXIST (name taken), -FM_ENOSPC.
 */
int mgmt_auth_account_add(uint64_t *id, struct mgmt_auth *a, const char *name,
			  const char *password, enum mgmt_role role,
			  bool enabled, struct fm_err *err);
/*
 * Change account @id (generation @generation, 0: any): NULL @password
 * keeps it; @role, @enabled, @locked are applied as given.  Disabling or
 * locking an account ends its sessions; a role change applies to its
 * sessions at once; unlocking clears its failed-login count.  Refuses
 * with -FM_ESTATE to leave no enabled Administrator.
 */
int mgmt_auth_account_update(struct mgmt_auth *a, uint64_t id,
			     uint64_t generation, const char *password,
			     enum mgmt_role role, bool enabled, bool locked,
			     struct fm_err *err);
/* Delete account @id and end its sessions; never the last enabled
 * Administrator (-FM_ESTATE).  -FM_ENOENT. */
int mgmt_auth_account_delete(struct mgmt_auth *a, uint64_t id,
			     struct fm_err *err);
/* Whether logins of @name are refused by throttling right now. */
bool mgmt_auth_account_throttled(const struct mgmt_auth *a, const char *name);
struct mgmt_store *mgmt_auth_store(const struct mgmt_auth *a);
const struct mgmt_config *mgmt_auth_config(const struct mgmt_auth *a);

/* --- sessions --- */

struct mgmt_session {
	uint64_t id; /* never reused while the daemon runs */
	char user[MGMT_USER_MAX];
	uint64_t account;
	char peer[64];		/* client address at login */
	int64_t created_ms;	/* wall clock, ms since the epoch */
	uint64_t last_ns;	/* last use, the auth clock */
	uint32_t privs;		/* of the account's role */
	uint8_t token_hash[32]; /* SHA-256 of the token */
};

/*
 * Log in (POST Sessions): check @user/@password (throttled as above) and
 * open a session from @peer.  *token (MGMT_TOKEN_LEN) gets the token,
 * shown once; *out the session.  -FM_EPERM for wrong, disabled, locked
 * or throttled credentials (one answer for all), -FM_ENOSPC when
 * MGMT_SESSIONS_MAX sessions are open.
 */
int mgmt_auth_login(struct mgmt_session *out, char *token, struct mgmt_auth *a,
		    const char *user, const char *password, const char *peer,
		    struct fm_err *err);
/* The live session @id (expired ones are ended first); NULL when none.
 * Borrowed until the next call on @a. */
const struct mgmt_session *mgmt_auth_session_find(struct mgmt_auth *a,
						  uint64_t id);
/* Live sessions, in id order; borrowed until the next call on @a. */
size_t mgmt_auth_session_count(struct mgmt_auth *a);
const struct mgmt_session *mgmt_auth_session_at(const struct mgmt_auth *a,
						size_t i);
/* End session @id (logout): its token stops working at once.
 * -FM_ENOENT. */
int mgmt_auth_session_delete(struct mgmt_auth *a, uint64_t id,
			     struct fm_err *err);

/* --- audit --- */

/*
 * The router's audit hook (mgmt_audit_fn; @ctx is the struct mgmt_auth):
 * records every POST, PATCH, PUT and DELETE, answered or refused, with
 * the caller (the claimed UserName of a login), the client address, the
 * method, the URI, the status and the first MessageId of an error body.
 * The record is written before the dispatcher commits the request's
 * changes, so with deferred durability (mgmt_store_defer()) it becomes
 * durable in the same commit as the change it describes.  A record that
 * cannot be written is logged (without secrets) and the answer stands.
 */
void mgmt_auth_audit_hook(void *ctx, const struct mgmt_req *req,
			  const struct mgmt_resp *resp);

#endif
