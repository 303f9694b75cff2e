/* SPDX-License-Identifier: MIT */
#include "tests/support/support.h"

#include <stdio.h>

const char *t_source_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", MRFABRIC_SOURCE_DIR, rel);
	return buf;
}

const char *t_binary_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", MRFABRIC_BINARY_DIR, rel);
	return buf;
}
