#include "CPUVariants.h"
#include <stdint.h>
#include <string.h>

// exp, sigmoid and tanh over a buffer, and the LSTM cell: the recurrent layers' gate activations,
// ~20% of LSTM inference when Swift ran them. Swift compiled those loops to 8-lane AVX2 code without
// FMA (Swift never contracts a * b + c). Here they get 16-lane AVX-512 code with FMA, AVX2 code with
// FMA (Haswell and later, AMD's Zen) and baseline code, the version chosen by the CPU's features at
// load time (CPUVariants.h), in every build (Package.swift compiles this target with -O2).
// The exp is Tensor/FastMath.swift's (Cephes' polynomial after a Cody-Waite reduction, no branches).
// FastMathTests and LSTMTests bound the results against Double precision.
#pragma STDC FP_CONTRACT ON

static inline __attribute__((always_inline)) float float_from_bits(int32_t bits) {
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static inline __attribute__((always_inline)) int32_t bits_of_float(float value) {
    int32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

// e^x with x clamped to [-87, 87], so the result and 1 / (1 + e^x) stay normal; NaN stays NaN
// (the comparisons are written so that a NaN fails them and passes through).
static inline __attribute__((always_inline)) float clamped_exp(float x) {
    x = (-87.0f > x) ? -87.0f : x;
    x = (x > 87.0f) ? 87.0f : x;
    // n = round(x / ln 2) by the 1.5 * 2^23 trick: the low bits of t hold n as an integer
    float t = x * 1.44269504f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = (x - n * 0.693359375f) + n * 2.1219444e-4f;     // x - n ln 2 in two parts
    float p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 1.66666555e-1f;
    p = p * r + 5.00000012e-1f;
    float e = p * r * r + r + 1.0f;
    // 2^n: exponent field n + 127, from t's bits (0x4B400000 + n) without a conversion
    return e * float_from_bits((int32_t)((uint32_t)(bits_of_float(t) - 0x4B3FFF81) << 23));
}

// 1 / (1 + e^-x)
static inline __attribute__((always_inline)) float sigmoid_of(float x) {
    return 1.0f / (1.0f + clamped_exp(-x));
}

// tanh x = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|})
static inline __attribute__((always_inline)) float tanh_of(float x) {
    float e = clamped_exp(-2.0f * __builtin_fabsf(x));
    float v = (1.0f - e) / (1.0f + e);
    return x < 0.0f ? -v : v;
}

static inline __attribute__((always_inline)) void exp_in_place(float *y, long count) {
    for (long i = 0; i < count; i++) y[i] = clamped_exp(y[i]);
}
EARMARK_CPU_VARIANTS(void, earmark_exp_in_place, (float *y, long count), exp_in_place(y, count))

static inline __attribute__((always_inline)) void sigmoid_in_place(float *y, long count) {
    for (long i = 0; i < count; i++) y[i] = sigmoid_of(y[i]);
}
EARMARK_CPU_VARIANTS(void, earmark_sigmoid_in_place, (float *y, long count), sigmoid_in_place(y, count))

static inline __attribute__((always_inline)) void tanh_in_place(float *y, long count) {
    for (long i = 0; i < count; i++) y[i] = tanh_of(y[i]);
}
EARMARK_CPU_VARIANTS(void, earmark_tanh_in_place, (float *y, long count), tanh_in_place(y, count))

// One sequence's LSTM cell at one step with Keras's default activations (Layers' LSTM), the bias
// (4 x units: b_i, b_f, b_c, b_o) added here rather than in a pass of its own:
//   i, f, o = sigmoid(z_i + b_i, z_f + b_f, z_o + b_o), g = tanh(z_c + b_c),
//   c = f * c_old + i * g (c = i * g when c_old is NULL: the first step), c_act = tanh(c), h = o * c_act.
// Two passes over the units, the gates and then the cell: each iteration is short enough for the
// core to overlap several (one pass doing both was 14% slower, a latency chain exp -> divide -> c ->
// exp -> divide per iteration). The activated gates are written back over z (backpropagation reads
// them). Every pointer is its own block of `units` floats; none may overlap another.
static inline __attribute__((always_inline))
void lstm_cell(float *restrict gate_i, float *restrict gate_f, float *restrict gate_c,
               float *restrict gate_o, const float *restrict bias, const float *restrict c_old,
               float *restrict c, float *restrict c_act, float *restrict h, long units) {
    for (long j = 0; j < units; j++) {
        gate_i[j] = sigmoid_of(gate_i[j] + bias[j]);
        gate_f[j] = sigmoid_of(gate_f[j] + bias[units + j]);
        gate_c[j] = tanh_of(gate_c[j] + bias[2 * units + j]);
        gate_o[j] = sigmoid_of(gate_o[j] + bias[3 * units + j]);
    }
    // Two loops rather than one with `c_old ? ... : ...` inside: clang does not unswitch that test but
    // if-converts it, loading f, c_old, i and g under masks (vmaskmovps) for both arms and blending
    // them, which doubles the loads and, at the first step, reads through the NULL c_old under an
    // all-zero mask. LSTMTests pins both loops (a first step and a later one) against Double precision.
    if (c_old) {
        for (long j = 0; j < units; j++) {
            float cj = gate_f[j] * c_old[j] + gate_i[j] * gate_c[j];
            float a = tanh_of(cj);
            c[j] = cj;
            c_act[j] = a;
            h[j] = gate_o[j] * a;
        }
    } else {
        for (long j = 0; j < units; j++) {
            float cj = gate_i[j] * gate_c[j];
            float a = tanh_of(cj);
            c[j] = cj;
            c_act[j] = a;
            h[j] = gate_o[j] * a;
        }
    }
}
EARMARK_CPU_VARIANTS(void, earmark_lstm_cell,
                     (float *restrict gate_i, float *restrict gate_f, float *restrict gate_c,
                      float *restrict gate_o, const float *restrict bias, const float *restrict c_old,
                      float *restrict c, float *restrict c_act, float *restrict h, long units),
                     lstm_cell(gate_i, gate_f, gate_c, gate_o, bias, c_old, c, c_act, h, units))

// `lstm_cell` at inference, where backward reads nothing: the same formulas with 3 divisions per
// unit instead of 5. With e_x = e^-x, sigmoid(x) = 1 / (1 + e_x) and tanh(x) = sign(x) (1 - e_2|x|) /
// (1 + e_2|x|), so
//   i * g      = sign(z_c) (1 - e_g) / ((1 + e_i) (1 + e_g))         one division, not two
//   f * c_old  = c_old / (1 + e_f)                                   one, as before
//   o * tanh c = sign(c) (1 - e_c) / ((1 + e_o) (1 + e_c))           one, not two
// The denominators cannot overflow: e_g, e_c <= 1 (their exponents are -2|x|) and clamped_exp stays
// below 6.1e37, so each product is below 1.3e38. Nothing but c and h is written: c is this
// sequence's cell state, read as c_old and overwritten with c_t (`first`: c_old = 0, c not read).
static inline __attribute__((always_inline))
void lstm_cell_inference_loop(const float *restrict z, const float *restrict bias, float *restrict c,
                              float *restrict h, long units, const int first) {
    const float *zi = z, *zf = z + units, *zg = z + 2 * units, *zo = z + 3 * units;
    const float *bi = bias, *bf = bias + units, *bg = bias + 2 * units, *bo = bias + 3 * units;
    // two passes, as in lstm_cell: the gates and c (1 + e_o parked in h), then tanh(c) and h
    for (long j = 0; j < units; j++) {
        float ei = clamped_exp(-(zi[j] + bi[j]));
        float xg = zg[j] + bg[j];
        float eg = clamped_exp(-2.0f * __builtin_fabsf(xg));
        float ig = (1.0f - eg) / ((1.0f + ei) * (1.0f + eg));
        float cj = xg < 0.0f ? -ig : ig;
        if (!first) cj += c[j] / (1.0f + clamped_exp(-(zf[j] + bf[j])));
        c[j] = cj;
        h[j] = 1.0f + clamped_exp(-(zo[j] + bo[j]));
    }
    for (long j = 0; j < units; j++) {
        float cj = c[j];
        float ec = clamped_exp(-2.0f * __builtin_fabsf(cj));
        float hj = (1.0f - ec) / (h[j] * (1.0f + ec));
        h[j] = cj < 0.0f ? -hj : hj;
    }
}

// `first` is a constant in each call below, so each loop is compiled without the test.
static inline __attribute__((always_inline))
void lstm_cell_inference(const float *restrict z, const float *restrict bias, float *restrict c, int first,
                         float *restrict h, long units) {
    if (first) lstm_cell_inference_loop(z, bias, c, h, units, 1);
    else lstm_cell_inference_loop(z, bias, c, h, units, 0);
}
EARMARK_CPU_VARIANTS(void, earmark_lstm_cell_inference,
                     (const float *restrict z, const float *restrict bias, float *restrict c, int first,
                      float *restrict h, long units),
                     lstm_cell_inference(z, bias, c, first, h, units))

// The backward of `lstm_cell` for one sequence at one step: from dh (the gradient of h) and dc (the
// gradient of c carried from the step after), through h = o * c_act, c_act = tanh(c),
// c = f * c_old + i * g and the activations, the gradients of the gates' pre-activations:
//   d_o = dh * c_act * o (1 - o)                     dc' = dc + dh * o * (1 - c_act^2)
//   d_i = dc' * g * i (1 - i)    d_f = dc' * c_old * f (1 - f)    d_g = dc' * i * (1 - g^2)
// and dc = dc' * f for the step before (the first step, c_old NULL: d_f = 0 and dc is left alone).
// The same operations as Layers' Swift path (`LSTM.gateGradients`), in one pass over the units instead
// of seven; FMA contraction may round 1 - y^2 differently from it. Two loops for the two cases, for
// the reason `lstm_cell` gives.
static inline __attribute__((always_inline))
void lstm_cell_backward(const float *restrict gate_i, const float *restrict gate_f, const float *restrict gate_c,
                        const float *restrict gate_o, const float *restrict c_act, const float *restrict c_old,
                        const float *restrict dh, float *restrict dc, float *restrict d_i, float *restrict d_f,
                        float *restrict d_c, float *restrict d_o, long units) {
    if (c_old) {
        for (long j = 0; j < units; j++) {
            float i = gate_i[j], f = gate_f[j], g = gate_c[j], o = gate_o[j], a = c_act[j];
            float dcj = dc[j] + dh[j] * o * (1.0f - a * a);
            d_o[j] = dh[j] * a * o * (1.0f - o);
            d_i[j] = dcj * g * i * (1.0f - i);
            d_f[j] = dcj * c_old[j] * f * (1.0f - f);
            d_c[j] = dcj * i * (1.0f - g * g);
            dc[j] = dcj * f;
        }
    } else {
        for (long j = 0; j < units; j++) {
            float i = gate_i[j], g = gate_c[j], o = gate_o[j], a = c_act[j];
            float dcj = dc[j] + dh[j] * o * (1.0f - a * a);
            d_o[j] = dh[j] * a * o * (1.0f - o);
            d_i[j] = dcj * g * i * (1.0f - i);
            d_f[j] = 0.0f;
            d_c[j] = dcj * i * (1.0f - g * g);
        }
    }
}
EARMARK_CPU_VARIANTS(void, earmark_lstm_cell_backward,
                     (const float *restrict gate_i, const float *restrict gate_f, const float *restrict gate_c,
                      const float *restrict gate_o, const float *restrict c_act, const float *restrict c_old,
                      const float *restrict dh, float *restrict dc, float *restrict d_i, float *restrict d_f,
                      float *restrict d_c, float *restrict d_o, long units),
                     lstm_cell_backward(gate_i, gate_f, gate_c, gate_o, c_act, c_old, dh, dc, d_i, d_f, d_c, d_o, units))
