/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dfs_ext.h - what our libdfs offers beyond DAOS's daos_fs.h, for dfuse and the
 * interception libraries of this tree (not installed; applications use daos_fs.h).
 */
#ifndef DFS_EXT_H
#define DFS_EXT_H

#include <daos_fs.h>

/*
 * Remove entry @name of directory @parent as dfs_remove(dfs, parent, name, false, oid)
 * does, except that a regular file's object is left alone, for a caller that keeps it
 * while the file is open (POSIX's open-unlink) and punches it later with dfs_punch_oid().
 * The entry's object id and type go to *@oid and *@mode. Errors as dfs_remove's.
 */
int dfs_remove_keep(dfs_t *dfs, dfs_obj_t *parent, const char *name, daos_obj_id_t *oid,
		    mode_t *mode);

/*
 * dfs_move(), except that a regular file the rename replaces keeps its object, whose id
 * goes to *@oid for the caller to punch later (zero if no file was replaced: a replaced
 * empty directory or symbolic link is gone as with dfs_move()).
 */
int dfs_move_keep(dfs_t *dfs, dfs_obj_t *parent, const char *name, dfs_obj_t *new_parent,
		  const char *new_name, daos_obj_id_t *oid);

/* Punch object @oid of @dfs's container (its data or entries go back to the pool). */
int dfs_punch_oid(dfs_t *dfs, daos_obj_id_t oid);

/*
 * The "user.daos" xattr of directory @obj as it was when @obj was looked up (read in the
 * same round trip as the entry): what makes a directory a UNS entry point, e.g.
 * "DAOS.POSIX://POOL/CONT". Copied NUL-terminated into @buf; ENODATA if there was none
 * (or @obj is no directory), ERANGE if @len is too small.
 */
int dfs_obj_uns(dfs_obj_t *obj, char *buf, size_t len);

/*
 * The directory holding @obj's entry (*@parent, its object id) and the entry's name
 * (NUL-terminated into @name, ERANGE if @len is too small), as last looked up or moved.
 */
int dfs_obj_parent(dfs_obj_t *obj, daos_obj_id_t *parent, char *name, size_t len);

#endif /* DFS_EXT_H */
