#include "logfs.h"

const struct logfs logfs_real = {
    .open_append = fs_open_append,
    .open_read = fs_open_read_nofollow,
    .append = fs_append,
    .sync = fs_sync,
    .size = fs_size,
    .truncate = fs_truncate,
    .rename = fs_rename,
    .rename_noreplace = fs_rename_noreplace,
    .path_state = fs_path_state,
    .replace = fs_replace,
    .remove = fs_remove,
    .mtime = fs_mtime,
    .mkdir_p = fs_mkdir_p,
    .list = fs_list,
};

const struct logfs *logfs = &logfs_real;
