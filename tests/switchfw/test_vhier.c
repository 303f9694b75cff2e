/* SPDX-License-Identifier: MIT */
/*
 * test_vhier.c - the virtual hierarchy each blade sees: a virtual upstream
 * bridge and its vPPBs, answered by firmware from virtual config space,
 * enumerated by the blade as Linux would and decoded by lspci from the
 * blade's dump.
 */
#include <unistd.h>

#include "tests/switchfw/fw_fixture.h"

static struct fwt t;

static void setup(void)
{
	fwt_setup(&t, "examples/chassis-small.json", NULL);
}

static void teardown(void)
{
	fwt_teardown(&t);
}

TestSuite(sw_vhier, .init = setup, .fini = teardown);

/* The host functions of @b with PCIe type @type, in enumeration order. */
static unsigned host_of_type(const struct sim_host_dev **out, unsigned max,
			     const struct sim_blade *b, uint8_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sim_blade_dev_count(b); i++) {
		const struct sim_host_dev *d = sim_blade_dev(b, i);

		if (d->pcie_type != type)
			continue;
		if (n < max)
			out[n] = d;
		n++;
	}
	return n;
}

Test(sw_vhier, blade_finds_one_upstream_bridge_below_its_root_port)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *usp[2];

	cr_assert_eq(host_of_type(usp, 2, b, PCI_EXP_TYPE_UPSTREAM), 1);
	cr_assert_eq(usp[0]->rid, FAB_RID(1, 0, 0));
	cr_assert(usp[0]->is_bridge);
	cr_assert_eq(usp[0]->vendor, 0x1000);
	cr_assert_eq(usp[0]->device, 0xc030);
	cr_assert_eq(usp[0]->class_code, 0x060400);
	cr_assert_eq(usp[0]->sec_bus, 2);
	cr_assert_not(usp[0]->hotplug_slot);
}

Test(sw_vhier, blade_finds_a_hotplug_vppb_per_device_number)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *dsp[8];

	cr_assert_eq(host_of_type(dsp, 8, b, PCI_EXP_TYPE_DOWNSTREAM), 8);
	for (unsigned i = 0; i < 8; i++) {
		cr_assert_eq(dsp[i]->rid, FAB_RID(2, i, 0));
		cr_assert_eq(dsp[i]->parent_rid, FAB_RID(1, 0, 0));
		cr_assert(dsp[i]->is_bridge);
		cr_assert(dsp[i]->hotplug_slot, "vPPB %u", i);
		/* Linux keeps a spare bus and windows for hot-add */
		cr_assert_eq(dsp[i]->sub_bus, dsp[i]->sec_bus + 1);
		cr_assert_gt(dsp[i]->pref_limit, dsp[i]->pref_base);
	}
	/* nothing is bound yet: no endpoint anywhere */
	cr_assert_eq(fwt_host_endpoints(b), 0);
}

Test(sw_vhier, vppb_slot_has_the_hotplug_capabilities)
{
	struct sim_blade *b = fwt_blade(&t, "blade1");
	uint16_t rid = FAB_RID(2, 3, 0);
	uint16_t e = fwt_host_cap(b, rid, PCI_CAP_ID_EXP);
	uint32_t flags, sltcap, lnkcap, devcap2;

	cr_assert_neq(e, 0);
	flags = fwt_cfg_read(b, rid, e + PCI_EXP_FLAGS, 2);
	sltcap = fwt_cfg_read(b, rid, e + PCI_EXP_SLTCAP, 4);
	lnkcap = fwt_cfg_read(b, rid, e + PCI_EXP_LNKCAP, 4);
	devcap2 = fwt_cfg_read(b, rid, e + PCI_EXP_DEVCAP2, 4);
	cr_assert(flags & PCI_EXP_FLAGS_SLOT);
	cr_assert_eq(sltcap & (PCI_EXP_SLTCAP_ATNB | PCI_EXP_SLTCAP_PWRC |
			       PCI_EXP_SLTCAP_ATNI | PCI_EXP_SLTCAP_PWRI |
			       PCI_EXP_SLTCAP_HPC),
		     PCI_EXP_SLTCAP_ATNB | PCI_EXP_SLTCAP_PWRC |
			     PCI_EXP_SLTCAP_ATNI | PCI_EXP_SLTCAP_PWRI |
			     PCI_EXP_SLTCAP_HPC);
	/* partition 1, vPPB 3: slot numbers are unique in the chassis */
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_SLTCAP_PSN, sltcap),
		     1 * SW_MAX_VPPBS + 3 + 1);
	cr_assert(lnkcap & PCI_EXP_LNKCAP_DLLA);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKCAP_PORT, lnkcap), 3);
	cr_assert(devcap2 & PCI_EXP_DEVCAP2_ARI);
	cr_assert_neq(fwt_host_cap(b, rid, PCI_CAP_ID_MSI), 0);
}

Test(sw_vhier, vppb_has_acs_with_the_isolation_controls)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint16_t rid = FAB_RID(2, 0, 0);
	uint32_t hdr = fwt_cfg_read(b, rid, 0x100, 4);
	uint32_t cap = fwt_cfg_read(b, rid, 0x100 + PCI_ACS_CAP, 2);
	const uint32_t want = PCI_ACS_CAP_VALID | PCI_ACS_CAP_BLOCK |
			      PCI_ACS_CAP_REQ_RED | PCI_ACS_CAP_CMPLT_RED |
			      PCI_ACS_CAP_FORWARD;

	cr_assert_eq(hdr & 0xffff, PCI_EXT_CAP_ID_ACS);
	cr_assert_eq(cap, want);
	fwt_cfg_write(b, rid, 0x100 + PCI_ACS_CTRL, 2, 0xffff);
	cr_assert_eq(fwt_cfg_read(b, rid, 0x100 + PCI_ACS_CTRL, 2), want);
}

Test(sw_vhier, empty_slots_are_powered_off_by_the_host_driver)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint16_t rid = FAB_RID(2, 5, 0);
	uint16_t e = fwt_host_cap(b, rid, PCI_CAP_ID_EXP);
	uint32_t ctl = fwt_cfg_read(b, rid, e + PCI_EXP_SLTCTL, 2);
	uint32_t sta = fwt_cfg_read(b, rid, e + PCI_EXP_SLTSTA, 2);
	struct sw_partition_info p;

	cr_assert(ctl & PCI_EXP_SLTCTL_PWRC, "slot ctl %#x", ctl);
	cr_assert(ctl & PCI_EXP_SLTCTL_HPIE);
	cr_assert_not(sta & PCI_EXP_SLTSTA_PRES);
	cr_assert_eq(sw_fw_partition(t.fw, 0, &p, NULL), 0);
	cr_assert_not(p.vppb[5].slot_power);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_POWER_OFF, 0), 8);
}

Test(sw_vhier, slot_control_write_completes_with_an_interrupt)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint16_t rid = FAB_RID(2, 1, 0);
	uint16_t e = fwt_host_cap(b, rid, PCI_CAP_ID_EXP);
	uint64_t irqs = sim_blade_irq_count(b);
	uint32_t ctl = fwt_cfg_read(b, rid, e + PCI_EXP_SLTCTL, 2);

	fwt_cfg_write(b, rid, e + PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_CMDC);
	cr_assert_not(fwt_cfg_read(b, rid, e + PCI_EXP_SLTSTA, 2) &
		      PCI_EXP_SLTSTA_CMDC);
	/* a command: attention indicator on */
	fwt_cfg_write(b, rid, e + PCI_EXP_SLTCTL, 2,
		      (ctl & ~(uint32_t)PCI_EXP_SLTCTL_ATNI) |
			      FM_FIELD_PREP(PCI_EXP_SLTCTL_ATNI,
					    FAB_PCI_EXP_SLTCTL_IND_ON));
	cr_assert(fwt_cfg_read(b, rid, e + PCI_EXP_SLTSTA, 2) &
		  PCI_EXP_SLTSTA_CMDC);
	cr_assert_eq(sim_blade_irq_count(b), irqs + 1);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_SLTCTL_ATNI,
				  fwt_cfg_read(b, rid, e + PCI_EXP_SLTCTL, 2)),
		     FAB_PCI_EXP_SLTCTL_IND_ON);
}

Test(sw_vhier, read_only_registers_ignore_host_writes)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint16_t rid = FAB_RID(2, 2, 0);

	fwt_cfg_write(b, rid, PCI_VENDOR_ID, 4, 0x12345678);
	fwt_cfg_write(b, rid, PCI_CLASS_REVISION, 4, 0);
	cr_assert_eq(fwt_cfg_read(b, rid, PCI_VENDOR_ID, 4), 0xc0301000);
	cr_assert_eq(fwt_cfg_read(b, rid, PCI_CLASS_REVISION, 4) >> 8,
		     0x060400);
	/* the status error bits are write-1-to-clear, nothing is set */
	fwt_cfg_write(b, rid, PCI_STATUS, 2, 0xffff);
	cr_assert_eq(fwt_cfg_read(b, rid, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
}

Test(sw_vhier, only_device_numbers_below_vppb_count_answer)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");

	cr_assert_eq(fwt_cfg_read(b, FAB_RID(2, 8, 0), PCI_VENDOR_ID, 4),
		     0xffffffff);
	cr_assert_eq(fwt_cfg_read(b, FAB_RID(2, 0, 1), PCI_VENDOR_ID, 4),
		     0xffffffff);
	cr_assert_eq(fwt_cfg_read(b, FAB_RID(1, 1, 0), PCI_VENDOR_ID, 4),
		     0xffffffff);
}

Test(sw_vhier, host_renumbering_moves_the_bus_routes)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint16_t vppb = FAB_RID(2, 7, 0);
	uint64_t seq = sw_fw_last_event_seq(t.fw);
	struct sw_event ev;

	/* vPPB 7 keeps bus 17 only: bus 18 now belongs to nobody */
	fwt_cfg_write(b, vppb, PCI_SUBORDINATE_BUS, 1, 17);
	cr_assert_eq(fwt_cfg_read(b, FAB_RID(18, 0, 0), PCI_VENDOR_ID, 4),
		     0xffffffff);
	ev = fwt_ev_first(&t, SW_EV_VIOLATION, seq);
	cr_assert_eq(ev.partition, 0);
	cr_assert_eq(ev.detail, FAB_RID(18, 0, 0));
	/* an empty slot's own bus is not a violation: its port answers UR */
	seq = sw_fw_last_event_seq(t.fw);
	cr_assert_eq(fwt_cfg_read(b, FAB_RID(17, 0, 0), PCI_VENDOR_ID, 4),
		     0xffffffff);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_VIOLATION, seq), 0);
}

Test(sw_vhier, upstream_link_status_shows_the_host_link)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint16_t rid = FAB_RID(1, 0, 0);
	uint16_t e = fwt_host_cap(b, rid, PCI_CAP_ID_EXP);
	uint32_t lnksta = fwt_cfg_read(b, rid, e + PCI_EXP_LNKSTA, 2);
	uint32_t flags = fwt_cfg_read(b, rid, e + PCI_EXP_FLAGS, 2);

	cr_assert_eq(FM_FIELD_GET(PCI_EXP_FLAGS_TYPE, flags),
		     PCI_EXP_TYPE_UPSTREAM);
	/* the blade's root port trains at 16 GT/s x16 */
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_SPEED, lnksta), 4);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_WIDTH, lnksta), 16);
}

/* `lspci -F` on the blade's dump, -vvv; the output in a malloc'd string. */
static char *lspci_blade(struct sim_blade *b)
{
	char path[] = "/tmp/mrfabric-fw-dump-XXXXXX";
	struct fm_err err = { 0 };
	char cmd[128], *out = NULL;
	size_t len = 0, cap = 0;
	int fd = mkstemp(path);
	FILE *f, *p;
	char buf[4096];
	size_t n;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	cr_assert_eq(sim_blade_dump(b, f, &err), 0, "%s", err.msg);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "/usr/bin/lspci -F %s -nn -vvv 2>&1", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = realloc(out, cap);
			cr_assert_not_null(out);
		}
		memcpy(out + len, buf, n);
		len += n;
	}
	cr_assert_eq(pclose(p), 0);
	unlink(path);
	cr_assert_not_null(out);
	out[len] = '\0';
	return out;
}

static unsigned count_of(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

Test(sw_vhier, lspci_decodes_the_blade_dump_cleanly)
{
	char *out;

	cr_assert_eq(access("/usr/bin/lspci", X_OK), 0, "lspci is needed");
	fwt_bind(&t, SW_FID(0, 2, 1), 0, 0);
	fwt_idle(&t);
	out = lspci_blade(fwt_blade(&t, "blade0"));
	cr_assert_eq(count_of(out, "Express (v2) Upstream Port"), 1, "%s", out);
	cr_assert_eq(count_of(out, "Express (v2) Downstream Port (Slot+)"), 8,
		     "%s", out);
	cr_assert_eq(count_of(out, "Access Control Services"), 8, "%s", out);
	cr_assert_eq(count_of(out, "HotPlug+"), 8, "%s", out);
	cr_assert_eq(count_of(out, "[15b3:101e]"), 1, "%s", out);
	cr_assert_null(strstr(out, "Illegal"), "%s", out);
	cr_assert_null(strstr(out, "<unavailable>"), "%s", out);
	cr_assert_null(strstr(out, "!!!"), "%s", out);
	free(out);
}
