//! Everything `tack` prints goes through here, so a reader that goes away early is handled once
//! for the whole binary.
//!
//! When the reader of a pipe exits (`tack lint … | head -1`), the next write fails with EPIPE:
//! Rust starts programs with SIGPIPE ignored, so the process is not killed, but `print!` panics on
//! that error and a plain `write` returns it to a caller that must remember to ignore it. The
//! helpers here ignore it: output stops, the command carries on and exits with its own code.
//!
//! Restoring SIGPIPE's default action at start (the classic C answer) was rejected: the kernel
//! would kill tack at the first write after the reader left, which for `tack apply --log-format
//! json | head` means in the middle of a step (resumable, but a migration should not stop because
//! its log reader did), and the exit status would be the signal's (141 in a shell), not the
//! command's documented code.

use std::io::Write;

/// Writes `text` to standard output now; a closed or failing stdout is ignored.
pub fn stdout(text: &str) {
    write(std::io::stdout().lock(), text);
}

/// Writes `text` to standard error now; a closed or failing stderr is ignored.
pub fn stderr(text: &str) {
    write(std::io::stderr().lock(), text);
}

fn write(mut to: impl Write, text: &str) {
    // Flushed at once: progress and JSON events must reach a reader as they happen.
    let _ = to.write_all(text.as_bytes()).and_then(|()| to.flush());
}

/// `print!` that never panics (see the module's documentation).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::stdout(&format!($($arg)*))
    };
}

/// `println!` that never panics.
macro_rules! outln {
    () => {
        $crate::output::stdout("\n")
    };
    ($($arg:tt)*) => {
        $crate::output::stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    () => {
        $crate::output::stderr("\n")
    };
    ($($arg:tt)*) => {
        $crate::output::stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}
