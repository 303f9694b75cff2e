/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmd_bind.c - `assign`, `unassign` and `move`: Zone.AddEndpoint,
 * Zone.RemoveEndpoint and MrFabric.MoveEndpoint (schemas/redfish-oem.md),
 * and waiting for the task the long ones start (202 + task monitor).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgmt/ctl/ctl_int.h"

#define MOVE_URI "/redfish/v1/Fabrics/PCIe/Actions/Oem/MrFabric.MoveEndpoint"
#define POLL_NS 100000000L /* the task is polled every 100 ms */
#define BAR_WIDTH 30
#define BIND_BLADE_MAX 64 /* a blade's name as the user gives it */

/* Options shared by the three commands. */
struct bind_opts {
	bool wait;
	bool surprise;
	const char *args[2];
};

/* Parse @cmd's options (those in @allowed: "ws") and its @nargs args. */
static int bind_parse(struct bind_opts *o, const struct ctl_cmd *cmd, int argc,
		      char **argv, const char *allowed, int nargs)
{
	static const struct option longopts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "surprise", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, i;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	for (;;) {
		ch = getopt_long(argc, argv, "h", longopts, NULL);
		if (ch == -1)
			break;
		if (ch == 'h')
			return ctl_cmd_help(cmd);
		if (ch == '?' || !strchr(allowed, ch))
			return ctl_usage_error(cmd, "unknown option %s",
					       argv[optind - 1]);
		if (ch == 'w')
			o->wait = true;
		else
			o->surprise = true;
	}
	if (argc - optind != nargs)
		return ctl_usage_error(cmd, "expected %d argument%s", nargs,
				       nargs == 1 ? "" : "s");
	for (i = 0; i < nargs; i++)
		o->args[i] = argv[optind + i];
	return -1;
}

/*
 * The action's parameters: {"Endpoint": {"@odata.id": @ep}}, with @key
 * (may be NULL): {"@odata.id": @link}, and with @surprise the removal
 * mode.  A new object the caller puts; NULL when out of memory.
 */
static struct json_object *action_body(const char *ep, const char *key,
				       const char *link, bool surprise)
{
	struct json_object *o = json_object_new_object(), *l, *oem, *mf;

	if (!o)
		return NULL;
	l = json_object_new_object();
	json_object_object_add(l, "@odata.id", json_object_new_string(ep));
	json_object_object_add(o, "Endpoint", l);
	if (key) {
		l = json_object_new_object();
		json_object_object_add(l, "@odata.id",
				       json_object_new_string(link));
		json_object_object_add(o, key, l);
	}
	if (surprise) {
		oem = json_object_new_object();
		mf = json_object_new_object();
		json_object_object_add(mf, "Mode",
				       json_object_new_string("Surprise"));
		json_object_object_add(oem, "MrFabric", mf);
		json_object_object_add(o, "Oem", oem);
	}
	return o;
}

/* The target of action @name in @res's Actions (or Actions.Oem). */
static const char *action_target(struct json_object *res, const char *name)
{
	struct json_object *actions, *oem, *a;

	if (!json_object_object_get_ex(res, "Actions", &actions))
		return NULL;
	if (json_object_object_get_ex(actions, name, &a))
		return ctl_json_str(a, "target", NULL);
	if (json_object_object_get_ex(actions, "Oem", &oem) &&
	    json_object_object_get_ex(oem, name, &a))
		return ctl_json_str(a, "target", NULL);
	return NULL;
}

/*
 * GET @uri only to learn that it exists: a function or blade that does
 * not gets exit 4 here, before an action would call it a bad parameter.
 */
static int resource_check(struct ctl *c, const char *what, const char *uri)
{
	struct json_object *o = NULL;
	int ret = ctl_http_get(&o, c, what, uri);

	json_object_put(o);
	return ret;
}

/*
 * GET zone @zuri into *@zone and find its action @name ("#Zone.AddEndpoint")
 * in *@target (which points into *@zone).  A zone without it is
 * CTL_EXIT_SERVER.  The caller releases *@zone, also on failure.
 */
static int zone_action(struct json_object **zone, const char **target,
		       struct ctl *c, const char *what, const char *zuri,
		       const char *name)
{
	int ret = ctl_http_get(zone, c, what, zuri);

	if (ret)
		return ret;
	*target = action_target(*zone, name);
	if (*target)
		return 0;
	fprintf(stderr, CTL_PROG ": %s: %s offers no %s\n", what, zuri,
		name + 1);
	return CTL_EXIT_SERVER;
}

/* The function (@ep) and blade (@zuri, @blade) the two arguments name. */
static int bind_names(char ep[CTL_URI_MAX], char zuri[CTL_URI_MAX],
		      char blade[BIND_BLADE_MAX], const struct bind_opts *o)
{
	int ret = ctl_name_function(ep, CTL_URI_MAX, o->args[0]);

	if (!ret)
		ret = ctl_name_blade(zuri, CTL_URI_MAX, blade, BIND_BLADE_MAX,
				     o->args[1]);
	return ret;
}

static void sleep_poll(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = POLL_NS };

	nanosleep(&ts, NULL);
}

static bool task_terminal(const char *state)
{
	static const char *const states[] = { "Completed", "Exception",
					      "Killed", "Cancelled",
					      "Interrupted" };
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i]) == 0)
			return true;
	return false;
}

/* Print task progress message @m: a bar redrawn in place on a terminal,
 * one line per phase otherwise. */
static void progress_show(const char *task_id, struct json_object *m,
			  int percent, bool tty)
{
	struct json_object *oem = NULL, *mf = NULL;
	const char *phase, *detail;
	char bar[BAR_WIDTH + 1];
	int i, fill;

	if (json_object_object_get_ex(m, "Oem", &oem))
		json_object_object_get_ex(oem, "MrFabric", &mf);
	phase = ctl_json_str(mf, "Phase", NULL);
	detail = ctl_json_str(mf, "Detail", ctl_json_str(m, "Message", ""));
	if (!phase)
		return;
	if (!tty) {
		printf("task %s: %3d%% %s: %s\n", task_id, percent, phase,
		       detail);
		fflush(stdout);
		return;
	}
	fill = percent * BAR_WIDTH / 100;
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	/* \033[K: clear what a longer previous line left */
	printf("\r[%s] %3d%% %-10s %s\033[K", bar, percent, phase, detail);
	fflush(stdout);
}

/* The percent of progress message @m (its second MessageArg). */
static int message_percent(struct json_object *m, int dflt)
{
	struct json_object *args, *a;

	if (!json_object_object_get_ex(m, "MessageArgs", &args) ||
	    json_object_array_length(args) < 2)
		return dflt;
	a = json_object_array_get_idx(args, 1);
	return atoi(json_object_get_string(a));
}

/*
 * Follow the task of the 202 answer @acc until it ends, showing its
 * phases.  Returns 0 when it completed, CTL_EXIT_TASK (printed) when it
 * failed, another exit status when polling did.
 */
static int task_wait(struct ctl *c, const char *what, struct ctl_resp *acc)
{
	struct json_object *task = NULL, *msgs;
	struct ctl_resp mon = { 0 };
	char task_uri[CTL_URI_MAX], monitor[CTL_URI_MAX];
	const char *id, *state = "";
	size_t seen = 0, n;
	bool tty = isatty(STDOUT_FILENO) && !c->opts.json;
	int ret = 0, percent = 0;

	snprintf(task_uri, sizeof(task_uri), "%s",
		 ctl_json_str(acc->body, "@odata.id", ""));
	snprintf(monitor, sizeof(monitor), "%s", ctl_uri_path(acc->location));
	if (!task_uri[0] || !monitor[0]) {
		fprintf(stderr,
			CTL_PROG ": %s: the service answered 202 "
				 "without a task\n",
			what);
		return CTL_EXIT_SERVER;
	}
	task = json_object_get(acc->body);
	for (;;) {
		id = ctl_json_str(task, "Id", ctl_uri_leaf(task_uri));
		if (json_object_object_get_ex(task, "Messages", &msgs) &&
		    json_object_is_type(msgs, json_type_array)) {
			n = json_object_array_length(msgs);
			for (; seen < n; seen++) {
				struct json_object *m =
					json_object_array_get_idx(msgs, seen);

				percent = message_percent(m, percent);
				if (!c->opts.json)
					progress_show(id, m, percent, tty);
			}
		}
		state = ctl_json_str(task, "TaskState", "");
		if (task_terminal(state))
			break;
		sleep_poll();
		json_object_put(task);
		task = NULL;
		ret = ctl_http_get(&task, c, what, task_uri);
		if (ret)
			goto out;
	}
	if (tty)
		putchar('\n');
	/* the monitor has the action's own answer: 204 or its error */
	ret = ctl_http_request(&mon, c, what, "GET", monitor, NULL);
	if (ret)
		goto out;
	if (c->opts.json)
		ctl_print_json(task);
	if (strcmp(state, "Completed") == 0 && mon.status < 300 &&
	    strcmp(ctl_json_str(task, "TaskStatus", "OK"), "OK") == 0) {
		if (!c->opts.json)
			printf("task %s: %s\n", id, state);
		goto out;
	}
	if (mon.status >= 300) {
		char msg[CTL_URI_MAX + 64];

		snprintf(msg, sizeof(msg), "%s: task %s %s", what, id, state);
		ctl_http_fail(&mon, msg);
	} else {
		fprintf(stderr, CTL_PROG ": %s: task %s ended %s (%s)\n", what,
			id, state, ctl_json_str(task, "TaskStatus", "?"));
	}
	ret = CTL_EXIT_TASK;
out:
	ctl_resp_fini(&mon);
	json_object_put(task);
	return ret;
}

/*
 * POST @body to @target; 204 prints @done, 202 starts a task that is
 * followed with --wait, or announced.
 */
static int action_post(struct ctl *c, const char *what, const char *target,
		       struct json_object *body, bool wait, const char *done,
		       const char *ep_uri)
{
	struct json_object *ep = NULL;
	struct ctl_resp r = { 0 };
	int ret;

	if (!body) {
		fprintf(stderr, CTL_PROG ": %s: out of memory\n", what);
		return CTL_EXIT_SERVER;
	}
	ret = ctl_http_request(
		&r, c, what, "POST", target,
		json_object_to_json_string_ext(
			body, JSON_C_TO_STRING_PLAIN |
				      JSON_C_TO_STRING_NOSLASHESCAPE));
	if (ret)
		goto out;
	if (r.status == 202) {
		if (wait) {
			ret = task_wait(c, what, &r);
			if (!ret && !c->opts.json)
				printf("%s\n", done);
			goto out;
		} else {
			if (c->opts.json)
				ctl_print_json(r.body);
			else
				printf("%s: task %s started, monitor %s\n",
				       what, ctl_json_str(r.body, "Id", "?"),
				       r.location);
			goto out;
		}
	} else if (r.status >= 300) {
		ret = ctl_http_fail(&r, what);
		goto out;
	}
	if (c->opts.json) {
		ret = ctl_http_get(&ep, c, what, ep_uri);
		if (!ret)
			ctl_print_json(ep);
	} else {
		printf("%s\n", done);
	}
out:
	json_object_put(ep);
	ctl_resp_fini(&r);
	return ret;
}

static int assign_run(struct ctl *c, int argc, char **argv)
{
	struct json_object *zone = NULL, *body = NULL;
	char ep[CTL_URI_MAX], zuri[CTL_URI_MAX], blade[BIND_BLADE_MAX],
		what[256];
	char done[512];
	const char *target;
	struct bind_opts o;
	int ret;

	ret = bind_parse(&o, &ctl_cmd_assign, argc, argv, "w", 2);
	if (ret >= 0)
		return ret;
	ret = bind_names(ep, zuri, blade, &o);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "assign %s to %s", ctl_uri_leaf(ep),
		 blade);
	ret = resource_check(c, what, ep);
	if (!ret)
		ret = zone_action(&zone, &target, c, what, zuri,
				  "#Zone.AddEndpoint");
	if (ret)
		goto out;
	body = action_body(ep, NULL, NULL, false);
	snprintf(done, sizeof(done), "%s assigned to %s", ctl_uri_leaf(ep),
		 blade);
	ret = action_post(c, what, target, body, o.wait, done, ep);
out:
	json_object_put(body);
	json_object_put(zone);
	return ret;
}

static int unassign_run(struct ctl *c, int argc, char **argv)
{
	struct json_object *epres = NULL, *zone = NULL, *body = NULL, *links,
			   *zones;
	char ep[CTL_URI_MAX], what[256], done[512], zone_uri[CTL_URI_MAX];
	char blade[BIND_BLADE_MAX];
	const char *zuri = NULL, *target;
	struct bind_opts o;
	int ret;

	ret = bind_parse(&o, &ctl_cmd_unassign, argc, argv, "ws", 1);
	if (ret >= 0)
		return ret;
	ret = ctl_name_function(ep, sizeof(ep), o.args[0]);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "unassign %s", ctl_uri_leaf(ep));
	ret = ctl_http_get(&epres, c, what, ep);
	if (ret)
		goto out;
	if (json_object_object_get_ex(epres, "Links", &links) &&
	    json_object_object_get_ex(links, "Zones", &zones) &&
	    json_object_array_length(zones) > 0)
		zuri = ctl_json_str(json_object_array_get_idx(zones, 0),
				    "@odata.id", NULL);
	if (!zuri) {
		fprintf(stderr, CTL_PROG ": %s: not assigned to any blade\n",
			what);
		ret = CTL_EXIT_CONFLICT;
		goto out;
	}
	ret = zone_action(&zone, &target, c, what, zuri,
			  "#Zone.RemoveEndpoint");
	if (ret)
		goto out;
	body = action_body(ep, NULL, NULL, o.surprise);
	if (ctl_name_blade(zone_uri, sizeof(zone_uri), blade, sizeof(blade),
			   ctl_uri_leaf(zuri)))
		snprintf(blade, sizeof(blade), "%s", ctl_uri_leaf(zuri));
	snprintf(done, sizeof(done), "%s removed from %s", ctl_uri_leaf(ep),
		 blade);
	ret = action_post(c, what, target, body, o.wait, done, ep);
out:
	json_object_put(body);
	json_object_put(zone);
	json_object_put(epres);
	return ret;
}

static int move_run(struct ctl *c, int argc, char **argv)
{
	struct json_object *body = NULL;
	char ep[CTL_URI_MAX], zuri[CTL_URI_MAX], blade[BIND_BLADE_MAX],
		what[256];
	char done[512];
	struct bind_opts o;
	int ret;

	ret = bind_parse(&o, &ctl_cmd_move, argc, argv, "ws", 2);
	if (ret >= 0)
		return ret;
	ret = bind_names(ep, zuri, blade, &o);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "move %s to %s", ctl_uri_leaf(ep), blade);
	ret = resource_check(c, what, ep);
	if (!ret)
		ret = resource_check(c, what, zuri);
	if (ret)
		return ret;
	body = action_body(ep, "TargetZone", zuri, o.surprise);
	snprintf(done, sizeof(done), "%s moved to %s", ctl_uri_leaf(ep), blade);
	ret = action_post(c, what, MOVE_URI, body, o.wait, done, ep);
	json_object_put(body);
	return ret;
}

const struct ctl_cmd ctl_cmd_assign = {
	.name = "assign",
	.summary = "give a free function to a blade",
	.fn = assign_run,
	.network = true,
	.usage = "assign FUNCTION BLADE",
	.help = "Give a free function to a blade: Zone.AddEndpoint on the\n"
		"blade's zone.  The switch binds it and signals the hot-add;\n"
		"the blade enumerates it.  A function another blade has is\n"
		"refused (exit 5: use move); an SR-IOV PF, which the fabric\n"
		"owns, is refused (exit 7).\n"
		"With --json: the function's Endpoint resource afterwards.\n",
};

const struct ctl_cmd ctl_cmd_unassign = {
	.name = "unassign",
	.summary = "take a function from its blade",
	.fn = unassign_run,
	.network = true,
	.usage = "unassign FUNCTION [--surprise] [--wait]",
	.help = "Take a function from its blade: Zone.RemoveEndpoint.  The\n"
		"blade's driver is asked to power the slot off (managed\n"
		"removal, the firmware falls back to surprise removal when it\n"
		"does not answer); then the function is reset.  This runs as "
		"a\n"
		"task.\n"
		"  --surprise   remove at once (presence and link drop) "
		"instead\n"
		"  --wait       follow the task to its end and show its "
		"phases\n"
		"               (exit 6 when it fails)\n"
		"With --json: the Task (without --wait: as started).\n",
};

const struct ctl_cmd ctl_cmd_move = {
	.name = "move",
	.summary = "move a function to another blade (a task)",
	.fn = move_run,
	.network = true,
	.usage = "move FUNCTION BLADE [--surprise] [--wait]",
	.help = "Move a function from the blade that has it to BLADE as one\n"
		"task (MrFabric.MoveEndpoint): managed hot-remove at the\n"
		"source, function level reset, bind and hot-add at the "
		"target.\n"
		"A function already being moved is refused (exit 5).\n"
		"  --surprise   surprise removal at the source\n"
		"  --wait       follow the task: on a terminal a progress bar\n"
		"               with the phase names, else one line per phase\n"
		"               (\"task N: PERCENT% PHASE: DETAIL\"), then\n"
		"               \"task N: Completed\"; exit 6 when the task\n"
		"               fails or is rolled back\n"
		"Without --wait: prints the task and its monitor and exits 0.\n"
		"With --json: the Task (with --wait: as it ended).\n",
};
