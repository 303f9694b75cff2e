/* SPDX-License-Identifier: MIT */
/*
 * The durable store of mrfabricd: opening and schema versions, desired
 * bindings, move intents, batches, tasks, events, transaction groups and
 * the reconcile snapshot.  The crash test is in test_store_crash.c.
 */
#include <fcntl.h>

#include "store_test.h"
#include "switchfw/switchfw.h"

#define FID(i) SW_FID(0, 4, (i))

static struct mgmt_store *mem_store(void)
{
	return t_open(":memory:");
}

static void bind_ok(struct mgmt_store *st, uint32_t fid, uint32_t part,
		    int32_t vppb)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_binding_set(NULL, st, fid, part, vppb, 0, &err),
		     0, "%s", err.msg);
}

static struct mgmt_store_binding get_binding(struct mgmt_store *st,
					     uint32_t fid)
{
	struct mgmt_store_binding b = { 0 };
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_binding_get(&b, st, fid, &err), 0, "%s",
		     err.msg);
	return b;
}

/* Result of reading the binding of @fid (0 or -FM_ENOENT). */
static int binding_code(struct mgmt_store *st, uint32_t fid)
{
	struct mgmt_store_binding b;

	return mgmt_store_binding_get(&b, st, fid, NULL);
}

static int move_code(struct mgmt_store *st, uint64_t id)
{
	struct mgmt_store_move m;

	return mgmt_store_move_get(&m, st, id, NULL);
}

static int active_code(struct mgmt_store *st, uint32_t fid)
{
	struct mgmt_store_move m;

	return mgmt_store_move_find_active(&m, st, fid, NULL);
}

static uint64_t begin_move(struct mgmt_store *st, uint32_t fid, uint32_t src,
			   uint32_t dst, int32_t vppb)
{
	struct fm_err err = { 0 };
	uint64_t id = 0;

	cr_assert_eq(
		mgmt_store_move_begin(&id, st, fid, src, dst, vppb, 0, &err), 0,
		"%s", err.msg);
	return id;
}

static void set_phase(struct mgmt_store *st, uint64_t id,
		      enum mgmt_move_phase phase)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_move_set_phase(st, id, phase, MGMT_VPPB_ANY,
					       NULL, &err),
		     0, "%s", err.msg);
}

static struct mgmt_store_move get_move(struct mgmt_store *st, uint64_t id)
{
	struct mgmt_store_move m;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_move_get(&m, st, id, &err), 0, "%s", err.msg);
	return m;
}

static uint64_t append_event(struct mgmt_store *st, const char *type)
{
	struct fm_err err = { 0 };
	uint64_t id = 0;

	cr_assert_eq(mgmt_store_event_append(&id, st, type, "{\"x\":1}", &err),
		     0, "%s", err.msg);
	return id;
}

static uint64_t new_task(struct mgmt_store *st)
{
	struct fm_err err = { 0 };
	uint64_t id = 0;

	cr_assert_eq(mgmt_store_task_create(&id, st, "POST",
					    "/redfish/v1/Fabrics/PCIe/Actions/"
					    "Oem/Move",
					    "{\"Fid\":1}", &err),
		     0, "%s", err.msg);
	return id;
}

static void finish_task(struct mgmt_store *st, uint64_t id)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_task_update(st, id, MGMT_TASK_COMPLETED, 100,
					    NULL, NULL, &err),
		     0, "%s", err.msg);
}

/* ------------------------------------------------------------------ */
/* Open and schema                                                    */

Test(mgmt_store, open_creates_a_wal_database_at_the_current_schema_version)
{
	struct tdb t;
	char mode[16];

	tdb_make(&t);
	mgmt_store_close(t_open(t.path));
	cr_assert_eq(raw_int(t.path, "PRAGMA user_version"),
		     MGMT_STORE_SCHEMA_VERSION);
	cr_assert_eq(raw_int(t.path, "PRAGMA application_id"),
		     MGMT_STORE_APPLICATION_ID);
	cr_assert_str_eq(
		raw_text(mode, sizeof(mode), t.path, "PRAGMA journal_mode"),
		"wal");
	tdb_remove(&t);
}

Test(mgmt_store, open_migrates_an_empty_version_0_database)
{
	struct mgmt_store *st;
	struct tdb t;

	tdb_make(&t);
	raw_exec(t.path, "PRAGMA user_version = 0; VACUUM;");
	cr_assert_eq(raw_int(t.path, "PRAGMA user_version"), 0);
	st = t_open(t.path);
	bind_ok(st, FID(1), 0, 2);
	mgmt_store_close(st);
	cr_assert_eq(raw_int(t.path, "PRAGMA user_version"),
		     MGMT_STORE_SCHEMA_VERSION);
	cr_assert_eq(raw_int(t.path, "SELECT vppb FROM bindings"), 2);
	tdb_remove(&t);
}

Test(mgmt_store, open_refuses_a_newer_schema_version_and_leaves_it_alone)
{
	struct fm_err err = { 0 };
	struct mgmt_store *st = NULL;
	struct tdb t;

	tdb_make(&t);
	mgmt_store_close(t_open(t.path));
	raw_exec(t.path, "PRAGMA user_version = 99");
	cr_assert_eq(mgmt_store_open(&st, t.path, &err), -FM_EUNSUPP);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err.msg, t.path), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "schema version 99 is newer"), "%s",
			   err.msg);
	cr_assert_eq(raw_int(t.path, "PRAGMA user_version"), 99);
	tdb_remove(&t);
}

Test(mgmt_store, open_refuses_a_file_that_is_not_a_database)
{
	static const char text[] = "this is a chassis description, not a "
				   "database; it must stay untouched\n";
	struct fm_err err = { 0 };
	struct mgmt_store *st = NULL;
	char back[sizeof(text) + 16] = { 0 };
	struct tdb t;
	FILE *f;

	tdb_make(&t);
	f = fopen(t.path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(mgmt_store_open(&st, t.path, &err), -FM_EPARSE);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err.msg, t.path), "%s", err.msg);
	cr_assert_not_null(strstr(err.msg, "not a database"), "%s", err.msg);
	f = fopen(t.path, "r");
	cr_assert_eq(fread(back, 1, sizeof(back), f), strlen(text));
	fclose(f);
	cr_assert_str_eq(back, text);
	tdb_remove(&t);
}

Test(mgmt_store, open_refuses_a_corrupt_database)
{
	struct fm_err err = { 0 };
	struct mgmt_store *st = NULL;
	char junk[4096];
	struct tdb t;
	int fd;

	tdb_make(&t);
	st = t_open(t.path);
	for (uint32_t i = 0; i < 200; i++)
		bind_ok(st, FID(i), i, MGMT_VPPB_ANY);
	mgmt_store_close(st);
	st = NULL;
	/* garble every page after the first (the header stays valid) */
	memset(junk, 0xa5, sizeof(junk));
	fd = open(t.path, O_WRONLY);
	cr_assert_geq(fd, 0);
	for (off_t off = 4096; off < 16 * 4096; off += 4096)
		cr_assert_eq(pwrite(fd, junk, sizeof(junk), off),
			     (ssize_t)sizeof(junk));
	close(fd);
	cr_assert_eq(mgmt_store_open(&st, t.path, &err), -FM_EPARSE, "%s",
		     err.msg);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err.msg, t.path), "%s", err.msg);
	tdb_remove(&t);
}

Test(mgmt_store, open_refuses_another_applications_database)
{
	struct fm_err err = { 0 };
	struct mgmt_store *st = NULL;
	struct tdb t;

	tdb_make(&t);
	raw_exec(t.path, "CREATE TABLE photos(id INTEGER PRIMARY KEY)");
	cr_assert_eq(mgmt_store_open(&st, t.path, &err), -FM_ESCHEMA);
	cr_assert_not_null(strstr(err.msg, "not an mrfabricd database"), "%s",
			   err.msg);
	cr_assert_not_null(strstr(err.msg, t.path), "%s", err.msg);
	cr_assert_eq(raw_int(t.path, "SELECT count(*) FROM sqlite_schema"), 1);
	tdb_remove(&t);
}

Test(mgmt_store, open_fails_with_eio_naming_a_path_that_cannot_exist)
{
	struct fm_err err = { 0 };
	struct mgmt_store *st = NULL;
	const char *path = "/nonexistent-mrfabric-dir/sub/state.db";

	cr_assert_eq(mgmt_store_open(&st, path, &err), -FM_EIO);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err.msg, path), "%s", err.msg);
}

Test(mgmt_store, open_rejects_an_empty_path_and_oversized_bounds)
{
	struct mgmt_store_opts opts = { .event_retention =
						MGMT_STORE_HISTORY_MAX + 1 };
	struct fm_err err = { 0 };
	struct mgmt_store *st = NULL;

	cr_assert_eq(mgmt_store_open(&st, "", &err), -FM_EINVAL);
	fm_err_clear(&err);
	cr_assert_eq(mgmt_store_open_opts(&st, ":memory:", &opts, &err),
		     -FM_ERANGE);
	cr_assert_null(st);
}

Test(mgmt_store, state_survives_close_and_reopen)
{
	struct mgmt_store_binding b;
	struct mgmt_store *st;
	struct tdb t;
	uint64_t task, last = 0;

	tdb_make(&t);
	st = t_open(t.path);
	bind_ok(st, FID(7), 3, 5);
	task = new_task(st);
	append_event(st, "Bind");
	mgmt_store_close(st);
	st = t_open(t.path);
	b = get_binding(st, FID(7));
	cr_assert_eq(b.partition, 3);
	cr_assert_eq(b.vppb, 5);
	cr_assert_eq(mgmt_store_task_delete(st, task, NULL), -FM_ESTATE);
	cr_assert_eq(mgmt_store_event_last(&last, st, NULL), 0);
	cr_assert_eq(last, 1);
	mgmt_store_close(st);
	tdb_remove(&t);
}

/* ------------------------------------------------------------------ */
/* Bindings                                                           */

Test(mgmt_store, binding_set_then_get_returns_it_with_its_generation)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_binding b;
	uint64_t gen = 0;

	cr_assert_eq(mgmt_store_binding_set(&gen, st, FID(1), 2, 3, 0, NULL),
		     0);
	b = get_binding(st, FID(1));
	cr_assert_eq(b.fid, FID(1));
	cr_assert_eq(b.partition, 2);
	cr_assert_eq(b.vppb, 3);
	cr_assert_neq(gen, 0);
	cr_assert_eq(b.generation, gen);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_get_of_an_unbound_fid_is_enoent)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_binding b;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_binding_get(&b, st, FID(9), &err), -FM_ENOENT);
	cr_assert_str_eq(err.msg, "fid 0x00040009 is not bound");
	mgmt_store_close(st);
}

Test(mgmt_store, binding_set_with_the_current_generation_bumps_it)
{
	struct mgmt_store *st = mem_store();
	uint64_t g1 = 0, g2 = 0;

	cr_assert_eq(mgmt_store_binding_set(&g1, st, FID(1), 0, 0, 0, NULL), 0);
	cr_assert_eq(mgmt_store_binding_set(&g2, st, FID(1), 0, 1, g1, NULL),
		     0);
	cr_assert_gt(g2, g1);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 1);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_set_with_a_stale_generation_changes_nothing)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };
	uint64_t g1 = 0, g2 = 0;

	cr_assert_eq(mgmt_store_binding_set(&g1, st, FID(1), 0, 0, 0, NULL), 0);
	cr_assert_eq(mgmt_store_binding_set(&g2, st, FID(1), 0, 1, 0, NULL), 0);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(1), 0, 2, g1, &err),
		     -FM_ESTATE);
	cr_assert_not_null(strstr(err.msg, "generation"), "%s", err.msg);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 1);
	cr_assert_eq(get_binding(st, FID(1)).generation, g2);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_set_with_a_generation_of_a_missing_row_is_enoent)
{
	struct mgmt_store *st = mem_store();

	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(1), 0, 0, 5, NULL),
		     -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_set_to_its_current_value_keeps_the_generation)
{
	struct mgmt_store *st = mem_store();
	uint64_t g1 = 0, g2 = 0;

	cr_assert_eq(mgmt_store_binding_set(&g1, st, FID(1), 1, 4, 0, NULL), 0);
	cr_assert_eq(mgmt_store_binding_set(&g2, st, FID(1), 1, 4, 0, NULL), 0);
	cr_assert_eq(g1, g2);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_set_to_an_occupied_vppb_is_refused)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };

	bind_ok(st, FID(1), 2, 3);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(2), 2, 3, 0, &err),
		     -FM_EEXIST);
	cr_assert_str_eq(err.msg,
			 "partition 2 vPPB 3 is bound to fid 0x00040001");
	cr_assert_eq(binding_code(st, FID(2)), -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_to_any_vppb_lets_many_functions_share_a_partition)
{
	struct mgmt_store *st = mem_store();

	bind_ok(st, FID(1), 2, MGMT_VPPB_ANY);
	bind_ok(st, FID(2), 2, MGMT_VPPB_ANY);
	cr_assert_eq(get_binding(st, FID(2)).vppb, MGMT_VPPB_ANY);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_set_rejects_a_vppb_out_of_range)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(1), 0, SW_MAX_VPPBS,
					    0, &err),
		     -FM_EINVAL);
	cr_assert_str_eq(err.msg, "store: vPPB 32 out of range (0..31 or any)");
	mgmt_store_close(st);
}

Test(mgmt_store, binding_set_rejects_the_no_function_fid)
{
	struct mgmt_store *st = mem_store();

	cr_assert_eq(
		mgmt_store_binding_set(NULL, st, SW_FID_NONE, 0, 0, 0, NULL),
		-FM_EINVAL);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_remove_unbinds_and_frees_the_vppb)
{
	struct mgmt_store *st = mem_store();

	bind_ok(st, FID(1), 0, 0);
	cr_assert_eq(mgmt_store_binding_remove(st, FID(1), 0, NULL), 0);
	cr_assert_eq(binding_code(st, FID(1)), -FM_ENOENT);
	bind_ok(st, FID(2), 0, 0);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_remove_of_an_unbound_fid_is_enoent)
{
	struct mgmt_store *st = mem_store();

	cr_assert_eq(mgmt_store_binding_remove(st, FID(1), 0, NULL),
		     -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_remove_with_a_stale_generation_changes_nothing)
{
	struct mgmt_store *st = mem_store();
	uint64_t g1 = 0;

	cr_assert_eq(mgmt_store_binding_set(&g1, st, FID(1), 0, 0, 0, NULL), 0);
	bind_ok(st, FID(1), 0, 1);
	cr_assert_eq(mgmt_store_binding_remove(st, FID(1), g1, NULL),
		     -FM_ESTATE);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 1);
	mgmt_store_close(st);
}

Test(mgmt_store, generations_are_never_reused_after_unbind_and_rebind)
{
	struct mgmt_store *st = mem_store();
	uint64_t g1 = 0, g2 = 0;

	cr_assert_eq(mgmt_store_binding_set(&g1, st, FID(1), 0, 0, 0, NULL), 0);
	cr_assert_eq(mgmt_store_binding_remove(st, FID(1), 0, NULL), 0);
	cr_assert_eq(mgmt_store_binding_set(&g2, st, FID(1), 0, 0, 0, NULL), 0);
	cr_assert_gt(g2, g1);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_list_returns_every_binding_in_fid_order)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_binding *b = NULL;
	size_t n = 0;

	bind_ok(st, FID(3), 1, 0);
	bind_ok(st, FID(1), 1, 1);
	bind_ok(st, SW_FID(1, 0, 0), 0, MGMT_VPPB_ANY);
	cr_assert_eq(mgmt_store_binding_list(&b, &n, st, NULL), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(b[0].fid, FID(1));
	cr_assert_eq(b[1].fid, FID(3));
	cr_assert_eq(b[2].fid, SW_FID(1, 0, 0));
	cr_assert_eq(b[2].vppb, MGMT_VPPB_ANY);
	free(b);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_list_of_an_empty_store_is_empty)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_binding *b = (void *)1;
	size_t n = 9;

	cr_assert_eq(mgmt_store_binding_list(&b, &n, st, NULL), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(b);
	mgmt_store_close(st);
}

/* ------------------------------------------------------------------ */
/* Moves                                                              */

Test(mgmt_store, move_runs_its_phases_and_moves_the_binding_only_at_done)
{
	static const enum mgmt_move_phase steps[] = { MGMT_MOVE_REMOVING,
						      MGMT_MOVE_RESETTING,
						      MGMT_MOVE_ADDING };
	struct mgmt_store *st = mem_store();
	struct mgmt_store_binding before;
	struct mgmt_store_move m;
	uint64_t id;

	bind_ok(st, FID(1), 0, 2);
	before = get_binding(st, FID(1));
	id = begin_move(st, FID(1), 0, 1, 4);
	m = get_move(st, id);
	cr_assert_eq(m.phase, MGMT_MOVE_VALIDATED);
	cr_assert_eq(m.src_vppb, 2);
	cr_assert_eq(m.dst_vppb, 4);
	for (size_t i = 0; i < 3; i++) {
		set_phase(st, id, steps[i]);
		cr_assert_eq(get_move(st, id).phase, steps[i]);
		cr_assert_eq(get_binding(st, FID(1)).partition, 0);
		cr_assert_eq(get_binding(st, FID(1)).generation,
			     before.generation);
	}
	set_phase(st, id, MGMT_MOVE_DONE);
	cr_assert_eq(get_move(st, id).phase, MGMT_MOVE_DONE);
	cr_assert_eq(get_binding(st, FID(1)).partition, 1);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 4);
	cr_assert_gt(get_binding(st, FID(1)).generation, before.generation);
	mgmt_store_close(st);
}

Test(mgmt_store, slot_check_finds_a_free_slot_free)
{
	struct mgmt_store *st = mem_store();

	bind_ok(st, FID(1), 0, 2);
	cr_assert_eq(mgmt_store_slot_check(st, 0, 3, FID(2), NULL), 0);
	cr_assert_eq(mgmt_store_slot_check(st, 1, 2, FID(2), NULL), 0);
	mgmt_store_close(st);
}

Test(mgmt_store, slot_check_keeps_the_slot_of_a_fid_moving_away)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };

	bind_ok(st, FID(1), 0, 2);
	begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	cr_assert_eq(mgmt_store_slot_check(st, 0, 2, FID(2), &err), -FM_EEXIST);
	cr_assert_str_eq(err.msg,
			 "partition 0 vPPB 2 is bound to fid 0x00040001");
	cr_assert_eq(mgmt_store_slot_check(st, 0, 2, FID(1), NULL), 0);
	mgmt_store_close(st);
}

Test(mgmt_store, slot_check_reports_a_slot_a_move_reserved_as_busy)
{
	struct mgmt_store *st = mem_store();

	bind_ok(st, FID(1), 0, 2);
	begin_move(st, FID(1), 0, 1, 5);
	cr_assert_eq(mgmt_store_slot_check(st, 1, 5, FID(2), NULL), -FM_EBUSY);
	mgmt_store_close(st);
}

Test(mgmt_store, slot_check_refuses_a_slot_out_of_range)
{
	struct mgmt_store *st = mem_store();

	cr_assert_eq(mgmt_store_slot_check(st, 0, -1, FID(2), NULL),
		     -FM_EINVAL);
	cr_assert_eq(mgmt_store_slot_check(st, 0, 4096, FID(2), NULL),
		     -FM_EINVAL);
	mgmt_store_close(st);
}

Test(mgmt_store, second_move_of_a_moving_fid_loses_with_ebusy)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };
	uint64_t id, id2 = 0;

	bind_ok(st, FID(1), 0, 0);
	id = begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	cr_assert_eq(mgmt_store_move_begin(&id2, st, FID(1), 0, 2,
					   MGMT_VPPB_ANY, 0, &err),
		     -FM_EBUSY);
	cr_assert_str_eq(err.msg, "fid 0x00040001 is being moved (move 1)");
	cr_assert_eq(id, 1);
	mgmt_store_close(st);
}

Test(mgmt_store, move_begin_refuses_a_source_that_does_not_own_the_fid)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };
	uint64_t id;

	bind_ok(st, FID(1), 3, 0);
	cr_assert_eq(mgmt_store_move_begin(&id, st, FID(1), 0, 1, MGMT_VPPB_ANY,
					   0, &err),
		     -FM_ESTATE);
	cr_assert_str_eq(err.msg,
			 "fid 0x00040001 is bound to partition 3, not 0");
	mgmt_store_close(st);
}

Test(mgmt_store, move_begin_refuses_an_unbound_fid)
{
	struct mgmt_store *st = mem_store();
	uint64_t id;

	cr_assert_eq(mgmt_store_move_begin(&id, st, FID(1), 0, 1, MGMT_VPPB_ANY,
					   0, NULL),
		     -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, move_begin_refuses_the_same_source_and_target)
{
	struct mgmt_store *st = mem_store();
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	cr_assert_eq(mgmt_store_move_begin(&id, st, FID(1), 0, 0, MGMT_VPPB_ANY,
					   0, NULL),
		     -FM_EINVAL);
	mgmt_store_close(st);
}

Test(mgmt_store, move_begin_refuses_an_unknown_task)
{
	struct mgmt_store *st = mem_store();
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	cr_assert_eq(mgmt_store_move_begin(&id, st, FID(1), 0, 1, MGMT_VPPB_ANY,
					   42, NULL),
		     -FM_ENOENT);
	cr_assert_eq(active_code(st, FID(1)), -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, move_begin_refuses_a_bound_target_vppb)
{
	struct mgmt_store *st = mem_store();
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	bind_ok(st, FID(2), 1, 0);
	cr_assert_eq(mgmt_store_move_begin(&id, st, FID(1), 0, 1, 0, 0, NULL),
		     -FM_EEXIST);
	mgmt_store_close(st);
}

Test(mgmt_store, binding_changes_of_a_moving_fid_are_refused)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };

	bind_ok(st, FID(1), 0, 0);
	begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(1), 2, 0, 0, &err),
		     -FM_EBUSY);
	cr_assert_str_eq(err.msg, "fid 0x00040001 is being moved (move 1)");
	cr_assert_eq(mgmt_store_binding_remove(st, FID(1), 0, NULL), -FM_EBUSY);
	cr_assert_eq(get_binding(st, FID(1)).partition, 0);
	mgmt_store_close(st);
}

Test(mgmt_store, move_target_vppb_is_reserved_until_the_move_ends)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	id = begin_move(st, FID(1), 0, 1, 6);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(2), 1, 6, 0, &err),
		     -FM_EBUSY);
	cr_assert_str_eq(err.msg, "partition 1 vPPB 6 is reserved by move 1 "
				  "of fid 0x00040001");
	set_phase(st, id, MGMT_MOVE_ROLLED_BACK);
	bind_ok(st, FID(2), 1, 6);
	mgmt_store_close(st);
}

Test(mgmt_store, rolled_back_move_keeps_the_source_binding_and_frees_the_fid)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_move m;
	struct fm_err err = { 0 };
	uint64_t id;

	bind_ok(st, FID(1), 0, 3);
	id = begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	set_phase(st, id, MGMT_MOVE_REMOVING);
	cr_assert_eq(mgmt_store_move_set_phase(
			     st, id, MGMT_MOVE_ROLLED_BACK, MGMT_VPPB_ANY,
			     "target blade did not answer", &err),
		     0, "%s", err.msg);
	m = get_move(st, id);
	cr_assert_eq(m.phase, MGMT_MOVE_ROLLED_BACK);
	cr_assert_str_eq(m.error, "target blade did not answer");
	cr_assert_eq(get_binding(st, FID(1)).partition, 0);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 3);
	bind_ok(st, FID(1), 0, 4);
	mgmt_store_close(st);
}

Test(mgmt_store, failed_move_leaves_the_desired_binding_at_the_source)
{
	struct mgmt_store *st = mem_store();
	uint64_t id;

	bind_ok(st, FID(1), 0, 3);
	id = begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	set_phase(st, id, MGMT_MOVE_ADDING);
	set_phase(st, id, MGMT_MOVE_FAILED);
	cr_assert_eq(get_binding(st, FID(1)).partition, 0);
	cr_assert_eq(get_move(st, id).phase, MGMT_MOVE_FAILED);
	mgmt_store_close(st);
}

Test(mgmt_store, move_phase_cannot_go_backwards)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	id = begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	set_phase(st, id, MGMT_MOVE_ADDING);
	cr_assert_eq(mgmt_store_move_set_phase(st, id, MGMT_MOVE_REMOVING,
					       MGMT_VPPB_ANY, NULL, &err),
		     -FM_ESTATE);
	cr_assert_str_eq(err.msg, "move 1 is adding: cannot become removing");
	cr_assert_eq(get_move(st, id).phase, MGMT_MOVE_ADDING);
	mgmt_store_close(st);
}

Test(mgmt_store, finished_move_cannot_change)
{
	struct mgmt_store *st = mem_store();
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	id = begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	set_phase(st, id, MGMT_MOVE_DONE);
	cr_assert_eq(mgmt_store_move_set_phase(st, id, MGMT_MOVE_ROLLED_BACK,
					       MGMT_VPPB_ANY, NULL, NULL),
		     -FM_ESTATE);
	cr_assert_eq(get_binding(st, FID(1)).partition, 1);
	mgmt_store_close(st);
}

Test(mgmt_store, move_records_the_target_vppb_chosen_while_adding)
{
	struct mgmt_store *st = mem_store();
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	id = begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	cr_assert_eq(mgmt_store_move_set_phase(st, id, MGMT_MOVE_ADDING, 9,
					       NULL, NULL),
		     0);
	cr_assert_eq(get_move(st, id).dst_vppb, 9);
	set_phase(st, id, MGMT_MOVE_DONE);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 9);
	mgmt_store_close(st);
}

Test(mgmt_store, move_set_phase_refuses_an_error_text_too_long)
{
	struct mgmt_store *st = mem_store();
	char text[MGMT_STORE_ERROR_MAX + 1];
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	id = begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	memset(text, 'e', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	cr_assert_eq(mgmt_store_move_set_phase(st, id, MGMT_MOVE_FAILED,
					       MGMT_VPPB_ANY, text, NULL),
		     -FM_ERANGE);
	cr_assert_eq(get_move(st, id).phase, MGMT_MOVE_VALIDATED);
	mgmt_store_close(st);
}

Test(mgmt_store, move_find_active_returns_the_unfinished_move_of_a_fid)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_move m;
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	id = begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	cr_assert_eq(mgmt_store_move_find_active(&m, st, FID(1), NULL), 0);
	cr_assert_eq(m.id, id);
	set_phase(st, id, MGMT_MOVE_DONE);
	cr_assert_eq(mgmt_store_move_find_active(&m, st, FID(1), NULL),
		     -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, move_history_keeps_only_the_newest_finished_moves)
{
	struct mgmt_store_opts opts = { .intent_history = 3 };
	struct mgmt_store *st = t_open_opts(":memory:", &opts);
	uint64_t ids[5];

	bind_ok(st, FID(1), 0, MGMT_VPPB_ANY);
	for (int i = 0; i < 5; i++) {
		ids[i] = begin_move(st, FID(1), (uint32_t)(i % 2),
				    (uint32_t)((i + 1) % 2), MGMT_VPPB_ANY);
		set_phase(st, ids[i], MGMT_MOVE_DONE);
	}
	cr_assert_eq(move_code(st, ids[0]), -FM_ENOENT);
	cr_assert_eq(move_code(st, ids[1]), -FM_ENOENT);
	cr_assert_eq(get_move(st, ids[2]).phase, MGMT_MOVE_DONE);
	cr_assert_eq(get_move(st, ids[4]).phase, MGMT_MOVE_DONE);
	mgmt_store_close(st);
}

Test(mgmt_store, move_phase_names_are_stable)
{
	cr_assert_str_eq(mgmt_move_phase_name(MGMT_MOVE_RESETTING),
			 "resetting");
	cr_assert_str_eq(mgmt_move_phase_name(MGMT_MOVE_ROLLED_BACK),
			 "rolled_back");
	cr_assert_str_eq(mgmt_move_phase_name(MGMT_MOVE_PHASE_COUNT),
			 "unknown");
	cr_assert(mgmt_move_phase_final(MGMT_MOVE_FAILED));
	cr_assert_not(mgmt_move_phase_final(MGMT_MOVE_ADDING));
}

/* ------------------------------------------------------------------ */
/* Batches                                                            */

static uint64_t begin_batch(struct mgmt_store *st,
			    const struct mgmt_store_change *c, size_t n)
{
	struct fm_err err = { 0 };
	uint64_t id = 0;

	cr_assert_eq(mgmt_store_batch_begin(&id, st, c, n, 0, &err), 0, "%s",
		     err.msg);
	return id;
}

Test(mgmt_store, batch_commit_applies_every_change_including_a_swap)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = true, .partition = 0, .vppb = 1 },
		{ .fid = FID(2), .bind = true, .partition = 0, .vppb = 0 },
		{ .fid = FID(3), .bind = false },
		{ .fid = FID(4), .bind = true, .partition = 2, .vppb = 5 },
	};
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	bind_ok(st, FID(2), 0, 1);
	bind_ok(st, FID(3), 1, 0);
	id = begin_batch(st, c, 4);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 0);
	cr_assert_eq(mgmt_store_batch_commit(st, id, NULL), 0);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 1);
	cr_assert_eq(get_binding(st, FID(2)).vppb, 0);
	cr_assert_eq(binding_code(st, FID(3)), -FM_ENOENT);
	cr_assert_eq(get_binding(st, FID(4)).partition, 2);
	cr_assert_eq(get_binding(st, FID(1)).generation,
		     get_binding(st, FID(4)).generation);
	mgmt_store_close(st);
}

Test(mgmt_store, batch_get_reports_its_changes_with_the_bindings_before)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = true, .partition = 1, .vppb = 2 },
		{ .fid = FID(2), .bind = true, .partition = 1, .vppb = 3 },
	};
	struct mgmt_store_batch b;
	uint64_t id;

	bind_ok(st, FID(1), 0, 7);
	id = begin_batch(st, c, 2);
	cr_assert_eq(mgmt_store_batch_get(&b, st, id, NULL), 0);
	cr_assert_eq(b.state, MGMT_BATCH_APPLYING);
	cr_assert_eq(b.nchanges, 2);
	cr_assert(b.changes[0].was_bound);
	cr_assert_eq(b.changes[0].old_partition, 0);
	cr_assert_eq(b.changes[0].old_vppb, 7);
	cr_assert_eq(b.changes[0].vppb, 2);
	cr_assert_not(b.changes[1].was_bound);
	mgmt_store_batch_fini(&b);
	mgmt_store_close(st);
}

Test(mgmt_store,
     batch_with_a_conflicting_target_is_refused_and_recorded_nowhere)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = true, .partition = 1, .vppb = 0 },
		{ .fid = FID(2), .bind = true, .partition = 0, .vppb = 4 },
	};
	struct mgmt_store_reconcile r;
	struct fm_err err = { 0 };
	uint64_t id;

	bind_ok(st, FID(9), 0, 4);
	cr_assert_eq(mgmt_store_batch_begin(&id, st, c, 2, 0, &err),
		     -FM_EEXIST);
	cr_assert_str_eq(err.msg, "batch: fid 0x00040002: partition 0 vPPB 4 "
				  "is bound to fid 0x00040009");
	cr_assert_eq(mgmt_store_reconcile_load(&r, st, NULL), 0);
	cr_assert_eq(r.nbatches, 0);
	mgmt_store_reconcile_fini(&r);
	bind_ok(st, FID(1), 3, 3);
	mgmt_store_close(st);
}

Test(mgmt_store, batch_binding_two_functions_to_one_vppb_is_refused)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = true, .partition = 1, .vppb = 0 },
		{ .fid = FID(2), .bind = true, .partition = 1, .vppb = 0 },
	};
	struct fm_err err = { 0 };
	uint64_t id;

	cr_assert_eq(mgmt_store_batch_begin(&id, st, c, 2, 0, &err),
		     -FM_EEXIST);
	cr_assert_str_eq(err.msg, "batch: fid 0x00040001: partition 1 vPPB 0 "
				  "is also the target of fid 0x00040002 in "
				  "this batch");
	mgmt_store_close(st);
}

Test(mgmt_store, batch_unbinding_an_unbound_fid_is_refused)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = { { .fid = FID(5) } };
	struct fm_err err = { 0 };
	uint64_t id;

	cr_assert_eq(mgmt_store_batch_begin(&id, st, c, 1, 0, &err),
		     -FM_ENOENT);
	cr_assert_str_eq(err.msg,
			 "batch: fid 0x00040005: not bound, cannot unbind");
	mgmt_store_close(st);
}

Test(mgmt_store, batch_listing_a_fid_twice_is_refused)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = true, .partition = 1, .vppb = 0 },
		{ .fid = FID(1), .bind = true, .partition = 1, .vppb = 1 },
	};
	struct fm_err err = { 0 };
	uint64_t id;

	cr_assert_eq(mgmt_store_batch_begin(&id, st, c, 2, 0, &err),
		     -FM_EINVAL);
	cr_assert_str_eq(err.msg, "batch: fid 0x00040001 is listed twice");
	mgmt_store_close(st);
}

Test(mgmt_store, empty_batch_is_refused)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[1] = { { 0 } };
	uint64_t id;

	cr_assert_eq(mgmt_store_batch_begin(&id, st, c, 0, 0, NULL),
		     -FM_EINVAL);
	mgmt_store_close(st);
}

Test(mgmt_store, batch_of_a_moving_fid_is_refused)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = true, .partition = 2, .vppb = 0 },
	};
	struct fm_err err = { 0 };
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	begin_move(st, FID(1), 0, 1, MGMT_VPPB_ANY);
	cr_assert_eq(mgmt_store_batch_begin(&id, st, c, 1, 0, &err), -FM_EBUSY);
	cr_assert_str_eq(err.msg,
			 "batch: fid 0x00040001: being moved (move 1)");
	mgmt_store_close(st);
}

Test(mgmt_store, fids_of_an_applying_batch_are_busy)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = true, .partition = 2, .vppb = 0 },
	};
	struct fm_err err = { 0 };
	uint64_t id, mid;

	bind_ok(st, FID(1), 0, 0);
	id = begin_batch(st, c, 1);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(1), 3, 0, 0, &err),
		     -FM_EBUSY);
	cr_assert_str_eq(err.msg,
			 "fid 0x00040001 is in batch 1, still applying");
	cr_assert_eq(mgmt_store_move_begin(&mid, st, FID(1), 0, 1,
					   MGMT_VPPB_ANY, 0, NULL),
		     -FM_EBUSY);
	cr_assert_eq(mgmt_store_batch_begin(&mid, st, c, 1, 0, NULL),
		     -FM_EBUSY);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(2), 2, 0, 0, NULL),
		     -FM_EBUSY);
	cr_assert_eq(mgmt_store_batch_rollback(st, id, NULL), 0);
	bind_ok(st, FID(1), 3, 0);
	mgmt_store_close(st);
}

Test(mgmt_store, batch_rollback_leaves_the_desired_state_as_before)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = false },
		{ .fid = FID(2), .bind = true, .partition = 0, .vppb = 0 },
	};
	struct mgmt_store_batch b;
	uint64_t id;

	bind_ok(st, FID(1), 0, 0);
	id = begin_batch(st, c, 2);
	cr_assert_eq(mgmt_store_batch_rollback(st, id, NULL), 0);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 0);
	cr_assert_eq(binding_code(st, FID(2)), -FM_ENOENT);
	cr_assert_eq(mgmt_store_batch_get(&b, st, id, NULL), 0);
	cr_assert_eq(b.state, MGMT_BATCH_ROLLED_BACK);
	mgmt_store_batch_fini(&b);
	mgmt_store_close(st);
}

Test(mgmt_store, finished_batch_cannot_be_committed_again)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(1), .bind = true, .partition = 0, .vppb = 0 },
	};
	struct fm_err err = { 0 };
	uint64_t id;

	id = begin_batch(st, c, 1);
	cr_assert_eq(mgmt_store_batch_commit(st, id, NULL), 0);
	cr_assert_eq(mgmt_store_batch_commit(st, id, &err), -FM_ESTATE);
	cr_assert_str_eq(err.msg, "batch 1 is committed, not applying");
	cr_assert_eq(mgmt_store_batch_rollback(st, 77, NULL), -FM_ENOENT);
	mgmt_store_close(st);
}

/* ------------------------------------------------------------------ */
/* Tasks                                                              */

Test(mgmt_store, task_create_records_a_new_task_with_its_request)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_task t;
	uint64_t id = new_task(st);

	cr_assert_eq(mgmt_store_task_get(&t, st, id, NULL), 0);
	cr_assert_eq(t.id, id);
	cr_assert_eq(t.state, MGMT_TASK_NEW);
	cr_assert_eq(t.percent, 0);
	cr_assert_str_eq(t.method, "POST");
	cr_assert_str_eq(t.target_uri,
			 "/redfish/v1/Fabrics/PCIe/Actions/Oem/Move");
	cr_assert_str_eq(t.body, "{\"Fid\":1}");
	cr_assert_null(t.result);
	cr_assert_gt(t.start_ms, 0);
	cr_assert_eq(t.end_ms, 0);
	cr_assert_eq(t.nmessages, 0);
	mgmt_store_task_fini(&t);
	mgmt_store_close(st);
}

Test(mgmt_store, task_update_records_progress_messages_and_end)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_task t;
	uint64_t id = new_task(st);

	cr_assert_eq(mgmt_store_task_update(st, id, MGMT_TASK_RUNNING, 40,
					    "removing from blade0", NULL, NULL),
		     0);
	cr_assert_eq(mgmt_store_task_update(st, id, MGMT_TASK_COMPLETED, 100,
					    "done", "{\"Moved\":true}", NULL),
		     0);
	cr_assert_eq(mgmt_store_task_get(&t, st, id, NULL), 0);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	cr_assert_eq(t.percent, 100);
	cr_assert_eq(t.nmessages, 2);
	cr_assert_str_eq(t.messages[0], "removing from blade0");
	cr_assert_str_eq(t.messages[1], "done");
	cr_assert_str_eq(t.result, "{\"Moved\":true}");
	cr_assert_geq(t.end_ms, t.start_ms);
	mgmt_store_task_fini(&t);
	mgmt_store_close(st);
}

Test(mgmt_store, task_update_with_percent_minus_one_keeps_the_percent)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_task t;
	uint64_t id = new_task(st);

	cr_assert_eq(mgmt_store_task_update(st, id, MGMT_TASK_RUNNING, 30, NULL,
					    NULL, NULL),
		     0);
	cr_assert_eq(mgmt_store_task_update(st, id, MGMT_TASK_RUNNING, -1,
					    "still going", NULL, NULL),
		     0);
	cr_assert_eq(mgmt_store_task_get(&t, st, id, NULL), 0);
	cr_assert_eq(t.percent, 30);
	mgmt_store_task_fini(&t);
	mgmt_store_close(st);
}

Test(mgmt_store, finished_task_cannot_change)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };
	uint64_t id = new_task(st);

	finish_task(st, id);
	cr_assert_eq(mgmt_store_task_update(st, id, MGMT_TASK_RUNNING, 10, NULL,
					    NULL, &err),
		     -FM_ESTATE);
	cr_assert_str_eq(err.msg, "task 1 is Completed: a finished task does "
				  "not change");
	mgmt_store_close(st);
}

Test(mgmt_store, task_update_rejects_a_percent_above_100)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_task t;
	uint64_t id = new_task(st);

	cr_assert_eq(mgmt_store_task_update(st, id, MGMT_TASK_RUNNING, 101, "x",
					    NULL, NULL),
		     -FM_EINVAL);
	cr_assert_eq(mgmt_store_task_get(&t, st, id, NULL), 0);
	cr_assert_eq(t.state, MGMT_TASK_NEW);
	cr_assert_eq(t.nmessages, 0);
	mgmt_store_task_fini(&t);
	mgmt_store_close(st);
}

Test(mgmt_store, task_update_of_an_unknown_task_is_enoent)
{
	struct mgmt_store *st = mem_store();

	cr_assert_eq(mgmt_store_task_update(st, 5, MGMT_TASK_RUNNING, 1, NULL,
					    NULL, NULL),
		     -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, task_keeps_only_its_newest_messages)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_task t;
	uint64_t id = new_task(st);
	char msg[32];

	for (int i = 0; i < MGMT_STORE_TASK_MESSAGES + 6; i++) {
		snprintf(msg, sizeof(msg), "step %d", i);
		cr_assert_eq(mgmt_store_task_update(st, id, MGMT_TASK_RUNNING,
						    -1, msg, NULL, NULL),
			     0);
	}
	cr_assert_eq(mgmt_store_task_get(&t, st, id, NULL), 0);
	cr_assert_eq(t.nmessages, MGMT_STORE_TASK_MESSAGES);
	cr_assert_str_eq(t.messages[0], "step 6");
	mgmt_store_task_fini(&t);
	mgmt_store_close(st);
}

Test(mgmt_store, task_history_prunes_the_oldest_finished_but_never_running)
{
	struct mgmt_store_opts opts = { .task_history = 2 };
	struct mgmt_store *st = t_open_opts(":memory:", &opts);
	uint64_t running = new_task(st), ids[4], *list = NULL;
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		ids[i] = new_task(st);
		finish_task(st, ids[i]);
	}
	cr_assert_eq(mgmt_store_task_list(&list, &n, st, NULL), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(list[0], running);
	cr_assert_eq(list[1], ids[2]);
	cr_assert_eq(list[2], ids[3]);
	free(list);
	mgmt_store_close(st);
}

Test(mgmt_store, task_ids_are_not_reused_after_pruning)
{
	struct mgmt_store_opts opts = { .task_history = 1 };
	struct mgmt_store *st = t_open_opts(":memory:", &opts);
	uint64_t a = new_task(st), b;

	finish_task(st, a);
	cr_assert_eq(mgmt_store_task_delete(st, a, NULL), 0);
	b = new_task(st);
	cr_assert_gt(b, a);
	mgmt_store_close(st);
}

Test(mgmt_store, task_delete_removes_only_finished_tasks)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_task t;
	uint64_t id = new_task(st);

	cr_assert_eq(mgmt_store_task_delete(st, id, NULL), -FM_ESTATE);
	finish_task(st, id);
	cr_assert_eq(mgmt_store_task_delete(st, id, NULL), 0);
	cr_assert_eq(mgmt_store_task_get(&t, st, id, NULL), -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, task_create_requires_a_method_and_target)
{
	struct mgmt_store *st = mem_store();
	uint64_t id;

	cr_assert_eq(mgmt_store_task_create(&id, st, "POST", "", NULL, NULL),
		     -FM_EINVAL);
	cr_assert_eq(mgmt_store_task_create(&id, st, NULL, "/x", NULL, NULL),
		     -FM_EINVAL);
	mgmt_store_close(st);
}

Test(mgmt_store, task_state_names_are_the_redfish_ones)
{
	cr_assert_str_eq(mgmt_task_state_name(MGMT_TASK_RUNNING), "Running");
	cr_assert_str_eq(mgmt_task_state_name(MGMT_TASK_EXCEPTION),
			 "Exception");
	cr_assert_str_eq(mgmt_task_state_name(MGMT_TASK_STATE_COUNT),
			 "unknown");
	cr_assert(mgmt_task_state_final(MGMT_TASK_KILLED));
	cr_assert_not(mgmt_task_state_final(MGMT_TASK_CANCELLING));
}

/* ------------------------------------------------------------------ */
/* Events                                                             */

Test(mgmt_store, events_are_read_in_order_after_an_id)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_event *ev = NULL;
	bool gap = true;
	size_t n = 0;

	cr_assert_eq(append_event(st, "Bind"), 1);
	cr_assert_eq(append_event(st, "MovePhase"), 2);
	cr_assert_eq(append_event(st, "Unbind"), 3);
	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, st, 1, 10, NULL), 0);
	cr_assert_eq(n, 2);
	cr_assert_not(gap);
	cr_assert_eq(ev[0].id, 2);
	cr_assert_str_eq(ev[0].type, "MovePhase");
	cr_assert_str_eq(ev[0].payload, "{\"x\":1}");
	cr_assert_gt(ev[0].time_ms, 0);
	cr_assert_eq(ev[1].id, 3);
	mgmt_store_events_free(ev, n);
	mgmt_store_close(st);
}

Test(mgmt_store, event_read_stops_at_max)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_event *ev = NULL;
	bool gap;
	size_t n = 0;

	for (int i = 0; i < 5; i++)
		append_event(st, "Bind");
	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, st, 0, 2, NULL), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(ev[1].id, 2);
	mgmt_store_events_free(ev, n);
	mgmt_store_close(st);
}

Test(mgmt_store, event_read_from_the_last_id_is_empty)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_event *ev = NULL;
	bool gap = true;
	size_t n = 1;

	append_event(st, "Bind");
	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, st, 1, 10, NULL), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(ev);
	cr_assert_not(gap);
	mgmt_store_close(st);
}

Test(mgmt_store, event_read_after_an_id_never_issued_is_erange)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_event *ev = NULL;
	struct fm_err err = { 0 };
	bool gap;
	size_t n;

	append_event(st, "Bind");
	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, st, 5, 10, &err),
		     -FM_ERANGE);
	cr_assert_str_eq(err.msg, "event 5 was never issued (the last is 1)");
	mgmt_store_close(st);
}

Test(mgmt_store, retention_prunes_the_oldest_events_and_reports_the_gap)
{
	struct mgmt_store_opts opts = { .event_retention = 4 };
	struct mgmt_store *st = t_open_opts(":memory:", &opts);
	struct mgmt_store_event *ev = NULL;
	bool gap = false;
	size_t n = 0;

	for (int i = 0; i < 10; i++)
		append_event(st, "Bind");
	/* kept: 7..10; a reader at 2 missed 3..6 */
	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, st, 2, 100, NULL), 0);
	cr_assert(gap);
	cr_assert_eq(n, 4);
	cr_assert_eq(ev[0].id, 7);
	cr_assert_eq(ev[3].id, 10);
	mgmt_store_events_free(ev, n);
	mgmt_store_close(st);
}

Test(mgmt_store, reader_just_before_the_oldest_kept_event_has_no_gap)
{
	struct mgmt_store_opts opts = { .event_retention = 4 };
	struct mgmt_store *st = t_open_opts(":memory:", &opts);
	struct mgmt_store_event *ev = NULL;
	bool gap = true;
	size_t n = 0;

	for (int i = 0; i < 10; i++)
		append_event(st, "Bind");
	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, st, 6, 100, NULL), 0);
	cr_assert_not(gap);
	cr_assert_eq(n, 4);
	mgmt_store_events_free(ev, n);
	mgmt_store_close(st);
}

Test(mgmt_store, event_ids_continue_in_order_across_close_and_reopen)
{
	struct mgmt_store_opts opts = { .event_retention = 3 };
	struct mgmt_store_event *ev = NULL;
	struct mgmt_store *st;
	bool gap = false;
	size_t n = 0;
	struct tdb t;

	tdb_make(&t);
	st = t_open_opts(t.path, &opts);
	for (int i = 0; i < 5; i++)
		append_event(st, "Bind");
	mgmt_store_close(st);
	st = t_open_opts(t.path, &opts);
	cr_assert_eq(append_event(st, "Unbind"), 6);
	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, st, 1, 10, NULL), 0);
	cr_assert(gap);
	cr_assert_eq(n, 3);
	cr_assert_eq(ev[0].id, 4);
	cr_assert_eq(ev[1].id, 5);
	cr_assert_eq(ev[2].id, 6);
	cr_assert_str_eq(ev[2].type, "Unbind");
	mgmt_store_events_free(ev, n);
	mgmt_store_close(st);
	tdb_remove(&t);
}

Test(mgmt_store, event_ids_are_never_reused_after_the_events_are_pruned)
{
	struct mgmt_store_opts opts = { .event_retention = 1 };
	struct mgmt_store *st = t_open_opts(":memory:", &opts);
	uint64_t last = 0;

	append_event(st, "A");
	append_event(st, "B");
	cr_assert_eq(mgmt_store_event_last(&last, st, NULL), 0);
	cr_assert_eq(last, 2);
	cr_assert_eq(append_event(st, "C"), 3);
	mgmt_store_close(st);
}

Test(mgmt_store, event_last_of_an_empty_store_is_zero)
{
	struct mgmt_store *st = mem_store();
	uint64_t last = 9;

	cr_assert_eq(mgmt_store_event_last(&last, st, NULL), 0);
	cr_assert_eq(last, 0);
	mgmt_store_close(st);
}

Test(mgmt_store, event_append_rejects_a_type_with_a_space)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };
	uint64_t last = 9;

	cr_assert_eq(
		mgmt_store_event_append(NULL, st, "Move Phase", "{}", &err),
		-FM_EINVAL);
	cr_assert_str_eq(err.msg, "event type: byte 4 (0x20) is not "
				  "printable ASCII");
	cr_assert_eq(mgmt_store_event_last(&last, st, NULL), 0);
	cr_assert_eq(last, 0);
	mgmt_store_close(st);
}

Test(mgmt_store, event_append_rejects_an_empty_payload)
{
	struct mgmt_store *st = mem_store();

	cr_assert_eq(mgmt_store_event_append(NULL, st, "Bind", "", NULL),
		     -FM_EINVAL);
	mgmt_store_close(st);
}

Test(mgmt_store, event_read_rejects_a_zero_max)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_event *ev;
	bool gap;
	size_t n;

	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, st, 0, 0, NULL),
		     -FM_EINVAL);
	mgmt_store_close(st);
}

/* ------------------------------------------------------------------ */
/* Transaction groups                                                 */

Test(mgmt_store, group_rollback_drops_every_change_of_the_group)
{
	struct mgmt_store *st = mem_store();
	uint64_t last = 0;

	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(st, FID(1), 0, 0);
	append_event(st, "Bind");
	mgmt_store_txn_rollback(st);
	cr_assert_eq(binding_code(st, FID(1)), -FM_ENOENT);
	cr_assert_eq(mgmt_store_event_last(&last, st, NULL), 0);
	cr_assert_eq(last, 0);
	mgmt_store_close(st);
}

Test(mgmt_store, group_commit_makes_every_change_durable_at_once)
{
	struct mgmt_store *st;
	struct tdb t;

	tdb_make(&t);
	st = t_open(t.path);
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(st, FID(1), 0, 0);
	append_event(st, "Bind");
	/* another connection sees nothing before the commit */
	cr_assert_eq(raw_int(t.path, "SELECT count(*) FROM bindings"), 0);
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), 0);
	cr_assert_eq(raw_int(t.path, "SELECT count(*) FROM bindings"), 1);
	cr_assert_eq(raw_int(t.path, "SELECT count(*) FROM events"), 1);
	mgmt_store_close(st);
	tdb_remove(&t);
}

Test(mgmt_store, failed_call_inside_a_group_changes_nothing_and_group_goes_on)
{
	struct mgmt_store *st = mem_store();

	bind_ok(st, FID(9), 0, 0);
	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	bind_ok(st, FID(1), 1, 0);
	cr_assert_eq(mgmt_store_binding_set(NULL, st, FID(2), 0, 0, 0, NULL),
		     -FM_EEXIST);
	bind_ok(st, FID(3), 1, 1);
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), 0);
	cr_assert_eq(get_binding(st, FID(1)).vppb, 0);
	cr_assert_eq(get_binding(st, FID(3)).vppb, 1);
	cr_assert_eq(binding_code(st, FID(2)), -FM_ENOENT);
	mgmt_store_close(st);
}

Test(mgmt_store, groups_do_not_nest)
{
	struct mgmt_store *st = mem_store();
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_txn_begin(st, NULL), 0);
	cr_assert_eq(mgmt_store_txn_begin(st, &err), -FM_ESTATE);
	cr_assert_str_eq(err.msg, "store :memory:: transaction groups do not "
				  "nest");
	mgmt_store_txn_rollback(st);
	cr_assert_eq(mgmt_store_txn_commit(st, NULL), -FM_ESTATE);
	mgmt_store_close(st);
}

/* ------------------------------------------------------------------ */
/* Reconcile                                                          */

Test(mgmt_store, reconcile_snapshot_lists_desired_state_and_unfinished_work)
{
	struct mgmt_store *st = mem_store();
	const struct mgmt_store_change c[] = {
		{ .fid = FID(3), .bind = true, .partition = 2, .vppb = 1 },
	};
	struct mgmt_store_reconcile r;
	uint64_t done, moving, batch, task;

	bind_ok(st, FID(1), 0, 0);
	bind_ok(st, FID(2), 0, 1);
	done = begin_move(st, FID(2), 0, 1, MGMT_VPPB_ANY);
	set_phase(st, done, MGMT_MOVE_DONE);
	moving = begin_move(st, FID(1), 0, 1, 2);
	set_phase(st, moving, MGMT_MOVE_RESETTING);
	batch = begin_batch(st, c, 1);
	task = new_task(st);
	finish_task(st, new_task(st));
	cr_assert_eq(mgmt_store_reconcile_load(&r, st, NULL), 0);
	cr_assert_eq(r.nbindings, 2);
	cr_assert_eq(r.bindings[1].partition, 1);
	cr_assert_eq(r.nmoves, 1);
	cr_assert_eq(r.moves[0].id, moving);
	cr_assert_eq(r.moves[0].phase, MGMT_MOVE_RESETTING);
	cr_assert_eq(r.moves[0].dst_vppb, 2);
	cr_assert_eq(r.nbatches, 1);
	cr_assert_eq(r.batches[0].id, batch);
	cr_assert_eq(r.batches[0].nchanges, 1);
	cr_assert_eq(r.batches[0].changes[0].fid, FID(3));
	cr_assert_eq(r.ntasks, 1);
	cr_assert_eq(r.tasks[0], task);
	mgmt_store_reconcile_fini(&r);
	mgmt_store_close(st);
}

Test(mgmt_store, reconcile_snapshot_of_an_empty_store_is_empty)
{
	struct mgmt_store *st = mem_store();
	struct mgmt_store_reconcile r;

	cr_assert_eq(mgmt_store_reconcile_load(&r, st, NULL), 0);
	cr_assert_eq(r.nbindings + r.nmoves + r.nbatches + r.ntasks, 0);
	mgmt_store_reconcile_fini(&r);
	mgmt_store_close(st);
}
