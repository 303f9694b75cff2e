/* SPDX-License-Identifier: MIT */
/*
 * Crash safety of the store: a child process runs a stream of moves (each
 * phase one transaction group: move phase + task progress + event, as the
 * daemon does) and batches, and reports every acknowledged change over a
 * pipe; the parent SIGKILLs it at a random moment, reopens the database
 * and checks that every acknowledged change is there, that at most one
 * unacknowledged transaction got in beyond them, that each group landed
 * whole, and that SQLite's integrity check passes.  Each round's child
 * first reconciles what the previous one left unfinished, as mrfabricd
 * does at start.
 *
 * kill -9 loses no page the kernel already holds, so this checks the
 * transaction logic and WAL recovery; power loss additionally relies on
 * synchronous=FULL (fsync of the WAL at every commit).
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "store_test.h"
#include "switchfw/switchfw.h"

#define ROUNDS 60
#define NFIDS 8
#define NPARTS 4
#define MAX_MOVES 65536
#define FID(i) SW_FID(0, 4, (i))

/* Task percent at each move phase: the group invariant checked below. */
static const unsigned phase_pct[MGMT_MOVE_PHASE_COUNT] = {
	[MGMT_MOVE_VALIDATED] = 0,  [MGMT_MOVE_REMOVING] = 25,
	[MGMT_MOVE_RESETTING] = 50, [MGMT_MOVE_ADDING] = 75,
	[MGMT_MOVE_DONE] = 100,
};

enum ack_kind {
	ACK_PHASE = 1, /* move id reached phase */
	ACK_BINDING,   /* fid bound to partition at generation gen */
	ACK_EVENT,     /* event id appended */
	ACK_FAIL,      /* the child hit an unexpected error: phase = code */
};

struct ack {
	uint32_t kind;
	uint32_t fid;
	uint32_t partition;
	uint32_t phase;
	uint64_t id;
	uint64_t gen;
};

static const struct mgmt_store_opts big = {
	.event_retention = MGMT_STORE_HISTORY_MAX,
	.task_history = MGMT_STORE_HISTORY_MAX,
	.intent_history = MGMT_STORE_HISTORY_MAX,
};

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ------------------------------------------------------------------ */
/* The child: a daemon-like writer                                    */

struct child {
	struct mgmt_store *st;
	int fd;
	uint64_t rng;
	struct fm_err err;
};

static void child_send(struct child *c, const struct ack *a)
{
	/* one write of less than PIPE_BUF bytes: atomic */
	if (write(c->fd, a, sizeof(*a)) != (ssize_t)sizeof(*a))
		_exit(4);
}

static void child_check(struct child *c, int ret)
{
	struct ack a = { .kind = ACK_FAIL };

	if (ret == 0)
		return;
	a.phase = (uint32_t)-ret;
	child_send(c, &a);
	fprintf(stderr, "crash child: %s\n", c->err.msg);
	_exit(3);
}

/* Append the event of @move entering @phase; the caller acknowledges it. */
static uint64_t child_event(struct child *c, uint64_t move, unsigned phase)
{
	char payload[96];
	uint64_t id = 0;

	snprintf(payload, sizeof(payload), "{\"Move\":%llu,\"Phase\":%u}",
		 (unsigned long long)move, phase);
	child_check(c, mgmt_store_event_append(&id, c->st, "MovePhase", payload,
					       &c->err));
	return id;
}

static void child_binding_ack(struct child *c, uint32_t fid)
{
	struct mgmt_store_binding b;
	struct ack a = { .kind = ACK_BINDING, .fid = fid };

	child_check(c, mgmt_store_binding_get(&b, c->st, fid, &c->err));
	a.partition = b.partition;
	a.gen = b.generation;
	child_send(c, &a);
}

/*
 * Reconcile as mrfabricd does at start when the switch still shows every
 * interrupted move at its source: roll moves back, batches back, and end
 * their tasks with Exception.
 */
static void child_reconcile(struct child *c)
{
	struct mgmt_store_reconcile r;

	child_check(c, mgmt_store_reconcile_load(&r, c->st, &c->err));
	for (size_t i = 0; i < r.nmoves; i++) {
		child_check(c, mgmt_store_txn_begin(c->st, &c->err));
		child_check(c, mgmt_store_move_set_phase(
				       c->st, r.moves[i].id,
				       MGMT_MOVE_ROLLED_BACK, MGMT_VPPB_ANY,
				       "interrupted by a restart", &c->err));
		child_check(
			c, mgmt_store_task_update(c->st, r.moves[i].task,
						  MGMT_TASK_EXCEPTION, -1,
						  "rolled back after a restart",
						  NULL, &c->err));
		child_check(c, mgmt_store_txn_commit(c->st, &c->err));
	}
	for (size_t i = 0; i < r.nbatches; i++)
		child_check(c, mgmt_store_batch_rollback(c->st, r.batches[i].id,
							 &c->err));
	mgmt_store_reconcile_fini(&r);
}

/* One move of a random fid to another partition, phase by phase. */
static void child_move(struct child *c)
{
	static const enum mgmt_move_phase steps[] = { MGMT_MOVE_REMOVING,
						      MGMT_MOVE_RESETTING,
						      MGMT_MOVE_ADDING,
						      MGMT_MOVE_DONE };
	uint32_t fid = FID(rng_next(&c->rng) % NFIDS), dst;
	struct mgmt_store_binding b;
	struct ack a = { .kind = ACK_PHASE, .fid = fid };
	struct ack ev = { .kind = ACK_EVENT };
	uint64_t task = 0;

	child_check(c, mgmt_store_binding_get(&b, c->st, fid, &c->err));
	dst = (b.partition + 1 + (uint32_t)(rng_next(&c->rng) % (NPARTS - 1))) %
	      NPARTS;
	child_check(c, mgmt_store_txn_begin(c->st, &c->err));
	child_check(c, mgmt_store_task_create(&task, c->st, "POST",
					      "/redfish/v1/Fabrics/PCIe/"
					      "Actions/Oem/Move",
					      NULL, &c->err));
	child_check(c,
		    mgmt_store_move_begin(&a.id, c->st, fid, b.partition, dst,
					  MGMT_VPPB_ANY, task, &c->err));
	child_check(c, mgmt_store_task_update(c->st, task, MGMT_TASK_RUNNING, 0,
					      "validated", NULL, &c->err));
	ev.id = child_event(c, a.id, MGMT_MOVE_VALIDATED);
	child_check(c, mgmt_store_txn_commit(c->st, &c->err));
	a.phase = MGMT_MOVE_VALIDATED;
	child_send(c, &a);
	child_send(c, &ev);
	for (size_t i = 0; i < FM_ARRAY_SIZE(steps); i++) {
		bool done = steps[i] == MGMT_MOVE_DONE;

		child_check(c, mgmt_store_txn_begin(c->st, &c->err));
		child_check(c, mgmt_store_move_set_phase(c->st, a.id, steps[i],
							 MGMT_VPPB_ANY, NULL,
							 &c->err));
		child_check(
			c,
			mgmt_store_task_update(
				c->st, task,
				done ? MGMT_TASK_COMPLETED : MGMT_TASK_RUNNING,
				(int)phase_pct[steps[i]],
				mgmt_move_phase_name(steps[i]), NULL, &c->err));
		ev.id = child_event(c, a.id, steps[i]);
		child_check(c, mgmt_store_txn_commit(c->st, &c->err));
		a.phase = steps[i];
		child_send(c, &a);
		child_send(c, &ev);
	}
	child_binding_ack(c, fid);
}

/* Swap the partitions of two random fids in one batch. */
static void child_batch(struct child *c)
{
	uint32_t f1 = (uint32_t)(rng_next(&c->rng) % NFIDS);
	uint32_t f2 =
		(f1 + 1 + (uint32_t)(rng_next(&c->rng) % (NFIDS - 1))) % NFIDS;
	struct mgmt_store_binding b1, b2;
	struct mgmt_store_change ch[2] = { { 0 } };
	uint64_t id = 0;

	child_check(c, mgmt_store_binding_get(&b1, c->st, FID(f1), &c->err));
	child_check(c, mgmt_store_binding_get(&b2, c->st, FID(f2), &c->err));
	ch[0] = (struct mgmt_store_change){ .fid = FID(f1),
					    .bind = true,
					    .partition = b2.partition,
					    .vppb = MGMT_VPPB_ANY };
	ch[1] = (struct mgmt_store_change){ .fid = FID(f2),
					    .bind = true,
					    .partition = b1.partition,
					    .vppb = MGMT_VPPB_ANY };
	child_check(c, mgmt_store_batch_begin(&id, c->st, ch, 2, 0, &c->err));
	child_check(c, mgmt_store_batch_commit(c->st, id, &c->err));
	child_binding_ack(c, FID(f1));
	child_binding_ack(c, FID(f2));
}

static void child_run(const char *path, int fd, uint64_t seed)
{
	struct child c = { .fd = fd, .rng = seed };

	child_check(&c, mgmt_store_open_opts(&c.st, path, &big, &c.err));
	child_reconcile(&c);
	for (int i = 0; i < 100000; i++) {
		if (rng_next(&c.rng) % 4 == 0)
			child_batch(&c);
		else
			child_move(&c);
	}
	mgmt_store_close(c.st);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The parent: acknowledged state and its checks                      */

struct model {
	uint64_t gen[NFIDS];
	uint32_t part[NFIDS];
	int8_t phase[MAX_MOVES]; /* highest acked phase, -1: none */
	uint64_t max_move;	 /* highest acked move id */
	uint64_t max_event;	 /* highest acked event id */
};

static void model_ack(struct model *m, const struct ack *a, uint64_t seed)
{
	switch (a->kind) {
	case ACK_PHASE:
		cr_assert_lt(a->id, MAX_MOVES);
		m->phase[a->id] = (int8_t)a->phase;
		if (a->id > m->max_move)
			m->max_move = a->id;
		break;
	case ACK_BINDING:
		m->gen[SW_FID_INDEX(a->fid)] = a->gen;
		m->part[SW_FID_INDEX(a->fid)] = a->partition;
		break;
	case ACK_EVENT:
		if (a->id > m->max_event)
			m->max_event = a->id;
		break;
	default:
		cr_assert_fail("child failed with %s (seed %llu)",
			       fm_strerror((int)a->phase),
			       (unsigned long long)seed);
	}
}

static bool read_ack(int fd, struct ack *a)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*a)) {
		n = read(fd, (char *)a + got, sizeof(*a) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* Every acknowledged binding is there; beyond it at most one commit. */
static void check_bindings(struct mgmt_store *st, struct model *m,
			   uint64_t seed)
{
	uint64_t extra = 0, max_acked = 0;
	struct mgmt_store_binding b;

	for (int i = 0; i < NFIDS; i++)
		if (m->gen[i] > max_acked)
			max_acked = m->gen[i];
	for (int i = 0; i < NFIDS; i++) {
		cr_assert_eq(mgmt_store_binding_get(&b, st, FID(i), NULL), 0,
			     "fid %d lost its binding (seed %llu)", i,
			     (unsigned long long)seed);
		cr_assert_geq(b.generation, m->gen[i],
			      "fid %d: acknowledged generation %llu lost "
			      "(seed %llu)",
			      i, (unsigned long long)m->gen[i],
			      (unsigned long long)seed);
		if (b.generation == m->gen[i]) {
			cr_assert_eq(b.partition, m->part[i],
				     "fid %d (seed %llu)", i,
				     (unsigned long long)seed);
			continue;
		}
		/* committed, not acknowledged: only one transaction's worth */
		cr_assert_gt(b.generation, max_acked);
		cr_assert(extra == 0 || extra == b.generation,
			  "two unacknowledged commits (seed %llu)",
			  (unsigned long long)seed);
		extra = b.generation;
	}
}

/*
 * Every acknowledged move phase is there (or later), and each move's task
 * matches its phase: the group landed whole.
 */
static void check_moves(const char *path, struct mgmt_store *st,
			struct model *m, uint64_t seed)
{
	int64_t last = raw_int(path, "SELECT coalesce(max(id), 0) FROM moves");
	struct mgmt_store_move mv;
	struct mgmt_store_task t;

	cr_assert_geq(last, (int64_t)m->max_move,
		      "acknowledged move %llu lost (seed %llu)",
		      (unsigned long long)m->max_move,
		      (unsigned long long)seed);
	for (uint64_t id = 1; id <= (uint64_t)last; id++) {
		cr_assert_eq(mgmt_store_move_get(&mv, st, id, NULL), 0,
			     "move %llu lost (seed %llu)",
			     (unsigned long long)id, (unsigned long long)seed);
		if (m->phase[id] == MGMT_MOVE_DONE)
			cr_assert_eq(mv.phase, MGMT_MOVE_DONE);
		else if (mv.phase != MGMT_MOVE_ROLLED_BACK)
			cr_assert_geq((int)mv.phase, m->phase[id],
				      "move %llu went back (seed %llu)",
				      (unsigned long long)id,
				      (unsigned long long)seed);
		cr_assert_eq(mgmt_store_task_get(&t, st, mv.task, NULL), 0);
		if (mv.phase == MGMT_MOVE_ROLLED_BACK)
			cr_assert_eq(t.state, MGMT_TASK_EXCEPTION);
		else if (mv.phase == MGMT_MOVE_DONE)
			cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
		else
			cr_assert(t.state == MGMT_TASK_RUNNING &&
					  t.percent == phase_pct[mv.phase],
				  "move %llu %s with task %s at %u%% (seed "
				  "%llu)",
				  (unsigned long long)id,
				  mgmt_move_phase_name(mv.phase),
				  mgmt_task_state_name(t.state), t.percent,
				  (unsigned long long)seed);
		mgmt_store_task_fini(&t);
	}
}

/* Every acknowledged event is there, and ids run 1..last without holes. */
static void check_events(const char *path, struct model *m, uint64_t seed)
{
	int64_t count = raw_int(path, "SELECT count(*) FROM events");
	int64_t max = raw_int(path, "SELECT coalesce(max(id), 0) FROM events");

	cr_assert_eq(count, max, "event ids have holes (seed %llu)",
		     (unsigned long long)seed);
	cr_assert_geq(max, (int64_t)m->max_event,
		      "acknowledged event %llu lost (seed %llu)",
		      (unsigned long long)m->max_event,
		      (unsigned long long)seed);
}

/* Take what the database holds now as acknowledged (next round's base). */
static void model_resync(struct mgmt_store *st, struct model *m)
{
	struct mgmt_store_binding b;

	for (int i = 0; i < NFIDS; i++) {
		cr_assert_eq(mgmt_store_binding_get(&b, st, FID(i), NULL), 0);
		m->gen[i] = b.generation;
		m->part[i] = b.partition;
	}
}

static void run_round(const char *path, struct model *m, uint64_t *rng)
{
	uint64_t seed = rng_next(rng);
	unsigned acks = 1 + (unsigned)(rng_next(rng) % 40);
	struct timespec delay = { 0, (long)(rng_next(rng) % 2000000) };
	struct mgmt_store *st;
	struct ack a;
	char ok[64];
	int fds[2], status;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		child_run(path, fds[1], seed);
	}
	close(fds[1]);
	for (unsigned i = 0; i < acks && read_ack(fds[0], &a); i++)
		model_ack(m, &a, seed);
	nanosleep(&delay, NULL);
	kill(pid, SIGKILL);
	while (read_ack(fds[0], &a))
		model_ack(m, &a, seed);
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "child ended by itself, status 0x%x (seed %llu)", status,
		  (unsigned long long)seed);

	cr_assert_str_eq(
		raw_text(ok, sizeof(ok), path, "PRAGMA integrity_check"), "ok",
		"seed %llu", (unsigned long long)seed);
	st = t_open_opts(path, &big);
	check_bindings(st, m, seed);
	check_moves(path, st, m, seed);
	check_events(path, m, seed);
	model_resync(st, m);
	mgmt_store_close(st);
}

Test(mgmt_store_crash, every_acknowledged_change_survives_sigkill,
     .timeout = 300)
{
	static struct model m;
	uint64_t rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	struct mgmt_store_reconcile r;
	struct mgmt_store *st;
	struct tdb t;

	if (!rng)
		rng = 1;
	cr_log_info("crash test seed %llu", (unsigned long long)rng);
	memset(m.phase, -1, sizeof(m.phase));
	tdb_make(&t);
	st = t_open_opts(t.path, &big);
	for (int i = 0; i < NFIDS; i++)
		cr_assert_eq(mgmt_store_binding_set(&m.gen[i], st, FID(i),
						    (uint32_t)(i % NPARTS),
						    MGMT_VPPB_ANY, 0, NULL),
			     0);
	model_resync(st, &m);
	mgmt_store_close(st);

	for (int round = 0; round < ROUNDS; round++)
		run_round(t.path, &m, &rng);

	/* a last start reconciles what the last child left */
	st = t_open_opts(t.path, &big);
	cr_assert_eq(mgmt_store_reconcile_load(&r, st, NULL), 0);
	cr_assert_eq(r.nbindings, NFIDS);
	for (size_t i = 0; i < r.nmoves; i++)
		cr_assert_lt(r.moves[i].phase, MGMT_MOVE_DONE);
	cr_assert_leq(r.nmoves, 1, "only the last child's move may be open");
	mgmt_store_reconcile_fini(&r);
	mgmt_store_close(st);
	cr_log_info("%d kills: %lld moves (%lld rolled back), %lld batches "
		    "(%lld rolled back), %lld events",
		    ROUNDS,
		    (long long)raw_int(t.path, "SELECT count(*) FROM moves"),
		    (long long)raw_int(t.path, "SELECT count(*) FROM moves "
					       "WHERE phase = 6"),
		    (long long)raw_int(t.path, "SELECT count(*) FROM batches"),
		    (long long)raw_int(t.path, "SELECT count(*) FROM batches "
					       "WHERE state = 2"),
		    (long long)raw_int(t.path, "SELECT count(*) FROM events"));
	tdb_remove(&t);
}
