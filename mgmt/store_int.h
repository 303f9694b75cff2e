/* SPDX-License-Identifier: MIT */
/*
 * store_int.h - what the store's other files (store_accounts.c) share
 * with store.c: the SQLite handle's statement cache and the transaction
 * of one call.  Nothing outside mgmt/store*.c includes this header.
 */
#ifndef MRFABRIC_MGMT_STORE_INT_H
#define MRFABRIC_MGMT_STORE_INT_H

#include <stdbool.h>

#include <sqlite3.h>

#include "fabric/fm.h"

struct mgmt_store;

/* Slots of the extension statement cache; each file owns a range. */
#define MGMT_STORE_EXT_STMTS 32

/*
 * The cached statement in @slot, prepared from @sql on first use (a
 * slot always holds the same text).  NULL with @err filled on failure.
 * The statement belongs to the store: reset it after use, never
 * finalize it.
 */
sqlite3_stmt *mgmt_store_ext_stmt(struct mgmt_store *st, unsigned slot,
				  const char *sql, struct fm_err *err);
/*
 * Open and close the transaction of one call (a savepoint inside a
 * caller's mgmt_store_txn_begin() group), as store.c's own calls do:
 * _end() commits durably when @ret is 0, else undoes the call, and
 * returns the call's final result.
 */
int mgmt_store_ext_begin(struct mgmt_store *st, bool write, struct fm_err *err);
int mgmt_store_ext_end(struct mgmt_store *st, int ret, struct fm_err *err);
/*
 * Step @s once: 1 for a row, 0 when done, or a negative code recorded
 * in @err as the failure of @what.
 */
int mgmt_store_ext_step(struct mgmt_store *st, sqlite3_stmt *s,
			const char *what, struct fm_err *err);
/* Make cached statement @s ready for its next use (NULL is fine). */
void mgmt_store_ext_put(sqlite3_stmt *s);
/* Record SQLite failure @rc of step @what in @err, naming the file. */
int mgmt_store_ext_fail(struct mgmt_store *st, struct fm_err *err, int rc,
			const char *what);
/* The store's SQLite connection and file name (store_ckpt.c). */
sqlite3 *mgmt_store_ext_db(struct mgmt_store *st);
const char *mgmt_store_ext_path(const struct mgmt_store *st);

#endif
