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

/// `Params` of `shaders/resize.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
pub(crate) struct ResizeParams {
    pub out_w: u32,
    pub out_h: u32,
    pub cs: u32,
    pub in_w: u32,
    pub rows: u32,
    pub row0: u32,
    pub k0: u32,
    pub image_len: u32,
    pub src_rel: u32,
    pub dst_rel: u32,
    pub h_base: u32,
    pub h_width: u32,
    pub w_base: u32,
    pub w_width: u32,
    pub groups_x: u32,
    pub total: u32,
    pub ev: f32,
    pub pad: [u32; 3],
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
    pub nchw: u32,
    pub to_space: u32,
    pub crd: u32,
    pub row0: u32,
    pub n0: u32,
    pub src_rel: u32,
    pub dst_rel: u32,
    pub groups_x: u32,
    pub total: u32,
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
    pub total: u32,
    pub groups_x: u32,
    pub block: u32,
    pub h_base: u32,
    pub h_width: u32,
    pub w_base: u32,
    pub w_width: u32,
    pub to_space: u32,
    pub crd: u32,
    pub ev: f32,
    pub pad: u32,
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
    groups: (u32, u32),
}

impl BoundDispatch {
    /// Uploads a kernel's uniform block and binds it at binding 0 with `entries`.
    pub(crate) fn new(
        watched: &Watched,
        pipeline: &wgpu::ComputePipeline,
        params: &[u8],
        entries: &[(u32, wgpu::BindingResource<'_>)],
        groups: (u32, u32),
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

    /// Records the dispatch into `pass`.
    pub(crate) fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.groups.0, self.groups.1, 1);
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
    groups: (u32, u32),
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
    fn params_are_uniform_sized() {
        assert_eq!(std::mem::size_of::<ResizeParams>() % 16, 0);
        assert_eq!(std::mem::size_of::<ShuffleParams>() % 16, 0);
        assert_eq!(std::mem::size_of::<TexParams>() % 16, 0);
    }
}
