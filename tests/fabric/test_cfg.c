/* SPDX-License-Identifier: MIT */
/*
 * Tests for fabric/cfg.c: accessors, checked access and the capability
 * walkers over byte images and over a function that does not answer.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <string.h>

#include "fabric/cfg.h"
#include "fabric/pcie.h"

/* ------------------------------------------------------------------ */
/* Accessors */

Test(fabric_cfg, accessors_are_little_endian)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE] = { 0 };

	fab_cfg_wr32(cfg, 0x10, 0x12345678);
	cr_assert_eq(cfg[0x10], 0x78);
	cr_assert_eq(cfg[0x13], 0x12);
	cr_assert_eq(fab_cfg_rd16(cfg, 0x12), 0x1234);
	cr_assert_eq(fab_cfg_rd8(cfg, 0x11), 0x56);
	fab_cfg_wr16(cfg, 0xffe, 0xabcd);
	cr_assert_eq(fab_cfg_rd32(cfg, 0xffc), 0xabcd0000);
	fab_cfg_wr8(cfg, 0xffc, 0x01);
	cr_assert_eq(fab_cfg_rd32(cfg, 0xffc), 0xabcd0001);
}

Test(fabric_cfg, checked_read_returns_value)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_SIZE] = { 0 };
	uint32_t v = 0;

	fab_cfg_wr32(cfg, 0xfc, 0xcafef00d);
	cr_assert_eq(fab_cfg_read(&v, cfg, sizeof(cfg), 0xfe, 2, NULL), 0);
	cr_assert_eq(v, 0xcafe);
}

Test(fabric_cfg, checked_write_stores_len_bytes)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_SIZE] = { 0 };

	cr_assert_eq(fab_cfg_write(cfg, sizeof(cfg), 0x04, 2, 0x12345678, NULL),
		     0);
	cr_assert_eq(fab_cfg_rd32(cfg, 0x04), 0x5678);
	cr_assert_eq(fab_cfg_write(cfg, sizeof(cfg), 0x07, 1, 0xaa, NULL), 0);
	cr_assert_eq(fab_cfg_rd32(cfg, 0x04), 0xaa005678);
}

struct access_bad {
	uint16_t off;
	unsigned len;
	unsigned size;
	char msg[96];
};

ParameterizedTestParameters(fabric_cfg, checked_access_rejects_with_message)
{
	static struct access_bad cases[] = {
		{ 0x00, 3, 256,
		  "config access at 0x000: length 3 is not 1, 2 "
		  "or 4" },
		{ 0x00, 0, 256,
		  "config access at 0x000: length 0 is not 1, 2 "
		  "or 4" },
		{ 0x01, 2, 256,
		  "2-byte config access at 0x001: not naturally "
		  "aligned" },
		{ 0x02, 4, 4096,
		  "4-byte config access at 0x002: not "
		  "naturally aligned" },
		{ 0x100, 1, 256,
		  "1-byte config access at 0x100: beyond the "
		  "256-byte space" },
		{ 0xffc, 4, 256,
		  "4-byte config access at 0xffc: beyond the "
		  "256-byte space" },
		{ 0x1000, 4, 4096,
		  "4-byte config access at 0x1000: beyond "
		  "the 4096-byte space" },
		{ 0x00, 4, 512,
		  "config space of 512 bytes: size must be 256 "
		  "or 4096" },
	};

	return cr_make_param_array(struct access_bad, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct access_bad *c, fabric_cfg,
		  checked_access_rejects_with_message)
{
	struct fm_err err = { 0 };

	cr_assert_eq(fab_cfg_check_access(c->off, c->len, c->size, &err),
		     -FM_EINVAL);
	cr_assert_eq(err.code, FM_EINVAL);
	cr_assert_str_eq(err.msg, c->msg);
}

Test(fabric_cfg, checked_read_rejection_leaves_value_untouched)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_SIZE] = { 0 };
	uint32_t v = 0x5a5a5a5a;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_cfg_read(&v, cfg, sizeof(cfg), 0x100, 4, &err),
		     -FM_EINVAL);
	cr_assert_eq(v, 0x5a5a5a5a);
}

Test(fabric_cfg, checked_write_rejection_leaves_image_untouched)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_SIZE], before[FAB_PCI_CFG_SPACE_SIZE];
	struct fm_err err = { 0 };

	memset(cfg, 0x11, sizeof(cfg));
	memcpy(before, cfg, sizeof(cfg));
	cr_assert_eq(fab_cfg_write(cfg, sizeof(cfg), 0xfe, 4, 0, &err),
		     -FM_EINVAL);
	cr_assert_eq(memcmp(cfg, before, sizeof(cfg)), 0);
}

Test(fabric_cfg, checked_access_accepts_every_aligned_dword)
{
	uint16_t off;

	for (off = 0; off < FAB_PCI_CFG_SPACE_EXP_SIZE; off += 4)
		cr_assert_eq(fab_cfg_check_access(off, 4, 4096, NULL), 0,
			     "0x%x", off);
}

Test(fabric_cfg, buffer_reader_gives_all_ones_outside_the_image)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE] = { 0 };
	struct fab_cfg_reader r;

	fab_cfg_reader_init_buf(&r, cfg);
	cfg[0xffc] = 0x42;
	cr_assert_eq(r.read(r.ctx, 0xffc, 4), 0x42);
	cr_assert_eq(r.read(r.ctx, 0x1000, 4), 0xffffffff);
	cr_assert_eq(r.read(r.ctx, 0x1000, 2), 0xffff);
}

/* ------------------------------------------------------------------ */
/* Capability walkers */

/* A function image: header with Status.CapList set, no capabilities. */
static void image_init(uint8_t *cfg)
{
	memset(cfg, 0, FAB_PCI_CFG_SPACE_EXP_SIZE);
	fab_cfg_wr16(cfg, PCI_VENDOR_ID, 0x8086);
	fab_cfg_wr16(cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
}

/* Standard capability @id at @off whose next pointer is @next. */
static void put_cap(uint8_t *cfg, uint8_t off, uint8_t id, uint8_t next)
{
	fab_cfg_wr8(cfg, off + PCI_CAP_LIST_ID, id);
	fab_cfg_wr8(cfg, off + PCI_CAP_LIST_NEXT, next);
}

/* Extended capability header (PCIe r6.0 7.6.3). */
static void put_ecap(uint8_t *cfg, uint16_t off, uint16_t id, uint8_t ver,
		     uint16_t next)
{
	fab_cfg_wr32(cfg, off,
		     (uint32_t)id | (uint32_t)ver << 16 | (uint32_t)next << 20);
}

/* Walk the standard list; returns the count, offsets and ids in arrays. */
static unsigned walk_caps(const uint8_t *cfg, uint16_t *offs, uint8_t *ids,
			  unsigned max)
{
	struct fab_cfg_reader r;
	uint16_t off = 0;
	uint8_t id;
	unsigned n = 0;

	fab_cfg_reader_init_buf(&r, cfg);
	while (fab_cfg_next_cap(&r, &off, &id)) {
		cr_assert_lt(n, max, "walk did not end");
		offs[n] = off;
		ids[n++] = id;
	}
	return n;
}

static unsigned walk_ecaps(const uint8_t *cfg, uint16_t *offs, uint16_t *ids,
			   unsigned max)
{
	struct fab_cfg_reader r;
	uint16_t off = 0, id;
	unsigned n = 0;

	fab_cfg_reader_init_buf(&r, cfg);
	while (fab_cfg_next_ecap(&r, &off, &id)) {
		cr_assert_lt(n, max, "walk did not end");
		offs[n] = off;
		ids[n++] = id;
	}
	return n;
}

Test(fabric_cfg, next_cap_walks_standard_list_in_order)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8];
	uint8_t ids[8];

	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x70);
	put_cap(cfg, 0x70, PCI_CAP_ID_EXP, 0x50);
	put_cap(cfg, 0x50, PCI_CAP_ID_MSI, 0x00);
	cr_assert_eq(walk_caps(cfg, offs, ids, 8), 3);
	cr_assert_eq(offs[0], 0x40);
	cr_assert_eq(ids[0], PCI_CAP_ID_PM);
	cr_assert_eq(offs[1], 0x70);
	cr_assert_eq(ids[1], PCI_CAP_ID_EXP);
	cr_assert_eq(offs[2], 0x50);
	cr_assert_eq(ids[2], PCI_CAP_ID_MSI);
}

Test(fabric_cfg, next_cap_finds_nothing_without_status_cap_list)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8];
	uint8_t ids[8];

	image_init(cfg);
	fab_cfg_wr16(cfg, PCI_STATUS, 0);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x00);
	cr_assert_eq(walk_caps(cfg, offs, ids, 8), 0);
}

Test(fabric_cfg, next_cap_masks_low_pointer_bits)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8];
	uint8_t ids[8];

	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x43);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x52);
	put_cap(cfg, 0x50, PCI_CAP_ID_MSI, 0x00);
	cr_assert_eq(walk_caps(cfg, offs, ids, 8), 2);
	cr_assert_eq(offs[0], 0x40);
	cr_assert_eq(offs[1], 0x50);
}

Test(fabric_cfg, next_cap_stops_at_pointer_into_the_header)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8];
	uint8_t ids[8];

	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x3c);
	cr_assert_eq(walk_caps(cfg, offs, ids, 8), 1);
}

Test(fabric_cfg, next_cap_cuts_a_loop_after_each_capability_once)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8];
	uint8_t ids[8];

	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x50);
	put_cap(cfg, 0x50, PCI_CAP_ID_MSI, 0x60);
	put_cap(cfg, 0x60, PCI_CAP_ID_EXP, 0x50);
	cr_assert_eq(walk_caps(cfg, offs, ids, 8), 3);
	cr_assert_eq(offs[2], 0x60);
}

Test(fabric_cfg, next_cap_cuts_a_capability_pointing_at_itself)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8];
	uint8_t ids[8];

	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x40);
	cr_assert_eq(walk_caps(cfg, offs, ids, 8), 1);
}

Test(fabric_cfg, next_cap_visits_at_most_48_capabilities)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[64];
	uint8_t ids[64];
	unsigned off;

	/* every dword from 0x40 to 0xfc holds a capability */
	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	for (off = 0x40; off <= 0xfc; off += 4)
		put_cap(cfg, (uint8_t)off, PCI_CAP_ID_VNDR,
			(uint8_t)(off == 0xfc ? 0x40 : off + 4));
	cr_assert_eq(walk_caps(cfg, offs, ids, 64), 48);
}

Test(fabric_cfg, next_cap_stops_at_id_ff)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8];
	uint8_t ids[8];

	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x50);
	put_cap(cfg, 0x50, 0xff, 0x60);
	put_cap(cfg, 0x60, PCI_CAP_ID_MSI, 0x00);
	cr_assert_eq(walk_caps(cfg, offs, ids, 8), 1);
}

Test(fabric_cfg, find_cap_returns_offset)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	struct fab_cfg_reader r;
	uint16_t off = 0;

	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x60);
	put_cap(cfg, 0x60, PCI_CAP_ID_EXP, 0x00);
	fab_cfg_reader_init_buf(&r, cfg);
	cr_assert_eq(fab_cfg_find_cap(&off, &r, PCI_CAP_ID_EXP, NULL), 0);
	cr_assert_eq(off, 0x60);
}

Test(fabric_cfg, find_cap_reports_absent_capability)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	struct fab_cfg_reader r;
	struct fm_err err = { 0 };
	uint16_t off = 0x1234;

	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x40);
	fab_cfg_reader_init_buf(&r, cfg);
	cr_assert_eq(fab_cfg_find_cap(&off, &r, PCI_CAP_ID_EXP, &err),
		     -FM_ENOENT);
	cr_assert_str_eq(err.msg, "no capability 0x10");
	cr_assert_eq(off, 0x1234);
}

Test(fabric_cfg, next_ecap_walks_extended_list_in_order)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8], ids[8];

	image_init(cfg);
	put_ecap(cfg, 0x100, PCI_EXT_CAP_ID_AER, 2, 0x200);
	put_ecap(cfg, 0x200, PCI_EXT_CAP_ID_ACS, 1, 0x160);
	put_ecap(cfg, 0x160, PCI_EXT_CAP_ID_SRIOV, 1, 0x000);
	cr_assert_eq(walk_ecaps(cfg, offs, ids, 8), 3);
	cr_assert_eq(offs[0], 0x100);
	cr_assert_eq(ids[0], PCI_EXT_CAP_ID_AER);
	cr_assert_eq(offs[1], 0x200);
	cr_assert_eq(ids[1], PCI_EXT_CAP_ID_ACS);
	cr_assert_eq(offs[2], 0x160);
	cr_assert_eq(ids[2], PCI_EXT_CAP_ID_SRIOV);
}

Test(fabric_cfg, next_ecap_finds_nothing_when_header_is_zero)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8], ids[8];

	image_init(cfg);
	cr_assert_eq(walk_ecaps(cfg, offs, ids, 8), 0);
}

Test(fabric_cfg, next_ecap_stops_at_all_ones_header)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8], ids[8];

	image_init(cfg);
	put_ecap(cfg, 0x100, PCI_EXT_CAP_ID_AER, 2, 0x200);
	fab_cfg_wr32(cfg, 0x200, 0xffffffff);
	cr_assert_eq(walk_ecaps(cfg, offs, ids, 8), 1);
}

Test(fabric_cfg, next_ecap_stops_at_pointer_below_extended_space)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8], ids[8];

	image_init(cfg);
	put_ecap(cfg, 0x100, PCI_EXT_CAP_ID_AER, 2, 0x0c0);
	put_cap(cfg, 0xc0, PCI_CAP_ID_PM, 0);
	cr_assert_eq(walk_ecaps(cfg, offs, ids, 8), 1);
}

Test(fabric_cfg, next_ecap_masks_low_pointer_bits)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8], ids[8];

	image_init(cfg);
	put_ecap(cfg, 0x100, PCI_EXT_CAP_ID_AER, 2, 0x203);
	put_ecap(cfg, 0x200, PCI_EXT_CAP_ID_ACS, 1, 0);
	cr_assert_eq(walk_ecaps(cfg, offs, ids, 8), 2);
	cr_assert_eq(offs[1], 0x200);
}

Test(fabric_cfg, next_ecap_cuts_a_loop)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint16_t offs[8], ids[8];

	image_init(cfg);
	put_ecap(cfg, 0x100, PCI_EXT_CAP_ID_AER, 2, 0x200);
	put_ecap(cfg, 0x200, PCI_EXT_CAP_ID_ACS, 1, 0x100);
	cr_assert_eq(walk_ecaps(cfg, offs, ids, 8), 2);
}

/* A forward chain of @n extended capabilities, 4 bytes apart. */
static void put_ecap_chain(uint8_t *cfg, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint16_t off = (uint16_t)(0x100 + 4 * i);

		put_ecap(cfg, off, (uint16_t)(0x1000 + i), 1,
			 i + 1 < n ? off + 4 : 0);
	}
}

Test(fabric_cfg, next_ecap_visits_at_most_512_capabilities)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	static uint16_t offs[1024], ids[1024];

	image_init(cfg);
	put_ecap_chain(cfg, 600);
	cr_assert_eq(walk_ecaps(cfg, offs, ids, 1024), 512);
}

Test(fabric_cfg, find_ecap_stops_after_512_capabilities)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	struct fab_cfg_reader r;
	struct fm_err err = { 0 };
	uint16_t off = 0;

	image_init(cfg);
	put_ecap_chain(cfg, 600);
	fab_cfg_reader_init_buf(&r, cfg);
	cr_assert_eq(fab_cfg_find_ecap(&off, &r, 0x1000 + 511, NULL), 0);
	cr_assert_eq(off, 0x100 + 4 * 511);
	cr_assert_eq(fab_cfg_find_ecap(&off, &r, 0x1000 + 512, &err),
		     -FM_ENOENT);
	cr_assert_str_eq(err.msg, "no extended capability 0x1200");
}

Test(fabric_cfg, find_ecap_returns_offset)
{
	uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	struct fab_cfg_reader r;
	uint16_t off = 0;

	image_init(cfg);
	put_ecap(cfg, 0x100, PCI_EXT_CAP_ID_AER, 2, 0x200);
	put_ecap(cfg, 0x200, PCI_EXT_CAP_ID_SRIOV, 1, 0);
	fab_cfg_reader_init_buf(&r, cfg);
	cr_assert_eq(fab_cfg_find_ecap(&off, &r, PCI_EXT_CAP_ID_SRIOV, NULL),
		     0);
	cr_assert_eq(off, 0x200);
}

/* A function that does not answer: every read is all ones. */
static uint32_t absent_read(void *ctx, uint16_t off, unsigned len)
{
	(void)ctx;
	(void)off;
	(void)len;
	return 0xffffffff;
}

Test(fabric_cfg, absent_function_has_no_capabilities)
{
	struct fab_cfg_reader r = { .read = absent_read };
	uint16_t off = 0, id16;
	uint8_t id8;

	cr_assert_not(fab_cfg_next_cap(&r, &off, &id8));
	off = 0;
	cr_assert_not(fab_cfg_next_ecap(&r, &off, &id16));
	cr_assert_eq(fab_cfg_find_cap(&off, &r, PCI_CAP_ID_EXP, NULL),
		     -FM_ENOENT);
	cr_assert_eq(fab_cfg_find_ecap(&off, &r, PCI_EXT_CAP_ID_AER, NULL),
		     -FM_ENOENT);
}

/* A function that goes away after @ctx reads. */
static uint32_t vanishing_read(void *ctx, uint16_t off, unsigned len)
{
	unsigned *left = ctx;
	static uint8_t cfg[FAB_PCI_CFG_SPACE_EXP_SIZE];
	struct fab_cfg_reader r;

	if (*left == 0)
		return 0xffffffff;
	(*left)--;
	image_init(cfg);
	fab_cfg_wr8(cfg, PCI_CAPABILITY_LIST, 0x40);
	put_cap(cfg, 0x40, PCI_CAP_ID_PM, 0x50);
	put_cap(cfg, 0x50, PCI_CAP_ID_MSI, 0x00);
	fab_cfg_reader_init_buf(&r, cfg);
	return r.read(r.ctx, off, len);
}

Test(fabric_cfg, walk_ends_when_function_vanishes_midway)
{
	unsigned left = 3; /* status, pointer, first capability */
	struct fab_cfg_reader r = { .read = vanishing_read, .ctx = &left };
	struct fm_err err = { 0 };
	uint16_t off = 0;

	cr_assert_eq(fab_cfg_find_cap(&off, &r, PCI_CAP_ID_MSI, &err),
		     -FM_ENOENT);
}
