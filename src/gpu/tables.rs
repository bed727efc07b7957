//! Tap tables as the kernels read them, and the uniform blocks of each kernel.

use bytemuck::{Pod, Zeroable};

use crate::plan::{AxisPlan, ResizePlan};

use super::health::Watched;

/// Both axes' tap tables packed into one `array<u32>` (layout documented in `shaders/resize.wgsl`).
pub(crate) struct PackedTables {
    pub words: Vec<u32>,
    pub h_base: u32,
    pub w_base: u32,
}

fn pack_axis(axis: &AxisPlan, words: &mut Vec<u32>) -> u32 {
    let base = words.len() as u32;
    for (o, &count) in axis.counts().iter().enumerate() {
        let flag = if axis.is_extrapolated(o) {
            0x8000_0000
        } else {
            0
        };
        words.push(count | flag);
    }
    words.extend_from_slice(axis.index_table());
    words.extend(axis.weight_table().iter().map(|w| w.to_bits()));
    base
}

/// Packs a plan's two axes.
pub(crate) fn pack(plan: &ResizePlan) -> PackedTables {
    let mut words = Vec::with_capacity(
        (plan.h.out_len() + plan.w.out_len()) * (1 + 2 * plan.h.width().max(plan.w.width())),
    );
    let h_base = pack_axis(&plan.h, &mut words);
    let w_base = pack_axis(&plan.w, &mut words);
    PackedTables {
        words,
        h_base,
        w_base,
    }
}

/// A plan's packed tap tables in a storage buffer.
#[derive(Debug, Clone)]
pub(crate) struct TapTables {
    pub buffer: wgpu::Buffer,
    pub h_base: u32,
    pub w_base: u32,
}

impl TapTables {
    /// Packs and uploads `plan`'s tables.
    pub(crate) fn upload(watched: &Watched, plan: &ResizePlan) -> crate::Result<Self> {
        let tables = pack(plan);
        let buffer = watched.buffer_init(
            "halfpixel taps",
            bytemuck::cast_slice(&tables.words),
            wgpu::BufferUsages::STORAGE,
        )?;
        Ok(TapTables {
            buffer,
            h_base: tables.h_base,
            w_base: tables.w_base,
        })
    }
}

/// `Walk` of `shaders/slots.wgsl`: how a dispatch lays its chunk of rows over its grid.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
pub(crate) struct WalkParams {
    pub rows: u32,
    pub yo0: u32,
    pub slots: u32,
    pub row_len: u32,
    pub x_shift: u32,
    pub groups_x: u32,
    pub groups_y: u32,
    pub groups_z: u32,
    pub per_z: u32,
    pub z_count: u32,
    pub strided: u32,
    pub pad: u32,
}

/// `Params` of `shaders/resize.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
pub(crate) struct ResizeParams {
    pub out_w: u32,
    pub out_h: u32,
    pub cs: u32,
    pub in_w: u32,
    pub image_len: u32,
    pub src_rel: u32,
    pub dst_rel: u32,
    pub h_base: u32,
    pub h_width: u32,
    pub w_base: u32,
    pub w_width: u32,
    pub ev: f32,
    pub walk: WalkParams,
}

/// `Params` of `shaders/pixel_shuffle.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
pub(crate) struct ShuffleParams {
    pub c_out: u32,
    pub h_out: u32,
    pub w_out: u32,
    pub c_in: u32,
    pub h_in: u32,
    pub w_in: u32,
    pub block: u32,
    pub block_shift: u32,
    pub nchw: u32,
    pub to_space: u32,
    pub crd: u32,
    pub plane_rows: u32,
    pub q_count: u32,
    pub q0: u32,
    pub src_rel: u32,
    pub dst_rel: u32,
    pub walk: WalkParams,
}

/// `TexParams` of `shaders/texture.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
pub(crate) struct TexParams {
    pub out_w: u32,
    pub out_h: u32,
    pub in_w: u32,
    pub in_h: u32,
    pub out_slices: u32,
    pub in_slices: u32,
    pub out_channels: u32,
    pub in_channels: u32,
    pub src_layer0: u32,
    pub block: u32,
    pub h_base: u32,
    pub h_width: u32,
    pub w_base: u32,
    pub w_width: u32,
    pub to_space: u32,
    pub crd: u32,
    pub ev: f32,
    pub block_shift: u32,
    pub pad: [u32; 2],
    pub walk: WalkParams,
}

/// `log2(block)` when the block is a power of two (the kernels then shift instead of dividing),
/// otherwise 32.
pub(crate) fn block_shift(block: usize) -> u32 {
    if block.is_power_of_two() {
        block.trailing_zeros()
    } else {
        32
    }
}

/// The 2-D dispatch grid for `total` invocations, or the device limit it exceeds.
pub(crate) fn dispatch_grid(total: u64, max_per_dim: u32) -> crate::Result<(u32, u32)> {
    grid(total, max_per_dim).ok_or_else(|| crate::Error::DeviceLimit {
        what: "workgroups of one dispatch".into(),
        value: total.div_ceil(64),
        limit: (max_per_dim as u64).pow(2),
        limit_name: "max_compute_workgroups_per_dimension squared".into(),
        hint: "use the CPU backend".into(),
    })
}

/// A value the kernels index with a `u32`, or the error naming it.
pub(crate) fn gpu_u32(value: u64, what: &str) -> crate::Result<u32> {
    u32::try_from(value).map_err(|_| crate::Error::SizeTooLarge {
        what: format!("{what} (GPU indices are 32-bit)"),
        value: value as u128,
        limit: u32::MAX as u128,
    })
}

/// One dispatch ready to record: its pipeline, its bind group (the uniform block and the buffer
/// ranges it reads and writes) and its grid. The bind group keeps what it binds alive.
#[derive(Debug, Clone)]
pub(crate) struct BoundDispatch {
    pipeline: wgpu::ComputePipeline,
    bind_group: wgpu::BindGroup,
    groups: (u32, u32, u32),
}

impl BoundDispatch {
    /// Uploads a kernel's uniform block and binds it at binding 0 with `entries`.
    pub(crate) fn new(
        watched: &Watched,
        pipeline: &wgpu::ComputePipeline,
        params: &[u8],
        entries: &[(u32, wgpu::BindingResource<'_>)],
        groups: (u32, u32, u32),
    ) -> crate::Result<Self> {
        let uniform =
            watched.buffer_init("halfpixel params", params, wgpu::BufferUsages::UNIFORM)?;
        let mut all = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        }];
        all.extend(
            entries
                .iter()
                .map(|(binding, resource)| wgpu::BindGroupEntry {
                    binding: *binding,
                    resource: resource.clone(),
                }),
        );
        let bind_group = watched
            .device()
            .create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("halfpixel"),
                layout: &pipeline.get_bind_group_layout(0),
                entries: &all,
            });
        Ok(BoundDispatch {
            pipeline: pipeline.clone(),
            bind_group,
            groups,
        })
    }

    /// A dispatch from a pipeline and a bind group made elsewhere.
    pub(crate) fn from_parts(
        pipeline: wgpu::ComputePipeline,
        bind_group: wgpu::BindGroup,
        groups: (u32, u32, u32),
    ) -> Self {
        BoundDispatch {
            pipeline,
            bind_group,
            groups,
        }
    }

    /// Records the dispatch into `pass`.
    pub(crate) fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.groups.0, self.groups.1, self.groups.2);
    }
}

/// Uploads a kernel's uniform block, binds it at binding 0 with `entries`, and records one
/// dispatch of `groups` workgroups into `pass`.
pub(crate) fn dispatch(
    watched: &Watched,
    pass: &mut wgpu::ComputePass<'_>,
    pipeline: &wgpu::ComputePipeline,
    params: &[u8],
    entries: &[(u32, wgpu::BindingResource<'_>)],
    groups: (u32, u32, u32),
) -> crate::Result<()> {
    BoundDispatch::new(watched, pipeline, params, entries, groups)?.record(pass);
    Ok(())
}

/// Workgroups of 64 invocations for `total` invocations, as a 2-D grid within the device's
/// per-dimension limit: `(groups_x, groups_y)`.
pub(crate) fn grid(total: u64, max_per_dim: u32) -> Option<(u32, u32)> {
    let groups = total.div_ceil(64).max(1);
    let max = max_per_dim.max(1) as u64;
    let x = groups.min(max);
    let y = groups.div_ceil(x);
    (y <= max).then_some((x as u32, y as u32))
}

/// How much work one invocation of the slot kernels takes on: it walks more than one row of its
/// slot only while the dispatch keeps at least `target_invocations` invocations, and at most
/// `max_rows`. Results never depend on it (every row is computed the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SlotTuning {
    target_invocations: u64,
    max_rows: u64,
}

impl SlotTuning {
    /// Hardware GPUs: about four waves of a large GPU (an H100 holds 132 × 2048 resident
    /// invocations) before an invocation takes more rows, up to 16 (each reuses its taps).
    pub(crate) const GPU: SlotTuning = SlotTuning {
        target_invocations: 1 << 20,
        max_rows: 16,
    };

    /// Software adapters run invocations in SIMD batches on a few CPU threads, where the cost per
    /// invocation dominates: few, long invocations. Measured on lavapipe (BENCHMARKS.md §8).
    pub(crate) const SOFTWARE: SlotTuning = SlotTuning {
        target_invocations: 1 << 16,
        max_rows: 64,
    };
}

/// How the slot kernels (`shaders/resize.wgsl`, `shaders/pixel_shuffle.wgsl`) lay a chunk of
/// output rows `[r0, r1)` over one dispatch. The rows are planes of `plane_rows` rows of
/// `row_len` elements; rows of the same index in consecutive planes form a slot, whose rows an
/// invocation walks (`per_z` of them per z step) with its geometry computed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SlotGrid {
    /// The chunk's first plane.
    pub k0: u64,
    /// Rows in the chunk.
    pub rows: u32,
    /// Row of the first plane the chunk starts at.
    pub yo0: u32,
    /// Slots: `min(rows, plane_rows)`.
    pub slots: u32,
    /// Elements per row.
    pub row_len: u32,
    /// log2 of the invocations a workgroup lays along a row.
    pub x_shift: u32,
    /// Workgroups along rows, slots and z steps.
    pub groups: (u32, u32, u32),
    /// Rows of a slot per z step.
    pub per_z: u32,
    /// z steps that cover the longest slot.
    pub z_count: u32,
    /// Whether the grid is smaller than the work (a dimension capped at the device limit), so
    /// the kernels must walk it.
    pub strided: bool,
}

impl SlotGrid {
    /// The kernels' view of the grid.
    pub(crate) fn params(&self) -> WalkParams {
        WalkParams {
            rows: self.rows,
            yo0: self.yo0,
            slots: self.slots,
            row_len: self.row_len,
            x_shift: self.x_shift,
            groups_x: self.groups.0,
            groups_y: self.groups.1,
            groups_z: self.groups.2,
            per_z: self.per_z,
            z_count: self.z_count,
            strided: self.strided as u32,
            pad: 0,
        }
    }

    /// The grid of rows `[r0, r1)` (r1 > r0) within the device's `max_per_dim` workgroups per
    /// dimension, with `tuning`'s rows per invocation. Every count is checked to fit the
    /// kernels' 32-bit indices.
    pub(crate) fn new(
        (r0, r1): (u64, u64),
        plane_rows: u64,
        row_len: u64,
        max_per_dim: u32,
        tuning: SlotTuning,
    ) -> crate::Result<Self> {
        let rows = r1 - r0;
        let slots = rows.min(plane_rows);
        let longest = rows.div_ceil(plane_rows);
        let per_z =
            (rows * row_len / tuning.target_invocations).clamp(1, tuning.max_rows.min(longest));
        let z_count = longest.div_ceil(per_z);
        let along = row_len.next_power_of_two().min(64);
        let max = max_per_dim.max(1) as u64;
        let groups = (
            row_len.div_ceil(along).min(max) as u32,
            slots.div_ceil(64 / along).min(max) as u32,
            z_count.min(max) as u32,
        );
        let strided = groups.0 as u64 * along < row_len
            || groups.1 as u64 * (64 / along) < slots
            || (groups.2 as u64) < z_count;
        Ok(SlotGrid {
            strided,
            k0: r0 / plane_rows,
            rows: gpu_u32(rows, "rows in one dispatch")?,
            yo0: gpu_u32(r0 % plane_rows, "rows per plane")?,
            slots: gpu_u32(slots, "rows per plane")?,
            row_len: gpu_u32(row_len, "elements per row")?,
            x_shift: along.trailing_zeros(),
            groups,
            per_z: per_z as u32,
            z_count: gpu_u32(z_count, "planes in one dispatch")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_splits_past_the_dimension_limit() {
        assert_eq!(grid(64 * 65_535, 65_535), Some((65_535, 1)));
        assert_eq!(grid(64 * 65_536, 65_535), Some((65_535, 2)));
        assert_eq!(grid(1, 65_535), Some((1, 1)));
        assert_eq!(grid(u64::MAX / 2, 65_535), None);
    }

    #[test]
    fn slot_grids_cover_every_row() {
        // Walk the grid as the kernels do and count each chunk row's visits.
        let cases = [
            ((0, 1), 1, 1, 65_535),
            ((0, 64 * 256), 256, 256, 65_535),
            ((5, 9), 7, 3, 65_535),
            ((3, 3 + 7 * 40), 7, 5, 2),
            ((250, 250 + 300 * 3), 300, 200, 3),
            ((0, 1 << 14), 4, 1 << 8, 65_535),
        ];
        for (((r0, r1), plane_rows, row_len, max_dim), tuning) in cases
            .into_iter()
            .flat_map(|c| [(c, SlotTuning::GPU), (c, SlotTuning::SOFTWARE)])
        {
            let g = SlotGrid::new((r0, r1), plane_rows, row_len, max_dim, tuning).unwrap();
            assert_eq!(g.strided, max_dim < 65_535, "{g:?}");
            let mut seen = vec![0u32; ((r1 - r0) * row_len) as usize];
            let along = 1u64 << g.x_shift;
            let across = 64 / along;
            for gz in 0..g.groups.2 as u64 {
                for gy in 0..g.groups.1 as u64 {
                    for gx in 0..g.groups.0 as u64 {
                        for lid in 0..64 {
                            let mut z = gz;
                            while z < g.z_count as u64 {
                                let mut s = gy * across + lid / along;
                                while s < g.slots as u64 {
                                    let mut e = gx * along + lid % along;
                                    while e < g.row_len as u64 {
                                        for j in z * g.per_z as u64..(z + 1) * g.per_z as u64 {
                                            let i = s + j * plane_rows;
                                            if i >= g.rows as u64 {
                                                break;
                                            }
                                            seen[(i * row_len + e) as usize] += 1;
                                        }
                                        e += g.groups.0 as u64 * along;
                                    }
                                    s += g.groups.1 as u64 * across;
                                }
                                z += g.groups.2 as u64;
                            }
                        }
                    }
                }
            }
            assert!(
                seen.iter().all(|&n| n == 1),
                "{:?}: {:?}",
                (r0, r1, plane_rows),
                g
            );
            assert_eq!(g.k0, r0 / plane_rows);
            assert_eq!(g.yo0 as u64, r0 % plane_rows);
        }
    }

    #[test]
    fn params_are_uniform_sized() {
        assert_eq!(std::mem::size_of::<WalkParams>() % 16, 0);
        // WGSL places a struct member of a uniform block at a multiple of 16 bytes.
        assert_eq!(std::mem::offset_of!(ResizeParams, walk) % 16, 0);
        assert_eq!(std::mem::offset_of!(ShuffleParams, walk) % 16, 0);
        assert_eq!(std::mem::offset_of!(TexParams, walk) % 16, 0);
        assert_eq!(std::mem::size_of::<ResizeParams>() % 16, 0);
        assert_eq!(std::mem::size_of::<ShuffleParams>() % 16, 0);
        assert_eq!(std::mem::size_of::<TexParams>() % 16, 0);
    }
}
