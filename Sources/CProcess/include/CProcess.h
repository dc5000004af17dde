// Process hardening calls that Swift's Glibc module does not expose (sys/prctl.h).
#ifndef POLYPIPE_CPROCESS_H
#define POLYPIPE_CPROCESS_H

/// prctl(PR_SET_DUMPABLE, 0): no core dump, no ptrace attach by the same user. 0 on success.
int polypipe_set_nondumpable(void);

/// prctl(PR_GET_DUMPABLE): 1 when the process is dumpable, 0 when not, -1 on error.
int polypipe_get_dumpable(void);

#endif
