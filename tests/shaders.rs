//! Every WGSL kernel variant parses and validates with naga (no GPU needed), and the f32 variants
//! translate to GLSL ES 3.10 for wgpu's GL backend.

use halfpixel::gpu::{all_sources, entry_point};

fn validate(name: &str, source: &str) -> (naga::Module, naga::valid::ModuleInfo) {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{name}: WGSL parse error:\n{}", e.emit_to_string(source)));
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
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
