//! Steady state on the CPU: an [`Operation`] run again on the same input shape reuses its
//! prepared kernel and allocates nothing (counted by a global allocator), and the per-shape cache
//! never hands one shape's kernel to another.

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use halfpixel::presets::torch;
use halfpixel::tensor::ElementType;
use halfpixel::{workloads, InputDesc, Layout, Operation};
use ndarray::Array4;

/// Counts every allocation and reallocation of the process, on every thread.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: AllocLayout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: AllocLayout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The tests run one at a time: the counter sees every allocation of every thread of the
/// process, so another test allocating meanwhile would be counted.
static COUNTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn input(shape: [usize; 4]) -> Array4<f32> {
    Array4::from_shape_fn((shape[0], shape[1], shape[2], shape[3]), |(a, b, c, d)| {
        ((a * 7 + b * 5 + c * 3 + d) % 17) as f32 * 0.25 - 1.0
    })
}

/// Every f32 workload (W1–W6 and the NHWC variants), in a pool of 2 threads: after the first
/// calls, `run_cpu_into` allocates nothing at all.
#[test]
fn run_cpu_into_allocates_nothing_in_steady_state() {
    let _one_at_a_time = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for w in workloads::all()
        .into_iter()
        .filter(|w| w.element == ElementType::F32)
    {
        let op = w.operation().unwrap();
        let x = input(w.input_shape());
        let mut y = op.run_cpu(x.view(), w.layout).unwrap();
        // Warm up on every thread of the pool: each grows its scratch for this shape.
        pool.broadcast(|_| {
            let mut z = y.clone();
            op.run_cpu_into(x.view(), w.layout, z.view_mut()).unwrap();
        });
        let reference = y.clone();
        let allocations = pool.install(|| {
            op.run_cpu_into(x.view(), w.layout, y.view_mut()).unwrap();
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            for _ in 0..5 {
                op.run_cpu_into(x.view(), w.layout, y.view_mut()).unwrap();
            }
            ALLOCATIONS.load(Ordering::SeqCst) - before
        });
        assert_eq!(
            allocations, 0,
            "{}: {allocations} allocations in 5 steady-state calls",
            w.name
        );
        assert_eq!(y, reference, "{}: steady-state output differs", w.name);
    }
}

/// Every 8-bit workload (W7: OpenCV's INTER_AREA, PyTorch's and Pillow's antialiased bilinear,
/// each in its framework's exact 8-bit arithmetic), in a pool of 2 threads: after the first
/// calls, `run_cpu_u8_into` allocates nothing (the exact plan is cached per shape and the fast
/// path keeps its rows and tap tables per thread).
#[test]
fn run_cpu_u8_into_allocates_nothing_in_steady_state() {
    let _one_at_a_time = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for w in workloads::all()
        .into_iter()
        .filter(|w| w.element == ElementType::U8)
    {
        let op = w.operation().unwrap();
        let s = w.input_shape();
        let x = Array4::from_shape_fn((s[0], s[1], s[2], s[3]), |(a, b, c, d)| {
            ((a * 7 + b * 5 + c * 3 + d) % 251) as u8
        });
        let out = w.layout.shape(
            op.output_dims(&InputDesc {
                dims: w.input,
                layout: w.layout,
            })
            .unwrap(),
        );
        let mut y = Array4::<u8>::zeros((out[0], out[1], out[2], out[3]));
        pool.broadcast(|_| {
            let mut z = y.clone();
            op.run_cpu_u8_into(x.view(), w.layout, z.view_mut())
                .unwrap();
        });
        let allocations = pool.install(|| {
            op.run_cpu_u8_into(x.view(), w.layout, y.view_mut())
                .unwrap();
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            for _ in 0..3 {
                op.run_cpu_u8_into(x.view(), w.layout, y.view_mut())
                    .unwrap();
            }
            ALLOCATIONS.load(Ordering::SeqCst) - before
        });
        assert_eq!(
            allocations, 0,
            "{}: {allocations} allocations in 3 steady-state calls",
            w.name
        );
    }
}

/// One operation used on more shapes than the cache holds, in an interleaved order: every call
/// equals a fresh operation's result for that shape.
#[test]
fn the_kernel_cache_keeps_shapes_apart() {
    let _one_at_a_time = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
    let op = torch::Interpolate::scale_factor([2.0, 1.5], torch::Mode::Bilinear)
        .align_corners(false)
        .build()
        .unwrap();
    let shapes: Vec<[usize; 4]> = (0..12)
        .map(|i| [1 + i % 2, 2 + i % 3, 3 + i, 5 + 2 * i])
        .collect();
    let n = shapes.len();
    for round in 0..3 {
        // Forwards, backwards, then a stride coprime with 12: every shape misses and hits.
        let order: Vec<usize> = match round {
            0 => (0..n).collect(),
            1 => (0..n).rev().collect(),
            _ => (0..n).map(|i| (i * 5) % n).collect(),
        };
        for i in order {
            let dims = shapes[i];
            for layout in [Layout::Nchw, Layout::Nhwc] {
                let x = input(layout.shape(dims));
                let got = op.run_cpu(x.view(), layout).unwrap();
                let fresh = torch::Interpolate::scale_factor([2.0, 1.5], torch::Mode::Bilinear)
                    .align_corners(false)
                    .build()
                    .unwrap()
                    .run_cpu(x.view(), layout)
                    .unwrap();
                assert_eq!(got, fresh, "shape {dims:?} {layout:?} round {round}");
                let out = op.output_dims(&InputDesc { dims, layout }).unwrap();
                assert_eq!(layout.shape(out), got.shape());
            }
        }
    }
}

/// A clone shares the cache; a prepared kernel refuses an input of another shape with a typed
/// error instead of reading out of bounds.
#[test]
fn a_prepared_kernel_refuses_other_shapes() {
    let _one_at_a_time = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
    let op: Operation = torch::Interpolate::size([8, 8], torch::Mode::Bilinear)
        .build()
        .unwrap();
    let Operation::Resize(resize) = op.clone() else {
        panic!("a resize preset builds Operation::Resize");
    };
    let desc = InputDesc {
        dims: [1, 3, 4, 4],
        layout: Layout::Nchw,
    };
    let kernel = resize.kernel(&desc).unwrap();
    assert_eq!(kernel.output_dims(), [1, 3, 8, 8]);
    assert!(std::sync::Arc::ptr_eq(
        &kernel,
        &resize.kernel(&desc).unwrap()
    ));
    let other = input([1, 3, 5, 4]);
    let mut y = Array4::<f32>::zeros((1, 3, 8, 8));
    let err = kernel.run_into(other.view(), y.view_mut()).unwrap_err();
    assert!(
        matches!(err, halfpixel::Error::ShapeMismatch { .. }),
        "{err}"
    );
    let err = kernel
        .run_into(
            input([1, 3, 4, 4]).view(),
            Array4::zeros((1, 3, 8, 9)).view_mut(),
        )
        .unwrap_err();
    assert!(
        matches!(err, halfpixel::Error::ShapeMismatch { .. }),
        "{err}"
    );
}
