/* SPDX-License-Identifier: MIT */
/*
 * Switch chip HAL beyond forwarding: chip and port information, the
 * physical bridges' config space, link control and events, config
 * requests out of downstream ports, firmware sends, timers and flash.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/switch_fixture.h"

static struct t_sw t;

static void setup(void)
{
	t_sw_init(&t, NULL, "sw0", NULL);
}

static void teardown(void)
{
	t_sw_fini(&t);
}

TestSuite(sim_switch_hal, .init = setup, .fini = teardown);

#define EXP 0x40 /* where the bridges' PCI Express capability sits */

static uint32_t bridge_rd(unsigned port, uint16_t reg, unsigned len)
{
	uint32_t v = 0;
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->port_cfg_read(t.chip, port, reg, len, &v, &err), 0,
		     "%s", err.msg);
	return v;
}

static void bridge_wr(unsigned port, uint16_t reg, unsigned len, uint32_t v)
{
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->port_cfg_write(t.chip, port, reg, len, v, &err), 0,
		     "%s", err.msg);
}

static struct fab_port_status status(unsigned port)
{
	struct fab_port_status st;

	cr_assert_eq(t.ops->port_status(t.chip, port, &st, NULL), 0);
	return st;
}

/* ------------------------------------------------------------------
 * Information
 */

Test(sim_switch_hal, get_info_reports_identity_ports_and_flash)
{
	struct fab_chip_info info;

	cr_assert_eq(t.ops->get_info(t.chip, &info), 0);
	cr_assert_str_eq(info.name, "sw0");
	cr_assert_eq(info.vendor, T_SW_VENDOR);
	cr_assert_eq(info.device, T_SW_DEVICE);
	cr_assert_eq(info.nports, T_SW_PORTS);
	cr_assert_eq(info.flash_size, 64 * 1024);
	cr_assert_str_eq(sim_switch_name(t.sw), "sw0");
	cr_assert_eq(sim_switch_nports(t.sw), T_SW_PORTS);
}

Test(sim_switch_hal, port_info_reports_kind_caps_buses_and_label)
{
	struct fab_port_info info;

	cr_assert_eq(t.ops->port_info(t.chip, 3, &info, NULL), 0);
	cr_assert_eq(info.kind, FAB_PORT_DOWNSTREAM);
	cr_assert_eq(info.max_width, 8);
	cr_assert_eq(info.max_speed, 3);
	cr_assert_eq(info.sec_bus, 0x30);
	cr_assert_eq(info.sub_bus, 0x3f);
	cr_assert_eq(info.peer_chip, -1);
	cr_assert_str_eq(info.label, "dev1");
}

Test(sim_switch_hal, fabric_port_info_reports_its_peer)
{
	struct fab_port_info info;

	sim_switch_set_port_peer(t.sw, T_SW_FABRIC, 2, 7);
	cr_assert_eq(t.ops->port_info(t.chip, T_SW_FABRIC, &info, NULL), 0);
	cr_assert_eq(info.kind, FAB_PORT_FABRIC);
	cr_assert_eq(info.peer_chip, 2);
	cr_assert_eq(info.peer_port, 7);
}

Test(sim_switch_hal, port_info_of_missing_port_is_out_of_range)
{
	struct fab_port_info info;
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->port_info(t.chip, T_SW_PORTS, &info, &err),
		     -FM_ERANGE);
	cr_assert_eq(err.code, FM_ERANGE);
	cr_assert(strstr(err.msg, "no port 6"), "%s", err.msg);
	cr_assert_null(sim_switch_port(t.sw, T_SW_PORTS));
}

Test(sim_switch_hal, switch_desc_with_bad_port_width_is_refused)
{
	static const struct sim_switch_port_desc ports[] = {
		{ .kind = FAB_PORT_UPSTREAM, .width = 3, .speed = 3 },
	};
	struct sim_switch_desc desc = { .name = "bad",
					.nports = 1,
					.ports = ports };
	struct sim_switch *sw = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(sim_switch_new(&sw, t.clk, &desc, &err), -FM_ERANGE);
	cr_assert(strstr(err.msg, "x3"), "%s", err.msg);
	cr_assert_null(sw);
}

/* ------------------------------------------------------------------
 * Link state and events
 */

Test(sim_switch_hal, port_status_reports_trained_link_width_and_speed)
{
	struct fab_port_status st = status(3);

	cr_assert(st.up);
	cr_assert(st.enabled);
	cr_assert_not(st.training);
	cr_assert_eq(st.width, 8);
	cr_assert_eq(st.speed, 3);
}

Test(sim_switch_hal, uncabled_port_is_down_with_zero_width)
{
	struct fab_port_status st = status(T_SW_EMPTY);

	cr_assert_not(st.up);
	cr_assert_eq(st.width, 0);
	cr_assert_eq(st.speed, 0);
}

Test(sim_switch_hal, link_training_raises_link_up_events)
{
	const struct fab_chip_event *ev;

	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_LINK_UP), T_SW_CABLED);
	ev = t_sw_last_event(&t, FAB_CHIP_EV_LINK_UP);
	cr_assert_eq(ev->time_ns, T_SW_TRAIN_NS);
}

Test(sim_switch_hal, link_down_raises_event_and_counts)
{
	const struct fab_chip_event *ev;

	sim_link_down(t.link[2]);
	ev = t_sw_last_event(&t, FAB_CHIP_EV_LINK_DOWN);
	cr_assert_not_null(ev);
	cr_assert_eq(ev->port, 2);
	cr_assert_eq(t_sw_counters(&t, 2).link_downs, 1);
	cr_assert_not(status(2).up);
}

Test(sim_switch_hal, disable_keeps_link_down_until_enabled)
{
	struct fab_port_status st;

	cr_assert_eq(t.ops->port_control(t.chip, 2, FAB_PORT_CTL_DISABLE, NULL),
		     0);
	sim_clock_run_for(t.clk, 10 * T_SW_TRAIN_NS);
	st = status(2);
	cr_assert_not(st.up);
	cr_assert_not(st.enabled);
	cr_assert_eq(t.part[2].downs, 1);

	cr_assert_eq(t.ops->port_control(t.chip, 2, FAB_PORT_CTL_ENABLE, NULL),
		     0);
	sim_clock_run_for(t.clk, T_SW_TRAIN_NS - 1);
	cr_assert(status(2).training);
	sim_clock_run_for(t.clk, 1);
	st = status(2);
	cr_assert(st.up);
	cr_assert(st.enabled);
}

Test(sim_switch_hal, retrain_takes_link_down_then_up_after_training)
{
	cr_assert_eq(t.ops->port_control(t.chip, 3, FAB_PORT_CTL_RETRAIN, NULL),
		     0);
	cr_assert_not(status(3).up);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_LINK_DOWN), 1);
	sim_clock_run_for(t.clk, T_SW_TRAIN_NS);
	cr_assert(status(3).up);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_LINK_UP), T_SW_CABLED + 1);
}

Test(sim_switch_hal, retrain_of_disabled_port_is_refused)
{
	struct fm_err err = { 0 };

	t.ops->port_control(t.chip, 3, FAB_PORT_CTL_DISABLE, NULL);
	cr_assert_eq(t.ops->port_control(t.chip, 3, FAB_PORT_CTL_RETRAIN, &err),
		     -FM_ESTATE);
	cr_assert(strstr(err.msg, "disabled"), "%s", err.msg);
}

Test(sim_switch_hal, port_control_of_uncabled_port_is_wrong_state)
{
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->port_control(t.chip, T_SW_EMPTY,
					 FAB_PORT_CTL_DISABLE, &err),
		     -FM_ESTATE);
	cr_assert(strstr(err.msg, "port 5"), "%s", err.msg);
}

Test(sim_switch_hal, port_reset_hot_resets_the_device)
{
	cr_assert_eq(t.ops->port_control(t.chip, 2, FAB_PORT_CTL_RESET, NULL),
		     0);
	cr_assert_eq(t.part[2].resets, 1);
	cr_assert_not(status(2).up);
	sim_clock_run_for(t.clk, T_SW_TRAIN_NS);
	cr_assert(status(2).up);
}

Test(sim_switch_hal, hot_reset_from_blade_raises_reset_event)
{
	const struct fab_chip_event *ev;

	sim_clock_run_for(t.clk, 777);
	sim_link_hot_reset(t.link[1], &t.part[1].port);
	ev = t_sw_last_event(&t, FAB_CHIP_EV_RESET);
	cr_assert_not_null(ev);
	cr_assert_eq(ev->port, 1);
	cr_assert_eq(ev->time_ns, T_SW_TRAIN_NS + 777);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_RESET), 1);
}

Test(sim_switch_hal, hot_reset_from_device_is_not_a_switch_reset)
{
	sim_link_hot_reset(t.link[2], &t.part[2].port);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_RESET), 0);
}

/* ------------------------------------------------------------------
 * Physical bridges
 */

Test(sim_switch_hal, bridge_header_is_type1_with_switch_ids)
{
	cr_assert_eq(bridge_rd(0, PCI_VENDOR_ID, 2), T_SW_VENDOR);
	cr_assert_eq(bridge_rd(0, PCI_DEVICE_ID, 2), T_SW_DEVICE);
	cr_assert_eq(bridge_rd(0, PCI_CLASS_REVISION, 4) >> 8, 0x060400);
	cr_assert_eq(bridge_rd(0, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_BRIDGE);
	cr_assert(bridge_rd(0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	cr_assert_eq(bridge_rd(0, PCI_CAPABILITY_LIST, 1), EXP);
	cr_assert_eq(bridge_rd(0, EXP, 1), PCI_CAP_ID_EXP);
}

Test(sim_switch_hal, bridge_port_type_follows_port_kind)
{
	static const uint8_t want[T_SW_PORTS] = {
		PCI_EXP_TYPE_UPSTREAM,	 PCI_EXP_TYPE_UPSTREAM,
		PCI_EXP_TYPE_DOWNSTREAM, PCI_EXP_TYPE_DOWNSTREAM,
		PCI_EXP_TYPE_DOWNSTREAM, PCI_EXP_TYPE_DOWNSTREAM,
	};

	for (unsigned p = 0; p < T_SW_PORTS; p++)
		cr_assert_eq(FM_FIELD_GET(PCI_EXP_FLAGS_TYPE,
					  bridge_rd(p, EXP + PCI_EXP_FLAGS, 2)),
			     want[p], "port %u", p);
}

Test(sim_switch_hal, bridge_secondary_buses_are_the_chassis_range)
{
	cr_assert_eq(bridge_rd(2, PCI_SECONDARY_BUS, 1), 0x20);
	cr_assert_eq(bridge_rd(2, PCI_SUBORDINATE_BUS, 1), 0x2f);
	bridge_wr(2, PCI_SECONDARY_BUS, 1, 0x99); /* read-only to software */
	cr_assert_eq(bridge_rd(2, PCI_SECONDARY_BUS, 1), 0x20);
	sim_switch_set_port_buses(t.sw, 2, 0x50, 0x5f);
	cr_assert_eq(bridge_rd(2, PCI_SECONDARY_BUS, 1), 0x50);
	cr_assert_eq(sim_switch_port_cfg_read(t.sw, 2, PCI_SUBORDINATE_BUS, 1),
		     0x5f);
}

Test(sim_switch_hal, bridge_link_caps_state_port_width_speed_and_number)
{
	uint32_t cap = bridge_rd(3, EXP + PCI_EXP_LNKCAP, 4);

	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKCAP_SPEED, cap), 3);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKCAP_WIDTH, cap), 8);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKCAP_PORT, cap), 3);
	cr_assert(cap & PCI_EXP_LNKCAP_DLLA);
}

Test(sim_switch_hal, bridge_link_status_follows_the_link)
{
	uint16_t up = (uint16_t)bridge_rd(2, EXP + PCI_EXP_LNKSTA, 2);
	uint16_t down;

	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_SPEED, up), 4);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_WIDTH, up), 8);
	cr_assert(up & PCI_EXP_LNKSTA_DL_ACT);
	sim_link_down(t.link[2]);
	down = (uint16_t)bridge_rd(2, EXP + PCI_EXP_LNKSTA, 2);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_WIDTH, down), 0);
	cr_assert_not(down & PCI_EXP_LNKSTA_DL_ACT);
	sim_link_train(t.link[2]);
	cr_assert(bridge_rd(2, EXP + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_TRAIN);
}

Test(sim_switch_hal, bridge_link_status_is_live_in_dword_reads)
{
	uint32_t dw = bridge_rd(2, EXP + PCI_EXP_LNKCTL, 4);

	cr_assert(dw & ((uint32_t)PCI_EXP_LNKSTA_DL_ACT << 16));
	cr_assert_eq(bridge_rd(2, EXP + PCI_EXP_LNKSTA + 1, 1),
		     (dw >> 24) & 0xff);
}

Test(sim_switch_hal, upstream_bridge_reports_width_but_not_dl_active)
{
	uint16_t sta = (uint16_t)bridge_rd(0, EXP + PCI_EXP_LNKSTA, 2);

	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_WIDTH, sta), 16);
	cr_assert_not(sta & PCI_EXP_LNKSTA_DL_ACT); /* r6.0 7.5.3.8 */
	cr_assert_not(bridge_rd(0, EXP + PCI_EXP_LNKCAP, 4) &
		      PCI_EXP_LNKCAP_DLLA);
}

Test(sim_switch_hal, downstream_bridge_slot_number_is_port_number)
{
	uint32_t slt = bridge_rd(3, EXP + PCI_EXP_SLTCAP, 4);

	cr_assert(bridge_rd(3, EXP + PCI_EXP_FLAGS, 2) & PCI_EXP_FLAGS_SLOT);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_SLTCAP_PSN, slt), 3);
	cr_assert_not(bridge_rd(0, EXP + PCI_EXP_FLAGS, 2) &
		      PCI_EXP_FLAGS_SLOT);
}

Test(sim_switch_hal, slot_presence_reflects_device_cabled_and_up)
{
	cr_assert(bridge_rd(2, EXP + PCI_EXP_SLTSTA, 2) & PCI_EXP_SLTSTA_PRES);
	cr_assert_not(bridge_rd(T_SW_EMPTY, EXP + PCI_EXP_SLTSTA, 2) &
		      PCI_EXP_SLTSTA_PRES);
	sim_link_down(t.link[2]);
	cr_assert_not(bridge_rd(2, EXP + PCI_EXP_SLTSTA, 2) &
		      PCI_EXP_SLTSTA_PRES);
}

Test(sim_switch_hal, slot_change_bits_latch_and_clear_on_write_one)
{
	const uint16_t chg = PCI_EXP_SLTSTA_PRSD | PCI_EXP_SLTSTA_LLCHG;

	bridge_wr(2, EXP + PCI_EXP_SLTSTA, 2, chg); /* clear power-on ups */
	cr_assert_eq(bridge_rd(2, EXP + PCI_EXP_SLTSTA, 2) & chg, 0);
	sim_link_down(t.link[2]);
	cr_assert_eq(bridge_rd(2, EXP + PCI_EXP_SLTSTA, 2) & chg, chg);
	bridge_wr(2, EXP + PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_LLCHG);
	cr_assert_eq(bridge_rd(2, EXP + PCI_EXP_SLTSTA, 2) & chg,
		     PCI_EXP_SLTSTA_PRSD);
}

Test(sim_switch_hal, link_disable_bit_disables_and_enables_the_link)
{
	uint16_t ctl = (uint16_t)bridge_rd(2, EXP + PCI_EXP_LNKCTL, 2);

	bridge_wr(2, EXP + PCI_EXP_LNKCTL, 2, ctl | PCI_EXP_LNKCTL_DISABLE);
	cr_assert_not(status(2).up);
	cr_assert_not(status(2).enabled);
	cr_assert(bridge_rd(2, EXP + PCI_EXP_LNKCTL, 2) &
		  PCI_EXP_LNKCTL_DISABLE);
	bridge_wr(2, EXP + PCI_EXP_LNKCTL, 2, ctl);
	sim_clock_run_for(t.clk, T_SW_TRAIN_NS);
	cr_assert(status(2).up);
}

Test(sim_switch_hal, port_control_disable_shows_in_link_control)
{
	t.ops->port_control(t.chip, 3, FAB_PORT_CTL_DISABLE, NULL);
	cr_assert(bridge_rd(3, EXP + PCI_EXP_LNKCTL, 2) &
		  PCI_EXP_LNKCTL_DISABLE);
}

Test(sim_switch_hal, retrain_link_bit_retrains_and_reads_zero)
{
	uint16_t ctl = (uint16_t)bridge_rd(3, EXP + PCI_EXP_LNKCTL, 2);

	bridge_wr(3, EXP + PCI_EXP_LNKCTL, 2, ctl | PCI_EXP_LNKCTL_RETRAIN);
	cr_assert_not(bridge_rd(3, EXP + PCI_EXP_LNKCTL, 2) &
		      PCI_EXP_LNKCTL_RETRAIN);
	cr_assert(bridge_rd(3, EXP + PCI_EXP_LNKSTA, 2) & PCI_EXP_LNKSTA_TRAIN);
	sim_clock_run_for(t.clk, T_SW_TRAIN_NS);
	cr_assert(status(3).up);
	cr_assert(bridge_rd(3, EXP + PCI_EXP_LNKSTA, 2) &
		  PCI_EXP_LNKSTA_BWMGMT);
}

Test(sim_switch_hal, link_disable_bit_is_reserved_on_upstream_ports)
{
	bridge_wr(0, EXP + PCI_EXP_LNKCTL, 2, PCI_EXP_LNKCTL_DISABLE);
	cr_assert(status(0).up);
	cr_assert_not(bridge_rd(0, EXP + PCI_EXP_LNKCTL, 2) &
		      PCI_EXP_LNKCTL_DISABLE);
}

Test(sim_switch_hal, secondary_bus_reset_hot_resets_the_device)
{
	uint16_t bctl = (uint16_t)bridge_rd(2, PCI_BRIDGE_CONTROL, 2);

	bridge_wr(2, PCI_BRIDGE_CONTROL, 2, bctl | PCI_BRIDGE_CTL_BUS_RESET);
	cr_assert_eq(t.part[2].resets, 1);
	bridge_wr(2, PCI_BRIDGE_CONTROL, 2, bctl | PCI_BRIDGE_CTL_BUS_RESET);
	cr_assert_eq(t.part[2].resets, 1); /* only on 0 -> 1 */
}

Test(sim_switch_hal, bridge_ids_are_read_only)
{
	bridge_wr(2, PCI_VENDOR_ID, 4, 0);
	cr_assert_eq(bridge_rd(2, PCI_VENDOR_ID, 2), T_SW_VENDOR);
	bridge_wr(2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cr_assert_eq(bridge_rd(2, PCI_COMMAND, 2),
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

Test(sim_switch_hal, bridge_access_with_bad_alignment_is_invalid)
{
	uint32_t v;

	cr_assert_eq(t.ops->port_cfg_read(t.chip, 0, 0x41, 2, &v, NULL),
		     -FM_EINVAL);
	cr_assert_eq(t.ops->port_cfg_write(t.chip, 0, 4096, 4, 0, NULL),
		     -FM_EINVAL);
	cr_assert_eq(t.ops->port_cfg_read(t.chip, 9, 0, 4, &v, NULL),
		     -FM_ERANGE);
}

/*
 * What the fabric dump prints must decode under lspci: write port 2's
 * bridge in `lspci -xxxx` format and let lspci -F read it back.
 */
Test(sim_switch_hal, bridge_decodes_cleanly_under_lspci)
{
	char path[] = "/tmp/mrfabric-bridge-XXXXXX";
	char cmd[256], out[8192];
	size_t n;
	FILE *f;
	int fd;

	if (access("/usr/bin/lspci", X_OK) != 0)
		cr_skip_test("lspci not installed");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fprintf(f, "00:02.0 PCI bridge: switch port\n");
	for (unsigned off = 0; off < 4096; off += 16) {
		fprintf(f, "%03x:", off);
		for (unsigned i = 0; i < 16; i++)
			fprintf(f, " %02x",
				sim_switch_port_cfg_read(t.sw, 2, off + i, 1));
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "lspci -F %s -vvv 2>&1", path);
	f = popen(cmd, "r");
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	unlink(path);
	cr_assert(strstr(out, "Express (v2) Downstream Port (Slot+)"), "%s",
		  out);
	cr_assert(strstr(out, "Bus: primary=00, secondary=20, subordinate=2f"),
		  "%s", out);
	cr_assert(strstr(out, "Port #2"), "%s", out);
	cr_assert(strstr(out, "LnkSta:\tSpeed 16GT/s"), "%s", out);
	cr_assert(strstr(out, "Width x8"), "%s", out);
	cr_assert(strstr(out, "DLActive+"), "%s", out);
	cr_assert(strstr(out, "Slot #2"), "%s", out);
	cr_assert(strstr(out, "PresDet+"), "%s", out);
	cr_assert_null(strstr(out, "!!!"), "%s", out);
}

/* ------------------------------------------------------------------
 * Config requests out of downstream ports, firmware sends
 */

Test(sim_switch_hal, cfg_read_goes_out_of_downstream_port_as_type0)
{
	uint32_t v = 0;
	uint8_t st = 0xff;

	t.part[2].cfg_value = 0x10de1234;
	cr_assert_eq(t.ops->cfg_read(t.chip, 2, FAB_RID(0x20, 0, 1), 0, 4, &v,
				     &st, NULL),
		     0);
	cr_assert_eq(t.part[2].last.type, FAB_TLP_CFG_RD0);
	cr_assert_eq(t.part[2].last.cfg_target, FAB_RID(0x20, 0, 1));
	cr_assert_eq(st, FAB_CPL_SC);
	cr_assert_eq(v, 0x10de1234);
	cr_assert_eq(t_sw_counters(&t, 2).tlp_out, 1);
}

Test(sim_switch_hal, cfg_write_reaches_the_device)
{
	uint8_t st = 0xff;

	cr_assert_eq(t.ops->cfg_write(t.chip, 3, FAB_RID(0x30, 0, 0), 0x04, 2,
				      0x0006, &st, NULL),
		     0);
	cr_assert_eq(t.part[3].last.type, FAB_TLP_CFG_WR0);
	cr_assert_eq(fab_tlp_cfg_value(&t.part[3].last), 0x0006);
	cr_assert_eq(st, FAB_CPL_SC);
}

Test(sim_switch_hal, cfg_read_of_absent_device_is_ur_with_all_ones)
{
	uint32_t v = 0;
	uint8_t st = 0;

	cr_assert_eq(t.ops->cfg_read(t.chip, T_SW_EMPTY, FAB_RID(0x40, 0, 0), 0,
				     2, &v, &st, NULL),
		     0);
	cr_assert_eq(st, FAB_CPL_UR);
	cr_assert_eq(v, 0xffff);
}

Test(sim_switch_hal, cfg_read_out_of_upstream_port_is_invalid)
{
	struct fm_err err = { 0 };
	uint32_t v;
	uint8_t st;

	cr_assert_eq(t.ops->cfg_read(t.chip, 0, 0, 0, 4, &v, &st, &err),
		     -FM_EINVAL);
	cr_assert(strstr(err.msg, "downstream ports only"), "%s", err.msg);
	cr_assert_eq(t.part[0].rx, 0);
}

Test(sim_switch_hal, cfg_read_with_bad_length_is_invalid)
{
	uint32_t v;
	uint8_t st;

	cr_assert_eq(t.ops->cfg_read(t.chip, 2, 0x2000, 0, 3, &v, &st, NULL),
		     -FM_EINVAL);
	cr_assert_eq(t.part[2].rx, 0);
}

Test(sim_switch_hal, send_delivers_msi_to_the_blade)
{
	struct fab_tlp msi;

	fab_tlp_msi(&msi, FAB_RID(1, 0, 0), FAB_MSI_ADDR_BASE + 0x10, 0x41);
	cr_assert_eq(t.ops->send(t.chip, 1, &msi, NULL), 0);
	cr_assert_eq(t.part[1].rx, 1);
	cr_assert_eq(t.part[1].last.addr, FAB_MSI_ADDR_BASE + 0x10);
	cr_assert_eq(t_sw_counters(&t, 1).tlp_out, 1);
}

Test(sim_switch_hal, send_of_nonposted_tlp_is_invalid)
{
	struct fab_tlp rd;
	struct fm_err err = { 0 };

	fab_tlp_mem_read(&rd, 0, 0x1000, 4, NULL);
	cr_assert_eq(t.ops->send(t.chip, 1, &rd, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "posted TLPs only"), "%s", err.msg);
	cr_assert_eq(t.part[1].rx, 0);
}

Test(sim_switch_hal, send_on_link_down_is_wrong_state)
{
	struct fab_tlp msi;

	fab_tlp_msi(&msi, FAB_RID(1, 0, 0), FAB_MSI_ADDR_BASE, 1);
	sim_link_down(t.link[1]);
	cr_assert_eq(t.ops->send(t.chip, 1, &msi, NULL), -FM_ESTATE);
}

/* ------------------------------------------------------------------
 * Timers
 */

struct fired {
	unsigned n;
	uint64_t at;
};

static struct fab_chip *timer_chip;

static void on_timer(void *arg)
{
	struct fired *f = arg;

	f->n++;
	f->at = timer_chip->ops->now(timer_chip);
}

Test(sim_switch_hal, timer_fires_once_at_its_virtual_time)
{
	struct fired f = { 0 };
	uint64_t start = t.ops->now(t.chip);
	uint64_t id;

	timer_chip = t.chip;
	id = t.ops->timer_start(t.chip, 100 * FAB_NS_PER_MS, on_timer, &f);
	cr_assert_neq(id, 0);
	sim_clock_run_for(t.clk, 100 * FAB_NS_PER_MS - 1);
	cr_assert_eq(f.n, 0);
	sim_clock_run_for(t.clk, 10 * FAB_NS_PER_S);
	cr_assert_eq(f.n, 1);
	cr_assert_eq(f.at, start + 100 * FAB_NS_PER_MS);
}

Test(sim_switch_hal, cancelled_timer_never_fires)
{
	struct fired f = { 0 };
	uint64_t id;

	timer_chip = t.chip;
	id = t.ops->timer_start(t.chip, FAB_NS_PER_MS, on_timer, &f);
	cr_assert(t.ops->timer_cancel(t.chip, id));
	sim_clock_run_for(t.clk, FAB_NS_PER_S);
	cr_assert_eq(f.n, 0);
	cr_assert_not(t.ops->timer_cancel(t.chip, id));
}

/* ------------------------------------------------------------------
 * Flash
 */

Test(sim_switch_hal, flash_reads_back_what_was_written)
{
	uint8_t in[100], out[100];

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	cr_assert_eq(t.ops->flash_write(t.chip, 1000, in, sizeof(in), NULL), 0);
	cr_assert_eq(t.ops->flash_read(t.chip, 1000, out, sizeof(out), NULL),
		     0);
	cr_assert_arr_eq(in, out, sizeof(in));
}

Test(sim_switch_hal, unwritten_flash_reads_zero)
{
	uint8_t out[16], zero[16] = { 0 };

	memset(out, 0xaa, sizeof(out));
	cr_assert_eq(t.ops->flash_read(t.chip, 64 * 1024 - 16, out, 16, NULL),
		     0);
	cr_assert_arr_eq(out, zero, sizeof(out));
}

Test(sim_switch_hal, flash_access_past_the_end_is_out_of_range)
{
	uint8_t buf[16] = { 0 };
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->flash_read(t.chip, 64 * 1024 - 8, buf, 16, &err),
		     -FM_ERANGE);
	cr_assert(strstr(err.msg, "65536 bytes"), "%s", err.msg);
	cr_assert_eq(t.ops->flash_write(t.chip, UINT64_MAX, buf, 1, NULL),
		     -FM_ERANGE);
}

static void tmp_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/mrfabric-flash-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

Test(sim_switch_hal, flash_file_survives_switch_restart)
{
	char dir[64], path[96];
	const char msg[] = "partition table v1";
	char out[sizeof(msg)] = { 0 };
	struct t_sw a, b;
	struct stat st;

	tmp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/flash.bin", dir);
	t_sw_init(&a, NULL, "swf", path);
	cr_assert_eq(a.ops->flash_write(a.chip, 4096, msg, sizeof(msg), NULL),
		     0);
	t_sw_fini(&a);

	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 64 * 1024);
	t_sw_init(&b, NULL, "swf", path);
	cr_assert_eq(b.ops->flash_read(b.chip, 4096, out, sizeof(out), NULL),
		     0);
	cr_assert_str_eq(out, msg);
	t_sw_fini(&b);
	unlink(path);
	rmdir(dir);
}

Test(sim_switch_hal, flash_file_in_missing_directory_is_io_error)
{
	struct t_sw a;
	uint8_t b = 0;
	struct fm_err err = { 0 };

	t_sw_init(&a, NULL, "swf", "/nonexistent-dir/mrfabric/flash.bin");
	cr_assert_eq(a.ops->flash_read(a.chip, 0, &b, 1, &err), -FM_EIO);
	cr_assert(strstr(err.msg, "/nonexistent-dir/mrfabric/flash.bin"), "%s",
		  err.msg);
	t_sw_fini(&a);
}
