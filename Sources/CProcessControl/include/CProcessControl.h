#ifndef AUTOTRAINESS_CPROCESSCONTROL_H
#define AUTOTRAINESS_CPROCESSCONTROL_H

/// Sets whether this process is dumpable (Linux `prctl(PR_SET_DUMPABLE)`); the /proc/<pid>/environ and memory of a
/// non-dumpable process cannot be read by other unprivileged processes of the same user. Returns 0 on success, -1
/// where unsupported or on failure.
int autotrainess_set_dumpable(int dumpable);

/// Moves the value of the environment variable `name` out of the environment block the process started with: the
/// variable keeps its value (in a heap copy, through setenv), and the original bytes, which /proc/<pid>/environ
/// shows to any process allowed to read it (root included), are overwritten with '*'. Returns 1 when the value was
/// hidden, 0 when there was nothing to hide (unset, or not in the original block), -1 on failure.
int autotrainess_hide_environment_value(const char *name);

#endif
