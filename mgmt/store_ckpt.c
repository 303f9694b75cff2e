/* SPDX-License-Identifier: MIT */
/*
 * store_ckpt.c - WAL checkpoints in a thread of their own (store.h,
 * mgmt_store_ckpt_start()).
 *
 * The thread shares nothing with the loop but the database file: it has
 * its own SQLite connection (SQLite allows a checkpoint from any
 * connection while another one writes) and wakes on a timed wait, so
 * the loop's thread never waits for it.  Only stopping it takes the
 * lock, to wake it.
 */
#include "mgmt/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#include "mgmt/store_int.h"

struct mgmt_store_ckpt {
	pthread_t thread;
	sqlite3 *db; /* the thread's own connection */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	struct mgmt_store *st;
};

static void ckpt_deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += (long)(MGMT_STORE_CKPT_NS % 1000000000ull);
	ts->tv_sec += (time_t)(MGMT_STORE_CKPT_NS / 1000000000ull);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_nsec -= 1000000000L;
		ts->tv_sec++;
	}
}

static void *ckpt_run(void *arg)
{
	struct mgmt_store_ckpt *c = arg;
	struct timespec ts;
	int log, done, rc;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		ckpt_deadline(&ts);
		pthread_cond_timedwait(&c->wake, &c->lock, &ts);
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->lock);
		/* copies what no reader still needs; never waits */
		rc = sqlite3_wal_checkpoint_v2(
			c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			FM_LOG(FM_LOG_WARN, "store %s: checkpoint: %s",
			       mgmt_store_ext_path(c->st),
			       sqlite3_errmsg(c->db));
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int mgmt_store_ckpt_start(struct mgmt_store_ckpt **out, struct mgmt_store *st,
			  struct fm_err *err)
{
	struct mgmt_store_ckpt *c;
	pthread_condattr_t ca;
	int rc, ret;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return fm_err_set(err, FM_ENOMEM, "store: out of memory");
	c->st = st;
	rc = sqlite3_open_v2(mgmt_store_ext_path(st), &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ret = fm_err_set(
			err, FM_EIO, "store %s: checkpoint connection: %s",
			mgmt_store_ext_path(st),
			c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return ret;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&c->thread, NULL, ckpt_run, c);
	if (rc != 0) {
		ret = fm_err_sys(err, FM_EIO, rc, "store %s: checkpoint thread",
				 mgmt_store_ext_path(st));
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		sqlite3_close(c->db);
		free(c);
		return ret;
	}
	/* commits checkpoint only when the thread fell far behind */
	sqlite3_wal_autocheckpoint(mgmt_store_ext_db(st),
				   MGMT_STORE_CKPT_BACKSTOP);
	*out = c;
	return 0;
}

void mgmt_store_ckpt_stop(struct mgmt_store_ckpt *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
