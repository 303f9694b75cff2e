/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmd_session.c - `login` and `logout`: a Redfish session (DSP0266
 * 13.3.4) whose X-Auth-Token later commands send, kept in the session
 * file (ctl_http.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/ctl/ctl_int.h"

#define SESSIONS_URI "/redfish/v1/SessionService/Sessions"

/* The Sessions collection: the service root's Links.Sessions. */
static void sessions_uri(char *out, size_t len, struct ctl *c)
{
	struct json_object *root = NULL, *links;
	struct ctl_resp r;
	const char *uri = NULL;

	snprintf(out, len, "%s", SESSIONS_URI);
	if (ctl_http_request(&r, c, "GET /redfish/v1", "GET", "/redfish/v1",
			     NULL))
		return;
	root = r.body;
	if (r.status == 200 && json_object_object_get_ex(root, "Links", &links))
		uri = ctl_json_link(links, "Sessions");
	if (uri && uri[0] == '/')
		snprintf(out, len, "%s", uri);
	ctl_resp_fini(&r);
}

static int login_run(struct ctl *c, int argc, char **argv)
{
	struct json_object *req = NULL;
	struct ctl_session s = { 0 };
	struct ctl_resp r = { 0 };
	char uri[CTL_URI_MAX];
	const char *loc;
	int ret;

	ret = ctl_cmd_plain_opts(&ctl_cmd_login, argc, argv, 0);
	if (ret >= 0)
		return ret;
	if (!c->opts.user || !c->password)
		return ctl_usage_error(&ctl_cmd_login,
				       "give --user NAME and the password in "
				       "--password-file FILE or "
				       "$MRFABRIC_PASSWORD");
	/* a new session never rides on an old one */
	c->have_session = false;
	sessions_uri(uri, sizeof(uri), c);
	req = json_object_new_object();
	if (!req)
		return CTL_EXIT_SERVER;
	json_object_object_add(req, "UserName",
			       json_object_new_string(c->opts.user));
	json_object_object_add(req, "Password",
			       json_object_new_string(c->password));
	ret = ctl_http_request(&r, c, "login", "POST", uri,
			       json_object_to_json_string(req));
	if (ret)
		goto out;
	if (r.status != 201 && r.status != 200) {
		ret = ctl_http_fail(&r, "login");
		goto out;
	}
	if (!r.token[0]) {
		fprintf(stderr, CTL_PROG ": login: the service sent no "
					 "X-Auth-Token\n");
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	/* Location may be a path or an absolute URL: keep the path */
	loc = ctl_uri_path(r.location);
	if (!loc[0])
		loc = ctl_json_str(r.body, "@odata.id", "");
	snprintf(s.token, sizeof(s.token), "%s", r.token);
	snprintf(s.uri, sizeof(s.uri), "%s", loc);
	snprintf(s.user, sizeof(s.user), "%s", c->opts.user);
	if (ctl_session_save(c, &s) < 0) {
		ret = CTL_EXIT_USAGE;
		goto out;
	}
	if (c->opts.json && r.body)
		ctl_print_json(r.body);
	else
		printf("logged in to %s as %s (session %s, kept in %s)\n",
		       c->opts.url, s.user, s.uri, c->session_path);
out:
	ctl_resp_fini(&r);
	json_object_put(req);
	return ret;
}

static int logout_run(struct ctl *c, int argc, char **argv)
{
	struct ctl_resp r = { 0 };
	int ret;

	ret = ctl_cmd_plain_opts(&ctl_cmd_logout, argc, argv, 0);
	if (ret >= 0)
		return ret;
	if (!c->have_session) {
		printf("not logged in to %s\n", c->opts.url);
		return CTL_EXIT_OK;
	}
	if (c->session.uri[0]) {
		ret = ctl_http_request(&r, c, "logout", "DELETE",
				       c->session.uri, NULL);
		if (ret)
			goto out;
		/* 401/404: the session already ended (timeout, restart) */
		if (r.status >= 300 && r.status != 401 && r.status != 404) {
			ret = ctl_http_fail(&r, "logout");
			goto out;
		}
	}
	if (ctl_session_remove(c) < 0) {
		fprintf(stderr, CTL_PROG ": logout: cannot remove %s\n",
			c->session_path);
		ret = CTL_EXIT_USAGE;
		goto out;
	}
	printf("logged out of %s\n", c->opts.url);
out:
	ctl_resp_fini(&r);
	return ret;
}

const struct ctl_cmd ctl_cmd_login = {
	.name = "login",
	.summary = "open a session and keep its token",
	.fn = login_run,
	.network = true,
	.usage = "login",
	.help = "Open a Redfish session (POST SessionService/Sessions) as\n"
		"--user with the password from --password-file or\n"
		"$MRFABRIC_PASSWORD, and keep its X-Auth-Token in the session\n"
		"file (mode 0600) for the commands that follow.\n"
		"With --json: the Session resource the service answered.\n",
};

const struct ctl_cmd ctl_cmd_logout = {
	.name = "logout",
	.summary = "end the session, forget the token",
	.fn = logout_run,
	.network = true,
	.usage = "logout",
	.help = "Delete the session on the service (DELETE its Session\n"
		"resource) and remove the session file.  A session the "
		"service\n"
		"already ended is only forgotten.\n",
};
