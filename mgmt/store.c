/* SPDX-License-Identifier: MIT */
/*
 * store.c - mrfabricd's durable state over SQLite (see store.h).
 *
 * Every SQL text is a constant in store_sql[], prepared once on first use
 * and kept (SQLITE_PREPARE_PERSISTENT); values only ever travel as bound
 * parameters.  Every public call is one transaction (or one savepoint
 * inside a caller's group), opened by store_op_begin() and closed by
 * store_op_end(), which commits on success and rolls back on failure, so
 * a failing call changes nothing.
 *
 * Numbers the SQL relies on (checked by the static asserts below): a move
 * is unfinished while phase < 4 (MGMT_MOVE_DONE), a batch while state = 0
 * (MGMT_BATCH_APPLYING), a task while state < 9 (MGMT_TASK_COMPLETED).
 */
#include "mgmt/store.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "mgmt/store_int.h"
#include "switchfw/switchfw.h"

_Static_assert(MGMT_MOVE_DONE == 4, "SQL: unfinished moves are phase < 4");
_Static_assert(MGMT_MOVE_FAILED == 5 && MGMT_MOVE_ROLLED_BACK == 6,
	       "SQL: CHECK on moves.phase");
_Static_assert(MGMT_BATCH_APPLYING == 0, "SQL: applying batches: state 0");
_Static_assert(MGMT_BATCH_STATE_COUNT == 3, "SQL: CHECK on batches.state");
_Static_assert(MGMT_TASK_COMPLETED == 9, "SQL: unfinished tasks: state < 9");
_Static_assert(MGMT_TASK_STATE_COUNT == 13, "SQL: CHECK on tasks.state");

#define STORE_DEFAULT_EVENTS 1024u
#define STORE_DEFAULT_TASKS 256u
#define STORE_DEFAULT_INTENTS 1024u

/*
 * Schema migrations, applied in order inside one transaction at open:
 * migration i takes the database from version i to i + 1 and sets
 * user_version itself.  To change the schema, append an entry (never edit
 * a shipped one) and bump MGMT_STORE_SCHEMA_VERSION.  Accounts and the
 * audit log (version 2) are read and written by store_accounts.c; sessions
 * live in memory only (mgmt/auth.c).
 */
static const char *const store_migrations[MGMT_STORE_SCHEMA_VERSION] = {
	/* 0 -> 1: desired state, intents, tasks, events */
	"PRAGMA application_id = 1297237570;" /* MGMT_STORE_APPLICATION_ID */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)"
	" WITHOUT ROWID;"
	"INSERT INTO meta(key, value) VALUES('generation', 0);"
	"CREATE TABLE bindings("
	" fid INTEGER PRIMARY KEY,"
	" partition INTEGER NOT NULL CHECK(partition >= 0),"
	" vppb INTEGER NOT NULL CHECK(vppb >= -1),"
	" generation INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX bindings_slot ON bindings(partition, vppb)"
	" WHERE vppb >= 0;"
	"CREATE TABLE moves("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" fid INTEGER NOT NULL,"
	" src_partition INTEGER NOT NULL, src_vppb INTEGER NOT NULL,"
	" dst_partition INTEGER NOT NULL, dst_vppb INTEGER NOT NULL,"
	" phase INTEGER NOT NULL CHECK(phase BETWEEN 0 AND 6),"
	" task INTEGER NOT NULL,"
	" created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
	" error TEXT NOT NULL);"
	"CREATE UNIQUE INDEX moves_active_fid ON moves(fid) WHERE phase < 4;"
	"CREATE INDEX moves_active_slot ON moves(dst_partition, dst_vppb)"
	" WHERE phase < 4;"
	"CREATE TABLE batches("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 2),"
	" task INTEGER NOT NULL,"
	" created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
	"CREATE TABLE batch_changes("
	" batch INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" fid INTEGER NOT NULL,"
	" bind INTEGER NOT NULL CHECK(bind IN (0, 1)),"
	" partition INTEGER NOT NULL, vppb INTEGER NOT NULL,"
	" was_bound INTEGER NOT NULL,"
	" old_partition INTEGER NOT NULL, old_vppb INTEGER NOT NULL,"
	" PRIMARY KEY(batch, seq)) WITHOUT ROWID;"
	"CREATE UNIQUE INDEX batch_changes_fid ON batch_changes(fid, batch);"
	"CREATE INDEX batch_changes_slot ON batch_changes(partition, vppb)"
	" WHERE bind = 1;"
	"CREATE TABLE tasks("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 12),"
	" percent INTEGER NOT NULL CHECK(percent BETWEEN 0 AND 100),"
	" method TEXT NOT NULL, target_uri TEXT NOT NULL, body TEXT,"
	" result TEXT,"
	" start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL);"
	"CREATE TABLE task_messages("
	" task INTEGER NOT NULL, seq INTEGER NOT NULL, text TEXT NOT NULL,"
	" PRIMARY KEY(task, seq)) WITHOUT ROWID;"
	"CREATE TABLE events("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" type TEXT NOT NULL, payload TEXT NOT NULL,"
	" time_ms INTEGER NOT NULL);"
	"PRAGMA user_version = 1;",
	/* 1 -> 2: accounts and the audit log (issue 5; store_accounts.c) */
	"CREATE TABLE accounts("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" name TEXT NOT NULL UNIQUE,"
	" role INTEGER NOT NULL CHECK(role BETWEEN 0 AND 2),"
	" hash TEXT NOT NULL,"
	" enabled INTEGER NOT NULL CHECK(enabled IN (0, 1)),"
	" locked INTEGER NOT NULL CHECK(locked IN (0, 1)),"
	" generation INTEGER NOT NULL);"
	"CREATE TABLE audit("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time_ms INTEGER NOT NULL,"
	" user TEXT NOT NULL, peer TEXT NOT NULL,"
	" method TEXT NOT NULL, uri TEXT NOT NULL,"
	" status INTEGER NOT NULL, message_id TEXT NOT NULL);"
	"PRAGMA user_version = 2;",
	/* 2 -> 3: pruning the history walks only finished rows, newest
	 * first, through these (not every row of the table) */
	"CREATE INDEX tasks_finished ON tasks(id) WHERE state >= 9;"
	"CREATE INDEX moves_finished ON moves(id) WHERE phase >= 4;"
	"CREATE INDEX batches_finished ON batches(id) WHERE state != 0;"
	"PRAGMA user_version = 3;",
};
_Static_assert(MGMT_STORE_APPLICATION_ID == 1297237570,
	       "migration 1 writes the application id as a literal");

/*
 * The statement cache: one SQL text per id, prepared on first use.  To add
 * a statement, add an id before STMT_COUNT and its text here.
 */
enum store_stmt {
	STMT_BEGIN,
	STMT_BEGIN_READ,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_GROUP_SAVEPOINT,
	STMT_GROUP_RELEASE,
	STMT_GROUP_ROLLBACK_TO,
	STMT_GENERATION_NEXT,
	STMT_BINDING_GET,
	STMT_BINDING_PUT,
	STMT_BINDING_DELETE,
	STMT_BINDING_LIST,
	STMT_BINDING_AT,
	STMT_MOVE_OF_FID,
	STMT_MOVE_AT_SLOT,
	STMT_BATCH_OF_FID,
	STMT_BATCH_AT_SLOT,
	STMT_MOVE_INSERT,
	STMT_MOVE_GET,
	STMT_MOVE_GET_ACTIVE,
	STMT_MOVE_UPDATE,
	STMT_MOVE_LIST_ACTIVE,
	STMT_MOVE_PRUNE,
	STMT_BATCH_INSERT,
	STMT_BATCH_CHANGE_INSERT,
	STMT_BATCH_CHECK_UNBOUND,
	STMT_BATCH_CHECK_FID_MOVING,
	STMT_BATCH_CHECK_FID_BATCHED,
	STMT_BATCH_CHECK_SLOT_TWICE,
	STMT_BATCH_CHECK_SLOT_BOUND,
	STMT_BATCH_CHECK_SLOT_MOVE,
	STMT_BATCH_CHECK_SLOT_BATCH,
	STMT_BATCH_GET,
	STMT_BATCH_CHANGES,
	STMT_BATCH_APPLY_DELETE,
	STMT_BATCH_APPLY_INSERT,
	STMT_BATCH_SET_STATE,
	STMT_BATCH_LIST_ACTIVE,
	STMT_BATCH_PRUNE_CHANGES,
	STMT_BATCH_PRUNE,
	STMT_TASK_INSERT,
	STMT_TASK_GET,
	STMT_TASK_STATE,
	STMT_TASK_UPDATE,
	STMT_TASK_MSG_INSERT,
	STMT_TASK_MSG_TRIM,
	STMT_TASK_MSG_LIST,
	STMT_TASK_MSG_DELETE,
	STMT_TASK_DELETE,
	STMT_TASK_LIST,
	STMT_TASK_LIST_ACTIVE,
	STMT_TASK_PRUNE_MSGS,
	STMT_TASK_PRUNE,
	STMT_EVENT_INSERT,
	STMT_EVENT_PRUNE,
	STMT_EVENT_READ,
	STMT_EVENT_OLDEST,
	STMT_EVENT_LAST,
	STMT_COUNT
};

#define MOVE_COLS                                                              \
	"id, fid, src_partition, src_vppb, dst_partition, dst_vppb, phase, "   \
	"task, created_ms, updated_ms, error"
/* Finished moves/tasks/batches beyond the newest ?1, for pruning. */
#define OLD_MOVES                                                              \
	"SELECT id FROM moves WHERE phase >= 4 ORDER BY id DESC "              \
	"LIMIT -1 OFFSET ?1"
#define OLD_BATCHES                                                            \
	"SELECT id FROM batches WHERE state != 0 ORDER BY id DESC "            \
	"LIMIT -1 OFFSET ?1"
#define OLD_TASKS                                                              \
	"SELECT id FROM tasks WHERE state >= 9 ORDER BY id DESC "              \
	"LIMIT -1 OFFSET ?1"
/* The changes of batch ?1 that bind to a specific vPPB. */
#define BATCH_SLOTS "c.batch = ?1 AND c.bind = 1 AND c.vppb >= 0"

static const char *const store_sql[STMT_COUNT] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_BEGIN_READ] = "BEGIN",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_SAVEPOINT] = "SAVEPOINT store_op",
	[STMT_RELEASE] = "RELEASE store_op",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO store_op",
	[STMT_GROUP_SAVEPOINT] = "SAVEPOINT store_group",
	[STMT_GROUP_RELEASE] = "RELEASE store_group",
	[STMT_GROUP_ROLLBACK_TO] = "ROLLBACK TO store_group",
	[STMT_GENERATION_NEXT] = "UPDATE meta SET value = value + 1"
				 " WHERE key = 'generation' RETURNING value",
	[STMT_BINDING_GET] = "SELECT partition, vppb, generation FROM bindings"
			     " WHERE fid = ?1",
	[STMT_BINDING_PUT] =
		"INSERT INTO bindings(fid, partition, vppb, generation)"
		" VALUES(?1, ?2, ?3, ?4) ON CONFLICT(fid) DO UPDATE SET"
		" partition = excluded.partition, vppb = excluded.vppb,"
		" generation = excluded.generation",
	[STMT_BINDING_DELETE] = "DELETE FROM bindings WHERE fid = ?1",
	[STMT_BINDING_LIST] = "SELECT fid, partition, vppb, generation"
			      " FROM bindings ORDER BY fid",
	[STMT_BINDING_AT] = "SELECT fid FROM bindings WHERE partition = ?1"
			    " AND vppb = ?2 AND vppb >= 0",
	[STMT_MOVE_OF_FID] = "SELECT id FROM moves WHERE fid = ?1"
			     " AND phase < 4",
	[STMT_MOVE_AT_SLOT] = "SELECT id, fid FROM moves"
			      " WHERE dst_partition = ?1 AND dst_vppb = ?2"
			      " AND phase < 4",
	[STMT_BATCH_OF_FID] = "SELECT b.id FROM batch_changes c"
			      " JOIN batches b ON b.id = c.batch"
			      " WHERE c.fid = ?1 AND b.state = 0",
	[STMT_BATCH_AT_SLOT] = "SELECT b.id, c.fid FROM batch_changes c"
			       " JOIN batches b ON b.id = c.batch"
			       " WHERE c.partition = ?1 AND c.vppb = ?2"
			       " AND c.bind = 1 AND b.state = 0",
	[STMT_MOVE_INSERT] =
		"INSERT INTO moves(fid, src_partition, src_vppb,"
		" dst_partition, dst_vppb, phase, task, created_ms,"
		" updated_ms, error) VALUES(?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?7,"
		" '')",
	[STMT_MOVE_GET] = "SELECT " MOVE_COLS " FROM moves WHERE id = ?1",
	[STMT_MOVE_GET_ACTIVE] = "SELECT " MOVE_COLS " FROM moves"
				 " WHERE fid = ?1 AND phase < 4",
	[STMT_MOVE_UPDATE] = "UPDATE moves SET phase = ?2, dst_vppb = ?3,"
			     " updated_ms = ?4, error = ?5 WHERE id = ?1",
	[STMT_MOVE_LIST_ACTIVE] = "SELECT " MOVE_COLS " FROM moves"
				  " WHERE phase < 4 ORDER BY id",
	[STMT_MOVE_PRUNE] = "DELETE FROM moves WHERE id IN (" OLD_MOVES ")",
	[STMT_BATCH_INSERT] = "INSERT INTO batches(state, task, created_ms,"
			      " updated_ms) VALUES(0, ?1, ?2, ?2)",
	[STMT_BATCH_CHANGE_INSERT] =
		"INSERT INTO batch_changes(batch, seq, fid, bind, partition,"
		" vppb, was_bound, old_partition, old_vppb)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
		" EXISTS(SELECT 1 FROM bindings WHERE fid = ?3),"
		" COALESCE((SELECT partition FROM bindings WHERE fid = ?3), 0),"
		" COALESCE((SELECT vppb FROM bindings WHERE fid = ?3), -1))",
	[STMT_BATCH_CHECK_UNBOUND] = "SELECT fid, 'not bound, cannot unbind'"
				     " FROM batch_changes WHERE batch = ?1"
				     " AND bind = 0 AND was_bound = 0 LIMIT 1",
	[STMT_BATCH_CHECK_FID_MOVING] =
		"SELECT c.fid, format('being moved (move %d)', m.id)"
		" FROM batch_changes c"
		" JOIN moves m ON m.fid = c.fid AND m.phase < 4"
		" WHERE c.batch = ?1 LIMIT 1",
	[STMT_BATCH_CHECK_FID_BATCHED] =
		"SELECT c.fid, format('in batch %d, still applying', o.batch)"
		" FROM batch_changes c"
		" JOIN batch_changes o ON o.fid = c.fid AND o.batch != c.batch"
		" JOIN batches b ON b.id = o.batch AND b.state = 0"
		" WHERE c.batch = ?1 LIMIT 1",
	[STMT_BATCH_CHECK_SLOT_TWICE] =
		"SELECT c.fid, format('partition %d vPPB %d is also the target"
		" of fid 0x%08x in this batch', c.partition, c.vppb, o.fid)"
		" FROM batch_changes c"
		" JOIN batch_changes o ON o.batch = c.batch AND o.seq > c.seq"
		" AND o.bind = 1 AND o.partition = c.partition"
		" AND o.vppb = c.vppb WHERE " BATCH_SLOTS " LIMIT 1",
	[STMT_BATCH_CHECK_SLOT_BOUND] =
		"SELECT c.fid, format('partition %d vPPB %d is bound to fid"
		" 0x%08x', c.partition, c.vppb, b.fid) FROM batch_changes c"
		" JOIN bindings b ON b.partition = c.partition"
		" AND b.vppb = c.vppb AND b.vppb >= 0"
		" WHERE " BATCH_SLOTS " AND b.fid NOT IN"
		" (SELECT fid FROM batch_changes WHERE batch = ?1) LIMIT 1",
	[STMT_BATCH_CHECK_SLOT_MOVE] =
		"SELECT c.fid, format('partition %d vPPB %d is reserved by"
		" move %d', c.partition, c.vppb, m.id) FROM batch_changes c"
		" JOIN moves m ON m.dst_partition = c.partition"
		" AND m.dst_vppb = c.vppb AND m.phase < 4"
		" WHERE " BATCH_SLOTS " LIMIT 1",
	[STMT_BATCH_CHECK_SLOT_BATCH] =
		"SELECT c.fid, format('partition %d vPPB %d is reserved by"
		" batch %d', c.partition, c.vppb, o.batch)"
		" FROM batch_changes c"
		" JOIN batch_changes o ON o.partition = c.partition"
		" AND o.vppb = c.vppb AND o.bind = 1 AND o.batch != c.batch"
		" JOIN batches b ON b.id = o.batch AND b.state = 0"
		" WHERE " BATCH_SLOTS " LIMIT 1",
	[STMT_BATCH_GET] = "SELECT state, task, created_ms, updated_ms"
			   " FROM batches WHERE id = ?1",
	[STMT_BATCH_CHANGES] = "SELECT fid, bind, partition, vppb, was_bound,"
			       " old_partition, old_vppb FROM batch_changes"
			       " WHERE batch = ?1 ORDER BY seq",
	[STMT_BATCH_APPLY_DELETE] = "DELETE FROM bindings WHERE fid IN"
				    " (SELECT fid FROM batch_changes"
				    " WHERE batch = ?1)",
	[STMT_BATCH_APPLY_INSERT] =
		"INSERT INTO bindings(fid, partition, vppb, generation)"
		" SELECT fid, partition, vppb, ?2 FROM batch_changes"
		" WHERE batch = ?1 AND bind = 1",
	[STMT_BATCH_SET_STATE] = "UPDATE batches SET state = ?2,"
				 " updated_ms = ?3 WHERE id = ?1",
	[STMT_BATCH_LIST_ACTIVE] = "SELECT id FROM batches WHERE state = 0"
				   " ORDER BY id",
	[STMT_BATCH_PRUNE_CHANGES] = "DELETE FROM batch_changes WHERE batch IN"
				     " (" OLD_BATCHES ")",
	[STMT_BATCH_PRUNE] =
		"DELETE FROM batches WHERE id IN (" OLD_BATCHES ")",
	[STMT_TASK_INSERT] =
		"INSERT INTO tasks(state, percent, method, target_uri, body,"
		" result, start_ms, end_ms) VALUES(0, 0, ?1, ?2, ?3, NULL, ?4,"
		" 0)",
	[STMT_TASK_GET] = "SELECT state, percent, start_ms, end_ms, method,"
			  " target_uri, body, result FROM tasks WHERE id = ?1",
	[STMT_TASK_STATE] = "SELECT state FROM tasks WHERE id = ?1",
	[STMT_TASK_UPDATE] =
		"UPDATE tasks SET state = ?2,"
		" percent = CASE WHEN ?3 < 0 THEN percent ELSE ?3 END,"
		" result = COALESCE(?4, result), end_ms = ?5 WHERE id = ?1",
	[STMT_TASK_MSG_INSERT] =
		"INSERT INTO task_messages(task, seq, text) VALUES(?1,"
		" (SELECT COALESCE(MAX(seq), 0) + 1 FROM task_messages"
		" WHERE task = ?1), ?2)",
	[STMT_TASK_MSG_TRIM] = "DELETE FROM task_messages WHERE task = ?1"
			       " AND seq <= (SELECT MAX(seq) FROM task_messages"
			       " WHERE task = ?1) - ?2",
	[STMT_TASK_MSG_LIST] = "SELECT text FROM task_messages WHERE task = ?1"
			       " ORDER BY seq",
	[STMT_TASK_MSG_DELETE] = "DELETE FROM task_messages WHERE task = ?1",
	[STMT_TASK_DELETE] = "DELETE FROM tasks WHERE id = ?1",
	[STMT_TASK_LIST] = "SELECT id FROM tasks ORDER BY id",
	[STMT_TASK_LIST_ACTIVE] = "SELECT id FROM tasks WHERE state < 9"
				  " ORDER BY id",
	[STMT_TASK_PRUNE_MSGS] = "DELETE FROM task_messages WHERE task IN"
				 " (" OLD_TASKS ")",
	[STMT_TASK_PRUNE] = "DELETE FROM tasks WHERE id IN (" OLD_TASKS ")",
	[STMT_EVENT_INSERT] = "INSERT INTO events(type, payload, time_ms)"
			      " VALUES(?1, ?2, ?3)",
	[STMT_EVENT_PRUNE] = "DELETE FROM events WHERE id <= ?1",
	[STMT_EVENT_READ] = "SELECT id, type, payload, time_ms FROM events"
			    " WHERE id > ?1 ORDER BY id LIMIT ?2",
	[STMT_EVENT_OLDEST] = "SELECT MIN(id) FROM events",
	[STMT_EVENT_LAST] = "SELECT seq FROM sqlite_sequence"
			    " WHERE name = 'events'",
};

struct mgmt_store {
	sqlite3 *db;
	char *path;
	struct mgmt_store_opts opts;
	bool in_group;	   /* inside mgmt_store_txn_begin() */
	bool deferred;	   /* mgmt_store_defer(): writes join the round */
	bool round;	   /* the round's transaction is open */
	bool flush_wanted; /* commit the round when the group ends */
	bool flush_asked;  /* mgmt_store_flush_request() */
	unsigned prune_wait[STMT_COUNT]; /* store_prune() calls skipped */
	unsigned nwatch;
	struct {
		mgmt_store_watch_fn *fn;
		void *ctx;
	} watch[MGMT_STORE_WATCH_MAX];
	bool group_broken; /* SQLite dropped the group's transaction */
	int prep_code;	   /* fm code of the last failed prepare */
	sqlite3_stmt *stmt[STMT_COUNT];
	sqlite3_stmt *ext_stmt[MGMT_STORE_EXT_STMTS]; /* store_int.h */
};

/* ------------------------------------------------------------------ */
/* Errors, statements, transactions                                   */

/* SQLite primary result codes -> fm codes; anything else is I/O. */
static const struct {
	int sqlite;
	int code;
} store_rc_map[] = {
	{ SQLITE_NOTADB, FM_EPARSE },	  { SQLITE_CORRUPT, FM_EPARSE },
	{ SQLITE_BUSY, FM_EBUSY },	  { SQLITE_LOCKED, FM_EBUSY },
	{ SQLITE_NOMEM, FM_ENOMEM },	  { SQLITE_FULL, FM_ENOSPC },
	{ SQLITE_CONSTRAINT, FM_EEXIST }, { SQLITE_TOOBIG, FM_ERANGE },
	{ SQLITE_RANGE, FM_ERANGE },
};

static int store_code(int rc)
{
	for (size_t i = 0; i < FM_ARRAY_SIZE(store_rc_map); i++)
		if (store_rc_map[i].sqlite == (rc & 0xff))
			return store_rc_map[i].code;
	return FM_EIO;
}

/* Record SQLite failure @rc of step @what, naming the file. */
static int store_fail(struct mgmt_store *st, struct fm_err *err, int rc,
		      const char *what)
{
	const char *msg = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);

	return fm_err_set(err, store_code(rc), "store %s: %s: %s", st->path,
			  what, msg);
}

static int64_t store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The cached statement @id, prepared on first use; NULL on failure. */
static sqlite3_stmt *store_stmt(struct mgmt_store *st, enum store_stmt id,
				struct fm_err *err)
{
	int rc;

	if (st->stmt[id])
		return st->stmt[id];
	rc = sqlite3_prepare_v3(st->db, store_sql[id], -1,
				SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL);
	if (rc != SQLITE_OK) {
		st->prep_code =
			-store_fail(st, err, rc, "preparing a statement");
		return NULL;
	}
	return st->stmt[id];
}

/* The result of a call whose store_stmt() returned NULL. */
static int store_prep_failed(struct mgmt_store *st)
{
	return -st->prep_code;
}

/* Make @s ready for its next use (NULL is fine). */
static void store_stmt_put(sqlite3_stmt *s)
{
	if (!s)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/*
 * Binding cannot fail here: every index is a constant of the SQL text and
 * every text is capped far below SQLITE_LIMIT_LENGTH, so a failure is a
 * programmer error.
 */
static void store_bind_i64(sqlite3_stmt *s, int idx, int64_t v)
{
	int rc = sqlite3_bind_int64(s, idx, v);

	assert(rc == SQLITE_OK);
	(void)rc;
}

static void store_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
	int rc = v ? sqlite3_bind_text(s, idx, v, -1, SQLITE_STATIC)
		   : sqlite3_bind_null(s, idx);

	assert(rc == SQLITE_OK);
	(void)rc;
}

/*
 * Step @s once.  Returns 1 for a row, 0 when done, or a negative code
 * (recorded in @err as failure of @what).
 */
static int store_step(struct mgmt_store *st, sqlite3_stmt *s, const char *what,
		      struct fm_err *err)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_fail(st, err, rc, what);
}

/* Run @s (bound by the caller) to completion and reset it. */
static int store_exec(struct mgmt_store *st, sqlite3_stmt *s, const char *what,
		      struct fm_err *err)
{
	int ret;

	do
		ret = store_step(st, s, what, err);
	while (ret == 1);
	store_stmt_put(s);
	return ret;
}

/* Run the parameterless statement @id. */
static int store_run(struct mgmt_store *st, enum store_stmt id,
		     const char *what, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);

	if (!s)
		return store_prep_failed(st);
	return store_exec(st, s, what, err);
}

/* The statement @id with parameter ?1 bound to @v1, or NULL. */
static sqlite3_stmt *store_stmt1(struct mgmt_store *st, enum store_stmt id,
				 int64_t v1, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);

	if (s)
		store_bind_i64(s, 1, v1);
	return s;
}

/* ------------------------------------------------------------------ */
/* Rounds: deferred durability (mgmt_store_defer())                   */

static void store_notify(struct mgmt_store *st, enum mgmt_store_news what)
{
	for (unsigned i = 0; i < st->nwatch; i++)
		st->watch[i].fn(st->watch[i].ctx, what);
}

/* Open the round unless one is open: the transaction every write joins. */
static int store_round_open(struct mgmt_store *st, struct fm_err *err)
{
	int ret;

	if (st->round)
		return 0;
	ret = store_run(st, STMT_BEGIN, "begin transaction", err);
	if (ret == 0) {
		st->round = true;
		store_notify(st, MGMT_STORE_ROUND_OPENED);
	}
	return ret;
}

/*
 * SQLite rolled the round's transaction back by itself (some I/O
 * errors do): everything since the last commit is gone.
 */
static void store_round_lost(struct mgmt_store *st)
{
	st->round = false;
	st->flush_wanted = false;
	st->flush_asked = false;
	if (st->in_group)
		st->group_broken = true;
	store_notify(st, MGMT_STORE_ABORTED);
}

/* Commit the open round durably (one fsync), or drop all of it. */
static int store_round_commit(struct mgmt_store *st, struct fm_err *err)
{
	int ret = store_run(st, STMT_COMMIT, "commit", err);

	if (ret < 0 && !sqlite3_get_autocommit(st->db))
		store_run(st, STMT_ROLLBACK, "rollback", NULL);
	st->round = false;
	st->flush_wanted = false;
	st->flush_asked = false;
	store_notify(st, ret == 0 ? MGMT_STORE_COMMITTED : MGMT_STORE_ABORTED);
	return ret;
}

/* Inside a transaction of someone else: a call takes a savepoint. */
static bool store_nested(const struct mgmt_store *st)
{
	return st->in_group || st->round;
}

/*
 * Open the transaction of one call: BEGIN (IMMEDIATE when it writes, so a
 * busy database fails here rather than at commit) or, inside a group or
 * a round, a savepoint.  A write in deferred mode opens the round.
 */
static int store_op_begin(struct mgmt_store *st, bool write, struct fm_err *err)
{
	int ret;

	if (st->in_group && st->group_broken)
		return fm_err_set(err, FM_ESTATE,
				  "store %s: transaction group was "
				  "aborted by an earlier error",
				  st->path);
	if (write && st->deferred) {
		ret = store_round_open(st, err);
		if (ret < 0)
			return ret;
	}
	if (store_nested(st))
		return store_run(st, STMT_SAVEPOINT, "savepoint", err);
	return store_run(st, write ? STMT_BEGIN : STMT_BEGIN_READ,
			 "begin transaction", err);
}

/*
 * Close the transaction of one call: commit (durably, unless inside a
 * group or round) when @ret is 0, else undo everything the call did.
 * SQLite itself rolls a transaction back after some I/O errors; then
 * there is nothing left to undo, a group is marked broken and a round is
 * lost.  Returns the call's final result.
 */
static int store_op_end(struct mgmt_store *st, int ret, struct fm_err *err)
{
	bool nested = store_nested(st);

	if (ret == 0) {
		ret = store_run(st, nested ? STMT_RELEASE : STMT_COMMIT,
				"commit", err);
		if (ret == 0)
			return 0;
	}
	if (sqlite3_get_autocommit(st->db)) {
		if (st->round)
			store_round_lost(st);
		else if (st->in_group)
			st->group_broken = true;
		return ret;
	}
	if (nested) {
		if (store_run(st, STMT_ROLLBACK_TO, "rollback", NULL) ||
		    store_run(st, STMT_RELEASE, "rollback", NULL))
			st->group_broken = st->in_group;
	} else {
		store_run(st, STMT_ROLLBACK, "rollback", NULL);
	}
	return ret;
}

int mgmt_store_txn_begin(struct mgmt_store *st, struct fm_err *err)
{
	int ret;

	if (!st)
		return fm_err_set(err, FM_EINVAL, "store: no store");
	if (st->in_group)
		return fm_err_set(err, FM_ESTATE,
				  "store %s: transaction groups do not nest",
				  st->path);
	if (st->deferred) {
		ret = store_round_open(st, err);
		if (ret == 0)
			ret = store_run(st, STMT_GROUP_SAVEPOINT, "savepoint",
					err);
	} else {
		ret = store_run(st, STMT_BEGIN, "begin transaction", err);
	}
	if (ret == 0) {
		st->in_group = true;
		st->group_broken = false;
		store_notify(st, MGMT_STORE_GROUP_BEGIN);
	}
	return ret;
}

/* Undo the group inside the open round; a failure loses the round. */
static void store_group_undo(struct mgmt_store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return; /* already gone with the round */
	if (store_run(st, STMT_GROUP_ROLLBACK_TO, "rollback", NULL) ||
	    store_run(st, STMT_GROUP_RELEASE, "rollback", NULL)) {
		store_run(st, STMT_ROLLBACK, "rollback", NULL);
		store_round_lost(st);
	}
}

int mgmt_store_txn_commit(struct mgmt_store *st, struct fm_err *err)
{
	int ret;

	if (!st || !st->in_group)
		return fm_err_set(err, FM_ESTATE,
				  "store: no transaction group");
	if (st->group_broken) {
		ret = fm_err_set(err, FM_EIO,
				 "store %s: transaction group was aborted by "
				 "an earlier error; nothing was committed",
				 st->path);
		if (st->round) {
			store_group_undo(st);
			store_notify(st, MGMT_STORE_GROUP_ROLLBACK);
		} else {
			if (!sqlite3_get_autocommit(st->db))
				store_run(st, STMT_ROLLBACK, "rollback", NULL);
			store_notify(st, MGMT_STORE_ABORTED);
		}
		st->in_group = false;
		st->group_broken = false;
		return ret;
	}
	if (st->round) {
		/* deferred: the group joins the round, durable at its flush */
		ret = store_run(st, STMT_GROUP_RELEASE, "release", err);
		st->in_group = false;
		if (ret < 0) {
			store_group_undo(st);
			store_notify(st, MGMT_STORE_GROUP_ROLLBACK);
			return ret;
		}
		if (st->flush_wanted)
			ret = store_round_commit(st, err);
		return ret;
	}
	ret = store_run(st, STMT_COMMIT, "commit", err);
	if (ret && !sqlite3_get_autocommit(st->db))
		store_run(st, STMT_ROLLBACK, "rollback", NULL);
	st->in_group = false;
	st->group_broken = false;
	store_notify(st, ret == 0 ? MGMT_STORE_COMMITTED : MGMT_STORE_ABORTED);
	return ret;
}

void mgmt_store_txn_rollback(struct mgmt_store *st)
{
	if (!st || !st->in_group)
		return;
	if (st->round)
		store_group_undo(st);
	else if (!sqlite3_get_autocommit(st->db))
		store_run(st, STMT_ROLLBACK, "rollback", NULL);
	st->in_group = false;
	st->group_broken = false;
	store_notify(st, MGMT_STORE_GROUP_ROLLBACK);
}

int mgmt_store_defer(struct mgmt_store *st, bool on, struct fm_err *err)
{
	int ret = 0;

	if (!on && st->round) {
		if (st->in_group)
			return fm_err_set(err, FM_ESTATE,
					  "store %s: a transaction group is "
					  "open",
					  st->path);
		ret = store_round_commit(st, err);
	}
	st->deferred = on;
	return ret;
}

int mgmt_store_flush(struct mgmt_store *st, struct fm_err *err)
{
	if (!st || !st->round)
		return 0;
	if (st->in_group) {
		st->flush_wanted = true;
		return 0;
	}
	return store_round_commit(st, err);
}

void mgmt_store_flush_request(struct mgmt_store *st)
{
	if (st && st->round)
		st->flush_asked = true;
}

bool mgmt_store_flush_requested(const struct mgmt_store *st)
{
	return st && st->round && st->flush_asked;
}

bool mgmt_store_pending(const struct mgmt_store *st)
{
	return st && store_nested(st);
}

int mgmt_store_watch(struct mgmt_store *st, mgmt_store_watch_fn *fn, void *ctx,
		     struct fm_err *err)
{
	if (st->nwatch == MGMT_STORE_WATCH_MAX)
		return fm_err_set(err, FM_ENOSPC,
				  "store %s: %u watchers already", st->path,
				  MGMT_STORE_WATCH_MAX);
	st->watch[st->nwatch].fn = fn;
	st->watch[st->nwatch].ctx = ctx;
	st->nwatch++;
	return 0;
}

void mgmt_store_unwatch(struct mgmt_store *st, mgmt_store_watch_fn *fn,
			void *ctx)
{
	for (unsigned i = 0; st && i < st->nwatch; i++) {
		if (st->watch[i].fn != fn || st->watch[i].ctx != ctx)
			continue;
		st->watch[i] = st->watch[--st->nwatch];
		return;
	}
}

/* ------------------------------------------------------------------ */
/* Open, schema, close                                                */

/*
 * WAL pages between checkpoints: SQLite's default of 1000 counts pages,
 * and the pages of a new database are 1 KiB (store_open): 4096 of them
 * keep the 4 MiB SQLite means.
 */
#define STORE_CHECKPOINT_PAGES "4096"

/* Run one-row PRAGMA @sql (no parameters) and return column 0. */
static int store_pragma(struct mgmt_store *st, const char *sql, int64_t *num,
			char *text, size_t text_len, struct fm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		ret = store_fail(st, err, rc, "reading the database header");
		goto out;
	}
	if (num)
		*num = sqlite3_column_int64(s, 0);
	if (text) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		snprintf(text, text_len, "%s", t ? (const char *)t : "");
	}
out:
	sqlite3_finalize(s);
	return ret;
}

/*
 * Decide whether the file can be used: an empty database (version 0, no
 * tables), or mrfabricd's at this or an older version.
 */
static int store_check_identity(int64_t *version, struct mgmt_store *st,
				struct fm_err *err)
{
	int64_t app_id, tables;
	int ret;

	ret = store_pragma(st, "PRAGMA application_id", &app_id, NULL, 0, err);
	if (ret == 0)
		ret = store_pragma(st, "PRAGMA user_version", version, NULL, 0,
				   err);
	if (ret == 0)
		ret = store_pragma(st, "SELECT count(*) FROM sqlite_schema",
				   &tables, NULL, 0, err);
	if (ret)
		return ret;
	if (app_id != 0 && app_id != MGMT_STORE_APPLICATION_ID)
		return fm_err_set(err, FM_ESCHEMA,
				  "store %s: not an mrfabricd database "
				  "(application_id 0x%08" PRIx64 ")",
				  st->path, (uint64_t)app_id & 0xffffffffu);
	if (app_id == 0 && (*version != 0 || tables != 0))
		return fm_err_set(err, FM_ESCHEMA,
				  "store %s: not an mrfabricd database "
				  "(%" PRId64 " tables, schema version %" PRId64
				  ", no mrfabricd application id)",
				  st->path, tables, *version);
	if (*version > MGMT_STORE_SCHEMA_VERSION)
		return fm_err_set(err, FM_EUNSUPP,
				  "store %s: schema version %" PRId64
				  " is newer than this mrfabricd supports (%d)",
				  st->path, *version,
				  MGMT_STORE_SCHEMA_VERSION);
	if (*version < 0)
		return fm_err_set(err, FM_ESCHEMA,
				  "store %s: invalid schema version %" PRId64,
				  st->path, *version);
	return 0;
}

/*
 * Apply the migrations from the current version on, all in one write
 * transaction.  The version is read again under the write lock: another
 * process opening the same new file may have migrated it meanwhile.
 */
static int store_migrate(struct mgmt_store *st, struct fm_err *err)
{
	int64_t version = 0;
	char *msg = NULL;
	int rc, ret;

	ret = store_run(st, STMT_BEGIN, "begin migration", err);
	if (ret)
		return ret;
	ret = store_pragma(st, "PRAGMA user_version", &version, NULL, 0, err);
	for (int64_t v = version; !ret && v < MGMT_STORE_SCHEMA_VERSION; v++) {
		rc = sqlite3_exec(st->db, store_migrations[v], NULL, NULL,
				  &msg);
		if (rc != SQLITE_OK) {
			ret = fm_err_set(err, store_code(rc),
					 "store %s: migrating schema version "
					 "%" PRId64 " to %" PRId64 ": %s",
					 st->path, v, v + 1,
					 msg ? msg : sqlite3_errstr(rc));
			sqlite3_free(msg);
		}
	}
	return store_op_end(st, ret, err);
}

static int store_check_opts(struct mgmt_store_opts *out,
			    const struct mgmt_store_opts *in, const char *path,
			    struct fm_err *err)
{
	static const struct mgmt_store_opts zero;
	const struct mgmt_store_opts *o = in ? in : &zero;

	if (o->event_retention > MGMT_STORE_HISTORY_MAX ||
	    o->task_history > MGMT_STORE_HISTORY_MAX ||
	    o->intent_history > MGMT_STORE_HISTORY_MAX)
		return fm_err_set(err, FM_ERANGE,
				  "store %s: history bounds %u/%u/%u: each "
				  "must be at most %u",
				  path, o->event_retention, o->task_history,
				  o->intent_history, MGMT_STORE_HISTORY_MAX);
	out->event_retention =
		o->event_retention ? o->event_retention : STORE_DEFAULT_EVENTS;
	out->task_history =
		o->task_history ? o->task_history : STORE_DEFAULT_TASKS;
	out->intent_history =
		o->intent_history ? o->intent_history : STORE_DEFAULT_INTENTS;
	return 0;
}

int mgmt_store_open_opts(struct mgmt_store **out, const char *path,
			 const struct mgmt_store_opts *opts, struct fm_err *err)
{
	struct mgmt_store *st = NULL;
	char text[64];
	int64_t version = 0;
	bool memory;
	int rc, ret;

	if (!out || !path || !*path)
		return fm_err_set(err, FM_EINVAL, "store: no database path");
	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return fm_err_set(err, FM_ENOMEM, "store %s: out of memory",
				  path);
	st->path = strdup(path);
	if (!st->path) {
		ret = fm_err_set(err, FM_ENOMEM, "store %s: out of memory",
				 path);
		goto fail;
	}
	ret = store_check_opts(&st->opts, opts, path, err);
	if (ret)
		goto fail;
	memory = strcmp(path, ":memory:") == 0;
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, err, rc, "opening");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, MGMT_STORE_BUSY_MS);
	ret = store_check_identity(&version, st, err);
	if (ret)
		goto fail;
	ret = store_pragma(st, "PRAGMA quick_check(1)", NULL, text,
			   sizeof(text), err);
	if (ret == 0 && strcmp(text, "ok") != 0)
		ret = fm_err_set(err, FM_EPARSE,
				 "store %s: database is corrupt: %s", path,
				 text);
	if (ret)
		goto fail;
	/*
	 * A new database gets 1 KiB pages (an existing one keeps its own):
	 * a commit writes every page it dirtied to the WAL and the rows
	 * here are small, so 4 KiB pages wrote four times the bytes for the
	 * same changes, and on ordinary disks an fsync costs by the byte.
	 */
	if (version == 0 && sqlite3_exec(st->db, "PRAGMA page_size = 1024",
					 NULL, NULL, NULL) != SQLITE_OK)
		FM_LOG(FM_LOG_WARN, "store %s: keeping SQLite's page size",
		       path);
	ret = store_pragma(st, "PRAGMA journal_mode = WAL", NULL, text,
			   sizeof(text), err);
	if (ret == 0 && strcmp(text, memory ? "memory" : "wal") != 0)
		ret = fm_err_set(err, FM_EIO,
				 "store %s: cannot use a write-ahead log "
				 "(journal mode stays %s)",
				 path, text);
	if (ret)
		goto fail;
	/*
	 * Temporary tables and indices (the IN lists of history pruning)
	 * stay in memory: they are a few rows, and a temporary file costs
	 * an open, an unlink and a close each time.
	 */
	rc = sqlite3_exec(
		st->db,
		"PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;"
		" PRAGMA wal_autocheckpoint = " STORE_CHECKPOINT_PAGES,
		NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		ret = store_fail(st, err, rc, "setting synchronous=FULL");
		goto fail;
	}
	if (version < MGMT_STORE_SCHEMA_VERSION) {
		ret = store_migrate(st, err);
		if (ret)
			goto fail;
	}
	*out = st;
	return 0;
fail:
	mgmt_store_close(st);
	return ret;
}

int mgmt_store_open(struct mgmt_store **out, const char *path,
		    struct fm_err *err)
{
	return mgmt_store_open_opts(out, path, NULL, err);
}

void mgmt_store_close(struct mgmt_store *st)
{
	if (!st)
		return;
	mgmt_store_txn_rollback(st);
	if (st->round) /* what the round holds is consistent: keep it */
		store_round_commit(st, NULL);
	for (size_t i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (size_t i = 0; i < MGMT_STORE_EXT_STMTS; i++)
		sqlite3_finalize(st->ext_stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/* ------------------------------------------------------------------ */
/* Shared checks                                                      */

static int store_check_fid(uint32_t fid, struct fm_err *err)
{
	if (fid == SW_FID_NONE)
		return fm_err_set(err, FM_EINVAL,
				  "store: fid 0x%08x is not a function", fid);
	return 0;
}

static int store_check_vppb(int32_t vppb, struct fm_err *err)
{
	if (vppb != MGMT_VPPB_ANY && (vppb < 0 || vppb >= SW_MAX_VPPBS))
		return fm_err_set(err, FM_EINVAL,
				  "store: vPPB %d out of range (0..%d or any)",
				  vppb, SW_MAX_VPPBS - 1);
	return 0;
}

/* @text, when given, must be at most @max bytes long. */
static int store_check_text(const char *what, const char *text, size_t max,
			    struct fm_err *err)
{
	size_t len;

	if (!text)
		return 0;
	len = strnlen(text, max + 1);
	if (len > max)
		return fm_err_set(err, FM_ERANGE,
				  "store: %s longer than %zu bytes", what, max);
	return 0;
}

/* Read the first integer column of the single row of @s, if any. */
static int store_query_id(bool *found, uint64_t *id, uint64_t *id2,
			  struct mgmt_store *st, sqlite3_stmt *s,
			  const char *what, struct fm_err *err)
{
	int ret = store_step(st, s, what, err);

	*found = ret == 1;
	if (ret == 1) {
		*id = (uint64_t)sqlite3_column_int64(s, 0);
		if (id2)
			*id2 = (uint64_t)sqlite3_column_int64(s, 1);
		ret = 0;
	}
	store_stmt_put(s);
	return ret;
}

/* The desired binding of @fid, if any (*found). */
static int store_binding_load(struct mgmt_store_binding *out, bool *found,
			      struct mgmt_store *st, uint32_t fid,
			      struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, STMT_BINDING_GET, fid, err);
	int ret;

	if (!s)
		return store_prep_failed(st);
	ret = store_step(st, s, "reading a binding", err);
	*found = ret == 1;
	if (ret == 1) {
		out->fid = fid;
		out->partition = (uint32_t)sqlite3_column_int64(s, 0);
		out->vppb = (int32_t)sqlite3_column_int64(s, 1);
		out->generation = (uint64_t)sqlite3_column_int64(s, 2);
		ret = 0;
	}
	store_stmt_put(s);
	return ret;
}

/* -FM_EBUSY when @fid is in an unfinished move or batch. */
static int store_fid_idle(struct mgmt_store *st, uint32_t fid,
			  struct fm_err *err)
{
	sqlite3_stmt *s;
	uint64_t id;
	bool found;
	int ret;

	s = store_stmt1(st, STMT_MOVE_OF_FID, fid, err);
	if (!s)
		return store_prep_failed(st);
	ret = store_query_id(&found, &id, NULL, st, s, "checking moves", err);
	if (ret)
		return ret;
	if (found)
		return fm_err_set(err, FM_EBUSY,
				  "fid 0x%08x is being moved (move %" PRIu64
				  ")",
				  fid, id);
	s = store_stmt1(st, STMT_BATCH_OF_FID, fid, err);
	if (!s)
		return store_prep_failed(st);
	ret = store_query_id(&found, &id, NULL, st, s, "checking batches", err);
	if (ret)
		return ret;
	if (found)
		return fm_err_set(err, FM_EBUSY,
				  "fid 0x%08x is in batch %" PRIu64
				  ", still applying",
				  fid, id);
	return 0;
}

/*
 * Check that @partition / @vppb (a specific vPPB) can receive @fid: no
 * other function's desired binding is there (-FM_EEXIST) and no
 * unfinished move or batch of another function targets it (-FM_EBUSY).
 */
static int store_slot_free(struct mgmt_store *st, uint32_t partition,
			   int32_t vppb, uint32_t fid, struct fm_err *err)
{
	sqlite3_stmt *s;
	uint64_t id, other;
	bool found;
	int ret;

	s = store_stmt1(st, STMT_BINDING_AT, partition, err);
	if (!s)
		return store_prep_failed(st);
	store_bind_i64(s, 2, vppb);
	ret = store_query_id(&found, &other, NULL, st, s, "checking a vPPB",
			     err);
	if (ret)
		return ret;
	if (found && other != fid)
		return fm_err_set(err, FM_EEXIST,
				  "partition %u vPPB %d is bound to fid "
				  "0x%08x",
				  partition, vppb, (uint32_t)other);
	s = store_stmt1(st, STMT_MOVE_AT_SLOT, partition, err);
	if (!s)
		return store_prep_failed(st);
	store_bind_i64(s, 2, vppb);
	ret = store_query_id(&found, &id, &other, st, s, "checking moves", err);
	if (ret)
		return ret;
	if (found && other != fid)
		return fm_err_set(err, FM_EBUSY,
				  "partition %u vPPB %d is reserved by move "
				  "%" PRIu64 " of fid 0x%08x",
				  partition, vppb, id, (uint32_t)other);
	s = store_stmt1(st, STMT_BATCH_AT_SLOT, partition, err);
	if (!s)
		return store_prep_failed(st);
	store_bind_i64(s, 2, vppb);
	ret = store_query_id(&found, &id, &other, st, s, "checking batches",
			     err);
	if (ret)
		return ret;
	if (found && other != fid)
		return fm_err_set(err, FM_EBUSY,
				  "partition %u vPPB %d is reserved by batch "
				  "%" PRIu64 " for fid 0x%08x",
				  partition, vppb, id, (uint32_t)other);
	return 0;
}

/* Take the next store-wide generation. */
static int store_generation_next(uint64_t *gen, struct mgmt_store *st,
				 struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt(st, STMT_GENERATION_NEXT, err);
	int ret;

	if (!s)
		return store_prep_failed(st);
	ret = store_step(st, s, "taking a generation", err);
	if (ret == 1) {
		*gen = (uint64_t)sqlite3_column_int64(s, 0);
		ret = store_exec(st, s, "taking a generation", err);
	} else if (ret == 0) {
		ret = fm_err_set(err, FM_EIO,
				 "store %s: generation counter missing",
				 st->path);
	}
	store_stmt_put(s);
	return ret;
}

static int store_binding_put(struct mgmt_store *st, uint32_t fid,
			     uint32_t partition, int32_t vppb, uint64_t gen,
			     struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, STMT_BINDING_PUT, fid, err);

	if (!s)
		return store_prep_failed(st);
	store_bind_i64(s, 2, partition);
	store_bind_i64(s, 3, vppb);
	store_bind_i64(s, 4, (int64_t)gen);
	return store_exec(st, s, "writing a binding", err);
}

/*
 * Run the DELETE @id with ?1 = @limit (history pruning).  The statement
 * walks the newest @limit finished rows to find the older ones, so a
 * large bound is kept in steps: it runs once every limit/16 + 1 calls,
 * and between runs the history holds up to limit/16 rows more (a bound
 * below 16 is kept exactly).
 */
static int store_prune(struct mgmt_store *st, enum store_stmt id,
		       unsigned limit, struct fm_err *err)
{
	sqlite3_stmt *s;

	if (st->prune_wait[id] < limit / 16) {
		st->prune_wait[id]++;
		return 0;
	}
	st->prune_wait[id] = 0;
	s = store_stmt1(st, id, limit, err);

	if (!s)
		return store_prep_failed(st);
	return store_exec(st, s, "pruning history", err);
}

/* -FM_ENOENT unless task @task (non-zero) exists. */
static int store_task_exists(struct mgmt_store *st, uint64_t task,
			     struct fm_err *err)
{
	sqlite3_stmt *s;
	uint64_t state;
	bool found;
	int ret;

	if (task == 0)
		return 0;
	s = store_stmt1(st, STMT_TASK_STATE, (int64_t)task, err);
	if (!s)
		return store_prep_failed(st);
	ret = store_query_id(&found, &state, NULL, st, s, "reading a task",
			     err);
	if (ret == 0 && !found)
		ret = fm_err_set(err, FM_ENOENT, "no task %" PRIu64, task);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Bindings                                                           */

/* @if_generation (non-zero) must match the current row @cur. */
static int store_check_generation(const struct mgmt_store_binding *cur,
				  uint32_t fid, uint64_t if_generation,
				  struct fm_err *err)
{
	if (if_generation == 0)
		return 0;
	if (!cur)
		return fm_err_set(err, FM_ENOENT,
				  "fid 0x%08x has no binding (expected "
				  "generation %" PRIu64 ")",
				  fid, if_generation);
	if (cur->generation != if_generation)
		return fm_err_set(err, FM_ESTATE,
				  "binding of fid 0x%08x is at generation "
				  "%" PRIu64 ", not %" PRIu64,
				  fid, cur->generation, if_generation);
	return 0;
}

int mgmt_store_binding_set(uint64_t *generation, struct mgmt_store *st,
			   uint32_t fid, uint32_t partition, int32_t vppb,
			   uint64_t if_generation, struct fm_err *err)
{
	struct mgmt_store_binding cur;
	uint64_t gen = 0;
	bool found;
	int ret;

	ret = store_check_fid(fid, err);
	if (ret == 0)
		ret = store_check_vppb(vppb, err);
	if (ret)
		return ret;
	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	ret = store_binding_load(&cur, &found, st, fid, err);
	if (ret)
		goto out;
	ret = store_check_generation(found ? &cur : NULL, fid, if_generation,
				     err);
	if (ret)
		goto out;
	ret = store_fid_idle(st, fid, err);
	if (ret)
		goto out;
	if (found && cur.partition == partition && cur.vppb == vppb) {
		gen = cur.generation;
		goto out;
	}
	if (vppb >= 0) {
		ret = store_slot_free(st, partition, vppb, fid, err);
		if (ret)
			goto out;
	}
	ret = store_generation_next(&gen, st, err);
	if (ret)
		goto out;
	ret = store_binding_put(st, fid, partition, vppb, gen, err);
out:
	ret = store_op_end(st, ret, err);
	if (ret == 0 && generation)
		*generation = gen;
	return ret;
}

int mgmt_store_binding_remove(struct mgmt_store *st, uint32_t fid,
			      uint64_t if_generation, struct fm_err *err)
{
	struct mgmt_store_binding cur;
	sqlite3_stmt *s;
	bool found;
	int ret;

	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	ret = store_binding_load(&cur, &found, st, fid, err);
	if (ret)
		goto out;
	if (!found) {
		ret = fm_err_set(err, FM_ENOENT, "fid 0x%08x is not bound",
				 fid);
		goto out;
	}
	ret = store_check_generation(&cur, fid, if_generation, err);
	if (ret)
		goto out;
	ret = store_fid_idle(st, fid, err);
	if (ret)
		goto out;
	s = store_stmt1(st, STMT_BINDING_DELETE, fid, err);
	ret = s ? store_exec(st, s, "removing a binding", err)
		: store_prep_failed(st);
out:
	return store_op_end(st, ret, err);
}

int mgmt_store_binding_get(struct mgmt_store_binding *out,
			   struct mgmt_store *st, uint32_t fid,
			   struct fm_err *err)
{
	bool found;
	int ret;

	ret = store_binding_load(out, &found, st, fid, err);
	if (ret == 0 && !found)
		ret = fm_err_set(err, FM_ENOENT, "fid 0x%08x is not bound",
				 fid);
	return ret;
}

/*
 * Grow heap array *@arr of @size-byte items to hold @need items;
 * *@cap tracks its capacity.
 */
static int store_grow(void **arr, size_t *cap, size_t need, size_t size,
		      struct fm_err *err)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * size);
	if (!p)
		return fm_err_set(err, FM_ENOMEM, "store: out of memory");
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Fill the array item @item from the current row of @s. */
typedef int store_row_fn(void *item, sqlite3_stmt *s, struct fm_err *err);

/*
 * Collect every row of @s into a heap array of @size-byte items, each
 * zeroed then filled by @row.  *out and *n are set even on failure (the
 * items so far, for the caller to free with whatever owns their strings).
 */
static int store_collect(void **out, size_t *n, struct mgmt_store *st,
			 sqlite3_stmt *s, size_t size, store_row_fn *row,
			 const char *what, struct fm_err *err)
{
	size_t cap = 0, cnt = 0;
	void *arr = NULL;
	char *item;
	int ret;

	for (;;) {
		ret = store_step(st, s, what, err);
		if (ret != 1)
			break;
		ret = store_grow(&arr, &cap, cnt + 1, size, err);
		if (ret)
			break;
		item = (char *)arr + cnt * size;
		memset(item, 0, size);
		cnt++;
		ret = row(item, s, err);
		if (ret)
			break;
	}
	store_stmt_put(s);
	*out = arr;
	*n = cnt;
	return ret;
}

static int store_binding_row(void *item, sqlite3_stmt *s, struct fm_err *err)
{
	struct mgmt_store_binding *b = item;

	(void)err;
	b->fid = (uint32_t)sqlite3_column_int64(s, 0);
	b->partition = (uint32_t)sqlite3_column_int64(s, 1);
	b->vppb = (int32_t)sqlite3_column_int64(s, 2);
	b->generation = (uint64_t)sqlite3_column_int64(s, 3);
	return 0;
}

static int store_binding_list(struct mgmt_store_binding **out, size_t *n,
			      struct mgmt_store *st, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt(st, STMT_BINDING_LIST, err);
	void *arr;
	int ret;

	if (!s)
		return store_prep_failed(st);
	ret = store_collect(&arr, n, st, s, sizeof(**out), store_binding_row,
			    "listing bindings", err);
	*out = arr;
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

int mgmt_store_binding_list(struct mgmt_store_binding **out, size_t *n,
			    struct mgmt_store *st, struct fm_err *err)
{
	*out = NULL;
	*n = 0;
	return store_binding_list(out, n, st, err);
}

/* ------------------------------------------------------------------ */
/* Moves                                                              */

static const char *const store_phase_names[MGMT_MOVE_PHASE_COUNT] = {
	[MGMT_MOVE_VALIDATED] = "validated",
	[MGMT_MOVE_REMOVING] = "removing",
	[MGMT_MOVE_RESETTING] = "resetting",
	[MGMT_MOVE_ADDING] = "adding",
	[MGMT_MOVE_DONE] = "done",
	[MGMT_MOVE_FAILED] = "failed",
	[MGMT_MOVE_ROLLED_BACK] = "rolled_back",
};

#define PH(p) (1u << (p))
#define PH_END                                                                 \
	(PH(MGMT_MOVE_DONE) | PH(MGMT_MOVE_FAILED) | PH(MGMT_MOVE_ROLLED_BACK))
/*
 * Allowed transitions, by phase: the same or a later unfinished phase
 * (reconcile re-runs or skips phases when rolling forward), or any final
 * one.  Final phases allow nothing.
 */
static const unsigned store_move_next[MGMT_MOVE_PHASE_COUNT] = {
	[MGMT_MOVE_VALIDATED] =
		PH(MGMT_MOVE_VALIDATED) | PH(MGMT_MOVE_REMOVING) |
		PH(MGMT_MOVE_RESETTING) | PH(MGMT_MOVE_ADDING) | PH_END,
	[MGMT_MOVE_REMOVING] = PH(MGMT_MOVE_REMOVING) |
			       PH(MGMT_MOVE_RESETTING) | PH(MGMT_MOVE_ADDING) |
			       PH_END,
	[MGMT_MOVE_RESETTING] =
		PH(MGMT_MOVE_RESETTING) | PH(MGMT_MOVE_ADDING) | PH_END,
	[MGMT_MOVE_ADDING] = PH(MGMT_MOVE_ADDING) | PH_END,
};

const char *mgmt_move_phase_name(enum mgmt_move_phase phase)
{
	if ((unsigned)phase >= MGMT_MOVE_PHASE_COUNT)
		return "unknown";
	return store_phase_names[phase];
}

bool mgmt_move_phase_final(enum mgmt_move_phase phase)
{
	return (unsigned)phase < MGMT_MOVE_PHASE_COUNT &&
	       (PH_END & PH(phase)) != 0;
}

static void store_move_row(struct mgmt_store_move *m, sqlite3_stmt *s)
{
	const unsigned char *e;

	m->id = (uint64_t)sqlite3_column_int64(s, 0);
	m->fid = (uint32_t)sqlite3_column_int64(s, 1);
	m->src_partition = (uint32_t)sqlite3_column_int64(s, 2);
	m->src_vppb = (int32_t)sqlite3_column_int64(s, 3);
	m->dst_partition = (uint32_t)sqlite3_column_int64(s, 4);
	m->dst_vppb = (int32_t)sqlite3_column_int64(s, 5);
	m->phase = (enum mgmt_move_phase)sqlite3_column_int64(s, 6);
	m->task = (uint64_t)sqlite3_column_int64(s, 7);
	m->created_ms = sqlite3_column_int64(s, 8);
	m->updated_ms = sqlite3_column_int64(s, 9);
	e = sqlite3_column_text(s, 10);
	snprintf(m->error, sizeof(m->error), "%s", e ? (const char *)e : "");
}

/*
 * Read the one move @s selects into @out.  Returns 1 if found, 0 if not,
 * or a negative code.
 */
static int store_move_load(struct mgmt_store_move *out, struct mgmt_store *st,
			   sqlite3_stmt *s, struct fm_err *err)
{
	int ret = store_step(st, s, "reading a move", err);

	if (ret == 1)
		store_move_row(out, s);
	store_stmt_put(s);
	return ret;
}

int mgmt_store_slot_check(struct mgmt_store *st, uint32_t partition,
			  int32_t vppb, uint32_t fid, struct fm_err *err)
{
	int ret;

	if (vppb < 0)
		return fm_err_set(err, FM_EINVAL, "vPPB %d is no slot", vppb);
	ret = store_check_vppb(vppb, err);
	if (ret)
		return ret;
	ret = store_op_begin(st, false, err);
	if (ret)
		return ret;
	ret = store_slot_free(st, partition, vppb, fid, err);
	return store_op_end(st, ret, err);
}

int mgmt_store_move_begin(uint64_t *id, struct mgmt_store *st, uint32_t fid,
			  uint32_t src_partition, uint32_t dst_partition,
			  int32_t dst_vppb, uint64_t task, struct fm_err *err)
{
	struct mgmt_store_binding cur;
	sqlite3_stmt *s;
	bool found;
	int ret;

	ret = store_check_fid(fid, err);
	if (ret == 0)
		ret = store_check_vppb(dst_vppb, err);
	if (ret == 0 && src_partition == dst_partition)
		ret = fm_err_set(err, FM_EINVAL,
				 "move of fid 0x%08x: source and target are "
				 "both partition %u",
				 fid, src_partition);
	if (ret)
		return ret;
	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	ret = store_binding_load(&cur, &found, st, fid, err);
	if (ret)
		goto out;
	if (!found) {
		ret = fm_err_set(err, FM_ENOENT, "fid 0x%08x is not bound",
				 fid);
		goto out;
	}
	if (cur.partition != src_partition) {
		ret = fm_err_set(err, FM_ESTATE,
				 "fid 0x%08x is bound to partition %u, not %u",
				 fid, cur.partition, src_partition);
		goto out;
	}
	ret = store_fid_idle(st, fid, err);
	if (ret == 0 && dst_vppb >= 0)
		ret = store_slot_free(st, dst_partition, dst_vppb, fid, err);
	if (ret == 0)
		ret = store_task_exists(st, task, err);
	if (ret)
		goto out;
	s = store_stmt1(st, STMT_MOVE_INSERT, fid, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	store_bind_i64(s, 2, src_partition);
	store_bind_i64(s, 3, cur.vppb);
	store_bind_i64(s, 4, dst_partition);
	store_bind_i64(s, 5, dst_vppb);
	store_bind_i64(s, 6, (int64_t)task);
	store_bind_i64(s, 7, store_now_ms());
	ret = store_exec(st, s, "recording a move", err);
	if (ret == 0)
		*id = (uint64_t)sqlite3_last_insert_rowid(st->db);
out:
	return store_op_end(st, ret, err);
}

int mgmt_store_move_set_phase(struct mgmt_store *st, uint64_t id,
			      enum mgmt_move_phase phase, int32_t dst_vppb,
			      const char *error, struct fm_err *err)
{
	struct mgmt_store_move m;
	sqlite3_stmt *s;
	uint64_t gen;
	int ret;

	if ((unsigned)phase >= MGMT_MOVE_PHASE_COUNT)
		return fm_err_set(err, FM_EINVAL,
				  "move %" PRIu64 ": no phase %d", id,
				  (int)phase);
	ret = store_check_vppb(dst_vppb, err);
	if (ret == 0)
		ret = store_check_text("move error", error,
				       MGMT_STORE_ERROR_MAX - 1, err);
	if (ret)
		return ret;
	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	s = store_stmt1(st, STMT_MOVE_GET, (int64_t)id, err);
	ret = s ? store_move_load(&m, st, s, err) : store_prep_failed(st);
	if (ret == 0)
		ret = fm_err_set(err, FM_ENOENT, "no move %" PRIu64, id);
	if (ret < 0)
		goto out;
	ret = 0;
	if (!(store_move_next[m.phase] & PH(phase))) {
		ret = fm_err_set(err, FM_ESTATE,
				 "move %" PRIu64 " is %s: cannot become %s", id,
				 mgmt_move_phase_name(m.phase),
				 mgmt_move_phase_name(phase));
		goto out;
	}
	if (dst_vppb >= 0 && dst_vppb != m.dst_vppb) {
		ret = store_slot_free(st, m.dst_partition, dst_vppb, m.fid,
				      err);
		if (ret)
			goto out;
		m.dst_vppb = dst_vppb;
	}
	if (phase == MGMT_MOVE_DONE) {
		ret = store_generation_next(&gen, st, err);
		if (ret == 0)
			ret = store_binding_put(st, m.fid, m.dst_partition,
						m.dst_vppb, gen, err);
		if (ret)
			goto out;
	}
	s = store_stmt1(st, STMT_MOVE_UPDATE, (int64_t)id, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	store_bind_i64(s, 2, phase);
	store_bind_i64(s, 3, m.dst_vppb);
	store_bind_i64(s, 4, store_now_ms());
	store_bind_text(s, 5, error ? error : m.error);
	ret = store_exec(st, s, "updating a move", err);
	if (ret == 0 && mgmt_move_phase_final(phase))
		ret = store_prune(st, STMT_MOVE_PRUNE, st->opts.intent_history,
				  err);
out:
	return store_op_end(st, ret, err);
}

int mgmt_store_move_get(struct mgmt_store_move *out, struct mgmt_store *st,
			uint64_t id, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, STMT_MOVE_GET, (int64_t)id, err);
	int ret;

	if (!s)
		return store_prep_failed(st);
	ret = store_move_load(out, st, s, err);
	if (ret == 0)
		return fm_err_set(err, FM_ENOENT, "no move %" PRIu64, id);
	return ret < 0 ? ret : 0;
}

int mgmt_store_move_find_active(struct mgmt_store_move *out,
				struct mgmt_store *st, uint32_t fid,
				struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, STMT_MOVE_GET_ACTIVE, fid, err);
	int ret;

	if (!s)
		return store_prep_failed(st);
	ret = store_move_load(out, st, s, err);
	if (ret == 0)
		return fm_err_set(err, FM_ENOENT,
				  "fid 0x%08x has no unfinished move", fid);
	return ret < 0 ? ret : 0;
}

static int store_move_item(void *item, sqlite3_stmt *s, struct fm_err *err)
{
	(void)err;
	store_move_row(item, s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Batches                                                            */

static const char *const store_batch_names[MGMT_BATCH_STATE_COUNT] = {
	[MGMT_BATCH_APPLYING] = "applying",
	[MGMT_BATCH_COMMITTED] = "committed",
	[MGMT_BATCH_ROLLED_BACK] = "rolled_back",
};

const char *mgmt_batch_state_name(enum mgmt_batch_state state)
{
	if ((unsigned)state >= MGMT_BATCH_STATE_COUNT)
		return "unknown";
	return store_batch_names[state];
}

static int store_check_change(const struct mgmt_store_change *c, size_t i,
			      struct fm_err *err)
{
	if (c->fid == SW_FID_NONE)
		return fm_err_set(err, FM_EINVAL,
				  "batch change %zu: fid 0x%08x is not a "
				  "function",
				  i, c->fid);
	if (c->bind && c->vppb != MGMT_VPPB_ANY &&
	    (c->vppb < 0 || c->vppb >= SW_MAX_VPPBS))
		return fm_err_set(err, FM_EINVAL,
				  "batch change %zu: vPPB %d out of range "
				  "(0..%d or any)",
				  i, c->vppb, SW_MAX_VPPBS - 1);
	return 0;
}

/*
 * The rules a recorded batch must satisfy before it is accepted, checked
 * in order.  Each statement selects the first offending change as (fid,
 * what is wrong).  To add a rule, add such a statement and a row here.
 */
static const struct {
	enum store_stmt id;
	int code;
} store_batch_checks[] = {
	{ STMT_BATCH_CHECK_UNBOUND, FM_ENOENT },
	{ STMT_BATCH_CHECK_FID_MOVING, FM_EBUSY },
	{ STMT_BATCH_CHECK_FID_BATCHED, FM_EBUSY },
	{ STMT_BATCH_CHECK_SLOT_TWICE, FM_EEXIST },
	{ STMT_BATCH_CHECK_SLOT_BOUND, FM_EEXIST },
	{ STMT_BATCH_CHECK_SLOT_MOVE, FM_EBUSY },
	{ STMT_BATCH_CHECK_SLOT_BATCH, FM_EBUSY },
};

/* Run the rules over batch @id: the first offence fails it. */
static int store_batch_validate(struct mgmt_store *st, uint64_t id,
				struct fm_err *err)
{
	sqlite3_stmt *s;
	int ret = 0;

	for (size_t i = 0; i < FM_ARRAY_SIZE(store_batch_checks) && !ret; i++) {
		s = store_stmt1(st, store_batch_checks[i].id, (int64_t)id, err);
		if (!s)
			return store_prep_failed(st);
		ret = store_step(st, s, "checking a batch", err);
		if (ret == 1)
			ret = fm_err_set(
				err, store_batch_checks[i].code,
				"batch: fid 0x%08x: %s",
				(uint32_t)sqlite3_column_int64(s, 0),
				(const char *)sqlite3_column_text(s, 1));
		store_stmt_put(s);
	}
	return ret;
}

static int store_change_insert(struct mgmt_store *st, uint64_t batch,
			       size_t seq, const struct mgmt_store_change *c,
			       struct fm_err *err)
{
	struct fm_err local = { 0 };
	sqlite3_stmt *s;
	int ret;

	s = store_stmt1(st, STMT_BATCH_CHANGE_INSERT, (int64_t)batch, err);
	if (!s)
		return store_prep_failed(st);
	store_bind_i64(s, 2, (int64_t)seq);
	store_bind_i64(s, 3, c->fid);
	store_bind_i64(s, 4, c->bind);
	store_bind_i64(s, 5, c->bind ? c->partition : 0);
	store_bind_i64(s, 6, c->bind ? c->vppb : MGMT_VPPB_ANY);
	ret = store_exec(st, s, "recording a batch change", &local);
	/* the unique index on (fid, batch) */
	if (ret == -FM_EEXIST)
		return fm_err_set(err, FM_EINVAL,
				  "batch: fid 0x%08x is listed twice", c->fid);
	if (ret)
		return fm_err_set(err, local.code, "%s", local.msg);
	return 0;
}

int mgmt_store_batch_begin(uint64_t *id, struct mgmt_store *st,
			   const struct mgmt_store_change *changes, size_t n,
			   uint64_t task, struct fm_err *err)
{
	uint64_t bid = 0;
	sqlite3_stmt *s;
	int ret = 0;

	if (!changes || n == 0 || n > MGMT_STORE_BATCH_MAX)
		return fm_err_set(err, FM_EINVAL,
				  "batch: %zu changes (1..%d allowed)", n,
				  MGMT_STORE_BATCH_MAX);
	for (size_t i = 0; i < n && !ret; i++)
		ret = store_check_change(&changes[i], i, err);
	if (ret)
		return ret;
	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	ret = store_task_exists(st, task, err);
	if (ret)
		goto out;
	s = store_stmt1(st, STMT_BATCH_INSERT, (int64_t)task, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	store_bind_i64(s, 2, store_now_ms());
	ret = store_exec(st, s, "recording a batch", err);
	if (ret)
		goto out;
	bid = (uint64_t)sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; i < n && !ret; i++)
		ret = store_change_insert(st, bid, i, &changes[i], err);
	if (ret == 0)
		ret = store_batch_validate(st, bid, err);
out:
	ret = store_op_end(st, ret, err);
	if (ret == 0)
		*id = bid;
	return ret;
}

/* The state of batch @id (-FM_ENOENT if unknown). */
static int store_batch_state(enum mgmt_batch_state *state,
			     struct mgmt_store *st, uint64_t id,
			     struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, STMT_BATCH_GET, (int64_t)id, err);
	uint64_t v = 0;
	bool found;
	int ret;

	if (!s)
		return store_prep_failed(st);
	ret = store_query_id(&found, &v, NULL, st, s, "reading a batch", err);
	if (ret == 0 && !found)
		ret = fm_err_set(err, FM_ENOENT, "no batch %" PRIu64, id);
	*state = (enum mgmt_batch_state)v;
	return ret;
}

/* Run statement @id with ?1 = @v1 to completion. */
static int store_exec1(struct mgmt_store *st, enum store_stmt id, int64_t v1,
		       const char *what, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, id, v1, err);

	if (!s)
		return store_prep_failed(st);
	return store_exec(st, s, what, err);
}

/* Run statement @id with ?1 = @v1 and ?2 = @v2 to completion. */
static int store_exec2(struct mgmt_store *st, enum store_stmt id, int64_t v1,
		       int64_t v2, const char *what, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, id, v1, err);

	if (!s)
		return store_prep_failed(st);
	store_bind_i64(s, 2, v2);
	return store_exec(st, s, what, err);
}

/* Move APPLYING batch @id to @to, applying its changes if COMMITTED. */
static int store_batch_finish(struct mgmt_store *st, uint64_t id,
			      enum mgmt_batch_state to, struct fm_err *err)
{
	enum mgmt_batch_state state = MGMT_BATCH_APPLYING;
	sqlite3_stmt *s;
	uint64_t gen;
	int ret;

	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	ret = store_batch_state(&state, st, id, err);
	if (ret == 0 && state != MGMT_BATCH_APPLYING)
		ret = fm_err_set(err, FM_ESTATE,
				 "batch %" PRIu64 " is %s, not applying", id,
				 mgmt_batch_state_name(state));
	if (ret)
		goto out;
	if (to == MGMT_BATCH_COMMITTED) {
		/*
		 * Delete every changed row, then insert the new ones, so a
		 * swap of two vPPBs never collides halfway.  The batch rules
		 * and the reservations held since guarantee a valid result.
		 */
		ret = store_generation_next(&gen, st, err);
		if (ret == 0)
			ret = store_exec1(st, STMT_BATCH_APPLY_DELETE,
					  (int64_t)id, "applying a batch", err);
		if (ret == 0)
			ret = store_exec2(st, STMT_BATCH_APPLY_INSERT,
					  (int64_t)id, (int64_t)gen,
					  "applying a batch", err);
		if (ret)
			goto out;
	}
	s = store_stmt1(st, STMT_BATCH_SET_STATE, (int64_t)id, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	store_bind_i64(s, 2, to);
	store_bind_i64(s, 3, store_now_ms());
	ret = store_exec(st, s, "finishing a batch", err);
	if (ret == 0)
		ret = store_prune(st, STMT_BATCH_PRUNE_CHANGES,
				  st->opts.intent_history, err);
	if (ret == 0)
		ret = store_prune(st, STMT_BATCH_PRUNE, st->opts.intent_history,
				  err);
out:
	return store_op_end(st, ret, err);
}

int mgmt_store_batch_commit(struct mgmt_store *st, uint64_t id,
			    struct fm_err *err)
{
	return store_batch_finish(st, id, MGMT_BATCH_COMMITTED, err);
}

int mgmt_store_batch_rollback(struct mgmt_store *st, uint64_t id,
			      struct fm_err *err)
{
	return store_batch_finish(st, id, MGMT_BATCH_ROLLED_BACK, err);
}

static int store_change_row(void *item, sqlite3_stmt *s, struct fm_err *err)
{
	struct mgmt_store_change *c = item;

	(void)err;
	c->fid = (uint32_t)sqlite3_column_int64(s, 0);
	c->bind = sqlite3_column_int64(s, 1) != 0;
	c->partition = (uint32_t)sqlite3_column_int64(s, 2);
	c->vppb = (int32_t)sqlite3_column_int64(s, 3);
	c->was_bound = sqlite3_column_int64(s, 4) != 0;
	c->old_partition = (uint32_t)sqlite3_column_int64(s, 5);
	c->old_vppb = (int32_t)sqlite3_column_int64(s, 6);
	return 0;
}

/* Batch @id and its changes, inside the caller's transaction. */
static int store_batch_load(struct mgmt_store_batch *out, struct mgmt_store *st,
			    uint64_t id, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, STMT_BATCH_GET, (int64_t)id, err);
	void *arr = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!s)
		return store_prep_failed(st);
	ret = store_step(st, s, "reading a batch", err);
	if (ret == 1) {
		out->id = id;
		out->state = (enum mgmt_batch_state)sqlite3_column_int64(s, 0);
		out->task = (uint64_t)sqlite3_column_int64(s, 1);
		out->created_ms = sqlite3_column_int64(s, 2);
		out->updated_ms = sqlite3_column_int64(s, 3);
	} else if (ret == 0) {
		ret = fm_err_set(err, FM_ENOENT, "no batch %" PRIu64, id);
	}
	store_stmt_put(s);
	if (ret < 0)
		return ret;
	s = store_stmt1(st, STMT_BATCH_CHANGES, (int64_t)id, err);
	if (!s)
		return store_prep_failed(st);
	ret = store_collect(&arr, &out->nchanges, st, s, sizeof(*out->changes),
			    store_change_row, "reading a batch", err);
	out->changes = arr;
	if (ret)
		mgmt_store_batch_fini(out);
	return ret;
}

int mgmt_store_batch_get(struct mgmt_store_batch *out, struct mgmt_store *st,
			 uint64_t id, struct fm_err *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = store_op_begin(st, false, err);
	if (ret)
		return ret;
	ret = store_batch_load(out, st, id, err);
	ret = store_op_end(st, ret, err);
	if (ret)
		mgmt_store_batch_fini(out);
	return ret;
}

void mgmt_store_batch_fini(struct mgmt_store_batch *b)
{
	if (!b)
		return;
	free(b->changes);
	b->changes = NULL;
	b->nchanges = 0;
}

/* ------------------------------------------------------------------ */
/* Tasks                                                              */

static const char *const store_task_names[MGMT_TASK_STATE_COUNT] = {
	[MGMT_TASK_NEW] = "New",
	[MGMT_TASK_STARTING] = "Starting",
	[MGMT_TASK_RUNNING] = "Running",
	[MGMT_TASK_SUSPENDED] = "Suspended",
	[MGMT_TASK_INTERRUPTED] = "Interrupted",
	[MGMT_TASK_PENDING] = "Pending",
	[MGMT_TASK_STOPPING] = "Stopping",
	[MGMT_TASK_SERVICE] = "Service",
	[MGMT_TASK_CANCELLING] = "Cancelling",
	[MGMT_TASK_COMPLETED] = "Completed",
	[MGMT_TASK_KILLED] = "Killed",
	[MGMT_TASK_EXCEPTION] = "Exception",
	[MGMT_TASK_CANCELLED] = "Cancelled",
};

const char *mgmt_task_state_name(enum mgmt_task_state state)
{
	if ((unsigned)state >= MGMT_TASK_STATE_COUNT)
		return "unknown";
	return store_task_names[state];
}

bool mgmt_task_state_final(enum mgmt_task_state state)
{
	return state >= MGMT_TASK_COMPLETED && state < MGMT_TASK_STATE_COUNT;
}

#define STORE_METHOD_MAX 16 /* bytes of an HTTP method */

int mgmt_store_task_create(uint64_t *id, struct mgmt_store *st,
			   const char *method, const char *target_uri,
			   const char *body, struct fm_err *err)
{
	sqlite3_stmt *s;
	int ret;

	if (!method || !*method || !target_uri || !*target_uri)
		return fm_err_set(err, FM_EINVAL,
				  "task: method and target URI are required");
	ret = store_check_text("task method", method, STORE_METHOD_MAX, err);
	if (ret == 0)
		ret = store_check_text("task target URI", target_uri,
				       MGMT_STORE_TEXT_MAX, err);
	if (ret == 0)
		ret = store_check_text("task body", body, MGMT_STORE_TEXT_MAX,
				       err);
	if (ret)
		return ret;
	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	s = store_stmt(st, STMT_TASK_INSERT, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	store_bind_text(s, 1, method);
	store_bind_text(s, 2, target_uri);
	store_bind_text(s, 3, body);
	store_bind_i64(s, 4, store_now_ms());
	ret = store_exec(st, s, "recording a task", err);
	if (ret == 0)
		*id = (uint64_t)sqlite3_last_insert_rowid(st->db);
out:
	return store_op_end(st, ret, err);
}

/* The state of task @id (-FM_ENOENT if unknown). */
static int store_task_state(enum mgmt_task_state *state, struct mgmt_store *st,
			    uint64_t id, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, STMT_TASK_STATE, (int64_t)id, err);
	uint64_t v = 0;
	bool found;
	int ret;

	if (!s)
		return store_prep_failed(st);
	ret = store_query_id(&found, &v, NULL, st, s, "reading a task", err);
	if (ret == 0 && !found)
		ret = fm_err_set(err, FM_ENOENT, "no task %" PRIu64, id);
	*state = (enum mgmt_task_state)v;
	return ret;
}

/* Append @message to task @id, keeping the newest ones only. */
static int store_task_message(struct mgmt_store *st, uint64_t id,
			      const char *message, struct fm_err *err)
{
	sqlite3_stmt *s;
	int ret;

	s = store_stmt1(st, STMT_TASK_MSG_INSERT, (int64_t)id, err);
	if (!s)
		return store_prep_failed(st);
	store_bind_text(s, 2, message);
	ret = store_exec(st, s, "recording a task message", err);
	if (ret == 0)
		ret = store_exec2(st, STMT_TASK_MSG_TRIM, (int64_t)id,
				  MGMT_STORE_TASK_MESSAGES,
				  "trimming task messages", err);
	return ret;
}

int mgmt_store_task_update(struct mgmt_store *st, uint64_t id,
			   enum mgmt_task_state state, int percent,
			   const char *message, const char *result,
			   struct fm_err *err)
{
	enum mgmt_task_state cur = MGMT_TASK_NEW;
	bool final = mgmt_task_state_final(state);
	sqlite3_stmt *s;
	int ret;

	if ((unsigned)state >= MGMT_TASK_STATE_COUNT)
		return fm_err_set(err, FM_EINVAL,
				  "task %" PRIu64 ": no state %d", id,
				  (int)state);
	if (percent < -1 || percent > 100)
		return fm_err_set(err, FM_EINVAL,
				  "task %" PRIu64 ": percent %d out of range "
				  "(0..100)",
				  id, percent);
	ret = store_check_text("task message", message, MGMT_STORE_TEXT_MAX,
			       err);
	if (ret == 0)
		ret = store_check_text("task result", result,
				       MGMT_STORE_TEXT_MAX, err);
	if (ret)
		return ret;
	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	ret = store_task_state(&cur, st, id, err);
	if (ret == 0 && mgmt_task_state_final(cur))
		ret = fm_err_set(err, FM_ESTATE,
				 "task %" PRIu64 " is %s: a finished task "
				 "does not change",
				 id, mgmt_task_state_name(cur));
	if (ret)
		goto out;
	s = store_stmt1(st, STMT_TASK_UPDATE, (int64_t)id, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	store_bind_i64(s, 2, state);
	store_bind_i64(s, 3, percent);
	store_bind_text(s, 4, result);
	store_bind_i64(s, 5, final ? store_now_ms() : 0);
	ret = store_exec(st, s, "updating a task", err);
	if (ret == 0 && message)
		ret = store_task_message(st, id, message, err);
	if (ret == 0 && final)
		ret = store_prune(st, STMT_TASK_PRUNE_MSGS,
				  st->opts.task_history, err);
	if (ret == 0 && final)
		ret = store_prune(st, STMT_TASK_PRUNE, st->opts.task_history,
				  err);
out:
	return store_op_end(st, ret, err);
}

/* Copy text column @col of @s to the heap (NULL stays NULL). */
static int store_column_dup(char **out, sqlite3_stmt *s, int col,
			    struct fm_err *err)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	*out = NULL;
	if (!t)
		return 0;
	*out = strdup((const char *)t);
	if (!*out)
		return fm_err_set(err, FM_ENOMEM, "store: out of memory");
	return 0;
}

static int store_message_row(void *item, sqlite3_stmt *s, struct fm_err *err)
{
	return store_column_dup(item, s, 0, err);
}

/* Task @id with its messages, inside the caller's transaction. */
static int store_task_load(struct mgmt_store_task *t, struct mgmt_store *st,
			   uint64_t id, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt1(st, STMT_TASK_GET, (int64_t)id, err);
	void *arr = NULL;
	int ret;

	if (!s)
		return store_prep_failed(st);
	ret = store_step(st, s, "reading a task", err);
	if (ret == 1) {
		t->id = id;
		t->state = (enum mgmt_task_state)sqlite3_column_int64(s, 0);
		t->percent = (unsigned)sqlite3_column_int64(s, 1);
		t->start_ms = sqlite3_column_int64(s, 2);
		t->end_ms = sqlite3_column_int64(s, 3);
		ret = store_column_dup(&t->method, s, 4, err);
		if (ret == 0)
			ret = store_column_dup(&t->target_uri, s, 5, err);
		if (ret == 0)
			ret = store_column_dup(&t->body, s, 6, err);
		if (ret == 0)
			ret = store_column_dup(&t->result, s, 7, err);
	} else if (ret == 0) {
		ret = fm_err_set(err, FM_ENOENT, "no task %" PRIu64, id);
	}
	store_stmt_put(s);
	if (ret)
		return ret;
	s = store_stmt1(st, STMT_TASK_MSG_LIST, (int64_t)id, err);
	if (!s)
		return store_prep_failed(st);
	ret = store_collect(&arr, &t->nmessages, st, s, sizeof(char *),
			    store_message_row, "reading task messages", err);
	t->messages = arr;
	return ret;
}

int mgmt_store_task_get(struct mgmt_store_task *out, struct mgmt_store *st,
			uint64_t id, struct fm_err *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = store_op_begin(st, false, err);
	if (ret)
		return ret;
	ret = store_task_load(out, st, id, err);
	ret = store_op_end(st, ret, err);
	if (ret)
		mgmt_store_task_fini(out);
	return ret;
}

void mgmt_store_task_fini(struct mgmt_store_task *t)
{
	if (!t)
		return;
	free(t->method);
	free(t->target_uri);
	free(t->body);
	free(t->result);
	for (size_t i = 0; i < t->nmessages; i++)
		free(t->messages[i]);
	free(t->messages);
	memset(t, 0, sizeof(*t));
}

int mgmt_store_task_delete(struct mgmt_store *st, uint64_t id,
			   struct fm_err *err)
{
	enum mgmt_task_state cur = MGMT_TASK_NEW;
	int ret;

	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	ret = store_task_state(&cur, st, id, err);
	if (ret == 0 && !mgmt_task_state_final(cur))
		ret = fm_err_set(err, FM_ESTATE,
				 "task %" PRIu64 " is %s: only a finished "
				 "task can be deleted",
				 id, mgmt_task_state_name(cur));
	if (ret == 0)
		ret = store_exec1(st, STMT_TASK_MSG_DELETE, (int64_t)id,
				  "deleting a task", err);
	if (ret == 0)
		ret = store_exec1(st, STMT_TASK_DELETE, (int64_t)id,
				  "deleting a task", err);
	return store_op_end(st, ret, err);
}

static int store_id_row(void *item, sqlite3_stmt *s, struct fm_err *err)
{
	(void)err;
	*(uint64_t *)item = (uint64_t)sqlite3_column_int64(s, 0);
	return 0;
}

/* Every id statement @id selects, as a heap array (none on failure). */
static int store_id_list(uint64_t **ids, size_t *n, struct mgmt_store *st,
			 enum store_stmt id, struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);
	void *arr = NULL;
	int ret;

	*ids = NULL;
	*n = 0;
	if (!s)
		return store_prep_failed(st);
	ret = store_collect(&arr, n, st, s, sizeof(**ids), store_id_row,
			    "listing ids", err);
	*ids = arr;
	if (ret) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return ret;
}

int mgmt_store_task_list(uint64_t **ids, size_t *n, struct mgmt_store *st,
			 struct fm_err *err)
{
	return store_id_list(ids, n, st, STMT_TASK_LIST, err);
}

/* ------------------------------------------------------------------ */
/* Events                                                             */

/*
 * An event type goes on an SSE "event:" line and into Redfish fields:
 * printable ASCII, no spaces.
 */
static int store_check_event_type(const char *type, struct fm_err *err)
{
	size_t len = type ? strnlen(type, MGMT_STORE_EVENT_TYPE_MAX) : 0;

	if (len == 0 || len >= MGMT_STORE_EVENT_TYPE_MAX)
		return fm_err_set(err, FM_EINVAL,
				  "event type must be 1..%d bytes",
				  MGMT_STORE_EVENT_TYPE_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if (type[i] <= ' ' || type[i] > '~')
			return fm_err_set(err, FM_EINVAL,
					  "event type: byte %zu (0x%02x) is "
					  "not printable ASCII",
					  i, (unsigned char)type[i]);
	return 0;
}

int mgmt_store_event_append(uint64_t *id, struct mgmt_store *st,
			    const char *type, const char *payload,
			    struct fm_err *err)
{
	uint64_t eid = 0;
	sqlite3_stmt *s;
	int ret;

	ret = store_check_event_type(type, err);
	if (ret == 0 && (!payload || !*payload))
		ret = fm_err_set(err, FM_EINVAL, "event %s: no payload", type);
	if (ret == 0)
		ret = store_check_text("event payload", payload,
				       MGMT_STORE_TEXT_MAX, err);
	if (ret)
		return ret;
	ret = store_op_begin(st, true, err);
	if (ret)
		return ret;
	s = store_stmt(st, STMT_EVENT_INSERT, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	store_bind_text(s, 1, type);
	store_bind_text(s, 2, payload);
	store_bind_i64(s, 3, store_now_ms());
	ret = store_exec(st, s, "recording an event", err);
	if (ret)
		goto out;
	/* kept ids are contiguous: only the oldest are ever deleted */
	eid = (uint64_t)sqlite3_last_insert_rowid(st->db);
	/* in steps like store_prune(): up to retention/16 more kept */
	if (eid > st->opts.event_retention &&
	    st->prune_wait[STMT_EVENT_PRUNE]++ >=
		    st->opts.event_retention / 16) {
		st->prune_wait[STMT_EVENT_PRUNE] = 0;
		ret = store_exec1(st, STMT_EVENT_PRUNE,
				  (int64_t)(eid - st->opts.event_retention),
				  "pruning events", err);
	}
out:
	ret = store_op_end(st, ret, err);
	if (ret == 0 && id)
		*id = eid;
	return ret;
}

/* Column 0 of the one row of statement @id; 0 when NULL or no row. */
static int store_scalar(uint64_t *v, struct mgmt_store *st, enum store_stmt id,
			struct fm_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);
	bool found;

	*v = 0;
	if (!s)
		return store_prep_failed(st);
	return store_query_id(&found, v, NULL, st, s, "reading events", err);
}

int mgmt_store_event_last(uint64_t *id, struct mgmt_store *st,
			  struct fm_err *err)
{
	return store_scalar(id, st, STMT_EVENT_LAST, err);
}

static int store_event_row(void *item, sqlite3_stmt *s, struct fm_err *err)
{
	struct mgmt_store_event *e = item;
	int ret;

	e->id = (uint64_t)sqlite3_column_int64(s, 0);
	e->time_ms = sqlite3_column_int64(s, 3);
	ret = store_column_dup(&e->type, s, 1, err);
	if (ret == 0)
		ret = store_column_dup(&e->payload, s, 2, err);
	return ret;
}

int mgmt_store_event_read(struct mgmt_store_event **out, size_t *n, bool *gap,
			  struct mgmt_store *st, uint64_t after, size_t max,
			  struct fm_err *err)
{
	uint64_t last = 0, oldest = 0;
	void *arr = NULL;
	sqlite3_stmt *s;
	int ret;

	*out = NULL;
	*n = 0;
	*gap = false;
	if (max == 0 || max > MGMT_STORE_READ_MAX)
		return fm_err_set(err, FM_EINVAL,
				  "event read of %zu events (1..%d allowed)",
				  max, MGMT_STORE_READ_MAX);
	ret = store_op_begin(st, false, err);
	if (ret)
		return ret;
	ret = store_scalar(&last, st, STMT_EVENT_LAST, err);
	if (ret == 0 && after > last)
		ret = fm_err_set(err, FM_ERANGE,
				 "event %" PRIu64 " was never issued (the "
				 "last is %" PRIu64 ")",
				 after, last);
	if (ret == 0)
		ret = store_scalar(&oldest, st, STMT_EVENT_OLDEST, err);
	if (ret)
		goto out;
	/* kept events are exactly oldest..last; after + 1 is the next due */
	*gap = after < last && after + 1 < oldest;
	s = store_stmt1(st, STMT_EVENT_READ, (int64_t)after, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	store_bind_i64(s, 2, (int64_t)max);
	ret = store_collect(&arr, n, st, s, sizeof(**out), store_event_row,
			    "reading events", err);
	*out = arr;
out:
	ret = store_op_end(st, ret, err);
	if (ret) {
		mgmt_store_events_free(*out, *n);
		*out = NULL;
		*n = 0;
		*gap = false;
	}
	return ret;
}

void mgmt_store_events_free(struct mgmt_store_event *ev, size_t n)
{
	if (!ev)
		return;
	for (size_t i = 0; i < n; i++) {
		free(ev[i].type);
		free(ev[i].payload);
	}
	free(ev);
}

/* ------------------------------------------------------------------ */
/* Reconcile                                                          */

static int store_reconcile_batches(struct mgmt_store_reconcile *r,
				   struct mgmt_store *st, struct fm_err *err)
{
	uint64_t *ids = NULL;
	size_t n = 0;
	int ret;

	ret = store_id_list(&ids, &n, st, STMT_BATCH_LIST_ACTIVE, err);
	if (ret || n == 0)
		goto out;
	r->batches = calloc(n, sizeof(*r->batches));
	if (!r->batches) {
		ret = fm_err_set(err, FM_ENOMEM, "store: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		ret = store_batch_load(&r->batches[i], st, ids[i], err);
		if (ret == 0)
			r->nbatches++;
	}
out:
	free(ids);
	return ret;
}

int mgmt_store_reconcile_load(struct mgmt_store_reconcile *out,
			      struct mgmt_store *st, struct fm_err *err)
{
	sqlite3_stmt *s;
	void *arr = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = store_op_begin(st, false, err);
	if (ret)
		return ret;
	ret = store_binding_list(&out->bindings, &out->nbindings, st, err);
	if (ret)
		goto out;
	s = store_stmt(st, STMT_MOVE_LIST_ACTIVE, err);
	if (!s) {
		ret = store_prep_failed(st);
		goto out;
	}
	ret = store_collect(&arr, &out->nmoves, st, s, sizeof(*out->moves),
			    store_move_item, "listing moves", err);
	out->moves = arr;
	if (ret == 0)
		ret = store_reconcile_batches(out, st, err);
	if (ret == 0)
		ret = store_id_list(&out->tasks, &out->ntasks, st,
				    STMT_TASK_LIST_ACTIVE, err);
out:
	ret = store_op_end(st, ret, err);
	if (ret)
		mgmt_store_reconcile_fini(out);
	return ret;
}

void mgmt_store_reconcile_fini(struct mgmt_store_reconcile *r)
{
	if (!r)
		return;
	free(r->bindings);
	free(r->moves);
	for (size_t i = 0; i < r->nbatches; i++)
		mgmt_store_batch_fini(&r->batches[i]);
	free(r->batches);
	free(r->tasks);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */
/* For the other store_*.c files (store_int.h)                        */

sqlite3_stmt *mgmt_store_ext_stmt(struct mgmt_store *st, unsigned slot,
				  const char *sql, struct fm_err *err)
{
	int rc;

	assert(slot < MGMT_STORE_EXT_STMTS);
	if (st->ext_stmt[slot])
		return st->ext_stmt[slot];
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				&st->ext_stmt[slot], NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, err, rc, "preparing a statement");
		return NULL;
	}
	return st->ext_stmt[slot];
}

int mgmt_store_ext_begin(struct mgmt_store *st, bool write, struct fm_err *err)
{
	return store_op_begin(st, write, err);
}

int mgmt_store_ext_end(struct mgmt_store *st, int ret, struct fm_err *err)
{
	return store_op_end(st, ret, err);
}

int mgmt_store_ext_fail(struct mgmt_store *st, struct fm_err *err, int rc,
			const char *what)
{
	return store_fail(st, err, rc, what);
}

int mgmt_store_ext_step(struct mgmt_store *st, sqlite3_stmt *s,
			const char *what, struct fm_err *err)
{
	return store_step(st, s, what, err);
}

void mgmt_store_ext_put(sqlite3_stmt *s)
{
	store_stmt_put(s);
}

sqlite3 *mgmt_store_ext_db(struct mgmt_store *st)
{
	return st->db;
}

const char *mgmt_store_ext_path(const struct mgmt_store *st)
{
	return st->path;
}
