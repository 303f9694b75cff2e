/* SPDX-License-Identifier: MIT */
/*
 * Tests for fabric/discover.c: libpci discovery over shipped lspci dumps
 * (tests/data/lspci-*.txt, written by mrfabric-sim from
 * examples/chassis-small.json), over dumps the simulator writes while the
 * test runs, and over the machine the test runs on (read-only).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <errno.h>
#include <json-c/json.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fabric/discover.h"
#include "sim/sim.h"
#include "tests/support/support.h"

extern char **environ;

/* ------------------------------------------------------------------ */
/* Helpers */

static void scan_data(struct fab_discover_list *l, const char *rel)
{
	char path[512];
	struct fm_err err = { 0 };
	int ret;

	ret = fab_discover_scan_dump(l, t_source_path(path, sizeof(path), rel),
				     &err);
	cr_assert_eq(ret, 0, "%s: %s", rel, err.msg);
}

/* The function at "dddd:bb:dd.f", which must be in @l. */
static const struct fab_discover_fn *fn_at(const struct fab_discover_list *l,
					   const char *bdf)
{
	unsigned domain, bus, dev, func;
	const struct fab_discover_fn *fn;

	cr_assert_eq(sscanf(bdf, "%x:%x:%x.%u", &domain, &bus, &dev, &func), 4);
	fn = fab_discover_list_find(l, domain, (uint8_t)bus, (uint8_t)dev,
				    (uint8_t)func);
	cr_assert_not_null(fn, "%s not discovered", bdf);
	return fn;
}

static int index_of(const struct fab_discover_list *l, const char *bdf)
{
	return (int)(fn_at(l, bdf) - l->fns);
}

/* A temporary file holding @text; the caller unlinks it. */
static void write_temp(char path[64], const char *text, size_t len)
{
	int fd;

	snprintf(path, 64, "/tmp/mrfabric-discover-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Scan @text as a dump file; returns the scan's result. */
static int scan_text(struct fab_discover_list *l, struct fm_err *err,
		     char path[64], const char *text, size_t len)
{
	int ret;

	write_temp(path, text, len);
	ret = fab_discover_scan_dump(l, path, err);
	unlink(path);
	return ret;
}

/* Run mrfabric-sim with @args (NULL-terminated), output into @out. */
static void run_sim(const char *out, const char *const *args)
{
	char bin[512], chassis[512];
	char *argv[16];
	unsigned n = 0;
	pid_t pid;
	int ws;

	t_binary_path(bin, sizeof(bin), "mrfabric-sim");
	t_source_path(chassis, sizeof(chassis), "examples/chassis-small.json");
	cr_assert(access(bin, X_OK) == 0, "%s is not built", bin);
	argv[n++] = bin;
	argv[n++] = "--quiet";
	argv[n++] = "--chassis";
	argv[n++] = chassis;
	argv[n++] = "--output";
	argv[n++] = (char *)out;
	while (*args && n < FM_ARRAY_SIZE(argv) - 1)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	cr_assert_eq(posix_spawn(&pid, bin, NULL, NULL, argv, environ), 0);
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0,
		  "mrfabric-sim failed (status %d)", ws);
}

/* Scan what mrfabric-sim @args writes. */
static void scan_sim(struct fab_discover_list *l, const char *const *args)
{
	char path[64];
	struct fm_err err = { 0 };
	int ret;

	write_temp(path, "", 0);
	run_sim(path, args);
	ret = fab_discover_scan_dump(l, path, &err);
	unlink(path);
	cr_assert_eq(ret, 0, "%s", err.msg);
}

/* A number of examples/chassis-small.json's first endpoint, by path. */
static unsigned long chassis_ep_value(const char *sub, const char *key)
{
	char path[512];
	struct json_object *doc, *eps, *o;
	unsigned long v;

	doc = json_object_from_file(t_source_path(
		path, sizeof(path), "examples/chassis-small.json"));
	cr_assert_not_null(doc);
	cr_assert(json_object_object_get_ex(doc, "endpoints", &eps));
	o = json_object_array_get_idx(eps, 0);
	if (sub)
		cr_assert(json_object_object_get_ex(o, sub, &o));
	cr_assert(json_object_object_get_ex(o, key, &o), "%s", key);
	if (json_object_is_type(o, json_type_int))
		v = (unsigned long)json_object_get_int64(o);
	else
		v = strtoul(json_object_get_string(o), NULL, 0);
	json_object_put(doc);
	return v;
}

/* Append one function's @cfg (@len bytes) to @out in lspci -xxxx form. */
static void put_fn(FILE *out, const char *bdf, const uint8_t *cfg, unsigned len)
{
	unsigned off, i;

	fprintf(out, "%s 0000: %02x%02x:%02x%02x\n", bdf, cfg[1], cfg[0],
		cfg[3], cfg[2]);
	for (off = 0; off < len; off += 16) {
		fprintf(out, "%02x:", off);
		for (i = 0; i < 16; i++)
			fprintf(out, " %02x", cfg[off + i]);
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void put16(uint8_t *cfg, unsigned off, uint16_t v)
{
	cfg[off] = (uint8_t)v;
	cfg[off + 1] = (uint8_t)(v >> 8);
}

/*
 * A config image with a PCI Express Capability at 0x40 of @type, and,
 * when @num_vfs, an SR-IOV capability at 0x100 with VF Enable set.
 */
static void make_fn(uint8_t cfg[4096], uint16_t device, uint8_t type,
		    uint16_t num_vfs, uint16_t first_vf_offset)
{
	memset(cfg, 0, 4096);
	put16(cfg, PCI_VENDOR_ID, 0x1234);
	put16(cfg, PCI_DEVICE_ID, device);
	put16(cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	cfg[PCI_CAPABILITY_LIST] = 0x40;
	cfg[0x40 + PCI_CAP_LIST_ID] = PCI_CAP_ID_EXP;
	put16(cfg, 0x40 + PCI_EXP_FLAGS,
	      (uint16_t)(2 | FM_FIELD_PREP(PCI_EXP_FLAGS_TYPE, type)));
	if (type == PCI_EXP_TYPE_DOWNSTREAM) {
		cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_BRIDGE;
		cfg[PCI_SECONDARY_BUS] = 3;
		cfg[PCI_SUBORDINATE_BUS] = 4;
	}
	if (!num_vfs)
		return;
	put16(cfg, 0x100, PCI_EXT_CAP_ID_SRIOV);
	cfg[0x102] = 1; /* version 1, no next capability */
	put16(cfg, 0x100 + PCI_IOV_CTRL, PCI_IOV_CTRL_VFE);
	put16(cfg, 0x100 + PCI_IOV_TOTALVF, num_vfs);
	put16(cfg, 0x100 + PCI_IOV_NUMVF, num_vfs);
	put16(cfg, 0x100 + PCI_IOV_OFFSET, first_vf_offset);
	put16(cfg, 0x100 + PCI_IOV_STRIDE, 1);
	put16(cfg, 0x100 + PCI_IOV_DID, 0x5678);
}

/* ------------------------------------------------------------------ */
/* (a) shipped dump of the physical fabric (switch management view) */

#define FABRIC_DUMP "tests/data/lspci-small-fabric.txt"
#define BLADE_DUMP "tests/data/lspci-small-blade0.txt"

Test(fabric_discover, fabric_dump_lists_ports_pf_and_enabled_vfs)
{
	struct fab_discover_list l;
	char bdf[FAB_DISCOVER_BDF_STR_LEN];

	scan_data(&l, FABRIC_DUMP);
	cr_assert_str_eq(l.method, "dump");
	/* 4 switch ports, the PF, its 8 VFs; sorted by address */
	cr_assert_eq(l.count, 13);
	cr_assert_str_eq(fab_discover_fn_format(bdf, &l.fns[0]),
			 "0000:00:00.0");
	cr_assert_str_eq(fab_discover_fn_format(bdf, &l.fns[4]),
			 "0000:03:00.0");
	cr_assert_str_eq(fab_discover_fn_format(bdf, &l.fns[12]),
			 "0000:03:01.0");
	fab_discover_list_fini(&l);
}

Test(fabric_discover, fabric_dump_names_switch_port_types)
{
	struct fab_discover_list l;

	scan_data(&l, FABRIC_DUMP);
	cr_assert_str_eq(fab_discover_port_type_name(
				 fn_at(&l, "0000:00:00.0")->port_type),
			 "Upstream Port");
	cr_assert_str_eq(fab_discover_port_type_name(
				 fn_at(&l, "0000:00:01.0")->port_type),
			 "Upstream Port");
	cr_assert_str_eq(fab_discover_port_type_name(
				 fn_at(&l, "0000:00:02.0")->port_type),
			 "Downstream Port");
	cr_assert_str_eq(fab_discover_port_type_name(
				 fn_at(&l, "0000:00:03.0")->port_type),
			 "Downstream Port");
	cr_assert_str_eq(fab_discover_port_type_name(
				 fn_at(&l, "0000:03:00.0")->port_type),
			 "Endpoint");
	fab_discover_list_fini(&l);
}

Test(fabric_discover, fabric_dump_reports_identity_and_header_type)
{
	struct fab_discover_list l;
	const struct fab_discover_fn *port, *pf;

	scan_data(&l, FABRIC_DUMP);
	port = fn_at(&l, "0000:00:02.0");
	cr_assert_eq(port->vendor, 0x1000);
	cr_assert_eq(port->device, 0xc030);
	cr_assert_eq(port->class_code, 0x060400);
	cr_assert_eq(port->header_type, PCI_HEADER_TYPE_BRIDGE);
	cr_assert_eq(port->secondary_bus, 3);
	cr_assert_eq(port->subordinate_bus, 3);
	pf = fn_at(&l, "0000:03:00.0");
	cr_assert_eq(pf->vendor, 0x15b3);
	cr_assert_eq(pf->device, 0x101d);
	cr_assert_eq(pf->class_code, 0x020000);
	cr_assert_eq(pf->header_type, PCI_HEADER_TYPE_NORMAL);
	/* VFs do not make a PF multi-function: scanning never finds them */
	cr_assert_not(pf->multifunction);
	fab_discover_list_fini(&l);
}

Test(fabric_discover, fabric_dump_reports_pf_sriov_capability)
{
	struct fab_discover_list l;
	const struct fab_discover_sriov *iov;

	scan_data(&l, FABRIC_DUMP);
	iov = &fn_at(&l, "0000:03:00.0")->sriov;
	cr_assert(iov->present);
	cr_assert_eq(iov->offset, 0x140);
	cr_assert(iov->vf_enable);
	cr_assert_eq(iov->total_vfs, 8);
	cr_assert_eq(iov->num_vfs, 8);
	cr_assert_eq(iov->first_vf_offset, 1);
	cr_assert_eq(iov->vf_stride, 1);
	cr_assert_eq(iov->vf_device, 0x101e);
	cr_assert_not(fn_at(&l, "0000:00:02.0")->sriov.present);
	fab_discover_list_fini(&l);
}

Test(fabric_discover, fabric_dump_links_each_vf_to_its_pf)
{
	static const char *const vfs[] = {
		"0000:03:00.1", "0000:03:00.2", "0000:03:00.3", "0000:03:00.4",
		"0000:03:00.5", "0000:03:00.6", "0000:03:00.7", "0000:03:01.0",
	};
	struct fab_discover_list l;
	int pf;
	size_t i;

	scan_data(&l, FABRIC_DUMP);
	pf = index_of(&l, "0000:03:00.0");
	cr_assert_eq(l.fns[pf].pf, -1);
	for (i = 0; i < FM_ARRAY_SIZE(vfs); i++) {
		const struct fab_discover_fn *vf = fn_at(&l, vfs[i]);

		cr_assert_eq(vf->pf, pf, "%s", vfs[i]);
		cr_assert_eq(vf->vendor, 0x15b3);
		cr_assert_eq(vf->device, 0x101e);
		cr_assert_not(vf->sriov.present);
	}
	fab_discover_list_fini(&l);
}

Test(fabric_discover, fabric_dump_places_pf_and_vfs_below_their_port)
{
	struct fab_discover_list l;
	int port;
	size_t i;

	scan_data(&l, FABRIC_DUMP);
	port = index_of(&l, "0000:00:02.0");
	for (i = 0; i < l.count; i++) {
		const struct fab_discover_fn *fn = &l.fns[i];

		if (fn->bus == 0)
			cr_assert_eq(fn->parent, -1, "port %zu", i);
		else
			cr_assert_eq(fn->parent, port, "function %zu", i);
	}
	fab_discover_list_fini(&l);
}

Test(fabric_discover, fabric_dump_reports_trained_link_width_and_speed)
{
	struct fab_discover_list l;
	const struct fab_discover_link *link;

	scan_data(&l, FABRIC_DUMP);
	/* chassis-small.json: port 2 x16 32GT/s to a x16 16GT/s NIC */
	link = &fn_at(&l, "0000:00:02.0")->link;
	cr_assert(link->present);
	cr_assert_eq(link->port, 2);
	cr_assert_str_eq(fab_discover_link_speed_name(link->max_speed),
			 "32GT/s");
	cr_assert_eq(link->max_width, 16);
	cr_assert_str_eq(fab_discover_link_speed_name(link->speed), "16GT/s");
	cr_assert_eq(link->width, 16);
	cr_assert(link->dl_active);
	link = &fn_at(&l, "0000:03:00.0")->link;
	cr_assert_str_eq(fab_discover_link_speed_name(link->max_speed),
			 "16GT/s");
	cr_assert_eq(link->width, 16);
	fab_discover_list_fini(&l);
}

Test(fabric_discover, fabric_dump_reports_empty_port_link_down)
{
	struct fab_discover_list l;
	const struct fab_discover_fn *port;

	scan_data(&l, FABRIC_DUMP);
	/* chassis-small.json: port 3 x4, nothing cabled */
	port = fn_at(&l, "0000:00:03.0");
	cr_assert_eq(port->link.max_width, 4);
	cr_assert_eq(port->link.width, 0);
	cr_assert_not(port->link.dl_active);
	cr_assert(port->slot.present);
	cr_assert_not(port->slot.occupied);
	fab_discover_list_fini(&l);
}

Test(fabric_discover, fabric_dump_physical_slots_are_not_hotplug)
{
	struct fab_discover_list l;
	const struct fab_discover_slot *slot;

	scan_data(&l, FABRIC_DUMP);
	slot = &fn_at(&l, "0000:00:02.0")->slot;
	cr_assert(slot->present);
	cr_assert_eq(slot->number, 2);
	cr_assert(slot->occupied);
	cr_assert_not(slot->hotplug);
	cr_assert_not(fn_at(&l, "0000:00:00.0")->slot.present);
	fab_discover_list_fini(&l);
}

Test(fabric_discover, lspci_verbose_dump_reads_like_plain_dump)
{
	struct fab_discover_list plain, verbose;
	size_t i;

	scan_data(&plain, FABRIC_DUMP);
	scan_data(&verbose, "tests/data/lspci-small-fabric-vvv.txt");
	cr_assert_eq(verbose.count, plain.count);
	for (i = 0; i < plain.count; i++)
		cr_assert_eq(memcmp(&verbose.fns[i], &plain.fns[i],
				    sizeof(plain.fns[i])),
			     0, "function %zu differs", i);
	fab_discover_list_fini(&plain);
	fab_discover_list_fini(&verbose);
}

/* First VF Offset 0x100 puts the VFs on the bus above the PF's. */
Test(fabric_discover, vf_on_next_bus_is_linked_to_pf_and_its_port)
{
	static uint8_t cfg[4096];
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char path[64], *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	const struct fab_discover_fn *vf;
	int ret;

	cr_assert_not_null(out);
	make_fn(cfg, 0x0001, PCI_EXP_TYPE_DOWNSTREAM, 0, 0);
	put_fn(out, "0000:00:02.0", cfg, 4096);
	make_fn(cfg, 0x0002, PCI_EXP_TYPE_ENDPOINT, 2, 0x100);
	put_fn(out, "0000:03:00.0", cfg, 4096);
	make_fn(cfg, 0x5678, PCI_EXP_TYPE_ENDPOINT, 0, 0);
	put_fn(out, "0000:04:00.0", cfg, 4096);
	put_fn(out, "0000:04:00.1", cfg, 4096);
	fclose(out);
	ret = scan_text(&l, &err, path, text, len);
	free(text);
	cr_assert_eq(ret, 0, "%s", err.msg);
	cr_assert_eq(l.count, 4);
	vf = fn_at(&l, "0000:04:00.1");
	cr_assert_eq(vf->pf, index_of(&l, "0000:03:00.0"));
	cr_assert_eq(vf->parent, index_of(&l, "0000:00:02.0"));
	cr_assert_eq(fn_at(&l, "0000:04:00.0")->pf, vf->pf);
	fab_discover_list_fini(&l);
}

/* ------------------------------------------------------------------ */
/* (a) shipped dump of what blade 0 sees with VF 03:00.1 bound to it */

Test(fabric_discover, blade_dump_shows_root_port_over_switch_upstream_port)
{
	struct fab_discover_list l;
	const struct fab_discover_fn *rp, *up;

	scan_data(&l, BLADE_DUMP);
	cr_assert_eq(l.count, 12);
	rp = fn_at(&l, "0000:00:01.0");
	cr_assert_str_eq(fab_discover_port_type_name(rp->port_type),
			 "Root Port");
	cr_assert_eq(rp->parent, -1);
	cr_assert_not(rp->slot.present);
	up = fn_at(&l, "0000:01:00.0");
	cr_assert_str_eq(fab_discover_port_type_name(up->port_type),
			 "Upstream Port");
	cr_assert_eq(up->parent, index_of(&l, "0000:00:01.0"));
	cr_assert_eq(up->link.width, 16);
	cr_assert_str_eq(fab_discover_link_speed_name(up->link.speed),
			 "16GT/s");
	fab_discover_list_fini(&l);
}

Test(fabric_discover, blade_dump_host_bridge_is_conventional_pci)
{
	struct fab_discover_list l;
	const struct fab_discover_fn *hb;

	scan_data(&l, BLADE_DUMP);
	hb = fn_at(&l, "0000:00:00.0");
	cr_assert_eq(hb->class_code, 0x060000);
	cr_assert_not(hb->pcie);
	cr_assert_eq(hb->port_type, FAB_PCI_EXP_TYPE_UNKNOWN);
	cr_assert_not(hb->link.present);
	cr_assert_str_eq(fab_discover_port_type_name(hb->port_type), "Unknown");
	fab_discover_list_fini(&l);
}

Test(fabric_discover, blade_dump_vppbs_are_hotplug_slots)
{
	struct fab_discover_list l;
	int up;
	unsigned d;

	scan_data(&l, BLADE_DUMP);
	up = index_of(&l, "0000:01:00.0");
	for (d = 0; d < 8; d++) {
		char bdf[16];
		const struct fab_discover_fn *p;

		snprintf(bdf, sizeof(bdf), "0000:02:%02x.0", d);
		p = fn_at(&l, bdf);
		cr_assert_eq(p->port_type, PCI_EXP_TYPE_DOWNSTREAM, "%s", bdf);
		cr_assert_eq(p->parent, up, "%s", bdf);
		cr_assert(p->slot.present, "%s", bdf);
		cr_assert(p->slot.hotplug, "%s", bdf);
		cr_assert(p->slot.attn_button, "%s", bdf);
		cr_assert(p->slot.power_ctrl, "%s", bdf);
		cr_assert(p->slot.attn_indicator, "%s", bdf);
		cr_assert(p->slot.power_indicator, "%s", bdf);
		cr_assert_not(p->slot.surprise, "%s", bdf);
		cr_assert_eq(p->slot.number, d + 1, "%s", bdf);
		cr_assert_eq(p->slot.occupied, d == 0, "%s", bdf);
	}
	fab_discover_list_fini(&l);
}

Test(fabric_discover, blade_dump_bound_vf_is_an_endpoint_below_its_vppb)
{
	struct fab_discover_list l;
	const struct fab_discover_fn *vf;

	scan_data(&l, BLADE_DUMP);
	vf = fn_at(&l, "0000:03:00.0");
	cr_assert_eq(vf->vendor, 0x15b3);
	cr_assert_eq(vf->device, 0x101e);
	cr_assert_eq(vf->port_type, PCI_EXP_TYPE_ENDPOINT);
	cr_assert_eq(vf->parent, index_of(&l, "0000:02:00.0"));
	/* the blade sees the VF alone: no PF, no SR-IOV capability */
	cr_assert_eq(vf->pf, -1);
	cr_assert_not(vf->sriov.present);
	fab_discover_list_fini(&l);
}

/* ------------------------------------------------------------------ */
/* (b) dumps the simulator writes now: the same code path as hardware */

Test(fabric_discover, sim_fabric_dump_matches_chassis_file)
{
	static const char *const args[] = { "--dump", "fabric", NULL };
	unsigned long total = chassis_ep_value("sriov", "total_vfs");
	struct fab_discover_list l;
	const struct fab_discover_fn *pf;
	unsigned vfs = 0;
	size_t i;
	int ipf;

	scan_sim(&l, args);
	pf = fn_at(&l, "0000:03:00.0");
	ipf = (int)(pf - l.fns);
	cr_assert_eq(pf->vendor, chassis_ep_value(NULL, "vendor"));
	cr_assert_eq(pf->device, chassis_ep_value(NULL, "device"));
	cr_assert_eq(pf->class_code, chassis_ep_value(NULL, "class"));
	cr_assert_eq(pf->sriov.total_vfs, total);
	/* the switch firmware enables every VF at power-on */
	cr_assert_eq(pf->sriov.num_vfs, total);
	cr_assert_eq(pf->sriov.first_vf_offset,
		     chassis_ep_value("sriov", "first_vf_offset"));
	cr_assert_eq(pf->sriov.vf_stride,
		     chassis_ep_value("sriov", "vf_stride"));
	cr_assert_eq(pf->sriov.vf_device,
		     chassis_ep_value("sriov", "vf_device"));
	for (i = 0; i < l.count; i++) {
		if (l.fns[i].pf != ipf)
			continue;
		vfs++;
		cr_assert_eq(l.fns[i].device, pf->sriov.vf_device);
	}
	cr_assert_eq(vfs, total);
	fab_discover_list_fini(&l);
}

Test(fabric_discover, sim_blade_dump_shows_bound_vf_behind_hotplug_slot)
{
	static const char *const args[] = { "--bind", "0000:03:00.4=host:1",
					    "--dump", "host:1", NULL };
	struct fab_discover_list l;
	const struct fab_discover_fn *vf, *vppb, *up, *rp;

	scan_sim(&l, args);
	vf = fn_at(&l, "0000:03:00.0");
	cr_assert_eq(vf->device, chassis_ep_value("sriov", "vf_device"));
	cr_assert_geq(vf->parent, 0);
	vppb = &l.fns[vf->parent];
	cr_assert_eq(vppb->port_type, PCI_EXP_TYPE_DOWNSTREAM);
	cr_assert(vppb->slot.hotplug);
	cr_assert(vppb->slot.occupied);
	cr_assert_geq(vppb->parent, 0);
	up = &l.fns[vppb->parent];
	cr_assert_eq(up->port_type, PCI_EXP_TYPE_UPSTREAM);
	cr_assert_geq(up->parent, 0);
	rp = &l.fns[up->parent];
	cr_assert_eq(rp->port_type, PCI_EXP_TYPE_ROOT_PORT);
	cr_assert_eq(rp->parent, -1);
	fab_discover_list_fini(&l);
}

/* Without the switch firmware nobody sets VF Enable: the PF is alone. */
Test(fabric_discover, in_process_fabric_dump_without_firmware_has_no_vfs)
{
	struct sim_chassis *ch = NULL;
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char chassis[512], path[64];
	const struct fab_discover_fn *pf;
	FILE *out;
	int ret;

	fm_log_set_level(FM_LOG_WARN);
	cr_assert_eq(sim_chassis_load(&ch,
				      t_source_path(chassis, sizeof(chassis),
						    "examples/"
						    "chassis-small.json"),
				      &err),
		     0, "%s", err.msg);
	cr_assert_eq(sim_chassis_power_on(ch, &err), 0, "%s", err.msg);
	write_temp(path, "", 0);
	out = fopen(path, "w");
	cr_assert_not_null(out);
	cr_assert_eq(sim_chassis_dump_fabric(ch, out, &err), 0, "%s", err.msg);
	fclose(out);
	sim_chassis_free(ch);
	ret = fab_discover_scan_dump(&l, path, &err);
	unlink(path);
	cr_assert_eq(ret, 0, "%s", err.msg);
	cr_assert_eq(l.count, 5);
	pf = fn_at(&l, "0000:03:00.0");
	cr_assert(pf->sriov.present);
	cr_assert_eq(pf->sriov.total_vfs, 8);
	cr_assert_not(pf->sriov.vf_enable);
	cr_assert_eq(pf->sriov.num_vfs, 0);
	fab_discover_list_fini(&l);
}

/* ------------------------------------------------------------------ */
/* (c) the machine the test runs on, read-only */

Test(fabric_discover, host_scan_returns_cleanly)
{
	struct fab_discover_list l;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_discover_scan_host(&l, &err), 0, "%s", err.msg);
	cr_assert_eq(err.code, 0);
	/* a container may expose no PCI at all; then the list is empty */
	if (l.count) {
		cr_assert_str_neq(l.method, "");
		cr_assert_str_eq(l.note, "");
	}
	fab_discover_list_fini(&l);
}

/*
 * A container without PCI: hide /sys and /proc/bus/pci in a private mount
 * namespace of this test's own process (Criterion runs each test in one),
 * so that libpci finds no method or one that cannot list.  Needs the right
 * to create a mount namespace; skipped without it.
 */
Test(fabric_discover, host_without_visible_pci_gives_empty_list)
{
	struct fab_discover_list l;
	struct fm_err err = { 0 };

	if (unshare(CLONE_NEWNS) != 0)
		cr_skip_test("no mount namespace: %s", strerror(errno));
	/* private first: nothing mounted below may leave this process */
	cr_assert_eq(mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL), 0,
		     "%s", strerror(errno));
	if (mount("none", "/sys", "tmpfs", 0, NULL) != 0)
		cr_skip_test("cannot hide /sys: %s", strerror(errno));
	if (access("/proc/bus/pci", F_OK) == 0)
		cr_assert_eq(mount("none", "/proc/bus/pci", "tmpfs", 0, NULL),
			     0, "%s", strerror(errno));
	cr_assert_eq(fab_discover_scan_host(&l, &err), 0, "%s", err.msg);
	cr_assert_eq(l.count, 0);
	cr_assert_null(l.fns);
	cr_assert_str_eq(l.method, "");
	cr_assert_eq(strncmp(l.note, "libpci: ", 8), 0, "%s", l.note);
	fab_discover_list_fini(&l);
}

/* ------------------------------------------------------------------ */
/* Bad input: a clear error, an empty list, the process still running */

Test(fabric_discover, missing_dump_file_error_names_path)
{
	struct fab_discover_list l;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_discover_scan_dump(&l, "/nonexistent/dump.txt", &err),
		     -FM_ENOENT);
	cr_assert_str_eq(err.msg, "dump /nonexistent/dump.txt: cannot open: "
				  "No such file or directory");
	cr_assert_eq(l.count, 0);
	cr_assert_null(l.fns);
}

Test(fabric_discover, text_that_is_not_a_dump_is_a_parse_error)
{
	static const char text[] = "{\"name\": \"small\"}\nhello world\n";
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char path[64], want[256];

	cr_assert_eq(scan_text(&l, &err, path, text, sizeof(text) - 1),
		     -FM_EPARSE);
	snprintf(want, sizeof(want),
		 "dump %s: no PCI function in it: not an lspci -x dump (no "
		 "\"dddd:bb:dd.f\" line)",
		 path);
	cr_assert_str_eq(err.msg, want);
	cr_assert_eq(l.count, 0);
}

Test(fabric_discover, empty_file_is_a_parse_error)
{
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char path[64];

	cr_assert_eq(scan_text(&l, &err, path, "", 0), -FM_EPARSE);
	cr_assert_not_null(strstr(err.msg, path));
	cr_assert_not_null(strstr(err.msg, "no PCI function"));
}

Test(fabric_discover, binary_garbage_is_a_parse_error)
{
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char path[64], want[256], junk[1024];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(0x80 | (i * 37));
	cr_assert_eq(scan_text(&l, &err, path, junk, sizeof(junk)), -FM_EPARSE);
	snprintf(want, sizeof(want), "dump %s: line too long or unterminated",
		 path);
	cr_assert_str_eq(err.msg, want);
	cr_assert_eq(l.count, 0);
}

Test(fabric_discover, malformed_hex_line_is_a_parse_error)
{
	static const char text[] = "0000:00:00.0 0604: 1000:c030\n"
				   "00: 00 10 zz c0\n";
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char path[64], want[256];

	cr_assert_eq(scan_text(&l, &err, path, text, sizeof(text) - 1),
		     -FM_EPARSE);
	snprintf(want, sizeof(want), "dump %s: Malformed line", path);
	cr_assert_str_eq(err.msg, want);
}

Test(fabric_discover, function_cut_short_is_a_parse_error)
{
	static const char text[] =
		"0000:00:01.0 0604: 1000:c030\n"
		"00: 00 10 30 c0 00 00 10 00 00 00 04 06 00 00 01 00\n"
		"10: 00 00 00 00 00 00 00 00 00 01 01 00 00 00 00 00\n";
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char path[64], want[256];

	cr_assert_eq(scan_text(&l, &err, path, text, sizeof(text) - 1),
		     -FM_EPARSE);
	snprintf(want, sizeof(want),
		 "dump %s: function 0000:00:01.0 has less than the 64-byte "
		 "config header",
		 path);
	cr_assert_str_eq(err.msg, want);
	cr_assert_eq(l.count, 0);
	cr_assert_null(l.fns);
}

Test(fabric_discover, header_only_dump_lists_conventional_function)
{
	static const char text[] =
		"00:05.0 0200: 8086:10d3\n"
		"00: 86 80 d3 10 00 00 00 00 00 00 00 02 00 00 00 00\n"
		"10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		"20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n";
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char path[64];
	const struct fab_discover_fn *fn;

	cr_assert_eq(scan_text(&l, &err, path, text, sizeof(text) - 1), 0, "%s",
		     err.msg);
	cr_assert_eq(l.count, 1);
	fn = fn_at(&l, "0000:00:05.0");
	cr_assert_eq(fn->vendor, 0x8086);
	cr_assert_eq(fn->device, 0x10d3);
	cr_assert_eq(fn->class_code, 0x020000);
	cr_assert_not(fn->pcie);
	cr_assert_not(fn->sriov.present);
	fab_discover_list_fini(&l);
}

Test(fabric_discover, directory_is_not_a_dump)
{
	struct fab_discover_list l;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_discover_scan_dump(&l, "/tmp", &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg, "dump /tmp: is a directory, not a dump file");
}

Test(fabric_discover, missing_file_name_is_rejected)
{
	struct fab_discover_list l;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_discover_scan_dump(&l, NULL, &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg, "dump: no file name given");
	fm_err_clear(&err);
	cr_assert_eq(fab_discover_scan_dump(&l, "", &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg, "dump: no file name given");
}

Test(fabric_discover, scan_after_libpci_error_succeeds)
{
	static const char text[] = "0000:00:00.0 0604: 1000:c030\n"
				   "00: zz\n";
	struct fab_discover_list l;
	struct fm_err err = { 0 };
	char path[64];

	cr_assert_eq(scan_text(&l, &err, path, text, sizeof(text) - 1),
		     -FM_EPARSE);
	scan_data(&l, FABRIC_DUMP);
	cr_assert_eq(l.count, 13);
	fab_discover_list_fini(&l);
}

/* ------------------------------------------------------------------ */
/* Names and lookups */

struct type_name {
	uint8_t type;
	char name[40];
};

ParameterizedTestParameters(fabric_discover, port_type_names_match_lspci)
{
	static struct type_name cases[] = {
		{ PCI_EXP_TYPE_ENDPOINT, "Endpoint" },
		{ PCI_EXP_TYPE_LEG_END, "Legacy Endpoint" },
		{ PCI_EXP_TYPE_ROOT_PORT, "Root Port" },
		{ PCI_EXP_TYPE_UPSTREAM, "Upstream Port" },
		{ PCI_EXP_TYPE_DOWNSTREAM, "Downstream Port" },
		{ PCI_EXP_TYPE_PCI_BRIDGE, "PCI-Express to PCI/PCI-X Bridge" },
		{ PCI_EXP_TYPE_PCIE_BRIDGE, "PCI/PCI-X to PCI-Express Bridge" },
		{ PCI_EXP_TYPE_ROOT_INT_EP,
		  "Root Complex Integrated Endpoint" },
		{ PCI_EXP_TYPE_ROOT_EC, "Root Complex Event Collector" },
		{ 0x2, "Unknown" },
		{ 0xb, "Unknown" },
		{ 0xf, "Unknown" },
		{ FAB_PCI_EXP_TYPE_UNKNOWN, "Unknown" },
	};

	return cr_make_param_array(struct type_name, cases,
				   FM_ARRAY_SIZE(cases));
}

ParameterizedTest(struct type_name *c, fabric_discover,
		  port_type_names_match_lspci)
{
	cr_assert_str_eq(fab_discover_port_type_name(c->type), c->name);
}

Test(fabric_discover, link_speed_names_follow_encoding)
{
	static const char *const names[] = { "unknown", "2.5GT/s", "5GT/s",
					     "8GT/s",	"16GT/s",  "32GT/s",
					     "64GT/s",	"unknown" };
	uint8_t s;

	for (s = 0; s < FM_ARRAY_SIZE(names); s++)
		cr_assert_str_eq(fab_discover_link_speed_name(s), names[s],
				 "speed %u", s);
	cr_assert_str_eq(fab_discover_link_speed_name(0xff), "unknown");
}

Test(fabric_discover, find_absent_function_returns_null)
{
	struct fab_discover_list l;

	scan_data(&l, FABRIC_DUMP);
	cr_assert_null(fab_discover_list_find(&l, 0, 3, 2, 0));
	cr_assert_null(fab_discover_list_find(&l, 1, 0, 0, 0));
	fab_discover_list_fini(&l);
	cr_assert_null(fab_discover_list_find(&l, 0, 0, 0, 0));
}

Test(fabric_discover, fn_format_prints_domain_bus_dev_fn)
{
	struct fab_discover_fn fn = {
		.domain = 0x10000, .bus = 0xab, .dev = 0x1f, .func = 7
	};
	char buf[FAB_DISCOVER_BDF_STR_LEN];

	cr_assert_str_eq(fab_discover_fn_format(buf, &fn), "10000:ab:1f.7");
}
