/* SPDX-License-Identifier: MIT */
/*
 * test_events.c - the event hub and the EventService SSE stream as a
 * client sees them: the small example chassis with its firmware (FMP
 * in-process, virtual time as fast as possible), an in-memory store, the
 * hub, and the HTTP server on 127.0.0.1 (a free port).  The client is a
 * plain non-blocking socket driven in the loop's thread: no threads, no
 * sleeps.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fabric/pcie.h"
#include "mgmt/events.h"
#include "mgmt/http_int.h"
#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"
#include "sim/sim.h"
#include "switchfw/fmp.h"
#include "switchfw/switchfw.h"
#include "tests/support/support.h"

#define MS FAB_NS_PER_MS
#define MAX_ITER 20000
#define SSE_URI "/redfish/v1/EventService/SSE"
#define RESOURCE_CHANGED "ResourceEvent.1.4.ResourceChanged"

static struct {
	struct mgmt_config cfg;
	struct sim_chassis *ch;
	struct sw_fw *fw;
	struct mgmt_loop *loop;
	struct sw_fmp_client *fmp;
	struct mgmt_store *store;
	struct mgmt_events *ev;
	struct mgmt_router *router;
	struct mgmt_ctx ctx;
	struct mgmt_http *http;
} fx;

static void quiet(void *ctx, enum fm_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

/* The fixture with event retention @retention and hub options @eo. */
static void start_notify(unsigned retention, const struct mgmt_events_opts *eo,
			 bool notify)
{
	const struct mgmt_route_set *sets[] = { &mgmt_res_root,
						&mgmt_res_registries,
						&mgmt_res_events };
	struct mgmt_store_opts so = { .event_retention = retention };
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };
	struct fab_chip *chip;
	char path[512];

	signal(SIGPIPE, SIG_IGN);
	fm_log_set_sink(quiet, NULL);
	mgmt_config_defaults(&fx.cfg);
	fx.cfg.listen_port = 0;
	cr_assert_eq(
		sim_chassis_load(&fx.ch,
				 t_source_path(path, sizeof(path),
					       "examples/chassis-small.json"),
				 &err),
		0, "%s", err.msg);
	chip = sim_switch_chip(sim_chassis_switch(fx.ch, 0));
	cr_assert_eq(sw_fw_new(&fx.fw, &chip, 1, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(sw_fw_start(fx.fw, &err), 0, "%s", err.msg);
	cr_assert_eq(sim_chassis_power_on(fx.ch, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_loop_new(&fx.loop, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_loop_set_vclock(fx.loop, sim_chassis_clock(fx.ch), 0,
					  &err),
		     0, "%s", err.msg);
	sw_fmp_transport_local(&t, fx.fw);
	cr_assert_eq(sw_fmp_client_new(&fx.fmp, &t, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_store_open_opts(&fx.store, ":memory:", &so, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(
		mgmt_events_new(&fx.ev, fx.loop, fx.store, fx.fmp, eo, &err), 0,
		"%s", err.msg);
	if (notify)
		sw_fw_set_notify(fx.fw, mgmt_events_fw_notify, fx.ev);
	cr_assert_eq(
		mgmt_router_new(&fx.router, sets, FM_ARRAY_SIZE(sets), &err), 0,
		"%s", err.msg);
	fx.ctx.cfg = &fx.cfg;
	fx.ctx.loop = fx.loop;
	fx.ctx.router = fx.router;
	fx.ctx.fmp = fx.fmp;
	fx.ctx.store = fx.store;
	fx.ctx.events = fx.ev;
	cr_assert_eq(mgmt_http_new(&fx.http, fx.loop, fx.router, &fx.ctx, &err),
		     0, "%s", err.msg);
}

static void start(unsigned retention, const struct mgmt_events_opts *eo)
{
	start_notify(retention, eo, true);
}

static void setup(void)
{
	memset(&fx, 0, sizeof(fx));
}

static void teardown(void)
{
	mgmt_http_free(fx.http);
	if (fx.fw)
		sw_fw_set_notify(fx.fw, NULL, NULL);
	mgmt_events_free(fx.ev);
	mgmt_router_free(fx.router);
	mgmt_store_close(fx.store);
	sw_fmp_client_free(fx.fmp);
	if (fx.loop)
		mgmt_loop_set_vclock(fx.loop, NULL, 1, NULL);
	sw_fw_free(fx.fw);
	sim_chassis_free(fx.ch);
	mgmt_loop_free(fx.loop);
}

TestSuite(mgmt_events, .init = setup, .fini = teardown, .timeout = 60);

/* ---------------------------------------------------------------------
 * A client on a socket
 */
struct t_conn {
	int fd;
	char *raw; /* everything received, NUL-terminated */
	size_t len;
	bool eof;
};

/* Open @path with header line @extra (may be NULL) on a new connection. */
static void t_open(struct t_conn *c, const char *path, const char *extra)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char req[512];
	int n, off = 0, i;

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	cr_assert_geq(c->fd, 0);
	sa.sin_port = htons(mgmt_http_port(fx.http));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		  errno == EINPROGRESS);
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: x\r\nAccept: "
		     "text/event-stream\r\n%s%s\r\n",
		     path, extra ? extra : "", extra ? "\r\n" : "");
	for (i = 0; off < n && i < MAX_ITER; i++) {
		ssize_t w =
			send(c->fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);

		if (w > 0)
			off += (int)w;
		else
			cr_assert_eq(mgmt_loop_run_once(fx.loop, MS, NULL), 0);
	}
	cr_assert_eq(off, n, "could not send the request");
}

/* Run the loop and receive until @until appears (or EOF, or give up). */
static void t_recv(struct t_conn *c, const char *until)
{
	unsigned i;

	for (i = 0; i < MAX_ITER && !c->eof; i++) {
		char buf[4096];
		ssize_t n;

		if (until && c->raw && strstr(c->raw, until))
			return;
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n > 0) {
			c->raw = realloc(c->raw, c->len + (size_t)n + 1);
			memcpy(c->raw + c->len, buf, (size_t)n);
			c->len += (size_t)n;
			c->raw[c->len] = '\0';
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			c->eof = true;
			break;
		}
		cr_assert_eq(mgmt_loop_run_once(fx.loop, MS, NULL), 0);
	}
}

/* Run the loop @n iterations, reading everything that arrives on @c. */
static void t_drain(struct t_conn *c, unsigned n)
{
	char buf[4096];
	unsigned i;
	ssize_t got;

	for (i = 0; i < n && !c->eof; i++) {
		cr_assert_eq(mgmt_loop_run_once(fx.loop, 0, NULL), 0);
		while ((got = recv(c->fd, buf, sizeof(buf), 0)) > 0) {
			c->raw = realloc(c->raw, c->len + (size_t)got + 1);
			cr_assert_not_null(c->raw);
			memcpy(c->raw + c->len, buf, (size_t)got);
			c->len += (size_t)got;
			c->raw[c->len] = '\0';
		}
		if (got == 0)
			c->eof = true;
	}
}

static void t_close(struct t_conn *c)
{
	close(c->fd);
	free(c->raw);
	c->raw = NULL;
}

/* The SSE events of @c after the headers, in order. */
struct t_sse {
	uint64_t id; /* 0: no id line (a marker) */
	struct json_object *data;
};

static size_t t_events(struct t_sse *out, size_t max, const struct t_conn *c)
{
	const char *p = c->raw ? strstr(c->raw, "\r\n\r\n") : NULL;
	size_t n = 0;

	cr_assert(p, "no response headers");
	p += 4;
	while (n < max) {
		const char *data = strstr(p, "data: ");
		const char *end, *id;

		if (!data)
			break;
		end = strchr(data, '\n');
		if (!end)
			break;
		id = strstr(p, "id: ");
		out[n].id = 0;
		if (id && id < data)
			out[n].id = strtoull(id + 4, NULL, 10);
		{
			char *text =
				strndup(data + 6, (size_t)(end - data - 6));

			out[n].data = json_tokener_parse(text);
			cr_assert(out[n].data, "not JSON: %s", text);
			free(text);
		}
		n++;
		p = end + 1;
	}
	return n;
}

static void t_events_free(struct t_sse *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_object_put(ev[i].data);
}

/* Events[0].<key> of an SSE event as a string ("" when absent). */
static const char *t_rec(const struct t_sse *e, const char *key)
{
	struct json_object *evs, *rec, *v;

	if (!json_object_object_get_ex(e->data, "Events", &evs))
		return "";
	rec = json_object_array_get_idx(evs, 0);
	if (!rec || !json_object_object_get_ex(rec, key, &v))
		return "";
	return json_object_get_string(v);
}

static void emit_n(unsigned n)
{
	struct fm_err err = { 0 };
	unsigned i;

	for (i = 0; i < n; i++)
		cr_assert_eq(mgmt_events_emit(fx.ev, "ResourceUpdated",
					      RESOURCE_CHANGED,
					      "/redfish/v1/EventService",
					      "One or more resource properties "
					      "have changed.",
					      &err),
			     0, "%s", err.msg);
}

/* ---------------------------------------------------------------------
 * Tests
 */
Test(mgmt_events, bind_through_firmware_reaches_stream_with_increasing_ids)
{
	struct fm_err err = { 0 };
	struct t_sse ev[64];
	struct t_conn c;
	size_t n, i, bound = 0;

	start(0, NULL);
	t_open(&c, SSE_URI, NULL);
	t_recv(&c, "retry:");
	cr_assert(strstr(c.raw, "HTTP/1.1 200"), "%s", c.raw);
	cr_assert(strstr(c.raw, "Content-Type: text/event-stream"), "%s",
		  c.raw);
	cr_assert_eq(sw_fw_bind(fx.fw, SW_FID(0, 2, 1), 0, -1, NULL, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(sw_fw_bind(fx.fw, SW_FID(0, 2, 2), 1, -1, NULL, &err), 0,
		     "%s", err.msg);
	t_recv(&c, "F-0-2-2' was bound");
	n = t_events(ev, FM_ARRAY_SIZE(ev), &c);
	cr_assert_geq(n, 2);
	for (i = 0; i < n; i++) {
		cr_assert_gt(ev[i].id, i ? ev[i - 1].id : 0,
			     "event %zu: id %llu", i,
			     (unsigned long long)ev[i].id);
		cr_assert_str_eq(t_rec(&ev[i], "EventId"),
				 json_object_get_string(json_object_object_get(
					 ev[i].data, "Id")));
		if (strcmp(t_rec(&ev[i], "MessageId"),
			   "MrfabricEvent.1.0.FunctionBound") == 0)
			bound++;
	}
	cr_assert_eq(bound, 2);
	cr_assert_str_eq(t_rec(&ev[0], "EventType"), "ResourceUpdated");
	cr_assert(strstr(t_rec(&ev[0], "Message"), "F-0-2-1"), "%s",
		  t_rec(&ev[0], "Message"));
	t_events_free(ev, n);
	t_close(&c);
}

Test(mgmt_events, reconnect_with_last_event_id_receives_exactly_the_missed)
{
	struct t_sse ev[16];
	struct t_conn c;
	size_t n;

	start(0, NULL);
	emit_n(5);
	t_open(&c, SSE_URI, "Last-Event-ID: 2");
	t_recv(&c, "id: 5\n");
	emit_n(1);
	t_recv(&c, "id: 6\n");
	t_drain(&c, 20);
	n = t_events(ev, FM_ARRAY_SIZE(ev), &c);
	cr_assert_eq(n, 4, "%s", c.raw);
	cr_assert_eq(ev[0].id, 3);
	cr_assert_eq(ev[1].id, 4);
	cr_assert_eq(ev[2].id, 5);
	cr_assert_eq(ev[3].id, 6);
	t_events_free(ev, n);
	t_close(&c);
}

Test(mgmt_events, without_last_event_id_stream_starts_with_next_event)
{
	struct t_sse ev[16];
	struct t_conn c;
	size_t n;

	start(0, NULL);
	emit_n(3);
	t_open(&c, SSE_URI, NULL);
	t_recv(&c, "retry:");
	emit_n(1);
	t_recv(&c, "id: 4\n");
	t_drain(&c, 20);
	n = t_events(ev, FM_ARRAY_SIZE(ev), &c);
	cr_assert_eq(n, 1, "%s", c.raw);
	cr_assert_eq(ev[0].id, 4);
	t_events_free(ev, n);
	t_close(&c);
}

Test(mgmt_events, too_old_last_event_id_gets_marker_then_kept_events)
{
	struct t_sse ev[16];
	struct t_conn c;
	size_t n, i;

	start(4, NULL);
	emit_n(10);
	t_open(&c, SSE_URI, "Last-Event-ID: 1");
	t_recv(&c, "id: 10\n");
	t_drain(&c, 20);
	n = t_events(ev, FM_ARRAY_SIZE(ev), &c);
	cr_assert_eq(n, 5, "%s", c.raw);
	cr_assert_eq(ev[0].id, 0, "the marker moves no client position");
	cr_assert_str_eq(t_rec(&ev[0], "MessageId"),
			 "MrfabricEvent.1.0.EventsLost");
	cr_assert_str_eq(t_rec(&ev[0], "MessageSeverity"), "Warning");
	cr_assert(strstr(t_rec(&ev[0], "Message"),
			 "first event still available is 7"),
		  "%s", t_rec(&ev[0], "Message"));
	for (i = 1; i < n; i++)
		cr_assert_eq(ev[i].id, 6 + i);
	t_events_free(ev, n);
	t_close(&c);
}

Test(mgmt_events, retention_bound_prunes_the_oldest_events)
{
	struct mgmt_store_event *kept = NULL;
	size_t n = 0;
	bool gap = false;

	start(4, NULL);
	emit_n(10);
	cr_assert_eq(mgmt_events_last(fx.ev), 10);
	cr_assert_eq(
		mgmt_store_event_read(&kept, &n, &gap, fx.store, 0, 100, NULL),
		0);
	cr_assert(gap);
	cr_assert_eq(n, 4);
	cr_assert_eq(kept[0].id, 7);
	cr_assert_eq(kept[3].id, 10);
	mgmt_store_events_free(kept, n);
}

Test(mgmt_events, unknown_last_event_id_gets_marker_then_every_kept_event)
{
	struct t_sse ev[16];
	struct t_conn c;
	size_t n;

	start(0, NULL);
	emit_n(2);
	t_open(&c, SSE_URI, "Last-Event-ID: 99");
	t_recv(&c, "id: 2\n");
	t_drain(&c, 20);
	n = t_events(ev, FM_ARRAY_SIZE(ev), &c);
	cr_assert_eq(n, 3, "%s", c.raw);
	cr_assert_str_eq(t_rec(&ev[0], "MessageId"),
			 "MrfabricEvent.1.0.EventIdUnknown");
	cr_assert_eq(ev[1].id, 1);
	cr_assert_eq(ev[2].id, 2);
	t_events_free(ev, n);
	t_close(&c);
}

Test(mgmt_events, malformed_last_event_id_is_400_header_invalid)
{
	static const struct mgmt_kv hdr[] = { { "Last-Event-ID", "12x" } };
	struct mgmt_req req = {
		.method = "GET",
		.path = SSE_URI,
		.headers = hdr,
		.nheaders = 1,
	};
	struct mgmt_resp resp;

	start(0, NULL);
	mgmt_router_dispatch(&resp, fx.router, &fx.ctx, &req);
	cr_assert_eq(resp.status, 400);
	cr_assert(strstr(resp.body, "Base.1.22.1.HeaderInvalid"), "%s",
		  resp.body);
	cr_assert(strstr(resp.body, "Last-Event-ID"), "%s", resp.body);
	cr_assert_eq(mgmt_events_stream_count(fx.ev), 0);
	mgmt_resp_fini(&resp);
}

Test(mgmt_events, streams_beyond_the_bound_get_503)
{
	struct mgmt_events_opts eo = { .max_streams = 1 };
	struct t_conn a, b;

	start(0, &eo);
	t_open(&a, SSE_URI, NULL);
	t_recv(&a, "retry:");
	t_open(&b, SSE_URI, NULL);
	t_recv(&b, "\r\n\r\n");
	cr_assert(strstr(b.raw, "HTTP/1.1 503"), "%s", b.raw);
	cr_assert(strstr(b.raw, "Retry-After: 5"), "%s", b.raw);
	cr_assert_eq(mgmt_events_stream_count(fx.ev), 1);
	t_close(&a);
	t_close(&b);
}

Test(mgmt_events, idle_stream_gets_keepalive_comments)
{
	struct mgmt_events_opts eo = { .keepalive_ns = 5 * MS };
	struct t_conn c;

	start(0, &eo);
	t_open(&c, SSE_URI, NULL);
	t_recv(&c, ": keepalive\n\n");
	cr_assert(strstr(c.raw, ": keepalive\n\n"), "%s", c.raw);
	t_close(&c);
}

Test(mgmt_events, departed_client_is_dropped_at_the_next_keepalive)
{
	struct mgmt_events_opts eo = { .keepalive_ns = 2 * MS };
	struct t_conn c;
	unsigned i;

	start(0, &eo);
	t_open(&c, SSE_URI, NULL);
	t_recv(&c, "retry:");
	cr_assert_eq(mgmt_events_stream_count(fx.ev), 1);
	t_close(&c);
	for (i = 0; i < MAX_ITER && mgmt_events_stream_count(fx.ev); i++)
		cr_assert_eq(mgmt_loop_run_once(fx.loop, MS, NULL), 0);
	cr_assert_eq(mgmt_events_stream_count(fx.ev), 0);
}

Test(mgmt_events, emit_refuses_unknown_event_type_and_records_nothing)
{
	struct fm_err err = { 0 };

	start(0, NULL);
	cr_assert_eq(mgmt_events_emit(fx.ev, "Bogus", RESOURCE_CHANGED, NULL,
				      "x", &err),
		     -FM_EINVAL);
	cr_assert(strstr(err.msg, "\"Bogus\" is not a Redfish EventType"), "%s",
		  err.msg);
	cr_assert_eq(mgmt_events_last(fx.ev), 0);
}

Test(mgmt_events, emit_refuses_malformed_message_id)
{
	struct fm_err err = { 0 };

	start(0, NULL);
	cr_assert_eq(mgmt_events_emit(fx.ev, "Other", "ResourceChanged", NULL,
				      "x", &err),
		     -FM_EINVAL);
	cr_assert(strstr(err.msg, "Registry.Major.Minor.Key"), "%s", err.msg);
	cr_assert_eq(mgmt_events_last(fx.ev), 0);
}

Test(mgmt_events, emit_takes_severity_from_the_registry)
{
	struct mgmt_store_event *e = NULL;
	struct fm_err err = { 0 };
	size_t n = 0;
	bool gap;

	start(0, NULL);
	cr_assert_eq(mgmt_events_emit(fx.ev, "StatusChange",
				      "ResourceEvent.1.4."
				      "ResourceStatusChangedWarning",
				      NULL, "The health changed.", &err),
		     0, "%s", err.msg);
	cr_assert_eq(mgmt_store_event_read(&e, &n, &gap, fx.store, 0, 10, NULL),
		     0);
	cr_assert_eq(n, 1);
	cr_assert(strstr(e[0].payload, "\"MessageSeverity\":\"Warning\""), "%s",
		  e[0].payload);
	mgmt_store_events_free(e, n);
}

Test(mgmt_events, link_down_becomes_fabric_registry_event_of_its_port)
{
	struct fm_err err = { 0 };
	struct t_sse ev[64];
	struct t_conn c;
	size_t n, i;
	bool seen = false;

	start(0, NULL);
	t_open(&c, SSE_URI, NULL);
	t_recv(&c, "retry:");
	cr_assert_eq(
		sw_fw_port_control(fx.fw, 0, 2, FAB_PORT_CTL_DISABLE, &err), 0,
		"%s", err.msg);
	t_recv(&c, "DownstreamLinkDropped");
	n = t_events(ev, FM_ARRAY_SIZE(ev), &c);
	for (i = 0; i < n; i++) {
		if (strcmp(t_rec(&ev[i], "MessageId"),
			   "Fabric.1.0.DownstreamLinkDropped"))
			continue;
		seen = true;
		cr_assert_str_eq(t_rec(&ev[i], "MessageSeverity"), "Warning");
		cr_assert(strstr(c.raw, "\"OriginOfCondition\":{\"@odata.id\":"
					"\"/redfish/v1/Fabrics/PCIe/Switches/0/"
					"Ports/2\"}"),
			  "%s", c.raw);
	}
	cr_assert(seen, "%s", c.raw);
	t_events_free(ev, n);
	t_close(&c);
}

Test(mgmt_events, event_service_names_the_sse_uri)
{
	struct mgmt_req req = { .method = "GET",
				.path = "/redfish/v1/"
					"EventService" };
	struct mgmt_resp resp;
	struct json_object *o, *v;

	start(0, NULL);
	mgmt_router_dispatch(&resp, fx.router, &fx.ctx, &req);
	cr_assert_eq(resp.status, 200);
	o = json_tokener_parse(resp.body);
	cr_assert(o);
	cr_assert(json_object_object_get_ex(o, "ServerSentEventUri", &v));
	cr_assert_str_eq(json_object_get_string(v), SSE_URI);
	cr_assert(json_object_object_get_ex(o, "ServiceEnabled", &v));
	cr_assert(json_object_get_boolean(v));
	json_object_put(o);
	mgmt_resp_fini(&resp);
}

Test(mgmt_events, overflowed_switch_log_becomes_one_marker_event)
{
	struct mgmt_store_event *e = NULL;
	struct fm_err err = { 0 };
	struct sim_clock *clk;
	size_t n = 0, lost = 0, i;
	unsigned k;
	bool gap;

	/* no notify, no polling: the log fills up unread */
	start_notify(SW_EVENT_LOG_SIZE + 64, NULL, false);
	clk = sim_chassis_clock(fx.ch);
	cr_assert_eq(mgmt_events_sync(fx.ev, &err), 0, "%s", err.msg);
	for (k = 0; sw_fw_last_event_seq(fx.fw) < SW_EVENT_LOG_SIZE + 10; k++) {
		cr_assert_lt(k, 2 * SW_EVENT_LOG_SIZE);
		cr_assert_eq(sw_fw_port_control(fx.fw, 0, 2,
						k % 2 ? FAB_PORT_CTL_ENABLE
						      : FAB_PORT_CTL_DISABLE,
						&err),
			     0, "%s", err.msg);
		sim_clock_run_for(clk, 100 * MS);
	}
	cr_assert_eq(mgmt_events_sync(fx.ev, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_store_event_read(&e, &n, &gap, fx.store, 0,
					   MGMT_STORE_READ_MAX, NULL),
		     0);
	cr_assert_eq(n, SW_EVENT_LOG_SIZE + 1, "the kept log and a marker");
	for (i = 0; i < n; i++)
		lost += strstr(e[i].payload,
			       "MrfabricEvent.1.0.SwitchEventsLost") != NULL;
	cr_assert_eq(lost, 1);
	cr_assert(strstr(e[0].payload, "SwitchEventsLost"), "%s", e[0].payload);
	mgmt_store_events_free(e, n);
}

/* ---------------------------------------------------------------------
 * Events held until the store makes them durable (mgmt/store.h
 * "Deferred durability")
 */

/* Post a ResourceChanged event about @origin; its id. */
static uint64_t post_about(const char *origin)
{
	const struct mgmt_event e = {
		.type = "ResourceUpdated",
		.message_id = RESOURCE_CHANGED,
		.message = "One or more resource properties have changed.",
		.origin_uri = origin,
	};
	struct fm_err err = { 0 };
	uint64_t id = 0;

	cr_assert_eq(mgmt_events_post(&id, fx.ev, &e, &err), 0, "%s", err.msg);
	cr_assert_gt(id, 0);
	return id;
}

/* The fixture with a deferred store and one stream at the newest event. */
static void start_deferred(struct t_conn *c)
{
	struct fm_err err = { 0 };

	start(0, NULL);
	cr_assert_eq(mgmt_store_defer(fx.store, true, &err), 0, "%s", err.msg);
	t_open(c, SSE_URI, NULL);
	t_recv(c, "retry:");
	cr_assert(strstr(c->raw, "HTTP/1.1 200"), "%s", c->raw);
}

static void flush_ok(void)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_flush(fx.store, &err), 0, "%s", err.msg);
}

Test(mgmt_events, deferred_event_reaches_no_stream_before_the_flush)
{
	struct t_conn c;

	start_deferred(&c);
	post_about("/redfish/v1/Fabrics/PCIe/Zones/1");
	t_drain(&c, 50);
	cr_assert_null(strstr(c.raw, "data: "), "%s", c.raw);
	t_close(&c);
}

Test(mgmt_events, deferred_event_reaches_the_stream_with_its_id_after_the_flush)
{
	struct t_sse ev[8];
	struct t_conn c;
	char until[32];
	uint64_t id;
	size_t n;

	start_deferred(&c);
	id = post_about("/redfish/v1/Fabrics/PCIe/Zones/1");
	t_drain(&c, 5);
	flush_ok();
	snprintf(until, sizeof(until), "id: %llu\n", (unsigned long long)id);
	t_recv(&c, until);
	t_drain(&c, 20);
	n = t_events(ev, FM_ARRAY_SIZE(ev), &c);
	cr_assert_eq(n, 1, "%s", c.raw);
	cr_assert_eq(ev[0].id, id);
	cr_assert_str_eq(t_rec(&ev[0], "EventId"),
			 json_object_get_string(
				 json_object_object_get(ev[0].data, "Id")));
	cr_assert(strstr(c.raw, "Zones/1"), "%s", c.raw);
	t_events_free(ev, n);
	t_close(&c);
}

Test(mgmt_events,
     event_of_an_undone_group_is_never_sent_and_the_next_takes_the_next_id)
{
	struct t_sse ev[8];
	struct t_conn c;
	char until[32];
	uint64_t first, undone, next;
	size_t n;

	start_deferred(&c);
	first = post_about("/redfish/v1/Fabrics/PCIe/Zones/1");
	cr_assert_eq(mgmt_store_txn_begin(fx.store, NULL), 0);
	undone = post_about("/redfish/v1/Fabrics/PCIe/Zones/2");
	mgmt_store_txn_rollback(fx.store);
	next = post_about("/redfish/v1/Fabrics/PCIe/Zones/3");
	cr_assert_gt(undone, first);
	cr_assert_gt(next, first);
	flush_ok();
	snprintf(until, sizeof(until), "id: %llu\n", (unsigned long long)next);
	t_recv(&c, until);
	t_drain(&c, 20);
	n = t_events(ev, FM_ARRAY_SIZE(ev), &c);
	cr_assert_eq(n, 2, "%s", c.raw);
	cr_assert_eq(ev[0].id, first);
	cr_assert_eq(ev[1].id, next);
	cr_assert(strstr(c.raw, "Zones/3"), "%s", c.raw);
	cr_assert_null(strstr(c.raw, "Zones/2"), "%s", c.raw);
	/* the store kept exactly what the stream was sent */
	cr_assert_eq(mgmt_events_last(fx.ev), next);
	t_events_free(ev, n);
	t_close(&c);
}

Test(mgmt_events, last_does_not_count_events_held_for_the_flush)
{
	struct t_conn c;
	uint64_t before, id;

	start_deferred(&c);
	before = mgmt_events_last(fx.ev);
	id = post_about("/redfish/v1/Fabrics/PCIe/Zones/1");
	cr_assert_eq(mgmt_events_last(fx.ev), before);
	flush_ok();
	cr_assert_eq(mgmt_events_last(fx.ev), id);
	t_close(&c);
}

Test(mgmt_events,
     stream_opened_while_an_event_is_held_gets_it_only_after_the_flush)
{
	struct t_conn late;
	struct t_conn c;
	char until[32];
	uint64_t id;

	start_deferred(&c);
	t_close(&c);
	id = post_about("/redfish/v1/Fabrics/PCIe/Zones/1");
	/* resumes after event 0: the replay must not read the held one */
	t_open(&late, SSE_URI, "Last-Event-ID: 0");
	t_recv(&late, "retry:");
	t_drain(&late, 50);
	cr_assert_null(strstr(late.raw, "data: "), "%s", late.raw);
	flush_ok();
	snprintf(until, sizeof(until), "id: %llu\n", (unsigned long long)id);
	t_recv(&late, until);
	cr_assert(strstr(late.raw, until), "%s", late.raw);
	t_close(&late);
}

Test(mgmt_events, event_of_a_group_reaches_the_stream_when_the_group_commits)
{
	struct t_conn c;
	char until[32];
	uint64_t id;

	/* not deferred: the group's commit is what makes it durable */
	start(0, NULL);
	t_open(&c, SSE_URI, NULL);
	t_recv(&c, "retry:");
	cr_assert_eq(mgmt_store_txn_begin(fx.store, NULL), 0);
	id = post_about("/redfish/v1/Fabrics/PCIe/Zones/1");
	t_drain(&c, 50);
	cr_assert_null(strstr(c.raw, "data: "), "%s", c.raw);
	cr_assert_eq(mgmt_store_txn_commit(fx.store, NULL), 0);
	snprintf(until, sizeof(until), "id: %llu\n", (unsigned long long)id);
	t_recv(&c, until);
	cr_assert(strstr(c.raw, until), "%s", c.raw);
	t_close(&c);
}
