/* SPDX-License-Identifier: MIT */
/*
 * test_chassis.c - loading chassis descriptions: the examples build and
 * power on, what the description says is what the hardware shows (links,
 * bus ranges, port identities, what a blade enumerates), and every bad
 * description is refused with the exact message and nothing built.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"
#include "tests/support/support.h"

static struct sim_chassis *load(const char *rel)
{
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };
	char path[512];
	int ret;

	ret = sim_chassis_load(&ch, t_source_path(path, sizeof(path), rel),
			       &err);
	cr_assert_eq(ret, 0, "%s: %s", rel, err.msg);
	cr_assert_not_null(ch);
	return ch;
}

static struct sim_chassis *load_on(const char *rel)
{
	struct sim_chassis *ch = load(rel);
	struct fm_err err = { 0 };

	cr_assert_eq(sim_chassis_power_on(ch, &err), 0, "%s", err.msg);
	return ch;
}

static struct fab_port_status port_status(struct sim_chassis *ch, unsigned sw,
					  unsigned port)
{
	struct fab_chip *chip = sim_switch_chip(sim_chassis_switch(ch, sw));
	struct fab_port_status st;
	struct fm_err err = { 0 };

	memset(&st, 0, sizeof(st));
	cr_assert_eq(chip->ops->port_status(chip, port, &st, &err), 0, "%s",
		     err.msg);
	return st;
}

static struct fab_port_info port_info(struct sim_chassis *ch, unsigned sw,
				      unsigned port)
{
	struct fab_chip *chip = sim_switch_chip(sim_chassis_switch(ch, sw));
	struct fab_port_info info;
	struct fm_err err = { 0 };

	memset(&info, 0, sizeof(info));
	cr_assert_eq(chip->ops->port_info(chip, port, &info, &err), 0, "%s",
		     err.msg);
	return info;
}

Test(sim_chassis, small_example_powers_on_with_every_cable_up)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	unsigned p;

	cr_assert_eq(sim_chassis_blade_count(ch), 2);
	cr_assert_eq(sim_chassis_switch_count(ch), 1);
	cr_assert_eq(sim_chassis_ep_count(ch), 1);
	for (p = 0; p < 3; p++)
		cr_assert(port_status(ch, 0, p).up, "port %u down", p);
	cr_assert_not(port_status(ch, 0, 3).up, "empty slot has a link");
	sim_chassis_free(ch);
}

Test(sim_chassis, rack_example_powers_on_with_the_fabric_link_up)
{
	struct sim_chassis *ch = load_on("examples/chassis-rack.json");
	struct fab_port_status st = port_status(ch, 0, 8);

	cr_assert_eq(sim_chassis_blade_count(ch), 8);
	cr_assert_eq(sim_chassis_switch_count(ch), 2);
	cr_assert_eq(sim_chassis_ep_count(ch), 7);
	cr_assert(st.up);
	cr_assert_eq(st.width, 16);
	cr_assert_eq(st.speed, 5);
	cr_assert(port_status(ch, 1, 8).up);
	sim_chassis_free(ch);
}

Test(sim_chassis, test_data_chassis_powers_on_and_settles)
{
	struct sim_chassis *ch = load_on("tests/data/chassis-sriov.json");

	cr_assert_eq(sim_clock_pending(sim_chassis_clock(ch)), 0);
	cr_assert_gt(sim_clock_now(sim_chassis_clock(ch)), 0);
	sim_chassis_free(ch);
}

Test(sim_chassis, links_train_to_the_narrower_and_slower_end)
{
	struct sim_chassis *ch = load_on("tests/data/chassis-sriov.json");
	/* blade x8 8GT/s on an x16 16GT/s port; nvme0 x4 on an x8 port */
	struct fab_port_status up = port_status(ch, 0, 0);
	struct fab_port_status nvme = port_status(ch, 0, 2);

	cr_assert_eq(up.width, 8);
	cr_assert_eq(up.speed, 3);
	cr_assert_eq(nvme.width, 4);
	cr_assert_eq(nvme.speed, 4);
	sim_chassis_free(ch);
}

Test(sim_chassis, links_are_down_before_power_on)
{
	struct sim_chassis *ch = load("examples/chassis-small.json");

	cr_assert_not(port_status(ch, 0, 0).up);
	cr_assert_not(port_status(ch, 0, 2).up);
	sim_chassis_free(ch);
}

Test(sim_chassis, downstream_bus_ranges_cover_every_vf_in_port_order)
{
	struct sim_chassis *ch = load("tests/data/chassis-sriov.json");
	/*
	 * Every port bridge takes a bus in port order; nic0 on port 1 has
	 * 128 VFs, offset 16, stride 2: its last VF is at 02:00.0 + 270.
	 */
	static const struct {
		unsigned port;
		uint8_t sec, sub;
	} want[] = {
		{ 0, 1, 1 }, { 1, 2, 3 }, { 2, 4, 4 }, { 3, 5, 5 }, { 4, 6, 6 }
	};
	unsigned i;

	for (i = 0; i < FM_ARRAY_SIZE(want); i++) {
		struct fab_port_info info = port_info(ch, 0, want[i].port);

		cr_assert_eq(info.sec_bus, want[i].sec, "port %u",
			     want[i].port);
		cr_assert_eq(info.sub_bus, want[i].sub, "port %u",
			     want[i].port);
	}
	sim_chassis_free(ch);
}

Test(sim_chassis, endpoints_answer_on_the_first_bus_of_their_port)
{
	struct sim_chassis *ch = load("tests/data/chassis-sriov.json");

	cr_assert_eq(sim_fn_rid(sim_ep_pf(sim_chassis_ep_find(ch, "nic0"))),
		     FAB_RID(2, 0, 0));
	cr_assert_eq(sim_fn_rid(sim_ep_pf(sim_chassis_ep_find(ch, "nvme0"))),
		     FAB_RID(4, 0, 0));
	cr_assert_eq(sim_fn_rid(sim_ep_pf(sim_chassis_ep_find(ch, "gpu0"))),
		     FAB_RID(6, 0, 0));
	sim_chassis_free(ch);
}

Test(sim_chassis, ports_report_kind_width_speed_and_cable_label)
{
	struct sim_chassis *ch = load("tests/data/chassis-sriov.json");
	struct fab_port_info up = port_info(ch, 0, 0);
	struct fab_port_info down = port_info(ch, 0, 2);

	cr_assert_eq(up.kind, FAB_PORT_UPSTREAM);
	cr_assert_eq(up.max_width, 16);
	cr_assert_eq(up.max_speed, 4);
	cr_assert_str_eq(up.label, "host-a");
	cr_assert_eq(down.kind, FAB_PORT_DOWNSTREAM);
	cr_assert_eq(down.max_width, 8);
	cr_assert_str_eq(down.label, "nvme0");
	sim_chassis_free(ch);
}

Test(sim_chassis, fabric_ports_know_their_peer)
{
	struct sim_chassis *ch = load("examples/chassis-rack.json");
	struct fab_port_info a = port_info(ch, 0, 8);
	struct fab_port_info b = port_info(ch, 1, 8);

	cr_assert_eq(a.kind, FAB_PORT_FABRIC);
	cr_assert_eq(a.peer_chip, 1);
	cr_assert_eq(a.peer_port, 8);
	cr_assert_eq(b.peer_chip, 0);
	cr_assert_eq(b.peer_port, 8);
	sim_chassis_free(ch);
}

Test(sim_chassis, switch_identity_and_flash_come_from_the_file)
{
	struct sim_chassis *ch = load("tests/data/chassis-sriov.json");
	struct fab_chip *chip = sim_switch_chip(sim_chassis_switch(ch, 0));
	struct fab_chip_info info;

	memset(&info, 0, sizeof(info));
	cr_assert_eq(chip->ops->get_info(chip, &info), 0);
	cr_assert_str_eq(info.name, "pax0");
	cr_assert_eq(info.vendor, 0x11f8);
	cr_assert_eq(info.device, 0x4052);
	cr_assert_eq(info.nports, 5);
	cr_assert_eq(info.flash_size, 262144);
	sim_chassis_free(ch);
}

Test(sim_chassis, blade_without_firmware_sees_only_host_bridge_and_root_port)
{
	struct sim_chassis *ch = load_on("tests/data/chassis-sriov.json");
	struct sim_blade *b = sim_chassis_blade_find(ch, "host-a");
	const struct sim_host_dev *rp;

	cr_assert_eq(sim_blade_dev_count(b), 2);
	cr_assert_eq(sim_blade_dev(b, 0)->class_code >> 8, 0x0600);
	rp = sim_blade_dev(b, 1);
	cr_assert_eq(rp->pcie_type, PCI_EXP_TYPE_ROOT_PORT);
	cr_assert_eq(rp->vendor, 0x8086);
	cr_assert_eq(rp->device, 0x0101);
	sim_chassis_free(ch);
}

Test(sim_chassis, root_port_ids_default_when_not_given)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	const struct sim_host_dev *rp =
		sim_blade_dev(sim_chassis_blade(ch, 0), 1);

	cr_assert_eq(rp->vendor, 0x1022);
	cr_assert_eq(rp->device, 0x1483);
	sim_chassis_free(ch);
}

Test(sim_chassis, objects_are_found_by_name_and_index)
{
	struct sim_chassis *ch = load("examples/chassis-rack.json");

	cr_assert_str_eq(sim_blade_name(sim_chassis_blade(ch, 5)), "blade5");
	cr_assert_eq(sim_chassis_blade_find(ch, "blade5"),
		     sim_chassis_blade(ch, 5));
	cr_assert_str_eq(sim_switch_name(sim_chassis_switch(ch, 1)), "sw1");
	cr_assert_str_eq(sim_ep_name(sim_chassis_ep(ch, 4)), "nvme0");
	cr_assert_eq(sim_chassis_ep_find(ch, "nvme0"), sim_chassis_ep(ch, 4));
	sim_chassis_free(ch);
}

Test(sim_chassis, unknown_names_and_indexes_give_null)
{
	struct sim_chassis *ch = load("examples/chassis-small.json");

	cr_assert_null(sim_chassis_blade_find(ch, "nic0"));
	cr_assert_null(sim_chassis_ep_find(ch, "blade0"));
	cr_assert_null(sim_chassis_blade(ch, 2));
	cr_assert_null(sim_chassis_switch(ch, 1));
	cr_assert_null(sim_chassis_ep(ch, 1));
	sim_chassis_free(ch);
}

Test(sim_chassis, second_power_on_is_refused)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	struct fm_err err = { 0 };

	cr_assert_eq(sim_chassis_power_on(ch, &err), -FM_ESTATE);
	cr_assert_str_eq(err.msg, "chassis small: already powered on");
	sim_chassis_free(ch);
}

Test(sim_chassis, vfs_start_disabled)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");

	cr_assert_eq(sim_ep_num_vfs_enabled(sim_chassis_ep(ch, 0)), 0);
	sim_chassis_free(ch);
}

static const char minimal[] =
	"{\"name\": \"m\", \"endpoints\": [],"
	" \"blades\": [{\"name\": \"b\", \"link\": {\"width\": 4,"
	" \"speed\": \"8GT/s\"}}],"
	" \"switches\": [{\"name\": \"s\", \"vendor\": \"0x1000\","
	" \"device\": \"0xc030\", \"ports\": [{\"number\": 0,"
	" \"kind\": \"upstream\", \"link\": {\"width\": 16,"
	" \"speed\": \"16GT/s\"}, \"blade\": \"b\"}]}]}";

Test(sim_chassis, builds_from_a_string)
{
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(sim_chassis_from_string(&ch, minimal, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sim_chassis_power_on(ch, &err), 0, "%s", err.msg);
	cr_assert_eq(port_status(ch, 0, 0).width, 4);
	sim_chassis_free(ch);
}

Test(sim_chassis, string_errors_carry_no_file_name)
{
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };
	char doc[sizeof(minimal)];
	char *w;

	memcpy(doc, minimal, sizeof(minimal));
	w = strstr(doc, "\"width\": 4");
	w[9] = '3';
	cr_assert_eq(sim_chassis_from_string(&ch, doc, &err), -FM_ESCHEMA);
	cr_assert_str_eq(err.msg,
			 "blades[0].link.width: 3 is not one of [1, 2, 4, 8, "
			 "16]");
	cr_assert_null(ch);
}

Test(sim_chassis, missing_file_is_an_io_error_naming_it)
{
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(sim_chassis_load(&ch, "/nonexistent/c.json", &err),
		     -FM_EIO);
	cr_assert_not_null(strstr(err.msg, "/nonexistent/c.json"), "%s",
			   err.msg);
	cr_assert_eq(err.sys_errno, ENOENT);
	cr_assert_null(ch);
}

/*
 * Every bad file in tests/data, with the message after the file name
 * (which the loader puts first).  Add a file and a line here together.
 */
struct bad_case {
	char file[48];
	int code;
	char msg[200];
};

ParameterizedTestParameters(sim_chassis, bad_file_is_refused_with_message)
{
	static struct bad_case cases[] = {
		{ "bad-malformed.json", FM_EPARSE,
		  ":12:7: object value separator ',' expected" },
		{ "bad-link-width.json", FM_ESCHEMA,
		  ": blades[1].link.width: 3 is not one of [1, 2, 4, 8, 16]" },
		{ "bad-id-pattern.json", FM_ESCHEMA,
		  ": endpoints[0].vendor: \"0x15b\" does not match pattern "
		  "\"^0x[0-9A-Fa-f]{4}$\"" },
		{ "bad-total-vfs.json", FM_ESCHEMA,
		  ": endpoints[0].sriov.total_vfs: value 300 above maximum "
		  "256" },
		{ "bad-vf-stride-zero.json", FM_ESCHEMA,
		  ": endpoints[0].sriov.vf_stride: value 0 below minimum 1" },
		{ "bad-unknown-property.json", FM_ESCHEMA,
		  ": endpoints[0]: unknown property \"revison\"" },
		{ "bad-wrong-type.json", FM_ESCHEMA,
		  ": endpoints[0].sriov.total_vfs: expected integer, got "
		  "string \"8\"" },
		{ "bad-missing-required.json", FM_ESCHEMA,
		  ": blades[0]: missing required property \"link\"" },
		{ "bad-size-unit.json", FM_ESCHEMA,
		  ": endpoints[0].bars[0].size: \"32MB\" does not match "
		  "pattern \"^[1-9][0-9]{0,15}[KMGT]?$\"" },
		{ "bad-unknown-blade.json", FM_ENOENT,
		  ": switches[0].ports[1].blade: no blade named \"blade9\"" },
		{ "bad-double-cabling.json", FM_EEXIST,
		  ": switches[0].ports[1].blade: blade \"blade0\" is already "
		  "cabled to switches[0].ports[0]" },
		{ "bad-uncabled-blade.json", FM_ENOENT,
		  ": blades[1]: blade \"blade1\" is not cabled to any switch "
		  "port" },
		{ "bad-uncabled-endpoint.json", FM_ENOENT,
		  ": endpoints[1]: endpoint \"nic1\" is not cabled to any "
		  "switch port" },
		{ "bad-duplicate-name.json", FM_EEXIST,
		  ": endpoints[0].name: \"blade1\" is already the name of "
		  "blades[1]" },
		{ "bad-port-number-duplicate.json", FM_EEXIST,
		  ": switches[0].ports[2].number: port 1 is already described "
		  "by switches[0].ports[1]" },
		{ "bad-port-number-gap.json", FM_ERANGE,
		  ": switches[0].ports[2].number: 7 leaves a gap: the 3 ports "
		  "must be numbered 0..2" },
		{ "bad-port-kind-cable.json", FM_EINVAL,
		  ": switches[0].ports[2].blade: a downstream port cannot be "
		  "cabled to a blade" },
		{ "bad-peer-unknown-switch.json", FM_ENOENT,
		  ": switches[0].ports[3].peer.switch: no switch named "
		  "\"sw7\"" },
		{ "bad-fabric-asymmetric.json", FM_EINVAL,
		  ": switches[0].ports[3].peer: port 0 of \"sw1\" does not "
		  "name port 3 of \"sw0\" as its peer" },
		{ "bad-bar-size.json", FM_EINVAL,
		  ": endpoints[0].bars[0].size: 3000 is not a power of two" },
		{ "bad-bar-overlap.json", FM_EEXIST,
		  ": endpoints[0].bars[1].index: BAR 1 overlaps "
		  "endpoints[0].bars[0]" },
		{ "bad-bar64-at-5.json", FM_EINVAL,
		  ": endpoints[0].bars[0].index: a 64-bit BAR cannot start at "
		  "BAR 5" },
		{ "bad-bar32-too-large.json", FM_ERANGE,
		  ": endpoints[0].bars[0].size: 4294967296 bytes do not fit a "
		  "32-bit BAR (at most 2G); set \"mem64\"" },
		{ "bad-vf-buses.json", FM_ENOSPC,
		  ": endpoints[0].sriov: the VFs need buses 3..258 of switch "
		  "\"sw0\", beyond bus 255" },
		{ "bad-mmio-aperture.json", FM_ERANGE,
		  ": blades[0].mmio: 0xf0000000 + 0x20000000 runs past the "
		  "MSI window at 0xfee00000" },
	};

	return cr_make_param_array(struct bad_case, cases,
				   FM_ARRAY_SIZE(cases));
}

ParameterizedTest(struct bad_case *c, sim_chassis,
		  bad_file_is_refused_with_message)
{
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };
	char rel[96], path[512], want[768];
	int ret;

	snprintf(rel, sizeof(rel), "tests/data/%s", c->file);
	t_source_path(path, sizeof(path), rel);
	snprintf(want, sizeof(want), "%s%s", path, c->msg);
	ret = sim_chassis_load(&ch, path, &err);
	cr_assert_eq(ret, -c->code, "%s: got %d (%s)", c->file, ret, err.msg);
	cr_assert_eq(err.code, c->code);
	cr_assert_str_eq(err.msg, want);
	cr_assert_null(ch, "%s: something was built", c->file);
}
