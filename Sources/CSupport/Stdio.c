#include "CSupport.h"
#include <stdio.h>

void earmark_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
void earmark_flush_stdout(void) { fflush(stdout); }
