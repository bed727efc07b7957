//! The WGSL kernels and their compiled pipelines.
//!
//! Shader text is the files under `shaders/` with a one-line prelude that names the storage type
//! (`alias Elem = f32;` or `enable f16; alias Elem = f16;`) or the storage-texture format. No size,
//! scale or weight is ever written into shader text: those are run-time data.

use std::collections::HashMap;
use std::sync::MutexGuard;

use crate::error::Result;

use super::context::GpuContext;

const RESIZE_WGSL: &str = include_str!("../../shaders/resize.wgsl");
const PIXEL_SHUFFLE_WGSL: &str = include_str!("../../shaders/pixel_shuffle.wgsl");
const TEXTURE_WGSL: &str = include_str!("../../shaders/texture.wgsl");
const TAPS_WGSL: &str = include_str!("../../shaders/taps.wgsl");
const SHUFFLE_SOURCE_WGSL: &str = include_str!("../../shaders/shuffle_source.wgsl");
const SLOTS_WGSL: &str = include_str!("../../shaders/slots.wgsl");
const PREPROCESS_WGSL: &str = include_str!("../../shaders/preprocess.wgsl");
const EXACT_WGSL: &str = include_str!("../../shaders/exact.wgsl");

/// How tensor elements are stored in a buffer or texture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DType {
    /// 32-bit float.
    F32,
    /// 16-bit float (needs `SHADER_F16`); arithmetic stays f32.
    F16,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> u64 {
        match self {
            DType::F32 => 4,
            DType::F16 => 2,
        }
    }

    fn prelude(self) -> &'static str {
        match self {
            DType::F32 => "alias Elem = f32;\n",
            DType::F16 => "enable f16;\nalias Elem = f16;\n",
        }
    }

    /// The storage-texture format of an MPSImage-style texture array of this type.
    pub fn texture_format(self) -> wgpu::TextureFormat {
        match self {
            DType::F32 => wgpu::TextureFormat::Rgba32Float,
            DType::F16 => wgpu::TextureFormat::Rgba16Float,
        }
    }

    fn texture_format_name(self) -> &'static str {
        match self {
            DType::F32 => "rgba32float",
            DType::F16 => "rgba16float",
        }
    }
}

/// A kernel entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Entry {
    /// Nearest on both axes: a copy.
    Gather,
    /// At most 2 taps per axis: one pass, taps in registers.
    Direct2,
    /// At most 4 taps per axis: one pass, taps in registers.
    Direct4,
    /// Wide windows, pass 1 (height).
    Rows,
    /// Wide windows, pass 2 (width).
    Cols,
    /// depth_to_space / space_to_depth on buffers.
    Shuffle,
    /// Resize on MPSImage-style texture arrays.
    TexResize,
    /// depth_to_space / space_to_depth on texture arrays.
    TexShuffle,
    /// Image preprocessing from an 8-bit frame in a storage buffer.
    PreBuffer,
    /// Image preprocessing from an rgba8unorm texture.
    PreTexture,
    /// A framework's exact integer arithmetic on packed 8- and 16-bit storage.
    Exact,
}

impl Entry {
    fn name(self) -> &'static str {
        match self {
            Entry::Gather => "gather",
            Entry::Direct2 => "direct2",
            Entry::Direct4 => "direct4",
            Entry::Rows => "rows",
            Entry::Cols => "cols",
            Entry::Shuffle => "shuffle",
            Entry::TexResize => "tex_resize",
            Entry::TexShuffle => "tex_shuffle",
            Entry::PreBuffer => "pre_buffer",
            Entry::PreTexture => "pre_texture",
            Entry::Exact => "exact",
        }
    }

    /// The shader files of this entry point's module, shared snippets first.
    fn files(self) -> &'static [&'static str] {
        match self {
            Entry::Gather | Entry::Direct2 | Entry::Direct4 | Entry::Rows | Entry::Cols => {
                &[TAPS_WGSL, SLOTS_WGSL, RESIZE_WGSL]
            }
            Entry::Shuffle => &[SHUFFLE_SOURCE_WGSL, SLOTS_WGSL, PIXEL_SHUFFLE_WGSL],
            Entry::TexResize | Entry::TexShuffle => {
                &[TAPS_WGSL, SHUFFLE_SOURCE_WGSL, SLOTS_WGSL, TEXTURE_WGSL]
            }
            Entry::PreBuffer | Entry::PreTexture => &[TAPS_WGSL, PREPROCESS_WGSL],
            Entry::Exact => &[EXACT_WGSL],
        }
    }

    fn is_texture(self) -> bool {
        matches!(self, Entry::TexResize | Entry::TexShuffle)
    }
}

/// Every kernel entry point.
const ENTRIES: [Entry; 11] = [
    Entry::Gather,
    Entry::Direct2,
    Entry::Direct4,
    Entry::Rows,
    Entry::Cols,
    Entry::Shuffle,
    Entry::TexResize,
    Entry::TexShuffle,
    Entry::PreBuffer,
    Entry::PreTexture,
    Entry::Exact,
];

/// The number of kernel variants (entry points × storage types): the most pipelines a context
/// ever compiles and caches.
pub(crate) const KERNEL_VARIANTS: usize = ENTRIES.len() * 2;

/// A compiled-pipeline cache key: the entry point and the storage type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct KernelKey {
    pub entry: Entry,
    pub dtype: DType,
}

/// The WGSL text of a kernel variant.
pub(crate) fn source(key: KernelKey) -> String {
    let prelude = if key.entry.is_texture() {
        // Texture kernels compute in f32; the prelude only names the output texture format.
        format!(
            "alias OutTexture = texture_storage_2d_array<{}, write>;\n",
            key.dtype.texture_format_name()
        )
    } else {
        key.dtype.prelude().to_string()
    };
    prelude + &key.entry.files().join("\n")
}

/// Every kernel variant's name and WGSL text (for validation with naga).
pub fn all_sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in ENTRIES {
        for dtype in [DType::F32, DType::F16] {
            let key = KernelKey { entry, dtype };
            out.push((format!("{}:{:?}", entry.name(), dtype), source(key)));
        }
    }
    out
}

/// The entry point names per shader text (for validation).
pub fn entry_point(name: &str) -> &str {
    name.split(':').next().unwrap_or(name)
}

impl GpuContext {
    /// The compiled pipeline for a kernel variant (`Device::create_compute_pipeline`), compiling
    /// it on first use. The cache holds at most one pipeline per variant ([`KERNEL_VARIANTS`]);
    /// a pipeline the device refuses is returned as an error and not cached.
    pub(crate) fn pipeline(&self, key: KernelKey) -> Result<wgpu::ComputePipeline> {
        // The cache stays locked while a variant compiles, so each variant compiles once even
        // when many threads ask at once (on GL every compile also holds the one GL context,
        // whose lock other threads wait on for a limited time).
        let mut cache = self.pipeline_cache();
        if let Some(p) = cache.get(&key) {
            return Ok(p.clone());
        }
        let pipeline = self.scoped(&format!("compiling kernel {:?}", key), || {
            let module = self
                .device()
                .create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(key.entry.name()),
                    source: wgpu::ShaderSource::Wgsl(source(key).into()),
                });
            Ok(self
                .device()
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(key.entry.name()),
                    layout: None,
                    module: &module,
                    entry_point: Some(key.entry.name()),
                    compilation_options: Default::default(),
                    cache: None,
                }))
        })?;
        cache.insert(key, pipeline.clone());
        Ok(pipeline)
    }

    /// The pipeline cache, locked. Every change is one insert, so a poisoned lock still holds a
    /// consistent map.
    pub(crate) fn pipeline_cache(
        &self,
    ) -> MutexGuard<'_, HashMap<KernelKey, wgpu::ComputePipeline>> {
        self.pipelines.lock().unwrap_or_else(|e| e.into_inner())
    }
}
