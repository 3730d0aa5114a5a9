#include "CSupport.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void earmark_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
void earmark_flush_stdout(void) { fflush(stdout); }

static int closed_at_start = 0;

/* Runs before main (after the shared libraries' own initialisers): the dynamic loader and the
   libraries use the lowest free descriptors while they start, so by the time Swift code runs a closed
   descriptor 0 or 1 may have been taken, or freed again, by some other file. */
__attribute__((constructor)) static void reopen_at_load(void) {
    closed_at_start = earmark_reopen_closed_standard_descriptors();
}

int earmark_standard_descriptors_closed_at_start(void) { return closed_at_start; }

void earmark_close_descriptors_closed_at_start(void) {
    for (int fd = 0; fd <= 2; fd++)
        if (closed_at_start & (1 << fd)) close(fd);
}

int earmark_reopen_closed_standard_descriptors(void) {
    int closed = 0;
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        // open gives the lowest free descriptor: fd itself, as the lower ones are open by now. A closed
        // standard output takes /dev/full, where every write fails: what the command writes there is
        // reported at exit, and a command that writes nothing to it (a usage error) keeps its status
        int opened = fd == 0 ? open("/dev/null", O_RDONLY) : open(fd == 1 ? "/dev/full" : "/dev/null", O_WRONLY);
        if (opened < 0 && fd == 1) opened = open("/dev/null", O_WRONLY);
        if (opened != fd && opened >= 0) close(opened);
        closed |= 1 << fd;
    }
    return closed;
}

static volatile int output_failure = 0;   /* an errno */

void earmark_note_output_failure(int error) {
    if (output_failure == 0) output_failure = error;
}

static void write_all(int fd, const char *text) {
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t n = write(fd, text, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n; left -= (size_t)n;
    }
}

static int status_on_output_failure = 1;

void earmark_exit_status_on_output_failure(int status) { status_on_output_failure = status; }

static void check_output_at_exit(void) {
    int flush_error = 0;
    if (fflush(stdout) != 0) flush_error = errno;
    if (output_failure == 0 && flush_error == 0 && !ferror(stdout)) return;
    int error = output_failure != 0 ? output_failure : flush_error;
    write_all(2, "error: standard output: ");
    if (closed_at_start & 2) write_all(2, "was closed when the command started: its output is lost\n");
    else {
        write_all(2, "cannot be written");
        if (error > 0) { write_all(2, " ("); write_all(2, strerror(error)); write_all(2, ")"); }
        write_all(2, ": output is missing\n");
    }
    _exit(status_on_output_failure);
}

// Registered once however often it is asked for: the executables' main and CLI.start both ask.
void earmark_check_output_at_exit(void) {
    static int registered = 0;
    if (registered) return;
    registered = 1;
    atexit(check_output_at_exit);
}
