/* SPDX-License-Identifier: MIT */
/*
 * switch_link.c - notice a lost switch, reconnect, reconcile.  See
 * switch_link.h.
 */
#include "mgmt/switch_link.h"

#include <stdlib.h>

#include "mgmt/fabric.h"
#include "mgmt/mgmt.h"
#include "mgmt/move.h"
#include "mgmt/task.h"
#include "switchfw/fmp.h"

#define NS_PER_MS 1000000ull

enum link_state {
	LINK_UP,	/* the switch answers; nothing to do */
	LINK_DOWN,	/* disconnected (logged): reconnect */
	LINK_RECONCILE, /* answering again: reconcile still to run */
};

struct mgmt_switch_link {
	struct mgmt_loop *loop;
	struct sw_fmp_unix_client *uc;
	struct sw_fmp_client *fmp;
	struct mgmt_fabric *fabric;
	struct mgmt_tasks *tasks;
	struct mgmt_switch_link_opts opts;
	enum link_state state;
	uint64_t delay_ns;   /* until the next attempt */
	uint64_t down_ns;    /* loop time the loss was noticed */
	bool waiting_logged; /* "reconcile waits for jobs" said once */
	bool failed_logged;  /* a failed reconcile said once */
	uint64_t recoveries;
	struct mgmt_timer timer;
};

/* The switch answers Identify: take its state in before reconciling. */
static int link_resync(struct mgmt_switch_link *l, struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	int ret;

	ret = sw_fmp_client_identify(&id, l->fmp, err);
	if (ret == 0)
		mgmt_tasks_rebase(l->tasks, id.last_event_seq);
	if (ret == 0)
		ret = mgmt_fabric_refresh(l->fabric, err);
	if (ret == 0)
		FM_LOG(FM_LOG_INFO,
		       "switch link: %.32s answers again (firmware %u.%u, "
		       "event log at %llu)",
		       id.name, id.fw_version >> 16, id.fw_version & 0xffff,
		       (unsigned long long)id.last_event_seq);
	return ret;
}

/* Reconcile once no job runs; true when done (or failed: link down). */
static bool link_reconcile(struct mgmt_switch_link *l)
{
	struct mgmt_reconcile_stats st;
	struct fm_err err = { 0 };
	size_t jobs = mgmt_tasks_active(l->tasks);

	if (jobs) {
		if (!l->waiting_logged)
			FM_LOG(FM_LOG_INFO,
			       "switch link: reconcile waits for %zu running "
			       "task(s) to end",
			       jobs);
		l->waiting_logged = true;
		return false;
	}
	if (mgmt_reconcile(&st, l->tasks, l->opts.move_timeout_ns, &err) < 0) {
		/* tried again at each tick: say it once */
		FM_LOG(l->failed_logged ? FM_LOG_DEBUG : FM_LOG_WARN,
		       "switch link: reconcile: %s", err.msg);
		l->failed_logged = true;
		return false;
	}
	l->recoveries++;
	FM_LOG(FM_LOG_INFO,
	       "switch link: back after %llu ms; %u binding(s) restored, %u "
	       "removed",
	       (unsigned long long)((mgmt_loop_now(l->loop) - l->down_ns) /
				    NS_PER_MS),
	       st.binds, st.unbinds);
	return true;
}

static void link_down_noticed(struct mgmt_switch_link *l)
{
	const char *why = sw_fmp_unix_client_down_reason(l->uc);

	l->state = LINK_DOWN;
	l->down_ns = mgmt_loop_now(l->loop);
	l->delay_ns = l->opts.retry_ns;
	l->waiting_logged = false;
	l->failed_logged = false;
	FM_LOG(FM_LOG_WARN,
	       "switch link down (%s): requests that need the switch get "
	       "503; reconnecting every %llu ms",
	       why ? why : "reconcile failed",
	       (unsigned long long)(l->opts.retry_ns / NS_PER_MS));
}

/* One attempt to get from LINK_DOWN to LINK_RECONCILE. */
static void link_reconnect(struct mgmt_switch_link *l)
{
	struct fm_err err = { 0 };
	uint64_t max = MGMT_SWITCH_LINK_RETRY_MAX_MS * NS_PER_MS;

	if (sw_fmp_unix_client_reconnect(l->uc, &err) < 0) {
		FM_LOG(FM_LOG_DEBUG, "switch link: %s", err.msg);
		return;
	}
	if (link_resync(l, &err) < 0) {
		/* accepted but not answering (a stopped process): every
		 * attempt costs a deadline of the loop, so space them */
		FM_LOG(FM_LOG_DEBUG, "switch link: %s", err.msg);
		l->delay_ns = l->delay_ns * 2 > max ? max : l->delay_ns * 2;
		return;
	}
	l->state = LINK_RECONCILE;
	l->delay_ns = l->opts.retry_ns;
}

static void link_tick(void *arg)
{
	struct mgmt_switch_link *l = arg;
	uint64_t delay;

	if (!sw_fmp_unix_client_connected(l->uc) && l->state != LINK_DOWN)
		link_down_noticed(l);
	if (l->state == LINK_DOWN)
		link_reconnect(l);
	if (l->state == LINK_RECONCILE && link_reconcile(l))
		l->state = LINK_UP;
	/* a reconcile that failed on the switch left it disconnected */
	if (l->state == LINK_RECONCILE && !sw_fmp_unix_client_connected(l->uc))
		link_down_noticed(l);
	delay = l->state == LINK_DOWN ? l->delay_ns : l->opts.retry_ns;
	if (mgmt_timer_start(l->loop, &l->timer, delay, NULL) < 0)
		FM_LOG(FM_LOG_ERROR, "switch link: cannot restart its timer");
}

int mgmt_switch_link_new(struct mgmt_switch_link **out, struct mgmt_loop *loop,
			 struct sw_fmp_unix_client *uc,
			 struct sw_fmp_client *fmp, struct mgmt_fabric *fabric,
			 struct mgmt_tasks *tasks,
			 const struct mgmt_switch_link_opts *o,
			 struct fm_err *err)
{
	struct mgmt_switch_link *l;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return fm_err_set(err, FM_ENOMEM, "switch link: out of memory");
	l->loop = loop;
	l->uc = uc;
	l->fmp = fmp;
	l->fabric = fabric;
	l->tasks = tasks;
	if (o)
		l->opts = *o;
	if (!l->opts.retry_ns)
		l->opts.retry_ns = MGMT_SWITCH_LINK_RETRY_MS * NS_PER_MS;
	l->delay_ns = l->opts.retry_ns;
	l->state = LINK_UP;
	mgmt_timer_init(&l->timer, link_tick, l);
	if (mgmt_timer_start(loop, &l->timer, l->opts.retry_ns, NULL) < 0) {
		free(l);
		return fm_err_set(err, FM_ENOMEM, "switch link: out of memory");
	}
	*out = l;
	return 0;
}

void mgmt_switch_link_free(struct mgmt_switch_link *l)
{
	if (!l)
		return;
	mgmt_timer_stop(l->loop, &l->timer);
	free(l);
}

bool mgmt_switch_link_up(const struct mgmt_switch_link *l)
{
	return l->state == LINK_UP && sw_fmp_unix_client_connected(l->uc);
}

uint64_t mgmt_switch_link_recoveries(const struct mgmt_switch_link *l)
{
	return l->recoveries;
}
