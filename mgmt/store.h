/* SPDX-License-Identifier: MIT */
/*
 * store.h - the durable state of mrfabricd, in one SQLite database.
 *
 * What it holds (see DESIGN.md "State and durability", "Moving a VF"):
 *   bindings  desired state: function (SW_FID) -> partition + vPPB (or
 *             any vPPB of the partition), each row with the store-wide
 *             generation of its last change (the ETag);
 *   moves     move intents and their phase, so an interrupted move is
 *             rolled forward or back on restart;
 *   batches   all-or-nothing change sets, so a batch interrupted by a
 *             crash is rolled back on restart;
 *   tasks     Redfish TaskService history, finished tasks bounded;
 *   events    the event sequence (never reused, also across restarts)
 *             with a retention bound, for SSE Last-Event-ID replay.
 *
 * Durability: WAL journal, synchronous=FULL.  Every mutating call is one
 * transaction; when it returns 0 the change is on stable storage and
 * survives kill -9 and power loss.  A failing call changes nothing.
 * mgmt_store_txn_begin()/_commit() group several calls into one durable
 * commit (one fsync) when the caller acknowledges them together.  In
 * deferred mode (mgmt_store_defer(), what the daemon runs) calls and
 * groups join one "round" made durable by mgmt_store_flush(): see there
 * for the contract.
 *
 * Invariants the store enforces, whatever the caller does:
 *   - a function has at most one desired binding (never two owners);
 *   - a vPPB holds at most one function in the desired state;
 *   - a function has at most one unfinished move, and is in at most one
 *     unfinished batch, and not both; while it is, its binding cannot be
 *     changed directly (-FM_EBUSY: the API's 409);
 *   - a vPPB named as the target of an unfinished move or batch is
 *     reserved for it (-FM_EBUSY for anyone else);
 *   - ids of moves, batches, tasks and events only grow and are never
 *     reused, even after their rows are pruned.
 *
 * Cost: each call is one short transaction of a few indexed statements
 * plus, for mutating calls, one fsync of the WAL (about 1-10 ms on
 * ordinary disks).  Worst cases, documented so the event loop can budget:
 *   - every ~4 MiB of WAL (4096 pages of 1 KiB) a commit also
 *     checkpoints the WAL into the database file and fsyncs it (tens of
 *     ms on slow disks);
 *   - mgmt_store_open() runs PRAGMA quick_check, linear in database size
 *     (milliseconds for the bounded history kept here), and migrations;
 *   - the list and reconcile calls are linear in what they return;
 *   - if another process holds the write lock (a sqlite3 shell), a call
 *     waits up to MGMT_STORE_BUSY_MS and then fails with -FM_EBUSY.
 *
 * Threading: a store belongs to one thread (the daemon's event loop).
 * Ownership: strings and arrays returned in out-params are heap memory
 * owned by the caller, released by the matching _fini/_free function.
 * Times are wall-clock milliseconds since the Unix epoch (UTC).
 */
#ifndef MRFABRIC_MGMT_STORE_H
#define MRFABRIC_MGMT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"

struct mgmt_store;

/* Schema version this code writes; a newer database is refused. */
#define MGMT_STORE_SCHEMA_VERSION 3
/* PRAGMA application_id of an mrfabricd database: "MRFB". */
#define MGMT_STORE_APPLICATION_ID 0x4d524642
#define MGMT_STORE_BUSY_MS 100

#define MGMT_VPPB_ANY (-1)	  /* desired: any free vPPB of the partition */
#define MGMT_STORE_TEXT_MAX 65536 /* bytes of a URI, body, result, payload */
#define MGMT_STORE_EVENT_TYPE_MAX 64 /* bytes of an event type, with NUL */
#define MGMT_STORE_ERROR_MAX 256     /* bytes of a move's error, with NUL */
#define MGMT_STORE_TASK_MESSAGES 64  /* messages kept per task (newest) */
#define MGMT_STORE_BATCH_MAX 4096    /* changes in one batch */
#define MGMT_STORE_READ_MAX 4096     /* events returned by one read */

/* Bounds on history; 0 in a field selects its default. */
struct mgmt_store_opts {
	/* events kept, newest; default 1024 (up to 1/16 more between
	 * prunings, like the next two; exact below 16) */
	unsigned event_retention;
	/* finished tasks kept, newest; default 256.  This bound and the
	 * next are kept in steps: up to 1/16 more rows between prunings
	 * (exact below 16) */
	unsigned task_history;
	unsigned intent_history; /* finished moves and batches; 1024 */
};

#define MGMT_STORE_HISTORY_MAX 10000000u /* upper bound of each option */

/*
 * Open (creating if absent) the store at @path; ":memory:" gives a private
 * in-memory store (not durable, for tests).  Checks the file, refuses a
 * database that is not mrfabricd's or comes from a newer schema version,
 * and migrates an older one in one transaction.  @opts may be NULL.
 * Returns 0 and *out (free with mgmt_store_close), or -FM_EINVAL (bad
 * argument), -FM_EIO (cannot open or write), -FM_EPARSE (not a database,
 * or corrupt), -FM_EUNSUPP (newer schema), -FM_ESCHEMA (an SQLite
 * database that is not mrfabricd's), -FM_EBUSY (locked), -FM_ENOMEM.
 * Every message names the file.
 */
int mgmt_store_open_opts(struct mgmt_store **out, const char *path,
			 const struct mgmt_store_opts *opts,
			 struct fm_err *err);
/* mgmt_store_open_opts() with default bounds. */
int mgmt_store_open(struct mgmt_store **out, const char *path,
		    struct fm_err *err);
/* Close @st (NULL is fine).  An open group is rolled back. */
void mgmt_store_close(struct mgmt_store *st);

/*
 * Group the calls that follow into one transaction, committed durably by
 * mgmt_store_txn_commit() or dropped by mgmt_store_txn_rollback().  A
 * call inside a group that fails still changes nothing (it runs in its
 * own savepoint) and the group stays usable, except after an I/O error,
 * which aborts the group (commit then fails).  Nothing in a group is
 * durable, or visible to another connection, before the commit.  Groups
 * do not nest: -FM_ESTATE.
 */
int mgmt_store_txn_begin(struct mgmt_store *st, struct fm_err *err);
int mgmt_store_txn_commit(struct mgmt_store *st, struct fm_err *err);
void mgmt_store_txn_rollback(struct mgmt_store *st);

/*
 * Deferred durability (group commit across callbacks), what the daemon
 * runs with.  With mgmt_store_defer(st, true) a mutating call no longer
 * commits by itself: the first one opens a "round" (one transaction) and
 * every later call and group joins it (a group becomes a savepoint of
 * the round: its rollback still undoes only the group), until
 * mgmt_store_flush() commits the whole round with one fsync.  Calls
 * still change nothing when they fail; what they did is visible to this
 * connection at once and to others, and durable, after the flush.
 *
 * The contract for the caller: flush before anything that depends on a
 * change is acknowledged (an HTTP response to a mutating request, a task
 * shown as finished, an SSE event id), and often enough that nothing
 * waits long (the daemon flushes a round at most a few ms after it
 * opened, mgmt/durable.h).  A flush inside a group is done when the
 * group commits.  If a round's commit fails, all of it is gone:
 * watchers hear MGMT_STORE_ABORTED and in-memory state built on it can
 * no longer be trusted (the daemon stops; its restart reconciles).
 *
 * mgmt_store_defer(st, false) flushes first (-FM_ESTATE inside a group).
 * mgmt_store_flush() returns 0 when nothing is pending.
 */
int mgmt_store_defer(struct mgmt_store *st, bool on, struct fm_err *err);
int mgmt_store_flush(struct mgmt_store *st, struct fm_err *err);
/*
 * Ask for the open round to be committed soon, by whoever drives the
 * flushes (mgmt/durable.h: at the end of the loop iteration), instead of
 * now: what several callbacks of one iteration ask for then costs one
 * fsync.  Nothing when no round is open.
 */
void mgmt_store_flush_request(struct mgmt_store *st);
bool mgmt_store_flush_requested(const struct mgmt_store *st);
/* Changes made but not yet durable: a group or a round is open. */
bool mgmt_store_pending(const struct mgmt_store *st);

/*
 * Checkpoints in the background (what the daemon runs): a thread with
 * its own connection to @st's database copies committed WAL frames into
 * the database file every MGMT_STORE_CKPT_NS (SQLite's PASSIVE
 * checkpoint: it never waits for, nor blocks, this connection), so the
 * commits of the loop's thread no longer pay for a checkpoint (its
 * writes and the fsync of the database file) when the WAL reaches its
 * size; the automatic checkpoint of commits is kept, at
 * MGMT_STORE_CKPT_BACKSTOP pages, for a thread that fell far behind.
 * Durability is the WAL's and does not change.  Returns 0, -FM_EIO
 * (cannot open the second connection or start the thread), -FM_ENOMEM.
 * Stop it before closing @st (NULL is fine).
 */
#define MGMT_STORE_CKPT_NS 50000000ull /* 50 ms */
#define MGMT_STORE_CKPT_BACKSTOP 65536 /* pages: 64 MiB of 1 KiB */
struct mgmt_store_ckpt;
int mgmt_store_ckpt_start(struct mgmt_store_ckpt **out, struct mgmt_store *st,
			  struct fm_err *err);
void mgmt_store_ckpt_stop(struct mgmt_store_ckpt *c);

/* What a watcher hears about transactions (all on the store's thread). */
enum mgmt_store_news {
	MGMT_STORE_ROUND_OPENED,   /* deferred mode: a round began */
	MGMT_STORE_GROUP_BEGIN,	   /* mgmt_store_txn_begin() succeeded */
	MGMT_STORE_GROUP_ROLLBACK, /* that group was undone (the round,
				      if any, goes on) */
	MGMT_STORE_COMMITTED,	   /* everything pending is durable */
	MGMT_STORE_ABORTED,	   /* everything pending is gone */
};
typedef void mgmt_store_watch_fn(void *ctx, enum mgmt_store_news what);
#define MGMT_STORE_WATCH_MAX 4
/* Call @fn(@ctx, news) from now on.  -FM_ENOSPC above the maximum. */
int mgmt_store_watch(struct mgmt_store *st, mgmt_store_watch_fn *fn, void *ctx,
		     struct fm_err *err);
void mgmt_store_unwatch(struct mgmt_store *st, mgmt_store_watch_fn *fn,
			void *ctx);

/* ------------------------------------------------------------------ */
/* Desired bindings                                                   */

struct mgmt_store_binding {
	uint32_t fid; /* SW_FID(chip, port, index) */
	uint32_t partition;
	int32_t vppb;	     /* 0..SW_MAX_VPPBS-1 or MGMT_VPPB_ANY */
	uint64_t generation; /* store-wide version of the last change (ETag) */
};

/*
 * Set the desired binding of @fid to @partition / @vppb.  @if_generation
 * 0 sets unconditionally; otherwise the current row must exist and carry
 * that generation (If-Match).  Setting the binding it already has changes
 * nothing and returns the current generation.  *generation (may be NULL)
 * receives the row's generation.  Returns 0, -FM_EINVAL (fid
 * SW_FID_NONE, vppb out of range), -FM_ENOENT (@if_generation given and
 * no row), -FM_ESTATE (generation mismatch), -FM_EBUSY (@fid in a move or
 * batch, or the vPPB reserved by one), -FM_EEXIST (the vPPB holds another
 * function), -FM_EIO.
 */
int mgmt_store_binding_set(uint64_t *generation, struct mgmt_store *st,
			   uint32_t fid, uint32_t partition, int32_t vppb,
			   uint64_t if_generation, struct fm_err *err);
/*
 * Remove the desired binding of @fid (unbind).  @if_generation as above.
 * Returns 0, -FM_ENOENT, -FM_ESTATE, -FM_EBUSY, -FM_EIO.
 */
int mgmt_store_binding_remove(struct mgmt_store *st, uint32_t fid,
			      uint64_t if_generation, struct fm_err *err);
/* The desired binding of @fid.  Returns 0, -FM_ENOENT, -FM_EIO. */
int mgmt_store_binding_get(struct mgmt_store_binding *out,
			   struct mgmt_store *st, uint32_t fid,
			   struct fm_err *err);
/*
 * All desired bindings in fid order.  *out is a heap array of *n entries
 * (NULL when 0), the caller's to free().  Returns 0, -FM_ENOMEM, -FM_EIO.
 */
int mgmt_store_binding_list(struct mgmt_store_binding **out, size_t *n,
			    struct mgmt_store *st, struct fm_err *err);

/*
 * Whether vPPB @vppb (>= 0) of @partition is free for @fid in the desired
 * state: no other function's desired binding is there and no unfinished
 * move or batch of another function reserves it.  A switch slot that is
 * empty may still be taken here (a function moving away keeps its
 * binding until its move is done), so a bind that lets the switch choose
 * picks a slot this says is free.  Returns 0 (free), -FM_EEXIST (bound),
 * -FM_EBUSY (reserved), -FM_EINVAL (vppb out of range), -FM_EIO.
 */
int mgmt_store_slot_check(struct mgmt_store *st, uint32_t partition,
			  int32_t vppb, uint32_t fid, struct fm_err *err);

/* ------------------------------------------------------------------ */
/* Move intents                                                       */

/*
 * Phases in the order a move runs them (DESIGN.md "Moving a VF").  DONE,
 * FAILED and ROLLED_BACK are final.
 */
enum mgmt_move_phase {
	MGMT_MOVE_VALIDATED = 0, /* recorded, nothing touched yet */
	MGMT_MOVE_REMOVING,	 /* hot-remove from the source running */
	MGMT_MOVE_RESETTING,	 /* FLR and the 100 ms wait */
	MGMT_MOVE_ADDING,	 /* bind to the target and hot-add */
	MGMT_MOVE_DONE,		 /* target owns it; desired binding moved */
	MGMT_MOVE_FAILED,	 /* stopped; desired binding left at source */
	MGMT_MOVE_ROLLED_BACK,	 /* undone; the source owns it again */
	MGMT_MOVE_PHASE_COUNT
};

struct mgmt_store_move {
	uint64_t id;
	uint32_t fid;
	uint32_t src_partition;
	int32_t src_vppb; /* the source's vPPB when the move began */
	uint32_t dst_partition;
	int32_t dst_vppb; /* MGMT_VPPB_ANY until one is chosen */
	enum mgmt_move_phase phase;
	uint64_t task; /* its task id, 0 if none */
	int64_t created_ms;
	int64_t updated_ms;
	char error[MGMT_STORE_ERROR_MAX]; /* why it failed/rolled back, or "" */
};

/* Lower-case name of @phase ("removing"), "unknown" if out of range. */
const char *mgmt_move_phase_name(enum mgmt_move_phase phase);
/* true for DONE, FAILED, ROLLED_BACK. */
bool mgmt_move_phase_final(enum mgmt_move_phase phase);

/*
 * Record the intent to move @fid from @src_partition to @dst_partition
 * (@dst_vppb or MGMT_VPPB_ANY), in phase VALIDATED, linked to @task (0:
 * none).  The desired binding of @fid must be in @src_partition.  The
 * target vPPB, when given, must be free and is reserved until the move
 * ends.  *id receives the move's id.  Returns 0, -FM_EINVAL (same
 * partition, vppb out of range), -FM_ENOENT (@fid not bound, @task
 * unknown), -FM_ESTATE (@fid bound elsewhere than @src_partition),
 * -FM_EBUSY (@fid already moving or in a batch: one winner; target vPPB
 * reserved), -FM_EEXIST (target vPPB bound), -FM_EIO.
 */
int mgmt_store_move_begin(uint64_t *id, struct mgmt_store *st, uint32_t fid,
			  uint32_t src_partition, uint32_t dst_partition,
			  int32_t dst_vppb, uint64_t task, struct fm_err *err);
/*
 * Advance move @id to @phase.  Allowed: any later unfinished phase or DONE
 * from an unfinished one (rolling forward may skip phases), FAILED or
 * ROLLED_BACK from any unfinished one; nothing leaves a final phase.
 * @dst_vppb >= 0 records the target vPPB chosen (checked free, reserved);
 * MGMT_VPPB_ANY keeps the current one.  @error (NULL: keep) records why a
 * move failed or rolled back.  Entering DONE moves the desired binding to
 * the target in the same transaction (new generation).  Returns 0,
 * -FM_ENOENT, -FM_ESTATE (transition not allowed), -FM_EINVAL,
 * -FM_ERANGE (@error too long), -FM_EBUSY, -FM_EEXIST (target vPPB taken),
 * -FM_EIO.
 */
int mgmt_store_move_set_phase(struct mgmt_store *st, uint64_t id,
			      enum mgmt_move_phase phase, int32_t dst_vppb,
			      const char *error, struct fm_err *err);
/* Move @id (kept while unfinished, then within the history bound). */
int mgmt_store_move_get(struct mgmt_store_move *out, struct mgmt_store *st,
			uint64_t id, struct fm_err *err);
/* The unfinished move of @fid.  Returns 0, -FM_ENOENT if none, -FM_EIO. */
int mgmt_store_move_find_active(struct mgmt_store_move *out,
				struct mgmt_store *st, uint32_t fid,
				struct fm_err *err);

/* ------------------------------------------------------------------ */
/* Batches: all-or-nothing change sets                                */

enum mgmt_batch_state {
	MGMT_BATCH_APPLYING = 0, /* recorded; the fabric is being changed */
	MGMT_BATCH_COMMITTED,	 /* every change is in the desired state */
	MGMT_BATCH_ROLLED_BACK,	 /* none is; the fabric ends as it began */
	MGMT_BATCH_STATE_COUNT
};

struct mgmt_store_change {
	uint32_t fid;
	bool bind;	    /* true: bind to partition/vppb; false: unbind */
	uint32_t partition; /* bind only */
	int32_t vppb;	    /* bind only; may be MGMT_VPPB_ANY */
	/* Filled by the store: the desired binding before the batch. */
	bool was_bound;
	uint32_t old_partition;
	int32_t old_vppb;
};

struct mgmt_store_batch {
	uint64_t id;
	enum mgmt_batch_state state;
	uint64_t task;
	int64_t created_ms;
	int64_t updated_ms;
	struct mgmt_store_change *changes; /* owned; mgmt_store_batch_fini */
	size_t nchanges;
};

/* Lower-case name of @state ("applying"), "unknown" if out of range. */
const char *mgmt_batch_state_name(enum mgmt_batch_state state);

/*
 * Record batch of @n changes (each fid once) in state APPLYING, linked to
 * @task (0: none), after checking that applying all of them leaves a
 * valid desired state: every fid idle (not moving, not in another batch),
 * every unbound fid bound now, no vPPB with two functions afterwards, no
 * target reserved by a move or batch.  The desired state does not change
 * yet; the fids are busy until commit or rollback.  *id receives the
 * batch id.  Returns 0, -FM_EINVAL (n 0 or above MGMT_STORE_BATCH_MAX, fid
 * twice, bad fid or vppb), -FM_ENOENT (unbind of an unbound fid, unknown
 * task), -FM_EBUSY, -FM_EEXIST (a vPPB would hold two), -FM_EIO.
 */
int mgmt_store_batch_begin(uint64_t *id, struct mgmt_store *st,
			   const struct mgmt_store_change *changes, size_t n,
			   uint64_t task, struct fm_err *err);
/*
 * Apply every change of APPLYING batch @id to the desired state (one new
 * generation for all) and mark it COMMITTED, atomically.  Returns 0,
 * -FM_ENOENT, -FM_ESTATE (not applying), -FM_EIO.
 */
int mgmt_store_batch_commit(struct mgmt_store *st, uint64_t id,
			    struct fm_err *err);
/*
 * Mark APPLYING batch @id ROLLED_BACK; the desired state stays as before
 * the batch.  Returns 0, -FM_ENOENT, -FM_ESTATE, -FM_EIO.
 */
int mgmt_store_batch_rollback(struct mgmt_store *st, uint64_t id,
			      struct fm_err *err);
/* Batch @id with its changes in the order given.  Free: _batch_fini. */
int mgmt_store_batch_get(struct mgmt_store_batch *out, struct mgmt_store *st,
			 uint64_t id, struct fm_err *err);
void mgmt_store_batch_fini(struct mgmt_store_batch *b);

/* ------------------------------------------------------------------ */
/* Tasks (Redfish TaskService)                                        */

/*
 * Redfish TaskState values, ordered so that the finished ones come last
 * (DSP0268 Task.v1_x TaskState).
 */
enum mgmt_task_state {
	MGMT_TASK_NEW = 0,
	MGMT_TASK_STARTING,
	MGMT_TASK_RUNNING,
	MGMT_TASK_SUSPENDED,
	MGMT_TASK_INTERRUPTED,
	MGMT_TASK_PENDING,
	MGMT_TASK_STOPPING,
	MGMT_TASK_SERVICE,
	MGMT_TASK_CANCELLING,
	MGMT_TASK_COMPLETED, /* first finished state */
	MGMT_TASK_KILLED,
	MGMT_TASK_EXCEPTION,
	MGMT_TASK_CANCELLED,
	MGMT_TASK_STATE_COUNT
};

struct mgmt_store_task {
	uint64_t id;
	enum mgmt_task_state state;
	unsigned percent; /* 0..100 */
	int64_t start_ms;
	int64_t end_ms;	  /* 0 until finished */
	char *method;	  /* HTTP method of the request that started it */
	char *target_uri; /* its target */
	char *body;	  /* its JSON body, NULL if none */
	char *result;	  /* outcome text (JSON), NULL until set */
	char **messages;  /* phase messages, oldest first (at most
			     MGMT_STORE_TASK_MESSAGES) */
	size_t nmessages;
};

/* Redfish name of @state ("Running"), "unknown" if out of range. */
const char *mgmt_task_state_name(enum mgmt_task_state state);
/* true for Completed, Killed, Exception, Cancelled. */
bool mgmt_task_state_final(enum mgmt_task_state state);

/*
 * Create a task in state New, 0 %, started now, for the request @method
 * @target_uri with JSON @body (may be NULL).  Returns 0 and *id,
 * -FM_EINVAL (missing text), -FM_ERANGE (text too long), -FM_EIO.
 */
int mgmt_store_task_create(uint64_t *id, struct mgmt_store *st,
			   const char *method, const char *target_uri,
			   const char *body, struct fm_err *err);
/*
 * Update task @id: @state, @percent (0..100, or -1 to keep), append
 * @message (NULL: none; the oldest beyond MGMT_STORE_TASK_MESSAGES are
 * dropped), set @result (NULL: keep).  Entering a finished state records
 * the end time and prunes the oldest finished tasks beyond the history
 * bound (unfinished ones never are); a finished task cannot change
 * (-FM_ESTATE).  Returns 0,
 * -FM_ENOENT, -FM_ESTATE, -FM_EINVAL, -FM_ERANGE, -FM_EIO.
 */
int mgmt_store_task_update(struct mgmt_store *st, uint64_t id,
			   enum mgmt_task_state state, int percent,
			   const char *message, const char *result,
			   struct fm_err *err);
/* Task @id.  Free with mgmt_store_task_fini. */
int mgmt_store_task_get(struct mgmt_store_task *out, struct mgmt_store *st,
			uint64_t id, struct fm_err *err);
void mgmt_store_task_fini(struct mgmt_store_task *t);
/* Delete finished task @id.  Returns 0, -FM_ENOENT, -FM_ESTATE, -FM_EIO. */
int mgmt_store_task_delete(struct mgmt_store *st, uint64_t id,
			   struct fm_err *err);
/* Ids of every kept task, ascending; heap array to free(). */
int mgmt_store_task_list(uint64_t **ids, size_t *n, struct mgmt_store *st,
			 struct fm_err *err);

/* ------------------------------------------------------------------ */
/* Events                                                             */

struct mgmt_store_event {
	uint64_t id; /* 1, 2, ...: never reused, also across restarts */
	int64_t time_ms;
	char *type;    /* owned by the array; mgmt_store_events_free */
	char *payload; /* JSON text */
};

/*
 * Append an event of @type (printable ASCII without spaces, 1..63 bytes)
 * with JSON text @payload; the oldest events beyond the retention bound
 * are pruned.  *id (may be NULL) receives its sequence number.  Returns 0,
 * -FM_EINVAL, -FM_ERANGE, -FM_EIO.
 */
int mgmt_store_event_append(uint64_t *id, struct mgmt_store *st,
			    const char *type, const char *payload,
			    struct fm_err *err);
/*
 * Events with id > @after in id order, at most @max (1..MGMT_STORE_READ_MAX).
 * *gap is true when some events after @after were already pruned (the
 * reader missed them: send a marker, then these).  *out is a heap array of
 * *n events (NULL when 0); free with mgmt_store_events_free.  Returns 0,
 * -FM_EINVAL, -FM_ERANGE (@after was never issued: newer than the last
 * event), -FM_ENOMEM, -FM_EIO.
 */
int mgmt_store_event_read(struct mgmt_store_event **out, size_t *n, bool *gap,
			  struct mgmt_store *st, uint64_t after, size_t max,
			  struct fm_err *err);
/* The last id issued (0 if none ever), even if pruned. */
int mgmt_store_event_last(uint64_t *id, struct mgmt_store *st,
			  struct fm_err *err);
void mgmt_store_events_free(struct mgmt_store_event *ev, size_t n);

/* ------------------------------------------------------------------ */
/* Reconcile                                                          */

/* Everything the reconcile loop needs at start, one consistent snapshot. */
struct mgmt_store_reconcile {
	struct mgmt_store_binding *bindings; /* all, fid order */
	size_t nbindings;
	struct mgmt_store_move *moves; /* unfinished, id order */
	size_t nmoves;
	struct mgmt_store_batch *batches; /* APPLYING, with changes */
	size_t nbatches;
	uint64_t *tasks; /* ids of unfinished tasks */
	size_t ntasks;
};

/*
 * Load the desired bindings, unfinished moves, unfinished batches and
 * unfinished tasks in one read transaction.  On failure *out is empty.
 * Free with mgmt_store_reconcile_fini.  Returns 0, -FM_ENOMEM, -FM_EIO.
 */
int mgmt_store_reconcile_load(struct mgmt_store_reconcile *out,
			      struct mgmt_store *st, struct fm_err *err);
void mgmt_store_reconcile_fini(struct mgmt_store_reconcile *r);

/* ------------------------------------------------------------------ */
/* Accounts and audit (issue 5; mgmt/store_accounts.c)                */
/*
 * accounts  user name, role (enum mgmt_role of mgmt/auth.h: 0
 *           Administrator, 1 Operator, 2 ReadOnly), the crypt(3) hash of
 *           the password (never the password), enabled, locked, and a
 *           per-account generation that grows on every change (the
 *           account's ETag);
 * audit     one row per mutating request or login/logout: time, user,
 *           client address, method, URI, status, MessageId; never a
 *           password, token or body.  Bounded: oldest rows pruned.
 */
#define MGMT_STORE_NAME_MAX 64	/* account name, with NUL */
#define MGMT_STORE_HASH_MAX 256 /* crypt(3) hash, with NUL */
#define MGMT_STORE_ACCOUNTS_MAX 1024
#define MGMT_STORE_AUDIT_URI_MAX 512
#define MGMT_STORE_AUDIT_MSG_MAX 128

struct mgmt_store_account {
	uint64_t id; /* never reused */
	char name[MGMT_STORE_NAME_MAX];
	unsigned role;
	char hash[MGMT_STORE_HASH_MAX];
	bool enabled;
	bool locked;
	uint64_t generation; /* 1 when created, +1 on each change */
};

/* Number of accounts. */
int mgmt_store_account_count(size_t *n, struct mgmt_store *st,
			     struct fm_err *err);
/*
 * Add @a (its id and generation are ignored) and set *id.  -FM_EEXIST
 * when the name is taken, -FM_ENOSPC past MGMT_STORE_ACCOUNTS_MAX,
 * -FM_EINVAL for a role out of range or an empty name or hash.
 */
int mgmt_store_account_add(uint64_t *id, struct mgmt_store *st,
			   const struct mgmt_store_account *a,
			   struct fm_err *err);
/* The account @id, or named @name: -FM_ENOENT when none. */
int mgmt_store_account_get(struct mgmt_store_account *out,
			   struct mgmt_store *st, uint64_t id,
			   struct fm_err *err);
int mgmt_store_account_find(struct mgmt_store_account *out,
			    struct mgmt_store *st, const char *name,
			    struct fm_err *err);
/*
 * Write role, hash, enabled and locked of account @a->id, and bump its
 * generation (*generation gets the new one; may be NULL).  When
 * @a->generation is not 0 it must be the current one, else -FM_ESTATE
 * (a concurrent change).  -FM_ENOENT when the account is gone.
 */
int mgmt_store_account_update(uint64_t *generation, struct mgmt_store *st,
			      const struct mgmt_store_account *a,
			      struct fm_err *err);
/*
 * Delete account @id.  When @keep_admin is true, refuse with -FM_ESTATE
 * to delete the last enabled Administrator (role 0), checked in the same
 * transaction.  -FM_ENOENT.
 */
int mgmt_store_account_delete(struct mgmt_store *st, uint64_t id,
			      bool keep_admin, struct fm_err *err);
/* Number of enabled, unlocked Administrators other than @except_id. */
int mgmt_store_account_admins(size_t *n, struct mgmt_store *st,
			      uint64_t except_id, struct fm_err *err);
/* All accounts in id order; free(*out). */
int mgmt_store_account_list(struct mgmt_store_account **out, size_t *n,
			    struct mgmt_store *st, struct fm_err *err);

struct mgmt_store_audit {
	uint64_t id; /* set by the store */
	int64_t time_ms;
	char user[MGMT_STORE_NAME_MAX]; /* "-" when unknown */
	char peer[64];			/* client address, "-" when unknown */
	char method[16];
	char uri[MGMT_STORE_AUDIT_URI_MAX];
	unsigned status;
	char message_id[MGMT_STORE_AUDIT_MSG_MAX]; /* "" when none */
};

/*
 * Append @n records in one transaction, then prune to the newest
 * @retention.  Ids grow and are never reused.
 */
int mgmt_store_audit_add(struct mgmt_store *st,
			 const struct mgmt_store_audit *recs, size_t n,
			 unsigned retention, struct fm_err *err);
/* The record @id: -FM_ENOENT when none (or pruned). */
int mgmt_store_audit_get(struct mgmt_store_audit *out, struct mgmt_store *st,
			 uint64_t id, struct fm_err *err);
/* The kept records in id order; free(*out). */
int mgmt_store_audit_list(struct mgmt_store_audit **out, size_t *n,
			  struct mgmt_store *st, struct fm_err *err);

#endif
