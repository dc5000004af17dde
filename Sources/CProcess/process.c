#define _GNU_SOURCE
#include "CProcess.h"
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int polypipe_set_nondumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int polypipe_get_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

int polypipe_pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : -errno;
}

pid_t polypipe_spawn(const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
                     int parent_death_signal) {
    static const int defaults[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2};
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid > 0) {
        setpgid(pid, pid);  /* also here, so the group exists before the parent signals it */
        return pid;
    }
    /* The child: only async-signal-safe calls until execve. */
    setpgid(0, 0);
    struct sigaction action;
    action.sa_handler = SIG_DFL;
    action.sa_flags = 0;
    sigemptyset(&action.sa_mask);
    for (unsigned i = 0; i < sizeof defaults / sizeof defaults[0]; i++) sigaction(defaults[i], &action, 0);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, 0);
    if (parent_death_signal != 0) {
        if (prctl(PR_SET_PDEATHSIG, parent_death_signal, 0, 0, 0) != 0) _exit(127);
        if (getppid() != parent) _exit(127);  /* the parent died before the request took effect */
    }
    int null = open("/dev/null", O_RDONLY);
    if (null < 0) _exit(127);
    if (null != 0) {
        if (dup2(null, 0) < 0) _exit(127);
        close(null);
    }
    if (dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) _exit(127);
    /* Nothing else the parent had open: close_range (Linux 5.9), else one close per slot. */
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
        struct rlimit limit;
        long last = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? (long)limit.rlim_cur : 65536;
        for (long fd = 3; fd < last; fd++) close((int)fd);
    }
    execve(path, argv, envp);
    _exit(127);
}

int polypipe_set_thread_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}
