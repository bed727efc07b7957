// halfpixel kernels over texture arrays in Metal's MPSImage layout.
//
// Feature channel c of image n lives in array layer n·S + c/4, component c%4, with
// S = ceil(C/4) layers per image; the padding components of an image's last layer are written as
// zero. The host prepends `alias OutTexture = texture_storage_2d_array<FORMAT, write>;` (rgba32float
// or rgba16float). Arithmetic is f32 and uses the same tap tables and summation order as the
// buffer kernels (resize.wgsl); tap accessors from taps.wgsl, shuffle_source from
// shuffle_source.wgsl.

struct TexParams {
    out_w: u32,
    out_h: u32,
    in_w: u32,
    in_h: u32,
    // layers per image of the output and of the input
    out_slices: u32,
    in_slices: u32,
    // feature channels of the output and of the input
    out_channels: u32,
    in_channels: u32,
    // the input layer of the first image read (batch index · in_slices)
    src_layer0: u32,
    total: u32,
    groups_x: u32,
    block: u32,
    h_base: u32,
    h_width: u32,
    w_base: u32,
    w_width: u32,
    to_space: u32,
    crd: u32,
    ev: f32,
    // log2(block) for a power of two, otherwise 32
    block_shift: u32,
}

@group(0) @binding(0) var<uniform> p: TexParams;
@group(0) @binding(1) var<storage, read> taps: array<u32>;
@group(0) @binding(2) var src: texture_2d_array<f32>;
@group(0) @binding(3) var dst: OutTexture;

// Zero the components of layer `s` (within its image) that hold no feature channel.
fn mask_padding(v: vec4<f32>, s: u32, channels: u32) -> vec4<f32> {
    var out = v;
    for (var l = 0u; l < 4u; l = l + 1u) {
        if (s * 4u + l >= channels) {
            out[l] = 0.0;
        }
    }
    return out;
}

@compute @workgroup_size(64)
fn tex_resize(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = (wg.y * p.groups_x + wg.x) * 64u + lid;
    if (t >= p.total) {
        return;
    }
    let xo = t % p.out_w;
    let yo = (t / p.out_w) % p.out_h;
    let layer = t / (p.out_w * p.out_h);
    let s = layer % p.out_slices;
    let src_layer = i32(p.src_layer0 + layer);
    var acc = vec4<f32>(0.0);
    if (extrapolated(p.h_base, yo) || extrapolated(p.w_base, xo)) {
        acc = vec4<f32>(p.ev);
    } else {
        let nh = tap_count(p.h_base, yo);
        let nw = tap_count(p.w_base, xo);
        for (var kx = 0u; kx < nw; kx = kx + 1u) {
            let ix = tap_index(p.w_base, p.out_w, p.w_width, xo, kx);
            let wx = tap_weight(p.w_base, p.out_w, p.w_width, xo, kx);
            var col = vec4<f32>(0.0);
            for (var j = 0u; j < nh; j = j + 1u) {
                let iy = tap_index(p.h_base, p.out_h, p.h_width, yo, j);
                let wy = tap_weight(p.h_base, p.out_h, p.h_width, yo, j);
                let v = textureLoad(src, vec2<i32>(i32(ix), i32(iy)), src_layer, 0);
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
    }
    textureStore(dst, vec2<i32>(i32(xo), i32(yo)), i32(layer), mask_padding(acc, s, p.out_channels));
}

@compute @workgroup_size(64)
fn tex_shuffle(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = (wg.y * p.groups_x + wg.x) * 64u + lid;
    if (t >= p.total) {
        return;
    }
    let xo = t % p.out_w;
    let yo = (t / p.out_w) % p.out_h;
    let layer = t / (p.out_w * p.out_h);
    let n = layer / p.out_slices;
    let s = layer % p.out_slices;
    let b = p.block;
    var out = vec4<f32>(0.0);
    for (var l = 0u; l < 4u; l = l + 1u) {
        let c = s * 4u + l;
        if (c >= p.out_channels) {
            continue;
        }
        let origin = shuffle_source(p.to_space == 1u, p.crd == 1u, b, p.block_shift, c, yo, xo, p.in_channels, p.out_channels);
        let sc = origin.x;
        let sh = origin.y;
        let sw = origin.z;
        let v = textureLoad(src, vec2<i32>(i32(sw), i32(sh)), i32(p.src_layer0 + n * p.in_slices + sc / 4u), 0);
        out[l] = v[sc % 4u];
    }
    textureStore(dst, vec2<i32>(i32(xo), i32(yo)), i32(layer), out);
}
