/* SPDX-License-Identifier: MIT */
/*
 * chassis.c - build a simulated chassis from its JSON description.
 *
 * Loading runs in three stages, and nothing is built until all of them
 * pass: parse (errors carry file:line:column), validate against the
 * embedded schemas/chassis.schema.json, then the checks a schema cannot
 * express (names, cable references, BAR layout, bus numbers).  Every error
 * names the field the way the schema validator does ("switches[0].ports[2]
 * .blade: ...").  Then the builder creates the clock, switches, endpoints,
 * blades and cables, and sim_chassis_power_on() trains the links and boots
 * the blades.
 *
 * Physical bus numbers (the switch management CPU's view of each switch,
 * one PCI domain per switch) are assigned like a host enumerating the
 * fabric depth first: bus 0 holds the port bridges (port p at 00:p.0), and
 * each port in port order takes the next free bus as its secondary bus; a
 * downstream port's range also covers every bus its endpoint's VFs could
 * occupy.  Upstream and fabric ports and empty slots get one (empty) bus
 * each, as Linux gives every bridge a secondary bus: a bridge left at
 * secondary bus 0 would claim bus 0 itself, and lspci's tree would hang
 * the domain's bus 0 below its own bridge.
 */
#include "sim/chassis_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fabric/json.h"

/* Defaults for what the description may leave out (see the schema). */
#define CH_RP_VENDOR 0x1022 /* AMD */
#define CH_RP_DEVICE 0x1483 /* EPYC/Matisse GPP bridge (a root port) */
#define CH_MMIO_BASE 0xc0000000ULL
#define CH_MMIO_SIZE 0x3ec00000ULL
#define CH_PREF_BASE 0x4000000000ULL
#define CH_PREF_SIZE 0x4000000000ULL
#define CH_FLASH_SIZE (1ULL << 20)
#define CH_FLASH_MAX (64ULL << 20)
#define CH_ADDR_LIMIT (1ULL << 52) /* x86-64 physical address bits */

/* Events power-on may run before the chassis counts as never settling. */
#define CH_POWER_ON_MAX_EVENTS 50000000ULL

#define CH_PATH_MAX 96

/*
 * Link training time, detect to DL_Active.  Detect, Polling and
 * Configuration at 2.5 GT/s take about 20 ms (Detect.Quiet alone may last
 * 12 ms, r6.0 4.2.6.1); a change to 5 GT/s goes through Recovery in well
 * under a millisecond; each rate from 8 GT/s up is reached through
 * Recovery.Equalization (r6.0 4.2.6.4.2), whose phases 2 and 3 take about
 * 15 ms together on real links.  So x16 Gen5 trains in 67 ms, comfortably
 * inside the 100 ms a host waits before its first config request.
 */
uint64_t sim_chassis_train_ns(uint8_t speed)
{
	uint64_t ns = 20 * FAB_NS_PER_MS;

	if (speed >= 2)
		ns += FAB_NS_PER_MS;
	if (speed >= 3)
		ns += (uint64_t)(speed - 2) * 15 * FAB_NS_PER_MS;
	return ns;
}

/* Indexed by PCI_EXP_LNKCAP_SLS encoding. */
static const char *const ch_speed_names[] = {
	[1] = "2.5GT/s", [2] = "5GT/s",	 [3] = "8GT/s",
	[4] = "16GT/s",	 [5] = "32GT/s", [6] = "64GT/s",
};

const char *sim_chassis_speed_name(uint8_t speed)
{
	if (speed >= FM_ARRAY_SIZE(ch_speed_names) || !ch_speed_names[speed])
		return "?";
	return ch_speed_names[speed];
}

static const char *const ch_kind_names[] = {
	[FAB_PORT_UPSTREAM] = "upstream",
	[FAB_PORT_DOWNSTREAM] = "downstream",
	[FAB_PORT_FABRIC] = "fabric",
};

/* ---------------------------------------------------------------------
 * Errors and JSON access.  The schema already checked every type, so the
 * accessors below only look values up.
 */

static int ch_fail(struct fm_err *err, int code, const char *path,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int ch_fail(struct fm_err *err, int code, const char *path,
		   const char *fmt, ...)
{
	char reason[FM_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return fm_err_set(err, code, "%s: %s", path, reason);
}

static struct json_object *ch_get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static unsigned ch_count(struct json_object *arr)
{
	return arr ? (unsigned)json_object_array_length(arr) : 0;
}

static struct json_object *ch_at(struct json_object *arr, unsigned i)
{
	return json_object_array_get_idx(arr, i);
}

static const char *ch_str(struct json_object *obj, const char *key)
{
	struct json_object *v = ch_get(obj, key);

	return v ? json_object_get_string(v) : NULL;
}

static bool ch_bool(struct json_object *obj, const char *key)
{
	struct json_object *v = ch_get(obj, key);

	return v ? json_object_get_boolean(v) : false;
}

/* "0x15b3" (pattern-checked) or @def when absent. */
static uint32_t ch_hex(struct json_object *obj, const char *key, uint32_t def)
{
	const char *s = ch_str(obj, key);

	return s ? (uint32_t)strtoul(s + 2, NULL, 16) : def;
}

static void ch_copy_name(char dst[32], const char *src)
{
	snprintf(dst, 32, "%s", src);
}

/* A size: integer bytes, or digits with an optional K/M/G/T suffix. */
static int ch_size(uint64_t *out, struct json_object *v, const char *path,
		   struct fm_err *err)
{
	static const char units[] = "KMGT";
	const char *s;
	uint64_t n = 0;
	unsigned shift = 0;

	if (json_object_is_type(v, json_type_int)) {
		*out = (uint64_t)json_object_get_int64(v);
		return 0;
	}
	s = json_object_get_string(v);
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (n > (UINT64_MAX - d) / 10)
			goto too_large;
		n = n * 10 + d;
	}
	if (*s)
		shift = 10 * (unsigned)(strchr(units, *s) - units + 1);
	if (n > (UINT64_MAX >> shift))
		goto too_large;
	*out = n << shift;
	return 0;

too_large:
	return ch_fail(err, FM_ERANGE, path, "\"%s\" is too large",
		       json_object_get_string(v));
}

/* An address: integer, or "0x" and up to 16 hex digits. */
static uint64_t ch_address(struct json_object *v)
{
	if (json_object_is_type(v, json_type_int))
		return (uint64_t)json_object_get_int64(v);
	return strtoull(json_object_get_string(v) + 2, NULL, 16);
}

static bool ch_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Link widths and speeds come from schema enums. */
static void ch_link(uint8_t *width, uint8_t *speed, struct json_object *link)
{
	const char *s = ch_str(link, "speed");
	unsigned i;

	*width = (uint8_t)json_object_get_int(ch_get(link, "width"));
	*speed = 1;
	for (i = 1; i < FM_ARRAY_SIZE(ch_speed_names); i++) {
		if (strcmp(s, ch_speed_names[i]) == 0)
			*speed = (uint8_t)i;
	}
}

/* ---------------------------------------------------------------------
 * Stage 3: the checks a schema cannot express, filling the chassis plan.
 */

struct ch_name {
	const char *name;
	char path[CH_PATH_MAX];
};

/* Names are unique across blades, switches and endpoints. */
static int ch_check_names(struct json_object *doc, struct fm_err *err)
{
	static const char *const lists[] = { "blades", "switches",
					     "endpoints" };
	struct ch_name *names = NULL;
	unsigned n = 0, total = 0, l, i, j;
	int ret = 0;

	for (l = 0; l < FM_ARRAY_SIZE(lists); l++)
		total += ch_count(ch_get(doc, lists[l]));
	names = calloc(total ? total : 1, sizeof(*names));
	if (!names)
		return fm_err_set(err, FM_ENOMEM, "chassis: out of memory");
	for (l = 0; l < FM_ARRAY_SIZE(lists); l++) {
		struct json_object *arr = ch_get(doc, lists[l]);

		for (i = 0; i < ch_count(arr); i++) {
			const char *name = ch_str(ch_at(arr, i), "name");

			snprintf(names[n].path, CH_PATH_MAX, "%s[%u].name",
				 lists[l], i);
			for (j = 0; j < n; j++) {
				if (strcmp(names[j].name, name) != 0)
					continue;
				ret = ch_fail(err, FM_EEXIST, names[n].path,
					      "\"%s\" is already the name of "
					      "%.*s",
					      name,
					      (int)(strlen(names[j].path) - 5),
					      names[j].path);
				goto out;
			}
			names[n++].name = name;
		}
	}
out:
	free(names);
	return ret;
}

/* An MMIO aperture; @limit is the first address it may not reach. */
static int ch_aperture(uint64_t *base, uint64_t *size, struct json_object *ap,
		       uint64_t limit, const char *limit_name, const char *path,
		       struct fm_err *err)
{
	char sub[CH_PATH_MAX];
	int ret;

	if (!ap)
		return 0;
	snprintf(sub, sizeof(sub), "%s.size", path);
	ret = ch_size(size, ch_get(ap, "size"), sub, err);
	if (ret < 0)
		return ret;
	*base = ch_address(ch_get(ap, "base"));
	if (*base >= limit || *size > limit - *base)
		return ch_fail(err, FM_ERANGE, path,
			       "0x%" PRIx64 " + 0x%" PRIx64
			       " runs past %s at 0x%" PRIx64,
			       *base, *size, limit_name, limit);
	return 0;
}

static int ch_parse_blade(struct sim_ch_blade *cb, struct json_object *jb,
			  unsigned i, struct fm_err *err)
{
	struct sim_blade_desc *d = &cb->desc;
	struct json_object *rp = ch_get(jb, "root_port");
	char path[CH_PATH_MAX];
	int ret;

	ch_copy_name(d->name, ch_str(jb, "name"));
	ch_link(&d->link_width, &d->link_speed, ch_get(jb, "link"));
	d->rp_vendor = (uint16_t)(rp ? ch_hex(rp, "vendor", 0) : CH_RP_VENDOR);
	d->rp_device = (uint16_t)(rp ? ch_hex(rp, "device", 0) : CH_RP_DEVICE);
	d->mmio_base = CH_MMIO_BASE;
	d->mmio_size = CH_MMIO_SIZE;
	d->pref_base = CH_PREF_BASE;
	d->pref_size = CH_PREF_SIZE;
	snprintf(path, sizeof(path), "blades[%u].mmio", i);
	ret = ch_aperture(&d->mmio_base, &d->mmio_size, ch_get(jb, "mmio"),
			  FAB_MSI_ADDR_BASE, "the MSI window", path, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "blades[%u].mmio64", i);
	ret = ch_aperture(&d->pref_base, &d->pref_size, ch_get(jb, "mmio64"),
			  CH_ADDR_LIMIT, "the 52-bit address limit", path, err);
	if (ret < 0)
		return ret;
	cb->sw = -1;
	return 0;
}

/*
 * BARs: a 64-bit BAR takes its slot and the next; sizes are powers of two
 * from 16 bytes (r6.0 7.5.1.2.1); a 32-bit BAR spans at most 2 GiB, and so
 * do the copies of a 32-bit VF BAR of all @vfs VFs together (0 for a PF).
 */
static int ch_parse_bars(struct sim_bar_desc bar[6], struct json_object *arr,
			 unsigned vfs, const char *path, struct fm_err *err)
{
	int owner[6] = { -1, -1, -1, -1, -1, -1 };
	char sub[CH_PATH_MAX];
	unsigned i;
	int ret;

	for (i = 0; i < ch_count(arr); i++) {
		struct json_object *jb = ch_at(arr, i);
		unsigned idx =
			(unsigned)json_object_get_int(ch_get(jb, "index"));
		bool mem64 = ch_bool(jb, "mem64");
		uint64_t size = 0;

		snprintf(sub, sizeof(sub), "%s[%u].index", path, i);
		if (mem64 && idx == 5)
			return ch_fail(err, FM_EINVAL, sub,
				       "a 64-bit BAR cannot start at BAR 5");
		if (owner[idx] >= 0 || (mem64 && owner[idx + 1] >= 0))
			return ch_fail(err, FM_EEXIST, sub,
				       "BAR %u overlaps %s[%d]", idx, path,
				       owner[idx] >= 0 ? owner[idx]
						       : owner[idx + 1]);
		snprintf(sub, sizeof(sub), "%s[%u].size", path, i);
		ret = ch_size(&size, ch_get(jb, "size"), sub, err);
		if (ret < 0)
			return ret;
		if (!ch_is_pow2(size))
			return ch_fail(err, FM_EINVAL, sub,
				       "%" PRIu64 " is not a power of two",
				       size);
		if (size < 16)
			return ch_fail(err, FM_ERANGE, sub,
				       "%" PRIu64
				       " is below the smallest BAR, 16 bytes",
				       size);
		if (!mem64 && vfs && size > (2ULL << 30) / vfs)
			return ch_fail(err, FM_ERANGE, sub,
				       "%u VFs x %" PRIu64
				       " bytes do not fit 32-bit space (at "
				       "most 2G); set \"mem64\"",
				       vfs, size);
		if (!mem64 && size > (2ULL << 30))
			return ch_fail(err, FM_ERANGE, sub,
				       "%" PRIu64
				       " bytes do not fit a 32-bit BAR (at "
				       "most 2G); set \"mem64\"",
				       size);
		owner[idx] = (int)i;
		if (mem64)
			owner[idx + 1] = (int)i;
		bar[idx].size = size;
		bar[idx].mem64 = mem64;
		bar[idx].prefetch = ch_bool(jb, "prefetchable");
	}
	return 0;
}

static int ch_parse_ep(struct sim_ch_ep *ce, struct json_object *je, unsigned i,
		       struct fm_err *err)
{
	struct sim_ep_desc *d = &ce->desc;
	struct json_object *sub = ch_get(je, "subsystem");
	struct json_object *sriov = ch_get(je, "sriov");
	char path[CH_PATH_MAX];
	int ret;

	ch_copy_name(d->name, ch_str(je, "name"));
	d->vendor = (uint16_t)ch_hex(je, "vendor", 0);
	d->device = (uint16_t)ch_hex(je, "device", 0);
	d->class_code = ch_hex(je, "class", 0);
	d->revision = (uint8_t)ch_hex(je, "revision", 0);
	d->subsys_vendor =
		(uint16_t)(sub ? ch_hex(sub, "vendor", 0) : d->vendor);
	d->subsys_device =
		(uint16_t)(sub ? ch_hex(sub, "device", 0) : d->device);
	ch_link(&d->link_width, &d->link_speed, ch_get(je, "link"));
	snprintf(path, sizeof(path), "endpoints[%u].bars", i);
	ret = ch_parse_bars(d->bar, ch_get(je, "bars"), 0, path, err);
	if (ret < 0)
		return ret;
	if (sriov) {
		struct json_object *v;

		d->total_vfs = (uint16_t)json_object_get_int(
			ch_get(sriov, "total_vfs"));
		v = ch_get(sriov, "first_vf_offset");
		d->first_vf_offset = (uint16_t)(v ? json_object_get_int(v) : 1);
		v = ch_get(sriov, "vf_stride");
		d->vf_stride = (uint16_t)(v ? json_object_get_int(v) : 1);
		d->vf_device = (uint16_t)ch_hex(sriov, "vf_device", 0);
		snprintf(path, sizeof(path), "endpoints[%u].sriov.vf_bars", i);
		ret = ch_parse_bars(d->vf_bar, ch_get(sriov, "vf_bars"),
				    d->total_vfs, path, err);
		if (ret < 0)
			return ret;
	}
	ce->sw = -1;
	return 0;
}

static int ch_find_blade(const struct sim_chassis *ch, const char *name)
{
	unsigned i;

	for (i = 0; i < ch->nblades; i++)
		if (strcmp(ch->blades[i].desc.name, name) == 0)
			return (int)i;
	return -1;
}

static int ch_find_ep(const struct sim_chassis *ch, const char *name)
{
	unsigned i;

	for (i = 0; i < ch->neps; i++)
		if (strcmp(ch->eps[i].desc.name, name) == 0)
			return (int)i;
	return -1;
}

static int ch_find_switch(const struct sim_chassis *ch, const char *name)
{
	unsigned i;

	for (i = 0; i < ch->nswitches; i++)
		if (strcmp(ch->switches[i].desc.name, name) == 0)
			return (int)i;
	return -1;
}

/* Which cable property each port kind takes, and what it names. */
static const char *const ch_cable_key[] = {
	[FAB_PORT_UPSTREAM] = "blade",
	[FAB_PORT_DOWNSTREAM] = "endpoint",
	[FAB_PORT_FABRIC] = "peer",
};

static const char *const ch_cable_what[] = {
	[FAB_PORT_UPSTREAM] = "a blade",
	[FAB_PORT_DOWNSTREAM] = "an endpoint",
	[FAB_PORT_FABRIC] = "another switch",
};

static const char *const ch_kind_article[] = {
	[FAB_PORT_UPSTREAM] = "an",
	[FAB_PORT_DOWNSTREAM] = "a",
	[FAB_PORT_FABRIC] = "a",
};

/* The JSON array position of port @number of switch @s, for messages. */
static unsigned ch_port_pos(struct json_object *doc, unsigned s,
			    unsigned number)
{
	struct json_object *ports =
		ch_get(ch_at(ch_get(doc, "switches"), s), "ports");
	unsigned i;

	for (i = 0; i < ch_count(ports); i++) {
		if ((unsigned)json_object_get_int(
			    ch_get(ch_at(ports, i), "number")) == number)
			return i;
	}
	return 0;
}

/* One port's kind, link and cable (references resolved, not yet peers). */
static int ch_parse_port(struct sim_chassis *ch, struct json_object *doc,
			 unsigned s, struct json_object *jp, unsigned pos,
			 struct fm_err *err)
{
	struct sim_ch_switch *cs = &ch->switches[s];
	unsigned number = (unsigned)json_object_get_int(ch_get(jp, "number"));
	struct sim_ch_port *p = &cs->ports[number];
	struct sim_switch_port_desc *pd = &cs->port_descs[number];
	const char *kind = ch_str(jp, "kind");
	char path[CH_PATH_MAX];
	unsigned k;

	for (k = 0; k < FM_ARRAY_SIZE(ch_kind_names); k++)
		if (strcmp(kind, ch_kind_names[k]) == 0)
			p->kind = (uint8_t)k;
	ch_link(&p->width, &p->speed, ch_get(jp, "link"));
	pd->kind = p->kind;
	pd->width = p->width;
	pd->speed = p->speed;
	for (k = 0; k < FM_ARRAY_SIZE(ch_cable_key); k++) {
		if (k == p->kind || !ch_get(jp, ch_cable_key[k]))
			continue;
		snprintf(path, sizeof(path), "switches[%u].ports[%u].%s", s,
			 pos, ch_cable_key[k]);
		return ch_fail(err, FM_EINVAL, path,
			       "%s %s port cannot be cabled to %s",
			       ch_kind_article[p->kind], ch_kind_names[p->kind],
			       ch_cable_what[k]);
	}
	snprintf(path, sizeof(path), "switches[%u].ports[%u].%s", s, pos,
		 ch_cable_key[p->kind]);
	if (p->kind == FAB_PORT_UPSTREAM && ch_get(jp, "blade")) {
		const char *name = ch_str(jp, "blade");
		int b = ch_find_blade(ch, name);
		struct sim_ch_blade *cb;

		if (b < 0)
			return ch_fail(err, FM_ENOENT, path,
				       "no blade named \"%s\"", name);
		cb = &ch->blades[b];
		if (cb->sw >= 0)
			return ch_fail(
				err, FM_EEXIST, path,
				"blade \"%s\" is already cabled to "
				"switches[%d].ports[%u]",
				name, cb->sw,
				ch_port_pos(doc, (unsigned)cb->sw, cb->port));
		cb->sw = (int)s;
		cb->port = number;
		p->blade = b;
		snprintf(pd->label, sizeof(pd->label), "%s", name);
	} else if (p->kind == FAB_PORT_DOWNSTREAM && ch_get(jp, "endpoint")) {
		const char *name = ch_str(jp, "endpoint");
		int e = ch_find_ep(ch, name);
		struct sim_ch_ep *ce;

		if (e < 0)
			return ch_fail(err, FM_ENOENT, path,
				       "no endpoint named \"%s\"", name);
		ce = &ch->eps[e];
		if (ce->sw >= 0)
			return ch_fail(
				err, FM_EEXIST, path,
				"endpoint \"%s\" is already cabled to "
				"switches[%d].ports[%u]",
				name, ce->sw,
				ch_port_pos(doc, (unsigned)ce->sw, ce->port));
		ce->sw = (int)s;
		ce->port = number;
		p->ep = e;
		snprintf(pd->label, sizeof(pd->label), "%s", name);
	} else if (p->kind == FAB_PORT_FABRIC && ch_get(jp, "peer")) {
		struct json_object *peer = ch_get(jp, "peer");
		const char *name = ch_str(peer, "switch");
		int t = ch_find_switch(ch, name);

		if (t < 0) {
			snprintf(path, sizeof(path),
				 "switches[%u].ports[%u].peer.switch", s, pos);
			return ch_fail(err, FM_ENOENT, path,
				       "no switch named \"%s\"", name);
		}
		if ((unsigned)t == s)
			return ch_fail(err, FM_EINVAL, path,
				       "a fabric link cannot loop back to "
				       "its own switch");
		p->peer_switch = t;
		p->peer_port =
			(uint8_t)json_object_get_int(ch_get(peer, "port"));
		snprintf(pd->label, sizeof(pd->label), "%s", name);
	}
	return 0;
}

/* Port numbers are unique and 0..N-1; then each port is parsed. */
static int ch_parse_switch(struct sim_chassis *ch, struct json_object *doc,
			   unsigned s, struct fm_err *err)
{
	struct json_object *js = ch_at(ch_get(doc, "switches"), s);
	struct json_object *ports = ch_get(js, "ports");
	struct sim_ch_switch *cs = &ch->switches[s];
	char path[CH_PATH_MAX];
	int pos_of[32];
	unsigned n = ch_count(ports), i;
	int ret;

	ch_copy_name(cs->desc.name, ch_str(js, "name"));
	cs->desc.vendor = (uint16_t)ch_hex(js, "vendor", 0);
	cs->desc.device = (uint16_t)ch_hex(js, "device", 0);
	cs->desc.flash_size = CH_FLASH_SIZE;
	if (ch_get(js, "flash_size")) {
		snprintf(path, sizeof(path), "switches[%u].flash_size", s);
		ret = ch_size(&cs->desc.flash_size, ch_get(js, "flash_size"),
			      path, err);
		if (ret < 0)
			return ret;
		if (cs->desc.flash_size > CH_FLASH_MAX)
			return ch_fail(err, FM_ERANGE, path,
				       "%" PRIu64
				       " bytes is above the maximum 64M",
				       cs->desc.flash_size);
	}
	cs->ports = calloc(n, sizeof(*cs->ports));
	cs->port_descs = calloc(n, sizeof(*cs->port_descs));
	if (!cs->ports || !cs->port_descs)
		return fm_err_set(err, FM_ENOMEM, "chassis: out of memory");
	cs->nports = n;
	cs->desc.nports = n;
	cs->desc.ports = cs->port_descs;
	for (i = 0; i < 32; i++)
		pos_of[i] = -1;
	for (i = 0; i < n; i++) {
		unsigned number = (unsigned)json_object_get_int(
			ch_get(ch_at(ports, i), "number"));

		snprintf(path, sizeof(path), "switches[%u].ports[%u].number", s,
			 i);
		if (pos_of[number] >= 0)
			return ch_fail(err, FM_EEXIST, path,
				       "port %u is already described by "
				       "switches[%u].ports[%d]",
				       number, s, pos_of[number]);
		if (number >= n)
			return ch_fail(err, FM_ERANGE, path,
				       "%u leaves a gap: the %u ports must be "
				       "numbered 0..%u",
				       number, n, n - 1);
		pos_of[number] = (int)i;
		cs->ports[number].blade = -1;
		cs->ports[number].ep = -1;
		cs->ports[number].peer_switch = -1;
	}
	for (i = 0; i < n; i++) {
		ret = ch_parse_port(ch, doc, s, ch_at(ports, i), i, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* A fabric port's peer exists, is a fabric port, and names it back. */
static int ch_check_peers(const struct sim_chassis *ch, struct json_object *doc,
			  struct fm_err *err)
{
	char path[CH_PATH_MAX];
	unsigned s, n;

	for (s = 0; s < ch->nswitches; s++) {
		const struct sim_ch_switch *cs = &ch->switches[s];

		for (n = 0; n < cs->nports; n++) {
			const struct sim_ch_port *p = &cs->ports[n];
			const struct sim_ch_switch *ts;
			const struct sim_ch_port *tp;

			if (p->peer_switch < 0)
				continue;
			ts = &ch->switches[p->peer_switch];
			snprintf(path, sizeof(path),
				 "switches[%u].ports[%u].peer", s,
				 ch_port_pos(doc, s, n));
			if (p->peer_port >= ts->nports)
				return ch_fail(err, FM_ENOENT, path,
					       "switch \"%s\" has no port %u",
					       ts->desc.name, p->peer_port);
			tp = &ts->ports[p->peer_port];
			if (tp->kind != FAB_PORT_FABRIC)
				return ch_fail(err, FM_EINVAL, path,
					       "port %u of \"%s\" is %s %s "
					       "port, not a fabric port",
					       p->peer_port, ts->desc.name,
					       ch_kind_article[tp->kind],
					       ch_kind_names[tp->kind]);
			if (tp->peer_switch != (int)s || tp->peer_port != n)
				return ch_fail(err, FM_EINVAL, path,
					       "port %u of \"%s\" does not "
					       "name port %u of \"%s\" as its "
					       "peer",
					       p->peer_port, ts->desc.name, n,
					       cs->desc.name);
		}
	}
	return 0;
}

/* Every blade and endpoint is cabled (double cabling was caught). */
static int ch_check_cabled(const struct sim_chassis *ch, struct fm_err *err)
{
	char path[CH_PATH_MAX];
	unsigned i;

	for (i = 0; i < ch->nblades; i++) {
		if (ch->blades[i].sw >= 0)
			continue;
		snprintf(path, sizeof(path), "blades[%u]", i);
		return ch_fail(err, FM_ENOENT, path,
			       "blade \"%s\" is not cabled to any switch port",
			       ch->blades[i].desc.name);
	}
	for (i = 0; i < ch->neps; i++) {
		if (ch->eps[i].sw >= 0)
			continue;
		snprintf(path, sizeof(path), "endpoints[%u]", i);
		return ch_fail(err, FM_ENOENT, path,
			       "endpoint \"%s\" is not cabled to any switch "
			       "port",
			       ch->eps[i].desc.name);
	}
	return 0;
}

/*
 * Last bus the endpoint's functions may occupy when its PF is at bus:00.0:
 * VF n (1-based) is at RID PF + First VF Offset + (n - 1) * VF Stride
 * (r6.0 9.3.3.10, 9.3.3.11).  May exceed 255: the caller rejects that.
 */
static unsigned ch_ep_last_bus(const struct sim_ep_desc *d, unsigned bus)
{
	uint32_t last = (uint32_t)bus << 8;

	if (d->total_vfs)
		last += d->first_vf_offset +
			(uint32_t)(d->total_vfs - 1) * d->vf_stride;
	return last >> 8;
}

/*
 * Physical bus numbers of each switch domain (see the top of the file):
 * every port bridge gets a secondary bus, in port order; a downstream
 * port's range also covers every bus its endpoint's VFs may use.
 */
static int ch_plan_buses(struct sim_chassis *ch, struct json_object *doc,
			 struct fm_err *err)
{
	char path[CH_PATH_MAX];
	unsigned s, n;

	for (s = 0; s < ch->nswitches; s++) {
		struct sim_ch_switch *cs = &ch->switches[s];
		unsigned next = 1;

		for (n = 0; n < cs->nports; n++) {
			struct sim_ch_port *p = &cs->ports[n];
			unsigned last = next;

			if (next > 255) {
				snprintf(path, sizeof(path),
					 "switches[%u].ports[%u]", s,
					 ch_port_pos(doc, s, n));
				return ch_fail(err, FM_ENOSPC, path,
					       "no bus number left for port "
					       "%u of switch \"%s\"",
					       n, cs->desc.name);
			}
			if (p->ep >= 0) {
				struct sim_ch_ep *ce = &ch->eps[p->ep];

				last = ch_ep_last_bus(&ce->desc, next);
				snprintf(path, sizeof(path),
					 "endpoints[%d].sriov", p->ep);
				if (last > 255)
					return ch_fail(err, FM_ENOSPC, path,
						       "the VFs need buses "
						       "%u..%u of switch "
						       "\"%s\", beyond bus 255",
						       next, last,
						       cs->desc.name);
				ce->bus = (uint8_t)next;
			}
			p->sec_bus = (uint8_t)next;
			p->sub_bus = (uint8_t)last;
			next = last + 1;
		}
	}
	return 0;
}

static int ch_plan(struct sim_chassis *ch, struct json_object *doc,
		   struct fm_err *err)
{
	struct json_object *blades = ch_get(doc, "blades");
	struct json_object *switches = ch_get(doc, "switches");
	struct json_object *eps = ch_get(doc, "endpoints");
	unsigned i;
	int ret;

	ret = ch_check_names(doc, err);
	if (ret < 0)
		return ret;
	ch_copy_name(ch->name, ch_str(doc, "name"));
	ch->nblades = ch_count(blades);
	ch->nswitches = ch_count(switches);
	ch->neps = ch_count(eps);
	ch->blades = calloc(ch->nblades, sizeof(*ch->blades));
	ch->switches = calloc(ch->nswitches, sizeof(*ch->switches));
	ch->eps = calloc(ch->neps ? ch->neps : 1, sizeof(*ch->eps));
	if (!ch->blades || !ch->switches || !ch->eps)
		return fm_err_set(err, FM_ENOMEM, "chassis: out of memory");
	for (i = 0; i < ch->nblades; i++) {
		ret = ch_parse_blade(&ch->blades[i], ch_at(blades, i), i, err);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < ch->neps; i++) {
		ret = ch_parse_ep(&ch->eps[i], ch_at(eps, i), i, err);
		if (ret < 0)
			return ret;
	}
	/* names first, so references to later switches resolve */
	for (i = 0; i < ch->nswitches; i++)
		ch_copy_name(ch->switches[i].desc.name,
			     ch_str(ch_at(switches, i), "name"));
	for (i = 0; i < ch->nswitches; i++) {
		ret = ch_parse_switch(ch, doc, i, err);
		if (ret < 0)
			return ret;
	}
	ret = ch_check_peers(ch, doc, err);
	if (ret < 0)
		return ret;
	ret = ch_check_cabled(ch, err);
	if (ret < 0)
		return ret;
	return ch_plan_buses(ch, doc, err);
}

/* ---------------------------------------------------------------------
 * Building.
 */

static int ch_cable(struct sim_chassis *ch, struct sim_port *a,
		    struct sim_port *b, uint8_t wa, uint8_t sa, uint8_t wb,
		    uint8_t sb, struct fm_err *err)
{
	struct sim_link_desc d = {
		.width = wa < wb ? wa : wb,
		.speed = sa < sb ? sa : sb,
	};
	int ret;

	d.train_ns = sim_chassis_train_ns(d.speed);
	ret = sim_link_new(&ch->links[ch->nlinks], ch->clk, a, b, &d, err);
	if (ret < 0)
		return ret;
	ch->nlinks++;
	return 0;
}

static int ch_build_switch(struct sim_chassis *ch, unsigned s,
			   struct fm_err *err)
{
	struct sim_ch_switch *cs = &ch->switches[s];
	unsigned n;
	int ret;

	for (n = 0; n < cs->nports; n++) {
		struct sim_ch_port *p = &cs->ports[n];
		struct sim_ch_ep *ce;

		if (p->kind == FAB_PORT_FABRIC && p->peer_switch >= 0)
			sim_switch_set_port_peer(cs->sw, n, p->peer_switch,
						 p->peer_port);
		sim_switch_set_port_buses(cs->sw, n, p->sec_bus, p->sub_bus);
		if (p->ep < 0)
			continue;
		ce = &ch->eps[p->ep];
		ret = sim_ep_new(&ce->ep, ch->clk, &ce->desc, ce->bus, err);
		if (ret < 0)
			return ret;
		if (sim_ep_last_bus(ce->ep) > p->sub_bus)
			return fm_err_set(err, FM_ERANGE,
					  "endpoints[%d]: the device claims "
					  "buses up to %u, past the %u planned",
					  p->ep, sim_ep_last_bus(ce->ep),
					  p->sub_bus);
		ret = ch_cable(ch, sim_switch_port(cs->sw, n),
			       sim_ep_port(ce->ep), p->width, p->speed,
			       ce->desc.link_width, ce->desc.link_speed, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int ch_build(struct sim_chassis *ch, struct fm_err *err)
{
	unsigned s, n, i, ncables = 0;
	int ret;

	ch->clk = sim_clock_new();
	for (s = 0; s < ch->nswitches; s++)
		for (n = 0; n < ch->switches[s].nports; n++) {
			const struct sim_ch_port *p = &ch->switches[s].ports[n];

			ncables += p->blade >= 0 || p->ep >= 0 ||
				   p->peer_switch >= 0;
		}
	ch->links = calloc(ncables ? ncables : 1, sizeof(*ch->links));
	if (!ch->clk || !ch->links)
		return fm_err_set(err, FM_ENOMEM, "chassis: out of memory");
	for (s = 0; s < ch->nswitches; s++) {
		ret = sim_switch_new(&ch->switches[s].sw, ch->clk,
				     &ch->switches[s].desc, err);
		if (ret < 0)
			return ret;
	}
	for (s = 0; s < ch->nswitches; s++) {
		ret = ch_build_switch(ch, s, err);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < ch->nblades; i++) {
		struct sim_ch_blade *cb = &ch->blades[i];
		struct sim_ch_switch *cs = &ch->switches[cb->sw];
		const struct sim_ch_port *p = &cs->ports[cb->port];

		ret = sim_blade_new(&cb->b, ch->clk, &cb->desc, err);
		if (ret < 0)
			return ret;
		ret = ch_cable(ch, sim_blade_port(cb->b),
			       sim_switch_port(cs->sw, cb->port),
			       cb->desc.link_width, cb->desc.link_speed,
			       p->width, p->speed, err);
		if (ret < 0)
			return ret;
	}
	/* each fabric link once, from its lower (switch, port) end */
	for (s = 0; s < ch->nswitches; s++)
		for (n = 0; n < ch->switches[s].nports; n++) {
			const struct sim_ch_port *p = &ch->switches[s].ports[n];
			struct sim_ch_switch *ts;

			if (p->peer_switch < (int)s)
				continue;
			ts = &ch->switches[p->peer_switch];
			ret = ch_cable(
				ch, sim_switch_port(ch->switches[s].sw, n),
				sim_switch_port(ts->sw, p->peer_port), p->width,
				p->speed, ts->ports[p->peer_port].width,
				ts->ports[p->peer_port].speed, err);
			if (ret < 0)
				return ret;
		}
	return 0;
}

void sim_chassis_free(struct sim_chassis *ch)
{
	unsigned i;

	if (!ch)
		return;
	for (i = 0; i < ch->nlinks; i++)
		sim_link_free(ch->links[i]);
	for (i = 0; i < ch->nblades; i++)
		sim_blade_free(ch->blades[i].b);
	for (i = 0; i < ch->neps; i++)
		sim_ep_free(ch->eps[i].ep);
	for (i = 0; i < ch->nswitches; i++) {
		sim_switch_free(ch->switches[i].sw);
		free(ch->switches[i].ports);
		free(ch->switches[i].port_descs);
	}
	sim_clock_free(ch->clk);
	free(ch->links);
	free(ch->blades);
	free(ch->switches);
	free(ch->eps);
	free(ch);
}

static int ch_validate(struct json_object *doc, struct fm_err *err)
{
	struct json_object *schema = NULL;
	int ret;

	ret = fab_json_parse(&schema, "chassis.schema.json",
			     mrfabric_chassis_schema,
			     mrfabric_chassis_schema_len, err);
	if (ret < 0)
		return ret;
	ret = fab_json_validate(schema, doc, err);
	json_object_put(schema);
	return ret;
}

int sim_chassis_from_json(struct sim_chassis **out, struct json_object *doc,
			  struct fm_err *err)
{
	struct sim_chassis *ch = NULL;
	int ret;

	ret = ch_validate(doc, err);
	if (ret < 0)
		goto out;
	ch = calloc(1, sizeof(*ch));
	if (!ch) {
		ret = fm_err_set(err, FM_ENOMEM, "chassis: out of memory");
		goto out;
	}
	ret = ch_plan(ch, doc, err);
	if (ret < 0)
		goto out;
	ret = ch_build(ch, err);
	if (ret < 0)
		goto out;
	*out = ch;
	ch = NULL;
out:
	sim_chassis_free(ch);
	return ret;
}

int sim_chassis_from_string(struct sim_chassis **out, const char *json,
			    struct fm_err *err)
{
	struct json_object *doc = NULL;
	int ret;

	ret = fab_json_parse(&doc, "<string>", json, strlen(json), err);
	if (ret < 0)
		return ret;
	ret = sim_chassis_from_json(out, doc, err);
	json_object_put(doc);
	return ret;
}

int sim_chassis_load(struct sim_chassis **out, const char *path,
		     struct fm_err *err)
{
	struct json_object *doc = NULL;
	struct fm_err local = { 0 };
	int ret;

	/* parse errors already start with "path:line:column:" */
	ret = fab_json_parse_file(&doc, path, err);
	if (ret < 0)
		return ret;
	ret = sim_chassis_from_json(out, doc, &local);
	json_object_put(doc);
	if (ret < 0 && err && !err->code) {
		fm_err_set(err, local.code, "%s: %s", path, local.msg);
		err->sys_errno = local.sys_errno;
	}
	return ret;
}

int sim_chassis_power_on(struct sim_chassis *ch, struct fm_err *err)
{
	unsigned i;

	if (ch->powered)
		return fm_err_set(err, FM_ESTATE,
				  "chassis %s: already powered on", ch->name);
	ch->powered = true;
	for (i = 0; i < ch->nlinks; i++)
		sim_link_train(ch->links[i]);
	for (i = 0; i < ch->nblades; i++)
		sim_blade_boot(ch->blades[i].b);
	sim_clock_run_idle(ch->clk, CH_POWER_ON_MAX_EVENTS);
	if (sim_clock_pending(ch->clk))
		return fm_err_set(err, FM_ETIMEDOUT,
				  "chassis %s: still busy after %llu events",
				  ch->name,
				  (unsigned long long)CH_POWER_ON_MAX_EVENTS);
	return 0;
}

const char *sim_chassis_name(const struct sim_chassis *ch)
{
	return ch->name;
}

struct sim_clock *sim_chassis_clock(struct sim_chassis *ch)
{
	return ch->clk;
}

unsigned sim_chassis_blade_count(const struct sim_chassis *ch)
{
	return ch->nblades;
}

struct sim_blade *sim_chassis_blade(struct sim_chassis *ch, unsigned i)
{
	return i < ch->nblades ? ch->blades[i].b : NULL;
}

struct sim_blade *sim_chassis_blade_find(struct sim_chassis *ch,
					 const char *name)
{
	int i = ch_find_blade(ch, name);

	return i < 0 ? NULL : ch->blades[i].b;
}

unsigned sim_chassis_switch_count(const struct sim_chassis *ch)
{
	return ch->nswitches;
}

struct sim_switch *sim_chassis_switch(struct sim_chassis *ch, unsigned i)
{
	return i < ch->nswitches ? ch->switches[i].sw : NULL;
}

unsigned sim_chassis_ep_count(const struct sim_chassis *ch)
{
	return ch->neps;
}

struct sim_ep *sim_chassis_ep(struct sim_chassis *ch, unsigned i)
{
	return i < ch->neps ? ch->eps[i].ep : NULL;
}

struct sim_ep *sim_chassis_ep_find(struct sim_chassis *ch, const char *name)
{
	int i = ch_find_ep(ch, name);

	return i < 0 ? NULL : ch->eps[i].ep;
}
