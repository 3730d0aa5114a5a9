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

/// Opens /dev/null on each of descriptors 0, 1 and 2 that is closed, so that no file opened later
/// takes its number (a closed standard output made the lines land in whatever file was opened
/// next). Returns a bit mask of the descriptors that were closed (bit k: descriptor k).
int earmark_reopen_closed_standard_descriptors(void);

/// The mask `earmark_reopen_closed_standard_descriptors` returned when it ran at load time, before
/// main (a constructor of this library): which standard descriptors the process started without.
int earmark_standard_descriptors_closed_at_start(void);
/// Closes again the standard descriptors that were closed when the process started (and reopened
/// on /dev/null or /dev/full before main): before the process executes itself again, so that the new
/// image sees them closed, as they were given, and says so.
void earmark_close_descriptors_closed_at_start(void);

/// The process's name (`/proc/self/comm`, at most 15 bytes and a NUL), which `pgrep`, `killall` and
/// `ps -C` match: the executable's file name, unless set.
void earmark_process_name(char name[16]);

/// Sets the process's name (`prctl(PR_SET_NAME)`): after `execv("/proc/self/exe")` it is "exe".
void earmark_set_process_name(const char *name);

/// 1 when the process was started through the dynamic loader (`ld-linux-x86-64.so.2 ./train`), whose
/// /proc/self/exe is the loader: executing that again would run the loader with Earmark's arguments.
int earmark_started_by_dynamic_loader(void);

/// The status `earmark_check_output_at_exit` exits with after its line (1 unless set): a command
/// that ends with a status of its own (130, `train` stopped by a signal with its checkpoint written)
/// keeps it when its output was lost too.
void earmark_exit_status_on_output_failure(int status);

/// 1 when `sig` is ignored (SIG_IGN), as a caller may have left it: `trap '' INT`, or a shell's
/// background job, whose SIGINT is ignored.
int earmark_signal_is_ignored(int sig);

/// Notes that standard output could not take a write (`error` is its errno; -1: closed at start);
/// the first note is kept and reported at exit by `earmark_check_output_at_exit`.
void earmark_note_output_failure(int error);

/// At exit, flushes standard output; if that fails, or a failure was noted, writes one
/// `error: standard output: ...` line to standard error and exits with status 1 (coreutils'
/// close_stdout does the same: output that was lost is not a success).
void earmark_check_output_at_exit(void);

/// One Adam step (Keras form) on `count` elements; the four arrays must not overlap.
///
///     g = min(max(g, -clip_a), clip_a)               (clip_mode 1: Keras's clipvalue)
///     g = g * clip_a / clip_b                        (clip_mode 2: clipnorm a / max(norm, a), global scale / 1)
///     m += (g - m) * b1;  v += (g^2 - v) * b2
///     w -= w * weight_decay * learning_rate          (only when weight_decay is not 0; Keras's decay)
///     w -= alpha * m / (sqrt(v) + epsilon)
///     (b1 = 1 - beta1, b2 = 1 - beta2, alpha = the step's bias-corrected learning rate; clip_mode 0: g as is)
void earmark_adam_update(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                         long count, float alpha, float b1, float b2, float epsilon, float weight_decay,
                         float learning_rate, int clip_mode, float clip_a, float clip_b);

/// `earmark_adam_update` from g = g0 + g1 (g1 may be NULL: g = g0), leaving g0 and g1 zero. The sum is
/// rounded once, as adding the arrays first would, and clipped after; no two arrays may overlap.
void earmark_adam_update_consuming(float *restrict w, float *restrict g0, float *restrict g1, float *restrict m,
                                   float *restrict v, long count, float alpha, float b1, float b2, float epsilon,
                                   float weight_decay, float learning_rate, int clip_mode, float clip_a,
                                   float clip_b);

/// Keras 3's RMSprop update of `count` elements (m NULL: no momentum; a NULL: not centred):
///     w -= w * weight_decay * learning_rate          (only when weight_decay is not 0)
///     v = rho v + (1 - rho) g^2;  d = v + epsilon, or centred: a = rho a + (1 - rho) g, d = v - a^2 + epsilon
///     increment = learning_rate g / sqrt(d);  w -= increment, or with momentum m = momentum m + increment, w -= m
void earmark_rmsprop_update(float *restrict w, const float *restrict g, float *restrict v, float *restrict m,
                            float *restrict a, long count, float learning_rate, float rho, float momentum,
                            float epsilon, float weight_decay);

/// Keras 3's Nadam update of `count` elements, given the step's scalars (Layers' `Nadam` computes them):
///     w -= w * weight_decay * learning_rate          (only when weight_decay is not 0)
///     m += (g - m) (1 - beta_1);  v += (g^2 - v) (1 - beta_2)
///     m_hat = u_next m / denominator_next + one_minus_u g / denominator;  v_hat = v / bias_2
///     w -= m_hat learning_rate / (sqrt(v_hat) + epsilon)
void earmark_nadam_update(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                          long count, float learning_rate, float beta_1, float beta_2, float epsilon,
                          float weight_decay, float u_next, float denominator_next, float one_minus_u,
                          float denominator, float bias_2);

/// Sum over j < count of (g[0][j] + ... + g[replicas - 1][j])^2: the replicas' gradients added in float
/// in order, each square added in double into one of 16 lanes (j % 16), the lanes added pairwise. The
/// clipping by norm of Layers' GradientClipping and of the training engine's fused update.
double earmark_sum_of_squares(const float *const *g, int replicas, long count);

/// Batch normalization over x (rows, c) (Layers' BatchNormalization), each loop vectorised over the
/// channels with every channel's sum in row order, so the results are those of the scalar loops:
/// per-channel sums of x and of (x - mean)^2 in double, then mean = sum / rows, variance = squares / rows.
void earmark_channel_moments(const float *restrict x, long rows, long c, double *restrict sums,
                             double *restrict squares, float *restrict mean, float *restrict variance);
/// normalized = (x - mean) * inv_std, y = gamma * normalized + beta, per channel.
void earmark_normalize_channels(const float *restrict x, long rows, long c, const float *restrict mean,
                                const float *restrict inv_std, const float *restrict gamma,
                                const float *restrict beta, float *restrict normalized, float *restrict y);
/// y = x * scale + shift, per channel: a normalization with its statistics folded into one affine map.
void earmark_scale_channels(const float *restrict x, long rows, long c, const float *restrict scale,
                            const float *restrict shift, float *restrict y);
/// Per-channel sums of dy and of dy * normalized (the float product) in double, from zero.
void earmark_channel_gradient_sums(const float *restrict dy, const float *restrict normalized, long rows, long c,
                                   double *restrict sums, double *restrict products);
/// dx = gain * (dy - mean_dy - normalized * mean_dy_xhat), per channel.
void earmark_normalization_input_gradient(const float *restrict dy, const float *restrict normalized, long rows,
                                          long c, const float *restrict gain, const float *restrict mean_dy,
                                          const float *restrict mean_dy_xhat, float *restrict dx);

/// The sweep of a window over an NHWC image (Tensor's WindowGeometry): input height, width and
/// channels, kernel, strides, the padding rows and columns before the image, the output size.
typedef struct {
    long height, width, channels, kernel_height, kernel_width, stride_height, stride_width, pad_top, pad_left,
        out_height, out_width;
} earmark_window;

/// A depthwise convolution with depth multiplier 1 (Tensor's DepthwiseConvolution, the same loops in
/// the same order, vectorised over the channels): y (batch, OH, OW, C) = bias (or 0 when NULL) + the
/// taps inside the image of x (batch, H, W, C) times kernel (KH*KW, C).
void earmark_depthwise_forward(const float *restrict x, const float *restrict kernel, const float *restrict bias,
                               long batch, const earmark_window *g, float *restrict y);
/// kernel_gradient (KH*KW, C) += the sums over pixels of x (the tap's input pixel) * dz (the output pixel).
void earmark_depthwise_kernel_gradient(const float *restrict x, const float *restrict dz, long batch,
                                       const earmark_window *g, float *restrict kernel_gradient);
/// dx (batch, H, W, C) = every output pixel's dz sent back through each tap, times the tap's kernel.
void earmark_depthwise_input_gradient(const float *restrict dz, const float *restrict kernel, long batch,
                                      const earmark_window *g, float *restrict dx);

/// A dropout mask and its product with x over `count` elements: mask[i] is `scale` when the i-th
/// SplitMix64 draw from `key` (its top 24 bits as a uniform in [0, 1)) is below `keep`, else 0;
/// y[i] = x[i] * mask[i]. The draws depend on key and i only (vectorised).
void earmark_dropout_mask(float *restrict mask, float *restrict y, const float *restrict x, long count,
                          unsigned long long key, float keep, float scale);

/// The versions of FastMath.c's and FMAPeak.c's functions (CPUVariants.h): each is compiled for
/// AVX-512, for AVX2 with FMA and for the x86-64 baseline, and this CPU runs the one
/// `earmark_cpu_variant_chosen()` names, chosen by its features when the program is loaded.
enum {
    EARMARK_VARIANT_BASELINE = 0,
    EARMARK_VARIANT_AVX2_FMA = 1,
    EARMARK_VARIANT_AVX512 = 2,
};

/// Which version (EARMARK_VARIANT_*) of the CPU-specific functions this CPU runs.
int earmark_cpu_variant_chosen(void);

/// y = e^y in place (n elements), inputs clamped to [-87, 87]; within 3 ulp of exp.
void earmark_exp_in_place(float *y, long count);

/// y = 1 / (1 + e^-y) in place; within 2e-7 absolute, never subnormal.
void earmark_sigmoid_in_place(float *y, long count);

/// y = tanh(y) in place; within 2e-7 absolute.
void earmark_tanh_in_place(float *y, long count);

/// One sequence's LSTM cell at one step with tanh and sigmoid (Keras's defaults): the gates i, f, c, o
/// (each `units` floats, x W + h R in, activated out) plus `bias` (4 x units, the gates' order), then
/// c = f * c_old + i * g (i * g when `c_old` is NULL), c_act = tanh(c), h = o * c_act.
/// No two of the blocks written may overlap each other or a block read.
void earmark_lstm_cell(float *restrict gate_i, float *restrict gate_f, float *restrict gate_c,
                       float *restrict gate_o, const float *restrict bias, const float *restrict c_old,
                       float *restrict c, float *restrict c_act, float *restrict h, long units);

/// `earmark_lstm_cell` at inference (nothing kept for backward; 3 divisions per unit instead of 5): the
/// gate pre-activations z (4 x units: i, f, c, o, x W + h R, read only) plus `bias`, then
/// c = f * c + i * g (i * g when `first`; c not read then) and h = o * tanh(c). c and h must not overlap
/// each other or z.
void earmark_lstm_cell_inference(const float *restrict z, const float *restrict bias, float *restrict c,
                                 int first, float *restrict h, long units);

/// The backward of `earmark_lstm_cell` for one sequence at one step: from the activated gates i, f, g, o
/// and c_act = tanh(c) its forward left, c_old (NULL at the first step), dh (the gradient of h) and dc
/// (the gradient of c from the step after, replaced by the one for the step before; left alone at the
/// first step), the gradients d_i, d_f, d_c, d_o of the gates' pre-activations (d_f 0 at the first
/// step). Every block is `units` floats; no block written may overlap another block.
void earmark_lstm_cell_backward(const float *restrict gate_i, const float *restrict gate_f,
                                const float *restrict gate_c, const float *restrict gate_o,
                                const float *restrict c_act, const float *restrict c_old, const float *restrict dh,
                                float *restrict dc, float *restrict d_i, float *restrict d_f, float *restrict d_c,
                                float *restrict d_o, long units);

/// y[i] = log(x[i]) for doubles (x and y may be the same array): glibc's libmvec on AVX-512 or AVX2
/// (within 4 ulp of the correctly rounded result), libm's log otherwise. Same value for the same x
/// wherever it sits in the array.
void earmark_log_f64(const double *x, double *y, long count);

/// The version `earmark_log_f64` runs on this CPU: 2 AVX-512, 1 AVX2, 0 libm's log.
int earmark_log_f64_level(void);

/// `earmark_log_f64` by the version `level` (lowered to what the CPU has), for tests.
void earmark_log_f64_at(int level, const double *x, double *y, long count);

/// Runs `rounds` rounds of 12 independent fused multiply-adds held in registers, each as wide as the
/// version's registers (the version for this CPU: AVX-512, 16 floats; AVX2 with FMA or baseline,
/// 8 floats), and returns the floating-point operations done (rounds x 384 or rounds x 192). Timed by the caller, it is the thread's FMA peak: what no
/// product can exceed. `sink` receives a sum of the results, so the work cannot be optimised away.
long earmark_fma_peak(long rounds, float *sink);
