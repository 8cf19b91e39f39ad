use clap::{CommandFactory, FromArgMatches, Parser};

use super::*;

/// `jalon daemon ARGS…` as clap reads it. The environment is left alone:
/// these tests run in parallel; the layering of variables is tested on the
/// binary (tests/cli/config.rs).
#[derive(Parser)]
struct Daemon {
    #[command(flatten)]
    args: DaemonArgs,
}

fn options(args: &[&str]) -> Result<DaemonSettings, String> {
    let matches = Daemon::command()
        .try_get_matches_from(std::iter::once("daemon").chain(args.iter().copied()))
        .expect("the arguments parse");
    let parsed = Daemon::from_arg_matches(&matches).expect("the arguments parse");
    daemon_options(parsed.args, &matches)
}

fn workplace(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("definitions");
    std::fs::write(dir.path().join("jalon.toml"), toml).expect("jalon.toml");
    dir
}

#[test]
fn the_table_of_settings_is_clap_s() {
    let command = Daemon::command();
    for setting in settings::SETTINGS {
        let id = setting.flag.trim_start_matches("--").replace('-', "_");
        let arg = command
            .get_arguments()
            .find(|a| a.get_id() == id.as_str())
            .unwrap_or_else(|| panic!("no flag {}", setting.flag));
        assert_eq!(
            arg.get_env().and_then(|e| e.to_str()),
            Some(setting.env),
            "{}",
            setting.key
        );
        let default: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let written = setting.default.map(|d| d.trim_matches('"').to_owned());
        if setting.key == "folder" {
            // Its default applies only without `smtp`, so clap has none.
            assert_eq!(written.as_deref(), Some("outbox"));
        } else {
            assert_eq!(default.first().cloned(), written, "{}", setting.key);
        }
    }
    // Every flag but --config has its place in the file.
    let flags = command
        .get_arguments()
        .filter(|a| a.get_long().is_some())
        .count();
    assert_eq!(flags, settings::SETTINGS.len() + 1);
}

#[test]
fn the_file_jalon_init_writes_reads_as_the_defaults() {
    let text = init::text();
    let dir = workplace(&text);
    let path = dir.path().join("jalon.toml");
    let from_file = options(&["--config", path.to_str().expect("a UTF-8 path")])
        .unwrap_or_else(|report| panic!("{report}\n{text}"));
    // Paths are the defaults, from the file's folder.
    assert_eq!(from_file.definitions, dir.path().join("definitions"));
    assert_eq!(from_file.db, dir.path().join("jalon.db"));
    assert_eq!(from_file.delivery.folder, PathBuf::from("outbox"));
    assert_eq!(from_file.delivery.connections, 4);
    assert_eq!(from_file.delivery.smtp, None);
    assert_eq!(from_file.delivery.rate, None);
    assert_eq!(from_file.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(from_file.log_format, LogFormat::Text);
    assert_eq!(from_file.public_url, "http://127.0.0.1:8080");
    assert_eq!(from_file.secret_file, dir.path().join("jalon.secret"));
    assert_eq!(from_file.operator, None);
    assert_eq!(from_file.settings_file, Some(path));
    // Every setting is documented with its variable and flag.
    for setting in settings::SETTINGS {
        assert!(text.contains(setting.env), "{}", setting.env);
        assert!(text.contains(setting.flag), "{}", setting.flag);
        assert!(text.contains(&setting.line()), "{}", setting.line());
    }
}

#[test]
fn the_commented_examples_read_too() {
    let uncommented: String = init::text()
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            // (Not `folder`, which excludes `smtp`; not the DKIM key, whose
            // example is a file on a server, read at start.)
            Some(rest)
                if rest.contains(" = ") && !rest.contains("folder") && !rest.contains("dkim") =>
            {
                rest
            }
            _ => line,
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let dir = workplace(&uncommented);
    let path = dir.path().join("jalon.toml");
    let options = options(&["--config", path.to_str().expect("a UTF-8 path")])
        .unwrap_or_else(|report| panic!("{report}\n{uncommented}"));
    assert_eq!(
        options.operator.as_deref(),
        Some("exploitation@example.org")
    );
    assert_eq!(options.delivery.rate, Some(2.5));
    assert!(options.delivery.smtp.is_some());
}

#[test]
fn flags_win_over_the_file_and_the_file_over_defaults() {
    let dir = workplace("db = \"data/progress.db\"\n[delivery]\nconnections = 8\n");
    std::fs::create_dir(dir.path().join("data")).expect("data folder");
    let path = dir.path().join("jalon.toml");
    let path = path.to_str().expect("a UTF-8 path");
    let definitions = dir.path().join("definitions");
    let definitions = definitions.to_str().expect("a UTF-8 path");
    let options = options(&[
        "--config",
        path,
        "--connections",
        "2",
        "--definitions",
        definitions,
    ])
    .expect("settings");
    assert_eq!(options.db, dir.path().join("data/progress.db"));
    assert_eq!(options.delivery.connections, 2);
    assert_eq!(options.definitions, dir.path().join("definitions"));
}

#[test]
fn smtp_and_folder_in_one_place_conflict_and_a_higher_layer_wins() {
    let dir = workplace(
        "[delivery]\nsmtp = \"smtp://ana:hunter2@relay.example.org\"\nfolder = \"mail\"\n",
    );
    let path = dir.path().join("jalon.toml");
    let path = path.to_str().expect("a UTF-8 path");
    let definitions = dir.path().join("definitions");
    let definitions = definitions.to_str().expect("a UTF-8 path");
    let report = options(&["--config", path, "--definitions", definitions])
        .err()
        .expect("a conflict");
    assert!(report.contains("both set"), "{report}");
    assert!(!report.contains("hunter2"), "{report}");

    let dir = workplace("[delivery]\nsmtp = \"smtp://relay.example.org\"\n");
    let path = dir.path().join("jalon.toml");
    let path = path.to_str().expect("a UTF-8 path");
    let definitions = dir.path().join("definitions");
    let definitions = definitions.to_str().expect("a UTF-8 path");
    let options = options(&[
        "--config",
        path,
        "--folder",
        "dry-run",
        "--definitions",
        definitions,
    ])
    .expect("settings");
    assert_eq!(options.delivery.smtp, None);
    assert_eq!(options.delivery.folder, PathBuf::from("dry-run"));
}

#[test]
fn every_problem_is_reported_with_its_place_and_no_password() {
    let dir = workplace(
        "definitions = \"definitions\"\noperator = \"ops at example\"\n[delivery]\nsmtp = \"smtq://ana:hunter2@relay\"\nconnections = 0\n[http]\npublic_url = \"jalon.example.org\"\n",
    );
    let path = dir.path().join("jalon.toml");
    let report = options(&["--config", path.to_str().expect("a UTF-8 path")])
        .err()
        .expect("problems");
    for expected in [
        "jalon.toml:2:12",
        "not an email address",
        "jalon.toml:4:8",
        "the scheme is `smtq`",
        "jalon.toml:5:15",
        "jalon.toml:7:14",
        "4 problems",
    ] {
        assert!(report.contains(expected), "{expected} in\n{report}");
    }
    assert!(!report.contains("hunter2"), "{report}");
}

#[test]
fn a_named_file_must_exist_and_the_default_one_may_not() {
    let report = options(&["--config", "/nonexistent/jalon.toml"])
        .err()
        .expect("a missing file");
    assert!(report.contains("--config"), "{report}");
    assert!(report.contains("does not exist"), "{report}");
}
