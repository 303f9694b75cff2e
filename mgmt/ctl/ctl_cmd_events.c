/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmd_events.c - `events`: the EventService's server-sent event
 * stream (DSP0266 "Server-sent events", mgmt/res_events.c), one line per
 * event; with --follow it reconnects after a dropped connection with
 * Last-Event-ID, so no event is lost while the service keeps it, and says
 * so when the service reports a gap (MrfabricEvent EventsLost /
 * EventIdUnknown markers).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt/ctl/ctl_int.h"

#define EVENT_SERVICE_URI "/redfish/v1/EventService"
#define SSE_LINE_MAX (1u << 20) /* longest SSE line accepted */
#define RETRY_MS_DEFAULT 3000	/* until the service says (retry:) */
#define RETRY_MS_MAX 60000	/* whatever the service says */

struct sse {
	struct ctl *c;
	char *line; /* the partial line */
	size_t len, cap;
	char *data; /* data: lines of the event being read */
	size_t dlen;
	char id[32];	  /* id: of the event being read */
	char last_id[32]; /* of the last event dispatched */
	long retry_ms;
	unsigned long count; /* stop after this many events, 0: never */
	unsigned long seen;
	bool failed; /* out of memory or a line too long */
};

/* Print one EventRecord of the Event resource. */
static void record_print(struct sse *s, struct json_object *rec)
{
	const char *mid = ctl_json_str(rec, "MessageId", "?");
	const char *origin = ctl_json_link(rec, "OriginOfCondition");
	size_t ml = strlen(mid);

	if ((ml > 11 && strcmp(mid + ml - 11, ".EventsLost") == 0) ||
	    (ml > 15 && strcmp(mid + ml - 15, ".EventIdUnknown") == 0))
		fprintf(stderr,
			CTL_PROG ": events: the service reports a gap: %s\n",
			ctl_json_str(rec, "Message", ""));
	if (s->c->opts.json)
		return;
	printf("%s %s %-8s %s %s: %s\n", ctl_json_str(rec, "EventId", "-"),
	       ctl_json_str(rec, "EventTimestamp", "-"),
	       ctl_json_str(rec, "MessageSeverity", "-"), mid,
	       origin ? ctl_uri_leaf(origin) : "-",
	       ctl_json_str(rec, "Message", ""));
}

/* One complete event: print it; false to stop the stream. */
static bool sse_dispatch(struct sse *s)
{
	struct json_object *ev, *recs;
	size_t i;

	if (!s->data) {
		s->id[0] = '\0';
		return true;
	}
	ev = json_tokener_parse(s->data);
	if (ev && json_object_object_get_ex(ev, "Events", &recs) &&
	    json_object_is_type(recs, json_type_array))
		for (i = 0; i < json_object_array_length(recs); i++)
			record_print(s, json_object_array_get_idx(recs, i));
	else
		fprintf(stderr, CTL_PROG ": events: not an Event: %s\n",
			s->data);
	if (s->c->opts.json && ev)
		printf("%s\n",
		       json_object_to_json_string_ext(
			       ev, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(ev);
	if (s->id[0])
		memcpy(s->last_id, s->id, sizeof(s->id));
	s->id[0] = '\0';
	free(s->data);
	s->data = NULL;
	s->dlen = 0;
	s->seen++;
	return !s->count || s->seen < s->count;
}

/* One line of the stream (without its end); false to stop. */
static bool sse_line(struct sse *s, char *line)
{
	char *value = strchr(line, ':');
	size_t vl;
	char *p;

	if (!line[0])
		return sse_dispatch(s);
	if (line[0] == ':')
		return true; /* a comment: keepalive */
	if (value) {
		*value++ = '\0';
		if (*value == ' ')
			value++;
	} else {
		value = line + strlen(line);
	}
	if (strcmp(line, "id") == 0) {
		snprintf(s->id, sizeof(s->id), "%s", value);
	} else if (strcmp(line, "retry") == 0) {
		s->retry_ms = strtol(value, NULL, 10);
		if (s->retry_ms <= 0)
			s->retry_ms = RETRY_MS_DEFAULT;
		if (s->retry_ms > RETRY_MS_MAX)
			s->retry_ms = RETRY_MS_MAX;
	} else if (strcmp(line, "data") == 0) {
		vl = strlen(value);
		p = realloc(s->data, s->dlen + vl + 2);
		if (!p) {
			s->failed = true;
			return false;
		}
		s->data = p;
		if (s->dlen)
			s->data[s->dlen++] = '\n';
		memcpy(s->data + s->dlen, value, vl + 1);
		s->dlen += vl;
	}
	return true;
}

static bool sse_feed(void *arg, const char *buf, size_t len)
{
	struct sse *s = arg;
	size_t i;
	char *p;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			if (s->len && s->line[s->len - 1] == '\r')
				s->len--;
			if (!s->line) {
				s->line = malloc(1);
				if (!s->line) {
					s->failed = true;
					return false;
				}
			}
			s->line[s->len] = '\0';
			s->len = 0;
			if (!sse_line(s, s->line))
				return false;
			continue;
		}
		if (s->len + 2 > s->cap) {
			if (s->cap >= SSE_LINE_MAX) {
				s->failed = true;
				return false;
			}
			p = realloc(s->line, s->cap ? s->cap * 2 : 256);
			if (!p) {
				s->failed = true;
				return false;
			}
			s->line = p;
			s->cap = s->cap ? s->cap * 2 : 256;
		}
		s->line[s->len++] = buf[i];
	}
	return true;
}

/* Forget a half-read event (the connection dropped in its middle). */
static void sse_reset(struct sse *s)
{
	s->len = 0;
	free(s->data);
	s->data = NULL;
	s->dlen = 0;
	s->id[0] = '\0';
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

struct events_opts {
	bool follow;
	const char *since;
	unsigned long count;
};

static int events_parse(struct events_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	optind = 0;
	opterr = 0;
	for (;;) {
		ch = getopt_long(argc, argv, ":fh", longopts, NULL);
		if (ch == -1)
			break;
		switch (ch) {
		case 'f':
			o->follow = true;
			break;
		case 's':
			errno = 0;
			(void)strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end ||
			    strlen(optarg) >= 21 || optarg[0] == '-')
				return ctl_usage_error(
					&ctl_cmd_events,
					"--since %s: expected an event id",
					optarg);
			o->since = optarg;
			break;
		case 'n':
			errno = 0;
			o->count = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !o->count ||
			    optarg[0] == '-')
				return ctl_usage_error(&ctl_cmd_events,
						       "--count %s: expected a "
						       "number above 0",
						       optarg);
			break;
		case 'h':
			return ctl_cmd_help(&ctl_cmd_events);
		default:
			return ctl_opt_error(&ctl_cmd_events, ch, argv);
		}
	}
	return ctl_opt_no_args(&ctl_cmd_events, argc, argv);
}

static int events_run(struct ctl *c, int argc, char **argv)
{
	struct events_opts o = { 0 };
	struct json_object *es = NULL;
	struct sse s = { .c = c, .retry_ms = RETRY_MS_DEFAULT };
	char uri[CTL_URI_MAX], reason[CTL_MSG_MAX];
	long status;
	int ret;

	ret = events_parse(&o, argc, argv);
	if (ret >= 0)
		return ret;
	s.count = o.count;
	if (o.since)
		snprintf(s.last_id, sizeof(s.last_id), "%s", o.since);
	ret = ctl_http_get(&es, c, "events", EVENT_SERVICE_URI);
	if (ret)
		return ret;
	snprintf(uri, sizeof(uri), "%s",
		 ctl_json_str(es, "ServerSentEventUri", ""));
	json_object_put(es);
	if (uri[0] != '/') {
		fprintf(stderr, CTL_PROG ": events: the EventService offers "
					 "no ServerSentEventUri\n");
		return CTL_EXIT_SERVER;
	}
	for (;;) {
		ret = ctl_http_stream(&status, reason, c, uri, s.last_id,
				      sse_feed, &s);
		if (s.failed) {
			fprintf(stderr, CTL_PROG ": events: a line of the "
						 "stream is too long\n");
			ret = CTL_EXIT_SERVER;
			break;
		}
		if (s.count && s.seen >= s.count) {
			ret = 0;
			break;
		}
		if (!ret && status && status != 200) {
			fprintf(stderr, CTL_PROG ": events: %s\n",
				reason[0] ? reason : "error answer");
			ret = ctl_http_status_exit(status);
			break;
		}
		if (!o.follow) {
			if (ret)
				fprintf(stderr, CTL_PROG ": events: %s: %s\n",
					c->opts.url, reason);
			break;
		}
		sse_reset(&s);
		fprintf(stderr,
			CTL_PROG ": events: %s; reconnecting in %ld ms%s%s\n",
			ret ? reason : "the service ended the stream",
			s.retry_ms, s.last_id[0] ? " after event " : "",
			s.last_id);
		sleep_ms(s.retry_ms);
	}
	free(s.line);
	free(s.data);
	return ret;
}

const struct ctl_cmd ctl_cmd_events = {
	.name = "events",
	.summary = "print the service's events as they happen",
	.fn = events_run,
	.network = true,
	.usage = "events [--follow] [--since ID] [--count N]",
	.help = "Print the service's events as they happen (the\n"
		"EventService's server-sent event stream), one line each:\n"
		"  ID TIMESTAMP SEVERITY MESSAGEID ORIGIN: MESSAGE\n"
		"  --follow     when the connection drops or the service\n"
		"               restarts, reconnect (after the service's "
		"retry\n"
		"               time) with Last-Event-ID, so the events in\n"
		"               between are replayed; a gap the service "
		"reports\n"
		"               (events no longer kept) is said on stderr\n"
		"  --since ID   start after event ID (it and older ones are\n"
		"               not shown; the service replays the later "
		"ones)\n"
		"  --count N    exit after N events\n"
		"Without --since only new events are shown.  Without --follow\n"
		"the command ends with the stream.\n"
		"With --json: each Event resource, one JSON document a line.\n",
};
