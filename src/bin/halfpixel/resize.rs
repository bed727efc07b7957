//! `halfpixel resize`: one named preset on one file, on the CPU or a GPU.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use halfpixel::presets::named::{by_name, NamedPreset, Request, Target};
use halfpixel::tensor_io::{
    check_writable, read_tensor, write_tensor, ElementType, FileFormat, LoadedTensor,
};
use halfpixel::{Backend, Error, Executor, InputDesc, Layout, Operation};

use crate::common::{panic_message, Fatal};

/// The arguments of `halfpixel resize`.
#[derive(Debug, Args)]
#[command(
    after_help = "Prints one line: the call, the backend that ran it, the input and output shapes \
        with the layout used and element types, and a warning when values were clamped to fit an \
        integer type. The layout is the preset's framework's unless --layout says otherwise (a \
        note on stderr says so for a 3-D or 4-D .npy). Exit \
        status: 0 when OUT was written; 2 on an unknown preset, a target the preset does not \
        take, a shape that does not fit, an unreadable or malformed file, or values or a shape \
        OUT cannot hold (nothing is written then).\n\n\
        Examples:\n  \
        halfpixel resize x.npy y.npy --preset torch.bilinear --scale 2\n  \
        halfpixel resize x.npy y.npy --preset tf1.bilinear.align_corners --size 180x200 --layout NHWC\n  \
        halfpixel resize photo.png big.png --preset opencv.inter_cubic --scale 2 --backend cpu\n  \
        halfpixel resize feat.npy out.npy --preset torch.pixel_shuffle --block 2 --dtype f16\n  \
        halfpixel resize x.npy y.npy --preset onnx --size 64x64 --attr mode=cubic --attr cubic_coeff_a=-0.5"
)]
pub(crate) struct ResizeArgs {
    /// The input: a .npy (any numeric dtype; 4-D in --layout, 3-D C×H×W (NCHW) or H×W×C (NHWC),
    /// 2-D H×W), or a .png / .jpg / .jpeg image (one image of 1 to 4 channels, values 0..255, or
    /// 0..65535 for a 16-bit PNG)
    #[arg(value_name = "IN")]
    input: PathBuf,

    /// The output: .npy (any rank), .png (1 to 4 channels, u8 or u16) or .jpg / .jpeg (1 or 3
    /// channels, u8); a 2-D or 3-D .npy input gives an output of the same rank
    #[arg(value_name = "OUT")]
    output: PathBuf,

    /// The named preset to run, e.g. torch.bilinear or tf1.bilinear.align_corners
    /// (`halfpixel presets` lists them all, with the flag each takes)
    #[arg(long, value_name = "NAME")]
    preset: String,

    /// Output height and width, e.g. 180x200
    #[arg(long, value_name = "HxW")]
    size: Option<String>,

    /// Scale factors for height and width, e.g. 2 (both axes) or 2,1.5
    #[arg(long, value_name = "S[,S]")]
    scale: Option<String>,

    /// The block size of a pixel shuffle / depth_to_space / space_to_depth preset
    #[arg(long, value_name = "B")]
    block: Option<String>,

    /// The layout of a 4-D (or 3-D) .npy input, and of the output [default: the preset's
    /// framework's: NHWC for tf, tf1, keras, tflite, opencv and pillow presets; NCHW for torch,
    /// onnx, coreml and mps]; an image reads the same either way
    #[arg(long, value_enum, ignore_case = true)]
    layout: Option<LayoutArg>,

    /// Where to run
    #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
    backend: BackendArg,

    /// An ONNX attribute for the onnx* presets, e.g. --attr mode=cubic --attr cubic_coeff_a=-0.5
    /// (repeatable; numbers are passed as numbers)
    #[arg(long = "attr", value_name = "NAME=VALUE")]
    attributes: Vec<String>,

    /// The element type written [default: the input's where OUT can hold it (an 8-bit image
    /// stays 8-bit, an f16 .npy stays f16), otherwise f32 for .npy and u8 for images]. Integer
    /// types round to nearest (ties to even) and clamp, with a warning saying how many values
    /// were clamped; NaN cannot be written as an integer
    #[arg(long, value_enum)]
    dtype: Option<DtypeArg>,
}

/// The layouts `--layout` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LayoutArg {
    /// Batch, channels, height, width
    #[value(name = "NCHW")]
    Nchw,
    /// Batch, height, width, channels
    #[value(name = "NHWC")]
    Nhwc,
}

impl From<LayoutArg> for Layout {
    fn from(l: LayoutArg) -> Self {
        match l {
            LayoutArg::Nchw => Layout::Nchw,
            LayoutArg::Nhwc => Layout::Nhwc,
        }
    }
}

/// The backends `--backend` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    /// The CPU kernels (the reference)
    Cpu,
    /// A GPU adapter, hardware first, else a software rasteriser such as llvmpipe
    /// (WGPU_BACKEND / WGPU_ADAPTER_NAME choose); fails when none opens
    Gpu,
    /// A hardware GPU when one opens, else the CPU; a software rasteriser only with
    /// HALFPIXEL_ALLOW_SOFTWARE_GPU=1 (the output line says which)
    Auto,
}

impl From<BackendArg> for Backend {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Cpu => Backend::Cpu,
            BackendArg::Gpu => Backend::Gpu,
            BackendArg::Auto => Backend::Auto,
        }
    }
}

/// The element types `--dtype` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DtypeArg {
    /// 32-bit float (.npy)
    F32,
    /// 16-bit float (.npy)
    F16,
    /// 8-bit unsigned integer (.npy, .png, .jpg)
    U8,
    /// 16-bit unsigned integer (.npy, .png)
    U16,
}

impl From<DtypeArg> for ElementType {
    fn from(d: DtypeArg) -> Self {
        match d {
            DtypeArg::F32 => ElementType::F32,
            DtypeArg::F16 => ElementType::F16,
            DtypeArg::U8 => ElementType::U8,
            DtypeArg::U16 => ElementType::U16,
        }
    }
}

/// Parses `HxW` (also `H,W`).
fn parse_size(text: &str) -> Result<[usize; 2], Fatal> {
    let bad = || {
        Fatal(format!(
            "--size {text:?}: expected HEIGHTxWIDTH with whole numbers of at least 1, e.g. 180x200"
        ))
    };
    let (h, w) = text.trim().split_once(['x', 'X', ',']).ok_or_else(bad)?;
    let parse = |s: &str| s.trim().parse::<usize>().ok().filter(|&v| v >= 1);
    match (parse(h), parse(w)) {
        (Some(h), Some(w)) => Ok([h, w]),
        _ => Err(bad()),
    }
}

/// Parses `S` (both axes) or `SH,SW`.
fn parse_scale(text: &str) -> Result<[f64; 2], Fatal> {
    let bad = || {
        Fatal(format!(
            "--scale {text:?}: expected one scale factor for both axes or HEIGHT,WIDTH factors, \
             finite and greater than 0, e.g. 2 or 2,1.5"
        ))
    };
    let parse = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let parts: Vec<&str> = text.split(',').collect();
    match parts.as_slice() {
        [s] => parse(s).map(|v| [v, v]).ok_or_else(bad),
        [h, w] => match (parse(h), parse(w)) {
            (Some(h), Some(w)) => Ok([h, w]),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn parse_block(text: &str) -> Result<usize, Fatal> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|&b| b >= 1)
        .ok_or_else(|| {
            Fatal(format!(
                "--block {text:?}: expected a whole number of at least 1, e.g. 2"
            ))
        })
}

/// The one target among --size, --scale and --block.
fn target(args: &ResizeArgs, preset: &NamedPreset) -> Result<Target, Fatal> {
    let given = [
        args.size.is_some(),
        args.scale.is_some(),
        args.block.is_some(),
    ]
    .iter()
    .filter(|&&g| g)
    .count();
    if given != 1 {
        return Err(Fatal(format!(
            "{} one of --size HxW, --scale S[,S] or --block B; {} takes {}",
            if given == 0 { "give" } else { "give only" },
            preset.name,
            preset.accepts.usage()
        )));
    }
    if let Some(s) = &args.size {
        Ok(Target::Size(parse_size(s)?))
    } else if let Some(s) = &args.scale {
        Ok(Target::Scale(parse_scale(s)?))
    } else {
        Ok(Target::Block(parse_block(
            args.block.as_deref().unwrap_or(""),
        )?))
    }
}

/// Parses `NAME=VALUE` attributes.
fn attributes(args: &ResizeArgs) -> Result<Vec<(String, String)>, Fatal> {
    args.attributes
        .iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(Fatal(format!(
                "--attr {a:?}: expected NAME=VALUE, e.g. --attr coordinate_transformation_mode=asymmetric"
            ))),
        })
        .collect()
}

/// Opens the backend; a panic in a driver counts as no GPU (auto) or an error (gpu).
fn executor(backend: BackendArg) -> Result<Executor, Fatal> {
    match catch_unwind(AssertUnwindSafe(|| Executor::new(backend.into()))) {
        Ok(Ok(exec)) => Ok(exec),
        Ok(Err(e)) => Err(Fatal(format!("{e}; use --backend cpu or auto"))),
        Err(p) => {
            let reason = format!("opening a GPU panicked: {}", panic_message(p));
            if backend != BackendArg::Auto {
                return Err(Fatal(format!("{reason}; use --backend cpu")));
            }
            eprintln!("note: {reason}; running on the CPU");
            Ok(Executor::new(Backend::Cpu)?)
        }
    }
}

fn shape_text(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// The arguments of a resize, checked before any file is read.
pub(crate) struct Checked<'a> {
    preset: &'static NamedPreset,
    target: Target,
    attributes: Vec<(String, String)>,
    /// `--layout`, else the preset's framework's ([`NamedPreset::layout`]).
    layout: Layout,
    /// Whether the layout came from the preset rather than `--layout`.
    layout_from_preset: bool,
    args: &'a ResizeArgs,
}

/// Checks the preset, its target and the attributes.
pub(crate) fn check(args: &ResizeArgs) -> Result<Checked<'_>, Fatal> {
    let preset = by_name(&args.preset)?;
    Ok(Checked {
        preset,
        target: target(args, preset)?,
        attributes: attributes(args)?,
        layout: args.layout.map_or_else(|| preset.layout(), Layout::from),
        layout_from_preset: args.layout.is_none(),
        args,
    })
}

impl Checked<'_> {
    /// The operation for an input of `dims` (N, C, H, W) and its output's dims. Sizes past the
    /// library's limits are refused here; an output larger than memory when it is allocated.
    pub(crate) fn operation(&self, dims: [usize; 4]) -> Result<(Operation, [usize; 4]), Fatal> {
        let request = Request {
            target: self.target,
            input: dims,
            attributes: &self.attributes,
        };
        let op = self.preset.build(&request)?;
        let out_nchw = op.output_dims(&InputDesc {
            dims,
            layout: self.layout,
        })?;
        Ok((op, out_nchw))
    }
}

/// Runs `halfpixel resize`.
pub(crate) fn run(args: &ResizeArgs) -> Result<bool, Fatal> {
    let checked = check(args)?;
    let layout = checked.layout;
    let input: LoadedTensor = read_tensor(&checked.args.input, layout)?;
    let (op, out_nchw) = checked.operation(input.dims_nchw())?;
    let out_shape = layout.shape(out_nchw);

    // What the framework itself gives for this input type (TensorFlow: float32 from 8-bit),
    // or, where it has no integer arithmetic halfpixel reproduces, a float computation that
    // is said to be one.
    let typed = input.tensor();
    let desc = InputDesc {
        dims: input.dims_nchw(),
        layout,
    };
    let ty = typed.element_type();
    let (framework_type, arithmetic, float_instead) = match op.integer_path(&desc, ty) {
        Ok(Some(path)) => (
            op.output_element_type(&desc, ty)?,
            format!(" ({})", path.describe(ty)),
            None,
        ),
        // Float data: written back in the file's own float type (f16 stays f16) by default.
        Ok(None) => (input.element_type, String::new(), None),
        Err(Error::Unsupported { .. }) => (
            ty,
            " (float32 arithmetic, not the framework's)".to_string(),
            Some(format!(
                "{} defines no {ty} arithmetic that halfpixel reproduces: computed in float32 \
                 on the values and rounded half to even by halfpixel; the framework's own {ty} \
                 result may differ",
                op.describe()
            )),
        ),
        Err(e) => return Err(e.into()),
    };

    // Decide what is written, and refuse what cannot be, before any work is done.
    let out_format = FileFormat::from_path(&args.output)?;
    let element_type = match args.dtype {
        Some(d) => d.into(),
        None => out_format.element_type_for(framework_type),
    };
    check_writable(&args.output, &out_shape, layout, element_type)?;

    if let Some(conversion) = &input.conversion {
        eprintln!("warning: {conversion}");
    }
    if let Some(note) = &float_instead {
        eprintln!("warning: {note}");
    }
    if let Some(caveat) = op.caveat(&desc, ty) {
        eprintln!("note: {caveat}");
    }
    let exec = executor(args.backend)?;
    let output = if float_instead.is_some() {
        exec.run(&op, input.array.view(), layout)?
    } else {
        exec.run_tensor(&op, typed.view(), layout)?.to_f32()
    };
    // Device trouble the executor got around (a GPU lost mid-way, the work redone on the CPU).
    for warning in exec.warnings() {
        eprintln!("warning: {warning}");
    }
    let output = input.restore_rank(output)?;
    let report = write_tensor(&args.output, output.view(), layout, element_type)?;

    // Where the layout decides how the file is read (a 3-D or 4-D array), say where it came from
    // (once the run succeeded, so that an error stays the one line on stderr).
    if checked.layout_from_preset && input.format == FileFormat::Npy && input.file_shape.len() >= 3
    {
        let other = match layout {
            Layout::Nchw => "NHWC",
            Layout::Nhwc => "NCHW",
        };
        eprintln!(
            "note: layout {} ({} tensors are {}); give --layout {other} if the data is not",
            layout.name(),
            checked.preset.framework,
            layout.name()
        );
    }
    let written = if output.shape() == out_shape.as_slice() {
        String::new()
    } else {
        format!(" (written as {})", shape_text(output.shape()))
    };
    let mut line = format!(
        "{}{arithmetic} | {} | {} {} {} {} → {} {} {} {}{written}",
        op.describe(),
        exec.describe(),
        display(&args.input),
        shape_text(input.array.shape()),
        layout.name(),
        input.element_type,
        display(&args.output),
        shape_text(&out_shape),
        layout.name(),
        element_type,
    );
    for w in report.warnings() {
        line.push_str(" | warning: ");
        line.push_str(&w);
    }
    println!("{line}");
    Ok(true)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
