/* SPDX-License-Identifier: MIT */
/*
 * bench_store - durable commits per second of mrfabricd's store.
 *
 * Workloads, all on a database file with WAL and synchronous=FULL (every
 * commit fsyncs the WAL), each against the same-run reference:
 *   sqlite:  the reference: bare SQLite, one INSERT per transaction into a
 *            scratch table, prepared once, the same pragmas;
 *   binding: mgmt_store_binding_set(), one desired-binding change per
 *            transaction (the checks of a real change included);
 *   move:    one VF move as the daemon records it: five transaction
 *            groups (begin + validated, removing, resetting, adding, done),
 *            each with the move phase, the task progress and one event;
 *   move-2c: the same with only begin and done durable (two commits);
 *   move-x8: eight moves in flight, one group per step covering all
 *            eight (group commit, as an event loop does per iteration).
 * Latency is per operation: per commit, per move, or per step of eight
 * moves for move-x8.
 * Rounds alternate the workloads so machine noise hits all of them alike.
 * Usage: bench_store [commits-per-round] [directory]   (1000, /tmp)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "mgmt/store.h"
#include "switchfw/switchfw.h"

#define ROUNDS 3
#define NFIDS 64
#define NPARTS 8

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, msg);
	exit(1);
}

static void remove_db(const char *path)
{
	char p[4200];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct result {
	double rate;	 /* operations per second */
	double p50, p99; /* per-operation latency, ms */
};

static struct result summarize(double *lat, size_t n, double elapsed)
{
	struct result r = { .rate = (double)n / elapsed };

	qsort(lat, n, sizeof(*lat), cmp_double);
	r.p50 = lat[n / 2] * 1e3;
	r.p99 = lat[(n * 99) / 100] * 1e3;
	return r;
}

static struct result run_sqlite(const char *path, size_t n, double *lat)
{
	sqlite3_stmt *begin, *insert, *commit;
	sqlite3 *db = NULL;
	double t0, t1, start;

	remove_db(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	if (sqlite3_exec(db,
			 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			 "CREATE TABLE scratch(id INTEGER PRIMARY KEY,"
			 " fid INTEGER NOT NULL, partition INTEGER NOT NULL)",
			 NULL, NULL, NULL) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	if (sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) ||
	    sqlite3_prepare_v2(db,
			       "INSERT INTO scratch(fid, partition) "
			       "VALUES(?1, ?2)",
			       -1, &insert, NULL) ||
	    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL))
		die(path, sqlite3_errmsg(db));
	start = now_s();
	for (size_t i = 0; i < n; i++) {
		t0 = now_s();
		sqlite3_bind_int64(insert, 1, (sqlite3_int64)(i % NFIDS));
		sqlite3_bind_int64(insert, 2, (sqlite3_int64)(i % NPARTS));
		if (sqlite3_step(begin) != SQLITE_DONE ||
		    sqlite3_step(insert) != SQLITE_DONE ||
		    sqlite3_step(commit) != SQLITE_DONE)
			die(path, sqlite3_errmsg(db));
		sqlite3_reset(begin);
		sqlite3_reset(insert);
		sqlite3_reset(commit);
		t1 = now_s();
		lat[i] = t1 - t0;
	}
	start = now_s() - start;
	sqlite3_finalize(begin);
	sqlite3_finalize(insert);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	remove_db(path);
	return summarize(lat, n, start);
}

static struct mgmt_store *open_store(const char *path)
{
	struct fm_err err = { 0 };
	struct mgmt_store *st = NULL;

	remove_db(path);
	if (mgmt_store_open(&st, path, &err))
		die("open", err.msg);
	for (uint32_t i = 0; i < NFIDS; i++)
		if (mgmt_store_binding_set(NULL, st, SW_FID(0, 4, i),
					   i % NPARTS, MGMT_VPPB_ANY, 0, &err))
			die("seed", err.msg);
	return st;
}

static struct result run_binding(const char *path, size_t n, double *lat)
{
	struct mgmt_store *st = open_store(path);
	struct fm_err err = { 0 };
	double t0, start;

	start = now_s();
	for (size_t i = 0; i < n; i++) {
		/* every call changes the row: fid i moves one partition on */
		uint32_t f = (uint32_t)(i % NFIDS);
		uint32_t part = (uint32_t)((f + i / NFIDS + 1) % NPARTS);

		t0 = now_s();
		if (mgmt_store_binding_set(NULL, st, SW_FID(0, 4, f), part,
					   MGMT_VPPB_ANY, 0, &err))
			die("binding", err.msg);
		lat[i] = now_s() - t0;
	}
	start = now_s() - start;
	mgmt_store_close(st);
	remove_db(path);
	return summarize(lat, n, start);
}

static void check(int ret, const struct fm_err *err)
{
	if (ret)
		die("move", err->msg);
}

/*
 * Record the moves of @k fids (fids[i] from src[i] to its next
 * partition) side by side as an event loop with @k moves in flight does:
 * one transaction group per step covers every move's phase, task
 * progress and event.  @all_phases false makes only the first and last
 * steps durable (the intermediate phases stay in memory).
 */
static void record_moves(struct mgmt_store *st, const uint32_t *fids,
			 const uint32_t *src, size_t k, bool all_phases)
{
	static const enum mgmt_move_phase steps[] = { MGMT_MOVE_REMOVING,
						      MGMT_MOVE_RESETTING,
						      MGMT_MOVE_ADDING,
						      MGMT_MOVE_DONE };
	static const char payload[] =
		"{\"MessageId\":\"Mrfabric.1.0.MovePhase\"}";
	struct fm_err err = { 0 };
	uint64_t task[16], id[16];

	check(mgmt_store_txn_begin(st, &err), &err);
	for (size_t m = 0; m < k; m++) {
		check(mgmt_store_task_create(&task[m], st, "POST",
					     "/redfish/v1/Fabrics/PCIe/Actions/"
					     "Oem/Mrfabric.Move",
					     "{\"Function\":1}", &err),
		      &err);
		check(mgmt_store_move_begin(&id[m], st, fids[m], src[m],
					    (src[m] + 1) % NPARTS,
					    MGMT_VPPB_ANY, task[m], &err),
		      &err);
		check(mgmt_store_task_update(st, task[m], MGMT_TASK_RUNNING, 0,
					     "validated", NULL, &err),
		      &err);
		check(mgmt_store_event_append(NULL, st, "MovePhase", payload,
					      &err),
		      &err);
	}
	check(mgmt_store_txn_commit(st, &err), &err);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		bool done = steps[i] == MGMT_MOVE_DONE;

		if (!all_phases && !done)
			continue;
		check(mgmt_store_txn_begin(st, &err), &err);
		for (size_t m = 0; m < k; m++) {
			check(mgmt_store_move_set_phase(st, id[m], steps[i],
							MGMT_VPPB_ANY, NULL,
							&err),
			      &err);
			check(mgmt_store_task_update(
				      st, task[m],
				      done ? MGMT_TASK_COMPLETED
					   : MGMT_TASK_RUNNING,
				      (int)(25 * (i + 1)),
				      mgmt_move_phase_name(steps[i]), NULL,
				      &err),
			      &err);
			check(mgmt_store_event_append(NULL, st, "MovePhase",
						      payload, &err),
			      &err);
		}
		check(mgmt_store_txn_commit(st, &err), &err);
	}
}

/* Moves, @k at a time, @commits_per_step durable commits each step. */
static struct result run_moves(const char *path, size_t n, double *lat,
			       size_t k, bool all_phases)
{
	struct mgmt_store *st = open_store(path);
	size_t commits = all_phases ? 5 : 2, steps = n / commits;
	uint32_t fids[16], src[16];
	double t0, start;

	start = now_s();
	for (size_t i = 0; i < steps; i++) {
		for (size_t m = 0; m < k; m++) {
			size_t v = i * k + m;

			fids[m] = SW_FID(0, 4, v % NFIDS);
			src[m] = (uint32_t)((v % NFIDS + v / NFIDS) % NPARTS);
		}
		t0 = now_s();
		record_moves(st, fids, src, k, all_phases);
		lat[i] = now_s() - t0;
	}
	start = now_s() - start;
	mgmt_store_close(st);
	remove_db(path);
	/* the rate counts moves; latency is per step of k moves */
	return summarize(lat, steps, start / (double)k);
}

static struct result run_move(const char *path, size_t n, double *lat)
{
	return run_moves(path, n, lat, 1, true);
}

static struct result run_move2(const char *path, size_t n, double *lat)
{
	return run_moves(path, n, lat, 1, false);
}

static struct result run_move8(const char *path, size_t n, double *lat)
{
	return run_moves(path, n, lat, 8, true);
}

static int cmp_result(const void *a, const void *b)
{
	return cmp_double(&((const struct result *)a)->rate,
			  &((const struct result *)b)->rate);
}

/*
 * The workloads, run in this order every round.  To add one, write a
 * run_* function (it gets the commit budget of a round) and a row here.
 */
static const struct {
	const char *name;
	const char *unit;
	struct result (*run)(const char *path, size_t commits, double *lat);
} workloads[] = {
	{ "sqlite", "commits", run_sqlite },
	{ "binding", "commits", run_binding },
	{ "move", "moves", run_move },
	{ "move-2c", "moves", run_move2 },
	{ "move-x8", "moves", run_move8 },
};
#define NWORK (sizeof(workloads) / sizeof(workloads[0]))

int main(int argc, char **argv)
{
	struct result res[NWORK][ROUNDS];
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	char path[4096];
	double *lat;

	if (n < 10)
		die("usage",
		    "bench_store [commits-per-round >= 10] [directory]");
	snprintf(path, sizeof(path), "%s/bench_store-%d.db", dir,
		 (int)getpid());
	lat = calloc(n, sizeof(*lat));
	if (!lat)
		die("memory", strerror(errno));
	printf("bench_store: %zu durable commits per workload and round, %d "
	       "rounds, database %s\n",
	       n, ROUNDS, path);
	for (int r = 0; r < ROUNDS; r++)
		for (size_t w = 0; w < NWORK; w++)
			res[w][r] = workloads[w].run(path, n, lat);
	printf("%-8s %-8s %12s %12s %9s %9s\n", "workload", "unit", "median/s",
	       "best/s", "p50 ms", "p99 ms");
	for (size_t w = 0; w < NWORK; w++) {
		const struct result *m = &res[w][ROUNDS / 2];

		qsort(res[w], ROUNDS, sizeof(res[w][0]), cmp_result);
		printf("%-8s %-8s %12.0f %12.0f %9.3f %9.3f\n",
		       workloads[w].name, workloads[w].unit, m->rate,
		       res[w][ROUNDS - 1].rate, m->p50, m->p99);
	}
	printf("binding/sqlite commit rate: %.2f (medians)\n",
	       res[1][ROUNDS / 2].rate / res[0][ROUNDS / 2].rate);
	free(lat);
	return 0;
}
