/* SPDX-License-Identifier: MIT */
/*
 * durable.c - group commit on the event loop (durable.h).
 */
#include "mgmt/durable.h"

#include <stdlib.h>

#include "mgmt/mgmt.h"
#include "mgmt/store.h"

struct mgmt_durable {
	struct mgmt_loop *loop;
	struct mgmt_store *st;
	struct mgmt_store_ckpt *ckpt; /* checkpoints off the loop's thread */
	struct mgmt_timer flush;
	struct mgmt_timer gather; /* the commit window */
	uint64_t asked_at;	  /* loop ns a flush was first asked, 0 */
	bool failed;
};

static void durable_flush(void *ctx)
{
	struct mgmt_durable *d = ctx;
	struct fm_err err = { 0 };

	/* a failure is reported by durable_news(ABORTED) */
	if (mgmt_store_flush(d->st, &err) < 0)
		FM_LOG(FM_LOG_ERROR, "%s", err.msg);
}

/*
 * End of a loop iteration: commit what its callbacks asked to be, once
 * the commit window since the first ask has passed (answers that arrive
 * meanwhile share the fsync).
 */
static void durable_prewait(void *ctx)
{
	struct mgmt_durable *d = ctx;
	uint64_t now = mgmt_loop_now(d->loop);

	if (!mgmt_store_flush_requested(d->st))
		return;
	if (!d->asked_at)
		d->asked_at = now;
	if (now - d->asked_at >= MGMT_DURABLE_WINDOW_NS) {
		durable_flush(d);
		return;
	}
	if (!mgmt_timer_pending(&d->gather))
		mgmt_timer_start(d->loop, &d->gather,
				 MGMT_DURABLE_WINDOW_NS - (now - d->asked_at),
				 NULL);
}

static void durable_news(void *ctx, enum mgmt_store_news what)
{
	struct mgmt_durable *d = ctx;

	switch (what) {
	case MGMT_STORE_ROUND_OPENED:
		/* cannot fail: the timer is embedded */
		mgmt_timer_start(d->loop, &d->flush, MGMT_DURABLE_DELAY_NS,
				 NULL);
		break;
	case MGMT_STORE_COMMITTED:
		mgmt_timer_stop(d->loop, &d->flush);
		mgmt_timer_stop(d->loop, &d->gather);
		d->asked_at = 0;
		break;
	case MGMT_STORE_ABORTED:
		mgmt_timer_stop(d->loop, &d->flush);
		mgmt_timer_stop(d->loop, &d->gather);
		d->asked_at = 0;
		if (!d->failed)
			FM_LOG(FM_LOG_ERROR,
			       "store: a commit failed and changes since the "
			       "last one are lost; stopping (a restart "
			       "reconciles the store with the switch)");
		d->failed = true;
		mgmt_loop_stop(d->loop);
		break;
	case MGMT_STORE_GROUP_BEGIN:
	case MGMT_STORE_GROUP_ROLLBACK:
		break;
	}
}

int mgmt_durable_new(struct mgmt_durable **out, struct mgmt_loop *loop,
		     struct mgmt_store *st, struct fm_err *err)
{
	struct mgmt_durable *d;
	int ret;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return fm_err_set(err, FM_ENOMEM, "store: out of memory");
	d->loop = loop;
	d->st = st;
	mgmt_timer_init(&d->flush, durable_flush, d);
	mgmt_timer_init(&d->gather, durable_flush, d);
	ret = mgmt_store_watch(st, durable_news, d, err);
	if (ret == 0)
		ret = mgmt_store_ckpt_start(&d->ckpt, st, err);
	if (ret == 0)
		ret = mgmt_store_defer(st, true, err);
	if (ret == 0)
		mgmt_loop_set_prewait(loop, durable_prewait, d);
	if (ret < 0) {
		mgmt_store_ckpt_stop(d->ckpt);
		mgmt_store_unwatch(st, durable_news, d);
		free(d);
		return ret;
	}
	*out = d;
	return 0;
}

void mgmt_durable_free(struct mgmt_durable *d)
{
	struct fm_err err = { 0 };

	if (!d)
		return;
	if (mgmt_store_defer(d->st, false, &err) < 0)
		FM_LOG(FM_LOG_ERROR, "%s", err.msg);
	mgmt_store_unwatch(d->st, durable_news, d);
	mgmt_timer_stop(d->loop, &d->flush);
	mgmt_timer_stop(d->loop, &d->gather);
	mgmt_loop_set_prewait(d->loop, NULL, NULL);
	mgmt_store_ckpt_stop(d->ckpt);
	free(d);
}

bool mgmt_durable_failed(const struct mgmt_durable *d)
{
	return d && d->failed;
}
