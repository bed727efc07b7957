// halfpixel image preprocessing: an 8-bit frame in, the normalised, resized tensor out, in one
// dispatch.
//
// The host prepends `alias Elem = f32;` (or `enable f16; alias Elem = f16;`): the output is stored
// as Elem, all arithmetic is f32. Nothing about the frame or the normalisation is written into
// shader text: sizes, byte offsets, strides and the normalisation tables are run-time data.
//
// Per output pixel (xo, yo) and output channel c (src/preprocess/mod.rs has the full contract):
//   decode    the byte of c's colour in each source pixel a tap reads (or PIL's luma of R, G, B)
//   normalise lut[c·256 + byte], the host's float32 table of the convention (bit-exact)
//   resize    out = Σ_k wx_k · (Σ_j wy_j · lut[..]), height taps inside, tap order, the first
//             product assigned — the CPU kernels' order (resize.wgsl's `direct`)
//
// A dispatch covers output rows [row0, row0 + total / out_w) of `channels` output channels from
// c0: NHWC dispatches cover every channel, NCHW ones every channel or, when the planes do not fit
// one binding together, one. The frame is a storage buffer of bytes read as u32 words (entry
// `pre_buffer`), or an rgba8unorm texture (entry `pre_texture`).
//
// The tap-table accessors (tap_count, extrapolated, tap_index, tap_weight) come from taps.wgsl.

struct PreParams {
    // per output channel: the byte offset of its colour within a pixel, or LUMA
    sel: vec4<u32>,
    // the byte offsets of red, green and blue (for LUMA)
    rgb: vec4<u32>,
    out_w: u32,
    out_h: u32,
    // output channels of this dispatch, and the first
    channels: u32,
    c0: u32,
    // bytes per pixel and per row of the frame (buffer frames)
    bpp: u32,
    row_stride: u32,
    // the binding-relative byte address of frame pixel (0, 0); u32 arithmetic wraps, so it may
    // be "negative" when the binding starts at a later row
    src_base: u32,
    // the element of the output binding where this dispatch's first element lies
    dst_rel: u32,
    // output element strides: per row, per pixel, per channel
    d_row: u32,
    d_px: u32,
    d_ch: u32,
    row0: u32,
    h_base: u32,
    h_width: u32,
    w_base: u32,
    w_width: u32,
    // workgroups per row of the 2-D dispatch grid, and invocations in this dispatch
    groups_x: u32,
    total: u32,
    ev: f32,
    _pad0: u32,
}

const LUMA: u32 = 4u;

@group(0) @binding(0) var<uniform> p: PreParams;
@group(0) @binding(1) var<storage, read> taps: array<u32>;
@group(0) @binding(2) var<storage, read> frame: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<Elem>;
@group(0) @binding(4) var<storage, read> lut: array<f32>;
@group(0) @binding(5) var frame_texture: texture_2d<f32>;

// The bytes of buffer pixel (ix, iy), in memory order (bpp of them; the rest zero).
fn buffer_pixel(ix: u32, iy: u32) -> vec4<u32> {
    let a = p.src_base + iy * p.row_stride + ix * p.bpp;
    let word = a >> 2u;
    let shift = (a & 3u) * 8u;
    let w0 = frame[word];
    var w1 = 0u;
    if (shift + p.bpp * 8u > 32u) {
        w1 = frame[word + 1u];
    }
    var b = vec4<u32>(0u);
    for (var k = 0u; k < p.bpp; k = k + 1u) {
        let bit = shift + 8u * k;
        if (bit < 32u) {
            b[k] = (w0 >> bit) & 0xffu;
        } else {
            b[k] = (w1 >> (bit - 32u)) & 0xffu;
        }
    }
    return b;
}

// The bytes of texture pixel (ix, iy): an rgba8unorm texel's components are its bytes in memory
// order, read back exactly from their unorm values.
fn texture_pixel(ix: u32, iy: u32) -> vec4<u32> {
    let t = textureLoad(frame_texture, vec2<i32>(i32(ix), i32(iy)), 0);
    return vec4<u32>(floor(t * 255.0 + vec4<f32>(0.5)));
}

// PIL's ITU-R 601-2 luma (`L24` in libImaging/Convert.c), exact in u32.
fn luma(b: vec4<u32>) -> u32 {
    return (b[p.rgb.x] * 19595u + b[p.rgb.y] * 38470u + b[p.rgb.z] * 7471u + 0x8000u) >> 16u;
}

// The normalised values of this dispatch's channels for one pixel's bytes.
fn normalised(b: vec4<u32>) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    for (var c = 0u; c < p.channels; c = c + 1u) {
        let ch = p.c0 + c;
        let s = p.sel[ch];
        var byte = 0u;
        if (s == LUMA) {
            byte = luma(b);
        } else {
            byte = b[s];
        }
        v[c] = lut[ch * 256u + byte];
    }
    return v;
}

fn invocation(wg: vec3<u32>, lid: u32) -> u32 {
    return (wg.y * p.groups_x + wg.x) * 64u + lid;
}

fn store(xo: u32, yo: u32, v: vec4<f32>) {
    let base = p.dst_rel + (yo - p.row0) * p.d_row + xo * p.d_px;
    for (var c = 0u; c < p.channels; c = c + 1u) {
        dst[base + c * p.d_ch] = Elem(v[c]);
    }
}

fn outside(xo: u32, yo: u32) -> bool {
    return extrapolated(p.h_base, yo) || extrapolated(p.w_base, xo);
}

@compute @workgroup_size(64)
fn pre_buffer(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = invocation(wg, lid);
    if (t >= p.total) {
        return;
    }
    let xo = t % p.out_w;
    let yo = p.row0 + t / p.out_w;
    if (outside(xo, yo)) {
        store(xo, yo, vec4<f32>(p.ev));
        return;
    }
    let nh = tap_count(p.h_base, yo);
    let nw = tap_count(p.w_base, xo);
    var acc = vec4<f32>(0.0);
    for (var kx = 0u; kx < nw; kx = kx + 1u) {
        let ix = tap_index(p.w_base, p.out_w, p.w_width, xo, kx);
        let wx = tap_weight(p.w_base, p.out_w, p.w_width, xo, kx);
        var col = vec4<f32>(0.0);
        for (var j = 0u; j < nh; j = j + 1u) {
            let iy = tap_index(p.h_base, p.out_h, p.h_width, yo, j);
            let wy = tap_weight(p.h_base, p.out_h, p.h_width, yo, j);
            let v = normalised(buffer_pixel(ix, iy));
            if (j == 0u) {
                col = wy * v;
            } else {
                col = col + wy * v;
            }
        }
        if (kx == 0u) {
            acc = wx * col;
        } else {
            acc = acc + wx * col;
        }
    }
    store(xo, yo, acc);
}

// The same sums over a texture frame (WGSL has no function parameters of function type, so the
// loop is written once per frame kind).
@compute @workgroup_size(64)
fn pre_texture(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = invocation(wg, lid);
    if (t >= p.total) {
        return;
    }
    let xo = t % p.out_w;
    let yo = p.row0 + t / p.out_w;
    if (outside(xo, yo)) {
        store(xo, yo, vec4<f32>(p.ev));
        return;
    }
    let nh = tap_count(p.h_base, yo);
    let nw = tap_count(p.w_base, xo);
    var acc = vec4<f32>(0.0);
    for (var kx = 0u; kx < nw; kx = kx + 1u) {
        let ix = tap_index(p.w_base, p.out_w, p.w_width, xo, kx);
        let wx = tap_weight(p.w_base, p.out_w, p.w_width, xo, kx);
        var col = vec4<f32>(0.0);
        for (var j = 0u; j < nh; j = j + 1u) {
            let iy = tap_index(p.h_base, p.out_h, p.h_width, yo, j);
            let wy = tap_weight(p.h_base, p.out_h, p.h_width, yo, j);
            let v = normalised(texture_pixel(ix, iy));
            if (j == 0u) {
                col = wy * v;
            } else {
                col = col + wy * v;
            }
        }
        if (kx == 0u) {
            acc = wx * col;
        } else {
            acc = acc + wx * col;
        }
    }
    store(xo, yo, acc);
}
