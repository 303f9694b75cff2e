/* SPDX-License-Identifier: MIT */
/*
 * FMP end to end: the small example chassis (two blades, one switch, a
 * NIC with 8 VFs) with the real firmware, served over a UNIX socket by an
 * event-loop thread, and a fabric manager's client speaking FMP to it.
 * Assertions are on what the client reads and on what the blades see.
 *
 * The chassis belongs to the loop thread while it serves; the test thread
 * takes the same lock to run the virtual clock or look at a blade, and
 * never holds it across an FMP call.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim/sim.h"
#include "switchfw/fmp.h"
#include "tests/support/support.h"

/* examples/chassis-small.json: nic0 on port 2, PF 03:00.0, VFn 03:00.n */
#define NIC_PORT 2
#define NIC_VFS 8
#define VF(n) SW_FID(0, NIC_PORT, n)
#define PF SW_FID(0, NIC_PORT, 0)

static struct {
	struct sim_chassis *ch;
	struct sw_fw *fw;
	struct sw_fmp_unix_server *srv;
	struct sw_fmp_unix_client *uc;
	struct sw_fmp_client *c;
	pthread_mutex_t lock;
	pthread_t th;
	int stop[2];
	char dir[64];
	char path[128];
} e;

static void *e_loop(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sw_fmp_unix_server_fd(e.srv),
			  .events = POLLIN },
			{ .fd = e.stop[0], .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		pthread_mutex_lock(&e.lock);
		sw_fmp_unix_server_process(e.srv, NULL);
		pthread_mutex_unlock(&e.lock);
	}
	return NULL;
}

static void e_setup(void)
{
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };
	struct fab_chip *chip;
	char path[512];

	fm_log_set_level(FM_LOG_ERROR);
	cr_assert_eq(
		sim_chassis_load(&e.ch,
				 t_source_path(path, sizeof(path),
					       "examples/chassis-small.json"),
				 &err),
		0, "%s", err.msg);
	chip = sim_switch_chip(sim_chassis_switch(e.ch, 0));
	cr_assert_eq(sw_fw_new(&e.fw, &chip, 1, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(sw_fw_start(e.fw, &err), 0, "%s", err.msg);
	cr_assert_eq(sim_chassis_power_on(e.ch, &err), 0, "%s", err.msg);

	snprintf(e.dir, sizeof(e.dir), "/tmp/fmp-e2e-XXXXXX");
	cr_assert_not_null(mkdtemp(e.dir));
	snprintf(e.path, sizeof(e.path), "%s/fmp.sock", e.dir);
	cr_assert_eq(sw_fmp_unix_server_new(&e.srv, e.path, sw_fmp_fw_handle,
					    e.fw, &err),
		     0, "%s", err.msg);
	pthread_mutex_init(&e.lock, NULL);
	cr_assert_eq(pipe(e.stop), 0);
	cr_assert_eq(pthread_create(&e.th, NULL, e_loop, NULL), 0);

	cr_assert_eq(sw_fmp_unix_client_connect(&e.uc, e.path, &err), 0, "%s",
		     err.msg);
	sw_fmp_unix_client_transport(&t, e.uc);
	cr_assert_eq(sw_fmp_client_new(&e.c, &t, &err), 0);
}

static void e_teardown(void)
{
	sw_fmp_client_free(e.c);
	sw_fmp_unix_client_close(e.uc);
	if (write(e.stop[1], "x", 1) == 1)
		pthread_join(e.th, NULL);
	close(e.stop[0]);
	close(e.stop[1]);
	sw_fmp_unix_server_free(e.srv);
	sw_fw_free(e.fw);
	sim_chassis_free(e.ch);
	rmdir(e.dir);
}

TestSuite(sw_fmp_e2e, .init = e_setup, .fini = e_teardown);

/* Let @ms of virtual time pass (events due fire). */
static void e_run_ms(unsigned ms)
{
	pthread_mutex_lock(&e.lock);
	sim_clock_run_for(sim_chassis_clock(e.ch), ms * FAB_NS_PER_MS);
	pthread_mutex_unlock(&e.lock);
}

/* What blade @i enumerated at @rid (a snapshot), false if nothing. */
static bool e_blade_sees(unsigned i, uint16_t rid, struct sim_host_dev *out)
{
	const struct sim_host_dev *d;

	pthread_mutex_lock(&e.lock);
	d = sim_blade_dev_find(sim_chassis_blade(e.ch, i), rid);
	if (d && out)
		*out = *d;
	pthread_mutex_unlock(&e.lock);
	return d != NULL;
}

static struct sw_fmp_fn e_fn(uint32_t fid)
{
	struct sw_fmp_fn fn[1 + NIC_VFS];
	struct fm_err err = { 0 };
	unsigned n = 0;

	cr_assert_eq(sw_fmp_client_list_functions(fn, &n, NULL, e.c, 0,
						  1 + NIC_VFS, &err),
		     0, "%s", err.msg);
	for (unsigned i = 0; i < n; i++)
		if (fn[i].fid == fid)
			return fn[i];
	cr_assert_fail("fid %#x not listed", fid);
	return fn[0];
}

static uint64_t e_last_seq(void)
{
	struct sw_fmp_identify_rsp id;

	cr_assert_eq(sw_fmp_client_identify(&id, e.c, NULL), 0);
	return id.last_event_seq;
}

/* Whether an event of @type about @fid was logged after @since. */
static bool e_saw_event(uint64_t since, unsigned type, uint32_t fid)
{
	struct sw_fmp_event ev[SW_FMP_EV_PAGE_MAX];
	struct sw_fmp_events_rsp page;

	do {
		cr_assert_eq(sw_fmp_client_events(ev, &page, e.c, since,
						  SW_FMP_EV_PAGE_MAX, NULL),
			     0);
		for (unsigned i = 0; i < page.count; i++) {
			if (ev[i].type == type && ev[i].fid == fid)
				return true;
			since = ev[i].seq;
		}
	} while (page.flags & SW_FMP_EV_MORE);
	return false;
}

/* Bind VF @n to blade @part and let the blade enumerate it. */
static struct sw_fmp_vppb e_bind(unsigned n, unsigned part)
{
	struct sw_fmp_vppb v[SW_MAX_VPPBS];
	struct sw_fmp_part_rsp p;
	struct fm_err err = { 0 };
	unsigned vppb = 99;

	cr_assert_eq(sw_fmp_client_bind(&vppb, e.c, VF(n), part, -1, &err), 0,
		     "%s", err.msg);
	e_run_ms(3000);
	cr_assert_eq(sw_fmp_client_partition(&p, v, e.c, part, &err), 0, "%s",
		     err.msg);
	cr_assert_lt(vppb, p.nvppbs);
	return v[vppb];
}

Test(sw_fmp_e2e, identify_describes_the_chassis)
{
	struct sw_fmp_identify_rsp id;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_client_identify(&id, e.c, &err), 0, "%s", err.msg);
	cr_assert_eq(id.nchips, 1);
	cr_assert_eq(id.npartitions, 2);
	cr_assert_eq(id.nports, 4);
	cr_assert_eq(id.nfunctions, 1 + NIC_VFS);
	cr_assert_eq(id.vppbs, 8);
	cr_assert_eq(id.vendor, 0x1000);
	cr_assert_eq(id.device, 0xc030);
	cr_assert_eq(id.fmp_version, SW_FMP_VERSION);
}

Test(sw_fmp_e2e, list_functions_shows_the_pf_and_its_vfs)
{
	struct sw_fmp_fn fn[16];
	uint32_t total = 0;
	unsigned n = 0;

	cr_assert_eq(
		sw_fmp_client_list_functions(fn, &n, &total, e.c, 0, 16, NULL),
		0);
	cr_assert_eq(n, 1 + NIC_VFS);
	cr_assert_eq(total, 1 + NIC_VFS);
	cr_assert_eq(fn[0].fid, PF);
	cr_assert_eq(fn[0].flags, SW_FMP_FN_SRIOV);
	cr_assert_eq(fn[0].state, SW_FN_FABRIC);
	cr_assert_eq(fn[0].total_vfs, NIC_VFS);
	cr_assert_eq(fn[0].num_vfs, NIC_VFS);
	cr_assert_eq(fn[0].vf_offset, 1);
	cr_assert_eq(fn[0].vf_stride, 1);
	cr_assert_eq(fn[0].vf_device, 0x101e);
	cr_assert_eq(fn[0].phys_rid, 0x0300);
	for (unsigned i = 1; i <= NIC_VFS; i++) {
		cr_assert_eq(fn[i].fid, VF(i));
		cr_assert_eq(fn[i].flags, SW_FMP_FN_VF);
		cr_assert_eq(fn[i].phys_rid, 0x0300 + i);
		cr_assert_eq(fn[i].vendor, 0x15b3);
		cr_assert_eq(fn[i].device, 0x101e);
		cr_assert_eq(fn[i].state, SW_FN_FREE);
		cr_assert_eq(fn[i].partition, -1);
	}
}

Test(sw_fmp_e2e, port_state_reports_the_nic_link)
{
	struct sw_fmp_port_state_rsp st;

	cr_assert_eq(sw_fmp_client_port_state(&st, e.c, 0, NIC_PORT, NULL), 0);
	cr_assert_eq(st.flags & SW_FMP_PORT_UP, SW_FMP_PORT_UP);
	cr_assert_eq(st.width, 16);
	cr_assert_eq(st.speed, 4, "nic trains at 16GT/s");
	cr_assert_gt(st.tlp_out, 0, "firmware talked to the nic");
}

Test(sw_fmp_e2e, port_state_counts_the_blades_trapped_config_requests)
{
	struct sw_fmp_port_state_rsp st;

	cr_assert_eq(sw_fmp_client_port_state(&st, e.c, 0, 1, NULL), 0);
	cr_assert_eq(st.flags & SW_FMP_PORT_UP, SW_FMP_PORT_UP);
	cr_assert_gt(st.trapped, 0, "blade1 enumerated its virtual bridges");
	cr_assert_eq(st.trapped, st.tlp_in);
}

Test(sw_fmp_e2e, port_state_of_a_missing_port_is_bad_field)
{
	struct sw_fmp_port_state_rsp st;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_client_port_state(&st, e.c, 0, 9, &err),
		     -FM_EINVAL);
	cr_assert_eq(sw_fmp_client_last_status(e.c), SW_FMP_ST_BAD_FIELD);
	cr_assert(strstr(err.msg, "no port 9"), "%s", err.msg);
}

Test(sw_fmp_e2e, port_control_disable_takes_the_link_down)
{
	struct sw_fmp_port_state_rsp st;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_client_port_control(e.c, 0, NIC_PORT,
						FAB_PORT_CTL_DISABLE, &err),
		     0, "%s", err.msg);
	e_run_ms(100);
	cr_assert_eq(sw_fmp_client_port_state(&st, e.c, 0, NIC_PORT, NULL), 0);
	cr_assert_eq(st.flags & (SW_FMP_PORT_UP | SW_FMP_PORT_ENABLED), 0);
	cr_assert_geq(st.link_downs, 1);
}

Test(sw_fmp_e2e, bound_vf_is_enumerated_by_its_blade_only)
{
	struct sim_host_dev d;
	struct sw_fmp_vppb v = e_bind(3, 1);
	struct sw_fmp_fn fn = e_fn(VF(3));

	cr_assert_eq(v.state, SW_VPPB_BOUND);
	cr_assert_eq(v.fid, VF(3));
	cr_assert_neq(v.sec_bus, 0);
	cr_assert(e_blade_sees(1, FAB_RID(v.sec_bus, 0, 0), &d));
	cr_assert_eq(d.vendor, 0x15b3);
	cr_assert_eq(d.device, 0x101e);
	cr_assert_not(e_blade_sees(0, FAB_RID(v.sec_bus, 0, 0), NULL));
	cr_assert_eq(fn.state, SW_FN_BOUND);
	cr_assert_eq(fn.partition, 1);
	cr_assert(e_saw_event(0, SW_EV_BIND, VF(3)));
	cr_assert(e_saw_event(0, SW_EV_HOST_ENABLED, VF(3)));
}

Test(sw_fmp_e2e, second_bind_is_already_bound_and_changes_nothing)
{
	struct fm_err err = { 0 };
	uint64_t seq;

	e_bind(2, 0);
	seq = e_last_seq();
	cr_assert_eq(sw_fmp_client_bind(NULL, e.c, VF(2), 1, -1, &err),
		     -FM_EEXIST);
	cr_assert_eq(sw_fmp_client_last_status(e.c), SW_FMP_ST_ALREADY_BOUND);
	cr_assert_eq(e_last_seq(), seq);
	cr_assert_eq(e_fn(VF(2)).partition, 0);
}

Test(sw_fmp_e2e, binding_the_pf_while_a_vf_is_bound_is_refused_with_state)
{
	struct fm_err err = { 0 };
	uint64_t seq;

	e_bind(1, 0);
	seq = e_last_seq();
	cr_assert_eq(sw_fmp_client_bind(NULL, e.c, PF, 1, -1, &err),
		     -FM_ESTATE);
	cr_assert_eq(sw_fmp_client_last_status(e.c), SW_FMP_ST_STATE);
	cr_assert(strstr(err.msg, "in use"), "%s", err.msg);
	cr_assert_eq(e_fn(PF).state, SW_FN_FABRIC);
	cr_assert_eq(e_last_seq(), seq);
}

Test(sw_fmp_e2e, bind_to_an_occupied_vppb_is_busy)
{
	struct sw_fmp_vppb v[SW_MAX_VPPBS];
	struct sw_fmp_part_rsp p;
	struct fm_err err = { 0 };
	unsigned vppb = 99;

	cr_assert_eq(sw_fmp_client_bind(&vppb, e.c, VF(1), 0, 2, NULL), 0);
	cr_assert_eq(vppb, 2);
	cr_assert_eq(sw_fmp_client_bind(NULL, e.c, VF(2), 0, 2, &err),
		     -FM_EBUSY);
	cr_assert_eq(sw_fmp_client_last_status(e.c), SW_FMP_ST_BUSY);
	cr_assert_eq(sw_fmp_client_partition(&p, v, e.c, 0, NULL), 0);
	cr_assert_eq(v[2].fid, VF(1));
	cr_assert_eq(e_fn(VF(2)).state, SW_FN_FREE);
}

Test(sw_fmp_e2e, binding_an_unknown_fid_is_not_found)
{
	struct fm_err err = { 0 };

	cr_assert_eq(
		sw_fmp_client_bind(NULL, e.c, VF(NIC_VFS + 1), 0, -1, &err),
		-FM_ENOENT);
	cr_assert_eq(sw_fmp_client_last_status(e.c), SW_FMP_ST_NOT_FOUND);
}

Test(sw_fmp_e2e, surprise_unbind_removes_the_vf_and_resets_it)
{
	struct sw_fmp_vppb v = e_bind(1, 0);
	uint64_t seq = e_last_seq();
	struct fm_err err = { 0 };

	cr_assert(e_blade_sees(0, FAB_RID(v.sec_bus, 0, 0), NULL));
	cr_assert_eq(sw_fmp_client_unbind(e.c, VF(1), SW_UNBIND_SURPRISE, &err),
		     0, "%s", err.msg);
	e_run_ms(3000);
	cr_assert_not(e_blade_sees(0, FAB_RID(v.sec_bus, 0, 0), NULL));
	cr_assert(e_saw_event(seq, SW_EV_UNBIND, VF(1)));
	cr_assert(e_saw_event(seq, SW_EV_FLR_DONE, VF(1)));
	cr_assert_eq(e_fn(VF(1)).state, SW_FN_FREE);
	cr_assert_eq(e_fn(VF(1)).partition, -1);
}

Test(sw_fmp_e2e, unbinding_a_free_vf_is_not_bound)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_client_unbind(e.c, VF(4), SW_UNBIND_MANAGED, &err),
		     -FM_ESTATE);
	cr_assert_eq(sw_fmp_client_last_status(e.c), SW_FMP_ST_NOT_BOUND);
}

Test(sw_fmp_e2e, vf_moves_from_one_blade_to_the_other)
{
	struct sw_fmp_vppb v0 = e_bind(5, 0), v1;

	cr_assert_eq(sw_fmp_client_unbind(e.c, VF(5), SW_UNBIND_SURPRISE, NULL),
		     0);
	e_run_ms(3000);
	v1 = e_bind(5, 1);
	cr_assert_not(e_blade_sees(0, FAB_RID(v0.sec_bus, 0, 0), NULL));
	cr_assert(e_blade_sees(1, FAB_RID(v1.sec_bus, 0, 0), NULL));
	cr_assert_eq(e_fn(VF(5)).partition, 1);
}

Test(sw_fmp_e2e, events_page_through_and_flag_overflow)
{
	struct sw_fmp_event ev[SW_FMP_EV_PAGE_MAX];
	struct sw_fmp_events_rsp page;
	uint64_t since = 0, last;
	unsigned got = 0;

	/* every reset of a free VF logs its FLR_DONE */
	for (unsigned i = 0; i < SW_EVENT_LOG_SIZE + 50; i++) {
		cr_assert_eq(sw_fmp_client_reset_function(e.c, VF(6), NULL), 0);
		e_run_ms(200);
	}
	last = e_last_seq();
	cr_assert_gt(last, SW_EVENT_LOG_SIZE);
	cr_assert_eq(sw_fmp_client_events(ev, &page, e.c, 0, 10, NULL), 0);
	cr_assert_eq(page.flags, SW_FMP_EV_OVERFLOW | SW_FMP_EV_MORE);
	cr_assert_eq(ev[0].seq, last - SW_EVENT_LOG_SIZE + 1);
	/* from a seq still kept: no overflow, pages until MORE clears */
	since = last - 500;
	do {
		cr_assert_eq(sw_fmp_client_events(ev, &page, e.c, since,
						  SW_FMP_EV_PAGE_MAX, NULL),
			     0);
		cr_assert_eq(page.flags & SW_FMP_EV_OVERFLOW, 0);
		for (unsigned i = 0; i < page.count; i++)
			cr_assert_eq(ev[i].seq, since + 1 + i);
		got += page.count;
		since += page.count;
	} while (page.flags & SW_FMP_EV_MORE);
	cr_assert_eq(got, 500);
	cr_assert_eq(page.last_seq, last);
}

Test(sw_fmp_e2e, load_config_restores_saved_bindings)
{
	struct fm_err err = { 0 };
	uint64_t seq;

	e_bind(7, 1);
	cr_assert_eq(sw_fmp_client_save_config(e.c, &err), 0, "%s", err.msg);
	cr_assert(e_saw_event(0, SW_EV_CONFIG_SAVED, SW_FID_NONE));
	cr_assert_eq(sw_fmp_client_unbind(e.c, VF(7), SW_UNBIND_SURPRISE, NULL),
		     0);
	e_run_ms(3000);
	cr_assert_eq(e_fn(VF(7)).state, SW_FN_FREE);
	seq = e_last_seq();
	cr_assert_eq(sw_fmp_client_load_config(e.c, &err), 0, "%s", err.msg);
	e_run_ms(3000);
	cr_assert_eq(e_fn(VF(7)).state, SW_FN_BOUND);
	cr_assert_eq(e_fn(VF(7)).partition, 1);
	cr_assert(e_saw_event(seq, SW_EV_CONFIG_RESTORED, SW_FID_NONE));
}

Test(sw_fmp_e2e, load_config_with_nothing_saved_is_not_found)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_client_load_config(e.c, &err), -FM_ENOENT);
	cr_assert_eq(sw_fmp_client_last_status(e.c), SW_FMP_ST_NOT_FOUND);
}

/* A malformed frame on another connection changes nothing. */
Test(sw_fmp_e2e, garbage_from_another_client_changes_nothing)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t junk[64];
	uint64_t seq = e_last_seq();
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sa.sun_path, e.path, strlen(e.path) + 1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	for (unsigned i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	junk[0] = 60; /* a frame of 60 bytes of noise */
	junk[1] = junk[2] = junk[3] = 0;
	cr_assert_eq(send(fd, junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	cr_assert_gt(recv(fd, junk, sizeof(junk), 0), 0, "no answer");
	close(fd);
	cr_assert_eq(e_last_seq(), seq);
	for (unsigned i = 1; i <= NIC_VFS; i++)
		cr_assert_eq(e_fn(VF(i)).state, SW_FN_FREE);
}
