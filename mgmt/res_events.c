/* SPDX-License-Identifier: MIT */
/*
 * res_events.c - /redfish/v1/EventService and its server-sent event
 * stream (DSP0266 "Server-sent events"; EventService.v1_12_0).
 *
 * GET /redfish/v1/EventService/SSE answers 200 text/event-stream and
 * stays open: every event the hub (events.h) records is sent as
 *
 *   id: <n>
 *   data: <Event JSON>
 *
 * A client that reconnects with "Last-Event-ID: <n>" first receives the
 * events after <n> that the store still keeps; when some of them were
 * already pruned (events.retention in the configuration) a marker event
 * without id (MessageId MrfabricEvent.1.0.EventsLost, naming the first id
 * still available) comes first.  Without the header the stream starts
 * with the next event.  Push subscriptions (EventDestination) are not
 * offered: SSE is the one delivery method, so no Subscriptions link.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/events.h"
#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"

#define ES_URI "/redfish/v1/EventService"
#define ES_SSE_URI ES_URI "/SSE"
#define ES_TYPE "#EventService.v1_12_0.EventService"

/* Registry prefixes of the MessageIds sent (events.c, task.c). */
static const char *const es_registries[] = { "ResourceEvent", "Fabric",
					     "TaskEvent", "MrfabricEvent" };
static const char *const es_severities[] = { "OK", "Warning", "Critical" };

static struct json_object *strings_new(const char *const *s, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < n; i++) {
		if (json_object_array_add(a, json_object_new_string(s[i]))) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* SSEFilterPropertiesSupported: the stream takes no $filter. */
static struct json_object *filters_new(void)
{
	static const char *const props[] = {
		"EventFormatType",	  "MessageId",
		"MetricReportDefinition", "OriginResource",
		"RegistryPrefix",	  "ResourceType",
		"SubordinateResources",
	};
	struct json_object *o = json_object_new_object();
	size_t i;
	int bad = 0;

	for (i = 0; o && i < FM_ARRAY_SIZE(props); i++)
		bad |= mgmt_rf_set(o, props[i], json_object_new_boolean(0));
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int es_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		  const struct mgmt_req *req, struct fm_err *err)
{
	static const char *const formats[] = { "Event" };
	struct json_object *o = NULL, *status;
	bool on = ctx->events != NULL;
	int bad = 0, ret;

	ret = mgmt_rf_resource_new(&o, ES_URI, ES_TYPE, "Event Service", err);
	if (ret < 0)
		return ret;
	bad |= mgmt_rf_set_str(o, "Description",
			       "Fabric events: binds, unbinds, resets, link "
			       "changes, isolation violations, moves; "
			       "delivered as server-sent events");
	bad |= mgmt_rf_set(o, "ServiceEnabled", json_object_new_boolean(on));
	status = json_object_new_object();
	if (status) {
		bad |= mgmt_rf_set_str(status, "State",
				       on ? "Enabled" : "Disabled");
		bad |= mgmt_rf_set_str(status, "Health", "OK");
	}
	bad |= mgmt_rf_set(o, "Status", status);
	bad |= mgmt_rf_set_str(o, "ServerSentEventUri", ES_SSE_URI);
	/* SSE only: nothing is POSTed to a destination, nothing retried */
	bad |= mgmt_rf_set(o, "DeliveryRetryAttempts", json_object_new_int(0));
	bad |= mgmt_rf_set(o, "DeliveryRetryIntervalSeconds",
			   json_object_new_int(0));
	bad |= mgmt_rf_set(o, "EventFormatTypes",
			   strings_new(formats, FM_ARRAY_SIZE(formats)));
	bad |= mgmt_rf_set(
		o, "RegistryPrefixes",
		strings_new(es_registries, FM_ARRAY_SIZE(es_registries)));
	bad |= mgmt_rf_set(
		o, "Severities",
		strings_new(es_severities, FM_ARRAY_SIZE(es_severities)));
	bad |= mgmt_rf_set(o, "IncludeOriginOfConditionSupported",
			   json_object_new_boolean(0));
	bad |= mgmt_rf_set(o, "SSEFilterPropertiesSupported", filters_new());
	return mgmt_rf_reply(resp, 200, o,
			     bad ? mgmt_rf_nomem(err, req->uri) : 0);
}

/* Last-Event-ID: a decimal event id; 0 when absent.  -1 when malformed. */
static int last_event_id(uint64_t *out, const char *v)
{
	unsigned long long n;
	char *end;

	*out = 0;
	if (!v)
		return 0;
	while (*v == ' ')
		v++;
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	while (*end == ' ')
		end++;
	if (errno || *end)
		return -1;
	*out = n;
	return 0;
}

static int es_sse_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		      const struct mgmt_req *req, struct fm_err *err)
{
	const char *hdr = mgmt_req_header(req, "Last-Event-ID");
	struct mgmt_events_client *c;
	struct fm_err e = { 0 };
	uint64_t after;

	if (!ctx->events)
		return mgmt_rf_error(resp, 503, MGMT_MSG_RESOURCE_EXHAUSTION,
				     req->uri);
	if (last_event_id(&after, hdr) < 0)
		return mgmt_rf_error(resp, 400, MGMT_MSG_HEADER_INVALID,
				     "Last-Event-ID");
	if (!hdr)
		after = mgmt_events_last(ctx->events);
	if (mgmt_events_client_new(&c, ctx->events, after, &e) < 0) {
		if (e.code != FM_EBUSY)
			return fm_err_set(err, e.code, "%s", e.msg);
		FM_LOG(FM_LOG_WARN, "events %s: %s", req->peer ? req->peer : "",
		       e.msg);
		mgmt_rf_error(resp, 503, MGMT_MSG_RESOURCE_EXHAUSTION,
			      req->uri);
		mgmt_resp_header_set(resp, "Retry-After", "%u", 5u);
		return -FM_EBUSY;
	}
	mgmt_resp_set_stream(resp, "text/event-stream", mgmt_events_stream_open,
			     mgmt_events_stream_close, c);
	return 0;
}

/*
 * The routes.  The stream has no @odata.type: it is not a Redfish
 * resource (no $metadata entry, no ServiceRoot link; ServerSentEventUri
 * names it).
 */
static const struct mgmt_route es_routes[] = {
	{ .path = ES_URI, .type = ES_TYPE, .op[MGMT_GET] = { .fn = es_get } },
	{ .path = ES_SSE_URI, .op[MGMT_GET] = { .fn = es_sse_get } },
};

MGMT_ROUTE_SET(mgmt_res_events, "EventService", es_routes);
