//! Device trouble: wgpu errors captured with error scopes, errors reported outside any scope,
//! and a lost device, all turned into [`Error`]s instead of panics.
//!
//! wgpu reports a validation, out-of-memory or internal error to the innermost error scope of the
//! calling thread (`Device::push_error_scope`), and otherwise to the device's uncaptured-error
//! handler, whose default panics. It reports a lost device (a driver reset, an unplugged GPU,
//! `Device::destroy`) once, to the callback of `Device::set_device_lost_callback`, on the poll
//! that notices it; operations on a lost device are silently dropped, and a blocking
//! `Device::poll` panics when the driver itself reports the loss.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::error::{Error, Result};

/// How long [`Watched::read_mapped`] waits, in total, for a map callback after the device is
/// idle before it gives up (the callback normally fires within the poll that waited).
const MAP_PATIENCE: Duration = Duration::from_secs(60);

/// How many times (5 ms apart) [`Watched::lost_or`] looks for the loss callback after a failure
/// that only a destroyed device explains.
const LOSS_CALLBACK_POLLS: usize = 40;

/// Locks a mutex whose every change is a single assignment, so a poisoned lock still holds a
/// consistent value.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Errors wgpu reported outside any error scope since the last check: the first, and how many.
#[derive(Debug, Default)]
struct Uncaptured {
    first: Option<String>,
    count: usize,
}

/// What halfpixel has learned about a device's health, shared with the callbacks it installs.
#[derive(Debug, Default)]
pub(crate) struct Health {
    lost: AtomicBool,
    lost_reason: Mutex<Option<String>>,
    uncaptured: Mutex<Uncaptured>,
}

impl Health {
    /// Records that the device is lost (the first reason is kept).
    fn mark_lost(&self, reason: String) {
        let mut slot = lock(&self.lost_reason);
        if slot.is_none() {
            *slot = Some(reason);
        }
        self.lost.store(true, Ordering::Release);
    }

    /// Records an error reported outside any error scope (only the first one's text is kept).
    fn record_uncaptured(&self, error: &wgpu::Error) {
        let mut slot = lock(&self.uncaptured);
        if slot.first.is_none() {
            slot.first = Some(error.to_string());
        }
        slot.count += 1;
    }

    /// The loss, as an error, if the device is known to be lost.
    fn lost_error(&self) -> Option<Error> {
        if !self.lost.load(Ordering::Acquire) {
            return None;
        }
        let reason = lock(&self.lost_reason)
            .clone()
            .unwrap_or_else(|| "no reason given".into());
        Some(Error::DeviceLost { reason })
    }

    /// Takes the errors recorded outside any scope, as one [`Error::Gpu`].
    fn take_uncaptured(&self) -> Option<Error> {
        let Uncaptured { first, count } = std::mem::take(&mut *lock(&self.uncaptured));
        let first = first?;
        let during = if count == 1 {
            "earlier work on this device (reported outside an error scope)".to_string()
        } else {
            format!("earlier work on this device ({count} errors reported outside an error scope; the first)")
        };
        Some(Error::Gpu {
            during,
            reason: first,
        })
    }
}

/// The loss reason as halfpixel reports it.
fn loss_text(reason: wgpu::DeviceLostReason, message: &str) -> String {
    let what = match reason {
        wgpu::DeviceLostReason::Destroyed => "wgpu::Device::destroy was called",
        _ => "the driver reported the device lost",
    };
    if message.trim().is_empty() {
        what.to_string()
    } else {
        format!("{what}: {}", message.trim())
    }
}

/// The text of a caught panic.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".into()
    }
}

/// A device and what halfpixel knows of its health. Cloning shares the health.
#[derive(Debug, Clone)]
pub(crate) struct Watched {
    device: wgpu::Device,
    health: Arc<Health>,
}

impl Watched {
    /// Watches `device`; no callback is installed yet (see [`Watched::install_handlers`]).
    pub(crate) fn new(device: wgpu::Device) -> Self {
        Watched {
            device,
            health: Arc::default(),
        }
    }

    /// The device.
    pub(crate) fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// Installs halfpixel's uncaptured-error handler (`Device::on_uncaptured_error`, replacing
    /// wgpu's default, which panics) and device-lost callback (`Device::set_device_lost_callback`).
    /// Only for devices halfpixel created: each replaces whatever was installed before.
    pub(crate) fn install_handlers(&self) {
        self.device
            .on_uncaptured_error(Arc::new(self.uncaptured_error_handler()));
        self.device
            .set_device_lost_callback(self.device_lost_callback());
    }

    /// A handler for `Device::on_uncaptured_error` that records the error for the next call.
    pub(crate) fn uncaptured_error_handler(&self) -> impl Fn(wgpu::Error) + Send + Sync + 'static {
        let health = Arc::clone(&self.health);
        move |error| health.record_uncaptured(&error)
    }

    /// A callback for `Device::set_device_lost_callback` that marks the device lost.
    pub(crate) fn device_lost_callback(
        &self,
    ) -> impl Fn(wgpu::DeviceLostReason, String) + Send + 'static {
        let health = Arc::clone(&self.health);
        move |reason, message| health.mark_lost(loss_text(reason, &message))
    }

    /// Polls the device without blocking (`Device::poll(PollType::Poll)`), which delivers a
    /// pending device-lost notice; a poll that panics marks the device lost.
    fn poll_for_loss(&self) {
        if self.health.lost.load(Ordering::Acquire) {
            return;
        }
        let polled = catch_unwind(AssertUnwindSafe(|| self.device.poll(wgpu::PollType::Poll)));
        if let Err(payload) = polled {
            self.health.mark_lost(format!(
                "wgpu's Device::poll panicked: {}",
                panic_text(payload.as_ref())
            ));
        }
    }

    /// Whether the device is lost, after a non-blocking poll.
    pub(crate) fn is_lost(&self) -> bool {
        self.poll_for_loss();
        self.health.lost.load(Ordering::Acquire)
    }

    /// The check every public entry point makes before any work: [`Error::DeviceLost`] on a lost
    /// device, then [`Error::Gpu`] for errors reported outside an error scope since the last call.
    pub(crate) fn check(&self) -> Result<()> {
        self.poll_for_loss();
        self.check_known()
    }

    /// [`check`](Self::check) without the poll, for the per-frame path of bound work
    /// (`BoundOperation::encode`): a loss is known once anything polled the device (the
    /// application's own `Device::poll`, or halfpixel's), and polling a caller's device on every
    /// encode would run its map callbacks at a moment it did not choose.
    pub(crate) fn check_known(&self) -> Result<()> {
        if let Some(e) = self.health.lost_error() {
            return Err(e);
        }
        match self.health.take_uncaptured() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `error`, or [`Error::DeviceLost`] when the device turns out to be lost (a failure on a
    /// lost device is the loss, not the failure it looks like).
    ///
    /// halfpixel never destroys its own buffers (`Buffer::destroy`; their labels start with
    /// `halfpixel`), so a failure saying one "has been destroyed" means its device was: `Device::destroy` destroys every resource at
    /// once, while the loss callback fires later, on some thread's poll. Another thread may be
    /// running that callback right now, so this waits briefly for it, and records the loss
    /// itself if the callback does not come.
    pub(crate) fn lost_or(&self, error: Error) -> Error {
        self.poll_for_loss();
        if let Some(lost) = self.health.lost_error() {
            return lost;
        }
        let own_buffer_destroyed = |reason: &str| {
            reason.contains("Buffer with 'halfpixel") && reason.contains("label has been destroyed")
        };
        let destroyed = matches!(&error, Error::Gpu { reason, .. } if own_buffer_destroyed(reason));
        if !destroyed {
            return error;
        }
        for _ in 0..LOSS_CALLBACK_POLLS {
            std::thread::sleep(Duration::from_millis(5));
            self.poll_for_loss();
            if let Some(lost) = self.health.lost_error() {
                return lost;
            }
        }
        if let Error::Gpu { during, reason } = &error {
            self.health.mark_lost(format!(
                "a buffer halfpixel still held was destroyed while {during} ({reason}): the \
                 device was destroyed"
            ));
        }
        self.health.lost_error().unwrap_or(error)
    }

    /// Runs `f` inside validation, out-of-memory and internal error scopes
    /// (`Device::push_error_scope`) and returns the first error the device reported meanwhile as
    /// [`Error::Gpu`] (or [`Error::DeviceLost`] when the device is lost).
    pub(crate) fn scoped<T>(&self, during: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let internal = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let result = f();
        let v = pollster::block_on(validation.pop());
        let o = pollster::block_on(oom.pop());
        let i = pollster::block_on(internal.pop());
        if let Some(e) = v.or(o).or(i) {
            return Err(self.lost_or(Error::Gpu {
                during: during.to_string(),
                reason: e.to_string(),
            }));
        }
        result.map_err(|e| match e {
            Error::Gpu { .. } => self.lost_or(e),
            other => other,
        })
    }

    /// A buffer holding `contents` (padded to 4 bytes, at least 4), like wgpu's
    /// `DeviceExt::create_buffer_init`, which panics when the device refuses the buffer (out of
    /// memory, or lost while it is created); here that is an error. wgpu reports every reason for
    /// an invalid buffer to an error scope except a lost device, so a buffer that comes back
    /// invalid with no error reported is the loss, and marks the device lost (this is how
    /// halfpixel notices the loss of a caller's device without its device-lost callback).
    pub(crate) fn buffer_init(
        &self,
        label: &str,
        contents: &[u8],
        usage: wgpu::BufferUsages,
    ) -> Result<wgpu::Buffer> {
        let size = (contents.len() as u64).div_ceil(4).max(1) * 4;
        let buffer = self.scoped(&format!("creating the buffer '{label}'"), || {
            Ok(self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: true,
            }))
        })?;
        let filled = buffer
            .get_mapped_range_mut(..)
            .map(|mut view| view.slice(..contents.len()).copy_from_slice(contents));
        if let Err(e) = filled {
            self.health.mark_lost(
                "wgpu handed out an invalid buffer without reporting an error, which only a lost device does".into(),
            );
            return Err(self.lost_or(Error::Gpu {
                during: format!("filling the buffer '{label}'"),
                reason: format!("{e:?}"),
            }));
        }
        buffer.unmap();
        Ok(buffer)
    }

    /// Waits until the queue is idle (`Device::poll(PollType::wait_indefinitely())`). A poll that
    /// fails or panics on a lost device is [`Error::DeviceLost`].
    pub(crate) fn wait(&self, during: &str) -> Result<()> {
        let polled = catch_unwind(AssertUnwindSafe(|| {
            self.device.poll(wgpu::PollType::wait_indefinitely())
        }));
        match polled {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(self.lost_or(Error::Gpu {
                during: during.to_string(),
                reason: e.to_string(),
            })),
            Err(payload) => {
                self.health.mark_lost(format!(
                    "wgpu's Device::poll panicked while {during}: {}",
                    panic_text(payload.as_ref())
                ));
                Err(self.lost_or(Error::Gpu {
                    during: during.to_string(),
                    reason: "Device::poll panicked".into(),
                }))
            }
        }
    }

    /// Maps `buffer` for reading (`Buffer::map_async`, its copy already submitted), waits for the
    /// device, hands the mapped bytes to `read`, and unmaps. Failures on a lost device are
    /// [`Error::DeviceLost`].
    pub(crate) fn read_mapped<T>(
        &self,
        buffer: &wgpu::Buffer,
        during: &str,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.scoped(during, || {
            buffer.slice(..).map_async(wgpu::MapMode::Read, move |r| {
                let _ = tx.send(r);
            });
            Ok(())
        })?;
        self.wait(during)?;
        self.map_outcome(&rx, during)?;
        let out = {
            let view = buffer.slice(..).get_mapped_range().map_err(|e| {
                self.lost_or(Error::Gpu {
                    during: during.to_string(),
                    reason: format!("{e:?}"),
                })
            })?;
            read(&view)
        };
        buffer.unmap();
        Ok(out)
    }

    /// Waits for a map callback's result. With several threads polling one device, the callback
    /// may fire on another thread just after this one's wait returns, so this waits for it
    /// (polling again now and then) rather than expecting it already there.
    fn map_outcome(
        &self,
        rx: &Receiver<std::result::Result<(), wgpu::BufferAsyncError>>,
        during: &str,
    ) -> Result<()> {
        let step = Duration::from_millis(50);
        let mut waited = Duration::ZERO;
        let failure = |reason: String| {
            self.lost_or(Error::Gpu {
                during: during.to_string(),
                reason,
            })
        };
        loop {
            match rx.recv_timeout(step) {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) => return Err(failure(e.to_string())),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(failure("wgpu dropped the map request".into()))
                }
                Err(RecvTimeoutError::Timeout) if waited >= MAP_PATIENCE => {
                    return Err(failure(format!(
                        "the map request did not complete within {}s of the device going idle",
                        MAP_PATIENCE.as_secs()
                    )))
                }
                Err(RecvTimeoutError::Timeout) => {
                    waited += step;
                    if self.is_lost() {
                        return Err(failure("the device was lost while mapping".into()));
                    }
                }
            }
        }
    }
}
