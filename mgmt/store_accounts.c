/* SPDX-License-Identifier: MIT */
/*
 * store_accounts.c - accounts and the audit log in the store (schema
 * version 2, see store.c's migrations and store.h).  Same rules as
 * store.c: every SQL text is a constant prepared once, values travel as
 * bound parameters, every call is one transaction that changes nothing
 * when it fails.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt/store.h"
#include "mgmt/store_int.h"

/* This file's slots of the extension statement cache. */
enum acct_stmt {
	ACCT_COUNT,
	ACCT_INSERT,
	ACCT_GET,
	ACCT_FIND,
	ACCT_UPDATE,
	ACCT_DELETE,
	ACCT_ADMINS,
	ACCT_LIST,
	AUDIT_INSERT,
	AUDIT_PRUNE,
	AUDIT_GET,
	AUDIT_LIST,
	ACCT_STMT_COUNT
};
_Static_assert(ACCT_STMT_COUNT <= MGMT_STORE_EXT_STMTS, "cache slots");

#define ACCT_COLUMNS "id, name, role, hash, enabled, locked, generation"
#define AUDIT_COLUMNS "id, time_ms, user, peer, method, uri, status, message_id"

static const char *const acct_sql[ACCT_STMT_COUNT] = {
	[ACCT_COUNT] = "SELECT count(*) FROM accounts",
	[ACCT_INSERT] = "INSERT INTO accounts(name, role, hash, enabled,"
			" locked, generation) VALUES(?1, ?2, ?3, ?4, ?5, 1)",
	[ACCT_GET] = "SELECT " ACCT_COLUMNS " FROM accounts WHERE id = ?1",
	[ACCT_FIND] = "SELECT " ACCT_COLUMNS " FROM accounts WHERE name = ?1",
	[ACCT_UPDATE] = "UPDATE accounts SET role = ?2, hash = ?3,"
			" enabled = ?4, locked = ?5,"
			" generation = generation + 1"
			" WHERE id = ?1 AND (?6 = 0 OR generation = ?6)"
			" RETURNING generation",
	[ACCT_DELETE] = "DELETE FROM accounts WHERE id = ?1",
	[ACCT_ADMINS] = "SELECT count(*) FROM accounts WHERE role = 0"
			" AND enabled = 1 AND locked = 0 AND id != ?1",
	[ACCT_LIST] = "SELECT " ACCT_COLUMNS " FROM accounts ORDER BY id",
	[AUDIT_INSERT] = "INSERT INTO audit(time_ms, user, peer, method, uri,"
			 " status, message_id)"
			 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[AUDIT_PRUNE] = "DELETE FROM audit WHERE id <="
			" (SELECT max(id) FROM audit) - ?1",
	[AUDIT_GET] = "SELECT " AUDIT_COLUMNS " FROM audit WHERE id = ?1",
	[AUDIT_LIST] = "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY id",
};

static sqlite3_stmt *acct_stmt(struct mgmt_store *st, enum acct_stmt id,
			       struct fm_err *err)
{
	return mgmt_store_ext_stmt(st, (unsigned)id, acct_sql[id], err);
}

/* Bound values are constants of the SQL texts and short strings. */
static void acct_bind_i64(sqlite3_stmt *s, int idx, int64_t v)
{
	int rc = sqlite3_bind_int64(s, idx, v);

	assert(rc == SQLITE_OK);
	(void)rc;
}

static void acct_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
	int rc = sqlite3_bind_text(s, idx, v, -1, SQLITE_STATIC);

	assert(rc == SQLITE_OK);
	(void)rc;
}

static void acct_text(char *out, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(out, len, "%s", t ? (const char *)t : "");
}

static void acct_row(struct mgmt_store_account *a, sqlite3_stmt *s)
{
	memset(a, 0, sizeof(*a));
	a->id = (uint64_t)sqlite3_column_int64(s, 0);
	acct_text(a->name, sizeof(a->name), s, 1);
	a->role = (unsigned)sqlite3_column_int(s, 2);
	acct_text(a->hash, sizeof(a->hash), s, 3);
	a->enabled = sqlite3_column_int(s, 4) != 0;
	a->locked = sqlite3_column_int(s, 5) != 0;
	a->generation = (uint64_t)sqlite3_column_int64(s, 6);
}

static void audit_row(struct mgmt_store_audit *r, sqlite3_stmt *s)
{
	memset(r, 0, sizeof(*r));
	r->id = (uint64_t)sqlite3_column_int64(s, 0);
	r->time_ms = sqlite3_column_int64(s, 1);
	acct_text(r->user, sizeof(r->user), s, 2);
	acct_text(r->peer, sizeof(r->peer), s, 3);
	acct_text(r->method, sizeof(r->method), s, 4);
	acct_text(r->uri, sizeof(r->uri), s, 5);
	r->status = (unsigned)sqlite3_column_int(s, 6);
	acct_text(r->message_id, sizeof(r->message_id), s, 7);
}

/* Statement @id with ?1 = @v1; NULL with @err filled on failure. */
static sqlite3_stmt *acct_stmt1(struct mgmt_store *st, enum acct_stmt id,
				int64_t v1, struct fm_err *err)
{
	sqlite3_stmt *s = acct_stmt(st, id, err);

	if (s)
		acct_bind_i64(s, 1, v1);
	return s;
}

/*
 * Step statement @s once: 1 for a row, 0 when done, else a negative code.
 * A NULL @s is one that could not be prepared (@err says why): -FM_EIO.
 */
static int acct_step(struct mgmt_store *st, sqlite3_stmt *s, const char *what,
		     struct fm_err *err)
{
	if (!s)
		return -FM_EIO;
	return mgmt_store_ext_step(st, s, what, err);
}

/*
 * Step @s once as acct_step() does, keeping the first column of a row in
 * *@col0 (when @col0 is not NULL), and make @s ready for its next use.
 * A statement that changes rows makes all its changes in this one step.
 */
static int acct_run(int64_t *col0, struct mgmt_store *st, sqlite3_stmt *s,
		    const char *what, struct fm_err *err)
{
	int ret = acct_step(st, s, what, err);

	if (ret == 1 && col0)
		*col0 = sqlite3_column_int64(s, 0);
	mgmt_store_ext_put(s);
	return ret;
}

/* One count(*) of statement @id with ?1 = @v1. */
static int acct_count(size_t *n, struct mgmt_store *st, enum acct_stmt id,
		      int64_t v1, struct fm_err *err)
{
	sqlite3_stmt *s;
	int64_t count = 0;
	int ret;

	*n = 0;
	ret = mgmt_store_ext_begin(st, false, err);
	if (ret)
		return ret;
	s = id == ACCT_ADMINS ? acct_stmt1(st, id, v1, err)
			      : acct_stmt(st, id, err);
	ret = acct_run(&count, st, s, "counting accounts", err);
	if (ret == 1) {
		*n = (size_t)count;
		ret = 0;
	}
	return mgmt_store_ext_end(st, ret, err);
}

int mgmt_store_account_count(size_t *n, struct mgmt_store *st,
			     struct fm_err *err)
{
	return acct_count(n, st, ACCT_COUNT, 0, err);
}

int mgmt_store_account_admins(size_t *n, struct mgmt_store *st,
			      uint64_t except_id, struct fm_err *err)
{
	return acct_count(n, st, ACCT_ADMINS, (int64_t)except_id, err);
}

int mgmt_store_account_add(uint64_t *id, struct mgmt_store *st,
			   const struct mgmt_store_account *a,
			   struct fm_err *err)
{
	sqlite3_stmt *s;
	size_t n = 0;
	int ret;

	if (!a->name[0] || !a->hash[0] || a->role > 2)
		return fm_err_set(err, FM_EINVAL,
				  "store: account \"%s\": empty name or hash, "
				  "or role %u out of range",
				  a->name, a->role);
	ret = mgmt_store_account_count(&n, st, err);
	if (ret)
		return ret;
	if (n >= MGMT_STORE_ACCOUNTS_MAX)
		return fm_err_set(err, FM_ENOSPC,
				  "store: %zu accounts already, at most %d", n,
				  MGMT_STORE_ACCOUNTS_MAX);
	ret = mgmt_store_ext_begin(st, true, err);
	if (ret)
		return ret;
	s = acct_stmt(st, ACCT_INSERT, err);
	if (s) {
		acct_bind_text(s, 1, a->name);
		acct_bind_i64(s, 2, a->role);
		acct_bind_text(s, 3, a->hash);
		acct_bind_i64(s, 4, a->enabled);
		acct_bind_i64(s, 5, a->locked);
	}
	ret = acct_run(NULL, st, s, "adding an account", err);
	if (ret == -FM_EEXIST)
		ret = fm_err_set(err, FM_EEXIST,
				 "store: an account named \"%s\" exists",
				 a->name);
	if (ret == 0)
		*id = (uint64_t)sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return mgmt_store_ext_end(st, ret, err);
}

/* Fill one list item from the current row of @s. */
typedef void acct_row_fn(void *item, sqlite3_stmt *s);

static void acct_row_item(void *item, sqlite3_stmt *s)
{
	acct_row(item, s);
}

static void audit_row_item(void *item, sqlite3_stmt *s)
{
	audit_row(item, s);
}

/*
 * One read-only call: the row of statement @id whose ?1 is @name, or @key
 * when @name is NULL, into @out through @row.  No row is -FM_ENOENT with
 * @err naming the missing @noun.
 */
static int acct_get(void *out, acct_row_fn *row, struct mgmt_store *st,
		    enum acct_stmt id, int64_t key, const char *name,
		    const char *noun, struct fm_err *err)
{
	char what[64];
	sqlite3_stmt *s;
	int ret;

	ret = mgmt_store_ext_begin(st, false, err);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "reading an %s", noun);
	s = acct_stmt(st, id, err);
	if (s && name)
		acct_bind_text(s, 1, name);
	else if (s)
		acct_bind_i64(s, 1, key);
	ret = acct_step(st, s, what, err);
	if (ret == 1) {
		row(out, s);
		ret = 0;
	} else if (ret == 0) {
		ret = name ? fm_err_set(err, FM_ENOENT,
					"store: no %s named \"%s\"", noun, name)
			   : fm_err_set(err, FM_ENOENT, "store: no %s %llu",
					noun, (unsigned long long)key);
	}
	mgmt_store_ext_put(s);
	return mgmt_store_ext_end(st, ret, err);
}

int mgmt_store_account_get(struct mgmt_store_account *out,
			   struct mgmt_store *st, uint64_t id,
			   struct fm_err *err)
{
	return acct_get(out, acct_row_item, st, ACCT_GET, (int64_t)id, NULL,
			"account", err);
}

int mgmt_store_account_find(struct mgmt_store_account *out,
			    struct mgmt_store *st, const char *name,
			    struct fm_err *err)
{
	return acct_get(out, acct_row_item, st, ACCT_FIND, 0, name, "account",
			err);
}

int mgmt_store_account_update(uint64_t *generation, struct mgmt_store *st,
			      const struct mgmt_store_account *a,
			      struct fm_err *err)
{
	sqlite3_stmt *s;
	int64_t gen = 0;
	int ret;

	if (!a->hash[0] || a->role > 2)
		return fm_err_set(err, FM_EINVAL,
				  "store: account %llu: empty hash or role %u "
				  "out of range",
				  (unsigned long long)a->id, a->role);
	ret = mgmt_store_ext_begin(st, true, err);
	if (ret)
		return ret;
	s = acct_stmt1(st, ACCT_UPDATE, (int64_t)a->id, err);
	if (s) {
		acct_bind_i64(s, 2, a->role);
		acct_bind_text(s, 3, a->hash);
		acct_bind_i64(s, 4, a->enabled);
		acct_bind_i64(s, 5, a->locked);
		acct_bind_i64(s, 6, (int64_t)a->generation);
	}
	/* RETURNING: the one updated row's new generation, or no row */
	ret = acct_run(&gen, st, s, "updating an account", err);
	if (ret == 1) {
		if (generation)
			*generation = (uint64_t)gen;
		ret = 0;
	} else if (ret == 0) {
		ret = a->generation
			      ? fm_err_set(err, FM_ESTATE,
					   "store: account %llu is gone or "
					   "changed meanwhile",
					   (unsigned long long)a->id)
			      : fm_err_set(err, FM_ENOENT,
					   "store: no account %llu",
					   (unsigned long long)a->id);
	}
	return mgmt_store_ext_end(st, ret, err);
}

int mgmt_store_account_delete(struct mgmt_store *st, uint64_t id,
			      bool keep_admin, struct fm_err *err)
{
	struct mgmt_store_account a;
	sqlite3_stmt *s;
	int64_t admins = 0;
	int ret;

	ret = mgmt_store_ext_begin(st, true, err);
	if (ret)
		return ret;
	/* the check and the delete share one write transaction */
	s = acct_stmt1(st, ACCT_GET, (int64_t)id, err);
	ret = acct_step(st, s, "reading an account", err);
	if (ret == 1)
		acct_row(&a, s);
	else if (ret == 0)
		ret = fm_err_set(err, FM_ENOENT, "store: no account %llu",
				 (unsigned long long)id);
	mgmt_store_ext_put(s);
	if (ret == 1 && keep_admin && a.role == 0 && a.enabled && !a.locked) {
		ret = acct_run(&admins, st,
			       acct_stmt1(st, ACCT_ADMINS, (int64_t)id, err),
			       "counting accounts", err);
		if (ret == 1 && admins == 0)
			ret = fm_err_set(err, FM_ESTATE,
					 "store: account \"%s\" is the last "
					 "enabled Administrator",
					 a.name);
	}
	if (ret == 1)
		ret = acct_run(NULL, st,
			       acct_stmt1(st, ACCT_DELETE, (int64_t)id, err),
			       "deleting an account", err);
	return mgmt_store_ext_end(st, ret, err);
}

/* Every row of statement @id into a heap array of @size-byte items. */
static int acct_list(void **out, size_t *n, struct mgmt_store *st,
		     enum acct_stmt id, size_t size, acct_row_fn *row,
		     struct fm_err *err)
{
	sqlite3_stmt *s;
	char *items = NULL;
	size_t count = 0, cap = 0;
	int ret;

	*out = NULL;
	*n = 0;
	ret = mgmt_store_ext_begin(st, false, err);
	if (ret)
		return ret;
	s = acct_stmt(st, id, err);
	for (ret = acct_step(st, s, "listing", err); ret == 1;
	     ret = acct_step(st, s, "listing", err)) {
		if (count == cap) {
			size_t c = cap ? 2 * cap : 16;
			char *p = realloc(items, c * size);

			if (!p) {
				ret = fm_err_set(err, FM_ENOMEM,
						 "store: out of memory");
				break;
			}
			items = p;
			cap = c;
		}
		row(items + count * size, s);
		count++;
	}
	mgmt_store_ext_put(s);
	ret = mgmt_store_ext_end(st, ret, err);
	if (ret < 0) {
		free(items);
		return ret;
	}
	*out = items;
	*n = count;
	return 0;
}

int mgmt_store_account_list(struct mgmt_store_account **out, size_t *n,
			    struct mgmt_store *st, struct fm_err *err)
{
	return acct_list((void **)out, n, st, ACCT_LIST, sizeof(**out),
			 acct_row_item, err);
}

int mgmt_store_audit_add(struct mgmt_store *st,
			 const struct mgmt_store_audit *recs, size_t n,
			 unsigned retention, struct fm_err *err)
{
	sqlite3_stmt *s;
	size_t i;
	int ret;

	ret = mgmt_store_ext_begin(st, true, err);
	if (ret)
		return ret;
	for (i = 0; i < n && ret == 0; i++) {
		const struct mgmt_store_audit *r = &recs[i];

		s = acct_stmt(st, AUDIT_INSERT, err);
		if (s) {
			acct_bind_i64(s, 1, r->time_ms);
			acct_bind_text(s, 2, r->user);
			acct_bind_text(s, 3, r->peer);
			acct_bind_text(s, 4, r->method);
			acct_bind_text(s, 5, r->uri);
			acct_bind_i64(s, 6, r->status);
			acct_bind_text(s, 7, r->message_id);
		}
		ret = acct_run(NULL, st, s, "recording an audit entry", err);
	}
	if (ret == 0)
		ret = acct_run(NULL, st,
			       acct_stmt1(st, AUDIT_PRUNE,
					  retention ? retention : 1, err),
			       "pruning the audit log", err);
	return mgmt_store_ext_end(st, ret, err);
}

int mgmt_store_audit_get(struct mgmt_store_audit *out, struct mgmt_store *st,
			 uint64_t id, struct fm_err *err)
{
	return acct_get(out, audit_row_item, st, AUDIT_GET, (int64_t)id, NULL,
			"audit entry", err);
}

int mgmt_store_audit_list(struct mgmt_store_audit **out, size_t *n,
			  struct mgmt_store *st, struct fm_err *err)
{
	return acct_list((void **)out, n, st, AUDIT_LIST, sizeof(**out),
			 audit_row_item, err);
}
