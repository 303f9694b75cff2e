/* SPDX-License-Identifier: MIT */
/*
 * fabric.c - the daemon's model of the fabric (fabric.h): snapshots read
 * over FMP, lookups, and the Redfish identifiers.
 *
 * FMP does not say what a port is cabled to, so a port's role is derived:
 * a partition's port is upstream; a port holding functions is downstream;
 * any other port is an interswitch port when the fabric has several chips
 * and its link is up (a link between chips trains at power-on), else an
 * empty downstream slot.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/fabric.h"

/* One snapshot; replaced as a whole so a failed refresh keeps the old. */
struct fabric_snap {
	struct sw_fmp_identify_rsp id;
	struct sw_fmp_fn *fns; /* id.nfunctions, fid order */
	size_t nfns;
	size_t *devices; /* index in fns of each device's function 0 */
	size_t ndevices;
	struct mgmt_fabric_part *parts; /* id.npartitions */
	size_t nparts;
	/* index in fns of the functions each partition owns: partition p's
	 * are owned[owned_first[p] .. owned_first[p + 1]), in fid order */
	size_t *owned;
	size_t *owned_first;		/* nparts + 1 */
	struct mgmt_fabric_port *ports; /* chip then port order */
	size_t nports;
	size_t chip_first[SW_MAX_CHIPS + 1]; /* chip c: ports[first[c]..] */
	size_t nchips;
};

struct mgmt_fabric {
	struct sw_fmp_client *fmp;
	struct fabric_snap snap;
	uint64_t generation;
};

static void fabric_snap_fini(struct fabric_snap *s)
{
	free(s->fns);
	free(s->devices);
	free(s->parts);
	free(s->owned);
	free(s->owned_first);
	free(s->ports);
	memset(s, 0, sizeof(*s));
}

static int fabric_load_fns(struct fabric_snap *s, struct sw_fmp_client *c,
			   struct fm_err *err)
{
	uint32_t total = 0;
	unsigned n = 0;
	size_t i;
	int ret;

	s->fns = calloc(s->id.nfunctions ? s->id.nfunctions : 1,
			sizeof(*s->fns));
	s->devices = calloc(s->id.nfunctions ? s->id.nfunctions : 1,
			    sizeof(*s->devices));
	if (!s->fns || !s->devices)
		return fm_err_set(err, FM_ENOMEM, "fabric: out of memory");
	ret = sw_fmp_client_list_functions(s->fns, &n, &total, c, 0,
					   s->id.nfunctions, err);
	if (ret < 0)
		return ret;
	if (n != total || total != s->id.nfunctions)
		return fm_err_set(err, FM_EPARSE,
				  "fabric: switch listed %u of %u functions, "
				  "identified %u",
				  n, total, s->id.nfunctions);
	s->nfns = n;
	for (i = 0; i < s->nfns; i++) {
		const struct sw_fmp_fn *fn = &s->fns[i];

		if (SW_FID_CHIP(fn->fid) >= s->id.nchips ||
		    (i > 0 && fn->fid <= s->fns[i - 1].fid))
			return fm_err_set(err, FM_EPARSE,
					  "fabric: function 0x%08x out of "
					  "order or on an unknown chip",
					  fn->fid);
		if (SW_FID_INDEX(fn->fid) == 0)
			s->devices[s->ndevices++] = i;
		else if (s->ndevices == 0 ||
			 (s->fns[s->devices[s->ndevices - 1]].fid ^ fn->fid) >>
				 16)
			return fm_err_set(err, FM_EPARSE,
					  "fabric: VF 0x%08x without its PF",
					  fn->fid);
	}
	return 0;
}

static int fabric_load_parts(struct fabric_snap *s, struct sw_fmp_client *c,
			     struct fm_err *err)
{
	size_t i;
	int ret;

	s->parts = calloc(s->id.npartitions ? s->id.npartitions : 1,
			  sizeof(*s->parts));
	if (!s->parts)
		return fm_err_set(err, FM_ENOMEM, "fabric: out of memory");
	for (i = 0; i < s->id.npartitions; i++) {
		ret = sw_fmp_client_partition(&s->parts[i].info,
					      s->parts[i].vppb, c, (unsigned)i,
					      err);
		if (ret < 0)
			return ret;
		if (s->parts[i].info.chip >= s->id.nchips)
			return fm_err_set(err, FM_EPARSE,
					  "fabric: partition %zu on chip %u "
					  "of %u",
					  i, s->parts[i].info.chip,
					  s->id.nchips);
	}
	s->nparts = s->id.npartitions;
	return 0;
}

/*
 * Ports: FMP gives the total only, so each chip's are probed from 0
 * until the switch refuses the port number (a status, not a transport
 * failure); the counts must add up to the total.
 */
static int fabric_load_ports(struct fabric_snap *s, struct sw_fmp_client *c,
			     struct fm_err *err)
{
	struct fm_err perr;
	unsigned chip, port;
	int ret;

	if (s->id.nchips > SW_MAX_CHIPS)
		return fm_err_set(err, FM_EPARSE,
				  "fabric: %u chips, at most %u", s->id.nchips,
				  SW_MAX_CHIPS);
	s->ports = calloc(s->id.nports ? s->id.nports : 1, sizeof(*s->ports));
	if (!s->ports)
		return fm_err_set(err, FM_ENOMEM, "fabric: out of memory");
	for (chip = 0; chip < s->id.nchips; chip++) {
		s->chip_first[chip] = s->nports;
		for (port = 0; port <= 0xff; port++) {
			struct mgmt_fabric_port *p = &s->ports[s->nports];
			struct sw_fmp_port_state_rsp st;

			fm_err_clear(&perr);
			ret = sw_fmp_client_port_state(&st, c, chip, port,
						       &perr);
			if (ret < 0 &&
			    sw_fmp_client_last_status(c) == SW_FMP_ST_OK) {
				if (err && !err->code)
					*err = perr;
				return ret;
			}
			if (ret < 0)
				break;
			if (s->nports == s->id.nports)
				return fm_err_set(err, FM_EPARSE,
						  "fabric: more than the %u "
						  "ports identified",
						  s->id.nports);
			p->chip = (uint8_t)chip;
			p->port = (uint8_t)port;
			p->partition = -1;
			p->device = SW_FID_NONE;
			p->state = st;
			s->nports++;
		}
	}
	s->chip_first[s->id.nchips] = s->nports;
	s->nchips = s->id.nchips;
	if (s->nports != s->id.nports)
		return fm_err_set(err, FM_EPARSE,
				  "fabric: found %zu of %u ports identified",
				  s->nports, s->id.nports);
	return 0;
}

/* Index in s->ports of (@chip, @port), or s->nports when none. */
static size_t fabric_port_index(const struct fabric_snap *s, unsigned chip,
				unsigned port)
{
	if (chip >= s->nchips ||
	    port >= s->chip_first[chip + 1] - s->chip_first[chip])
		return s->nports;
	return s->chip_first[chip] + port;
}

static struct mgmt_fabric_port *fabric_snap_port(struct fabric_snap *s,
						 unsigned chip, unsigned port)
{
	size_t i = fabric_port_index(s, chip, port);

	return i < s->nports ? &s->ports[i] : NULL;
}

static int fabric_set_roles(struct fabric_snap *s, struct fm_err *err)
{
	struct mgmt_fabric_port *p;
	size_t i;

	for (i = 0; i < s->nports; i++)
		s->ports[i].role = s->nchips > 1 && (s->ports[i].state.flags &
						     SW_FMP_PORT_UP)
					   ? MGMT_PORT_INTERSWITCH
					   : MGMT_PORT_DOWNSTREAM;
	for (i = 0; i < s->ndevices; i++) {
		uint32_t fid = s->fns[s->devices[i]].fid;

		p = fabric_snap_port(s, SW_FID_CHIP(fid), SW_FID_PORT(fid));
		if (!p)
			return fm_err_set(err, FM_EPARSE,
					  "fabric: device 0x%08x on no port",
					  fid);
		p->role = MGMT_PORT_DOWNSTREAM;
		p->device = fid;
	}
	for (i = 0; i < s->nparts; i++) {
		p = fabric_snap_port(s, s->parts[i].info.chip,
				     s->parts[i].info.port);
		if (!p || p->device != SW_FID_NONE)
			return fm_err_set(err, FM_EPARSE,
					  "fabric: partition %zu on port "
					  "%u/%u",
					  i, s->parts[i].info.chip,
					  s->parts[i].info.port);
		p->role = MGMT_PORT_UPSTREAM;
		p->partition = (int16_t)i;
	}
	return 0;
}

/* The owner index (a counting sort of the functions by owner). */
static int fabric_index_owners(struct fabric_snap *s, struct fm_err *err)
{
	size_t i, p;

	s->owned = calloc(s->nfns ? s->nfns : 1, sizeof(*s->owned));
	s->owned_first = calloc(s->nparts + 2, sizeof(*s->owned_first));
	if (!s->owned || !s->owned_first)
		return fm_err_set(err, FM_ENOMEM, "fabric: out of memory");
	for (i = 0; i < s->nfns; i++) {
		int16_t owner = s->fns[i].partition;

		if (owner >= (int)s->nparts)
			return fm_err_set(err, FM_EPARSE,
					  "fabric: function 0x%08x owned by "
					  "partition %d of %zu",
					  s->fns[i].fid, owner, s->nparts);
		if (owner >= 0)
			s->owned_first[owner + 2]++;
	}
	for (p = 2; p < s->nparts + 2; p++)
		s->owned_first[p] += s->owned_first[p - 1];
	for (i = 0; i < s->nfns; i++)
		if (s->fns[i].partition >= 0)
			s->owned[s->owned_first[s->fns[i].partition + 1]++] = i;
	return 0;
}

static int fabric_snap_load(struct fabric_snap *s, struct sw_fmp_client *c,
			    struct fm_err *err)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = sw_fmp_client_identify(&s->id, c, err);
	if (ret == 0)
		ret = fabric_load_fns(s, c, err);
	if (ret == 0)
		ret = fabric_load_parts(s, c, err);
	if (ret == 0)
		ret = fabric_load_ports(s, c, err);
	if (ret == 0)
		ret = fabric_set_roles(s, err);
	if (ret == 0)
		ret = fabric_index_owners(s, err);
	if (ret < 0)
		fabric_snap_fini(s);
	return ret;
}

int mgmt_fabric_new(struct mgmt_fabric **out, struct sw_fmp_client *fmp,
		    struct fm_err *err)
{
	struct mgmt_fabric *f;
	int ret;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return fm_err_set(err, FM_ENOMEM, "fabric: out of memory");
	f->fmp = fmp;
	ret = mgmt_fabric_refresh(f, err);
	if (ret < 0) {
		free(f);
		return ret;
	}
	*out = f;
	return 0;
}

void mgmt_fabric_free(struct mgmt_fabric *f)
{
	if (!f)
		return;
	fabric_snap_fini(&f->snap);
	free(f);
}

int mgmt_fabric_refresh(struct mgmt_fabric *f, struct fm_err *err)
{
	struct fabric_snap s;
	int ret;

	ret = fabric_snap_load(&s, f->fmp, err);
	if (ret < 0)
		return ret;
	fabric_snap_fini(&f->snap);
	f->snap = s;
	f->generation++;
	return 0;
}

int mgmt_fabric_sync(struct mgmt_fabric *f, struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	int ret;

	ret = sw_fmp_client_identify(&id, f->fmp, err);
	if (ret < 0)
		return ret;
	if (id.last_event_seq == f->snap.id.last_event_seq)
		return 0;
	return mgmt_fabric_refresh(f, err);
}

uint64_t mgmt_fabric_generation(const struct mgmt_fabric *f)
{
	return f->generation;
}

struct sw_fmp_client *mgmt_fabric_client(const struct mgmt_fabric *f)
{
	return f->fmp;
}

const struct sw_fmp_identify_rsp *
mgmt_fabric_identity(const struct mgmt_fabric *f)
{
	return &f->snap.id;
}

size_t mgmt_fabric_fn_count(const struct mgmt_fabric *f)
{
	return f->snap.nfns;
}

const struct sw_fmp_fn *mgmt_fabric_fn(const struct mgmt_fabric *f, size_t i)
{
	return i < f->snap.nfns ? &f->snap.fns[i] : NULL;
}

/* Index of @fid in the function list (binary search), or nfns. */
static size_t fabric_fn_index(const struct fabric_snap *s, uint32_t fid)
{
	size_t lo = 0, hi = s->nfns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->fns[mid].fid < fid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nfns && s->fns[lo].fid == fid ? lo : s->nfns;
}

const struct sw_fmp_fn *mgmt_fabric_fn_find(const struct mgmt_fabric *f,
					    uint32_t fid)
{
	size_t i = fabric_fn_index(&f->snap, fid);

	return i < f->snap.nfns ? &f->snap.fns[i] : NULL;
}

bool mgmt_fabric_fn_assignable(const struct sw_fmp_fn *fn)
{
	return !(fn->flags & SW_FMP_FN_SRIOV);
}

size_t mgmt_fabric_device_count(const struct mgmt_fabric *f)
{
	return f->snap.ndevices;
}

const struct sw_fmp_fn *mgmt_fabric_device(const struct mgmt_fabric *f,
					   size_t i)
{
	return i < f->snap.ndevices ? &f->snap.fns[f->snap.devices[i]] : NULL;
}

int mgmt_fabric_device_fns(size_t *first, size_t *n,
			   const struct mgmt_fabric *f, unsigned chip,
			   unsigned port, struct fm_err *err)
{
	const struct fabric_snap *s = &f->snap;
	size_t i, end;

	i = chip <= 0xff && port <= 0xff
		    ? fabric_fn_index(s, SW_FID(chip, port, 0))
		    : s->nfns;
	if (i == s->nfns)
		return fm_err_set(err, FM_ENOENT, "no device on port %u/%u",
				  chip, port);
	for (end = i + 1;
	     end < s->nfns && !((s->fns[end].fid ^ s->fns[i].fid) >> 16); end++)
		;
	*first = i;
	*n = end - i;
	return 0;
}

size_t mgmt_fabric_part_count(const struct mgmt_fabric *f)
{
	return f->snap.nparts;
}

const struct mgmt_fabric_part *mgmt_fabric_part(const struct mgmt_fabric *f,
						unsigned part)
{
	return part < f->snap.nparts ? &f->snap.parts[part] : NULL;
}

size_t mgmt_fabric_part_fns(const size_t **idx, const struct mgmt_fabric *f,
			    unsigned part)
{
	const struct fabric_snap *s = &f->snap;

	if (part >= s->nparts) {
		*idx = s->owned;
		return 0;
	}
	*idx = s->owned + s->owned_first[part];
	return s->owned_first[part + 1] - s->owned_first[part];
}

size_t mgmt_fabric_chip_count(const struct mgmt_fabric *f)
{
	return f->snap.nchips;
}

size_t mgmt_fabric_port_count(const struct mgmt_fabric *f, unsigned chip)
{
	if (chip >= f->snap.nchips)
		return 0;
	return f->snap.chip_first[chip + 1] - f->snap.chip_first[chip];
}

const struct mgmt_fabric_port *mgmt_fabric_port(const struct mgmt_fabric *f,
						unsigned chip, unsigned port)
{
	size_t i = fabric_port_index(&f->snap, chip, port);

	return i < f->snap.nports ? &f->snap.ports[i] : NULL;
}

static const char *const fabric_role_names[] = {
	[MGMT_PORT_UPSTREAM] = "UpstreamPort",
	[MGMT_PORT_DOWNSTREAM] = "DownstreamPort",
	[MGMT_PORT_INTERSWITCH] = "InterswitchPort",
};

const char *mgmt_fabric_port_role_name(enum mgmt_port_role role)
{
	return (size_t)role < FM_ARRAY_SIZE(fabric_role_names)
		       ? fabric_role_names[role]
		       : NULL;
}

/* ---------------------------------------------------------------------
 * Identifiers and URIs.
 */

static int __attribute__((format(printf, 3, 4)))
fabric_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			out[0] = '\0';
		return -FM_ERANGE;
	}
	return n;
}

#define FID_ARGS(fid)                                                          \
	(unsigned)SW_FID_CHIP(fid), (unsigned)SW_FID_PORT(fid),                \
		(unsigned)SW_FID_INDEX(fid)

int mgmt_fabric_switch_id(char *out, size_t len, unsigned chip)
{
	return fabric_fmt(out, len, "%u", chip);
}

int mgmt_fabric_port_id(char *out, size_t len, unsigned port)
{
	return fabric_fmt(out, len, "%u", port);
}

int mgmt_fabric_host_endpoint_id(char *out, size_t len, unsigned part)
{
	return fabric_fmt(out, len, "Host-%u", part);
}

int mgmt_fabric_fn_endpoint_id(char *out, size_t len, uint32_t fid)
{
	return fabric_fmt(out, len, "F-%u-%u-%u", FID_ARGS(fid));
}

int mgmt_fabric_zone_id(char *out, size_t len, unsigned part)
{
	return fabric_fmt(out, len, "Zone-%u", part);
}

int mgmt_fabric_blade_id(char *out, size_t len, unsigned part)
{
	return fabric_fmt(out, len, "Blade-%u", part);
}

int mgmt_fabric_device_id(char *out, size_t len, uint32_t fid)
{
	return fabric_fmt(out, len, "%u-%u", (unsigned)SW_FID_CHIP(fid),
			  (unsigned)SW_FID_PORT(fid));
}

int mgmt_fabric_fn_id(char *out, size_t len, uint32_t fid)
{
	return fabric_fmt(out, len, "%u", (unsigned)SW_FID_INDEX(fid));
}

int mgmt_fabric_switch_uri(char *out, size_t len, unsigned chip)
{
	return fabric_fmt(out, len, MGMT_FABRIC_URI "/Switches/%u", chip);
}

int mgmt_fabric_port_uri(char *out, size_t len, unsigned chip, unsigned port)
{
	return fabric_fmt(out, len, MGMT_FABRIC_URI "/Switches/%u/Ports/%u",
			  chip, port);
}

int mgmt_fabric_host_endpoint_uri(char *out, size_t len, unsigned part)
{
	return fabric_fmt(out, len, MGMT_FABRIC_URI "/Endpoints/Host-%u", part);
}

int mgmt_fabric_fn_endpoint_uri(char *out, size_t len, uint32_t fid)
{
	return fabric_fmt(out, len, MGMT_FABRIC_URI "/Endpoints/F-%u-%u-%u",
			  FID_ARGS(fid));
}

int mgmt_fabric_zone_uri(char *out, size_t len, unsigned part)
{
	return fabric_fmt(out, len, MGMT_FABRIC_URI "/Zones/Zone-%u", part);
}

int mgmt_fabric_chassis_uri(char *out, size_t len, unsigned part)
{
	return fabric_fmt(out, len, "/redfish/v1/Chassis/Blade-%u", part);
}

int mgmt_fabric_system_uri(char *out, size_t len, unsigned part)
{
	return fabric_fmt(out, len, "/redfish/v1/Systems/Blade-%u", part);
}

int mgmt_fabric_device_uri(char *out, size_t len, uint32_t fid)
{
	return fabric_fmt(
		out, len, MGMT_FABRIC_ENCLOSURE_URI "/PCIeDevices/%u-%u",
		(unsigned)SW_FID_CHIP(fid), (unsigned)SW_FID_PORT(fid));
}

int mgmt_fabric_fn_uri(char *out, size_t len, uint32_t fid)
{
	return fabric_fmt(out, len,
			  MGMT_FABRIC_ENCLOSURE_URI
			  "/PCIeDevices/%u-%u/PCIeFunctions/%u",
			  FID_ARGS(fid));
}

/*
 * A decimal number at *s of at most @max, no sign, no leading zero (so
 * every number has one spelling); *s moves past it.
 */
static bool fabric_parse_num(unsigned *out, const char **s, unsigned max)
{
	const char *p = *s;
	unsigned long v = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return false;
	}
	*out = (unsigned)v;
	*s = p;
	return true;
}

/* @id is @prefix then a number of at most @max and nothing more. */
static int fabric_parse_prefixed(unsigned *out, const char *id,
				 const char *prefix, unsigned max,
				 const char *what, struct fm_err *err)
{
	size_t plen = strlen(prefix);
	const char *p = id;
	unsigned v;

	if (strncmp(id, prefix, plen) == 0) {
		p = id + plen;
		if (fabric_parse_num(&v, &p, max) && *p == '\0') {
			*out = v;
			return 0;
		}
	}
	return fm_err_set(err, FM_ENOENT, "no %s %s", what, id);
}

int mgmt_fabric_switch_id_parse(unsigned *chip, const char *id,
				struct fm_err *err)
{
	return fabric_parse_prefixed(chip, id, "", SW_MAX_CHIPS - 1, "switch",
				     err);
}

int mgmt_fabric_port_id_parse(unsigned *port, const char *id,
			      struct fm_err *err)
{
	return fabric_parse_prefixed(port, id, "", 0xff, "port", err);
}

int mgmt_fabric_endpoint_id_parse(bool *is_host, int *part, uint32_t *fid,
				  const char *id, struct fm_err *err)
{
	const char *p = id;
	unsigned c = 0, port = 0, idx = 0, n = 0;

	if (strncmp(id, "Host-", 5) == 0) {
		if (fabric_parse_prefixed(&n, id, "Host-", 0x7fff, "endpoint",
					  err) < 0)
			return -FM_ENOENT;
		*is_host = true;
		*part = (int)n;
		*fid = SW_FID_NONE;
		return 0;
	}
	if (strncmp(p, "F-", 2) == 0) {
		p += 2;
		if (fabric_parse_num(&c, &p, 0xff) && *p++ == '-' &&
		    fabric_parse_num(&port, &p, 0xff) && *p++ == '-' &&
		    fabric_parse_num(&idx, &p, 0xffff) && *p == '\0' &&
		    SW_FID(c, port, idx) != SW_FID_NONE) {
			*is_host = false;
			*part = -1;
			*fid = SW_FID(c, port, idx);
			return 0;
		}
	}
	return fm_err_set(err, FM_ENOENT, "no endpoint %s", id);
}

int mgmt_fabric_zone_id_parse(unsigned *part, const char *id,
			      struct fm_err *err)
{
	return fabric_parse_prefixed(part, id, "Zone-", 0x7fff, "zone", err);
}

int mgmt_fabric_blade_id_parse(unsigned *part, const char *id,
			       struct fm_err *err)
{
	return fabric_parse_prefixed(part, id, "Blade-", 0x7fff, "blade", err);
}

int mgmt_fabric_device_id_parse(uint32_t *fid, const char *id,
				struct fm_err *err)
{
	const char *p = id;
	unsigned c, port;

	if (fabric_parse_num(&c, &p, 0xff) && *p++ == '-' &&
	    fabric_parse_num(&port, &p, 0xff) && *p == '\0') {
		*fid = SW_FID(c, port, 0);
		return 0;
	}
	return fm_err_set(err, FM_ENOENT, "no PCIe device %s", id);
}

int mgmt_fabric_fn_id_parse(uint32_t *fid, uint32_t device_fid, const char *id,
			    struct fm_err *err)
{
	unsigned idx = 0;

	if (fabric_parse_prefixed(&idx, id, "", 0xffff, "PCIe function", err) <
	    0)
		return -FM_ENOENT;
	*fid = SW_FID(SW_FID_CHIP(device_fid), SW_FID_PORT(device_fid), idx);
	return 0;
}
