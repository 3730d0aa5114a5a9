#pragma once

/// Sets flush-to-zero and denormals-are-zero (MXCSR FTZ and DAZ) for the calling thread.
/// Training these networks produces subnormal floats, which are 10-100x slower on x86.
/// Returns the previous MXCSR value so that callers can restore it.
unsigned int earmark_enable_flush_to_zero(void);

/// Restores an MXCSR value returned by earmark_enable_flush_to_zero.
void earmark_restore_float_env(unsigned int mxcsr);

/// Makes standard output line-buffered, so that progress lines, prints and warnings keep their
/// order when output goes to a pipe or a log file.
void earmark_line_buffer_stdout(void);

/// Flushes standard output (after a progress line redrawn without a newline).
void earmark_flush_stdout(void);
