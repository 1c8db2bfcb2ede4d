#include "CProcessControl.h"

#if defined(__linux__)
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

int autotrainess_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)(dumpable ? 1 : 0), 0UL, 0UL, 0UL);
}

/// The bounds of the environment block the process started with (fields 50 and 51 of /proc/self/stat).
static int environment_block(unsigned long *start, unsigned long *end) {
    FILE *file = fopen("/proc/self/stat", "r");
    if (!file) return -1;
    char buffer[4096];
    size_t length = fread(buffer, 1, sizeof(buffer) - 1, file);
    fclose(file);
    buffer[length] = '\0';
    char *cursor = strrchr(buffer, ')');
    if (!cursor) return -1;
    cursor += 1;
    // The field after the command name is field 3; env_start is field 50.
    for (int field = 3; field < 50; field++) {
        cursor = strchr(cursor + 1, ' ');
        if (!cursor) return -1;
    }
    return sscanf(cursor, " %lu %lu", start, end) == 2 ? 0 : -1;
}

int autotrainess_hide_environment_value(const char *name) {
    char *original = getenv(name);
    if (!original || *original == '\0') return 0;
    unsigned long start = 0, end = 0;
    if (environment_block(&start, &end) != 0) return -1;
    unsigned long address = (unsigned long)original;
    if (address < start || address >= end) return 0;
    char *copy = strdup(original);
    if (!copy) return -1;
    int status = setenv(name, copy, 1);
    free(copy);
    if (status != 0) return -1;
    if (getenv(name) == original) return -1;
    memset(original, '*', strlen(original));
    return 1;
}
#else
int autotrainess_set_dumpable(int dumpable) {
    (void)dumpable;
    return -1;
}

int autotrainess_hide_environment_value(const char *name) {
    (void)name;
    return -1;
}
#endif
