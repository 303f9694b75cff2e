/* SPDX-License-Identifier: MIT */
/*
 * test_http.c - how mrfabricctl turns an HTTP answer into an exit status
 * and an error line (ctl_http.c): the numbers scripts rely on, and the
 * Redfish message from the error body.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include "mgmt/ctl/ctl_int.h"

struct status_case {
	long status;
	int exit;
};

ParameterizedTestParameters(ctl_http, status_maps_to_documented_exit)
{
	static struct status_case cases[] = {
		{ 200, CTL_EXIT_OK },	    { 204, CTL_EXIT_OK },
		{ 400, CTL_EXIT_SERVER },   { 401, CTL_EXIT_AUTH },
		{ 403, CTL_EXIT_AUTH },	    { 404, CTL_EXIT_NOTFOUND },
		{ 405, CTL_EXIT_SERVER },   { 409, CTL_EXIT_CONFLICT },
		{ 412, CTL_EXIT_CONFLICT }, { 500, CTL_EXIT_SERVER },
		{ 503, CTL_EXIT_SERVER },
	};

	return cr_make_param_array(struct status_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct status_case *c, ctl_http,
		  status_maps_to_documented_exit)
{
	cr_assert_eq(ctl_http_status_exit(c->status), c->exit, "%ld",
		     c->status);
}

/* ctl_http_fail() on @status with the JSON text @body; stderr captured */
static int fail_with(long status, const char *body)
{
	struct ctl_resp r = { .status = status };
	int ret;

	r.body = body ? json_tokener_parse(body) : NULL;
	ret = ctl_http_fail(&r, "move F-0-2-1 to Blade-1");
	ctl_resp_fini(&r);
	fflush(stderr);
	return ret;
}

Test(ctl_http, error_line_carries_the_extended_info_message,
     .init = cr_redirect_stderr)
{
	int ret = fail_with(
		404, "{\"error\": {\"code\": \"Base.1.22.1.GeneralError\", "
		     "\"message\": \"A general error has occurred.\", "
		     "\"@Message.ExtendedInfo\": [{\"MessageId\": "
		     "\"Base.1.22.1.ResourceMissingAtURI\", \"Message\": "
		     "\"The resource at the URI '/x' was not found.\"}]}}");

	cr_assert_eq(ret, CTL_EXIT_NOTFOUND);
	cr_assert_stderr_eq_str("mrfabricctl: move F-0-2-1 to Blade-1: The "
				"resource at the URI '/x' was not found.\n");
}

Test(ctl_http, general_error_shows_its_resolution, .init = cr_redirect_stderr)
{
	int ret = fail_with(
		409, "{\"error\": {\"code\": \"Base.1.22.1.GeneralError\", "
		     "\"message\": \"A general error has occurred.\", "
		     "\"@Message.ExtendedInfo\": [{\"MessageId\": "
		     "\"Base.1.22.1.GeneralError\", \"Message\": \"A general "
		     "error has occurred.\", \"Resolution\": \"endpoint is in "
		     "zone 1: remove it there, or move it\"}]}}");

	cr_assert_eq(ret, CTL_EXIT_CONFLICT);
	cr_assert_stderr_eq_str("mrfabricctl: move F-0-2-1 to Blade-1: "
				"endpoint is in zone 1: remove it there, or "
				"move it\n");
}

Test(ctl_http, several_messages_are_joined, .init = cr_redirect_stderr)
{
	fail_with(400, "{\"error\": {\"code\": \"x\", \"message\": \"m\", "
		       "\"@Message.ExtendedInfo\": [{\"MessageId\": \"a\", "
		       "\"Message\": \"First.\"}, {\"MessageId\": \"b\", "
		       "\"Message\": \"Second.\"}]}}");
	cr_assert_stderr_eq_str(
		"mrfabricctl: move F-0-2-1 to Blade-1: First.; Second.\n");
}

Test(ctl_http, body_without_error_names_the_status, .init = cr_redirect_stderr)
{
	cr_assert_eq(fail_with(500, NULL), CTL_EXIT_SERVER);
	cr_assert_stderr_eq_str(
		"mrfabricctl: move F-0-2-1 to Blade-1: HTTP status 500\n");
}

Test(ctl_http, unauthorized_says_how_to_log_in, .init = cr_redirect_stderr)
{
	cr_assert_eq(fail_with(401, NULL), CTL_EXIT_AUTH);
	cr_assert_stderr_eq_str(
		"mrfabricctl: move F-0-2-1 to Blade-1: authentication "
		"required (401)\n"
		"mrfabricctl: log in with `mrfabricctl login`, or give --user "
		"and a password\n");
}
