//! Fuzzing the engine's parsers on stable Rust with proptest: the formula language (lexer,
//! parser, checker, evaluator), the plan loader, the crediting rules and plan test cases. Every
//! input must give a value or an error — never a panic, never a hang. docs/fuzzing.md says
//! how to run them longer; failures proptest finds are kept in `proptest-regressions/` and
//! the ones that needed a fix also as named tests.

mod formula;
mod plan;

use std::sync::mpsc;
use std::time::Duration;

use proptest::test_runner::Config;

/// Cases per target: `ATTAIN_FUZZ_CASES` for a long run, else the CI-sized `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("ATTAIN_FUZZ_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// The proptest settings of a fuzz target. Shrinking is bounded in time, because shrinking an
/// input that hangs would otherwise wait out the watchdog on every step.
pub fn config(default_cases: u32) -> Config {
    Config { cases: cases(default_cases), max_shrink_time: 60_000, ..Config::default() }
}

/// How long one case may take before it counts as a hang. Far above any real case (they take
/// milliseconds), so a slow machine never fails a good case: this only catches endless loops.
const HANG: Duration = Duration::from_secs(60);

/// Runs `body` on its own thread (with the default 2 MiB stack a server's worker has, so deep
/// recursion shows as a crash here too) and fails the case if it has not finished within
/// [`HANG`]. A panic inside is passed on, so proptest shrinks it like any failure.
pub fn guarded<T: Send + 'static>(what: &str, body: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("fuzz-case".into())
        .spawn(move || {
            let out = body();
            let _ = done.send(());
            out
        })
        .expect("spawn a fuzz case");
    match finished.recv_timeout(HANG) {
        // Finished, or panicked (the sender was dropped): join says which.
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Ok(out) => out,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("hang: no result after {HANG:?} for {what}")
        }
    }
}
