#include "CSupport.h"
#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>

/* prctl is variadic, which Swift cannot call: these two wrap it. */

void earmark_process_name(char name[16]) {
    memset(name, 0, 16);
    if (prctl(PR_GET_NAME, name, 0, 0, 0) != 0) name[0] = 0;
    name[15] = 0;
}

void earmark_set_process_name(const char *name) {
    prctl(PR_SET_NAME, name, 0, 0, 0);
}

int earmark_started_by_dynamic_loader(void) {
    /* AT_BASE is where the kernel loaded the program's interpreter (ld.so); 0 when the kernel ran
       ld.so itself as the program (`ld-linux-x86-64.so.2 ./train ...`), whose /proc/self/exe is
       the loader, not Earmark */
    return getauxval(AT_BASE) == 0;
}

int earmark_signal_is_ignored(int sig) {
    struct sigaction current;
    if (sigaction(sig, NULL, &current) != 0) return 0;
    return !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN;
}
