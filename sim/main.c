/* SPDX-License-Identifier: MIT */
/*
 * main.c - mrfabric-sim: build a simulated chassis from its description,
 * start the switch firmware and power it on, apply bindings given on the
 * command line, and print what it became: a readable summary, or config
 * space dumps that `lspci -F` reads; then, with --listen, serve FMP on a
 * UNIX socket while virtual time follows wall time, until SIGINT/SIGTERM.
 *
 * Exit status: 0 on success, 1 when the chassis file is bad or the
 * chassis does not power on (or output fails), 2 for a usage error.
 * Everything is checked before the chassis is built, and the output file
 * is opened only once the chassis is up, so a bad run changes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/chassis_int.h"
#include "switchfw/fmp.h"
#include "switchfw/switchfw.h"

#ifndef MRFABRIC_VERSION
#define MRFABRIC_VERSION "0.1.0"
#endif

#define PROG "mrfabric-sim"
#define MAX_DUMPS 64
#define MAX_BINDS 256
/* --bind: virtual time allowed for the hosts to finish their hot-adds */
#define BIND_SETTLE_NS (60 * FAB_NS_PER_S)

enum exit_status {
	EXIT_OK = 0,
	EXIT_BAD_CHASSIS = 1,
	EXIT_USAGE = 2,
};

/* A requested dump: the fabric, or one blade by index or name. */
struct dump_req {
	bool fabric;
	const char *blade; /* host:N: N as given */
};

/* A requested binding: function "dddd:bb:dd.f" to blade host:N. */
struct bind_req {
	const char *arg; /* as given, for messages */
	unsigned chip;	 /* PCI domain of the fabric dump: the switch */
	uint16_t rid;	 /* physical bus:dev.fn in that domain */
	const char *blade;
	/* filled in once the firmware runs */
	uint32_t fid;
	unsigned part;
	unsigned vppb;
	struct sim_blade *b;
};

struct options {
	const char *chassis;
	const char *output;
	const char *listen;
	double speed; /* virtual ns per wall ns with --listen */
	bool quiet;
	unsigned ndumps;
	struct dump_req dumps[MAX_DUMPS];
	unsigned nbinds;
	struct bind_req binds[MAX_BINDS];
};

static const char usage_text[] =
	"Usage: mrfabric-sim --chassis FILE [--bind FUNCTION=host:N]...\n"
	"                    [--dump fabric|host:N]... [--output FILE]\n"
	"                    [--listen PATH [--speed FACTOR]] [--quiet]\n"
	"       mrfabric-sim --help | --version\n"
	"\n"
	"Simulate a multi-root PCIe blade chassis: build it from the JSON\n"
	"description FILE (see schemas/chassis.schema.json), start the switch\n"
	"firmware and power the chassis on (links train, the firmware gives\n"
	"each blade its virtual hierarchy, blades boot and enumerate, on\n"
	"virtual time), apply the --bind requests, then print a summary: the\n"
	"blades and what each enumerated, the switches and their port link\n"
	"states, the endpoints and their SR-IOV numbers.\n"
	"\n"
	"Options:\n"
	"  -c, --chassis FILE  chassis description to load (required; FILE\n"
	"                      may also be the only non-option argument)\n"
	"  -d, --dump WHAT     instead of the summary, print config space in\n"
	"                      `lspci -xxxx` format; `lspci -F DUMPFILE`\n"
	"                      reads it back.  WHAT is one of:\n"
	"                        fabric  the physical fabric as the switch\n"
	"                                management CPU sees it: PCI\n"
	"                                domain N is switch N, port P is the\n"
	"                                bridge at 00:P.0, endpoints (PFs and\n"
	"                                enabled VFs) sit below the\n"
	"                                downstream ports\n"
	"                        host:N  what blade N sees (N: the blade's\n"
	"                                index from 0, or its name)\n"
	"                      Repeat to print several dumps, in order.\n"
	"  -b, --bind FUNCTION=host:N\n"
	"                      bind a function to blade N (its index\n"
	"                      from 0, or its name) before printing: the\n"
	"                      firmware hot-adds it and the clock runs\n"
	"                      until the blade has enumerated it.\n"
	"                      FUNCTION is named as --dump fabric shows\n"
	"                      it: \"dddd:bb:dd.f\" (domain dddd is switch\n"
	"                      dddd) or \"bb:dd.f\" on switch 0; a VF, a\n"
	"                      device without SR-IOV, or a whole device.\n"
	"                      Repeat to bind several.\n"
	"  -l, --listen PATH   after printing, serve FMP (the fabric\n"
	"                      management protocol, schemas/fmp.md) on\n"
	"                      the UNIX socket PATH until SIGINT or\n"
	"                      SIGTERM, virtual time following wall\n"
	"                      time; the socket is removed at exit\n"
	"  -s, --speed FACTOR  with --listen: virtual time runs FACTOR\n"
	"                      times as fast as wall time (default 1)\n"
	"  -o, --output FILE   write to FILE instead of standard output; the\n"
	"                      file is created only once the chassis is up\n"
	"  -q, --quiet         print no summary, and of the simulator's own\n"
	"                      messages (normally warnings and errors, on\n"
	"                      stderr) only errors; the exit status says\n"
	"                      whether the chassis loaded and powered on\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Examples:\n"
	"  mrfabric-sim --chassis examples/chassis-small.json\n"
	"  mrfabric-sim -c examples/chassis-rack.json -d fabric -o fab.txt\n"
	"  lspci -F fab.txt -tv\n"
	"  mrfabric-sim -c examples/chassis-small.json -b 03:00.1=host:0 \\\n"
	"               -d host:0 -o blade0.txt\n"
	"  mrfabric-sim -c examples/chassis-small.json --listen /tmp/fmp.sock\n"
	"\n"
	"Exit status: 0 success (with --listen: stopped by a signal); 1 bad\n"
	"chassis file, power-on or firmware failure, a blade that did not\n"
	"enumerate a bound function, output or socket error; 2 usage error\n"
	"(including an unknown blade in --dump or --bind, an unknown\n"
	"function, and a binding the firmware refuses).\n";

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry '" PROG " --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static int parse_dump(struct options *o, const char *arg)
{
	struct dump_req *d;

	if (o->ndumps == MAX_DUMPS)
		return usage_error("--dump: at most 64 dumps, got more (%s)",
				   arg);
	d = &o->dumps[o->ndumps];
	if (strcmp(arg, "fabric") == 0) {
		d->fabric = true;
	} else if (strncmp(arg, "host:", 5) == 0 && arg[5]) {
		d->blade = arg + 5;
	} else {
		return usage_error("--dump: expected \"fabric\" or \"host:N\", "
				   "got \"%s\"",
				   arg);
	}
	o->ndumps++;
	return EXIT_OK;
}

/* FUNCTION=host:N; the function is looked up once the firmware runs. */
static int parse_bind(struct options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct bind_req *b;
	struct fm_err err = { 0 };
	char fn[32];
	const char *rid = fn;
	size_t n;

	if (o->nbinds == MAX_BINDS)
		return usage_error("--bind: at most %u bindings, got more (%s)",
				   MAX_BINDS, arg);
	b = &o->binds[o->nbinds];
	b->arg = arg;
	n = eq ? (size_t)(eq - arg) : 0;
	if (!eq || n == 0 || n >= sizeof(fn) || strncmp(eq + 1, "host:", 5) ||
	    !eq[6])
		return usage_error("--bind: expected FUNCTION=host:N (e.g. "
				   "0000:03:00.1=host:0), got \"%s\"",
				   arg);
	memcpy(fn, arg, n);
	fn[n] = '\0';
	b->blade = eq + 6;
	/* "dddd:bb:dd.f": the domain names the switch */
	if (strchr(fn, ':') != strrchr(fn, ':')) {
		char *end = NULL;
		unsigned long d = strtoul(fn, &end, 16);

		if (end != fn + 4 || *end != ':' || d > 0xffff)
			return usage_error("--bind %s: domain must be four hex "
					   "digits",
					   arg);
		b->chip = (unsigned)d;
		rid = end + 1;
	}
	if (fab_rid_parse(&b->rid, rid, &err) < 0)
		return usage_error("--bind %s: %s", arg, err.msg);
	o->nbinds++;
	return EXIT_OK;
}

static int parse_speed(struct options *o, const char *arg)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v > 0 && v <= 1e9))
		return usage_error("--speed: expected a factor above 0 (e.g. "
				   "1, 10, 0.5), got \"%s\"",
				   arg);
	o->speed = v;
	return EXIT_OK;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "chassis", required_argument, NULL, 'c' },
		{ "dump", required_argument, NULL, 'd' },
		{ "bind", required_argument, NULL, 'b' },
		{ "listen", required_argument, NULL, 'l' },
		{ "speed", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, ":c:d:b:l:s:o:qhV", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'c':
			if (o->chassis)
				return usage_error("--chassis given twice (%s)",
						   optarg);
			o->chassis = optarg;
			break;
		case 'd':
			ret = parse_dump(o, optarg);
			if (ret != EXIT_OK)
				return ret;
			break;
		case 'b':
			ret = parse_bind(o, optarg);
			if (ret != EXIT_OK)
				return ret;
			break;
		case 'l':
			if (o->listen)
				return usage_error("--listen given twice (%s)",
						   optarg);
			o->listen = optarg;
			break;
		case 's':
			ret = parse_speed(o, optarg);
			if (ret != EXIT_OK)
				return ret;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf(PROG " " MRFABRIC_VERSION "\n");
			return EXIT_OK;
		case ':':
			return usage_error("%s needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		}
	}
	if (optind < argc && !o->chassis)
		o->chassis = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (!o->chassis)
		return usage_error("no chassis: give --chassis FILE");
	if (o->speed != 0 && !o->listen)
		return usage_error("--speed needs --listen");
	if (o->speed == 0)
		o->speed = 1;
	return -1;
}

/* host:N names a blade by index, or else by name. */
static struct sim_blade *find_blade(struct sim_chassis *ch, const char *n)
{
	char *end = NULL;
	unsigned long i;

	errno = 0;
	i = strtoul(n, &end, 10);
	if (errno == 0 && *n >= '0' && *n <= '9' && *end == '\0' &&
	    i < sim_chassis_blade_count(ch))
		return sim_chassis_blade(ch, (unsigned)i);
	return sim_chassis_blade_find(ch, n);
}

static const char *const pcie_type_names[] = {
	[PCI_EXP_TYPE_ENDPOINT] = "endpoint",
	[PCI_EXP_TYPE_LEG_END] = "legacy endpoint",
	[PCI_EXP_TYPE_ROOT_PORT] = "root port",
	[PCI_EXP_TYPE_UPSTREAM] = "upstream port",
	[PCI_EXP_TYPE_DOWNSTREAM] = "downstream port",
	[PCI_EXP_TYPE_PCI_BRIDGE] = "pcie-to-pci bridge",
	[PCI_EXP_TYPE_PCIE_BRIDGE] = "pci-to-pcie bridge",
	[PCI_EXP_TYPE_ROOT_INT_EP] = "rc integrated endpoint",
	[PCI_EXP_TYPE_ROOT_EC] = "rc event collector",
};

static const char *dev_kind(const struct sim_host_dev *d)
{
	if (d->pcie_type < FM_ARRAY_SIZE(pcie_type_names) &&
	    pcie_type_names[d->pcie_type])
		return pcie_type_names[d->pcie_type];
	if ((d->class_code >> 8) == 0x0600)
		return "host bridge";
	return d->is_bridge ? "bridge" : "function";
}

static const char *const port_kind_names[] = {
	[FAB_PORT_UPSTREAM] = "upstream",
	[FAB_PORT_DOWNSTREAM] = "downstream",
	[FAB_PORT_FABRIC] = "fabric",
};

/* "up x16 16GT/s", "training", "down", "disabled". */
static const char *port_state(char *buf, size_t len, struct fab_chip *chip,
			      unsigned port)
{
	struct fab_port_status st = { 0 };

	if (chip->ops->port_status(chip, port, &st, NULL) < 0)
		snprintf(buf, len, "unknown");
	else if (st.up)
		snprintf(buf, len, "up x%u %s", st.width,
			 sim_chassis_speed_name(st.speed));
	else
		snprintf(buf, len, "%s",
			 !st.enabled ? "disabled"
				     : (st.training ? "training" : "down"));
	return buf;
}

static void summary_blades(FILE *out, struct sim_chassis *ch)
{
	char state[64], rid[FAB_RID_STR_LEN];
	unsigned i, j;

	fprintf(out, "blades:\n");
	for (i = 0; i < ch->nblades; i++) {
		const struct sim_ch_blade *cb = &ch->blades[i];
		const struct sim_ch_switch *cs = &ch->switches[cb->sw];
		struct sim_blade *b = cb->b;
		unsigned n = sim_blade_dev_count(b);

		fprintf(out,
			"  %u %s: root port x%u %s, cabled to %s port %u: "
			"%s; %u function%s enumerated\n",
			i, cb->desc.name, cb->desc.link_width,
			sim_chassis_speed_name(cb->desc.link_speed),
			cs->desc.name, cb->port,
			port_state(state, sizeof(state),
				   sim_switch_chip(cs->sw), cb->port),
			n, n == 1 ? "" : "s");
		for (j = 0; j < n; j++) {
			const struct sim_host_dev *d = sim_blade_dev(b, j);

			fprintf(out, "    %s %04x:%04x class %06x %s",
				fab_rid_format(rid, d->rid), d->vendor,
				d->device, d->class_code, dev_kind(d));
			if (d->is_bridge)
				fprintf(out, " [bus %02x-%02x]", d->sec_bus,
					d->sub_bus);
			if (d->hotplug_slot)
				fprintf(out, " hot-plug slot");
			fputc('\n', out);
		}
	}
}

static void summary_switches(FILE *out, struct sim_chassis *ch)
{
	char state[64];
	unsigned s, p;

	fprintf(out, "switches:\n");
	for (s = 0; s < ch->nswitches; s++) {
		const struct sim_ch_switch *cs = &ch->switches[s];
		struct fab_chip *chip = sim_switch_chip(cs->sw);

		fprintf(out, "  %u %s: %04x:%04x, %u ports, domain %04x\n", s,
			cs->desc.name, cs->desc.vendor, cs->desc.device,
			cs->nports, s);
		for (p = 0; p < cs->nports; p++) {
			const struct sim_ch_port *cp = &cs->ports[p];
			char link[16];

			snprintf(link, sizeof(link), "x%u %s", cp->width,
				 sim_chassis_speed_name(cp->speed));
			fprintf(out, "    port %2u %-10s %-11s %-14s %s", p,
				port_kind_names[cp->kind], link,
				cs->port_descs[p].label[0]
					? cs->port_descs[p].label
					: "(empty)",
				port_state(state, sizeof(state), chip, p));
			if (cp->kind == FAB_PORT_DOWNSTREAM)
				fprintf(out, ", bus %02x-%02x", cp->sec_bus,
					cp->sub_bus);
			if (cp->kind == FAB_PORT_FABRIC && cp->peer_switch >= 0)
				fprintf(out, ", peer port %u", cp->peer_port);
			fputc('\n', out);
		}
	}
}

static void summary_eps(FILE *out, struct sim_chassis *ch)
{
	unsigned i;

	fprintf(out, "endpoints:\n");
	for (i = 0; i < ch->neps; i++) {
		const struct sim_ch_ep *ce = &ch->eps[i];
		const struct sim_ep_desc *d = &ce->desc;

		fprintf(out,
			"  %u %s: %04x:%04x class %06x x%u %s, %s port %u, "
			"PF %04x:%02x:00.0",
			i, d->name, d->vendor, d->device, d->class_code,
			d->link_width, sim_chassis_speed_name(d->link_speed),
			ch->switches[ce->sw].desc.name, ce->port, ce->sw,
			ce->bus);
		if (d->total_vfs)
			fprintf(out,
				", SR-IOV: %u VFs (%u enabled), VF device "
				"%04x, offset %u, stride %u",
				d->total_vfs, sim_ep_num_vfs_enabled(ce->ep),
				d->vf_device, d->first_vf_offset, d->vf_stride);
		fputc('\n', out);
	}
}

static void summary(FILE *out, struct sim_chassis *ch)
{
	uint64_t t = sim_clock_now(ch->clk);

	fprintf(out,
		"chassis %s: %u blade%s, %u switch%s, %u endpoint%s; "
		"powered on in %" PRIu64 ".%03" PRIu64 " ms (virtual)\n",
		ch->name, ch->nblades, ch->nblades == 1 ? "" : "s",
		ch->nswitches, ch->nswitches == 1 ? "" : "es", ch->neps,
		ch->neps == 1 ? "" : "s", (uint64_t)(t / FAB_NS_PER_MS),
		(uint64_t)(t % FAB_NS_PER_MS / FAB_NS_PER_US));
	summary_blades(out, ch);
	summary_switches(out, ch);
	summary_eps(out, ch);
}

/* The firmware over every switch of the chassis, started. */
static int fw_start(struct sw_fw **out, struct sim_chassis *ch,
		    struct fm_err *err)
{
	struct fab_chip *chips[SW_MAX_CHIPS];
	unsigned n = sim_chassis_switch_count(ch);
	int ret;

	if (n > SW_MAX_CHIPS)
		return fm_err_set(err, FM_ERANGE,
				  "%u switches: the firmware drives at most %u",
				  n, SW_MAX_CHIPS);
	for (unsigned i = 0; i < n; i++)
		chips[i] = sim_switch_chip(sim_chassis_switch(ch, i));
	ret = sw_fw_new(out, chips, n, NULL, err);
	if (ret < 0)
		return ret;
	ret = sw_fw_start(*out, err);
	if (ret < 0) {
		sw_fw_free(*out);
		*out = NULL;
	}
	return ret;
}

/* The partition of the upstream port blade @bi is cabled to, or -1. */
static int blade_partition(struct sim_chassis *ch, struct sw_fw *fw,
			   unsigned bi)
{
	const struct sim_ch_blade *cb = &ch->blades[bi];
	unsigned n = sw_fw_partition_count(fw);

	for (unsigned p = 0; p < n; p++) {
		struct sw_partition_info pi;

		if (sw_fw_partition(fw, p, &pi, NULL) == 0 &&
		    pi.chip == (unsigned)cb->sw && pi.port == cb->port)
			return (int)p;
	}
	return -1;
}

/*
 * Look up every --bind's function and blade before binding anything.
 * Returns EXIT_OK or the exit status of the first bad one.
 */
static int binds_resolve(struct options *o, struct sim_chassis *ch,
			 struct sw_fw *fw)
{
	for (unsigned i = 0; i < o->nbinds; i++) {
		struct bind_req *b = &o->binds[i];
		struct fm_err err = { 0 };
		unsigned bi;
		int part;

		b->b = find_blade(ch, b->blade);
		if (!b->b)
			return usage_error("--bind %s: %s has no such blade "
					   "(%u blades: index 0..%u or a name)",
					   b->arg, o->chassis, ch->nblades,
					   ch->nblades - 1);
		if (b->chip >= ch->nswitches)
			return usage_error("--bind %s: no domain %04x: %s has "
					   "%u switch%s, domains 0000..%04x",
					   b->arg, b->chip, o->chassis,
					   ch->nswitches,
					   ch->nswitches == 1 ? "" : "es",
					   ch->nswitches - 1);
		if (sw_fw_function_by_rid(&b->fid, fw, b->chip, b->rid, &err))
			return usage_error("--bind %s: %s", b->arg, err.msg);
		bi = 0;
		while (ch->blades[bi].b != b->b)
			bi++; /* find_blade() found it, so it is there */
		part = blade_partition(ch, fw, bi);
		if (part < 0)
			return usage_error("--bind %s: blade %s has no "
					   "partition",
					   b->arg, ch->blades[bi].desc.name);
		b->part = (unsigned)part;
	}
	return EXIT_OK;
}

/* The blade has enumerated the function bound for it. */
static bool bind_done(const struct bind_req *b, struct sw_fw *fw)
{
	struct sw_partition_info pi;
	const struct sw_vppb_info *v;

	if (sw_fw_partition(fw, b->part, &pi, NULL) < 0)
		return false;
	v = &pi.vppb[b->vppb];
	return v->state == SW_VPPB_BOUND && v->sec_bus &&
	       sim_blade_dev_find(b->b, FAB_RID(v->sec_bus, 0, 0));
}

/*
 * Bind, then run the clock until every blade has enumerated what was
 * bound for it.  Returns EXIT_OK, EXIT_USAGE for a binding the firmware
 * refuses, or EXIT_BAD_CHASSIS (with @err) when a blade never finishes.
 */
static int binds_apply(struct options *o, struct sim_chassis *ch,
		       struct sw_fw *fw, struct fm_err *err)
{
	struct sim_clock *clk = sim_chassis_clock(ch);
	uint64_t deadline = sim_clock_now(clk) + BIND_SETTLE_NS;

	for (unsigned i = 0; i < o->nbinds; i++) {
		struct bind_req *b = &o->binds[i];
		struct fm_err berr = { 0 };

		if (sw_fw_bind(fw, b->fid, b->part, -1, &b->vppb, &berr) < 0)
			return usage_error("--bind %s: %s", b->arg, berr.msg);
	}
	for (unsigned i = 0; i < o->nbinds; i++) {
		const struct bind_req *b = &o->binds[i];

		while (!bind_done(b, fw)) {
			uint64_t next = sim_clock_next_time(clk);

			if (next > deadline) {
				fm_err_set(err, FM_ETIMEDOUT,
					   "--bind %s: host:%s did not "
					   "enumerate the function within %llu "
					   "s (virtual)",
					   b->arg, b->blade,
					   (unsigned long long)(BIND_SETTLE_NS /
								FAB_NS_PER_S));
				return EXIT_BAD_CHASSIS;
			}
			sim_clock_run_until(clk, next);
		}
	}
	return EXIT_OK;
}

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static double wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * Serve FMP on o->listen until SIGINT or SIGTERM.  Virtual time follows
 * wall time (times o->speed): events fire when their time comes, and
 * requests are answered at the virtual time of their arrival.  SIGINT and
 * SIGTERM stay blocked except inside ppoll(), so none is lost.
 */
static int serve(const struct options *o, struct sim_chassis *ch,
		 struct sw_fw *fw, struct fm_err *err)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct sim_clock *clk = sim_chassis_clock(ch);
	struct sw_fmp_unix_server *srv = NULL;
	sigset_t block, orig;
	uint64_t v0;
	double w0;
	int ret;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = sw_fmp_unix_server_new(&srv, o->listen, sw_fmp_fw_handle, fw,
				     err);
	if (ret < 0)
		goto out;
	if (!o->quiet) {
		printf("serving FMP on %s (virtual time x%g); SIGINT or "
		       "SIGTERM stops\n",
		       o->listen, o->speed);
		fflush(stdout);
	}
	v0 = sim_clock_now(clk);
	w0 = wall_ns();
	while (!stop_signal) {
		struct pollfd p = { .fd = sw_fmp_unix_server_fd(srv),
				    .events = POLLIN };
		uint64_t vnow = v0 + (uint64_t)((wall_ns() - w0) * o->speed);
		uint64_t next;
		/* look at the clock at least once a second */
		struct timespec ts = { .tv_sec = 1 };
		int n;

		sim_clock_run_until(clk, vnow);
		next = sim_clock_next_time(clk);
		if (next != UINT64_MAX) {
			double wait = (double)(next - vnow) / o->speed;

			if (wait < 1e9) {
				ts.tv_sec = 0;
				ts.tv_nsec = (long)wait + 1;
			}
		}
		n = ppoll(&p, 1, &ts, &orig);
		if (n < 0 && errno != EINTR) {
			ret = fm_err_sys(err, FM_EIO, errno, "%s: poll",
					 o->listen);
			goto out;
		}
		if (n <= 0)
			continue;
		vnow = v0 + (uint64_t)((wall_ns() - w0) * o->speed);
		sim_clock_run_until(clk, vnow);
		ret = sw_fmp_unix_server_process(srv, err);
		if (ret < 0)
			goto out;
	}
out:
	sw_fmp_unix_server_free(srv);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return ret;
}

static int run(struct options *o)
{
	struct sim_blade *blades[MAX_DUMPS] = { NULL };
	struct sim_chassis *ch = NULL;
	struct sw_fw *fw = NULL;
	struct fm_err err = { 0 };
	FILE *out = stdout;
	int status = EXIT_BAD_CHASSIS;
	unsigned i;

	/* the summary says what the info messages would */
	fm_log_set_level(o->quiet ? FM_LOG_ERROR : FM_LOG_WARN);
	if (sim_chassis_load(&ch, o->chassis, &err) < 0)
		goto out;
	for (i = 0; i < o->ndumps; i++) {
		if (o->dumps[i].fabric)
			continue;
		blades[i] = find_blade(ch, o->dumps[i].blade);
		if (!blades[i]) {
			status = usage_error("--dump host:%s: %s has no such "
					     "blade (%u blades: index 0..%u "
					     "or a name)",
					     o->dumps[i].blade, o->chassis,
					     sim_chassis_blade_count(ch),
					     sim_chassis_blade_count(ch) - 1);
			goto out;
		}
	}
	if (fw_start(&fw, ch, &err) < 0)
		goto out;
	if (sim_chassis_power_on(ch, &err) < 0)
		goto out;
	status = binds_resolve(o, ch, fw);
	if (status != EXIT_OK)
		goto out;
	status = binds_apply(o, ch, fw, &err);
	if (status != EXIT_OK)
		goto out;
	status = EXIT_BAD_CHASSIS;
	if (o->output) {
		out = fopen(o->output, "w");
		if (!out) {
			out = stdout;
			fm_err_sys(&err, FM_EIO, errno, "%s", o->output);
			goto out;
		}
	}
	if (!o->ndumps && !o->quiet)
		summary(out, ch);
	for (i = 0; i < o->ndumps; i++) {
		int ret = o->dumps[i].fabric
				  ? sim_chassis_dump_fabric(ch, out, &err)
				  : sim_blade_dump(blades[i], out, &err);

		if (ret < 0)
			goto out;
	}
	if (fflush(out) != 0 || ferror(out)) {
		fm_err_sys(&err, FM_EIO, errno ? errno : EIO, "%s",
			   o->output ? o->output : "standard output");
		goto out;
	}
	if (o->listen && serve(o, ch, fw, &err) < 0)
		goto out;
	status = EXIT_OK;
out:
	if (out != stdout && fclose(out) != 0 && status == EXIT_OK) {
		fm_err_sys(&err, FM_EIO, errno, "%s", o->output);
		status = EXIT_BAD_CHASSIS;
	}
	if (err.code)
		fprintf(stderr, PROG ": %s\n", err.msg);
	sw_fw_free(fw);
	sim_chassis_free(ch);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int ret;

	ret = parse_args(&o, argc, argv);
	if (ret >= 0)
		return ret;
	return run(&o);
}
