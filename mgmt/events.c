/* SPDX-License-Identifier: MIT */
/*
 * events.c - the event hub of mrfabricd (events.h): durable sequence
 * numbers from the store, conversion of the switch's events into Redfish
 * events, and delivery to SSE clients (DSP0266 "Server-sent events"):
 *
 *   id: <sequence number>
 *   data: <Event resource, one line of JSON>
 *   <empty line>
 *
 * A client is either live (it has every event up to the hub's last one:
 * new events are written to it as they are recorded) or behind (it
 * resumed with an older Last-Event-ID, or the store was written while it
 * was replaying): a zero-delay timer replays it from the store, one page
 * per pass, until it is live.  A client too slow to take what is written
 * is cut off by the HTTP layer (MGMT_STREAM_BUF_MAX) and reconnects with
 * its Last-Event-ID.  Idle streams get a ": keepalive" comment every
 * keepalive_ns, so a departed client is noticed at the next write.
 */
#include "mgmt/events.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt/fabric.h"
#include "mgmt/mgmt.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"
#include "switchfw/fmp.h"

#define EVENT_TYPE "#Event.v1_13_0.Event"
#define OEM MGMT_EVENTS_OEM_REGISTRY "."
#define RESOURCE_EVENT "ResourceEvent.1.4."
#define FABRIC_EVENT "Fabric.1.0."

/* The Redfish EventType values an event may carry (Event.json). */
static const char *const event_types[] = {
	"StatusChange",	   "ResourceUpdated", "ResourceAdded",
	"ResourceRemoved", "Alert",	      "Other",
};

static const char *const severities[] = { "OK", "Warning", "Critical" };

/*
 * The registry messages the hub sends, with the text its registry gives
 * (ResourceEvent.1.4.3, Fabric.1.0.3 of DMTF, and mrfabricd's OEM
 * registry MrfabricEvent.1.0, defined here).  "%1", "%2", ... stand for
 * MessageArgs.  mgmt_events_emit() takes its severity from this table.
 * To add a message: an enum entry and a row.
 */
enum events_msg {
	MSG_FUNCTION_BOUND = 0,
	MSG_POWERED_ON,
	MSG_FUNCTION_UNBINDING,
	MSG_SURPRISE_REMOVAL,
	MSG_FUNCTION_UNBOUND,
	MSG_FUNCTION_RESET,
	MSG_STATUS_CRITICAL,
	MSG_STATUS_WARNING,
	MSG_STATUS_OK,
	MSG_DOWN_LINK_UP,
	MSG_DOWN_LINK_DOWN,
	MSG_UP_LINK_UP,
	MSG_UP_LINK_DOWN,
	MSG_ISOLATION_VIOLATION,
	MSG_HOST_RESET,
	MSG_CONFIG_SAVED,
	MSG_CONFIG_RESTORED,
	MSG_UNBIND_FAILED,
	MSG_SWITCH_EVENTS_LOST,
	MSG_EVENTS_LOST,
	MSG_EVENT_ID_UNKNOWN,
	MSG_RESOURCE_CREATED,
	MSG_RESOURCE_REMOVED,
	MSG_RESOURCE_CHANGED,
	MSG_ERRORS_DETECTED,
	MSG_COUNT
};

struct events_msg_def {
	const char *id; /* full MessageId */
	const char *severity;
	unsigned nargs;
	const char *text;
};

static const struct events_msg_def msgs[MSG_COUNT] = {
	[MSG_FUNCTION_BOUND] = { OEM "FunctionBound", "OK", 3,
				 "Function '%1' was bound to slot %3 of "
				 "partition %2 and hot-added." },
	[MSG_POWERED_ON] = { RESOURCE_EVENT "ResourcePoweredOn", "OK", 1,
			     "The resource '%1' has powered on." },
	[MSG_FUNCTION_UNBINDING] = { OEM "FunctionUnbinding", "OK", 3,
				     "Function '%1' is being removed from "
				     "slot %3 of partition %2." },
	[MSG_SURPRISE_REMOVAL] = { OEM "SurpriseRemovalForced", "Warning", 3,
				   "The host of partition %2 did not release "
				   "function '%1' from slot %3 in time; it "
				   "was removed by surprise." },
	[MSG_FUNCTION_UNBOUND] = { OEM "FunctionUnbound", "OK", 3,
				   "Function '%1' was removed from slot %3 "
				   "of partition %2." },
	[MSG_FUNCTION_RESET] = { OEM "FunctionReset", "OK", 1,
				 "Function '%1' completed its Function "
				 "Level Reset and is free." },
	[MSG_STATUS_CRITICAL] = { RESOURCE_EVENT
				  "ResourceStatusChangedCritical",
				  "Critical", 2,
				  "The health of resource '%1' has changed "
				  "to %2." },
	[MSG_STATUS_WARNING] = { RESOURCE_EVENT "ResourceStatusChangedWarning",
				 "Warning", 2,
				 "The health of resource '%1' has changed "
				 "to %2." },
	[MSG_STATUS_OK] = { RESOURCE_EVENT "ResourceStatusChangedOK", "OK", 2,
			    "The health of resource '%1' has changed to "
			    "%2." },
	[MSG_DOWN_LINK_UP] = { FABRIC_EVENT "DownstreamLinkEstablished", "OK",
			       2,
			       "Switch '%1' downstream link is established "
			       "on port '%2'." },
	[MSG_DOWN_LINK_DOWN] = { FABRIC_EVENT "DownstreamLinkDropped",
				 "Warning", 2,
				 "Switch '%1' downstream link has gone down "
				 "on port '%2'." },
	[MSG_UP_LINK_UP] = { FABRIC_EVENT "UpstreamLinkEstablished", "OK", 2,
			     "Switch '%1' upstream link is established on "
			     "port '%2'." },
	[MSG_UP_LINK_DOWN] = { FABRIC_EVENT "UpstreamLinkDropped", "Warning", 2,
			       "Switch '%1' upstream link has gone down on "
			       "port '%2'." },
	[MSG_ISOLATION_VIOLATION] = { OEM "IsolationViolation", "Warning", 2,
				      "A request from partition %1 to %2 "
				      "matched no binding and was refused "
				      "with Unsupported Request." },
	[MSG_HOST_RESET] = { OEM "HostReset", "OK", 1,
			     "The host of partition %1 reset its link." },
	[MSG_CONFIG_SAVED] = { OEM "ConfigurationSaved", "OK", 0,
			       "The switch saved its partition and binding "
			       "configuration to flash." },
	[MSG_CONFIG_RESTORED] = { OEM "ConfigurationRestored", "OK", 0,
				  "The switch restored its partition and "
				  "binding configuration from flash." },
	[MSG_UNBIND_FAILED] = { OEM "UnbindFailed", "Warning", 3,
				"The host of partition %2 did not take the "
				"link of slot %3 down in time; function '%1' "
				"stays bound." },
	[MSG_SWITCH_EVENTS_LOST] = { OEM "SwitchEventsLost", "Warning", 2,
				     "The switch's event log overwrote "
				     "events after %1 before they were "
				     "read; the oldest still read is %2." },
	[MSG_EVENTS_LOST] = { OEM "EventsLost", "Warning", 2,
			      "Events after %1 are no longer kept; the "
			      "first event still available is %2." },
	[MSG_EVENT_ID_UNKNOWN] = { OEM "EventIdUnknown", "Warning", 2,
				   "Event %1 was never issued by this service "
				   "(the newest is %2); the stream starts "
				   "with the oldest event kept." },
	[MSG_RESOURCE_CREATED] = { RESOURCE_EVENT "ResourceCreated", "OK", 0,
				   "The resource was created successfully." },
	[MSG_RESOURCE_REMOVED] = { RESOURCE_EVENT "ResourceRemoved", "OK", 0,
				   "The resource was removed successfully." },
	[MSG_RESOURCE_CHANGED] = { RESOURCE_EVENT "ResourceChanged", "OK", 0,
				   "One or more resource properties have "
				   "changed." },
	[MSG_ERRORS_DETECTED] = { RESOURCE_EVENT "ResourceErrorsDetected",
				  "Warning", 2,
				  "The resource property %1 has detected "
				  "errors of type '%2'." },
};

/*
 * What the OEM registry document (MrfabricEvent.1.0.0, served by
 * res_registries.c) says of each OEM message beyond its row of msgs[]:
 * every row whose id starts with OEM needs an entry here (a test checks
 * it); DMTF's messages have none (their registry files say it).
 */
struct events_msg_doc {
	const char *description;
	const char *resolution;
	const char *const *params; /* ParamTypes, nargs of them */
};

/* The ParamTypes the messages share. */
static const char *const doc_fn_slot[] = { "string", "number", "number" };
static const char *const doc_ids[] = { "number", "number" };
static const char *const doc_fn[] = { "string" };
static const char *const doc_part[] = { "number" };
static const char *const doc_part_detail[] = { "number", "string" };

static const struct events_msg_doc msg_docs[MSG_COUNT] = {
	[MSG_FUNCTION_BOUND] = { "A function was bound to a slot of a host "
				 "partition and hot-added to that host.",
				 "None.", doc_fn_slot },
	[MSG_FUNCTION_UNBINDING] = { "The removal of a function from a slot "
				     "of a host partition has started.",
				     "None.", doc_fn_slot },
	[MSG_SURPRISE_REMOVAL] = { "A host did not release a function in "
				   "time and the switch removed it by "
				   "surprise.",
				   "Check the host's log for the function's "
				   "driver; the host may need to rescan.",
				   doc_fn_slot },
	[MSG_FUNCTION_UNBOUND] = { "A function was removed from a slot of a "
				   "host partition.",
				   "None.", doc_fn_slot },
	[MSG_FUNCTION_RESET] = { "A function completed its Function Level "
				 "Reset after removal and can be bound "
				 "again.",
				 "None.", doc_fn },
	[MSG_ISOLATION_VIOLATION] = { "A host partition sent a request that "
				      "matched none of its bindings; the "
				      "switch refused it.",
				      "Check the host's configuration and "
				      "the partition's bindings.",
				      doc_part_detail },
	[MSG_HOST_RESET] = { "The host of a partition reset its link.", "None.",
			     doc_part },
	[MSG_CONFIG_SAVED] = { "The switch saved its configuration to flash.",
			       "None.", NULL },
	[MSG_CONFIG_RESTORED] = { "The switch restored its configuration from "
				  "flash.",
				  "None.", NULL },
	[MSG_UNBIND_FAILED] = { "A host did not take a slot's link down in "
				"time; the function stays bound.",
				"Retry the removal, or remove the function "
				"by surprise.",
				doc_fn_slot },
	[MSG_SWITCH_EVENTS_LOST] = { "The switch's event log overflowed "
				     "before the service read it; events "
				     "between the two numbers are lost.",
				     "Read the state of the resources again.",
				     doc_ids },
	[MSG_EVENTS_LOST] = { "Events after the client's last event id are "
			      "no longer kept by the service.",
			      "Read the state of the resources again.",
			      doc_ids },
	[MSG_EVENT_ID_UNKNOWN] = { "A client resumed the event stream after "
				   "an event id the service never issued.",
				   "Read the state of the resources again.",
				   doc_ids },
};

size_t mgmt_events_msg_count(void)
{
	return MSG_COUNT;
}

int mgmt_events_msg_get(struct mgmt_events_msg *out, size_t i)
{
	if (i >= MSG_COUNT)
		return -FM_ERANGE;
	out->id = msgs[i].id;
	out->severity = msgs[i].severity;
	out->nargs = msgs[i].nargs;
	out->text = msgs[i].text;
	out->description = msg_docs[i].description;
	out->resolution = msg_docs[i].resolution;
	out->param_types = msg_docs[i].params;
	return 0;
}

/*
 * How a switch event becomes a Redfish event: its EventType, message (the
 * upstream-port variant for link events of a partition's port), the
 * MessageArgs taken from the event, and the resource it concerns.
 */
enum events_arg {
	ARG_NONE = 0,
	ARG_FN,	      /* function endpoint Id, "F-<c>-<p>-<i>" */
	ARG_PART,     /* partition number */
	ARG_VPPB,     /* vPPB (slot) number */
	ARG_SWITCH,   /* switch Id */
	ARG_PORT,     /* port Id */
	ARG_DETAIL,   /* address or requester ID, hex */
	ARG_CRITICAL, /* the Health value "Critical" */
};

enum events_origin {
	ORIGIN_FABRIC = 0, /* the fabric */
	ORIGIN_FN,	   /* the function's endpoint */
	ORIGIN_PORT,	   /* the switch port */
	ORIGIN_HOST,	   /* the partition's host endpoint */
};

struct events_sw_map {
	const char *type;
	enum events_msg msg;
	enum events_msg msg_upstream; /* 0 (FunctionBound): same as msg */
	enum events_origin origin;
	enum events_arg args[3];
};

static const struct events_sw_map sw_map[SW_EV_TYPE_COUNT] = {
	[SW_EV_BIND] = { "ResourceUpdated",
			 MSG_FUNCTION_BOUND,
			 0,
			 ORIGIN_FN,
			 { ARG_FN, ARG_PART, ARG_VPPB } },
	[SW_EV_HOST_ENABLED] = { "StatusChange",
				 MSG_POWERED_ON,
				 0,
				 ORIGIN_FN,
				 { ARG_FN } },
	[SW_EV_UNBIND_START] = { "ResourceUpdated",
				 MSG_FUNCTION_UNBINDING,
				 0,
				 ORIGIN_FN,
				 { ARG_FN, ARG_PART, ARG_VPPB } },
	[SW_EV_MANAGED_FALLBACK] = { "Alert",
				     MSG_SURPRISE_REMOVAL,
				     0,
				     ORIGIN_FN,
				     { ARG_FN, ARG_PART, ARG_VPPB } },
	[SW_EV_UNBIND] = { "ResourceUpdated",
			   MSG_FUNCTION_UNBOUND,
			   0,
			   ORIGIN_FN,
			   { ARG_FN, ARG_PART, ARG_VPPB } },
	[SW_EV_FLR_DONE] = { "StatusChange",
			     MSG_FUNCTION_RESET,
			     0,
			     ORIGIN_FN,
			     { ARG_FN } },
	[SW_EV_FLR_TIMEOUT] = { "StatusChange",
				MSG_STATUS_CRITICAL,
				0,
				ORIGIN_FN,
				{ ARG_FN, ARG_CRITICAL } },
	[SW_EV_LINK_UP] = { "StatusChange",
			    MSG_DOWN_LINK_UP,
			    MSG_UP_LINK_UP,
			    ORIGIN_PORT,
			    { ARG_SWITCH, ARG_PORT } },
	[SW_EV_LINK_DOWN] = { "StatusChange",
			      MSG_DOWN_LINK_DOWN,
			      MSG_UP_LINK_DOWN,
			      ORIGIN_PORT,
			      { ARG_SWITCH, ARG_PORT } },
	[SW_EV_VIOLATION] = { "Alert",
			      MSG_ISOLATION_VIOLATION,
			      0,
			      ORIGIN_HOST,
			      { ARG_PART, ARG_DETAIL } },
	[SW_EV_HOST_RESET] = { "StatusChange",
			       MSG_HOST_RESET,
			       0,
			       ORIGIN_HOST,
			       { ARG_PART } },
	[SW_EV_CONFIG_SAVED] = { "Other",
				 MSG_CONFIG_SAVED,
				 0,
				 ORIGIN_FABRIC,
				 { ARG_NONE } },
	[SW_EV_CONFIG_RESTORED] = { "Other",
				    MSG_CONFIG_RESTORED,
				    0,
				    ORIGIN_FABRIC,
				    { ARG_NONE } },
	[SW_EV_UNBIND_FAILED] = { "Alert",
				  MSG_UNBIND_FAILED,
				  0,
				  ORIGIN_FN,
				  { ARG_FN, ARG_PART, ARG_VPPB } },
};

struct mgmt_events_client {
	struct mgmt_events *ev; /* NULL once the hub is gone */
	struct mgmt_stream *s;	/* NULL until the stream opens */
	uint64_t last;		/* last event id sent (or to resume after) */
	uint64_t unknown;	/* a Last-Event-ID never issued, or 0 */
	bool dead;		/* a write failed: the stream is ending */
	struct mgmt_events_client *prev, *next;
};

/* One recorded event, waiting to be pushed once its group committed. */
struct events_rec {
	uint64_t id;
	char *payload;
};

struct mgmt_events {
	struct mgmt_loop *loop;
	struct mgmt_store *store;
	struct sw_fmp_client *fmp;
	struct mgmt_events_opts opts;
	uint64_t last;	  /* last event id recorded */
	uint64_t sw_seq;  /* last switch event converted */
	bool sync_failed; /* logged once until a sync succeeds */
	bool sync_soon;	  /* sync_timer armed for the next iteration */
	struct mgmt_timer sync_timer;
	struct mgmt_timer replay_timer;
	struct mgmt_timer keepalive_timer;
	struct mgmt_events_client *clients;
	unsigned nclients;
	struct sw_fmp_event page[SW_FMP_EV_PAGE_MAX];
	/*
	 * Records not durable yet (the store has a group or round open):
	 * pushed when it commits, dropped when it is undone, so no client
	 * is ever sent an event id that a crash could hand out again.
	 */
	struct events_rec *held;
	size_t nheld, held_cap;
	size_t held_mark; /* nheld when the current group began */
	bool held_lost;	  /* a record could not be held (no memory) */
};

/* ---------------------------------------------------------------------
 * Validation and the event record
 */
static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++) {
		if (strcmp(s, list[i]) == 0)
			return true;
	}
	return false;
}

/* "Registry.Major.Minor.Key": at least four non-empty segments. */
static bool message_id_valid(const char *id)
{
	size_t seg = 0, len = 0;
	const char *p;

	if (!id || !*id)
		return false;
	for (p = id; *p; p++) {
		if (*p == '.') {
			if (!len)
				return false;
			seg++;
			len = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
		len++;
	}
	return len && seg >= 3 && p - id < MGMT_EVENTS_TEXT_MAX;
}

static int event_check(const struct mgmt_event *e, struct fm_err *err)
{
	size_t i;

	if (!in_list(e->type, event_types, FM_ARRAY_SIZE(event_types)))
		return fm_err_set(err, FM_EINVAL,
				  "event: type \"%s\" is not a Redfish "
				  "EventType",
				  e->type ? e->type : "(null)");
	if (!message_id_valid(e->message_id))
		return fm_err_set(err, FM_EINVAL,
				  "event: MessageId \"%s\" is not "
				  "Registry.Major.Minor.Key",
				  e->message_id ? e->message_id : "(null)");
	if (!e->message || !*e->message)
		return fm_err_set(err, FM_EINVAL, "event %s: no message",
				  e->message_id);
	if (e->severity &&
	    !in_list(e->severity, severities, FM_ARRAY_SIZE(severities)))
		return fm_err_set(err, FM_EINVAL,
				  "event %s: severity \"%s\" is not OK, "
				  "Warning or Critical",
				  e->message_id, e->severity);
	if (e->nargs > MGMT_EVENTS_ARGS_MAX || (e->nargs && !e->args))
		return fm_err_set(
			err, FM_ERANGE, "event %s: %zu arguments, at most %u",
			e->message_id, e->nargs, MGMT_EVENTS_ARGS_MAX);
	if (strlen(e->message) >= MGMT_EVENTS_TEXT_MAX ||
	    (e->origin_uri && strlen(e->origin_uri) >= MGMT_EVENTS_TEXT_MAX))
		return fm_err_set(err, FM_ERANGE,
				  "event %s: message or origin longer than "
				  "%u bytes",
				  e->message_id, MGMT_EVENTS_TEXT_MAX - 1);
	for (i = 0; i < e->nargs; i++) {
		if (!e->args[i] || strlen(e->args[i]) >= MGMT_EVENTS_TEXT_MAX)
			return fm_err_set(err, FM_ERANGE,
					  "event %s: argument %zu missing or "
					  "longer than %u bytes",
					  e->message_id, i + 1,
					  MGMT_EVENTS_TEXT_MAX - 1);
	}
	return 0;
}

/* Replace %1..%9 in @fmt by @args into @out (truncating at @len). */
static void substitute(char *out, size_t len, const char *fmt,
		       const char *const *args, size_t nargs)
{
	size_t o = 0, k;
	const char *p;

	for (p = fmt; *p && o + 1 < len; p++) {
		if (p[0] == '%' && p[1] >= '1' && p[1] <= '9' &&
		    (size_t)(p[1] - '1') < nargs) {
			k = (size_t)(p[1] - '1');
			o += (size_t)snprintf(out + o, len - o, "%s", args[k]);
			if (o >= len)
				o = len - 1;
			p++;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* Redfish date-time of now, UTC: "2026-11-22T03:22:31.123+00:00". */
static void timestamp(char *out, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ld+00:00",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/*
 * The EventRecord of @e as JSON text (heap, the caller's), without
 * EventId and MemberId, which the stream adds.  NULL when out of memory.
 */
static char *record_json(const struct mgmt_event *e)
{
	struct json_object *o = json_object_new_object(), *args = NULL;
	char ts[64];
	char *text = NULL;
	int bad = 0;
	size_t i;

	if (!o)
		return NULL;
	timestamp(ts, sizeof(ts));
	bad |= json_object_object_add(o, "EventType",
				      json_object_new_string(e->type));
	bad |= json_object_object_add(o, "EventTimestamp",
				      json_object_new_string(ts));
	bad |= json_object_object_add(o, "MessageId",
				      json_object_new_string(e->message_id));
	bad |= json_object_object_add(o, "Message",
				      json_object_new_string(e->message));
	args = json_object_new_array();
	for (i = 0; args && i < e->nargs; i++)
		bad |= json_object_array_add(
			args, json_object_new_string(e->args[i]));
	bad |= json_object_object_add(o, "MessageArgs", args);
	bad |= json_object_object_add(
		o, "MessageSeverity",
		json_object_new_string(e->severity ? e->severity : "OK"));
	if (e->origin_uri) {
		struct json_object *link = json_object_new_object();

		if (link)
			bad |= json_object_object_add(
				link, "@odata.id",
				json_object_new_string(e->origin_uri));
		bad |= json_object_object_add(o, "OriginOfCondition", link);
	}
	if (!bad)
		text = strdup(json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PLAIN |
				   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

/* ---------------------------------------------------------------------
 * Streams
 */

/*
 * One SSE event: the Event resource around the stored record @payload
 * (a JSON object with at least one member), with @id as the "id:" field
 * unless @id is 0 (markers: they do not move the client's position).
 * Heap text, NULL when out of memory; *len its length.
 */
static char *frame_new(size_t *len, uint64_t id, const char *payload)
{
	char idbuf[32] = "", *buf;
	int n;

	if (id)
		snprintf(idbuf, sizeof(idbuf), "%llu", (unsigned long long)id);
	if (payload[0] != '{' || payload[1] == '}')
		return NULL;
	n = asprintf(&buf,
		     "%s%s%s"
		     "data: {\"@odata.type\":\"" EVENT_TYPE "\","
		     "\"Id\":\"%s\",\"Name\":\"Fabric event\","
		     "\"Context\":\"mrfabricd\",\"Events\":[{"
		     "\"EventId\":\"%s\",\"MemberId\":\"0\",%s]}\n\n",
		     id ? "id: " : "", idbuf, id ? "\n" : "",
		     id ? idbuf : "marker", id ? idbuf : "marker", payload + 1);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return buf;
}

/* Write @len bytes to @c; a failed write marks it dead (it is ending). */
static void client_write(struct mgmt_events_client *c, const char *buf,
			 size_t len)
{
	struct fm_err err = { 0 };

	if (c->dead || !c->s)
		return;
	if (mgmt_stream_write(c->s, buf, len, &err) < 0) {
		FM_LOG(FM_LOG_INFO, "events: sse client after %llu: %s",
		       (unsigned long long)c->last, err.msg);
		c->dead = true;
		mgmt_stream_end(c->s);
	}
}

static void client_send(struct mgmt_events_client *c, uint64_t id,
			const char *payload)
{
	size_t len;
	char *f = frame_new(&len, id, payload);

	if (!f) {
		FM_LOG(FM_LOG_ERROR,
		       "events: event %llu not sent: out of "
		       "memory or empty record",
		       (unsigned long long)id);
		c->dead = true;
		mgmt_stream_end(c->s);
		return;
	}
	client_write(c, f, len);
	free(f);
	if (id)
		c->last = id;
}

/* A marker event (not recorded): message @m with two numbers. */
static void client_marker(struct mgmt_events_client *c, enum events_msg m,
			  uint64_t a, uint64_t b)
{
	char sa[24], sb[24], text[MGMT_EVENTS_TEXT_MAX];
	const char *args[2] = { sa, sb };
	struct mgmt_event e = {
		.type = "Other",
		.message_id = msgs[m].id,
		.severity = msgs[m].severity,
		.message = text,
		.origin_uri = "/redfish/v1/EventService",
		.args = args,
		.nargs = 2,
	};
	char *payload;

	snprintf(sa, sizeof(sa), "%llu", (unsigned long long)a);
	snprintf(sb, sizeof(sb), "%llu", (unsigned long long)b);
	substitute(text, sizeof(text), msgs[m].text, args, 2);
	payload = record_json(&e);
	if (!payload) {
		c->dead = true;
		mgmt_stream_end(c->s);
		return;
	}
	client_send(c, 0, payload);
	free(payload);
}

/* Replay one page of the store to behind client @c. */
static void client_replay(struct mgmt_events_client *c)
{
	struct mgmt_events *ev = c->ev;
	struct mgmt_store_event *page = NULL;
	struct fm_err err = { 0 };
	size_t n = 0, i;
	bool gap = false;
	int ret;

	ret = mgmt_store_event_read(&page, &n, &gap, ev->store, c->last,
				    MGMT_EVENTS_REPLAY_PAGE, &err);
	if (ret < 0) {
		FM_LOG(FM_LOG_ERROR, "events: replay after %llu: %s",
		       (unsigned long long)c->last, err.msg);
		c->dead = true;
		mgmt_stream_end(c->s);
		return;
	}
	/* after an EventIdUnknown marker, which said as much */
	if (gap && n && !c->unknown)
		client_marker(c, MSG_EVENTS_LOST, c->last, page[0].id);
	/* the store also shows this connection what is not durable yet */
	for (i = 0; i < n && !c->dead && page[i].id <= ev->last; i++)
		client_send(c, page[i].id, page[i].payload);
	/* every id up to the last is sent or pruned: nothing to wait for */
	if (!c->dead && n == 0)
		c->last = ev->last;
	mgmt_store_events_free(page, n);
}

static bool client_behind(const struct mgmt_events_client *c)
{
	return c->s && !c->dead && c->last < c->ev->last;
}

static void replay_fire(void *arg)
{
	struct mgmt_events *ev = arg;
	struct mgmt_events_client *c;
	bool more = false;

	for (c = ev->clients; c; c = c->next) {
		if (!client_behind(c))
			continue;
		client_replay(c);
		more |= client_behind(c);
	}
	if (more)
		mgmt_timer_start(ev->loop, &ev->replay_timer, 0, NULL);
}

static void keepalive_fire(void *arg)
{
	static const char ka[] = ": keepalive\n\n";
	struct mgmt_events *ev = arg;
	struct mgmt_events_client *c;

	for (c = ev->clients; c; c = c->next)
		client_write(c, ka, sizeof(ka) - 1);
	if (ev->clients)
		mgmt_timer_start(ev->loop, &ev->keepalive_timer,
				 ev->opts.keepalive_ns, NULL);
}

int mgmt_events_client_new(struct mgmt_events_client **out,
			   struct mgmt_events *ev, uint64_t after,
			   struct fm_err *err)
{
	struct mgmt_events_client *c;

	*out = NULL;
	if (ev->nclients >= ev->opts.max_streams)
		return fm_err_set(err, FM_EBUSY,
				  "events: %u SSE streams already connected",
				  ev->nclients);
	c = calloc(1, sizeof(*c));
	if (!c)
		return fm_err_set(err, FM_ENOMEM, "events: out of memory");
	c->ev = ev;
	c->last = after;
	if (after > ev->last) {
		/* an id of another database, or a client's invention */
		c->unknown = after;
		c->last = 0;
	}
	c->next = ev->clients;
	if (ev->clients)
		ev->clients->prev = c;
	ev->clients = c;
	ev->nclients++;
	*out = c;
	return 0;
}

static void client_unlink(struct mgmt_events_client *c)
{
	struct mgmt_events *ev = c->ev;

	if (c->prev)
		c->prev->next = c->next;
	else
		ev->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ev->nclients--;
	c->ev = NULL;
	c->prev = c->next = NULL;
}

void mgmt_events_stream_open(void *arg, struct mgmt_stream *s)
{
	static const char hello[] = "retry: 3000\n\n";
	struct mgmt_events_client *c = arg;
	struct mgmt_events *ev = c->ev;

	c->s = s;
	if (!ev) {
		mgmt_stream_end(s);
		return;
	}
	client_write(c, hello, sizeof(hello) - 1);
	if (c->unknown)
		client_marker(c, MSG_EVENT_ID_UNKNOWN, c->unknown, ev->last);
	if (client_behind(c))
		mgmt_timer_start(ev->loop, &ev->replay_timer, 0, NULL);
	if (!mgmt_timer_pending(&ev->keepalive_timer))
		mgmt_timer_start(ev->loop, &ev->keepalive_timer,
				 ev->opts.keepalive_ns, NULL);
}

void mgmt_events_stream_close(void *arg, struct mgmt_stream *s)
{
	struct mgmt_events_client *c = arg;

	(void)s;
	if (c->ev) {
		FM_LOG(FM_LOG_DEBUG, "events: sse client left after %llu",
		       (unsigned long long)c->last);
		client_unlink(c);
	}
	free(c);
}

/* Push recorded event @id to every live client; wake the replay. */
static void push(struct mgmt_events *ev, uint64_t prev_last, uint64_t id,
		 const char *payload)
{
	struct mgmt_events_client *c;
	char *f = NULL;
	size_t len = 0;

	ev->last = id;
	for (c = ev->clients; c; c = c->next) {
		if (!c->s || c->dead)
			continue;
		if (c->last != prev_last) {
			if (c->last < id)
				mgmt_timer_start(ev->loop, &ev->replay_timer, 0,
						 NULL);
			continue;
		}
		if (!f)
			f = frame_new(&len, id, payload);
		if (!f) {
			/* the store has it: the replay sends it later */
			mgmt_timer_start(ev->loop, &ev->replay_timer, 0, NULL);
			break;
		}
		client_write(c, f, len);
		c->last = id;
	}
	free(f);
}

/* ---------------------------------------------------------------------
 * Recording
 */

/*
 * Hand record @r (its payload is taken) to the clients: at once when it
 * is durable, else once the store's group or round commits.  @prev_last
 * is ev->last before it was recorded.
 */
static void deliver(struct mgmt_events *ev, uint64_t prev_last,
		    struct events_rec *r)
{
	struct events_rec *h;

	if (!mgmt_store_pending(ev->store) && !ev->nheld) {
		push(ev, prev_last, r->id, r->payload);
		free(r->payload);
		return;
	}
	if (ev->nheld == ev->held_cap) {
		size_t cap = ev->held_cap ? 2 * ev->held_cap : 16;

		h = realloc(ev->held, cap * sizeof(*h));
		if (!h) {
			/* the store has it: the replay sends it later */
			ev->held_lost = true;
			free(r->payload);
			return;
		}
		ev->held = h;
		ev->held_cap = cap;
	}
	ev->held[ev->nheld++] = *r;
}

/* Release held records from index @from on (undone: never sent). */
static void held_drop(struct mgmt_events *ev, size_t from)
{
	while (ev->nheld > from)
		free(ev->held[--ev->nheld].payload);
}

/* The store's news: send, or drop, what was held. */
static void events_store_news(void *ctx, enum mgmt_store_news what)
{
	struct mgmt_events *ev = ctx;
	struct fm_err err = { 0 };
	uint64_t last;
	size_t i;

	switch (what) {
	case MGMT_STORE_GROUP_BEGIN:
		ev->held_mark = ev->nheld;
		break;
	case MGMT_STORE_GROUP_ROLLBACK:
		held_drop(ev, ev->held_mark);
		break;
	case MGMT_STORE_COMMITTED:
		if (ev->held_lost &&
		    mgmt_store_event_last(&last, ev->store, &err) == 0) {
			/* one is missing from memory: all go by the replay,
			 * which reads them from the store in order */
			held_drop(ev, 0);
			ev->held_lost = false;
			ev->last = last;
			mgmt_timer_start(ev->loop, &ev->replay_timer, 0, NULL);
		}
		for (i = 0; i < ev->nheld; i++) {
			push(ev, ev->last, ev->held[i].id, ev->held[i].payload);
			free(ev->held[i].payload);
		}
		ev->nheld = ev->held_mark = 0;
		break;
	case MGMT_STORE_ABORTED:
		held_drop(ev, 0);
		ev->held_mark = 0;
		ev->held_lost = false;
		break;
	case MGMT_STORE_ROUND_OPENED:
		break;
	}
}

/* Append @e to the store: *id and *payload (heap) of the record. */
static int record(struct events_rec *out, struct mgmt_events *ev,
		  const struct mgmt_event *e, struct fm_err *err)
{
	char *payload;
	int ret;

	ret = event_check(e, err);
	if (ret < 0)
		return ret;
	payload = record_json(e);
	if (!payload)
		return fm_err_set(err, FM_ENOMEM, "event %s: out of memory",
				  e->message_id);
	ret = mgmt_store_event_append(&out->id, ev->store, e->type, payload,
				      err);
	if (ret < 0) {
		free(payload);
		return ret;
	}
	out->payload = payload;
	return 0;
}

int mgmt_events_post(uint64_t *id, struct mgmt_events *ev,
		     const struct mgmt_event *e, struct fm_err *err)
{
	struct events_rec r = { 0 };
	uint64_t prev = ev->last;
	int ret;

	ret = record(&r, ev, e, err);
	if (ret < 0)
		return ret;
	if (id)
		*id = r.id;
	deliver(ev, prev, &r);
	return 0;
}

static const char *severity_of(const char *message_id)
{
	static const char *const suffix[] = { "Warning", "Critical" };
	size_t i, n, len;

	for (i = 0; i < MSG_COUNT; i++) {
		if (strcmp(msgs[i].id, message_id) == 0)
			return msgs[i].severity;
	}
	len = strlen(message_id);
	for (i = 0; i < FM_ARRAY_SIZE(suffix); i++) {
		n = strlen(suffix[i]);
		if (len > n && strcmp(message_id + len - n, suffix[i]) == 0)
			return suffix[i];
	}
	return "OK";
}

int mgmt_events_emit(struct mgmt_events *ev, const char *type,
		     const char *message_id, const char *origin_uri,
		     const char *message, struct fm_err *err)
{
	struct mgmt_event e = {
		.type = type,
		.message_id = message_id,
		.message = message,
		.origin_uri = origin_uri,
	};

	if (message_id)
		e.severity = severity_of(message_id);
	return mgmt_events_post(NULL, ev, &e, err);
}

/* ---------------------------------------------------------------------
 * The switch's events
 */

/* Write the Redfish form of argument @a of @se into @out. */
static void sw_arg(char *out, size_t len, enum events_arg a,
		   const struct sw_fmp_event *se)
{
	switch (a) {
	case ARG_FN:
		snprintf(out, len, "F-%u-%u-%u", SW_FID_CHIP(se->fid),
			 SW_FID_PORT(se->fid), SW_FID_INDEX(se->fid));
		break;
	case ARG_PART:
		snprintf(out, len, "%d", se->partition);
		break;
	case ARG_VPPB:
		snprintf(out, len, "%d", se->vppb);
		break;
	case ARG_SWITCH:
		snprintf(out, len, "%u", se->chip);
		break;
	case ARG_PORT:
		snprintf(out, len, "%u", se->port);
		break;
	case ARG_DETAIL:
		snprintf(out, len, "0x%llx", (unsigned long long)se->detail);
		break;
	case ARG_CRITICAL:
		snprintf(out, len, "Critical");
		break;
	case ARG_NONE:
		out[0] = '\0';
		break;
	}
}

/* The resource @se concerns (URIs of mgmt/fabric.h's table). */
static void sw_origin(char *out, size_t len, enum events_origin o,
		      const struct sw_fmp_event *se)
{
	switch (o) {
	case ORIGIN_FN:
		if (se->fid != SW_FID_NONE) {
			snprintf(out, len,
				 MGMT_FABRIC_URI "/Endpoints/F-%u-%u-%u",
				 SW_FID_CHIP(se->fid), SW_FID_PORT(se->fid),
				 SW_FID_INDEX(se->fid));
			return;
		}
		break;
	case ORIGIN_PORT:
		snprintf(out, len, MGMT_FABRIC_URI "/Switches/%u/Ports/%u",
			 se->chip, se->port);
		return;
	case ORIGIN_HOST:
		if (se->partition >= 0) {
			snprintf(out, len, MGMT_FABRIC_URI "/Endpoints/Host-%d",
				 se->partition);
			return;
		}
		break;
	case ORIGIN_FABRIC:
		break;
	}
	snprintf(out, len, "%s", MGMT_FABRIC_URI);
}

/* Record switch event @se (an unknown type is logged and skipped). */
static int sw_record(struct events_rec *out, struct mgmt_events *ev,
		     const struct sw_fmp_event *se, struct fm_err *err)
{
	char argv[3][48], text[MGMT_EVENTS_TEXT_MAX], origin[160];
	const char *args[3] = { argv[0], argv[1], argv[2] };
	const struct events_sw_map *m;
	const struct events_msg_def *d;
	struct mgmt_event e = { 0 };
	unsigned i;

	if (se->type >= SW_EV_TYPE_COUNT) {
		FM_LOG(FM_LOG_WARN,
		       "events: switch event %llu: unknown "
		       "type %u skipped",
		       (unsigned long long)se->seq, se->type);
		return 1;
	}
	m = &sw_map[se->type];
	d = &msgs[m->msg];
	if (m->msg_upstream && se->partition >= 0)
		d = &msgs[m->msg_upstream];
	for (i = 0; i < d->nargs; i++)
		sw_arg(argv[i], sizeof(argv[i]), m->args[i], se);
	substitute(text, sizeof(text), d->text, args, d->nargs);
	sw_origin(origin, sizeof(origin), m->origin, se);
	e.type = m->type;
	e.message_id = d->id;
	e.severity = d->severity;
	e.message = text;
	e.origin_uri = origin;
	e.args = args;
	e.nargs = d->nargs;
	return record(out, ev, &e, err);
}

/* The marker of an overflowed switch log: events after @since lost. */
static int sw_record_lost(struct events_rec *out, struct mgmt_events *ev,
			  uint64_t since, uint64_t first, struct fm_err *err)
{
	char a[24], b[24], text[MGMT_EVENTS_TEXT_MAX];
	const char *args[2] = { a, b };
	const struct events_msg_def *d = &msgs[MSG_SWITCH_EVENTS_LOST];
	struct mgmt_event e = {
		.type = "Alert",
		.message_id = d->id,
		.severity = d->severity,
		.message = text,
		.origin_uri = MGMT_FABRIC_URI,
		.args = args,
		.nargs = 2,
	};

	snprintf(a, sizeof(a), "%llu", (unsigned long long)since);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)first);
	substitute(text, sizeof(text), d->text, args, 2);
	return record(out, ev, &e, err);
}

/*
 * One page of the switch's log: record it in one store group (delivered
 * when that commits).  *more is true when the switch has more.
 */
static int sync_page(bool *more, struct mgmt_events *ev, struct fm_err *err)
{
	struct sw_fmp_events_rsp rsp = { 0 };
	struct events_rec rec;
	uint64_t seq = ev->sw_seq;
	size_t i;
	bool group;
	int ret;

	*more = false;
	ret = sw_fmp_client_events(ev->page, &rsp, ev->fmp, ev->sw_seq,
				   SW_FMP_EV_PAGE_MAX, err);
	if (ret < 0)
		return ret;
	if (rsp.last_seq < ev->sw_seq) {
		/* a new log: the switch restarted; all of it is new */
		FM_LOG(FM_LOG_INFO,
		       "events: the switch's event log restarted (last %llu, "
		       "read up to %llu)",
		       (unsigned long long)rsp.last_seq,
		       (unsigned long long)ev->sw_seq);
		ev->sw_seq = 0;
		*more = true;
		return 0;
	}
	if (rsp.count == 0)
		return 0;
	/* inside someone's open group the appends simply join it */
	group = mgmt_store_txn_begin(ev->store, NULL) == 0;
	if (rsp.flags & SW_FMP_EV_OVERFLOW) {
		ret = sw_record_lost(&rec, ev, ev->sw_seq, ev->page[0].seq,
				     err);
		if (ret < 0)
			goto fail;
		deliver(ev, ev->last, &rec);
	}
	for (i = 0; i < rsp.count; i++) {
		ret = sw_record(&rec, ev, &ev->page[i], err);
		if (ret < 0)
			goto fail;
		if (ret == 0)
			deliver(ev, ev->last, &rec);
		seq = ev->page[i].seq;
	}
	/* a failed commit undid the records, and the hub dropped them */
	if (group && (ret = mgmt_store_txn_commit(ev->store, err)) < 0)
		return ret;
	ev->sw_seq = seq;
	*more = (rsp.flags & SW_FMP_EV_MORE) != 0;
	return 0;
fail:
	if (group)
		mgmt_store_txn_rollback(ev->store); /* drops ours */
	else
		ev->sw_seq = seq; /* what was appended stays in the group */
	return ret;
}

int mgmt_events_sync(struct mgmt_events *ev, struct fm_err *err)
{
	bool more = true;
	int ret = 0;

	if (!ev->fmp)
		return 0;
	while (more && ret == 0)
		ret = sync_page(&more, ev, err);
	return ret;
}

static void sync_fire(void *arg)
{
	struct mgmt_events *ev = arg;
	struct fm_err err = { 0 };

	ev->sync_soon = false;
	if (mgmt_events_sync(ev, &err) < 0) {
		if (!ev->sync_failed)
			FM_LOG(FM_LOG_WARN,
			       "events: reading the switch's "
			       "events: %s",
			       err.msg);
		ev->sync_failed = true;
	} else {
		ev->sync_failed = false;
	}
	if (ev->opts.poll_ns)
		mgmt_timer_start(ev->loop, &ev->sync_timer, ev->opts.poll_ns,
				 NULL);
}

void mgmt_events_fw_notify(void *arg, const struct sw_event *e)
{
	struct mgmt_events *ev = arg;

	(void)e;
	if (ev->sync_soon)
		return;
	if (mgmt_timer_start(ev->loop, &ev->sync_timer, 0, NULL) == 0)
		ev->sync_soon = true;
}

/* ---------------------------------------------------------------------
 * The hub
 */
int mgmt_events_new(struct mgmt_events **out, struct mgmt_loop *loop,
		    struct mgmt_store *store, struct sw_fmp_client *fmp,
		    const struct mgmt_events_opts *opts, struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	struct mgmt_events *ev;
	int ret;

	*out = NULL;
	if (!loop || !store)
		return fm_err_set(err, FM_EINVAL,
				  "events: a loop and a store are needed");
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return fm_err_set(err, FM_ENOMEM, "events: out of memory");
	ev->loop = loop;
	ev->store = store;
	ev->fmp = fmp;
	if (opts)
		ev->opts = *opts;
	if (!ev->opts.max_streams)
		ev->opts.max_streams = MGMT_EVENTS_STREAMS_DEFAULT;
	if (!ev->opts.keepalive_ns)
		ev->opts.keepalive_ns = MGMT_EVENTS_KEEPALIVE_NS;
	mgmt_timer_init(&ev->sync_timer, sync_fire, ev);
	mgmt_timer_init(&ev->replay_timer, replay_fire, ev);
	mgmt_timer_init(&ev->keepalive_timer, keepalive_fire, ev);
	ret = mgmt_store_event_last(&ev->last, store, err);
	if (ret == 0)
		ret = mgmt_store_watch(store, events_store_news, ev, err);
	if (ret < 0)
		goto fail;
	if (fmp && !ev->opts.replay_switch_log) {
		ret = sw_fmp_client_identify(&id, fmp, err);
		if (ret < 0)
			goto fail;
		ev->sw_seq = id.last_event_seq;
	}
	if (fmp) {
		ret = mgmt_timer_start(loop, &ev->sync_timer, 0, err);
		if (ret < 0)
			goto fail;
		ev->sync_soon = true;
	}
	*out = ev;
	return 0;
fail:
	mgmt_events_free(ev);
	return ret;
}

void mgmt_events_free(struct mgmt_events *ev)
{
	struct mgmt_events_client *c, *next;

	if (!ev)
		return;
	for (c = ev->clients; c; c = next) {
		next = c->next;
		if (c->s) {
			/* the HTTP layer frees it in its close callback */
			client_unlink(c);
			if (!c->dead)
				mgmt_stream_end(c->s);
		} else {
			client_unlink(c);
			free(c);
		}
	}
	mgmt_timer_stop(ev->loop, &ev->sync_timer);
	mgmt_timer_stop(ev->loop, &ev->replay_timer);
	mgmt_timer_stop(ev->loop, &ev->keepalive_timer);
	mgmt_store_unwatch(ev->store, events_store_news, ev);
	held_drop(ev, 0);
	free(ev->held);
	free(ev);
}

uint64_t mgmt_events_last(const struct mgmt_events *ev)
{
	return ev->last;
}

unsigned mgmt_events_stream_count(const struct mgmt_events *ev)
{
	return ev->nclients;
}

unsigned mgmt_events_stream_max(const struct mgmt_events *ev)
{
	return ev->opts.max_streams;
}

uint64_t mgmt_events_keepalive_ns(const struct mgmt_events *ev)
{
	return ev->opts.keepalive_ns;
}
