/* SPDX-License-Identifier: MIT */
/*
 * pcie.c - routing IDs and transaction layer packets.
 */
#include "fabric/pcie.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "fabric/cfg.h"

char *fab_rid_format(char *buf, uint16_t rid)
{
	snprintf(buf, FAB_RID_STR_LEN, "%02x:%02x.%x", FAB_RID_BUS(rid),
		 FAB_RID_DEV(rid), FAB_RID_FN(rid));
	return buf;
}

/* Longest hex field we read; longer is junk, not a large number. */
#define FAB_RID_FIELD_DIGITS 8

/*
 * Read one hex field at *p into *val and advance *p.  Returns false when
 * there is no digit or more than FAB_RID_FIELD_DIGITS of them.
 */
static bool fab_rid_hex(uint32_t *val, const char **p)
{
	const char *s = *p;
	uint32_t v = 0;
	int n;

	for (n = 0; n <= FAB_RID_FIELD_DIGITS; n++) {
		int d;

		if (s[n] >= '0' && s[n] <= '9')
			d = s[n] - '0';
		else if (s[n] >= 'a' && s[n] <= 'f')
			d = s[n] - 'a' + 10;
		else if (s[n] >= 'A' && s[n] <= 'F')
			d = s[n] - 'A' + 10;
		else
			break;
		v = v * 16 + (uint32_t)d;
	}
	if (n == 0 || n > FAB_RID_FIELD_DIGITS)
		return false;
	*val = v;
	*p = s + n;
	return true;
}

/* Step over @c at *p; false (and no step) when something else is there. */
static bool fab_rid_sep(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* Field limits, checked in this order so the message names the first. */
struct fab_rid_field {
	const char *name;
	uint32_t max;
};

static const struct fab_rid_field fab_rid_fields[] = {
	{ "domain", 0xffff },
	{ "bus", 0xff },
	{ "device", 0x1f },
	{ "function", 0x7 },
};

int fab_rid_parse(uint16_t *rid, const char *s, struct fm_err *err)
{
	uint32_t v[4] = { 0 }; /* domain, bus, device, function */
	const char *p = s;
	size_t i;

	if (!s)
		return fm_err_set(err, FM_EINVAL, "missing routing ID");
	/* "a:b.f" or "a:b:c.f": read the first two, then decide. */
	if (!fab_rid_hex(&v[1], &p) || !fab_rid_sep(&p, ':') ||
	    !fab_rid_hex(&v[2], &p))
		goto syntax;
	if (fab_rid_sep(&p, ':')) {
		v[0] = v[1];
		v[1] = v[2];
		if (!fab_rid_hex(&v[2], &p))
			goto syntax;
	}
	if (!fab_rid_sep(&p, '.') || !fab_rid_hex(&v[3], &p))
		goto syntax;
	if (*p != '\0')
		return fm_err_set(err, FM_EINVAL,
				  "invalid routing ID \"%s\": trailing \"%s\"",
				  s, p);
	for (i = 0; i < FM_ARRAY_SIZE(fab_rid_fields); i++) {
		const struct fab_rid_field *f = &fab_rid_fields[i];

		if (v[i] > f->max)
			return fm_err_set(err, FM_EINVAL,
					  "invalid routing ID \"%s\": %s %#x "
					  "above %#x",
					  s, f->name, v[i], f->max);
	}
	*rid = FAB_RID(v[1], v[2], v[3]);
	return 0;
syntax:
	return fm_err_set(err, FM_EINVAL,
			  "invalid routing ID \"%s\": expected bb:dd.f or "
			  "dddd:bb:dd.f in hex",
			  s);
}

bool fab_tlp_is_posted(const struct fab_tlp *tlp)
{
	return tlp->type == FAB_TLP_MEM_WR || tlp->type == FAB_TLP_MSG;
}

bool fab_tlp_is_cfg(const struct fab_tlp *tlp)
{
	return tlp->type == FAB_TLP_CFG_RD0 || tlp->type == FAB_TLP_CFG_WR0 ||
	       tlp->type == FAB_TLP_CFG_RD1 || tlp->type == FAB_TLP_CFG_WR1;
}

/* Config writes are non-posted too (r6.0 2.2.7): they complete with Cpl. */
bool fab_tlp_is_nonposted(const struct fab_tlp *tlp)
{
	return fab_tlp_is_cfg(tlp) || tlp->type == FAB_TLP_MEM_RD;
}

bool fab_tlp_is_msi(const struct fab_tlp *tlp)
{
	return tlp->type == FAB_TLP_MEM_WR && tlp->addr >= FAB_MSI_ADDR_BASE &&
	       tlp->addr - FAB_MSI_ADDR_BASE < FAB_MSI_ADDR_SIZE;
}

static const char *const fab_tlp_names[FAB_TLP_TYPE_COUNT] = {
	[FAB_TLP_CFG_RD0] = "CfgRd0", [FAB_TLP_CFG_WR0] = "CfgWr0",
	[FAB_TLP_CFG_RD1] = "CfgRd1", [FAB_TLP_CFG_WR1] = "CfgWr1",
	[FAB_TLP_MEM_RD] = "MRd",     [FAB_TLP_MEM_WR] = "MWr",
	[FAB_TLP_CPL] = "Cpl",	      [FAB_TLP_CPLD] = "CplD",
	[FAB_TLP_MSG] = "Msg",
};

const char *fab_tlp_type_name(enum fab_tlp_type type)
{
	if ((unsigned)type >= FAB_TLP_TYPE_COUNT)
		return "?";
	return fab_tlp_names[type];
}

static void fab_tlp_init(struct fab_tlp *tlp, enum fab_tlp_type type,
			 uint16_t requester, unsigned len)
{
	memset(tlp, 0, sizeof(*tlp));
	tlp->type = (uint8_t)type;
	tlp->requester = requester;
	tlp->len = (uint16_t)len;
}

int fab_tlp_cfg_read(struct fab_tlp *tlp, bool type1, uint16_t requester,
		     uint16_t target, uint16_t reg, unsigned len,
		     struct fm_err *err)
{
	int ret;

	ret = fab_cfg_check_access(reg, len, FAB_PCI_CFG_SPACE_EXP_SIZE, err);
	if (ret < 0)
		return ret;
	fab_tlp_init(tlp, type1 ? FAB_TLP_CFG_RD1 : FAB_TLP_CFG_RD0, requester,
		     len);
	tlp->cfg_target = target;
	tlp->cfg_reg = reg;
	return 0;
}

int fab_tlp_cfg_write(struct fab_tlp *tlp, bool type1, uint16_t requester,
		      uint16_t target, uint16_t reg, unsigned len, uint32_t val,
		      struct fm_err *err)
{
	int ret;

	ret = fab_cfg_check_access(reg, len, FAB_PCI_CFG_SPACE_EXP_SIZE, err);
	if (ret < 0)
		return ret;
	fab_tlp_init(tlp, type1 ? FAB_TLP_CFG_WR1 : FAB_TLP_CFG_WR0, requester,
		     len);
	tlp->cfg_target = target;
	tlp->cfg_reg = reg;
	fab_tlp_set_cfg_value(tlp, val);
	return 0;
}

static int fab_tlp_check_mem(const char *what, uint64_t addr, unsigned len,
			     struct fm_err *err)
{
	if (len >= 1 && len <= FAB_TLP_MAX_DATA)
		return 0;
	return fm_err_set(err, FM_EINVAL,
			  "%u-byte memory %s at 0x%llx: length must be "
			  "1..%u",
			  len, what, (unsigned long long)addr,
			  FAB_TLP_MAX_DATA);
}

int fab_tlp_mem_read(struct fab_tlp *tlp, uint16_t requester, uint64_t addr,
		     unsigned len, struct fm_err *err)
{
	int ret;

	ret = fab_tlp_check_mem("read", addr, len, err);
	if (ret < 0)
		return ret;
	fab_tlp_init(tlp, FAB_TLP_MEM_RD, requester, len);
	tlp->addr = addr;
	return 0;
}

int fab_tlp_mem_write(struct fab_tlp *tlp, uint16_t requester, uint64_t addr,
		      const void *data, unsigned len, struct fm_err *err)
{
	int ret;

	ret = fab_tlp_check_mem("write", addr, len, err);
	if (ret < 0)
		return ret;
	assert(data);
	fab_tlp_init(tlp, FAB_TLP_MEM_WR, requester, len);
	tlp->addr = addr;
	memcpy(tlp->data, data, len);
	return 0;
}

void fab_tlp_msi(struct fab_tlp *tlp, uint16_t requester, uint64_t addr,
		 uint32_t data)
{
	fab_tlp_init(tlp, FAB_TLP_MEM_WR, requester, 4);
	tlp->addr = addr;
	fab_cfg_wr32(tlp->data, 0, data);
}

void fab_tlp_msg(struct fab_tlp *tlp, uint16_t requester,
		 enum fab_msg_code code)
{
	fab_tlp_init(tlp, FAB_TLP_MSG, requester, 0);
	tlp->msg_code = (uint8_t)code;
}

/*
 * A successful read returns its data in a CplD of the request's length;
 * everything else (writes, failed reads) gets a Cpl (r6.0 2.2.9).  @cpl
 * may alias @req.
 */
void fab_tlp_complete(struct fab_tlp *cpl, const struct fab_tlp *req,
		      uint16_t completer, enum fab_cpl_status status)
{
	bool read = req->type == FAB_TLP_CFG_RD0 ||
		    req->type == FAB_TLP_CFG_RD1 || req->type == FAB_TLP_MEM_RD;
	bool with_data = read && status == FAB_CPL_SC;
	uint16_t requester = req->requester;
	uint8_t tag = req->tag;
	uint16_t len = req->len;

	fab_tlp_init(cpl, with_data ? FAB_TLP_CPLD : FAB_TLP_CPL, requester,
		     with_data ? len : 0);
	cpl->tag = tag;
	cpl->completer = completer;
	cpl->status = (uint8_t)status;
}

/* Payload bytes a config value spans: the TLP length, at most 4. */
static unsigned fab_tlp_cfg_len(const struct fab_tlp *tlp)
{
	return tlp->len < 4 ? tlp->len : 4;
}

uint32_t fab_tlp_cfg_value(const struct fab_tlp *tlp)
{
	uint32_t v = 0;
	unsigned i;

	for (i = fab_tlp_cfg_len(tlp); i > 0; i--)
		v = v << 8 | tlp->data[i - 1];
	return v;
}

void fab_tlp_set_cfg_value(struct fab_tlp *tlp, uint32_t val)
{
	unsigned n = fab_tlp_cfg_len(tlp);
	unsigned i;

	for (i = 0; i < n; i++)
		tlp->data[i] = (uint8_t)(val >> (8 * i));
}
