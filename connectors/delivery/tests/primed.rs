//! A session whose relay pipelines sends the next message's envelope behind
//! a content. When the next call brings another message (its worker
//! stopped), the waiting envelope must never get a content nor a QUIT
//! (which the relay would read as content): the connection is dropped and
//! the message goes on a new one. A scripted relay records what each
//! connection received.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use jalon_delivery::{Outgoing, SmtpConfig, SmtpSession};

/// The lines each connection received, in order of connection.
type Received = Arc<Mutex<Vec<Vec<String>>>>;

/// Answers like a relay offering PIPELINING: every command accepted, each
/// content taken up to its final dot. Commands that arrive together are
/// read and answered one by one, in order.
fn scripted_relay() -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let received: Received = Arc::default();
    let record = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let n = {
                let mut all = record.lock().expect("not poisoned");
                all.push(Vec::new());
                all.len() - 1
            };
            let record = record.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("a clone"));
                let _ = stream.write_all(b"220 relay ready\r\n");
                let mut in_content = false;
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|read| read > 0) {
                    let text = line.trim_end().to_owned();
                    line.clear();
                    record.lock().expect("not poisoned")[n].push(text.clone());
                    let reply: &[u8] = if in_content {
                        if text != "." {
                            continue;
                        }
                        in_content = false;
                        b"250 2.0.0 queued\r\n"
                    } else if text.starts_with("EHLO") {
                        b"250-relay\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
                    } else if text == "DATA" {
                        in_content = true;
                        b"354 go ahead\r\n"
                    } else if text == "QUIT" {
                        let _ = stream.write_all(b"221 bye\r\n");
                        return;
                    } else {
                        b"250 2.1.0 ok\r\n"
                    };
                    if stream.write_all(reply).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, received)
}

/// Waits (two seconds at most) until what the relay received satisfies
/// `done`: its readers run on threads of their own.
async fn settled(received: &Received, done: impl Fn(&[Vec<String>]) -> bool) {
    for _ in 0..100 {
        if done(&received.lock().expect("not poisoned")) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A session to a fresh scripted relay, and what the relay records.
fn session_to_relay() -> (SmtpSession, Received) {
    let (port, received) = scripted_relay();
    let config = SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}")).expect("a URL");
    (SmtpSession::new(Arc::new(config)), received)
}

fn message(key: &str, to: &str) -> Outgoing {
    Outgoing {
        key: key.to_owned(),
        from: "programme@example.org".to_owned(),
        to: vec![to.to_owned()],
        bytes: format!("Subject: {key}\r\n\r\nBonjour.\r\n").into_bytes(),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_envelope_sent_ahead_for_a_message_that_does_not_come_is_dropped_unanswered() {
    let (mut session, received) = session_to_relay();
    let first = message("k1", "a@example.org");
    let announced = message("k2", "b@example.org");
    let instead = message("k3", "c@example.org");

    session
        .deliver_then(&first, Some(&announced))
        .await
        .expect("the first message is accepted");
    // Its worker stopped: another message comes instead of `announced`.
    session
        .deliver(&instead)
        .await
        .expect("the other message is accepted");
    session.close().await;
    // The first connection's lines are recorded as its reader gets them.
    settled(&received, |all| {
        all.first()
            .is_some_and(|c| c.iter().filter(|l| *l == "DATA").count() == 2)
    })
    .await;

    let received = received.lock().expect("not poisoned").clone();
    assert_eq!(received.len(), 2, "a second connection: {received:#?}");
    let (old, new) = (&received[0], &received[1]);
    // The first connection: the first content, the announced envelope
    // right behind it, then nothing (no content, no QUIT).
    let dot = old.iter().position(|l| l == ".").expect("a content ends");
    assert!(old[..dot].iter().any(|l| l == "Subject: k1"), "{old:#?}");
    assert_eq!(
        old[dot + 1..],
        [
            "MAIL FROM:<programme@example.org>",
            "RCPT TO:<b@example.org>",
            "DATA"
        ],
        "{old:#?}"
    );
    // The second: the other message, whole, then goodbye.
    assert!(new.iter().any(|l| l == "Subject: k3"), "{new:#?}");
    assert!(
        new.iter().any(|l| l == "RCPT TO:<c@example.org>"),
        "{new:#?}"
    );
    assert!(!new.iter().any(|l| l.contains("b@example.org")), "{new:#?}");
    assert_eq!(new.last().map(String::as_str), Some("QUIT"), "{new:#?}");
}

#[tokio::test(flavor = "current_thread")]
async fn an_envelope_sent_ahead_is_answered_when_its_message_comes() {
    let (mut session, received) = session_to_relay();
    let first = message("k1", "a@example.org");
    let second = message("k2", "b@example.org");

    session
        .deliver_then(&first, Some(&second))
        .await
        .expect("the first message is accepted");
    session
        .deliver(&second)
        .await
        .expect("the second message is accepted");
    session.close().await;

    let received = received.lock().expect("not poisoned").clone();
    assert_eq!(received.len(), 1, "one connection: {received:#?}");
    let lines = &received[0];
    // One envelope each: the second's was not written again.
    let envelopes = lines.iter().filter(|l| l.starts_with("MAIL FROM:")).count();
    assert_eq!(envelopes, 2, "{lines:#?}");
    assert_eq!(lines.iter().filter(|l| *l == ".").count(), 2, "{lines:#?}");
    assert!(lines.iter().any(|l| l == "Subject: k2"), "{lines:#?}");
    assert_eq!(lines.last().map(String::as_str), Some("QUIT"), "{lines:#?}");
}
