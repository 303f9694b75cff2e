/* SPDX-License-Identifier: MIT */
/*
 * test_fw.c - power-on of the switch firmware: what it discovers through
 * the chip HAL, the partitions it builds, the queries of its API, and its
 * event log.
 */
#include "tests/switchfw/fw_fixture.h"

static struct fwt t;

static void small_setup(void)
{
	fwt_setup(&t, "examples/chassis-small.json", NULL);
}

static void mixed_setup(void)
{
	fwt_setup(&t, "tests/data/fw-mixed.json", NULL);
}

static void teardown(void)
{
	fwt_teardown(&t);
}

TestSuite(sw_fw, .fini = teardown);

Test(sw_fw, power_on_finds_the_pf_and_every_vf, .init = small_setup)
{
	struct sim_ep *nic = fwt_ep(&t, "nic0");
	struct sw_fn_info pf = fwt_fn(&t, SW_FID(0, 2, 0));

	cr_assert_eq(sw_fw_function_count(t.fw), 9);
	cr_assert_eq(pf.vendor, 0x15b3);
	cr_assert_eq(pf.device, 0x101d);
	cr_assert_eq(pf.class_code, 0x020000);
	cr_assert_not(pf.is_vf);
	cr_assert_eq(pf.total_vfs, 8);
	cr_assert_eq(pf.num_vfs, 8);
	cr_assert_eq(pf.vf_offset, 1);
	cr_assert_eq(pf.vf_stride, 1);
	cr_assert_eq(pf.vf_device, 0x101e);
	cr_assert_eq(pf.state, SW_FN_FABRIC);
	cr_assert_eq(pf.phys_rid, sim_fn_rid(sim_ep_pf(nic)));
	/* the VFs were enabled through the HAL: the device has them */
	cr_assert_eq(sim_ep_num_vfs_enabled(nic), 8);
}

Test(sw_fw, vfs_carry_the_pf_vendor_and_the_vf_device_id, .init = small_setup)
{
	for (unsigned n = 1; n <= 8; n++) {
		struct sw_fn_info vf = fwt_fn(&t, SW_FID(0, 2, n));

		cr_assert(vf.is_vf);
		cr_assert_eq(vf.vendor, 0x15b3);
		cr_assert_eq(vf.device, 0x101e);
		cr_assert_eq(vf.state, SW_FN_FREE);
		cr_assert_eq(vf.partition, -1);
		cr_assert_eq(vf.phys_rid, sim_fn_rid(fwt_vf(&t, "nic0", n)),
			     "VF%u", n);
	}
}

Test(sw_fw, vf_numbers_follow_offset_and_stride, .init = mixed_setup)
{
	struct sw_fn_info pf = fwt_fn(&t, SW_FID(0, 2, 0));
	struct sw_fn_info vf3 = fwt_fn(&t, SW_FID(0, 2, 3));

	cr_assert_eq(pf.vf_offset, 16);
	cr_assert_eq(pf.vf_stride, 2);
	cr_assert_eq(vf3.phys_rid, pf.phys_rid + 16 + 2 * 2);
	cr_assert_eq(vf3.device, 0x1889);
}

Test(sw_fw, a_device_without_sriov_is_one_free_function, .init = mixed_setup)
{
	struct sw_fn_info acc = fwt_fn(&t, SW_FID(0, 3, 0));
	struct sw_fn_info info;
	struct fm_err err = { 0 };

	cr_assert_eq(acc.vendor, 0x1da3);
	cr_assert_eq(acc.state, SW_FN_FREE);
	cr_assert_eq(acc.total_vfs, 0);
	cr_assert_eq(sw_fw_function_find(t.fw, SW_FID(0, 3, 1), &info, &err),
		     -FM_ENOENT);
	cr_assert_eq(sw_fw_function_count(t.fw), 5 + 1);
}

Test(sw_fw, functions_are_listed_in_fid_order, .init = mixed_setup)
{
	unsigned n = sw_fw_function_count(t.fw);
	struct sw_fn_info prev, cur;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_function(t.fw, 0, &prev, &err), 0, "%s", err.msg);
	for (unsigned i = 1; i < n; i++) {
		cr_assert_eq(sw_fw_function(t.fw, i, &cur, &err), 0, "%s",
			     err.msg);
		cr_assert_gt(cur.fid, prev.fid);
		prev = cur;
	}
	cr_assert_eq(sw_fw_function(t.fw, n, &cur, &err), -FM_ENOENT);
}

Test(sw_fw, function_by_rid_names_the_dump_rid, .init = mixed_setup)
{
	struct sw_fn_info vf2 = fwt_fn(&t, SW_FID(0, 2, 2));
	struct fm_err err = { 0 };
	uint32_t fid = 0;

	cr_assert_eq(sw_fw_function_by_rid(&fid, t.fw, 0, vf2.phys_rid, &err),
		     0, "%s", err.msg);
	cr_assert_eq(fid, SW_FID(0, 2, 2));
	/* between two VFs (stride 2) there is nothing */
	cr_assert_eq(
		sw_fw_function_by_rid(&fid, t.fw, 0, vf2.phys_rid + 1, &err),
		-FM_ENOENT);
}

Test(sw_fw, one_partition_per_upstream_port, .init = small_setup)
{
	struct sw_partition_info p;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_partition_count(t.fw), 2);
	for (unsigned i = 0; i < 2; i++) {
		cr_assert_eq(sw_fw_partition(t.fw, i, &p, &err), 0, "%s",
			     err.msg);
		cr_assert_eq(p.id, i);
		cr_assert_eq(p.chip, 0);
		cr_assert_eq(p.port, i);
		cr_assert(p.link_up);
		cr_assert_eq(p.nvppbs, 8);
		/* the host numbered the vUSP: it sits behind its root port */
		cr_assert_eq(p.host_bus, 1);
		for (unsigned k = 0; k < p.nvppbs; k++) {
			cr_assert_eq(p.vppb[k].state, SW_VPPB_EMPTY);
			cr_assert_eq(p.vppb[k].fid, SW_FID_NONE);
			cr_assert_neq(p.vppb[k].sec_bus, 0);
		}
	}
	cr_assert_eq(sw_fw_partition(t.fw, 2, &p, &err), -FM_ENOENT);
}

Test(sw_fw, identify_counts_the_fabric, .init = small_setup)
{
	struct sw_identity id;

	sw_fw_identify(t.fw, &id);
	cr_assert_str_eq(id.name, "sw0");
	cr_assert_eq(id.vendor, 0x1000);
	cr_assert_eq(id.device, 0xc030);
	cr_assert_eq(id.nchips, 1);
	cr_assert_eq(id.nports, 4);
	cr_assert_eq(id.npartitions, 2);
	cr_assert_eq(id.nfunctions, 9);
	cr_assert_eq(id.vppbs, 8);
	cr_assert_eq(id.fw_version >> 16, 1);
}

Test(sw_fw, configured_vppb_count_is_what_blades_see)
{
	struct sw_fw_config cfg = { .vppbs = 3 };
	struct sim_blade *b;
	unsigned dsp = 0;

	fwt_setup(&t, "examples/chassis-small.json", &cfg);
	b = fwt_blade(&t, "blade1");
	for (unsigned i = 0; i < sim_blade_dev_count(b); i++)
		dsp += sim_blade_dev(b, i)->pcie_type ==
		       PCI_EXP_TYPE_DOWNSTREAM;
	cr_assert_eq(dsp, 3);
}

Test(sw_fw, new_rejects_more_vppbs_than_device_numbers)
{
	struct sw_fw_config cfg = { .vppbs = SW_MAX_VPPBS + 1 };
	struct fab_chip *chip = NULL;
	struct sw_fw *fw = NULL;
	struct fm_err err = { 0 };
	struct sim_chassis *ch = NULL;
	char path[512];

	cr_assert_eq(sim_chassis_load(&ch,
				      t_source_path(path, sizeof(path),
						    "examples/chassis-small."
						    "json"),
				      &err),
		     0, "%s", err.msg);
	chip = sim_switch_chip(sim_chassis_switch(ch, 0));
	cr_assert_eq(sw_fw_new(&fw, &chip, 1, &cfg, &err), -FM_EINVAL);
	cr_assert_eq(err.code, FM_EINVAL);
	cr_assert(strstr(err.msg, "33 vPPBs"), "%s", err.msg);
	cr_assert_null(fw);
	sim_chassis_free(ch);
}

Test(sw_fw, start_twice_is_refused, .init = small_setup)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_start(t.fw, &err), -FM_ESTATE);
	cr_assert(strstr(err.msg, "already started"), "%s", err.msg);
	cr_assert_eq(sw_fw_function_count(t.fw), 9);
}

Test(sw_fw, power_on_logs_link_up_of_every_cabled_port, .init = small_setup)
{
	/* two blades and one endpoint; port 3 has nothing cabled */
	cr_assert_eq(fwt_ev_count(&t, SW_EV_LINK_UP, 0), 3);
}

/* ---------------------------------------------------------------------
 * The event log.
 */

/* Provoke @n isolation violations: reads of an address nothing maps. */
static void violate(unsigned n)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *vppb = sim_blade_dev(b, 3);
	uint8_t st = 0;

	cr_assert_eq(vppb->pcie_type, PCI_EXP_TYPE_DOWNSTREAM);
	for (unsigned i = 0; i < n; i++)
		fwt_mmio_read32(b, vppb->mem_base + 4 * i, &st);
	cr_assert_eq(st, FAB_CPL_UR);
}

Test(sw_fw, events_carry_increasing_seq_and_time, .init = small_setup)
{
	struct sw_event ev[16];
	unsigned n;

	violate(3);
	n = sw_fw_events(t.fw, 0, ev, 16, NULL);
	cr_assert_geq(n, 6);
	for (unsigned i = 1; i < n; i++) {
		cr_assert_eq(ev[i].seq, ev[i - 1].seq + 1);
		cr_assert_geq(ev[i].time_ns, ev[i - 1].time_ns);
	}
	cr_assert_eq(ev[0].seq, 1);
	cr_assert_eq(sw_fw_last_event_seq(t.fw), ev[n - 1].seq);
}

Test(sw_fw, events_after_since_only, .init = small_setup)
{
	uint64_t last = sw_fw_last_event_seq(t.fw);
	struct sw_event ev[8];
	bool overflow = true;

	violate(2);
	cr_assert_eq(sw_fw_events(t.fw, last, ev, 8, &overflow), 2);
	cr_assert_not(overflow);
	cr_assert_eq(ev[0].seq, last + 1);
	cr_assert_eq(ev[0].type, SW_EV_VIOLATION);
	cr_assert_eq(sw_fw_events(t.fw, last + 2, ev, 8, &overflow), 0);
}

Test(sw_fw, reader_behind_the_ring_is_told_of_overflow, .init = small_setup)
{
	static struct sw_event ev[SW_EVENT_LOG_SIZE];
	uint64_t last;
	bool overflow = false;
	unsigned n;

	violate(SW_EVENT_LOG_SIZE + 10);
	last = sw_fw_last_event_seq(t.fw);
	n = sw_fw_events(t.fw, 0, ev, SW_EVENT_LOG_SIZE, &overflow);
	cr_assert(overflow);
	cr_assert_eq(n, SW_EVENT_LOG_SIZE);
	cr_assert_eq(ev[0].seq, last - SW_EVENT_LOG_SIZE + 1);
	cr_assert_eq(ev[n - 1].seq, last);
	/* a reader that kept up is not */
	n = sw_fw_events(t.fw, last - 5, ev, SW_EVENT_LOG_SIZE, &overflow);
	cr_assert_not(overflow);
	cr_assert_eq(n, 5);
}

struct notified {
	unsigned n;
	uint64_t last_seq;
	bool in_order;
};

static void on_event(void *ctx, const struct sw_event *ev)
{
	struct notified *s = ctx;

	s->in_order = s->in_order && ev->seq == s->last_seq + 1;
	s->last_seq = ev->seq;
	s->n++;
}

Test(sw_fw, notify_sees_each_event_as_logged, .init = small_setup)
{
	struct notified s = { 0, sw_fw_last_event_seq(t.fw), true };

	sw_fw_set_notify(t.fw, on_event, &s);
	violate(4);
	cr_assert_eq(s.n, 4);
	cr_assert(s.in_order);
	cr_assert_eq(s.last_seq, sw_fw_last_event_seq(t.fw));
	sw_fw_set_notify(t.fw, NULL, NULL);
	violate(1);
	cr_assert_eq(s.n, 4);
}

Test(sw_fw, event_type_names_are_stable)
{
	cr_assert_str_eq(sw_event_type_name(SW_EV_BIND), "bind");
	cr_assert_str_eq(sw_event_type_name(SW_EV_FLR_TIMEOUT), "flr-timeout");
	cr_assert_str_eq(sw_event_type_name(SW_EV_TYPE_COUNT), "unknown");
	for (int i = 0; i < SW_EV_TYPE_COUNT; i++)
		cr_assert_str_neq(sw_event_type_name(i), "unknown");
}

Test(sw_fw, port_status_shows_the_hal_counters, .init = small_setup)
{
	struct fab_port_status st0, st1;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_port_status(t.fw, 0, 0, &st0, &err), 0, "%s",
		     err.msg);
	violate(3);
	cr_assert_eq(sw_fw_port_status(t.fw, 0, 0, &st1, &err), 0, "%s",
		     err.msg);
	cr_assert(st1.up);
	cr_assert_eq(st1.counters.ur, st0.counters.ur + 3);
	cr_assert_eq(sw_fw_port_status(t.fw, 0, 9, &st1, &err), -FM_ERANGE);
	cr_assert_eq(sw_fw_port_status(t.fw, 1, 0, &st1, &err), -FM_ENOENT);
}
