#include "CPUVariants.h"

int earmark_cpu_variant_chosen(void) {
    return earmark_cpu_variant();
}
