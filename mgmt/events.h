/* SPDX-License-Identifier: MIT */
/*
 * events.h - the daemon's event hub: every event of the service (the
 * switch firmware's, converted to Redfish events, and those the daemon
 * raises itself: tasks, moves, zone changes) gets the next durable
 * sequence number from the store (mgmt/store.h, events table) and is then
 * pushed to every connected SSE client of the EventService
 * (mgmt/res_events.c, DSP0266 "Server-sent events").
 *
 * An event is one Redfish EventRecord (Event.v1_x): EventType, MessageId
 * ("Registry.Major.Minor.Key"), Message, MessageArgs, MessageSeverity,
 * OriginOfCondition and EventTimestamp.  The store keeps the record as
 * JSON text; the SSE stream wraps it in an Event resource whose Id and
 * EventId are the sequence number, which is also the SSE "id:" field.
 *
 * Firmware events reach the hub through FMP Get Events (the same code for
 * the in-process switch and for `--switch unix:PATH`): with the embedded
 * firmware, mgmt_events_fw_notify() (a sw_event_notify_fn) makes the hub
 * read them on the next loop iteration; with a remote switch, a loop
 * timer polls every mgmt_events_opts.poll_ns.  An overflowed firmware log
 * becomes one marker event (MrfabricEvent.1.0.SwitchEventsLost).
 *
 * Everything runs on the daemon's loop (mgmt.h): no locks.
 */
#ifndef MRFABRIC_MGMT_EVENTS_H
#define MRFABRIC_MGMT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"
#include "switchfw/switchfw.h"

struct mgmt_loop;
struct mgmt_store;
struct mgmt_stream;
struct sw_fmp_client;

struct mgmt_events;

/*
 * The OEM message registry of mrfabricd's own events, for what neither
 * ResourceEvent.1.4.3 nor Fabric.1.0.3 says (events.c lists every
 * message with its severity, arguments and text).
 */
#define MGMT_EVENTS_OEM_REGISTRY "MrfabricEvent.1.0"

/*
 * One message the hub sends (an entry of events.c's table), for the
 * registry documents of /redfish/v1/Registries (res_registries.c).  All
 * strings are static.
 */
struct mgmt_events_msg {
	const char *id;	      /* MessageId, "<Prefix>.<Major>.<Minor>.<Key>" */
	const char *severity; /* "OK", "Warning" or "Critical" */
	unsigned nargs;	      /* MessageArgs: %1 .. %<nargs> in text */
	const char *text;     /* the Message, %n standing for argument n */
	/* Entries of the OEM registry only (NULL for DMTF's, whose own
	 * registry files say it): */
	const char *description;
	const char *resolution;
	/* nargs of "string" or "number" (NULL when nargs is 0) */
	const char *const *param_types;
};

/* The number of messages the hub sends (the entries of the table). */
size_t mgmt_events_msg_count(void);
/*
 * Entry @i (below mgmt_events_msg_count()) of the table into *out.
 * Returns 0 or -FM_ERANGE (@i is past the end; *out untouched).
 */
int mgmt_events_msg_get(struct mgmt_events_msg *out, size_t i);

/* Defaults of struct mgmt_events_opts (0 in a field selects them). */
#define MGMT_EVENTS_STREAMS_DEFAULT 32		/* connected SSE clients */
#define MGMT_EVENTS_KEEPALIVE_NS 15000000000ull /* 15 s between ": keepalive" */
#define MGMT_EVENTS_REPLAY_PAGE 256		/* events replayed per pass */

struct mgmt_events_opts {
	unsigned max_streams;  /* SSE clients at once; more get 503 */
	uint64_t keepalive_ns; /* comment line to idle streams, this often */
	/* poll the switch's event log this often (ns); 0: no polling (the
	 * embedded firmware notifies through mgmt_events_fw_notify()) */
	uint64_t poll_ns;
	/* true: convert the switch's whole event log (the firmware started
	 * with the daemon); false: only what it logs from now on (a switch
	 * that outlives daemon restarts: its old events were converted by an
	 * earlier run) */
	bool replay_switch_log;
};

/*
 * Create the hub over @store (durable sequence and retention) and @fmp
 * (the switch; NULL: no switch events), on @loop.  All three are
 * borrowed and must outlive the hub.  @opts may be NULL (defaults, no
 * polling).  Returns 0, -FM_EINVAL, -FM_ENOMEM, or the FMP error of
 * reading the switch's last event number.
 */
int mgmt_events_new(struct mgmt_events **out, struct mgmt_loop *loop,
		    struct mgmt_store *store, struct sw_fmp_client *fmp,
		    const struct mgmt_events_opts *opts, struct fm_err *err);
/*
 * Free @ev (NULL is fine).  Connected streams are ended first (the HTTP
 * server must still be running, or already freed: its close callbacks
 * then came before).
 */
void mgmt_events_free(struct mgmt_events *ev);

/*
 * One event, as the caller describes it.  Strings are borrowed for the
 * call.  @type is a Redfish EventType ("StatusChange", "ResourceUpdated",
 * "ResourceAdded", "ResourceRemoved", "Alert", "Other"); @message_id a
 * registry MessageId ("ResourceEvent.1.4.3.ResourceCreated"); @severity
 * "OK", "Warning" or "Critical" (NULL: "OK"); @origin_uri the resource
 * concerned (NULL: none); @args the MessageArgs (may be NULL when
 * @nargs is 0).
 */
struct mgmt_event {
	const char *type;
	const char *message_id;
	const char *message;
	const char *severity;
	const char *origin_uri;
	const char *const *args;
	size_t nargs;
};

#define MGMT_EVENTS_ARGS_MAX 8	 /* MessageArgs of one event */
#define MGMT_EVENTS_TEXT_MAX 512 /* bytes of a message or an argument */

/*
 * Record @e (the next sequence number, into *id when @id is not NULL)
 * and push it to every connected SSE client once it is durable: at once
 * outside a store group or round, else when that commits (an undone
 * group or a failed commit drops it unsent), so a client never holds an
 * event id that a crash could hand out again.  Returns 0, -FM_EINVAL (unknown type or
 * severity, missing or malformed MessageId, no message; nothing is
 * recorded), -FM_ERANGE (text or argument count above the limits),
 * -FM_ENOMEM, -FM_EIO (the store).
 */
int mgmt_events_post(uint64_t *id, struct mgmt_events *ev,
		     const struct mgmt_event *e, struct fm_err *err);

/*
 * mgmt_events_post() of an event without MessageArgs, whose severity is
 * the one its registry gives @message_id (the key's suffix "Warning" or
 * "Critical" for ResourceEvent; the listed ones of the OEM registry;
 * "OK" otherwise).
 */
int mgmt_events_emit(struct mgmt_events *ev, const char *type,
		     const char *message_id, const char *origin_uri,
		     const char *message, struct fm_err *err);

/*
 * A sw_event_notify_fn for sw_fw_set_notify(fw, mgmt_events_fw_notify,
 * ev): the embedded firmware logged an event; the hub reads the log on
 * the next loop iteration (never inside the firmware's call).
 */
void mgmt_events_fw_notify(void *ev, const struct sw_event *e);

/*
 * Read the switch's event log now and convert what is new.  The loop
 * does it by itself (notify, poll); tests call it to be deterministic.
 * Returns 0 or the FMP or store error (what was converted before it
 * stays recorded; the rest is read again next time).
 */
int mgmt_events_sync(struct mgmt_events *ev, struct fm_err *err);

/* The last sequence number recorded (0 if none). */
uint64_t mgmt_events_last(const struct mgmt_events *ev);
/* Connected SSE clients. */
unsigned mgmt_events_stream_count(const struct mgmt_events *ev);
unsigned mgmt_events_stream_max(const struct mgmt_events *ev);
uint64_t mgmt_events_keepalive_ns(const struct mgmt_events *ev);

/*
 * SSE clients (for res_events.c).  A client is created by the GET
 * handler of the stream, resuming after event @after (its Last-Event-ID,
 * 0 for everything kept), and handed to mgmt_resp_set_stream() with
 * mgmt_events_stream_open / _close and the client as argument; the hub
 * owns it from then on (a client whose stream never opens is freed with
 * the hub).  Returns 0, -FM_EBUSY (max_streams reached), -FM_ENOMEM.
 */
struct mgmt_events_client;
int mgmt_events_client_new(struct mgmt_events_client **out,
			   struct mgmt_events *ev, uint64_t after,
			   struct fm_err *err);
/* mgmt_stream_fn callbacks; @arg is the client. */
void mgmt_events_stream_open(void *arg, struct mgmt_stream *s);
void mgmt_events_stream_close(void *arg, struct mgmt_stream *s);

#endif
