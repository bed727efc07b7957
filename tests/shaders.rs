//! Every WGSL kernel variant parses and validates with naga (no GPU needed), and is translated by
//! naga the way each wgpu backend translates it: to GLSL ES 3.10 (the f32 variants; wgpu's GL
//! backend), to SPIR-V (Vulkan; checked with `spirv-val` from SPIRV-Tools when it is installed),
//! to MSL (Metal) and to HLSL (DX12). Each translation is validated against that backend's own
//! capabilities. Only the Vulkan and GL translations are also run here (lavapipe, llvmpipe GL);
//! the MSL and HLSL text is checked by naga alone, not by Apple's or Microsoft's compilers.
//!
//! Without `spirv-val` the SPIR-V test still translates every kernel and says that it skipped
//! the validator, unless `HALFPIXEL_REQUIRE_SPIRV_VAL=1` (set by `.ci/run`, which installs
//! Debian's `spirv-tools`): then a missing validator is a failure.

use std::path::PathBuf;
use std::process::Command;

use halfpixel::gpu::{all_sources, entry_point};

fn validate(name: &str, source: &str) -> (naga::Module, naga::valid::ModuleInfo) {
    validate_for(name, source, naga::valid::Capabilities::all())
}

/// Parses and validates a kernel with the capabilities a backend supports.
fn validate_for(
    name: &str,
    source: &str,
    capabilities: naga::valid::Capabilities,
) -> (naga::Module, naga::valid::ModuleInfo) {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{name}: WGSL parse error:\n{}", e.emit_to_string(source)));
    let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), capabilities)
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: validation error: {e:?}"));
    (module, info)
}

#[test]
fn every_kernel_validates() {
    let sources = all_sources();
    assert!(sources.len() >= 18);
    for (name, source) in &sources {
        let (module, _) = validate(name, source);
        let entry = entry_point(name);
        assert!(
            module.entry_points.iter().any(|e| e.name == entry),
            "{name}: no entry point {entry}"
        );
    }
}

#[test]
fn f32_kernels_translate_to_glsl_es() {
    for (name, source) in all_sources().iter().filter(|(n, _)| n.ends_with(":F32")) {
        let (module, info) = validate(name, source);
        let entry = entry_point(name);
        let options = naga::back::glsl::Options {
            version: naga::back::glsl::Version::Embedded {
                version: 310,
                is_webgl: false,
            },
            ..Default::default()
        };
        let pipeline_options = naga::back::glsl::PipelineOptions {
            shader_stage: naga::ShaderStage::Compute,
            entry_point: entry.to_string(),
            multiview: None,
        };
        let mut out = String::new();
        let mut writer = naga::back::glsl::Writer::new(
            &mut out,
            &module,
            &info,
            &options,
            &pipeline_options,
            naga::proc::BoundsCheckPolicies::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: GLSL writer: {e:?}"));
        writer
            .write()
            .unwrap_or_else(|e| panic!("{name}: GLSL output: {e:?}"));
        assert!(out.contains("void main"), "{name}");
    }
}

#[test]
fn no_number_is_formatted_into_shader_text() {
    // Sizes, scales and weights are run-time data: the only difference between variants is the
    // storage-type prelude.
    for (name, source) in all_sources() {
        let prelude: Vec<&str> = source
            .lines()
            .take_while(|l| !l.starts_with("//") && !l.trim().is_empty())
            .collect();
        for line in prelude {
            assert!(
                line.starts_with("alias ") || line.starts_with("enable f16"),
                "{name}: unexpected prelude line {line:?}"
            );
        }
    }
}

#[test]
fn preprocessing_kernels_are_among_the_validated_sources() {
    // The image preprocessing entry points (buffer and texture frames, f32 and f16 outputs) go
    // through every check above.
    let names: Vec<String> = all_sources().into_iter().map(|(n, _)| n).collect();
    for name in [
        "pre_buffer:F32",
        "pre_buffer:F16",
        "pre_texture:F32",
        "pre_texture:F16",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
}

/// Every file of `shaders/` (`exact.wgsl` included) is part of some kernel variant, so each is
/// validated and translated by the tests of this file.
#[test]
fn every_shader_file_is_among_the_translated_sources() {
    let sources = all_sources();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("shaders/") {
        let path = entry.expect("a directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("wgsl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a WGSL file");
        assert!(
            sources.iter().any(|(_, s)| s.contains(text.trim())),
            "{} is in no kernel variant",
            path.display()
        );
        files += 1;
    }
    assert!(files >= 8, "{files} WGSL files in {}", dir.display());
    assert!(sources.iter().any(|(n, _)| n.starts_with("exact:")));
}

/// `spirv-val`, when it is installed (Debian: `spirv-tools`).
fn spirv_val() -> Option<&'static str> {
    let found = Command::new("spirv-val")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("spirv-val");
    }
    let required = matches!(
        std::env::var("HALFPIXEL_REQUIRE_SPIRV_VAL").as_deref(),
        Ok("1") | Ok("true") | Ok("yes")
    );
    assert!(
        !required,
        "HALFPIXEL_REQUIRE_SPIRV_VAL=1 but spirv-val is not on PATH (apt-get install spirv-tools)"
    );
    eprintln!(
        "spirv-val not found (apt-get install spirv-tools): SPIR-V translated, not validated"
    );
    None
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("halfpixel-spirv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every kernel, f32 and f16, to SPIR-V as wgpu's Vulkan backend writes it for a Vulkan 1.0
/// device (SPIR-V 1.0) and a Vulkan 1.3 device (SPIR-V 1.6), each checked by `spirv-val` for
/// that environment.
#[test]
fn every_kernel_translates_to_valid_spirv() {
    let validator = spirv_val();
    let scratch = Scratch::new();
    let mut validated = 0;
    for (name, source) in all_sources() {
        let (module, info) =
            validate_for(&name, &source, naga::back::spv::supported_capabilities());
        let entry = entry_point(&name);
        for (version, env) in [((1, 0), "vulkan1.0"), ((1, 6), "vulkan1.3")] {
            let options = naga::back::spv::Options {
                lang_version: version,
                ..Default::default()
            };
            let pipeline = naga::back::spv::PipelineOptions {
                shader_stage: naga::ShaderStage::Compute,
                entry_point: entry.to_string(),
            };
            let words = naga::back::spv::write_vec(&module, &info, &options, Some(&pipeline))
                .unwrap_or_else(|e| panic!("{name}: SPIR-V {version:?} writer: {e}"));
            assert_eq!(
                words.first(),
                Some(&0x0723_0203),
                "{name}: SPIR-V magic number"
            );
            let Some(validator) = validator else {
                continue;
            };
            let file = scratch
                .0
                .join(format!("{}.{env}.spv", name.replace(':', "_")));
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            std::fs::write(&file, bytes).expect("write the SPIR-V");
            let out = Command::new(validator)
                .args(["--target-env", env])
                .arg(&file)
                .output()
                .expect("run spirv-val");
            assert!(
                out.status.success(),
                "{name}: spirv-val --target-env {env} refuses naga's SPIR-V {version:?}:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            validated += 1;
        }
    }
    if validator.is_some() {
        assert_eq!(validated, 2 * all_sources().len());
    }
}

/// Every kernel, f32 and f16, to the Metal Shading Language as wgpu's Metal backend writes it
/// (MSL 2.1, the oldest version with everything the kernels use, and MSL 3.0).
#[test]
fn every_kernel_translates_to_msl() {
    for (name, source) in all_sources() {
        let (module, info) =
            validate_for(&name, &source, naga::back::msl::supported_capabilities());
        let entry = entry_point(&name);
        for version in [(2, 1), (3, 0)] {
            let options = naga::back::msl::Options {
                lang_version: version,
                ..Default::default()
            };
            let pipeline = naga::back::msl::PipelineOptions {
                entry_point: Some((naga::ShaderStage::Compute, entry.to_string())),
                ..Default::default()
            };
            let (text, translation) =
                naga::back::msl::write_string(&module, &info, &options, &pipeline)
                    .unwrap_or_else(|e| panic!("{name}: MSL {version:?} writer: {e}"));
            for written in &translation.entry_point_names {
                assert!(written.is_ok(), "{name}: MSL {version:?}: {written:?}");
            }
            assert!(
                text.contains("kernel void"),
                "{name}: MSL {version:?} has no kernel"
            );
            if source.starts_with("enable f16;") {
                assert!(text.contains("half"), "{name}: f16 storage is half in MSL");
            }
        }
    }
}

/// Every kernel to HLSL as wgpu's DX12 backend writes it: the f32 variants for shader model 5.1
/// (FXC) and 6.0 (DXC), the f16 variants for 6.2, the first with 16-bit types (what wgpu asks
/// for when a device has `SHADER_F16`).
#[test]
fn every_kernel_translates_to_hlsl() {
    use naga::back::hlsl::ShaderModel;
    for (name, source) in all_sources() {
        let (module, info) =
            validate_for(&name, &source, naga::back::hlsl::supported_capabilities());
        let entry = entry_point(&name);
        let models: &[ShaderModel] = if name.ends_with(":F16") {
            &[ShaderModel::V6_2]
        } else {
            &[ShaderModel::V5_1, ShaderModel::V6_0]
        };
        for &model in models {
            let options = naga::back::hlsl::Options {
                shader_model: model,
                ..Default::default()
            };
            let pipeline = naga::back::hlsl::PipelineOptions {
                entry_point: Some((naga::ShaderStage::Compute, entry.to_string())),
            };
            let mut text = String::new();
            let reflection = naga::back::hlsl::Writer::new(&mut text, &options, &pipeline)
                .write(&module, &info, None)
                .unwrap_or_else(|e| panic!("{name}: HLSL {model:?} writer: {e}"));
            for written in &reflection.entry_point_names {
                assert!(written.is_ok(), "{name}: HLSL {model:?}: {written:?}");
            }
            assert!(
                text.contains("[numthreads("),
                "{name}: HLSL {model:?} has no compute entry point"
            );
            if source.starts_with("enable f16;") {
                assert!(text.contains("half"), "{name}: f16 storage is half in HLSL");
            }
        }
    }
}
