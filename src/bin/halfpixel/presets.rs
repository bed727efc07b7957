//! `halfpixel presets`: the named presets, what sets their output, and the call each mirrors.

use clap::{Args, ValueEnum};
use halfpixel::presets::named::{all, Accepts, Kind, NamedPreset, ALIASES};
use serde_json::{json, Value};

use crate::common::Fatal;

/// The arguments of `halfpixel presets`.
#[derive(Debug, Args)]
#[command(
    after_help = "Each line: the name `halfpixel resize --preset` takes, what sets its output \
        (--size, --scale or --block, as the framework call does) and the call it mirrors; then \
        the aliases.\n\n\
        Examples:\n  \
        halfpixel presets\n  \
        halfpixel presets --framework coreml\n  \
        halfpixel presets --framework tf1 --format md\n  \
        halfpixel presets --format json"
)]
pub(crate) struct PresetsArgs {
    /// Only the presets of one framework (torch, tf, keras, onnx, opencv, coreml, mps) or of a
    /// name prefix (tf1, coreml.nn, torch.bilinear)
    #[arg(long, value_name = "NAME")]
    framework: Option<String>,

    /// Output format: an aligned table, a Markdown table, or JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The formats `--format` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One preset a line, in aligned columns, then the aliases
    Text,
    /// Markdown tables (presets, then aliases), fit for a README
    Md,
    /// {"presets": [...], "aliases": [...]}
    Json,
}

/// Whether `preset` is selected by `filter` (its framework, or a dotted prefix of its name).
fn selected(preset: &NamedPreset, filter: Option<&str>) -> bool {
    match filter {
        None => true,
        Some(f) => {
            preset.framework == f || preset.name == f || preset.name.starts_with(&format!("{f}."))
        }
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Resize => "resize",
        Kind::DepthToSpace => "depth_to_space",
        Kind::SpaceToDepth => "space_to_depth",
    }
}

fn accepts_name(accepts: Accepts) -> &'static str {
    match accepts {
        Accepts::SizeOrScale => "size_or_scale",
        Accepts::Size => "size",
        Accepts::Scale => "scale",
        Accepts::IntegerScale => "integer_scale",
        Accepts::Block => "block",
    }
}

/// Escapes a Markdown table cell.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn text(presets: &[&NamedPreset], aliases: &[(&str, &str)]) -> String {
    let name_w = presets
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let usage_w = presets
        .iter()
        .map(|p| p.accepts.usage().chars().count())
        .max()
        .unwrap_or(0)
        .max(13);
    let mut out = format!(
        "{:name_w$}  {:usage_w$}  mirrors\n",
        "name", "output set by"
    );
    for p in presets {
        out.push_str(&format!(
            "{:name_w$}  {:usage_w$}  {}\n",
            p.name,
            p.accepts.usage(),
            p.mirrors
        ));
    }
    if !aliases.is_empty() {
        out.push_str("\naliases:\n");
        let alias_w = aliases.iter().map(|(a, _)| a.len()).max().unwrap_or(0);
        for (alias, name) in aliases {
            out.push_str(&format!("  {alias:alias_w$}  = {name}\n"));
        }
    }
    out.push_str(&format!(
        "\n{} presets, {} aliases\n",
        presets.len(),
        aliases.len()
    ));
    out
}

fn markdown(presets: &[&NamedPreset], aliases: &[(&str, &str)]) -> String {
    let mut out = String::from("| preset | output set by | mirrors |\n|---|---|---|\n");
    for p in presets {
        out.push_str(&format!(
            "| `{}` | {} | `{}` |\n",
            p.name,
            md_cell(p.accepts.usage()),
            md_cell(p.mirrors)
        ));
    }
    if !aliases.is_empty() {
        out.push_str("\n| alias | preset |\n|---|---|\n");
        for (alias, name) in aliases {
            out.push_str(&format!("| `{alias}` | `{name}` |\n"));
        }
    }
    out
}

fn to_json(presets: &[&NamedPreset], aliases: &[(&str, &str)]) -> Value {
    json!({
        "presets": presets.iter().map(|p| json!({
            "name": p.name,
            "framework": p.framework,
            "function": p.function,
            "mirrors": p.mirrors,
            "kind": kind_name(p.kind),
            "accepts": accepts_name(p.accepts),
            "usage": p.accepts.usage(),
        })).collect::<Vec<_>>(),
        "aliases": aliases.iter().map(|(a, n)| json!({"alias": a, "name": n})).collect::<Vec<_>>(),
    })
}

/// Runs `halfpixel presets`.
pub(crate) fn run(args: &PresetsArgs) -> Result<bool, Fatal> {
    let filter = args
        .framework
        .as_deref()
        .map(|f| f.trim().to_ascii_lowercase());
    let presets: Vec<&NamedPreset> = all()
        .iter()
        .filter(|p| selected(p, filter.as_deref()))
        .collect();
    if presets.is_empty() {
        let mut frameworks: Vec<&str> = all().iter().map(|p| p.framework).collect();
        frameworks.dedup();
        return Err(Fatal(format!(
            "no preset belongs to {:?}; the frameworks are {} (a name prefix such as tf1 or \
             coreml.nn works too)",
            args.framework.as_deref().unwrap_or(""),
            frameworks.join(", ")
        )));
    }
    let aliases: Vec<(&str, &str)> = ALIASES
        .iter()
        .filter(|(_, name)| presets.iter().any(|p| p.name == *name))
        .copied()
        .collect();
    match args.format {
        Format::Text => print!("{}", text(&presets, &aliases)),
        Format::Md => print!("{}", markdown(&presets, &aliases)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&to_json(&presets, &aliases))?
        ),
    }
    Ok(true)
}
