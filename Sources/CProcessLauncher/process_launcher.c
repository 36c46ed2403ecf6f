#define _GNU_SOURCE
#include "process_launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/// Closes every descriptor >= `from` except `keep`. Async-signal-safe.
static void close_descriptors_from(int from, int keep) {
    if (keep >= from) {
        if (keep > from && syscall(SYS_close_range, (unsigned)from, (unsigned)(keep - 1), 0) != 0) {
            for (int fd = from; fd < keep; fd++) close(fd);
        }
        from = keep + 1;
    }
    if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0) return;
    long limit = sysconf(_SC_OPEN_MAX);
    if (limit < 0 || limit > 1048576) limit = 1048576;
    for (int fd = from; fd < limit; fd++) close(fd);
}

static int redirect(int source, int target) {
    if (source == RAISEDASH_STREAM_INHERIT) return 0;
    if (source == RAISEDASH_STREAM_NULL) {
        int fd = open("/dev/null", target == STDIN_FILENO ? O_RDONLY : O_WRONLY);
        if (fd < 0) return -1;
        if (fd != target) {
            if (dup2(fd, target) < 0) return -1;
            close(fd);
        }
        return 0;
    }
    // dup2 gives the copy no close-on-exec flag, which is what the child needs.
    return dup2(source, target) < 0 ? -1 : 0;
}

static void report_and_exit(int report) {
    int error = errno;
    ssize_t written;
    do { written = write(report, &error, sizeof error); } while (written < 0 && errno == EINTR);
    _exit(127);
}

pid_t raisedash_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                      int stdin_fd, int stdout_fd, int stderr_fd, int death_signal) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -errno;
    pid_t parent = getpid();

    // No signal handler of this process may run in the child between fork and exec.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = fork();
    if (pid == 0) {
        if (death_signal > 0) {
            if (prctl(PR_SET_PDEATHSIG, death_signal) != 0) report_and_exit(report[1]);
            // The parent may have died before prctl: then nobody would send the signal.
            if (getppid() != parent) _exit(127);
        }
        struct sigaction initial;
        memset(&initial, 0, sizeof initial);
        initial.sa_handler = SIG_DFL;
        for (int signal = 1; signal < NSIG; signal++) {
            if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &initial, NULL);
        }
        if (redirect(stdin_fd, STDIN_FILENO) != 0) report_and_exit(report[1]);
        if (redirect(stdout_fd, STDOUT_FILENO) != 0) report_and_exit(report[1]);
        if (redirect(stderr_fd, STDERR_FILENO) != 0) report_and_exit(report[1]);
        close_descriptors_from(3, report[1]);
        if (directory != NULL && chdir(directory) != 0) report_and_exit(report[1]);
        sigset_t none;
        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp);
        report_and_exit(report[1]);
    }
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        return -fork_error;
    }
    int child_error = 0;
    ssize_t count;
    do { count = read(report[0], &child_error, sizeof child_error); } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count == (ssize_t)sizeof child_error) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return -(child_error != 0 ? child_error : ECHILD);
    }
    return pid;
}

int raisedash_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno;
}

int raisedash_open_output_cloexec(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return fd >= 0 ? fd : -errno;
}
