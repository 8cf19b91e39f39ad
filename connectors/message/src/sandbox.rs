//! The one template engine set-up, shared by `jalon check` (which compiles
//! and trial-renders every template) and by sending: the same syntax, the
//! same strictness and the same limits, so what passes the check renders
//! within bounds when a message goes out.
//!
//! Three limits hold every render: fuel (instructions executed), the size
//! of what is written, and the depth of nested blocks. They bound time and
//! output; [`crate::vet`] refuses beforehand what could make one value
//! huge in a single step (`'y' * 100000000`), which no limit can stop in
//! time.

use std::io::Write;

use minijinja::{AutoEscape, Environment, ErrorKind, Template, UndefinedBehavior};

/// Instructions one render of one part (subject, body or HTML) may execute.
/// A real email template needs a few hundred; a loop of loops needs billions.
pub const FUEL: u64 = 50_000;

/// Bytes one rendered part may hold: a long email is a few KiB.
pub const MAX_OUTPUT: usize = 512 * 1024;

/// Nesting depth of blocks (`if`, `for`, `with`) during a render.
pub const RECURSION_LIMIT: usize = 64;

/// Why a render stopped.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Limit(Limit),
    #[error("{0}")]
    Template(minijinja::Error),
}

/// Which bound a render hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Fuel,
    Output,
    Recursion,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Fuel => write!(
                f,
                "it takes more than {FUEL} steps to render (a loop too long, or loops inside loops)"
            ),
            Limit::Output => write!(f, "it renders to more than {MAX_OUTPUT} bytes"),
            Limit::Recursion => write!(
                f,
                "its blocks are nested more than {RECURSION_LIMIT} levels deep"
            ),
        }
    }
}

/// The environment every template is compiled in: unknown variables are
/// errors, trailing newlines are kept, parts named `…#html` escape HTML,
/// and renders are bounded.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|name| {
        if name.ends_with("#html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env
}

/// Renders `template` with its output capped at [`MAX_OUTPUT`]: the
/// writer refuses the byte past the cap, which stops the render.
pub fn render(template: &Template<'_, '_>, ctx: &minijinja::Value) -> Result<String, RenderError> {
    let mut out = Capped {
        bytes: Vec::new(),
        overflowed: false,
    };
    match template.render_captured_to(ctx, &mut out) {
        Ok(_) => Ok(String::from_utf8_lossy(&out.bytes).into_owned()),
        Err(_) if out.overflowed => Err(RenderError::Limit(Limit::Output)),
        Err(e) if e.kind() == ErrorKind::OutOfFuel => Err(RenderError::Limit(Limit::Fuel)),
        Err(e)
            if e.kind() == ErrorKind::InvalidOperation
                && e.detail().is_some_and(|d| d.contains("recursion limit")) =>
        {
            Err(RenderError::Limit(Limit::Recursion))
        }
        Err(e) => Err(RenderError::Template(e)),
    }
}

struct Capped {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT {
            self.overflowed = true;
            return Err(std::io::Error::other("output limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(source: &str) -> Result<String, RenderError> {
        let env = environment();
        let template = env.template_from_str(source).expect("compiles");
        render(&template, &minijinja::context! { stage => "x" })
    }

    #[test]
    fn loops_of_loops_run_out_of_fuel_quickly() {
        let started = std::time::Instant::now();
        let bomb =
            "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}";
        assert!(matches!(run(bomb), Err(RenderError::Limit(Limit::Fuel))));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn output_is_capped() {
        let chunk = "y".repeat(4096);
        let big = format!("{{% for a in range(1000) %}}{chunk}{{% endfor %}}");
        assert!(matches!(run(&big), Err(RenderError::Limit(Limit::Output))));
        assert_eq!(run("a {{ stage }}").expect("renders"), "a x");
    }

    #[test]
    fn deep_nesting_hits_the_recursion_limit() {
        // Each loop is a frame; `if` is a jump and costs none.
        let deep = format!(
            "{}x{}",
            "{% for a in range(1) %}".repeat(100),
            "{% endfor %}".repeat(100)
        );
        assert!(
            matches!(run(&deep), Err(RenderError::Limit(Limit::Recursion))),
            "{:?}",
            run(&deep)
        );
    }
}
