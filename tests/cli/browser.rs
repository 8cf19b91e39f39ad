//! A real browser for the daemon's web pages: Debian's headless Chromium,
//! driven through its chromedriver (WebDriver) by `fantoccini`, with
//! axe-core injected to find accessibility faults. `tests/browser/provision.sh`
//! installs them once per machine; `Browser::start` runs a chromedriver of
//! its own on a free loopback port, stopped with the `Browser`.
//!
//! The tests are synchronous: the `Browser` owns a small runtime and blocks
//! on each WebDriver command. For clicks and forms, `client()` gives the
//! `fantoccini::Client` and `block_on` runs what it returns.

use std::fmt;
use std::future::Future;
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use crate::root;
use crate::servers::free_port;
use crate::support::PATIENCE;

/// The folder `axe.min.js` is in, Chromium being installed on first use.
pub fn installed() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = root().join("target/test-browser");
        let output = Command::new("bash")
            .arg(root().join("tests/browser/provision.sh"))
            .arg(&folder)
            .output()
            .expect("bash runs the provisioning script");
        assert!(
            output.status.success(),
            "installing Chromium and axe-core for the browser tests failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        folder
    })
}

/// Where screenshots are saved, to be looked at by a person.
pub fn screenshots() -> PathBuf {
    root().join("target/screenshots")
}

/// The height of the viewport but while a screenshot is taken: a phone's
/// for narrow widths, a laptop's otherwise.
fn height_for(width: u32) -> u32 {
    if width < 600 {
        915
    } else {
        800
    }
}

/// Headless Chromium under a chromedriver of its own.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
}

impl Browser {
    /// Chromium at 1280 px wide, once chromedriver answers.
    pub fn start() -> Browser {
        installed();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the WebDriver client");
        // Another process may take the free port before chromedriver does:
        // a few tries on fresh ports.
        let mut tries = 0;
        let (driver, port) = loop {
            tries += 1;
            let port = free_port();
            let mut driver = Command::new("chromedriver")
                .arg(format!("--port={port}"))
                // Chromium in French, as the programmes' people have it:
                // date fields read and take day, month, year. (On Linux
                // it takes its language from the environment, not --lang.)
                .env("LANGUAGE", "fr_FR:fr")
                .env("LANG", "fr_FR.UTF-8")
                // A group of its own, with the Chromium it starts: all of
                // it can be stopped at once if the session does not close.
                .process_group(0)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts");
            if listens(&mut driver, port) {
                break (driver, port);
            }
            let _ = driver.kill();
            let _ = driver.wait();
            assert!(tries < 3, "chromedriver did not listen on 127.0.0.1:{port}");
        };
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": [
                    "--headless=new",
                    // The tests run as root, where Chromium's sandbox cannot.
                    "--no-sandbox",
                    "--disable-gpu",
                    // Containers often have a tiny /dev/shm.
                    "--disable-dev-shm-usage",
                    // No scrollbar eating into the width: innerWidth is
                    // then what the page can use, and screenshots are clean.
                    "--hide-scrollbars",
                    "--window-size=1280,800",
                ],
            },
        });
        let capabilities = capabilities.as_object().cloned().expect("an object");
        let mut browser = Browser {
            runtime,
            client: None,
            driver,
        };
        let client = browser
            .runtime
            .block_on(
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(capabilities)
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .expect("chromedriver opens a Chromium session");
        browser.client = Some(client);
        browser.set_width(1280);
        browser
    }

    /// The WebDriver client, for clicks, forms and the rest.
    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("a session until dropped")
    }

    /// Runs a future of the client's to its end.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Opens `url` and waits until it is loaded.
    pub fn goto(&self, url: &str) {
        self.block_on(self.client().goto(url))
            .unwrap_or_else(|e| panic!("Chromium could not open {url}: {e}"));
    }

    /// Runs `script` (a function body: `arguments` and `return`) in the page.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.block_on(self.client().execute(script, args))
            .unwrap_or_else(|e| panic!("the script failed: {e}\n{script}"))
    }

    /// A Chrome DevTools Protocol command, through chromedriver.
    pub fn cdp(&self, command: &str, params: Value) -> Value {
        self.block_on(self.client().issue_cmd(Cdp {
            command: command.to_owned(),
            params,
        }))
        .unwrap_or_else(|e| panic!("the DevTools command {command} failed: {e}"))
    }

    /// The text the page shows, as a person reads it.
    pub fn text(&self) -> String {
        let text = self.execute("return document.body.innerText;", vec![]);
        text.as_str().expect("the page's text").to_owned()
    }

    /// The page's CSS viewport set to exactly `width` px (as on a desktop
    /// screen: `mobile` emulation could widen the layout to fit content
    /// too wide, hiding the very overflow the tests look for).
    pub fn set_width(&self, width: u32) {
        self.set_viewport(width, height_for(width));
        let inner = self.execute("return window.innerWidth;", vec![]);
        assert_eq!(inner, json!(width), "the viewport's CSS width");
    }

    fn set_viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": false,
            }),
        );
    }

    /// The whole page at `width` px wide, saved as
    /// `target/screenshots/{page_name}-{width}.png`; the viewport stays at
    /// that width. Returns the file's path.
    pub fn screenshot(&self, page_name: &str, width: u32) -> PathBuf {
        self.set_width(width);
        // As tall as the page for the capture, so that all of it is in.
        let height = self.execute(
            "return Math.ceil(document.documentElement.scrollHeight);",
            vec![],
        );
        let height = height.as_u64().expect("the page's height");
        let height = u32::try_from(height).expect("a page height in pixels");
        self.set_viewport(width, height.max(height_for(width)));
        let png = self
            .block_on(self.client().screenshot())
            .expect("Chromium takes a screenshot");
        self.set_width(width);
        let folder = screenshots();
        std::fs::create_dir_all(&folder).expect("the screenshots folder");
        let file = folder.join(format!("{page_name}-{width}.png"));
        std::fs::write(&file, png).expect("the screenshot written");
        file
    }

    /// The page's width and the viewport's, in CSS pixels:
    /// `document.documentElement.scrollWidth` and `window.innerWidth`.
    pub fn widths(&self) -> (u64, u64) {
        let sizes = self.execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        );
        match (sizes[0].as_u64(), sizes[1].as_u64()) {
            (Some(page), Some(viewport)) => (page, viewport),
            _ => panic!("the page's widths: {sizes}"),
        }
    }

    /// Asserts that the page is no wider than the viewport.
    pub fn no_horizontal_scroll(&self) {
        let (page, viewport) = self.widths();
        assert!(
            page <= viewport,
            "the page scrolls sideways: {page} px wide in a {viewport} px viewport"
        );
    }

    /// axe-core's serious and critical violations on the page as it is.
    pub fn axe(&self) -> Vec<Violation> {
        let mut violations = self.axe_all();
        violations.retain(|v| v.impact == "serious" || v.impact == "critical");
        violations
    }

    /// Every violation axe-core finds on the page, minor ones too.
    pub fn axe_all(&self) -> Vec<Violation> {
        // WebDriver's scripts are the browser's own, run whatever the page's
        // content security policy (which here allows no script at all).
        let present = self.execute("return typeof window.axe === 'object';", vec![]);
        if present != json!(true) {
            let source = std::fs::read_to_string(installed().join("axe.min.js"))
                .expect("axe.min.js, installed by provision.sh");
            self.execute(&source, vec![]);
        }
        let result = self
            .block_on(self.client().execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done({ violations: r.violations }))
                   .catch(e => done({ error: String(e) }));",
                vec![],
            ))
            .expect("axe-core runs in the page");
        if let Some(error) = result.get("error") {
            panic!("axe-core failed: {error}");
        }
        let violations = result["violations"]
            .as_array()
            .expect("axe-core's violations");
        violations.iter().map(Violation::from_axe).collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Closing the session quits Chromium; then chromedriver goes.
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), client.close()).await
            });
        }
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Whether `driver` listens on `port` within `PATIENCE` (false if it exits).
fn listens(driver: &mut Child, port: u16) -> bool {
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if driver.try_wait().is_ok_and(|status| status.is_some()) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

/// Chromium's program: the first `chromium` on PATH (Debian's is
/// /usr/bin/chromium, a script that runs the real one).
fn chromium() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
        .to_string_lossy()
        .into_owned()
}

/// chromedriver's `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    command: String,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// One rule axe-core found broken, with where.
#[derive(Debug)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub help_url: String,
    /// Each element's CSS selector (frames and shadow roots joined by ` > `),
    /// with what axe says is wrong with it.
    pub nodes: Vec<(String, String)>,
}

impl Violation {
    fn from_axe(value: &Value) -> Violation {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let nodes = value["nodes"]
            .as_array()
            .map(|nodes| {
                nodes
                    .iter()
                    .map(|node| (selector(&node["target"]), text(&node["failureSummary"])))
                    .collect()
            })
            .unwrap_or_default();
        Violation {
            id: text(&value["id"]),
            impact: text(&value["impact"]),
            help: text(&value["help"]),
            help_url: text(&value["helpUrl"]),
            nodes,
        }
    }
}

/// axe's target: selectors, nested in arrays across frames and shadow roots.
fn selector(target: &Value) -> String {
    match target {
        Value::Array(parts) => parts.iter().map(selector).collect::<Vec<_>>().join(" > "),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}): {} — {}",
            self.id, self.impact, self.help, self.help_url
        )?;
        for (target, summary) in &self.nodes {
            writeln!(f, "  at {target}")?;
            for line in summary.lines() {
                writeln!(f, "    {line}")?;
            }
        }
        Ok(())
    }
}

/// The violations, one after the other, for an assertion's message.
pub fn report(violations: &[Violation]) -> String {
    violations.iter().map(ToString::to_string).collect()
}

/// The harness itself: what it checks, it does see.
#[test]
fn the_harness_sees_a_page_too_wide_and_a_button_without_a_name() {
    let browser = Browser::start();
    browser.goto(
        "data:text/html,<!DOCTYPE html><html lang=en><title>Faults</title><main>\
         <button></button><div style='width:900px'>Too wide</div></main>",
    );
    browser.set_width(412);
    let (page, viewport) = browser.widths();
    assert_eq!(viewport, 412);
    assert!(page >= 900, "{page}");
    let violations = browser.axe();
    let said = report(&violations);
    assert!(
        violations
            .iter()
            .any(|v| v.id == "button-name" && v.impact == "critical"),
        "{said}"
    );
    assert!(said.contains("at button"), "{said}");
}
