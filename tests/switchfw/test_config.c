/* SPDX-License-Identifier: MIT */
/*
 * test_config.c - bindings kept in the switch's flash: saved on request,
 * restored by the firmware by itself when it starts again, including
 * bindings of devices that come up only later.
 */
#include "tests/switchfw/fw_fixture.h"

static struct fwt t;

#define VF(n) SW_FID(0, 2, (n))
#define NIC_PORT 2

static void setup(void)
{
	fwt_setup(&t, "examples/chassis-small.json", NULL);
}

static void teardown(void)
{
	fwt_teardown(&t);
}

TestSuite(sw_config, .init = setup, .fini = teardown);

/* Stop the firmware and start a new one on the same switch. */
static void restart(void)
{
	struct fm_err err = { 0 };

	sw_fw_free(t.fw);
	t.fw = NULL;
	cr_assert_eq(sw_fw_new(&t.fw, t.chips, t.nchips, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sw_fw_start(t.fw, &err), 0, "%s", err.msg);
}

static void save(void)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_save_config(t.fw, &err), 0, "%s", err.msg);
}

static void reset_blades(void)
{
	for (unsigned i = 0; i < sim_chassis_blade_count(t.ch); i++)
		cr_assert_eq(sim_blade_reset(sim_chassis_blade(t.ch, i), NULL),
			     0);
	fwt_idle(&t);
}

Test(sw_config, nothing_saved_is_enoent)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_load_config(t.fw, &err), -FM_ENOENT);
	cr_assert_eq(err.code, FM_ENOENT);
}

Test(sw_config, save_logs_how_many_bindings)
{
	uint64_t seq;

	fwt_bind(&t, VF(1), 0, 2);
	fwt_bind(&t, VF(3), 1, 0);
	fwt_idle(&t);
	seq = sw_fw_last_event_seq(t.fw);
	save();
	cr_assert_eq(fwt_ev_first(&t, SW_EV_CONFIG_SAVED, seq).detail, 2);
}

Test(sw_config, restarted_firmware_restores_the_bindings)
{
	struct sw_partition_info p;
	const struct sim_host_dev *d;

	fwt_bind(&t, VF(1), 0, 2);
	fwt_bind(&t, VF(3), 1, 0);
	fwt_idle(&t);
	save();
	restart();
	cr_assert_eq(fwt_ev_first(&t, SW_EV_CONFIG_RESTORED, 0).detail, 2);
	cr_assert_eq(sw_fw_partition(t.fw, 0, &p, NULL), 0);
	cr_assert_eq(p.vppb[2].fid, VF(1));
	cr_assert_eq(fwt_fn(&t, VF(3)).partition, 1);
	cr_assert_eq(fwt_fn(&t, VF(3)).vppb, 0);
	/* the blades find them again when they come back */
	reset_blades();
	d = fwt_host_find(fwt_blade(&t, "blade0"), 0x15b3, 0x101e);
	cr_assert_not_null(d);
	cr_assert_eq(d->parent_rid, FAB_RID(2, 2, 0));
	cr_assert_not_null(
		fwt_host_find(fwt_blade(&t, "blade1"), 0x15b3, 0x101e));
}

Test(sw_config, unbound_after_save_comes_back_on_restart)
{
	fwt_bind(&t, VF(2), 0, 0);
	fwt_idle(&t);
	save();
	fwt_unbind(&t, VF(2), SW_UNBIND_SURPRISE);
	fwt_idle(&t);
	restart();
	cr_assert_eq(fwt_fn(&t, VF(2)).state, SW_FN_BOUND);
}

Test(sw_config, loading_again_changes_nothing)
{
	uint64_t seq;
	struct fm_err err = { 0 };

	fwt_bind(&t, VF(4), 1, 5);
	fwt_idle(&t);
	save();
	seq = sw_fw_last_event_seq(t.fw);
	cr_assert_eq(sw_fw_load_config(t.fw, &err), 0, "%s", err.msg);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_BIND, seq), 0);
	cr_assert_eq(fwt_fn(&t, VF(4)).vppb, 5);
}

Test(sw_config, binding_of_a_device_not_up_yet_waits_for_it)
{
	struct fab_chip *chip = t.chips[0];
	struct fm_err err = { 0 };

	fwt_bind(&t, VF(5), 0, 1);
	fwt_idle(&t);
	save();
	sw_fw_free(t.fw);
	t.fw = NULL;
	/* the NIC's link is down when the firmware starts */
	cr_assert_eq(chip->ops->port_control(chip, NIC_PORT,
					     FAB_PORT_CTL_DISABLE, &err),
		     0, "%s", err.msg);
	cr_assert_eq(sw_fw_new(&t.fw, t.chips, t.nchips, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sw_fw_start(t.fw, &err), 0, "%s", err.msg);
	cr_assert_eq(sw_fw_function_count(t.fw), 0);
	/* a save now still holds it */
	save();
	cr_assert_eq(sw_fw_port_control(t.fw, 0, NIC_PORT, FAB_PORT_CTL_ENABLE,
					&err),
		     0, "%s", err.msg);
	fwt_idle(&t);
	cr_assert_eq(fwt_fn(&t, VF(5)).state, SW_FN_BOUND);
	cr_assert_eq(fwt_fn(&t, VF(5)).vppb, 1);
	reset_blades();
	cr_assert_not_null(
		fwt_host_find(fwt_blade(&t, "blade0"), 0x15b3, 0x101e));
}
