/* SPDX-License-Identifier: MIT */
/*
 * Deferred durability of the store (mgmt/store.h "Deferred durability"):
 * rounds, groups inside rounds, flush requests, watchers.  "Durable" is
 * asserted as another SQLite connection seeing the change: a committed
 * WAL transaction is what it can read.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "store_test.h"
#include "switchfw/switchfw.h"

#define FID(i) SW_FID(0, 4, (i))

#define BINDINGS "SELECT count(*) FROM bindings"

/* What a watcher heard, in order. */
struct news_log {
	enum mgmt_store_news what[32];
	unsigned n;
};

static void news_record(void *ctx, enum mgmt_store_news what)
{
	struct news_log *log = ctx;

	cr_assert_lt(log->n, sizeof(log->what) / sizeof(log->what[0]));
	log->what[log->n++] = what;
}

static unsigned news_count(const struct news_log *log,
			   enum mgmt_store_news what)
{
	unsigned n = 0;

	for (unsigned i = 0; i < log->n; i++)
		n += log->what[i] == what;
	return n;
}

static struct tdb t;
static struct mgmt_store *st;
static struct news_log news;

/* A store on a file, watched, not deferred (the suite's fixture). */
static void store_setup(void)
{
	struct fm_err err = { 0 };

	tdb_make(&t);
	st = t_open(t.path);
	memset(&news, 0, sizeof(news));
	cr_assert_eq(mgmt_store_watch(st, news_record, &news, &err), 0, "%s",
		     err.msg);
}

/* The tests of deferred mode add this: runs after store_setup(). */
static void defer_on(void)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_defer(st, true, &err), 0, "%s", err.msg);
}

static void store_teardown(void)
{
	mgmt_store_close(st);
	tdb_remove(&t);
}

static void bind_ok(uint32_t fid, uint32_t part, int32_t vppb)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_binding_set(NULL, st, fid, part, vppb, 0, &err),
		     0, "%s", err.msg);
}

static void flush_ok(void)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_flush(st, &err), 0, "%s", err.msg);
}

/* Result of reading the binding of @fid through the store (0, -FM_ENOENT). */
static int binding_code(uint32_t fid)
{
	struct mgmt_store_binding b;

	return mgmt_store_binding_get(&b, st, fid, NULL);
}

/* Whether another connection sees a binding of @fid. */
static bool durable_binding(uint32_t fid)
{
	char sql[96];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM bindings WHERE fid = %u", (unsigned)fid);
	return raw_int(t.path, sql) == 1;
}

TestSuite(mgmt_store_defer, .init = store_setup, .fini = store_teardown);

Test(mgmt_store_defer,
     write_is_seen_by_the_store_at_once_and_by_others_after_flush,
     .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	cr_assert_eq(binding_code(FID(1)), 0);
	cr_assert(mgmt_store_pending(st));
	cr_assert_not(durable_binding(FID(1)));
	flush_ok();
	cr_assert(durable_binding(FID(1)));
	cr_assert_not(mgmt_store_pending(st));
}

Test(mgmt_store_defer, one_flush_commits_every_write_since_the_round_opened,
     .init = defer_on)
{
	uint64_t ev = 0;

	bind_ok(FID(1), 0, 0);
	bind_ok(FID(2), 0, 1);
	cr_assert_eq(mgmt_store_event_append(&ev, st, "Bind", "{}", NULL), 0);
	cr_assert_eq(raw_int(t.path, BINDINGS), 0);
	cr_assert_eq(raw_int(t.path, "SELECT count(*) FROM events"), 0);
	flush_ok();
	cr_assert_eq(raw_int(t.path, BINDINGS), 2);
	cr_assert_eq(raw_int(t.path, "SELECT count(*) FROM events"), 1);
	cr_assert_eq(news_count(&news, MGMT_STORE_ROUND_OPENED), 1);
	cr_assert_eq(news_count(&news, MGMT_STORE_COMMITTED), 1);
}

Test(mgmt_store_defer, reads_alone_open_no_round, .init = defer_on)
{
	uint64_t last = 0;

	cr_assert_eq(binding_code(FID(1)), -FM_ENOENT);
	cr_assert_eq(mgmt_store_event_last(&last, st, NULL), 0);
	cr_assert_not(mgmt_store_pending(st));
	cr_assert_eq(news.n, 0);
}

Test(mgmt_store_defer, flush_with_nothing_pending_succeeds_and_tells_nobody,
     .init = defer_on)
{
	flush_ok();
	cr_assert_eq(news.n, 0);
}

Test(mgmt_store_defer, group_committed_inside_a_round_waits_for_the_flush,
     .init = defer_on)
{
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(1), 0, 0);
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), 0);
	cr_assert_not(durable_binding(FID(1)));
	cr_assert(mgmt_store_pending(st));
	cr_assert_eq(news_count(&news, MGMT_STORE_COMMITTED), 0);
	flush_ok();
	cr_assert(durable_binding(FID(1)));
}

Test(mgmt_store_defer, group_joins_a_round_opened_before_it, .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(2), 0, 1);
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), 0);
	bind_ok(FID(3), 0, 2);
	flush_ok();
	cr_assert_eq(raw_int(t.path, BINDINGS), 3);
	cr_assert_eq(news_count(&news, MGMT_STORE_ROUND_OPENED), 1);
	cr_assert_eq(news_count(&news, MGMT_STORE_COMMITTED), 1);
}

Test(mgmt_store_defer,
     group_rollback_undoes_only_the_group_and_the_round_goes_on,
     .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(2), 0, 1);
	mgmt_store_txn_rollback(st);
	cr_assert_eq(binding_code(FID(2)), -FM_ENOENT);
	cr_assert_eq(binding_code(FID(1)), 0);
	bind_ok(FID(3), 0, 2);
	flush_ok();
	cr_assert(durable_binding(FID(1)));
	cr_assert_not(durable_binding(FID(2)));
	cr_assert(durable_binding(FID(3)));
}

Test(mgmt_store_defer, group_rollback_frees_what_the_group_took,
     .init = defer_on)
{
	/* the vPPB FID(2) held in the undone group is free again */
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(2), 0, 1);
	mgmt_store_txn_rollback(st);
	bind_ok(FID(4), 0, 1);
	flush_ok();
	cr_assert(durable_binding(FID(4)));
}

Test(mgmt_store_defer, flush_inside_a_group_is_done_when_the_group_commits,
     .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(2), 0, 1);
	flush_ok();
	/* not yet: the group is still open */
	cr_assert_eq(raw_int(t.path, BINDINGS), 0);
	cr_assert_eq(news_count(&news, MGMT_STORE_COMMITTED), 0);
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), 0);
	cr_assert_eq(raw_int(t.path, BINDINGS), 2);
	cr_assert_eq(news_count(&news, MGMT_STORE_COMMITTED), 1);
	cr_assert_not(mgmt_store_pending(st));
}

Test(mgmt_store_defer, flush_request_without_a_round_is_forgotten,
     .init = defer_on)
{
	mgmt_store_flush_request(st);
	cr_assert_not(mgmt_store_flush_requested(st));
	bind_ok(FID(1), 0, 0);
	cr_assert_not(mgmt_store_flush_requested(st));
}

Test(mgmt_store_defer,
     flush_request_is_held_while_the_round_is_open_and_cleared_by_flush,
     .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	mgmt_store_flush_request(st);
	cr_assert(mgmt_store_flush_requested(st));
	/* asking does not commit: that is the driver's job */
	cr_assert_not(durable_binding(FID(1)));
	flush_ok();
	cr_assert_not(mgmt_store_flush_requested(st));
	bind_ok(FID(2), 0, 1);
	cr_assert_not(mgmt_store_flush_requested(st));
}

Test(mgmt_store_defer, watchers_hear_round_opened_once_per_round,
     .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	bind_ok(FID(2), 0, 1);
	flush_ok();
	bind_ok(FID(3), 0, 2);
	flush_ok();
	cr_assert_eq(news.n, 4);
	cr_assert_eq(news.what[0], MGMT_STORE_ROUND_OPENED);
	cr_assert_eq(news.what[1], MGMT_STORE_COMMITTED);
	cr_assert_eq(news.what[2], MGMT_STORE_ROUND_OPENED);
	cr_assert_eq(news.what[3], MGMT_STORE_COMMITTED);
}

Test(mgmt_store_defer,
     watchers_hear_a_group_begin_and_its_rollback_inside_the_round,
     .init = defer_on)
{
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(1), 0, 0);
	mgmt_store_txn_rollback(st);
	flush_ok();
	cr_assert_eq(news.n, 4);
	cr_assert_eq(news.what[0], MGMT_STORE_ROUND_OPENED);
	cr_assert_eq(news.what[1], MGMT_STORE_GROUP_BEGIN);
	cr_assert_eq(news.what[2], MGMT_STORE_GROUP_ROLLBACK);
	cr_assert_eq(news.what[3], MGMT_STORE_COMMITTED);
}

Test(mgmt_store_defer, unwatched_watcher_hears_nothing_more, .init = defer_on)
{
	mgmt_store_unwatch(st, news_record, &news);
	bind_ok(FID(1), 0, 0);
	flush_ok();
	cr_assert_eq(news.n, 0);
}

Test(mgmt_store_defer, watchers_beyond_the_maximum_are_refused,
     .init = defer_on)
{
	struct news_log extra[MGMT_STORE_WATCH_MAX];
	struct fm_err err = { 0 };

	/* the fixture's watcher is one */
	for (unsigned i = 1; i < MGMT_STORE_WATCH_MAX; i++)
		cr_assert_eq(mgmt_store_watch(st, news_record, &extra[i], NULL),
			     0);
	cr_assert_eq(mgmt_store_watch(st, news_record, &extra[0], &err),
		     -FM_ENOSPC);
	cr_assert_str_neq(err.msg, "");
}

Test(mgmt_store_defer, defer_off_commits_the_pending_round, .init = defer_on)
{
	struct fm_err err = { 0 };

	bind_ok(FID(1), 0, 0);
	cr_assert_eq(mgmt_store_defer(st, false, &err), 0, "%s", err.msg);
	cr_assert(durable_binding(FID(1)));
	cr_assert_eq(news_count(&news, MGMT_STORE_COMMITTED), 1);
	/* and later calls are durable at once again */
	bind_ok(FID(2), 0, 1);
	cr_assert(durable_binding(FID(2)));
	cr_assert_not(mgmt_store_pending(st));
}

Test(mgmt_store_defer, defer_off_inside_a_group_is_refused_and_keeps_the_round,
     .init = defer_on)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(1), 0, 0);
	cr_assert_eq(mgmt_store_defer(st, false, &err), -FM_ESTATE);
	cr_assert_str_neq(err.msg, "");
	cr_assert_not(durable_binding(FID(1)));
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), 0);
	/* still deferred: the group's commit did not make it durable */
	cr_assert_not(durable_binding(FID(1)));
	flush_ok();
	cr_assert(durable_binding(FID(1)));
}

Test(mgmt_store_defer, closing_the_store_keeps_an_open_round, .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	bind_ok(FID(2), 0, 1);
	mgmt_store_close(st);
	st = NULL;
	cr_assert_eq(raw_int(t.path, BINDINGS), 2);
}

Test(mgmt_store_defer,
     closing_the_store_drops_an_open_group_but_keeps_the_round,
     .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(2), 0, 1);
	mgmt_store_close(st);
	st = NULL;
	cr_assert(durable_binding(FID(1)));
	cr_assert_not(durable_binding(FID(2)));
}

Test(mgmt_store_defer,
     failing_call_inside_a_round_changes_nothing_and_the_round_goes_on,
     .init = defer_on)
{
	struct fm_err err = { 0 };

	bind_ok(FID(1), 0, 0);
	/* vPPB 0 of partition 0 is FID(1)'s */
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(2), 0, 0, 0, &err),
		     -FM_EEXIST);
	cr_assert_eq(binding_code(FID(2)), -FM_ENOENT);
	cr_assert(mgmt_store_pending(st));
	bind_ok(FID(3), 0, 1);
	flush_ok();
	cr_assert(durable_binding(FID(1)));
	cr_assert_not(durable_binding(FID(2)));
	cr_assert(durable_binding(FID(3)));
	cr_assert_eq(news_count(&news, MGMT_STORE_ABORTED), 0);
}

Test(mgmt_store_defer,
     failing_call_inside_a_group_of_a_round_leaves_both_usable,
     .init = defer_on)
{
	bind_ok(FID(1), 0, 0);
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(2), 0, 1);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(3), 0, 1, 0, NULL),
		     -FM_EEXIST);
	bind_ok(FID(4), 0, 2);
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), 0);
	flush_ok();
	cr_assert_eq(raw_int(t.path, BINDINGS), 3);
	cr_assert_not(durable_binding(FID(3)));
}

Test(mgmt_store_defer,
     round_that_cannot_begin_fails_the_call_and_changes_nothing,
     .init = defer_on)
{
	struct fm_err err = { 0 };
	sqlite3 *other = NULL;

	/* another writer holds the database: the round's BEGIN times out */
	cr_assert_eq(sqlite3_open(t.path, &other), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
		     SQLITE_OK);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(1), 0, 0, 0, &err),
		     -FM_EBUSY);
	cr_assert_str_neq(err.msg, "");
	cr_assert_not(mgmt_store_pending(st));
	cr_assert_eq(news.n, 0);
	cr_assert_eq(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(other);
	cr_assert_eq(binding_code(FID(1)), -FM_ENOENT);
	/* once the other writer is gone, the next call opens the round */
	bind_ok(FID(1), 0, 0);
	flush_ok();
	cr_assert(durable_binding(FID(1)));
}

/*
 * A commit whose WAL write fails (the file size limit stops it with
 * EFBIG) loses the whole round: the caller and the watchers are told,
 * and neither this store nor another connection sees any of it.
 */
Test(mgmt_store_defer, failed_commit_loses_the_whole_round_and_says_so,
     .init = defer_on)
{
	char wal[160];
	struct rlimit old, lim;
	struct fm_err err = { 0 };
	struct stat sb;
	int ret;

	bind_ok(FID(1), 0, 0);
	flush_ok();
	bind_ok(FID(2), 0, 1);
	bind_ok(FID(3), 0, 2);
	snprintf(wal, sizeof(wal), "%s-wal", t.path);
	cr_assert_eq(stat(wal, &sb), 0);
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ret = mgmt_store_flush(st, &err);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	cr_assert_lt(ret, 0);
	cr_assert_str_neq(err.msg, "");
	cr_assert_eq(news.what[news.n - 1], MGMT_STORE_ABORTED);
	cr_assert_eq(news_count(&news, MGMT_STORE_COMMITTED), 1);
	cr_assert_not(mgmt_store_pending(st));
	cr_assert_eq(binding_code(FID(2)), -FM_ENOENT);
	cr_assert_eq(binding_code(FID(1)), 0);
	cr_assert_eq(raw_int(t.path, BINDINGS), 1);
	/* the store goes on: the next round commits */
	bind_ok(FID(3), 0, 2);
	flush_ok();
	cr_assert(durable_binding(FID(3)));
	cr_assert_not(durable_binding(FID(2)));
}

/* ------------------------------------------------------------------ */
/* Without deferred mode                                              */

Test(mgmt_store_defer, without_defer_each_call_is_durable_when_it_returns)
{
	bind_ok(FID(1), 0, 0);
	cr_assert(durable_binding(FID(1)));
	cr_assert_not(mgmt_store_pending(st));
	bind_ok(FID(2), 0, 1);
	cr_assert(durable_binding(FID(2)));
	cr_assert_eq(news.n, 0);
}

Test(mgmt_store_defer, without_defer_a_flush_request_is_ignored)
{
	bind_ok(FID(1), 0, 0);
	mgmt_store_flush_request(st);
	cr_assert_not(mgmt_store_flush_requested(st));
	flush_ok();
	cr_assert_eq(news.n, 0);
}

Test(mgmt_store_defer, without_defer_a_group_is_durable_at_its_commit)
{
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(FID(1), 0, 0);
	cr_assert(mgmt_store_pending(st));
	cr_assert_not(durable_binding(FID(1)));
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), 0);
	cr_assert(durable_binding(FID(1)));
	cr_assert_eq(news.n, 2);
	cr_assert_eq(news.what[0], MGMT_STORE_GROUP_BEGIN);
	cr_assert_eq(news.what[1], MGMT_STORE_COMMITTED);
}
