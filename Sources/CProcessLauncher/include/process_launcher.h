#ifndef RAISEDASH_PROCESS_LAUNCHER_H
#define RAISEDASH_PROCESS_LAUNCHER_H

#include <sys/types.h>

/// Standard stream sources for `raisedash_spawn`: a descriptor >= 3, or one of these.
#define RAISEDASH_STREAM_INHERIT (-1)
#define RAISEDASH_STREAM_NULL (-2)

/// Forks and executes `path` with `argv` and `envp` (NULL-terminated), in `directory` when not
/// NULL, with standard input, output and error taken from the given descriptors (or
/// RAISEDASH_STREAM_INHERIT / RAISEDASH_STREAM_NULL).
///
/// In the child, before exec: `death_signal` (when > 0) is set with prctl(PR_SET_PDEATHSIG),
/// so the child gets it when the *thread* that called this function ends (call it from a
/// thread that lives as long as the process); every descriptor above 2 is closed, so no pipe
/// of this process leaks into the child; signal dispositions and the signal mask are reset.
/// Between fork and exec the child calls only async-signal-safe functions.
///
/// Returns the child's pid, or -errno when fork, chdir or exec failed (the error of the exec
/// is reported back through a close-on-exec pipe, so a missing binary is an error here, not a
/// child that exits 127).
pid_t raisedash_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                      int stdin_fd, int stdout_fd, int stderr_fd, int death_signal);

/// pipe2(fds, O_CLOEXEC): both ends close on exec. Returns 0 or -errno.
int raisedash_pipe_cloexec(int fds[2]);

/// open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644). Returns the descriptor or -errno.
int raisedash_open_output_cloexec(const char *path);

#endif
