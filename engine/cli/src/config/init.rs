//! `jalon init [DIR]`: a commented `jalon.toml` with every setting, its
//! default, its variable and its flag. Settings that have a default are
//! written as set, so the file reads as what the daemon runs with; the
//! others are commented out with an example.

use std::io::Write;
use std::path::Path;

use super::settings::{self, Setting, SETTINGS};
use super::FILE_NAME;
use crate::failure::Failure;

pub fn init(dir: &Path) -> Result<String, Failure> {
    let fail = |code: u8, message: String| match code {
        1 => Failure::Refused(message),
        _ => Failure::Usage(message),
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(2, format!("cannot create `{}`: {e}", dir.display())))?;
    let path = dir.join(FILE_NAME);
    // `create_new`: an existing file, even one created a moment ago by
    // someone else, is never overwritten.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => fail(
                1,
                format!(
                    "`{}` already exists; `jalon init` leaves it as it is (edit it, or move it away and run `jalon init` again)",
                    path.display()
                ),
            ),
            _ => fail(2, format!("cannot write `{}`: {e}", path.display())),
        })?;
    file.write_all(text().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| fail(2, format!("cannot write `{}`: {e}", path.display())))?;
    Ok(format!(
        "wrote {}: the settings of `jalon daemon`, each with its default\n\
         `jalon daemon` reads it when started in that folder, or with --config {}\n",
        path.display(),
        path.display()
    ))
}

/// The file's text.
pub fn text() -> String {
    let mut out = String::from(
        "# jalon.toml: the settings of `jalon daemon`, written by `jalon init`.\n\
         #\n\
         # `jalon daemon` reads ./jalon.toml, or the file named by --config FILE or\n\
         # JALON_CONFIG. Each setting can also come from its environment variable,\n\
         # which overrides this file, or from its flag, which overrides both.\n\
         # Relative paths are relative to the folder of this file. Without this\n\
         # file, the daemon runs on the defaults written here.\n",
    );
    for section in std::iter::once(None).chain(settings::sections().into_iter().map(Some)) {
        if let Some(section) = section {
            out.push_str(&format!("\n[{section}]\n"));
        }
        for setting in SETTINGS.iter().filter(|s| s.section == section) {
            out.push('\n');
            out.push_str(&entry(setting));
        }
    }
    out
}

fn entry(setting: &Setting) -> String {
    let mut out = String::new();
    for line in wrap(setting.doc, 76) {
        out.push_str(&format!("# {line}\n"));
    }
    let default = match setting.default {
        Some(default) => format!("default {default}"),
        None => "no default".to_owned(),
    };
    out.push_str(&format!(
        "# ({default}; environment {}, flag {})\n",
        setting.env, setting.flag
    ));
    // `folder` is the alternative to `smtp`: set, it would conflict with an
    // `smtp` uncommented later in the same file.
    let commented = setting.default.is_none() || setting.key == settings::FOLDER.key;
    if commented {
        out.push_str("# ");
    }
    out.push_str(&setting.line());
    out.push('\n');
    out
}

/// Words in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().map(|l| l.chars().count()).unwrap_or(0);
        if line > 0 && line + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(last) = lines.last_mut() {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}
