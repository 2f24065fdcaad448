//! The `attain` binary as a user runs it: exit codes, what goes to stdout and stderr, and the
//! files it leaves behind. Each test runs the real binary in its own temporary directory.

mod backup;
mod data;
mod generate;
mod options;
mod pay;
mod quota;
mod serve;
mod spreadsheet;
mod territory;
mod usage;
mod users;
mod workspace;

use std::path::PathBuf;
use std::process::Command;

/// A temporary working directory to run `attain` in.
pub(crate) struct Sandbox {
    dir: tempfile::TempDir,
}

/// What one run of `attain` did.
#[derive(Debug)]
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().expect("temporary directory") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `path(name)` as a string argument.
    pub fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write a test file");
        path
    }

    /// Runs `attain args…` in the sandbox, with no database or log settings inherited and
    /// backtraces on, so a panic could not hide.
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Run {
        self.run_with_env(args, &[])
    }

    /// [`Sandbox::run`] with some environment variables set (the audit key ones are cleared
    /// unless given here, so the key is the one beside the database).
    pub fn run_with_env<S: AsRef<std::ffi::OsStr>>(&self, args: &[S], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_attain"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("ATTAIN_DATABASE_URL")
            .env_remove("ATTAIN_LOG")
            .env_remove("ATTAIN_AUDIT_KEY")
            .env_remove("ATTAIN_AUDIT_KEY_FILE")
            .env("RUST_BACKTRACE", "1");
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().expect("run attain");
        Run {
            code: output.status.code().expect("attain exited normally, not by a signal"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    }

    /// Runs `attain args…` and requires success.
    pub fn ok<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code,
            0,
            "attain {:?} failed:\n{}",
            args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
            run.stderr
        );
        run
    }

    /// Runs `attain args…` and requires exit code `code`.
    pub fn fails<S: AsRef<std::ffi::OsStr>>(&self, code: i32, args: &[S]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code,
            code,
            "attain {:?}: expected exit code {code}\nstdout: {}\nstderr: {}",
            args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
            run.stdout,
            run.stderr
        );
        assert_no_panic(&run);
        run
    }
}

/// A failure is a message, never a crash.
pub(crate) fn assert_no_panic(run: &Run) {
    for marker in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(!run.stderr.contains(marker), "stderr shows a panic:\n{}", run.stderr);
    }
}

/// `attain summary` parsed: kind → count, in the order printed.
pub(crate) fn summary(sandbox: &Sandbox, db: &str) -> Vec<(String, u64)> {
    let run = sandbox.ok(&["summary", "--db", db]);
    run.stdout
        .lines()
        .map(|line| {
            let mut parts = line.split_whitespace();
            let kind = parts.next().expect("a kind").to_string();
            let count =
                parts.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("a count in {line:?}"));
            assert_eq!(parts.next(), None, "{line:?}");
            (kind, count)
        })
        .collect()
}

/// The count `summary` shows for one kind.
pub(crate) fn count(summary: &[(String, u64)], kind: &str) -> u64 {
    summary.iter().find(|(k, _)| k == kind).unwrap_or_else(|| panic!("no {kind} in {summary:?}")).1
}

pub(crate) const PEOPLE: &str = "\
id,name,hire_date
ann-archer,Ann Archer,2016-01-04
bob-baker,Bob Baker,2016-03-01
";
