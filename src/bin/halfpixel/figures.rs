//! `halfpixel figures`: the article's pictures, made by the library.

use std::path::PathBuf;

use clap::Args;
use halfpixel::figures::{render_all, FigureInput, FigureOptions, Method, DEFAULT_METHODS};

use crate::common::Fatal;

/// The arguments of `halfpixel figures`.
#[derive(Debug, Args)]
#[command(
    after_help = "Writes into DIR: input.png; output.<method>.png for each method; \
    diff.<a>--<b>.png for each pair of methods (a − b); flip.<first>--<method>.gif flipping \
    between the first method and each other one (600 ms a frame, looping); cycle.gif through \
    every output; overview.png and differences.png side by side; and figures.md, which lists \
    the files and gives the max |difference| of every pair and of each method's equivalent calls \
    in other frameworks. Values share one viridis colour scale (min to max over the input and \
    every output), differences one symmetric diverging scale; NaN is drawn magenta. Prints the \
    files written, one a line. Exit status: 0 when everything was written; 2 on an unreadable \
    input, an unknown method, a channel the input lacks, pictures too large, or a DIR that \
    cannot be written.\n\n\
    Examples:\n  \
    halfpixel figures --out figures\n  \
    halfpixel figures --out figs --methods torch.nearest,tf1.bilinear,coreml.nn.resize_bilinear.strict_align_endpoints\n  \
    halfpixel figures --out figs --input feature.npy --channel 3 --scale 3 --cell 12\n  \
    halfpixel figures --out figs --input photo.png --scale 0.5"
)]
pub(crate) struct FiguresArgs {
    /// The folder to write into (created if needed; files of the same names are replaced)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// The map to draw [default: the article's 9×10 feature map, from the corpus shipped with
    /// the sources]: a .npy (2-D H×W, 3-D C×H×W or 4-D N×C×H×W; batch item 0), or a .png /
    /// .jpg / .jpeg image (drawn as its luminance 0.299·R + 0.587·G + 0.114·B when it is RGB or
    /// RGBA and no --channel is given, else channel 0)
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,

    /// The scale factor of both axes
    #[arg(long, value_name = "S", default_value_t = 2.0)]
    scale: f64,

    /// The channel to draw from a multi-channel input [default: 0; luminance for RGB images]
    #[arg(long, value_name = "K")]
    channel: Option<usize>,

    /// Comma-separated resize presets to draw (`halfpixel presets` lists them); the first is the
    /// one every animation flips against
    /// [default: torch.nearest,tf1.bilinear,torch.bilinear.align_corners,torch.bilinear]
    #[arg(long, value_name = "LIST")]
    methods: Option<String>,

    /// The side in pixels of the square each output value becomes [default: about 400 pixels
    /// across an output, at most 48]; the input's squares are scaled by the resize factor
    #[arg(long, value_name = "PIXELS")]
    cell: Option<u32>,
}

/// Runs `halfpixel figures`.
pub(crate) fn run(args: &FiguresArgs) -> Result<bool, Fatal> {
    let methods = match &args.methods {
        Some(list) => Method::parse_list(list)?,
        None => Method::parse_list(&DEFAULT_METHODS.join(","))?,
    };
    let input = match &args.input {
        Some(path) => FigureInput::from_file(path, args.channel)?,
        None => {
            let article = FigureInput::article()?;
            if let Some(k) = args.channel.filter(|&k| k > 0) {
                return Err(Fatal(format!(
                    "--channel {k}: the article's feature map has one channel (0); give --input \
                     for another map"
                )));
            }
            article
        }
    };
    let options = FigureOptions {
        scale: args.scale,
        cell: args.cell,
    };
    let files = render_all(&input, &methods, &args.out, &options)?;
    for f in &files {
        println!("{}  {}", f.path.display(), f.description);
    }
    Ok(true)
}
