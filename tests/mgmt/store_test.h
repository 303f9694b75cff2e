/* SPDX-License-Identifier: MIT */
/*
 * store_test.h - helpers of the store tests: scratch database files and
 * raw SQLite access to inspect or damage them.  Header-only (static
 * functions) so each test executable stays one source file.
 */
#ifndef MRFABRIC_TESTS_MGMT_STORE_TEST_H
#define MRFABRIC_TESTS_MGMT_STORE_TEST_H

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgmt/store.h"

/* A scratch directory holding one database file. */
struct tdb {
	char dir[64];
	char path[128];
};

static inline void tdb_make(struct tdb *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/mrfabric-store-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/state.db", t->dir);
}

static inline void tdb_remove(struct tdb *t)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffix[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static inline struct mgmt_store *t_open_opts(const char *path,
					     const struct mgmt_store_opts *opts)
{
	struct fm_err err = { 0 };
	struct mgmt_store *st = NULL;
	int ret = mgmt_store_open_opts(&st, path, opts, &err);

	cr_assert_eq(ret, 0, "open %s: %s", path, err.msg);
	cr_assert_not_null(st);
	return st;
}

static inline struct mgmt_store *t_open(const char *path)
{
	return t_open_opts(path, NULL);
}

/* Run @sql on @path with a plain SQLite connection. */
static inline void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK,
		     "%s: %s", sql, msg ? msg : "");
	sqlite3_close(db);
}

/* Column 0 of the first row of @sql on @path, as an integer. */
static inline int64_t raw_int(const char *path, const char *sql)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;
	int64_t v;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK,
		     "%s: %s", sql, sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Column 0 of the first row of @sql on @path, copied into @buf. */
static inline const char *raw_text(char *buf, size_t len, const char *path,
				   const char *sql)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db = NULL;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK,
		     "%s: %s", sql, sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
	snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return buf;
}

#endif
