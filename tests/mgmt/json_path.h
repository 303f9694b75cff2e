/* SPDX-License-Identifier: MIT */
/*
 * json_path.h - reading test expectations out of JSON bodies: a member
 * by "/"-separated path ("error/@Message.ExtendedInfo/0/MessageId";
 * digits index arrays).  Header-only, for the tests of tests/mgmt.
 */
#ifndef MRFABRIC_TESTS_MGMT_JSON_PATH_H
#define MRFABRIC_TESTS_MGMT_JSON_PATH_H

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The member of @obj at @path (borrowed), NULL when absent. */
static inline struct json_object *jget(struct json_object *obj,
				       const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok && obj;
	     tok = strtok_r(NULL, "/", &save)) {
		if (json_object_is_type(obj, json_type_array))
			obj = json_object_array_get_idx(obj, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(obj, tok, &obj))
			obj = NULL;
	}
	return obj;
}

/* The string at @path (owned by @obj), NULL when absent. */
static inline const char *jstr(struct json_object *obj, const char *path)
{
	struct json_object *v = jget(obj, path);

	return v ? json_object_get_string(v) : NULL;
}

#endif
