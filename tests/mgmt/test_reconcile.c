/* SPDX-License-Identifier: MIT */
/*
 * Reconcile at start: the store's desired state and unfinished intents
 * against what the switch reports, after a simulated interruption (the
 * store and the switch left as a crash would leave them, then the task
 * engine built anew as a restarted daemon does).
 */
#include "mw_fixture.h"

static struct mw_fx fx;

static void setup(void)
{
	mw_setup(&fx);
}

static void teardown(void)
{
	mw_teardown(&fx);
}

TestSuite(mgmt_reconcile, .init = setup, .fini = teardown);

/* The daemon restarts: a new task engine, then reconcile. */
static struct mgmt_reconcile_stats restart(void)
{
	struct mgmt_reconcile_stats st;
	struct fm_err err = { 0 };

	mgmt_tasks_free(fx.tasks);
	fx.tasks = NULL;
	mw_start_tasks(&fx);
	cr_assert_eq(mgmt_reconcile(&st, fx.tasks, 60000000000ull, &err), 0,
		     "%s", err.msg);
	return st;
}

static void switch_bind(uint32_t fid, unsigned part)
{
	unsigned vppb;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_client_bind(&vppb, fx.fmp, fid, part, -1, &err), 0,
		     "%s", err.msg);
	mw_run_virtual(&fx, 3000000000ull);
}

/* Record a move intent of @fid to @dst with its task, as a move start
 * does before touching the switch; returns the move id. */
static uint64_t record_move(uint32_t fid, uint32_t src, uint32_t dst,
			    uint64_t *task)
{
	uint64_t id;

	cr_assert_eq(mgmt_store_task_create(task, fx.store, "POST", MW_MOVE,
					    NULL, NULL),
		     0);
	cr_assert_eq(mgmt_store_move_begin(&id, fx.store, fid, src, dst,
					   MGMT_VPPB_ANY, *task, NULL),
		     0);
	return id;
}

Test(mgmt_reconcile, desired_binding_missing_on_switch_is_applied)
{
	struct mgmt_reconcile_stats st;

	cr_assert_eq(mgmt_store_binding_set(NULL, fx.store, MW_FID(1), 1,
					    MGMT_VPPB_ANY, 0, NULL),
		     0);
	st = restart();
	cr_assert_eq(st.binds, 1);
	cr_assert_eq(st.task, 0);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 1);
}

Test(mgmt_reconcile, switch_binding_not_desired_is_removed_by_a_task)
{
	struct mgmt_reconcile_stats st;
	struct mgmt_store_task t;

	switch_bind(MW_FID(3), 0);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 1);
	st = restart();
	cr_assert_eq(st.unbinds, 1);
	cr_assert_gt(st.task, 0);
	mw_run_tasks(&fx);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(3)).state, SW_FN_FREE);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 0);
	mw_task(&fx, &t, st.task);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	mgmt_store_task_fini(&t);
}

Test(mgmt_reconcile, function_in_wrong_zone_is_moved_to_desired_one)
{
	switch_bind(MW_FID(1), 0);
	cr_assert_eq(mgmt_store_binding_set(NULL, fx.store, MW_FID(1), 1,
					    MGMT_VPPB_ANY, 0, NULL),
		     0);
	restart();
	mw_run_tasks(&fx);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 0);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 1);
}

Test(mgmt_reconcile, move_recorded_but_not_started_rolls_forward)
{
	struct mgmt_reconcile_stats st;
	struct mgmt_store_move mv;
	struct mgmt_store_task t;
	uint64_t task, id;

	cr_assert_eq(mw_add(&fx, MW_ZONE(0), MW_EP(1)), 204);
	mw_run_virtual(&fx, 3000000000ull);
	id = record_move(MW_FID(1), 0, 1, &task);
	st = restart();
	cr_assert_eq(st.moves_resumed, 1);
	mw_run_tasks(&fx);
	cr_assert_eq(mgmt_store_move_get(&mv, fx.store, id, NULL), 0);
	cr_assert_eq(mv.phase, MGMT_MOVE_DONE);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
	mw_task(&fx, &t, task);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	mgmt_store_task_fini(&t);
}

Test(mgmt_reconcile, move_interrupted_after_removal_binds_to_target)
{
	struct mgmt_store_binding b;
	struct mgmt_store_move mv;
	uint64_t task, id;

	cr_assert_eq(mw_add(&fx, MW_ZONE(0), MW_EP(2)), 204);
	mw_run_virtual(&fx, 3000000000ull);
	id = record_move(MW_FID(2), 0, 1, &task);
	cr_assert_eq(mgmt_store_move_set_phase(fx.store, id, MGMT_MOVE_REMOVING,
					       MGMT_VPPB_ANY, NULL, NULL),
		     0);
	cr_assert_eq(sw_fmp_client_unbind(fx.fmp, MW_FID(2), SW_UNBIND_SURPRISE,
					  NULL),
		     0);
	mw_run_virtual(&fx, 1000000000ull);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(2)).state, SW_FN_FREE);
	restart();
	mw_run_tasks(&fx);
	cr_assert_eq(mgmt_store_move_get(&mv, fx.store, id, NULL), 0);
	cr_assert_eq(mv.phase, MGMT_MOVE_DONE);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(2), NULL), 0);
	cr_assert_eq(b.partition, 1);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 1);
}

Test(mgmt_reconcile, interrupted_batch_is_rolled_back_on_the_switch)
{
	struct mgmt_store_change ch = {
		.fid = MW_FID(4),
		.bind = true,
		.partition = 1,
		.vppb = MGMT_VPPB_ANY,
	};
	struct mgmt_reconcile_stats st;
	struct mgmt_store_batch b;
	uint64_t id;

	cr_assert_eq(mgmt_store_batch_begin(&id, fx.store, &ch, 1, 0, NULL), 0);
	switch_bind(MW_FID(4), 1); /* applied on the switch, then a crash */
	st = restart();
	cr_assert_eq(st.batches_rolled_back, 1);
	mw_run_tasks(&fx);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(4)).state, SW_FN_FREE);
	cr_assert_eq(mgmt_store_batch_get(&b, fx.store, id, NULL), 0);
	cr_assert_eq(b.state, MGMT_BATCH_ROLLED_BACK);
	mgmt_store_batch_fini(&b);
}

Test(mgmt_reconcile, unfinished_task_without_intent_ends_in_exception)
{
	struct mgmt_reconcile_stats st;
	struct mgmt_store_task t;
	uint64_t id;

	cr_assert_eq(mgmt_store_task_create(&id, fx.store, "POST", MW_MOVE,
					    NULL, NULL),
		     0);
	st = restart();
	cr_assert_eq(st.tasks_closed, 1);
	mw_task(&fx, &t, id);
	cr_assert_eq(t.state, MGMT_TASK_EXCEPTION);
	mgmt_store_task_fini(&t);
}

Test(mgmt_reconcile, matching_state_needs_no_task)
{
	struct mgmt_reconcile_stats st;

	cr_assert_eq(mw_add(&fx, MW_ZONE(0), MW_EP(1)), 204);
	mw_run_virtual(&fx, 3000000000ull);
	st = restart();
	cr_assert_eq(st.binds + st.unbinds + st.moves_resumed, 0);
	cr_assert_eq(st.task, 0);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 0);
}
