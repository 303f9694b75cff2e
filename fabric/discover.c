/* SPDX-License-Identifier: MIT */
/*
 * discover.c - list PCI functions through libpci, from the running machine
 * or from an lspci dump file (pciutils' lib/dump.c), and decode the
 * registers a fabric manager cares about: identity, header type, PCIe
 * Device/Port Type, link, slot and SR-IOV.  The only file of mrfabric that
 * includes <pci/pci.h> (DESIGN.md).
 *
 * libpci reports fatal errors through pci_access->error, which must not
 * return (its default prints and exits).  A scan installs disc_libpci_error,
 * which records the message and longjmps back to the scan; libpci's hooks
 * take no context, so the active trap is per thread.  Everything a scan
 * allocates is reachable from struct disc_scan, so a trapped scan frees it
 * like a finished one.
 */
#include "fabric/discover.h"

#include <errno.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bytes of the type 0/1 header every dump must hold (`lspci -x`). */
#define DISC_HDR_SIZE 64

/* What libpci must fill for each function before it is decoded. */
#define DISC_FILL                                                              \
	(PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |                \
	 PCI_FILL_CAPS | PCI_FILL_EXT_CAPS)

struct disc_trap {
	jmp_buf jb;
	char msg[FM_ERR_MSG_MAX];
};

static _Thread_local struct disc_trap *disc_trap_cur;

enum disc_phase {
	DISC_PHASE_LIST, /* pci_init, pci_scan_bus: method, dump, listing */
	DISC_PHASE_READ, /* reading the functions listed */
};

struct disc_scan {
	struct pci_access *pa;
	struct fab_discover_list *out;
	const char *path; /* dump file, NULL for the host */
	enum disc_phase phase;
};

static void disc_libpci_error(char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

static void disc_libpci_error(char *fmt, ...)
{
	struct disc_trap *t = disc_trap_cur;
	va_list ap;

	/* libpci only calls this from inside disc_scan_run(). */
	if (!t)
		abort();
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	longjmp(t->jb, 1);
}

static void disc_libpci_warning(char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void disc_libpci_warning(char *fmt, ...)
{
	char msg[FM_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	FM_LOG(FM_LOG_WARN, "fab discover: libpci: %s", msg);
}

static void disc_libpci_debug(char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void disc_libpci_debug(char *fmt, ...)
{
	(void)fmt;
}

/* ------------------------------------------------------------------ */
/* Names */

/* PCI Express Capabilities register Device/Port Type (r6.0 7.5.3.2), named
 * as lspci names them.  Add a type by adding its PCI_EXP_TYPE_* entry. */
static const char *const disc_port_type_names[16] = {
	[PCI_EXP_TYPE_ENDPOINT] = "Endpoint",
	[PCI_EXP_TYPE_LEG_END] = "Legacy Endpoint",
	[PCI_EXP_TYPE_ROOT_PORT] = "Root Port",
	[PCI_EXP_TYPE_UPSTREAM] = "Upstream Port",
	[PCI_EXP_TYPE_DOWNSTREAM] = "Downstream Port",
	[PCI_EXP_TYPE_PCI_BRIDGE] = "PCI-Express to PCI/PCI-X Bridge",
	[PCI_EXP_TYPE_PCIE_BRIDGE] = "PCI/PCI-X to PCI-Express Bridge",
	[PCI_EXP_TYPE_ROOT_INT_EP] = "Root Complex Integrated Endpoint",
	[PCI_EXP_TYPE_ROOT_EC] = "Root Complex Event Collector",
};

const char *fab_discover_port_type_name(uint8_t type)
{
	if (type >= FM_ARRAY_SIZE(disc_port_type_names) ||
	    !disc_port_type_names[type])
		return "Unknown";
	return disc_port_type_names[type];
}

/* Link speed encodings of Link Capabilities/Status (r6.0 7.5.3.6). */
static const char *const disc_link_speed_names[] = {
	[1] = "2.5GT/s", [2] = "5GT/s",	 [3] = "8GT/s",
	[4] = "16GT/s",	 [5] = "32GT/s", [6] = "64GT/s",
};

const char *fab_discover_link_speed_name(uint8_t speed)
{
	if (speed >= FM_ARRAY_SIZE(disc_link_speed_names) ||
	    !disc_link_speed_names[speed])
		return "unknown";
	return disc_link_speed_names[speed];
}

char *fab_discover_fn_format(char *buf, const struct fab_discover_fn *fn)
{
	snprintf(buf, FAB_DISCOVER_BDF_STR_LEN, "%04x:%02x:%02x.%u",
		 (unsigned)fn->domain, fn->bus, fn->dev, fn->func);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Decoding one function */

static void disc_read_link(struct fab_discover_link *link, struct pci_dev *d,
			   unsigned exp)
{
	uint32_t cap = pci_read_long(d, (int)(exp + PCI_EXP_LNKCAP));
	uint16_t sta = pci_read_word(d, (int)(exp + PCI_EXP_LNKSTA));

	link->present = true;
	link->port = (uint8_t)FM_FIELD_GET(PCI_EXP_LNKCAP_PORT, cap);
	link->max_speed = (uint8_t)FM_FIELD_GET(PCI_EXP_LNKCAP_SPEED, cap);
	link->max_width = (uint8_t)FM_FIELD_GET(PCI_EXP_LNKCAP_WIDTH, cap);
	link->speed = (uint8_t)FM_FIELD_GET(PCI_EXP_LNKSTA_SPEED, sta);
	link->width = (uint8_t)FM_FIELD_GET(PCI_EXP_LNKSTA_WIDTH, sta);
	link->dl_active = (sta & PCI_EXP_LNKSTA_DL_ACT) != 0;
}

static void disc_read_slot(struct fab_discover_slot *slot, struct pci_dev *d,
			   unsigned exp)
{
	uint32_t cap = pci_read_long(d, (int)(exp + PCI_EXP_SLTCAP));
	uint16_t sta = pci_read_word(d, (int)(exp + PCI_EXP_SLTSTA));

	slot->present = true;
	slot->number = (uint16_t)FM_FIELD_GET(PCI_EXP_SLTCAP_PSN, cap);
	slot->hotplug = (cap & PCI_EXP_SLTCAP_HPC) != 0;
	slot->surprise = (cap & PCI_EXP_SLTCAP_HPS) != 0;
	slot->attn_button = (cap & PCI_EXP_SLTCAP_ATNB) != 0;
	slot->power_ctrl = (cap & PCI_EXP_SLTCAP_PWRC) != 0;
	slot->mrl_sensor = (cap & PCI_EXP_SLTCAP_MRL) != 0;
	slot->attn_indicator = (cap & PCI_EXP_SLTCAP_ATNI) != 0;
	slot->power_indicator = (cap & PCI_EXP_SLTCAP_PWRI) != 0;
	slot->interlock = (cap & PCI_EXP_SLTCAP_INTERLOCK) != 0;
	slot->no_cmd_completed = (cap & PCI_EXP_SLTCAP_NOCMDCOMP) != 0;
	slot->occupied = (sta & PCI_EXP_SLTSTA_PRES) != 0;
}

/* PCI Express Capability: type, and the link and slot it describes. */
static void disc_read_pcie(struct fab_discover_fn *fn, struct pci_dev *d)
{
	struct pci_cap *cap = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	uint16_t flags;

	fn->port_type = FAB_PCI_EXP_TYPE_UNKNOWN;
	if (!cap)
		return;
	flags = pci_read_word(d, cap->addr + PCI_EXP_FLAGS);
	fn->pcie = true;
	fn->port_type = (uint8_t)FM_FIELD_GET(PCI_EXP_FLAGS_TYPE, flags);
	/* r6.0 7.5.3: RCiEPs and Event Collectors have no link registers */
	if (fn->port_type != PCI_EXP_TYPE_ROOT_INT_EP &&
	    fn->port_type != PCI_EXP_TYPE_ROOT_EC)
		disc_read_link(&fn->link, d, (unsigned)cap->addr);
	/* r6.0 7.5.3.2: Slot Implemented is valid for these two only */
	if ((flags & PCI_EXP_FLAGS_SLOT) &&
	    (fn->port_type == PCI_EXP_TYPE_ROOT_PORT ||
	     fn->port_type == PCI_EXP_TYPE_DOWNSTREAM))
		disc_read_slot(&fn->slot, d, (unsigned)cap->addr);
}

/* SR-IOV Extended Capability (PCIe r6.0 9.3.3). */
static void disc_read_sriov(struct fab_discover_sriov *iov, struct pci_dev *d)
{
	struct pci_cap *cap =
		pci_find_cap(d, PCI_EXT_CAP_ID_SRIOV, PCI_CAP_EXTENDED);
	int at;

	if (!cap)
		return;
	at = cap->addr;
	iov->present = true;
	iov->offset = (uint16_t)at;
	iov->vf_enable =
		(pci_read_word(d, at + PCI_IOV_CTRL) & PCI_IOV_CTRL_VFE) != 0;
	iov->initial_vfs = pci_read_word(d, at + PCI_IOV_INITIALVF);
	iov->total_vfs = pci_read_word(d, at + PCI_IOV_TOTALVF);
	iov->num_vfs = pci_read_word(d, at + PCI_IOV_NUMVF);
	iov->first_vf_offset = pci_read_word(d, at + PCI_IOV_OFFSET);
	iov->vf_stride = pci_read_word(d, at + PCI_IOV_STRIDE);
	iov->vf_device = pci_read_word(d, at + PCI_IOV_DID);
}

static int disc_read_fn(struct fab_discover_fn *fn, struct pci_dev *d,
			const struct disc_scan *s, struct fm_err *err)
{
	uint8_t hdr[DISC_HDR_SIZE];
	uint8_t ht;

	memset(fn, 0, sizeof(*fn));
	fn->domain = (uint32_t)d->domain;
	fn->bus = d->bus;
	fn->dev = d->dev;
	fn->func = d->func;
	fn->parent = -1;
	fn->pf = -1;
	/*
	 * A dump may cut a function short; the OS never does (and a user
	 * without privileges still reads the header through sysfs).
	 */
	if (s->path && !pci_read_block(d, 0, hdr, sizeof(hdr))) {
		char bdf[FAB_DISCOVER_BDF_STR_LEN];

		return fm_err_set(err, FM_EPARSE,
				  "dump %s: function %s has less than the "
				  "%u-byte config header",
				  s->path, fab_discover_fn_format(bdf, fn),
				  DISC_HDR_SIZE);
	}
	pci_fill_info(d, DISC_FILL);
	fn->vendor = d->vendor_id;
	fn->device = d->device_id;
	fn->class_code = ((uint32_t)d->device_class << 8) | d->prog_if;
	fn->revision = d->rev_id;
	ht = pci_read_byte(d, PCI_HEADER_TYPE);
	fn->header_type = ht & 0x7f;
	fn->multifunction = (ht & 0x80) != 0;
	if (fn->header_type == PCI_HEADER_TYPE_BRIDGE ||
	    fn->header_type == PCI_HEADER_TYPE_CARDBUS) {
		/* same offsets in both headers */
		fn->primary_bus = pci_read_byte(d, PCI_PRIMARY_BUS);
		fn->secondary_bus = pci_read_byte(d, PCI_SECONDARY_BUS);
		fn->subordinate_bus = pci_read_byte(d, PCI_SUBORDINATE_BUS);
	}
	disc_read_pcie(fn, d);
	disc_read_sriov(&fn->sriov, d);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Ordering and hierarchy */

static uint64_t disc_key(uint32_t domain, uint16_t rid)
{
	return ((uint64_t)domain << 16) | rid;
}

static uint64_t disc_fn_key(const struct fab_discover_fn *fn)
{
	return disc_key(fn->domain, FAB_RID(fn->bus, fn->dev, fn->func));
}

static int disc_fn_cmp(const void *a, const void *b)
{
	uint64_t ka = disc_fn_key(a), kb = disc_fn_key(b);

	return (ka > kb) - (ka < kb);
}

/* Index of the first function at @key in the sorted list, or -1. */
static int disc_index(const struct fab_discover_list *list, uint64_t key)
{
	size_t lo = 0, hi = list->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (disc_fn_key(&list->fns[mid]) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < list->count && disc_fn_key(&list->fns[lo]) == key)
		return (int)lo;
	return -1;
}

const struct fab_discover_fn *
fab_discover_list_find(const struct fab_discover_list *list, uint32_t domain,
		       uint8_t bus, uint8_t dev, uint8_t func)
{
	int i;

	if (!list || !list->fns)
		return NULL;
	i = disc_index(list, disc_key(domain, FAB_RID(bus, dev, func)));
	return i < 0 ? NULL : &list->fns[i];
}

/* A bridge by the bus behind it: (domain, secondary bus) -> index. */
struct disc_bridge {
	uint64_t key;
	int index;
};

static int disc_bridge_cmp(const void *a, const void *b)
{
	const struct disc_bridge *x = a, *y = b;

	if (x->key != y->key)
		return (x->key > y->key) - (x->key < y->key);
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * parent: the bridge whose secondary bus a function sits on.  Bridges whose
 * secondary bus is not above their own bus are unconfigured (0) or broken
 * and parent nothing.  When two bridges claim one bus the first wins.
 */
static int disc_link_parents(struct fab_discover_list *list, struct fm_err *err)
{
	struct disc_bridge *br;
	size_t i, n = 0;

	br = calloc(list->count, sizeof(*br));
	if (!br)
		return fm_err_sys(err, FM_ENOMEM, ENOMEM,
				  "discover: %zu functions", list->count);
	for (i = 0; i < list->count; i++) {
		const struct fab_discover_fn *fn = &list->fns[i];

		if (fn->secondary_bus <= fn->bus)
			continue;
		br[n].key = disc_key(fn->domain, fn->secondary_bus);
		br[n].index = (int)i;
		n++;
	}
	qsort(br, n, sizeof(*br), disc_bridge_cmp);
	for (i = 0; i < list->count && n; i++) {
		struct fab_discover_fn *fn = &list->fns[i];
		uint64_t key = disc_key(fn->domain, fn->bus);
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (br[mid].key < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && br[lo].key == key)
			fn->parent = br[lo].index;
	}
	free(br);
	return 0;
}

/*
 * pf: VF n (1-based) of a PF sits at routing ID PF + First VF Offset +
 * (n - 1) * VF Stride (SR-IOV, PCIe r6.0 9.3.3.10), while VF Enable is set.
 * A VF may sit on a bus above the PF's, which no bridge names as its
 * secondary bus: its parent is its PF's.
 */
static void disc_link_vfs(struct fab_discover_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		const struct fab_discover_fn *pf = &list->fns[i];
		const struct fab_discover_sriov *iov = &pf->sriov;
		uint32_t rid, n;

		if (!iov->present || !iov->vf_enable)
			continue;
		rid = FAB_RID(pf->bus, pf->dev, pf->func) +
		      (uint32_t)iov->first_vf_offset;
		for (n = 0; n < iov->num_vfs && rid <= 0xffff; n++) {
			int vf = disc_index(
				list, disc_key(pf->domain, (uint16_t)rid));

			if (vf >= 0 && vf != (int)i && list->fns[vf].pf < 0) {
				list->fns[vf].pf = (int)i;
				list->fns[vf].parent = pf->parent;
			}
			if (!iov->vf_stride)
				break;
			rid += iov->vf_stride;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Scanning */

static int disc_collect(struct disc_scan *s, struct fm_err *err)
{
	struct fab_discover_list *out = s->out;
	struct pci_dev *d;
	const char *method;
	size_t n = 0;
	int ret;

	s->phase = DISC_PHASE_LIST;
	pci_init(s->pa);
	method = pci_get_method_name((int)s->pa->method);
	snprintf(out->method, sizeof(out->method), "%s", method ? method : "");
	pci_scan_bus(s->pa);
	s->phase = DISC_PHASE_READ;
	for (d = s->pa->devices; d; d = d->next)
		n++;
	if (!n && s->path)
		return fm_err_set(err, FM_EPARSE,
				  "dump %s: no PCI function in it: not an "
				  "lspci -x dump (no \"dddd:bb:dd.f\" line)",
				  s->path);
	if (!n)
		return 0;
	out->fns = calloc(n, sizeof(*out->fns));
	if (!out->fns)
		return fm_err_sys(err, FM_ENOMEM, ENOMEM,
				  "discover: %zu functions", n);
	for (d = s->pa->devices; d; d = d->next) {
		ret = disc_read_fn(&out->fns[out->count], d, s, err);
		if (ret < 0)
			return ret;
		out->count++;
	}
	qsort(out->fns, out->count, sizeof(*out->fns), disc_fn_cmp);
	ret = disc_link_parents(out, err);
	if (ret < 0)
		return ret;
	disc_link_vfs(out);
	return 0;
}

/* libpci's fatal messages, by prefix, to our codes; first match wins.
 * Any other message is FM_EPARSE from a dump, FM_EIO from the host. */
static const struct {
	const char *prefix;
	int code;
} disc_libpci_codes[] = {
	{ "Out of memory", FM_ENOMEM },
	{ "dump: Cannot open", FM_EIO },
};

/* A libpci fatal error @msg ended the scan during @s->phase. */
static int disc_trapped(struct disc_scan *s, const char *msg,
			struct fm_err *err)
{
	int code = s->path ? FM_EPARSE : FM_EIO;
	size_t i;

	if (!s->path && s->phase == DISC_PHASE_LIST) {
		/*
		 * No access method, or one that cannot list (a container
		 * with no /sys/bus/pci and an empty /proc/bus/pci): this
		 * machine shows no PCI, which is a valid answer.
		 */
		s->out->method[0] = '\0';
		snprintf(s->out->note, sizeof(s->out->note), "libpci: %s", msg);
		return 0;
	}
	for (i = 0; i < FM_ARRAY_SIZE(disc_libpci_codes); i++) {
		const char *p = disc_libpci_codes[i].prefix;

		if (strncmp(msg, p, strlen(p)) == 0) {
			code = disc_libpci_codes[i].code;
			break;
		}
	}
	if (!s->path)
		return fm_err_set(err, code, "host scan: libpci: %s", msg);
	/* libpci's dump method prefixes its messages with "dump: " */
	if (strncmp(msg, "dump: ", 6) == 0)
		msg += 6;
	return fm_err_set(err, code, "dump %s: %s", s->path, msg);
}

/*
 * Run libpci on @s->pa under a trap.  Locals are not modified between
 * setjmp() and a longjmp(), so none needs volatile.
 */
static int disc_scan_run(struct disc_scan *s, struct fm_err *err)
{
	struct disc_trap trap;
	int ret;

	trap.msg[0] = '\0';
	s->pa->error = disc_libpci_error;
	s->pa->warning = disc_libpci_warning;
	s->pa->debug = disc_libpci_debug;
	disc_trap_cur = &trap;
	if (setjmp(trap.jb) == 0)
		ret = disc_collect(s, err);
	else
		ret = disc_trapped(s, trap.msg, err);
	disc_trap_cur = NULL;
	return ret;
}

static void disc_list_init(struct fab_discover_list *list)
{
	list->fns = NULL;
	list->count = 0;
	list->method[0] = '\0';
	list->note[0] = '\0';
}

void fab_discover_list_fini(struct fab_discover_list *list)
{
	if (!list)
		return;
	free(list->fns);
	disc_list_init(list);
}

/* Shared by both sources: @path NULL scans the host. */
static int disc_scan(struct fab_discover_list *out, const char *path,
		     struct fm_err *err)
{
	struct disc_scan s = { .out = out, .path = path };
	char *name = NULL;
	int ret;

	s.pa = pci_alloc();
	if (!s.pa) {
		ret = fm_err_sys(err, FM_ENOMEM, ENOMEM, "discover: libpci");
		goto out;
	}
	if (path) {
		name = strdup(path);
		if (!name) {
			ret = fm_err_sys(err, FM_ENOMEM, ENOMEM,
					 "dump %s: path", path);
			goto out;
		}
		s.pa->method = PCI_ACCESS_DUMP;
		if (pci_set_param(s.pa, "dump.name", name) != 0) {
			ret = fm_err_set(err, FM_EUNSUPP,
					 "dump %s: this libpci has no dump "
					 "method",
					 path);
			goto out;
		}
	}
	/* read-only: libpci opens config space for writing only when asked */
	s.pa->writeable = 0;
	ret = disc_scan_run(&s, err);
out:
	if (s.pa)
		pci_cleanup(s.pa);
	free(name);
	if (ret < 0)
		fab_discover_list_fini(out);
	return ret;
}

int fab_discover_scan_host(struct fab_discover_list *out, struct fm_err *err)
{
	disc_list_init(out);
	return disc_scan(out, NULL, err);
}

int fab_discover_scan_dump(struct fab_discover_list *out, const char *path,
			   struct fm_err *err)
{
	struct stat st;

	disc_list_init(out);
	if (!path || !*path)
		return fm_err_set(err, FM_EINVAL, "dump: no file name given");
	/* libpci's own message for a missing file carries no code: stat
	 * first, so the caller gets ENOENT as a code and errno */
	if (stat(path, &st) != 0)
		return fm_err_sys(err, errno == ENOENT ? FM_ENOENT : FM_EIO,
				  errno, "dump %s: cannot open", path);
	if (S_ISDIR(st.st_mode))
		return fm_err_set(err, FM_EINVAL,
				  "dump %s: is a directory, not a dump file",
				  path);
	return disc_scan(out, path, err);
}
