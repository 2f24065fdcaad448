//! Progress reporting for long operations, without tying the app layer to a terminal.

/// Receives progress from long-running operations; the CLI draws a bar, others ignore it.
pub trait Progress: Send + Sync {
    fn start(&self, label: &str, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// Progress that goes nowhere (tests, scripts, the web server).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _label: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}
