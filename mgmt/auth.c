/* SPDX-License-Identifier: MIT */
/*
 * auth.c - accounts, roles, password hashing, sessions, HTTP Basic and
 * X-Auth-Token authentication, failed-login throttling and the audit
 * hook of mrfabricd.  See auth.h for the contract and the rules on
 * secrets.
 */
#include "mgmt/auth.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "fabric/pcie.h"

#define AUTH_SALT_BYTES 16
#define AUTH_TOKEN_BYTES 32 /* 256 bits */
#define AUTH_THROTTLE_SLOTS 1024
#define AUTH_BASIC_SLOTS 64
#define AUTH_HEADER_MAX 1024
#define AUTH_NS_PER_S 1000000000ull
#define AUTH_SESSIONS_URI "/redfish/v1/SessionService/Sessions"

/* The Redfish predefined roles (DSP0266 "Roles"). */
static const struct {
	const char *name;
	uint32_t privs;
} auth_roles[MGMT_ROLE_COUNT] = {
	[MGMT_ROLE_ADMINISTRATOR] = { "Administrator", MGMT_PRIV_ALL },
	[MGMT_ROLE_OPERATOR] = { "Operator",
				 MGMT_PRIV_BIT(MGMT_PRIV_LOGIN) |
					 MGMT_PRIV_BIT(
						 MGMT_PRIV_CONFIGURE_COMPONENTS) |
					 MGMT_PRIV_BIT(
						 MGMT_PRIV_CONFIGURE_SELF) },
	[MGMT_ROLE_READONLY] = { "ReadOnly",
				 MGMT_PRIV_BIT(MGMT_PRIV_LOGIN) |
					 MGMT_PRIV_BIT(
						 MGMT_PRIV_CONFIGURE_SELF) },
};

/* Failed logins of one account name or one client address. */
struct auth_throttle {
	char key[MGMT_USER_MAX + 2]; /* "u:name" or "a:address"; "" free */
	uint32_t failures;	     /* in the current window */
	uint64_t window_start;
	uint64_t until;	     /* logins refused before this time */
	uint64_t lockout_ns; /* the next lockout's length; 0: the first */
	uint64_t last;	     /* last touched, for eviction */
};

/* A verified Authorization header (see auth.h). */
struct auth_basic {
	uint8_t key[32]; /* SHA-256 of the header value */
	uint64_t expires;
	uint64_t account;
	char user[MGMT_USER_MAX];
	uint32_t privs;
	bool used;
};

struct mgmt_auth {
	struct mgmt_loop *loop;
	struct mgmt_store *store;
	const struct mgmt_config *cfg;
	struct mgmt_auth_opts opts;
	struct mgmt_session *sessions; /* live ones, id order */
	size_t nsessions;
	uint64_t next_session;
	struct auth_throttle throttle[AUTH_THROTTLE_SLOTS];
	struct auth_basic basic[AUTH_BASIC_SLOTS];
	char dummy_hash[MGMT_STORE_HASH_MAX]; /* auth_dummy_verify() */
};

const char *mgmt_role_name(enum mgmt_role role)
{
	if ((unsigned)role >= MGMT_ROLE_COUNT)
		return NULL;
	return auth_roles[role].name;
}

int mgmt_role_parse(enum mgmt_role *out, const char *name)
{
	unsigned i;

	for (i = 0; name && i < MGMT_ROLE_COUNT; i++) {
		if (strcmp(name, auth_roles[i].name) == 0) {
			*out = (enum mgmt_role)i;
			return 0;
		}
	}
	return -FM_EINVAL;
}

uint32_t mgmt_role_privs(enum mgmt_role role)
{
	if ((unsigned)role >= MGMT_ROLE_COUNT)
		return 0;
	return auth_roles[role].privs;
}

int mgmt_password_check(const char *password, struct fm_err *err)
{
	size_t len = password ? strlen(password) : 0, i;

	if (len < MGMT_PASSWORD_MIN || len > MGMT_PASSWORD_MAX)
		return fm_err_set(err, FM_EINVAL,
				  "password: %zu characters, the policy is %d "
				  "to %d",
				  len, MGMT_PASSWORD_MIN, MGMT_PASSWORD_MAX);
	for (i = 0; i < len; i++)
		if (iscntrl((unsigned char)password[i]))
			return fm_err_set(err, FM_EINVAL,
					  "password: control characters are "
					  "not allowed");
	return 0;
}

int mgmt_user_name_check(const char *name, struct fm_err *err)
{
	size_t len = name ? strlen(name) : 0, i;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
		    name[i] != '_' && name[i] != '-')
			break;
	if (len == 0 || len >= MGMT_USER_MAX || i < len)
		return fm_err_set(err, FM_EINVAL,
				  "user name: 1 to %d of A-Z a-z 0-9 . _ -",
				  MGMT_USER_MAX - 1);
	return 0;
}

/* ---------------------------------------------------------------------
 * Time, randomness, hashing
 */
static uint64_t auth_now(const struct mgmt_auth *a)
{
	struct timespec ts;

	if (a->opts.now)
		return a->opts.now(a->opts.now_ctx);
	if (a->loop)
		return mgmt_loop_now(a->loop);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * AUTH_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static int64_t auth_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* @len bytes from getrandom(2), which never returns short for <= 256. */
static int auth_random(void *buf, size_t len, struct fm_err *err)
{
	ssize_t n;

	do
		n = getrandom(buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len)
		return fm_err_sys(err, FM_EIO, errno, "auth: getrandom failed");
	return 0;
}

static void auth_sha256(uint8_t out[32], const void *data, size_t len)
{
	int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out);

	/* SHA-256 is always available in GnuTLS: a failure is a bug */
	if (rc < 0)
		memset(out, 0, 32);
}

/* Constant-time equality of two NUL-terminated secrets' bytes. */
static bool auth_secret_eq(const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y);

	if (lx != ly)
		return false;
	return gnutls_memcmp(x, y, lx) == 0;
}

/* crypt(3) hash of @password with a fresh yescrypt salt. */
static int auth_hash(char out[MGMT_STORE_HASH_MAX], const struct mgmt_auth *a,
		     const char *password, struct fm_err *err)
{
	char rbytes[AUTH_SALT_BYTES];
	struct crypt_data *cd = NULL;
	char *salt = NULL;
	const char *h;
	int ret;

	ret = auth_random(rbytes, sizeof(rbytes), err);
	if (ret < 0)
		return ret;
	salt = crypt_gensalt_ra("$y$", a->opts.hash_cost, rbytes,
				(int)sizeof(rbytes));
	cd = calloc(1, sizeof(*cd));
	if (!salt || !cd) {
		ret = fm_err_set(err, FM_ENOMEM, "auth: cannot make a salt");
		goto out;
	}
	h = crypt_r(password, salt, cd);
	if (!h || h[0] != '$' || strlen(h) >= MGMT_STORE_HASH_MAX) {
		ret = fm_err_set(err, FM_EIO, "auth: crypt_r failed");
		goto out;
	}
	snprintf(out, MGMT_STORE_HASH_MAX, "%s", h);
out:
	explicit_bzero(rbytes, sizeof(rbytes));
	if (cd)
		explicit_bzero(cd, sizeof(*cd));
	free(cd);
	free(salt);
	return ret;
}

/* Does @password hash to @hash?  Constant-time compare of the result. */
static bool auth_hash_verify(const char *hash, const char *password)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;
	bool ok = false;

	if (!cd)
		return false;
	h = crypt_r(password, hash, cd);
	if (h && h[0] == '$')
		ok = auth_secret_eq(h, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/* ---------------------------------------------------------------------
 * Throttling
 */
static struct auth_throttle *auth_throttle_find(struct mgmt_auth *a,
						const char *key, bool create,
						uint64_t now)
{
	struct auth_throttle *t, *victim = &a->throttle[0];
	size_t i;

	for (i = 0; i < AUTH_THROTTLE_SLOTS; i++) {
		t = &a->throttle[i];
		if (t->key[0] && strcmp(t->key, key) == 0)
			return t;
		if (!t->key[0] || (victim->key[0] && t->last < victim->last))
			victim = t;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	victim->window_start = now;
	victim->last = now;
	return victim;
}

static void auth_throttle_key(char *out, size_t len, char kind,
			      const char *name)
{
	snprintf(out, len, "%c:%s", kind, name ? name : "-");
}

static bool auth_throttled(const struct mgmt_auth *a, char kind,
			   const char *name, uint64_t now)
{
	char key[MGMT_USER_MAX + 2];
	size_t i;

	auth_throttle_key(key, sizeof(key), kind, name);
	for (i = 0; i < AUTH_THROTTLE_SLOTS; i++)
		if (strcmp(a->throttle[i].key, key) == 0)
			return now < a->throttle[i].until;
	return false;
}

/* One more failure of @name (kind 'u') or address (kind 'a'). */
static void auth_throttle_fail(struct mgmt_auth *a, char kind, const char *name,
			       uint32_t allowed, uint64_t now)
{
	uint64_t window = (uint64_t)a->cfg->login_window_s * AUTH_NS_PER_S;
	uint64_t max = (uint64_t)MGMT_AUTH_LOCKOUT_MAX_S * AUTH_NS_PER_S;
	char key[MGMT_USER_MAX + 2];
	struct auth_throttle *t;

	auth_throttle_key(key, sizeof(key), kind, name);
	t = auth_throttle_find(a, key, true, now);
	t->last = now;
	if (now - t->window_start > window) {
		t->window_start = now;
		t->failures = 0;
	}
	if (++t->failures < allowed)
		return;
	if (!t->lockout_ns)
		t->lockout_ns =
			(uint64_t)a->cfg->login_lockout_s * AUTH_NS_PER_S;
	t->until = now + t->lockout_ns;
	t->lockout_ns = t->lockout_ns * 2 > max ? max : t->lockout_ns * 2;
	t->failures = 0;
	t->window_start = now;
	FM_LOG(FM_LOG_WARN,
	       "auth: %s %s: %u failed logins, logins refused for %llu s",
	       kind == 'u' ? "account" : "address", name, allowed,
	       (unsigned long long)((t->until - now) / AUTH_NS_PER_S));
}

static void auth_throttle_clear(struct mgmt_auth *a, char kind,
				const char *name)
{
	char key[MGMT_USER_MAX + 2];
	struct auth_throttle *t;

	auth_throttle_key(key, sizeof(key), kind, name);
	t = auth_throttle_find(a, key, false, 0);
	if (t)
		memset(t, 0, sizeof(*t));
}

bool mgmt_auth_account_throttled(const struct mgmt_auth *a, const char *name)
{
	return auth_throttled(a, 'u', name, auth_now(a));
}

/* ---------------------------------------------------------------------
 * Life cycle and accounts
 */
int mgmt_auth_new(struct mgmt_auth **out, struct mgmt_loop *loop,
		  struct mgmt_store *store, const struct mgmt_config *cfg,
		  const struct mgmt_auth_opts *opts, struct fm_err *err)
{
	struct mgmt_auth *a;

	a = calloc(1, sizeof(*a));
	if (!a)
		return fm_err_set(err, FM_ENOMEM, "auth: out of memory");
	a->loop = loop;
	a->store = store;
	a->cfg = cfg;
	if (opts)
		a->opts = *opts;
	a->next_session = 1;
	*out = a;
	return 0;
}

/*
 * Spend the time of one password check on a hash of a random password,
 * made on first use: unknown users cost one crypt_r() too, so timing
 * does not tell which accounts exist.
 */
static void auth_dummy_verify(struct mgmt_auth *a, const char *password)
{
	uint8_t pw[24];
	char text[2 * sizeof(pw) + 1];
	size_t i;

	if (!a->dummy_hash[0] && auth_random(pw, sizeof(pw), NULL) == 0) {
		for (i = 0; i < sizeof(pw); i++)
			snprintf(text + 2 * i, 3, "%02x", pw[i]);
		auth_hash(a->dummy_hash, a, text, NULL);
		explicit_bzero(pw, sizeof(pw));
		explicit_bzero(text, sizeof(text));
	}
	if (a->dummy_hash[0])
		auth_hash_verify(a->dummy_hash, password);
}

void mgmt_auth_free(struct mgmt_auth *a)
{
	if (!a)
		return;
	explicit_bzero(a->basic, sizeof(a->basic));
	free(a->sessions);
	free(a);
}

struct mgmt_store *mgmt_auth_store(const struct mgmt_auth *a)
{
	return a->store;
}

const struct mgmt_config *mgmt_auth_config(const struct mgmt_auth *a)
{
	return a->cfg;
}

/* Any account change: forget every verified Basic header. */
static void auth_accounts_changed(struct mgmt_auth *a)
{
	explicit_bzero(a->basic, sizeof(a->basic));
}

/* Remove session slot @i. */
static void auth_session_remove(struct mgmt_auth *a, size_t i)
{
	explicit_bzero(&a->sessions[i], sizeof(a->sessions[i]));
	memmove(&a->sessions[i], &a->sessions[i + 1],
		(a->nsessions - i - 1) * sizeof(a->sessions[0]));
	a->nsessions--;
}

/* End the sessions of @account; with @privs != 0 update them instead. */
static void auth_sessions_of(struct mgmt_auth *a, uint64_t account, bool end,
			     uint32_t privs)
{
	size_t i = 0;

	while (i < a->nsessions) {
		if (a->sessions[i].account != account) {
			i++;
		} else if (end) {
			auth_session_remove(a, i);
		} else {
			a->sessions[i].privs = privs;
			i++;
		}
	}
}

int mgmt_auth_account_add(uint64_t *id, struct mgmt_auth *a, const char *name,
			  const char *password, enum mgmt_role role,
			  bool enabled, struct fm_err *err)
{
	struct mgmt_store_account acct = { 0 };
	int ret;

	ret = mgmt_user_name_check(name, err);
	if (ret == 0)
		ret = mgmt_password_check(password, err);
	if (ret == 0 && (unsigned)role >= MGMT_ROLE_COUNT)
		ret = fm_err_set(err, FM_EINVAL, "role %d out of range",
				 (int)role);
	if (ret < 0)
		return ret;
	snprintf(acct.name, sizeof(acct.name), "%s", name);
	acct.role = (unsigned)role;
	acct.enabled = enabled;
	ret = auth_hash(acct.hash, a, password, err);
	if (ret == 0)
		ret = mgmt_store_account_add(id, a->store, &acct, err);
	explicit_bzero(acct.hash, sizeof(acct.hash));
	if (ret == 0) {
		auth_accounts_changed(a);
		FM_LOG(FM_LOG_INFO, "auth: account %s created, role %s", name,
		       mgmt_role_name(role));
	}
	return ret;
}

int mgmt_auth_account_update(struct mgmt_auth *a, uint64_t id,
			     uint64_t generation, const char *password,
			     enum mgmt_role role, bool enabled, bool locked,
			     struct fm_err *err)
{
	struct mgmt_store_account acct;
	size_t admins = 0;
	int ret;

	if ((unsigned)role >= MGMT_ROLE_COUNT)
		return fm_err_set(err, FM_EINVAL, "role %d out of range",
				  (int)role);
	if (password) {
		ret = mgmt_password_check(password, err);
		if (ret < 0)
			return ret;
	}
	ret = mgmt_store_account_get(&acct, a->store, id, err);
	if (ret < 0)
		return ret;
	if (generation && generation != acct.generation)
		return fm_err_set(err, FM_ESTATE,
				  "account %s changed meanwhile", acct.name);
	if (acct.role == MGMT_ROLE_ADMINISTRATOR && acct.enabled &&
	    !acct.locked &&
	    (role != MGMT_ROLE_ADMINISTRATOR || !enabled || locked)) {
		ret = mgmt_store_account_admins(&admins, a->store, id, err);
		if (ret < 0)
			return ret;
		if (admins == 0)
			return fm_err_set(err, FM_ESTATE,
					  "account %s is the last enabled "
					  "Administrator",
					  acct.name);
	}
	if (password) {
		ret = auth_hash(acct.hash, a, password, err);
		if (ret < 0)
			return ret;
	}
	acct.role = (unsigned)role;
	acct.enabled = enabled;
	acct.locked = locked;
	ret = mgmt_store_account_update(NULL, a->store, &acct, err);
	explicit_bzero(acct.hash, sizeof(acct.hash));
	if (ret < 0)
		return ret;
	auth_accounts_changed(a);
	if (!enabled || locked)
		auth_sessions_of(a, id, true, 0);
	else
		auth_sessions_of(a, id, false, mgmt_role_privs(role));
	if (!locked)
		auth_throttle_clear(a, 'u', acct.name);
	FM_LOG(FM_LOG_INFO, "auth: account %s changed: role %s, %s, %s%s",
	       acct.name, mgmt_role_name(role),
	       enabled ? "enabled" : "disabled", locked ? "locked" : "unlocked",
	       password ? ", new password" : "");
	return 0;
}

int mgmt_auth_account_delete(struct mgmt_auth *a, uint64_t id,
			     struct fm_err *err)
{
	int ret = mgmt_store_account_delete(a->store, id, true, err);

	if (ret < 0)
		return ret;
	auth_accounts_changed(a);
	auth_sessions_of(a, id, true, 0);
	FM_LOG(FM_LOG_INFO, "auth: account %llu deleted",
	       (unsigned long long)id);
	return 0;
}

/* The first line of @path, without its newline. */
static int auth_read_password(char *out, size_t len, const char *path,
			      struct fm_err *err)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return fm_err_sys(err, FM_EIO, errno, "admin password file %s",
				  path);
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	if (ferror(f))
		ret = fm_err_set(err, FM_EIO,
				 "admin password file %s: read error", path);
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return ret;
}

/* A random password: base64url characters from getrandom(2). */
static int auth_password_generate(char *out, size_t n, struct fm_err *err)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t r[MGMT_GENERATED_PASSWORD_LEN];
	size_t i;
	int ret;

	ret = auth_random(r, n, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++)
		out[i] = alphabet[r[i] & 63];
	out[n] = '\0';
	explicit_bzero(r, sizeof(r));
	return 0;
}

int mgmt_auth_bootstrap(bool *created, struct mgmt_auth *a, const char *user,
			const char *password_file, FILE *out,
			struct fm_err *err)
{
	char pw[MGMT_PASSWORD_MAX + 2] = "";
	struct fm_err perr = { 0 };
	bool generated = !password_file || !password_file[0];
	uint64_t id;
	size_t n = 0;
	int ret;

	*created = false;
	ret = mgmt_store_account_count(&n, a->store, err);
	if (ret < 0 || n > 0)
		return ret;
	ret = mgmt_user_name_check(user, err);
	if (ret < 0)
		return ret;
	if (generated)
		ret = auth_password_generate(pw, MGMT_GENERATED_PASSWORD_LEN,
					     err);
	else
		ret = auth_read_password(pw, sizeof(pw), password_file, err);
	if (ret == 0 && !generated && mgmt_password_check(pw, &perr) < 0)
		ret = fm_err_set(err, FM_EINVAL, "admin password file %s: %s",
				 password_file, perr.msg);
	if (ret == 0)
		ret = mgmt_auth_account_add(&id, a, user, pw,
					    MGMT_ROLE_ADMINISTRATOR, true, err);
	if (ret == 0 && generated && out) {
		/* the one place the generated password ever appears */
		fprintf(out,
			"mrfabricd: first start: Administrator account "
			"\"%s\", password %s\n",
			user, pw);
		fflush(out);
	}
	explicit_bzero(pw, sizeof(pw));
	if (ret == 0)
		*created = true;
	return ret;
}

/* ---------------------------------------------------------------------
 * Credentials
 */

/*
 * Check @user/@password as a login from @peer: throttling first (a
 * throttled login is refused without looking at the password), then the
 * hash (also for unknown users), then enabled and locked.  0 with
 * *acct, or -FM_EPERM.
 */
static int auth_verify(struct mgmt_store_account *acct, struct mgmt_auth *a,
		       const char *user, const char *password, const char *peer,
		       struct fm_err *err)
{
	uint64_t now = auth_now(a);
	bool named = mgmt_user_name_check(user, NULL) == 0;
	const char *who = named ? user : "(invalid name)";
	const char *from = peer ? peer : "-";
	uint32_t allowed = a->cfg->login_failures;
	bool ok;

	if (auth_throttled(a, 'u', who, now) ||
	    auth_throttled(a, 'a', from, now)) {
		FM_LOG(FM_LOG_INFO,
		       "auth: login of %s from %s refused: throttled", who,
		       from);
		return fm_err_set(err, FM_EPERM, "authentication failed");
	}
	if (!named || mgmt_store_account_find(acct, a->store, user, NULL) < 0) {
		auth_dummy_verify(a, password ? password : "");
		ok = false;
	} else {
		ok = auth_hash_verify(acct->hash, password ? password : "") &&
		     acct->enabled && !acct->locked &&
		     acct->role < MGMT_ROLE_COUNT;
	}
	if (!ok) {
		auth_throttle_fail(a, 'u', who, allowed, now);
		auth_throttle_fail(a, 'a', from, 2 * allowed, now);
		FM_LOG(FM_LOG_INFO, "auth: failed login of %s from %s", who,
		       from);
		return fm_err_set(err, FM_EPERM, "authentication failed");
	}
	auth_throttle_clear(a, 'u', user);
	return 0;
}

static void auth_hex(char *out, const uint8_t *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

int mgmt_auth_login(struct mgmt_session *out, char *token, struct mgmt_auth *a,
		    const char *user, const char *password, const char *peer,
		    struct fm_err *err)
{
	struct mgmt_store_account acct;
	uint8_t raw[AUTH_TOKEN_BYTES];
	struct mgmt_session *s, *grown;
	int ret;

	ret = auth_verify(&acct, a, user, password, peer, err);
	explicit_bzero(acct.hash, sizeof(acct.hash));
	if (ret < 0)
		return ret;
	mgmt_auth_session_count(a); /* ends expired sessions */
	if (a->nsessions >= MGMT_SESSIONS_MAX)
		return fm_err_set(err, FM_ENOSPC,
				  "sessions: %d open, end some first",
				  MGMT_SESSIONS_MAX);
	ret = auth_random(raw, sizeof(raw), err);
	if (ret < 0)
		return ret;
	grown = realloc(a->sessions, (a->nsessions + 1) * sizeof(*grown));
	if (!grown) {
		explicit_bzero(raw, sizeof(raw));
		return fm_err_set(err, FM_ENOMEM, "sessions: out of memory");
	}
	a->sessions = grown;
	s = &a->sessions[a->nsessions++];
	memset(s, 0, sizeof(*s));
	s->id = a->next_session++;
	snprintf(s->user, sizeof(s->user), "%s", acct.name);
	s->account = acct.id;
	snprintf(s->peer, sizeof(s->peer), "%s", peer ? peer : "");
	s->created_ms = auth_wall_ms();
	s->last_ns = auth_now(a);
	s->privs = mgmt_role_privs((enum mgmt_role)acct.role);
	auth_hex(token, raw, sizeof(raw));
	auth_sha256(s->token_hash, token, strlen(token));
	explicit_bzero(raw, sizeof(raw));
	*out = *s;
	FM_LOG(FM_LOG_INFO, "auth: session %llu of %s from %s opened",
	       (unsigned long long)s->id, s->user, s->peer);
	return 0;
}

static bool auth_session_expired(const struct mgmt_auth *a,
				 const struct mgmt_session *s, uint64_t now)
{
	return now - s->last_ns >
	       (uint64_t)a->cfg->session_timeout_s * AUTH_NS_PER_S;
}

static void auth_sessions_expire(struct mgmt_auth *a)
{
	uint64_t now = auth_now(a);
	size_t i = 0;

	while (i < a->nsessions) {
		if (auth_session_expired(a, &a->sessions[i], now)) {
			FM_LOG(FM_LOG_INFO, "auth: session %llu of %s expired",
			       (unsigned long long)a->sessions[i].id,
			       a->sessions[i].user);
			auth_session_remove(a, i);
		} else {
			i++;
		}
	}
}

const struct mgmt_session *mgmt_auth_session_find(struct mgmt_auth *a,
						  uint64_t id)
{
	size_t i;

	auth_sessions_expire(a);
	for (i = 0; i < a->nsessions; i++)
		if (a->sessions[i].id == id)
			return &a->sessions[i];
	return NULL;
}

size_t mgmt_auth_session_count(struct mgmt_auth *a)
{
	auth_sessions_expire(a);
	return a->nsessions;
}

const struct mgmt_session *mgmt_auth_session_at(const struct mgmt_auth *a,
						size_t i)
{
	return i < a->nsessions ? &a->sessions[i] : NULL;
}

int mgmt_auth_session_delete(struct mgmt_auth *a, uint64_t id,
			     struct fm_err *err)
{
	size_t i;

	auth_sessions_expire(a);
	for (i = 0; i < a->nsessions; i++) {
		if (a->sessions[i].id != id)
			continue;
		FM_LOG(FM_LOG_INFO, "auth: session %llu of %s closed",
		       (unsigned long long)id, a->sessions[i].user);
		auth_session_remove(a, i);
		return 0;
	}
	return fm_err_set(err, FM_ENOENT, "no session %llu",
			  (unsigned long long)id);
}

/* X-Auth-Token: the session whose token hashes to the same SHA-256. */
static int auth_token(struct mgmt_principal *who, struct mgmt_auth *a,
		      const char *token)
{
	uint8_t h[32];
	uint64_t now = auth_now(a);
	size_t i, found = SIZE_MAX;

	auth_sha256(h, token, strlen(token));
	for (i = 0; i < a->nsessions; i++)
		if (gnutls_memcmp(h, a->sessions[i].token_hash, sizeof(h)) == 0)
			found = i;
	if (found == SIZE_MAX)
		return -FM_EPERM;
	if (auth_session_expired(a, &a->sessions[found], now)) {
		FM_LOG(FM_LOG_INFO, "auth: session %llu of %s expired",
		       (unsigned long long)a->sessions[found].id,
		       a->sessions[found].user);
		auth_session_remove(a, found);
		return -FM_EPERM;
	}
	a->sessions[found].last_ns = now;
	snprintf(who->user, sizeof(who->user), "%s", a->sessions[found].user);
	who->privs = a->sessions[found].privs;
	return 0;
}

/* HTTP Basic (RFC 7617), through the cache of verified headers. */
static int auth_basic(struct mgmt_principal *who, struct mgmt_auth *a,
		      const char *header, const char *peer)
{
	gnutls_datum_t in, dec = { NULL, 0 };
	struct mgmt_store_account acct;
	struct auth_basic *slot = &a->basic[0];
	uint64_t now = auth_now(a);
	char *colon;
	uint8_t key[32];
	size_t i;
	int ret = -FM_EPERM;

	auth_sha256(key, header, strlen(header));
	for (i = 0; i < AUTH_BASIC_SLOTS; i++) {
		struct auth_basic *b = &a->basic[i];

		if (b->used && now < b->expires &&
		    gnutls_memcmp(b->key, key, sizeof(key)) == 0) {
			snprintf(who->user, sizeof(who->user), "%s", b->user);
			who->privs = b->privs;
			return 0;
		}
		if (!b->used || b->expires < slot->expires)
			slot = b;
	}
	in.data = (unsigned char *)(uintptr_t)(header + 6);
	in.size = (unsigned)strlen(header + 6);
	if (gnutls_base64_decode2(&in, &dec) < 0)
		return -FM_EPERM;
	/* "user:password", not NUL-terminated */
	colon = memchr(dec.data, ':', dec.size);
	if (!colon || dec.size > AUTH_HEADER_MAX ||
	    memchr(dec.data, '\0', dec.size))
		goto out;
	{
		char buf[AUTH_HEADER_MAX + 1];

		memcpy(buf, dec.data, dec.size);
		buf[dec.size] = '\0';
		buf[colon - (char *)dec.data] = '\0';
		ret = auth_verify(&acct, a, buf,
				  buf + (colon - (char *)dec.data) + 1, peer,
				  NULL);
		explicit_bzero(buf, sizeof(buf));
	}
	explicit_bzero(acct.hash, sizeof(acct.hash));
	if (ret < 0)
		goto out;
	snprintf(who->user, sizeof(who->user), "%s", acct.name);
	who->privs = mgmt_role_privs((enum mgmt_role)acct.role);
	memcpy(slot->key, key, sizeof(key));
	slot->expires = now + (uint64_t)MGMT_AUTH_BASIC_CACHE_S * AUTH_NS_PER_S;
	slot->account = acct.id;
	snprintf(slot->user, sizeof(slot->user), "%s", acct.name);
	slot->privs = who->privs;
	slot->used = true;
out:
	if (dec.data) {
		explicit_bzero(dec.data, dec.size);
		gnutls_free(dec.data);
	}
	return ret;
}

int mgmt_auth_hook(struct mgmt_principal *who, void *ctx,
		   const struct mgmt_req *req, struct mgmt_resp *resp,
		   struct fm_err *err)
{
	struct mgmt_auth *a = ctx;
	const char *token = mgmt_req_header(req, "X-Auth-Token");
	const char *basic = mgmt_req_header(req, "Authorization");
	int ret = -FM_EPERM;

	memset(who, 0, sizeof(*who));
	if (token && token[0])
		ret = auth_token(who, a, token);
	else if (basic && strlen(basic) <= AUTH_HEADER_MAX &&
		 strncasecmp(basic, "Basic ", 6) == 0)
		ret = auth_basic(who, a, basic, req->peer);
	if (ret == 0)
		return 0;
	memset(who, 0, sizeof(*who));
	mgmt_resp_header_set(resp, "WWW-Authenticate",
			     "Basic realm=\"mrfabricd\"");
	return fm_err_set(err, FM_EPERM, "authentication required");
}

/* ---------------------------------------------------------------------
 * Audit
 */

/* The first MessageId of an error body, "" when none. */
static const char *auth_message_id(const struct mgmt_resp *resp)
{
	struct json_object *e, *info, *m, *id;

	if (!resp->json ||
	    !json_object_object_get_ex(resp->json, "error", &e) ||
	    !json_object_object_get_ex(e, "@Message.ExtendedInfo", &info) ||
	    !json_object_is_type(info, json_type_array) ||
	    json_object_array_length(info) == 0)
		return "";
	m = json_object_array_get_idx(info, 0);
	if (!json_object_object_get_ex(m, "MessageId", &id))
		return "";
	return json_object_get_string(id);
}

/* The caller: the principal, else the claimed name of a login. */
static void auth_audit_user(char *out, size_t len, const struct mgmt_req *req)
{
	struct json_object *name;
	const char *uri = req->uri ? req->uri : "";

	if (req->who && req->who->user[0]) {
		snprintf(out, len, "%s", req->who->user);
		return;
	}
	snprintf(out, len, "-");
	if (strcmp(uri, AUTH_SESSIONS_URI) == 0 && req->json &&
	    json_object_object_get_ex(req->json, "UserName", &name) &&
	    json_object_is_type(name, json_type_string) &&
	    mgmt_user_name_check(json_object_get_string(name), NULL) == 0)
		snprintf(out, len, "%s", json_object_get_string(name));
}

void mgmt_auth_audit_hook(void *ctx, const struct mgmt_req *req,
			  const struct mgmt_resp *resp)
{
	struct mgmt_auth *a = ctx;
	struct mgmt_store_audit r;
	struct fm_err err = { 0 };
	const char *uri = req->uri ? req->uri : req->path;
	unsigned status = resp->status;

	if (!status)
		status = resp->json || resp->text ? 200 : 204;
	memset(&r, 0, sizeof(r));
	r.time_ms = auth_wall_ms();
	auth_audit_user(r.user, sizeof(r.user), req);
	snprintf(r.peer, sizeof(r.peer), "%s",
		 req->peer && req->peer[0] ? req->peer : "-");
	snprintf(r.method, sizeof(r.method), "%s",
		 req->method ? req->method : "-");
	snprintf(r.uri, sizeof(r.uri), "%s", uri ? uri : "-");
	r.status = status;
	snprintf(r.message_id, sizeof(r.message_id), "%s",
		 auth_message_id(resp));
	if (mgmt_store_audit_add(a->store, &r, 1, a->cfg->audit_retention,
				 &err) < 0)
		FM_LOG(FM_LOG_ERROR, "audit: %s %s by %s: not recorded: %s",
		       r.method, r.uri, r.user, err.msg);
}
