// Process hardening calls that Swift's Glibc module does not expose (sys/prctl.h).
#ifndef POLYPIPE_CPROCESS_H
#define POLYPIPE_CPROCESS_H

/// prctl(PR_SET_DUMPABLE, 0): no core dump, no ptrace attach by the same user. 0 on success.
int polypipe_set_nondumpable(void);

/// prctl(PR_GET_DUMPABLE): 1 when the process is dumpable, 0 when not, -1 on error.
int polypipe_get_dumpable(void);

/// prctl(PR_SET_NAME): the calling thread's name as the kernel shows it (ps -L, top -H,
/// /proc/self/task/*/comm), cut to 15 bytes. 0 on success.
int polypipe_set_thread_name(const char *name);

/// sched_setaffinity(0, …): the calling thread, and threads it starts afterwards, run on `cpu`
/// only. 0 on success, -errno on error.
int polypipe_pin_to_cpu(int cpu);

#include <sys/types.h>

/// Starts `path` as a child: fork, then in the child (async-signal-safe calls only) its own
/// process group, the common signals back to their default action and an empty signal mask,
/// `parent_death_signal` delivered to it when the spawning thread dies (0: none; the child
/// exits at once if the parent is already gone), stdin from /dev/null, stdout and stderr onto
/// the given descriptors, every other descriptor closed, then execve with exactly `argv` and
/// `envp`.
/// Returns the child's pid, or -errno when fork fails (an exec failure is exit status 127).
pid_t polypipe_spawn(const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
                     int parent_death_signal);

#endif
