/* SPDX-License-Identifier: MIT */
/*
 * support.h - helpers shared by the Criterion tests.
 */
#ifndef MRFABRIC_TESTS_SUPPORT_H
#define MRFABRIC_TESTS_SUPPORT_H

#include <stddef.h>

/* Absolute path of @rel inside the source tree (e.g. "tests/data/x.json"). */
const char *t_source_path(char *buf, size_t len, const char *rel);
/* Absolute path of @rel inside the build tree. */
const char *t_binary_path(char *buf, size_t len, const char *rel);

#endif
