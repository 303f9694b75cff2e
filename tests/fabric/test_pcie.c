/* SPDX-License-Identifier: MIT */
/*
 * Tests for fabric/pcie.c: routing IDs and TLP builders.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <string.h>

#include "fabric/pcie.h"

/* ------------------------------------------------------------------ */
/* Routing IDs */

Test(fabric_pcie, rid_format_prints_bus_device_function_in_hex)
{
	char buf[FAB_RID_STR_LEN];

	cr_assert_str_eq(fab_rid_format(buf, FAB_RID(0x3a, 0x1f, 7)),
			 "3a:1f.7");
	cr_assert_str_eq(fab_rid_format(buf, 0), "00:00.0");
	cr_assert_str_eq(fab_rid_format(buf, 0xffff), "ff:1f.7");
}

Test(fabric_pcie, rid_parse_round_trips_every_rid)
{
	char buf[FAB_RID_STR_LEN];
	uint32_t rid;
	uint16_t back;

	for (rid = 0; rid <= 0xffff; rid++) {
		back = (uint16_t)~rid;
		cr_assert_eq(fab_rid_parse(&back,
					   fab_rid_format(buf, (uint16_t)rid),
					   NULL),
			     0, "%s", buf);
		cr_assert_eq(back, rid, "%s", buf);
	}
}

struct rid_ok {
	char text[24];
	uint16_t rid;
};

ParameterizedTestParameters(fabric_pcie, rid_parse_accepts_valid_forms)
{
	static struct rid_ok cases[] = {
		{ "3a:1f.7", FAB_RID(0x3a, 0x1f, 7) },
		{ "0000:3a:1f.7", FAB_RID(0x3a, 0x1f, 7) },
		{ "ffff:ff:1f.7", 0xffff },
		{ "3A:1F.7", FAB_RID(0x3a, 0x1f, 7) },
		{ "0:0.0", 0 },
		{ "1:2.3", FAB_RID(1, 2, 3) },
		{ "00000001:02.3", FAB_RID(1, 2, 3) },
	};

	return cr_make_param_array(struct rid_ok, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct rid_ok *c, fabric_pcie, rid_parse_accepts_valid_forms)
{
	uint16_t rid = 0x1234;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_rid_parse(&rid, c->text, &err), 0, "%s: %s", c->text,
		     err.msg);
	cr_assert_eq(rid, c->rid, "%s gave %04x", c->text, rid);
}

struct rid_bad {
	char text[24];
	char msg[96];
};

ParameterizedTestParameters(fabric_pcie, rid_parse_rejects_with_message)
{
#define SYNTAX(s)                                                              \
	{                                                                      \
		s, "invalid routing ID \"" s                                   \
		   "\": expected bb:dd.f or dddd:bb:dd.f "                     \
		   "in hex"                                                    \
	}
	static struct rid_bad cases[] = {
		{ "00:20.0", "invalid routing ID \"00:20.0\": device 0x20 "
			     "above 0x1f" },
		{ "00:1f.8", "invalid routing ID \"00:1f.8\": function 0x8 "
			     "above 0x7" },
		{ "100:00.0", "invalid routing ID \"100:00.0\": bus 0x100 "
			      "above 0xff" },
		{ "10000:00:00.0", "invalid routing ID \"10000:00:00.0\": "
				   "domain 0x10000 above 0xffff" },
		{ "00:00.0x", "invalid routing ID \"00:00.0x\": trailing "
			      "\"x\"" },
		{ "00:00.0 ", "invalid routing ID \"00:00.0 \": trailing "
			      "\" \"" },
		{ "00:00.10", "invalid routing ID \"00:00.10\": function 0x10 "
			      "above 0x7" },
		SYNTAX(""),
		SYNTAX("junk"),
		SYNTAX("00:00"),
		SYNTAX("00:00."),
		SYNTAX(":00.0"),
		SYNTAX(" 00:00.0"),
		SYNTAX("00.00.0"),
		SYNTAX("g0:00.0"),
		SYNTAX("0:0:0:0.0"),
		SYNTAX("-1:00.0"),
		SYNTAX("000000000:00.0"),
	};
#undef SYNTAX

	return cr_make_param_array(struct rid_bad, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct rid_bad *c, fabric_pcie,
		  rid_parse_rejects_with_message)
{
	uint16_t rid = 0x1234;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_rid_parse(&rid, c->text, &err), -FM_EINVAL, "%s",
		     c->text);
	cr_assert_eq(err.code, FM_EINVAL);
	cr_assert_str_eq(err.msg, c->msg, "%s", c->text);
	cr_assert_eq(rid, 0x1234, "rid changed on error");
}

Test(fabric_pcie, rid_parse_rejects_null)
{
	uint16_t rid = 0x1234;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_rid_parse(&rid, NULL, &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg, "missing routing ID");
	cr_assert_eq(rid, 0x1234);
}

/* ------------------------------------------------------------------ */
/* TLP predicates and names */

struct tlp_kind {
	uint8_t type;
	bool posted, nonposted, cfg;
	char name[8];
};

ParameterizedTestParameters(fabric_pcie, tlp_type_has_its_kind_and_name)
{
	static struct tlp_kind cases[] = {
		{ FAB_TLP_CFG_RD0, false, true, true, "CfgRd0" },
		{ FAB_TLP_CFG_WR0, false, true, true, "CfgWr0" },
		{ FAB_TLP_CFG_RD1, false, true, true, "CfgRd1" },
		{ FAB_TLP_CFG_WR1, false, true, true, "CfgWr1" },
		{ FAB_TLP_MEM_RD, false, true, false, "MRd" },
		{ FAB_TLP_MEM_WR, true, false, false, "MWr" },
		{ FAB_TLP_CPL, false, false, false, "Cpl" },
		{ FAB_TLP_CPLD, false, false, false, "CplD" },
		{ FAB_TLP_MSG, true, false, false, "Msg" },
	};

	return cr_make_param_array(struct tlp_kind, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct tlp_kind *c, fabric_pcie,
		  tlp_type_has_its_kind_and_name)
{
	struct fab_tlp tlp = { .type = c->type };

	cr_assert_eq(fab_tlp_is_posted(&tlp), c->posted, "%s", c->name);
	cr_assert_eq(fab_tlp_is_nonposted(&tlp), c->nonposted, "%s", c->name);
	cr_assert_eq(fab_tlp_is_cfg(&tlp), c->cfg, "%s", c->name);
	cr_assert_str_eq(fab_tlp_type_name(c->type), c->name);
}

Test(fabric_pcie, tlp_type_name_of_unknown_type_is_question_mark)
{
	cr_assert_str_eq(fab_tlp_type_name(FAB_TLP_TYPE_COUNT), "?");
	cr_assert_str_eq(fab_tlp_type_name((enum fab_tlp_type) - 1), "?");
}

Test(fabric_pcie, tlp_is_msi_only_for_writes_inside_the_window)
{
	struct fab_tlp tlp = { .type = FAB_TLP_MEM_WR };

	tlp.addr = FAB_MSI_ADDR_BASE;
	cr_assert(fab_tlp_is_msi(&tlp));
	tlp.addr = FAB_MSI_ADDR_BASE + FAB_MSI_ADDR_SIZE - 1;
	cr_assert(fab_tlp_is_msi(&tlp));
	tlp.addr = FAB_MSI_ADDR_BASE + FAB_MSI_ADDR_SIZE;
	cr_assert_not(fab_tlp_is_msi(&tlp));
	tlp.addr = FAB_MSI_ADDR_BASE - 1;
	cr_assert_not(fab_tlp_is_msi(&tlp));
	tlp.type = FAB_TLP_MEM_RD;
	tlp.addr = FAB_MSI_ADDR_BASE;
	cr_assert_not(fab_tlp_is_msi(&tlp));
}

/* ------------------------------------------------------------------ */
/* Builders */

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

Test(fabric_pcie, cfg_read_builder_fills_type0_request)
{
	struct fab_tlp tlp;

	memset(&tlp, 0xa5, sizeof(tlp));
	cr_assert_eq(
		fab_tlp_cfg_read(&tlp, false, 0x0100, 0x0208, 0x10, 4, NULL),
		0);
	cr_assert_eq(tlp.type, FAB_TLP_CFG_RD0);
	cr_assert_eq(tlp.requester, 0x0100);
	cr_assert_eq(tlp.cfg_target, 0x0208);
	cr_assert_eq(tlp.cfg_reg, 0x10);
	cr_assert_eq(tlp.len, 4);
	cr_assert_eq(tlp.tag, 0);
	cr_assert_eq(tlp.addr, 0);
	cr_assert(all_zero(tlp.data, sizeof(tlp.data)));
}

Test(fabric_pcie, cfg_read_builder_makes_type1_when_asked)
{
	struct fab_tlp tlp;

	cr_assert_eq(fab_tlp_cfg_read(&tlp, true, 0, 0x0300, 0, 2, NULL), 0);
	cr_assert_eq(tlp.type, FAB_TLP_CFG_RD1);
}

Test(fabric_pcie, cfg_write_builder_stores_value_little_endian)
{
	struct fab_tlp tlp;

	cr_assert_eq(fab_tlp_cfg_write(&tlp, true, 0x0100, 0x0300, 0x18, 4,
				       0x12345678, NULL),
		     0);
	cr_assert_eq(tlp.type, FAB_TLP_CFG_WR1);
	cr_assert_eq(tlp.data[0], 0x78);
	cr_assert_eq(tlp.data[1], 0x56);
	cr_assert_eq(tlp.data[2], 0x34);
	cr_assert_eq(tlp.data[3], 0x12);
	cr_assert_eq(fab_tlp_cfg_value(&tlp), 0x12345678);
}

Test(fabric_pcie, cfg_write_builder_keeps_only_len_bytes)
{
	struct fab_tlp tlp;

	cr_assert_eq(fab_tlp_cfg_write(&tlp, false, 0, 0x0100, 0x06, 2,
				       0x12345678, NULL),
		     0);
	cr_assert_eq(tlp.type, FAB_TLP_CFG_WR0);
	cr_assert_eq(fab_tlp_cfg_value(&tlp), 0x5678);
	cr_assert(all_zero(tlp.data + 2, sizeof(tlp.data) - 2));
}

struct cfg_bad {
	uint16_t reg;
	unsigned len;
	char msg[96];
};

ParameterizedTestParameters(fabric_pcie, cfg_builders_reject_bad_access)
{
	static struct cfg_bad cases[] = {
		{ 0x10, 3,
		  "config access at 0x010: length 3 is not 1, 2 or 4" },
		{ 0x10, 0,
		  "config access at 0x010: length 0 is not 1, 2 or 4" },
		{ 0x10, 8,
		  "config access at 0x010: length 8 is not 1, 2 or 4" },
		{ 0x11, 2,
		  "2-byte config access at 0x011: not naturally "
		  "aligned" },
		{ 0x12, 4,
		  "4-byte config access at 0x012: not naturally "
		  "aligned" },
		{ 0x1000, 1,
		  "1-byte config access at 0x1000: beyond the "
		  "4096-byte space" },
		{ 0xfffc, 4,
		  "4-byte config access at 0xfffc: beyond the "
		  "4096-byte space" },
	};

	return cr_make_param_array(struct cfg_bad, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct cfg_bad *c, fabric_pcie,
		  cfg_builders_reject_bad_access)
{
	struct fab_tlp tlp, before;
	struct fm_err err = { 0 };

	memset(&tlp, 0xa5, sizeof(tlp));
	before = tlp;
	cr_assert_eq(
		fab_tlp_cfg_read(&tlp, false, 0, 0x0100, c->reg, c->len, &err),
		-FM_EINVAL);
	cr_assert_str_eq(err.msg, c->msg);
	fm_err_clear(&err);
	cr_assert_eq(fab_tlp_cfg_write(&tlp, false, 0, 0x0100, c->reg, c->len,
				       1, &err),
		     -FM_EINVAL);
	cr_assert_str_eq(err.msg, c->msg);
	cr_assert_eq(memcmp(&tlp, &before, sizeof(tlp)), 0, "tlp changed");
}

Test(fabric_pcie, cfg_builder_accepts_last_dword)
{
	struct fab_tlp tlp;

	cr_assert_eq(fab_tlp_cfg_read(&tlp, false, 0, 0x0100, 0xffc, 4, NULL),
		     0);
	cr_assert_eq(tlp.cfg_reg, 0xffc);
}

Test(fabric_pcie, mem_read_builder_fills_request)
{
	struct fab_tlp tlp;

	cr_assert_eq(fab_tlp_mem_read(&tlp, 0x0100, 0xfe000010ULL, 64, NULL),
		     0);
	cr_assert_eq(tlp.type, FAB_TLP_MEM_RD);
	cr_assert_eq(tlp.requester, 0x0100);
	cr_assert_eq(tlp.addr, 0xfe000010ULL);
	cr_assert_eq(tlp.len, 64);
}

Test(fabric_pcie, mem_builders_reject_zero_and_oversized_length)
{
	struct fab_tlp tlp, before;
	struct fm_err err = { 0 };
	uint8_t data[FAB_TLP_MAX_DATA + 1] = { 0 };

	memset(&tlp, 0xa5, sizeof(tlp));
	before = tlp;
	cr_assert_eq(fab_tlp_mem_read(&tlp, 0, 0x1000, 0, &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg, "0-byte memory read at 0x1000: length "
				  "must be 1..64");
	fm_err_clear(&err);
	cr_assert_eq(fab_tlp_mem_write(&tlp, 0, 0x2000, data,
				       FAB_TLP_MAX_DATA + 1, &err),
		     -FM_EINVAL);
	cr_assert_str_eq(err.msg, "65-byte memory write at 0x2000: length "
				  "must be 1..64");
	cr_assert_eq(memcmp(&tlp, &before, sizeof(tlp)), 0, "tlp changed");
}

Test(fabric_pcie, mem_write_builder_copies_payload)
{
	struct fab_tlp tlp;
	const uint8_t data[3] = { 1, 2, 3 };

	cr_assert_eq(fab_tlp_mem_write(&tlp, 0x0200, 0x1000, data, 3, NULL), 0);
	cr_assert_eq(tlp.type, FAB_TLP_MEM_WR);
	cr_assert_eq(tlp.len, 3);
	cr_assert_eq(memcmp(tlp.data, data, 3), 0);
	cr_assert(all_zero(tlp.data + 3, sizeof(tlp.data) - 3));
	cr_assert_not(fab_tlp_is_msi(&tlp));
}

Test(fabric_pcie, msi_builder_makes_four_byte_write)
{
	struct fab_tlp tlp;

	fab_tlp_msi(&tlp, 0x0300, FAB_MSI_ADDR_BASE + 0x1000, 0x4021);
	cr_assert_eq(tlp.type, FAB_TLP_MEM_WR);
	cr_assert_eq(tlp.requester, 0x0300);
	cr_assert_eq(tlp.len, 4);
	cr_assert_eq(tlp.data[0], 0x21);
	cr_assert_eq(tlp.data[1], 0x40);
	cr_assert(fab_tlp_is_msi(&tlp));
}

Test(fabric_pcie, msg_builder_sets_code)
{
	struct fab_tlp tlp;

	fab_tlp_msg(&tlp, 0x0100, FAB_MSG_ERR_FATAL);
	cr_assert_eq(tlp.type, FAB_TLP_MSG);
	cr_assert_eq(tlp.msg_code, FAB_MSG_ERR_FATAL);
	cr_assert_eq(tlp.requester, 0x0100);
	cr_assert_eq(tlp.len, 0);
	cr_assert(fab_tlp_is_posted(&tlp));
}

/* ------------------------------------------------------------------ */
/* Completions */

static struct fab_tlp tagged_cfg_read(void)
{
	struct fab_tlp req;

	cr_assert_eq(
		fab_tlp_cfg_read(&req, false, 0x0100, 0x0200, 0x08, 2, NULL),
		0);
	req.tag = 0x2a;
	return req;
}

Test(fabric_pcie, complete_successful_read_is_cpld_with_request_length)
{
	struct fab_tlp req = tagged_cfg_read(), cpl;

	memset(&cpl, 0xa5, sizeof(cpl));
	fab_tlp_complete(&cpl, &req, 0x0200, FAB_CPL_SC);
	cr_assert_eq(cpl.type, FAB_TLP_CPLD);
	cr_assert_eq(cpl.len, 2);
	cr_assert_eq(cpl.requester, 0x0100);
	cr_assert_eq(cpl.tag, 0x2a);
	cr_assert_eq(cpl.completer, 0x0200);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	cr_assert(all_zero(cpl.data, sizeof(cpl.data)));
}

Test(fabric_pcie, complete_failed_read_is_cpl_without_data)
{
	struct fab_tlp req = tagged_cfg_read(), cpl;

	fab_tlp_complete(&cpl, &req, 0x0200, FAB_CPL_UR);
	cr_assert_eq(cpl.type, FAB_TLP_CPL);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	cr_assert_eq(cpl.len, 0);
	cr_assert_eq(cpl.tag, 0x2a);
}

Test(fabric_pcie, complete_config_write_is_cpl)
{
	struct fab_tlp req, cpl;

	cr_assert_eq(fab_tlp_cfg_write(&req, false, 0x0100, 0x0200, 0x04, 2, 6,
				       NULL),
		     0);
	fab_tlp_complete(&cpl, &req, 0x0200, FAB_CPL_SC);
	cr_assert_eq(cpl.type, FAB_TLP_CPL);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
}

Test(fabric_pcie, complete_memory_read_is_cpld)
{
	struct fab_tlp req, cpl;

	cr_assert_eq(fab_tlp_mem_read(&req, 0x0100, 0x1000, 16, NULL), 0);
	fab_tlp_complete(&cpl, &req, 0x0300, FAB_CPL_SC);
	cr_assert_eq(cpl.type, FAB_TLP_CPLD);
	cr_assert_eq(cpl.len, 16);
}

Test(fabric_pcie, complete_may_overwrite_its_request)
{
	struct fab_tlp tlp = tagged_cfg_read();

	fab_tlp_complete(&tlp, &tlp, 0x0200, FAB_CPL_SC);
	cr_assert_eq(tlp.type, FAB_TLP_CPLD);
	cr_assert_eq(tlp.requester, 0x0100);
	cr_assert_eq(tlp.tag, 0x2a);
	cr_assert_eq(tlp.len, 2);
	cr_assert_eq(tlp.cfg_reg, 0);
}

struct cfg_val {
	unsigned len;
	uint32_t set, read;
};

ParameterizedTestParameters(fabric_pcie, cfg_value_round_trips_len_bytes)
{
	static struct cfg_val cases[] = {
		{ 1, 0xdeadbeef, 0xef },
		{ 2, 0xdeadbeef, 0xbeef },
		{ 4, 0xdeadbeef, 0xdeadbeef },
	};

	return cr_make_param_array(struct cfg_val, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct cfg_val *c, fabric_pcie,
		  cfg_value_round_trips_len_bytes)
{
	struct fab_tlp req = tagged_cfg_read(), cpl;

	req.len = (uint16_t)c->len;
	fab_tlp_complete(&cpl, &req, 0x0200, FAB_CPL_SC);
	fab_tlp_set_cfg_value(&cpl, c->set);
	cr_assert_eq(fab_tlp_cfg_value(&cpl), c->read);
	cr_assert(all_zero(cpl.data + c->len, sizeof(cpl.data) - c->len));
}
