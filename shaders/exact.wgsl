// Exact arithmetic plans (plan::separable) on packed 8- and 16-bit storage: the framework's own
// fixed-point and float rules, the same integer and float operations as cpu::separable.
//
// One invocation writes one 32-bit output word: four u8 elements, two u16 elements (memory
// order). Each element is computed directly from the input: the second pass's taps each
// evaluate the first pass (its taps, its rule and its rounding) at that source row or column,
// so the intermediate is never stored and the whole resize is one dispatch ("fused", stage 0).
//
// Wide windows (Pillow's antialiased shrinks read hundreds of taps per pass) would make that
// taps × taps per element, past what some drivers run per invocation (llvmpipe stops every loop
// after 65535 iterations in all). Those plans run in two dispatches: stage 1 writes the first
// pass's values (exactly what it stores: an integer as a 64-bit pair, or float32 bits) to an
// intermediate buffer bound as `dst`, one invocation per value; stage 2 binds that buffer as
// `src` and runs the second pass over it.
//
// Integers: i32 where the plan's bounds allow ("narrow"), else a 64-bit two's-complement pair of
// u32 words ("wide"; 16-bit INTER_LINEAR_EXACT reaches 2^48). Floats: f32 with each product and
// sum rounded on its own; `unfused` keeps a product from being contracted into a fused
// multiply-add with the following sum.
//
// Parameters are a flat u32 array (`P_*` offsets); tap tables are one u32 array.

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;
@group(0) @binding(3) var<storage, read> tables: array<u32>;

// Geometry and plan-wide settings.
const P_N: u32 = 0u;
const P_C: u32 = 1u;
const P_IN_H: u32 = 2u;
const P_IN_W: u32 = 3u;
const P_OUT_H: u32 = 4u;
const P_OUT_W: u32 = 5u;
const P_NHWC: u32 = 6u;          // 1: NHWC, 0: NCHW
const P_IN_BITS: u32 = 7u;       // 8 or 16
const P_OUT_BITS: u32 = 8u;      // 8 or 16
const P_KIND: u32 = 9u;          // 0: separable, 1: block average
const P_PASSES: u32 = 10u;       // 0, 1 or 2
const P_ALPHA: u32 = 11u;        // 1: Pillow's premultiplied alpha
const P_WIDE: u32 = 12u;         // 1: 64-bit integer accumulators
const P_TOTAL: u32 = 13u;        // output elements of this dispatch
const P_WORDS: u32 = 15u;        // output words of this dispatch
// Block average.
const P_FY: u32 = 16u;
const P_FX: u32 = 17u;
const P_BLOCK_RULE: u32 = 18u;   // 0: 2x2 shift, 1: int sum × 1/area, 2: float sum by four × 1/area
const P_FLOAT_PARTIAL: u32 = 19u;
// Frames (preprocessing): the input is an 8-bit frame read byte by byte.
const P_FRAME: u32 = 20u;        // 1: the input is a frame
const P_BPP: u32 = 21u;          // bytes per pixel
const P_STRIDE: u32 = 22u;       // bytes per row
const P_SRC_BASE: u32 = 23u;     // byte address of the first pixel in the bound words
const P_SEL: u32 = 24u;          // 4 words: byte offset of channel c in a pixel, or LUMA
const P_RGB: u32 = 28u;          // 3 words: red, green, blue offsets for LUMA
// Float output through per-channel tables (preprocessing): element i of the output is
// tables[P_LUT_OFFSET + c·256 + value], one f32 per output word.
const P_OUT_LUT: u32 = 31u;
const P_LUT_OFFSET: u32 = 32u;
const P_DST_BASE: u32 = 33u;     // first output word of the bound destination
const LUMA: u32 = 0xffffffffu;
// Two-stage plans.
const P_STAGE: u32 = 36u;        // 0: fused, 1: first pass into the intermediate, 2: second pass
const P_MID_H: u32 = 37u;        // the intermediate's height and width
const P_MID_W: u32 = 38u;
// Passes start at P_PASS0, PASS_STRIDE words each.
const P_PASS0: u32 = 40u;
const PASS_STRIDE: u32 = 32u;
// Within a pass.
const Q_AXIS: u32 = 0u;          // 0: height, 1: width
const Q_IN_LEN: u32 = 1u;
const Q_OUT_LEN: u32 = 2u;
const Q_WIDTH: u32 = 3u;
const Q_COUNTS: u32 = 4u;        // offset of the counts in `tables`
const Q_INDICES: u32 = 5u;
const Q_COEFS: u32 = 6u;
const Q_FLOAT_COEFS: u32 = 7u;
const Q_SPLIT: u32 = 8u;         // row position where the tail rule starts (u32 max: none)
const Q_BODY: u32 = 10u;         // rule, RULE_STRIDE words
const Q_TAIL: u32 = 20u;
const RULE_STRIDE: u32 = 10u;
// Within a rule.
const R_ACC: u32 = 0u;           // 0: int, 1: shifted products, 2: float
const R_PRE: u32 = 1u;
const R_POST: u32 = 2u;
const R_REVERSE: u32 = 3u;
const R_SCALE: u32 = 4u;         // f32 bits
const R_STORE: u32 = 5u;         // 0: shift, 1: keep, 2: round half to even
const R_BIAS_LO: u32 = 6u;
const R_BIAS_HI: u32 = 7u;
const R_SHIFT: u32 = 8u;
const R_CLAMP_HI: u32 = 9u;      // the low clamp is always 0 for integer outputs

// ---- 64-bit integers as (lo, hi) u32 pairs, two's complement ----

fn w_from_i32(v: i32) -> vec2<u32> {
    return vec2<u32>(bitcast<u32>(v), select(0u, 0xffffffffu, v < 0));
}

fn w_add(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let lo = a.x + b.x;
    let carry = select(0u, 1u, lo < a.x);
    return vec2<u32>(lo, a.y + b.y + carry);
}

fn w_neg(a: vec2<u32>) -> vec2<u32> {
    return w_add(vec2<u32>(~a.x, ~a.y), vec2<u32>(1u, 0u));
}

fn w_is_neg(a: vec2<u32>) -> bool {
    return (a.y & 0x80000000u) != 0u;
}

// 32 × 32 → 64 unsigned.
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xffffu;
    let a1 = a >> 16u;
    let b0 = b & 0xffffu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
    let lo = (p00 & 0xffffu) | (mid << 16u);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    return vec2<u32>(lo, hi);
}

// A 64-bit value times a signed 32-bit coefficient (the product must fit in 64 bits).
fn w_mul_i32(a: vec2<u32>, c: i32) -> vec2<u32> {
    let neg = w_is_neg(a) != (c < 0);
    let m = select(a, w_neg(a), w_is_neg(a));
    let k = u32(abs(c));
    let low = mul_wide(m.x, k);
    let high = m.y * k;
    let r = vec2<u32>(low.x, low.y + high);
    return select(r, w_neg(r), neg);
}

// Arithmetic shift right by s (0..63).
fn w_shr(a: vec2<u32>, s: u32) -> vec2<u32> {
    if (s == 0u) {
        return a;
    }
    let sign = select(0u, 0xffffffffu, w_is_neg(a));
    if (s >= 32u) {
        let hi_s = bitcast<u32>(bitcast<i32>(a.y) >> min(s - 32u, 31u));
        return vec2<u32>(hi_s, sign);
    }
    let lo = (a.x >> s) | (a.y << (32u - s));
    let hi = bitcast<u32>(bitcast<i32>(a.y) >> s);
    return vec2<u32>(lo, hi);
}

// Clamps a 64-bit value into [0, hi] (hi < 2^31) and returns it as i32.
fn w_clamp(a: vec2<u32>, hi: i32) -> i32 {
    if (w_is_neg(a)) {
        return 0;
    }
    if (a.y != 0u || a.x > u32(hi)) {
        return hi;
    }
    return i32(a.x);
}

// ---- values: an integer (narrow i32 or wide) or a float ----

struct Value {
    i: vec2<u32>,   // wide integer; narrow integers use i.x as i32
    f: f32,
    is_float: bool,
}

fn int_value(v: i32) -> Value {
    return Value(w_from_i32(v), 0.0, false);
}

fn as_f32(v: Value) -> f32 {
    if (v.is_float) {
        return v.f;
    }
    if (params[P_WIDE] == 1u) {
        // Exact for the values a float rule reads (|v| < 2^24); larger ones round like C's
        // conversion of a 64-bit integer only approximately, and no plan produces them.
        return f32(bitcast<i32>(v.i.x)) + f32(bitcast<i32>(v.i.y)) * 4294967296.0;
    }
    return f32(bitcast<i32>(v.i.x));
}

// Keeps the product `a * b` a separate rounding: the select on a run-time value the compiler
// cannot know stops the product and the following sum from being fused.
fn unfused(a: f32, b: f32) -> f32 {
    let p = a * b;
    return select(p, bitcast<f32>(params[P_N] | 0x7fc00000u), params[P_N] == 0xffffffffu);
}

fn round_half_even(x: f32) -> f32 {
    let r = floor(x);
    let d = x - r;
    if (d > 0.5) {
        return r + 1.0;
    }
    if (d == 0.5) {
        return select(r, r + 1.0, (r * 0.5) != floor(r * 0.5));
    }
    return r;
}

// ---- input ----

fn frame_byte(address: u32) -> u32 {
    return (src[address >> 2u] >> ((address & 3u) * 8u)) & 0xffu;
}

// A frame's channel c at (y, x): a byte of the pixel, or PIL's luma of its colour bytes.
fn load_frame(c: u32, y: u32, x: u32) -> u32 {
    let pixel = params[P_SRC_BASE] + y * params[P_STRIDE] + x * params[P_BPP];
    let sel = params[P_SEL + c];
    if (sel != LUMA) {
        return frame_byte(pixel + sel);
    }
    let r = frame_byte(pixel + params[P_RGB]);
    let g = frame_byte(pixel + params[P_RGB + 1u]);
    let b = frame_byte(pixel + params[P_RGB + 2u]);
    return (r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16u;
}

fn load_raw(n: u32, c: u32, y: u32, x: u32) -> u32 {
    if (params[P_FRAME] == 1u) {
        return load_frame(c, y, x);
    }
    let C = params[P_C];
    let H = params[P_IN_H];
    let W = params[P_IN_W];
    var i: u32;
    if (params[P_NHWC] == 1u) {
        i = ((n * H + y) * W + x) * C + c;
    } else {
        i = ((n * C + c) * H + y) * W + x;
    }
    if (params[P_IN_BITS] == 8u) {
        return (src[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu;
    }
    return (src[i >> 1u] >> ((i & 1u) * 16u)) & 0xffffu;
}

// An input value, premultiplied by its alpha where the plan says (Pillow's MULDIV255). The
// only caller of load_raw's frame and tensor paths, and itself called from one place, so the
// compiled kernel stays small.
fn load(n: u32, c: u32, y: u32, x: u32) -> i32 {
    var v = 0u;
    let premultiply = params[P_ALPHA] == 1u && c < 3u;
    for (var t = 0u; t < select(1u, 2u, premultiply); t++) {
        let raw = load_raw(n, select(c, 3u, t == 1u), y, x);
        if (t == 0u) {
            v = raw;
        } else {
            let m = v * raw + 128u;
            v = ((m >> 8u) + m) >> 8u;
        }
    }
    return i32(v);
}

// ---- rules ----

fn rule_at(which: u32, position: u32) -> u32 {
    let q = P_PASS0 + which * PASS_STRIDE;
    if (position >= params[q + Q_SPLIT]) {
        return q + Q_TAIL;
    }
    return q + Q_BODY;
}

fn coef_int(q: u32, t: u32) -> i32 {
    return bitcast<i32>(tables[params[q + Q_COEFS] + t]);
}

fn coef_float(q: u32, t: u32, r: u32) -> f32 {
    let scale = bitcast<f32>(params[r + R_SCALE]);
    if (params[q + Q_FLOAT_COEFS] == 1u) {
        return bitcast<f32>(tables[params[q + Q_COEFS] + t]) * scale;
    }
    return f32(bitcast<i32>(tables[params[q + Q_COEFS] + t])) * scale;
}

// An accumulator of either kind: integers (narrow i32 in w.x, or wide), or a float.
struct Acc {
    w: vec2<u32>,
    f: f32,
}

// Adds tap k (source value v, coefficient index t) to an accumulator under rule r of pass q.
fn accumulate(acc: Acc, r: u32, q: u32, t: u32, k: u32, v: Value) -> Acc {
    var out = acc;
    let kind = params[r + R_ACC];
    if (kind == 2u) {
        let p = unfused(as_f32(v), coef_float(q, t, r));
        if (k == 0u) {
            out.f = p;
        } else {
            out.f = p + acc.f;
        }
        return out;
    }
    let cf = coef_int(q, t);
    if (kind == 1u) {
        let term = ((bitcast<i32>(v.i.x) >> params[r + R_PRE]) * cf) >> params[r + R_POST];
        out.w.x = bitcast<u32>(bitcast<i32>(acc.w.x) + term);
    } else if (params[P_WIDE] == 1u) {
        out.w = w_add(acc.w, w_mul_i32(v.i, cf));
    } else {
        out.w.x = bitcast<u32>(bitcast<i32>(acc.w.x) + bitcast<i32>(v.i.x) * cf);
    }
    return out;
}

// Applies rule r's store to an accumulator.
fn finish(r: u32, acc: Acc) -> Value {
    if (params[r + R_ACC] == 2u) {
        if (params[r + R_STORE] == 2u) {
            let hi = f32(bitcast<i32>(params[r + R_CLAMP_HI]));
            if (acc.f != acc.f) {
                return int_value(0);
            }
            return int_value(i32(clamp(round_half_even(acc.f), 0.0, hi)));
        }
        return Value(vec2<u32>(0u, 0u), acc.f, true);
    }
    var w = acc.w;
    if (params[P_WIDE] == 0u || params[r + R_ACC] == 1u) {
        w = w_from_i32(bitcast<i32>(acc.w.x));
    }
    if (params[r + R_STORE] == 1u) {
        return Value(w, 0.0, false);
    }
    let bias = vec2<u32>(params[r + R_BIAS_LO], params[r + R_BIAS_HI]);
    let hi = bitcast<i32>(params[r + R_CLAMP_HI]);
    if (params[P_WIDE] == 1u) {
        return int_value(w_clamp(w_shr(w_add(w, bias), params[r + R_SHIFT]), hi));
    }
    let v = (bitcast<i32>(w.x) + bitcast<i32>(bias.x)) >> params[r + R_SHIFT];
    return int_value(clamp(v, 0, hi));
}

// ---- the first pass ----

// The first pass at output index `o` along its axis, for the element (n, c) whose other
// coordinate is `other` (a row for a width pass, a column for a height pass); `position` is the
// element's interleaved row position. The only reader of the input.
fn first_pass(n: u32, c: u32, o: u32, other: u32, position: u32) -> Value {
    let q = P_PASS0;
    let r = rule_at(0u, position);
    let width_axis = params[q + Q_AXIS] == 1u;
    let count = tables[params[q + Q_COUNTS] + o];
    let base = o * params[q + Q_WIDTH];
    let reverse = params[r + R_ACC] == 2u && params[r + R_REVERSE] == 1u;
    var acc = Acc(vec2<u32>(0u, 0u), 0.0);
    for (var k = 0u; k < count; k++) {
        let t = select(k, count - 1u - k, reverse);
        let s = tables[params[q + Q_INDICES] + base + t];
        let y = select(s, other, width_axis);
        let x = select(other, s, width_axis);
        acc = accumulate(acc, r, q, base + t, k, int_value(load(n, c, y, x)));
    }
    return finish(r, acc);
}

// The first pass's stored value at row y, column x of the intermediate image (for a width
// pass, x is an output column and y an input row; for a height pass the other way round), as
// stage 1 wrote it.
fn mid_value(n: u32, c: u32, y: u32, x: u32) -> Value {
    let C = params[P_C];
    let i = ((n * C + c) * params[P_MID_H] + y) * params[P_MID_W] + x;
    let lo = src[2u * i];
    let hi = src[2u * i + 1u];
    let r = rule_at(0u, x * C + c);
    if (params[r + R_ACC] == 2u && params[r + R_STORE] == 1u) {
        return Value(vec2<u32>(0u, 0u), bitcast<f32>(lo), true);
    }
    return Value(vec2<u32>(lo, hi), 0.0, false);
}

// The first pass at row y, column x of the intermediate image: evaluated from the input
// (stages 0 and 1), or read back (stage 2). The element's row position is x·C + c either way.
fn first_at(n: u32, c: u32, y: u32, x: u32) -> Value {
    if (params[P_STAGE] == 2u) {
        return mid_value(n, c, y, x);
    }
    let width = params[P_PASS0 + Q_AXIS] == 1u;
    return first_pass(n, c, select(y, x, width), select(x, y, width), x * params[P_C] + c);
}

// ---- one output element ----

fn separable(n: u32, c: u32, oy: u32, ox: u32) -> Value {
    // Stage 1 evaluates the first pass alone, at intermediate coordinates (oy, ox).
    let passes = select(params[P_PASSES], 1u, params[P_STAGE] == 1u);
    let first_is_width = params[P_PASS0 + Q_AXIS] == 1u;
    let position = ox * params[P_C] + c;
    // The second pass (when there is one): its output index and rule.
    let q = P_PASS0 + PASS_STRIDE;
    let o = select(ox, oy, first_is_width);
    let r = rule_at(1u, position);
    var count = 1u;
    var base = 0u;
    var reverse = false;
    if (passes == 2u) {
        count = tables[params[q + Q_COUNTS] + o];
        base = o * params[q + Q_WIDTH];
        reverse = params[r + R_ACC] == 2u && params[r + R_REVERSE] == 1u;
    }
    var acc = Acc(vec2<u32>(0u, 0u), 0.0);
    var v = int_value(0);
    for (var k = 0u; k < count; k++) {
        let t = select(k, count - 1u - k, reverse);
        // Where the first pass is read: with two passes, at the second pass's tap `s` (a source
        // row when the width pass comes first, a column otherwise); with one, at the element.
        var y = oy;
        var x = ox;
        if (passes == 2u) {
            let s = tables[params[q + Q_INDICES] + base + t];
            y = select(oy, s, first_is_width);
            x = select(s, ox, first_is_width);
        }
        if (passes == 0u) {
            v = int_value(load(n, c, oy, ox));
        } else {
            v = first_at(n, c, y, x);
        }
        if (passes == 2u) {
            acc = accumulate(acc, r, q, base + t, k, v);
        }
    }
    if (passes == 2u) {
        return finish(r, acc);
    }
    return v;
}

// OpenCV's integer-factor area average: one pass over the block (row-major), keeping the
// integer sum, the float sum in groups of four and the float sum value by value.
fn block_average(n: u32, c: u32, oy: u32, ox: u32) -> i32 {
    let fy = params[P_FY];
    let fx = params[P_FX];
    let H = params[P_IN_H];
    let W = params[P_IN_W];
    let hi = f32((1u << params[P_OUT_BITS]) - 1u);
    let y0 = oy * fy;
    let x0 = ox * fx;
    let bw = min(x0 + fx, W) - x0;
    let count = (min(y0 + fy, H) - y0) * bw;
    let whole = oy < H / fy && ox < W / fx;
    var sum = 0;
    var by_four = 0.0;
    var group = 0.0;
    var one_by_one = 0.0;
    let groups_end = count & ~3u;
    for (var k = 0u; k < count; k++) {
        let v = load(n, c, y0 + k / bw, x0 + k % bw);
        sum += v;
        let f = f32(v);
        one_by_one = one_by_one + f;
        if (k < groups_end) {
            group = select(group + f, f, (k & 3u) == 0u);
            if ((k & 3u) == 3u) {
                by_four = by_four + group;
            }
        } else {
            // The values after the last whole group of four, added one by one.
            by_four = by_four + f;
        }
    }
    let rule = params[P_BLOCK_RULE];
    if (whole && rule == 0u) {
        return (sum + 2) >> 2u;
    }
    let reciprocal = 1.0 / f32(fx * fy);
    if (whole && rule == 1u) {
        return i32(clamp(round_half_even(unfused(f32(sum), reciprocal)), 0.0, hi));
    }
    if (whole) {
        return i32(clamp(round_half_even(unfused(by_four, reciprocal)), 0.0, hi));
    }
    let partial = select(f32(sum), one_by_one, params[P_FLOAT_PARTIAL] == 1u);
    return i32(clamp(round_half_even(partial / f32(count)), 0.0, hi));
}

fn element(n: u32, c: u32, oy: u32, ox: u32) -> Value {
    if (params[P_KIND] == 1u) {
        return int_value(block_average(n, c, oy, ox));
    }
    return separable(n, c, oy, ox);
}

// Element i of what this dispatch writes: an output element (memory order), or in stage 1 an
// intermediate value (NCHW order over the intermediate image). An output element is
// unpremultiplied where the plan premultiplied (Pillow's RGBa → RGBA: alpha 0 and 255
// unchanged, else min(255, 255·v / a)).
fn compute(i: u32) -> Value {
    let C = params[P_C];
    let stage1 = params[P_STAGE] == 1u;
    let H = select(params[P_OUT_H], params[P_MID_H], stage1);
    let W = select(params[P_OUT_W], params[P_MID_W], stage1);
    var n: u32;
    var c: u32;
    var y: u32;
    var x: u32;
    if (params[P_NHWC] == 1u && !stage1) {
        c = i % C;
        let p = i / C;
        x = p % W;
        y = (p / W) % H;
        n = p / (W * H);
    } else {
        x = i % W;
        y = (i / W) % H;
        c = (i / (W * H)) % C;
        n = i / (W * H * C);
    }
    let unpremultiply = params[P_ALPHA] == 1u && c < 3u && !stage1;
    var v = int_value(0);
    for (var t = 0u; t < select(1u, 2u, unpremultiply); t++) {
        let e = element(n, select(c, 3u, t == 1u), y, x);
        if (t == 0u) {
            v = e;
        } else {
            let a = bitcast<i32>(e.i.x);
            let value = bitcast<i32>(v.i.x);
            if (a != 0 && a != 255) {
                v = int_value(min(255, (255 * value) / a));
            }
        }
    }
    return v;
}

@compute @workgroup_size(64)
fn exact(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let word = gid.x + gid.y * groups.x * 64u;
    if (word >= params[P_WORDS]) {
        return;
    }
    let stage1 = params[P_STAGE] == 1u;
    let total = select(params[P_TOTAL], params[P_WORDS], stage1);
    let lut = params[P_OUT_LUT] == 1u && !stage1;
    // Elements per output word: one float (tables) or intermediate value (two words), four
    // bytes or two 16-bit values.
    let bits = params[P_OUT_BITS];
    let per_word = select(32u / bits, 1u, lut || stage1);
    var packed = 0u;
    var high = 0u;
    for (var j = 0u; j < per_word; j++) {
        let i = word * per_word + j;
        if (i < total) {
            let v = compute(i);
            if (stage1) {
                packed = select(v.i.x, bitcast<u32>(v.f), v.is_float);
                high = v.i.y;
            } else if (lut) {
                let C = params[P_C];
                var c: u32;
                if (params[P_NHWC] == 1u) {
                    c = i % C;
                } else {
                    c = (i / (params[P_OUT_W] * params[P_OUT_H])) % C;
                }
                packed = tables[params[P_LUT_OFFSET] + c * 256u + (v.i.x & 0xffu)];
            } else {
                packed |= (v.i.x & ((1u << bits) - 1u)) << (j * bits);
            }
        }
    }
    if (stage1) {
        dst[2u * word] = packed;
        dst[2u * word + 1u] = high;
    } else {
        dst[params[P_DST_BASE] + word] = packed;
    }
}
