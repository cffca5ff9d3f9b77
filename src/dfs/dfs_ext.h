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

#endif /* DFS_EXT_H */
