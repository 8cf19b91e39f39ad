//! `jalon init` and `jalon.toml`, as an operator uses them: the file written,
//! then read by `jalon daemon`, under the environment and the flags.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::daemon::{workplace, Daemon, QUICKLY};
use crate::support::{eventually, Jalon, Run};

/// `jalon daemon ARGS…` in `dir` with these variables, expected to exit
/// at once (killed after a while if it starts instead).
pub(crate) fn daemon_refused(dir: &Path, args: &[&str], variables: &[(&str, &str)]) -> Run {
    let mut started = Jalon::new()
        .arg("daemon")
        .args(args)
        .current_dir(dir)
        .envs(variables)
        .spawn();
    let since = Instant::now();
    while started.child().try_wait().expect("its status").is_none() {
        if since.elapsed() > Duration::from_secs(20) {
            let _ = started.child().kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    started.wait()
}

#[test]
fn jalon_init_writes_a_file_the_daemon_starts_with_and_never_overwrites() {
    let dir = workplace();
    let written = Jalon::new().current_dir(dir.path()).args(&["init"]).run();
    written.succeeds();
    assert!(
        written.stdout().contains("jalon.toml"),
        "{}",
        written.stdout()
    );
    let file = dir.path().join("jalon.toml");
    let text = std::fs::read_to_string(&file).expect("jalon.toml");
    for documented in ["JALON_SMTP", "--operator", "[delivery]", "default 4"] {
        assert!(text.contains(documented), "{documented} in\n{text}");
    }

    // A second run leaves the file alone and says so.
    std::fs::write(&file, format!("{text}\n# mine\n")).expect("an edit");
    let again = Jalon::new().current_dir(dir.path()).args(&["init"]).run();
    again.expect_code(1);
    assert!(
        again.stderr().contains("already exists"),
        "{}",
        again.stderr()
    );
    assert!(std::fs::read_to_string(&file)
        .expect("jalon.toml")
        .ends_with("# mine\n"));

    // Another folder, created for it.
    let elsewhere = Jalon::new()
        .current_dir(dir.path())
        .args(&["init", "conf/prod"])
        .run();
    elsewhere.succeeds();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("conf/prod/jalon.toml")).expect("written"),
        text
    );

    // The daemon reads it from the current folder (the port from the flag,
    // since tests run side by side).
    let daemon = Daemon::start(dir.path(), &[]);
    eventually("/healthz", || daemon.healthy());
    // The log is read by a thread of its own, which may lag on a busy machine.
    eventually("the settings logged", || {
        daemon.log().contains("settings=jalon.toml")
    });
    let log = daemon.log();
    assert!(log.contains("via=folder outbox"), "{log}");
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}

#[test]
fn a_bad_settings_file_exits_2_with_each_place_and_nothing_starts() {
    let dir = workplace();
    std::fs::write(
        dir.path().join("jalon.toml"),
        "definitions = \"definitions\"\n\
         [delivery]\n\
         conections = 4\n\
         smtp = \"smtq://ana:hunter2@relay.example.org\"\n\
         [http]\n\
         listen = 8080\n",
    )
    .expect("jalon.toml");
    let output = daemon_refused(dir.path(), &[], &[]);
    output.expect_code(2);
    let text = output.stderr();
    for expected in [
        "jalon.toml:3:1",
        "unknown setting `conections`",
        "did you mean `connections`?",
        "jalon.toml:4:8",
        "the scheme is `smtq`",
        "jalon.toml:6:10",
        "expected socket address",
        "help: for example `listen = \"127.0.0.1:8080\"`",
        "3 problems",
        "nothing was started",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!text.contains("listening"), "{text}");
    assert!(!dir.path().join("jalon.db").exists(), "nothing recorded");
    assert!(!dir.path().join("jalon.secret").exists(), "nothing created");

    // A file named but missing is an error too, wherever it is named.
    let output = daemon_refused(dir.path(), &[], &[("JALON_CONFIG", "prod.toml")]);
    output.expect_code(2);
    let text = output.stderr();
    assert!(text.contains("JALON_CONFIG"), "{text}");
    assert!(text.contains("prod.toml` does not exist"), "{text}");
}

#[test]
fn the_environment_overrides_the_file_and_a_flag_the_environment() {
    let dir = workplace();
    std::fs::create_dir(dir.path().join("conf")).expect("conf");
    std::fs::write(
        dir.path().join("conf/jalon.toml"),
        "definitions = \"../definitions\"\n\
         log_format = \"json\"\n\
         [delivery]\n\
         folder = \"from-file\"\n",
    )
    .expect("jalon.toml");
    let via = |log: &str| {
        log.lines()
            .find(|l| l.contains("running 1 edition"))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("the start line in\n{log}"))
    };
    let config = ["--config", "conf/jalon.toml"];

    // The file alone: its paths from its own folder, its log format.
    let daemon = Daemon::start(dir.path(), &config);
    eventually("/healthz", || daemon.healthy());
    let log = daemon.log();
    assert!(via(&log).contains("conf/from-file"), "{log}");
    assert!(log.lines().all(|l| l.starts_with('{')), "JSON lines: {log}");
    daemon.stop("TERM", QUICKLY);

    // The environment over the file.
    let variables = [("JALON_FOLDER", "from-env"), ("JALON_LOG_FORMAT", "text")];
    let daemon = Daemon::start_with(dir.path(), &config, &variables);
    eventually("/healthz", || daemon.healthy());
    let log = daemon.log();
    assert!(via(&log).contains("via=folder from-env"), "{log}");
    assert!(!log.starts_with('{'), "text lines: {log}");
    daemon.stop("TERM", QUICKLY);

    // A flag over the environment; the file still gives the rest.
    let daemon = Daemon::start_with(
        dir.path(),
        &["--config", "conf/jalon.toml", "--folder", "from-flag"],
        &variables,
    );
    eventually("/healthz", || daemon.healthy());
    let log = daemon.log();
    assert!(via(&log).contains("via=folder from-flag"), "{log}");
    assert!(
        via(&log).contains("definitions=conf/../definitions"),
        "{log}"
    );
    daemon.stop("TERM", QUICKLY);

    // The same file by its variable; an SMTP relay from the environment
    // wins over the file's folder, and its password is never logged.
    let port = crate::servers::free_port();
    let relay = format!("smtp://jalon:s3cret-pw@127.0.0.1:{port}");
    let daemon = Daemon::start_with(
        dir.path(),
        &[],
        &[("JALON_CONFIG", "conf/jalon.toml"), ("JALON_SMTP", &relay)],
    );
    eventually("/healthz", || daemon.healthy());
    let (_, log) = daemon.stop("TERM", QUICKLY);
    // (JSON lines, as the file says.)
    assert!(log.contains("\"via\":\"smtp://***@127.0.0.1"), "{log}");
    assert!(!log.contains("s3cret"), "{log}");
}

#[test]
fn operator_commands_use_the_database_and_definitions_the_settings_file_names() {
    let dir = workplace();
    std::fs::rename(dir.path().join("definitions"), dir.path().join("defs")).unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let settings = dir.path().join("jalon.toml");
    std::fs::write(
        &settings,
        "definitions = \"defs\"\ndb = \"data/progress.db\"\n",
    )
    .unwrap();

    // No flag: the command records where the daemon reads.
    let recorded = Jalon::new()
        .current_dir(dir.path())
        .args(&[
            "complete",
            "essai",
            "feuille-de-route",
            "--participant",
            "p1",
            "--by",
            "ana",
        ])
        .run();
    assert_eq!(
        recorded.code(),
        Some(0),
        "{}{}",
        recorded.stdout(),
        recorded.stderr()
    );
    assert!(dir.path().join("data/progress.db").is_file());
    assert!(!dir.path().join("jalon.db").exists());
    let log = Jalon::new()
        .current_dir(dir.path())
        .args(&["log", "essai"])
        .run();
    assert!(log.stdout().contains("complete"), "{}", log.stdout());

    // A flag still wins over the file.
    let elsewhere = Jalon::new()
        .current_dir(dir.path())
        .args(&["log", "essai", "--db", "other.db"])
        .run();
    elsewhere.expect_code(2);
    assert!(
        elsewhere.stderr().contains("other.db"),
        "{}",
        elsewhere.stderr()
    );

    // A broken file stops the command, saying where, and changes nothing.
    std::fs::write(&settings, "db = 3\n").unwrap();
    let refused = Jalon::new()
        .current_dir(dir.path())
        .args(&["log", "essai"])
        .run();
    refused.expect_code(2);
    let report = refused.stderr();
    assert!(report.contains("jalon.toml:1:"), "{report}");
    assert!(report.contains("nothing was done"), "{report}");
}
