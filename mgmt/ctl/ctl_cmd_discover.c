/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmd_discover.c - `discover`: the PCI functions of the machine this
 * runs on (read-only), or of a config space dump, through
 * fabric/discover.h (libpci: the same decoding for both).  Needs no
 * service.
 */
#include <getopt.h>
#include <stdio.h>

#include "fabric/discover.h"
#include "mgmt/ctl/ctl_int.h"

static const char *const header_names[] = {
	[0] = "endpoint",
	[1] = "bridge",
	[2] = "cardbus",
};

static const char *header_name(uint8_t type)
{
	return type < sizeof(header_names) / sizeof(header_names[0])
		       ? header_names[type]
		       : "unknown";
}

static void fn_print(const struct fab_discover_list *l,
		     const struct fab_discover_fn *f)
{
	char bdf[FAB_DISCOVER_BDF_STR_LEN], up[FAB_DISCOVER_BDF_STR_LEN];
	const struct fab_discover_sriov *s = &f->sriov;

	fab_discover_fn_format(bdf, f);
	printf("%s %04x:%04x class %06x %s", bdf, f->vendor, f->device,
	       f->class_code,
	       f->pcie ? fab_discover_port_type_name(f->port_type)
		       : "PCI (no PCIe cap)");
	if (f->pf >= 0)
		printf(", VF of %s",
		       fab_discover_fn_format(up, &l->fns[f->pf]));
	else if (f->parent >= 0)
		printf(", below %s",
		       fab_discover_fn_format(up, &l->fns[f->parent]));
	putchar('\n');
	/* a VF's link registers are reserved: its link is its PF's */
	if (f->link.present && f->pf < 0 && f->link.width)
		printf("    link: %s x%u (max %s x%u)%s\n",
		       fab_discover_link_speed_name(f->link.speed),
		       f->link.width,
		       fab_discover_link_speed_name(f->link.max_speed),
		       f->link.max_width,
		       f->link.dl_active ? ", DL active" : "");
	else if (f->link.present && f->pf < 0)
		printf("    link: down (max %s x%u)\n",
		       fab_discover_link_speed_name(f->link.max_speed),
		       f->link.max_width);
	if (f->header_type == 1)
		printf("    buses: primary %02x secondary %02x subordinate "
		       "%02x\n",
		       f->primary_bus, f->secondary_bus, f->subordinate_bus);
	if (f->slot.present)
		printf("    slot %u:%s%s%s\n", f->slot.number,
		       f->slot.hotplug ? " hot-plug" : " no hot-plug",
		       f->slot.attn_button ? ", attention button" : "",
		       f->slot.occupied ? ", occupied" : ", empty");
	if (s->present)
		printf("    SR-IOV: TotalVFs %u, NumVFs %u, InitialVFs %u, "
		       "First VF Offset %u, VF Stride %u, VF Device ID %04x, "
		       "VF Enable %s\n",
		       s->total_vfs, s->num_vfs, s->initial_vfs,
		       s->first_vf_offset, s->vf_stride, s->vf_device,
		       s->vf_enable ? "on" : "off");
}

static struct json_object *hex_new(unsigned v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%0*x", width, v);
	return json_object_new_string(buf);
}

static struct json_object *fn_json(const struct fab_discover_list *l,
				   const struct fab_discover_fn *f)
{
	struct json_object *o = json_object_new_object(), *x;
	char bdf[FAB_DISCOVER_BDF_STR_LEN];

	if (!o)
		return NULL;
	json_object_object_add(
		o, "Address",
		json_object_new_string(fab_discover_fn_format(bdf, f)));
	json_object_object_add(o, "VendorId", hex_new(f->vendor, 4));
	json_object_object_add(o, "DeviceId", hex_new(f->device, 4));
	json_object_object_add(o, "ClassCode", hex_new(f->class_code, 6));
	json_object_object_add(o, "Revision", hex_new(f->revision, 2));
	json_object_object_add(
		o, "HeaderType",
		json_object_new_string(header_name(f->header_type)));
	json_object_object_add(o, "PCIe", json_object_new_boolean(f->pcie));
	json_object_object_add(
		o, "PortType",
		f->pcie ? json_object_new_string(
				  fab_discover_port_type_name(f->port_type))
			: NULL);
	json_object_object_add(
		o, "Parent",
		f->parent >= 0 ? json_object_new_string(fab_discover_fn_format(
					 bdf, &l->fns[f->parent]))
			       : NULL);
	json_object_object_add(
		o, "PhysicalFunction",
		f->pf >= 0 ? json_object_new_string(fab_discover_fn_format(
				     bdf, &l->fns[f->pf]))
			   : NULL);
	if (f->link.present) {
		x = json_object_new_object();
		json_object_object_add(
			x, "Speed",
			json_object_new_string(
				fab_discover_link_speed_name(f->link.speed)));
		json_object_object_add(x, "Width",
				       json_object_new_int(f->link.width));
		json_object_object_add(
			x, "MaxSpeed",
			json_object_new_string(fab_discover_link_speed_name(
				f->link.max_speed)));
		json_object_object_add(x, "MaxWidth",
				       json_object_new_int(f->link.max_width));
		json_object_object_add(
			x, "DataLinkActive",
			json_object_new_boolean(f->link.dl_active));
		json_object_object_add(o, "Link", x);
	}
	if (f->slot.present) {
		x = json_object_new_object();
		json_object_object_add(x, "Number",
				       json_object_new_int(f->slot.number));
		json_object_object_add(
			x, "HotPlug", json_object_new_boolean(f->slot.hotplug));
		json_object_object_add(
			x, "Occupied",
			json_object_new_boolean(f->slot.occupied));
		json_object_object_add(o, "Slot", x);
	}
	if (f->sriov.present) {
		x = json_object_new_object();
		json_object_object_add(x, "TotalVFs",
				       json_object_new_int(f->sriov.total_vfs));
		json_object_object_add(x, "NumVFs",
				       json_object_new_int(f->sriov.num_vfs));
		json_object_object_add(
			x, "InitialVFs",
			json_object_new_int(f->sriov.initial_vfs));
		json_object_object_add(
			x, "FirstVFOffset",
			json_object_new_int(f->sriov.first_vf_offset));
		json_object_object_add(x, "VFStride",
				       json_object_new_int(f->sriov.vf_stride));
		json_object_object_add(x, "VFDeviceId",
				       hex_new(f->sriov.vf_device, 4));
		json_object_object_add(
			x, "VFEnable",
			json_object_new_boolean(f->sriov.vf_enable));
		json_object_object_add(o, "SRIOV", x);
	}
	return o;
}

static int discover_run(struct ctl *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dump", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fab_discover_list l = { 0 };
	struct json_object *out = NULL, *arr;
	struct fm_err err = { 0 };
	const char *dump = NULL;
	size_t i;
	int ch, ret;

	optind = 0;
	opterr = 0;
	for (;;) {
		ch = getopt_long(argc, argv, ":h", longopts, NULL);
		if (ch == -1)
			break;
		if (ch == 'd')
			dump = optarg;
		else if (ch == 'h')
			return ctl_cmd_help(&ctl_cmd_discover);
		else
			return ctl_opt_error(&ctl_cmd_discover, ch, argv);
	}
	ret = ctl_opt_no_args(&ctl_cmd_discover, argc, argv);
	if (ret >= 0)
		return ret;
	ret = dump ? fab_discover_scan_dump(&l, dump, &err)
		   : fab_discover_scan_host(&l, &err);
	if (ret < 0) {
		fprintf(stderr, CTL_PROG ": discover: %s\n", err.msg);
		/* a file that is not there is a usage error of this command */
		return ret == -FM_ENOENT || ret == -FM_EINVAL ? CTL_EXIT_USAGE
							      : CTL_EXIT_SERVER;
	}
	if (c->opts.json) {
		out = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(out, "Method",
				       json_object_new_string(l.method));
		json_object_object_add(out, "Note",
				       json_object_new_string(l.note));
		for (i = 0; i < l.count; i++)
			json_object_array_add(arr, fn_json(&l, &l.fns[i]));
		json_object_object_add(out, "Functions", arr);
		ctl_print_json(out);
		json_object_put(out);
		goto out;
	}
	printf("%zu PCI function%s (libpci method %s%s%s)\n", l.count,
	       l.count == 1 ? "" : "s", l.method[0] ? l.method : "none",
	       l.note[0] ? ": " : "", l.note);
	for (i = 0; i < l.count; i++)
		fn_print(&l, &l.fns[i]);
out:
	fab_discover_list_fini(&l);
	return CTL_EXIT_OK;
}

const struct ctl_cmd ctl_cmd_discover = {
	.name = "discover",
	.summary = "PCI functions of this machine or of a dump",
	.fn = discover_run,
	.network = false,
	.usage = "discover [--dump FILE]",
	.help = "List PCI functions through libpci, read-only: those of this\n"
		"machine, or with --dump those of a config space dump in\n"
		"`lspci -xxx`/`-xxxx` format (e.g. from `mrfabric-sim\n"
		"--chassis CHASSIS.json --dump fabric`): address, "
		"vendor:device,\n"
		"class, PCIe port type, parent bridge or PF, link speed and\n"
		"width, slot, and each SR-IOV capability (TotalVFs, NumVFs,\n"
		"First VF Offset, VF Stride, VF Device ID).  Needs no "
		"service.\n"
		"A machine without visible PCI (a container) lists nothing "
		"and\n"
		"says why.  A missing dump file exits 1, an unreadable one 7.\n"
		"With --json: {\"Method\", \"Note\", \"Functions\": [...]}.\n",
};
