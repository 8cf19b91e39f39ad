//! What the runtime's in-process tests share: a fake relay and a clock
//! moved by hand.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use jalon_delivery::{Deliver, DeliveryError, Outgoing};
use jalon_runtime::Clock;
use jiff::Timestamp;

/// An outcome planned for the next message to an address.
type Planned = (String, Result<(), DeliveryError>);

/// What a fake deliverer was given, and the outcomes it is told to give
/// (success once they run out).
#[derive(Clone, Default)]
pub struct Relay {
    delivered: Arc<Mutex<Vec<Outgoing>>>,
    outcomes: Arc<Mutex<VecDeque<Planned>>>,
}

impl Relay {
    /// The next message to `address` gets `outcome`.
    pub fn answer(&self, address: &str, outcome: Result<(), DeliveryError>) {
        let mut outcomes = self.outcomes.lock().expect("not poisoned");
        outcomes.push_back((address.to_owned(), outcome));
    }

    /// Every message delivered, in the order they went.
    pub fn delivered(&self) -> Vec<Outgoing> {
        self.delivered.lock().expect("not poisoned").clone()
    }

    pub fn delivered_to(&self, address: &str) -> Vec<Outgoing> {
        let delivered = self.delivered.lock().expect("not poisoned");
        delivered
            .iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .cloned()
            .collect()
    }
}

impl Deliver for Relay {
    async fn deliver(&mut self, message: &Outgoing) -> Result<(), DeliveryError> {
        let planned = {
            let mut outcomes = self.outcomes.lock().expect("not poisoned");
            let index = outcomes
                .iter()
                .position(|(to, _)| message.to.iter().any(|t| t == to));
            index.and_then(|i| outcomes.remove(i)).map(|(_, o)| o)
        };
        let outcome = planned.unwrap_or(Ok(()));
        if outcome.is_ok() {
            let mut delivered = self.delivered.lock().expect("not poisoned");
            delivered.push(message.clone());
        }
        outcome
    }

    async fn close(&mut self) {}
}

/// A clock the story moves by hand.
#[derive(Clone)]
pub struct Hand(pub Arc<Mutex<Timestamp>>);

impl Hand {
    pub fn at(text: &str) -> Hand {
        Hand(Arc::new(Mutex::new(text.parse().expect("an instant"))))
    }

    pub fn set(&self, text: &str) {
        *self.0.lock().expect("not poisoned") = text.parse().expect("an instant");
    }
}

impl Clock for Hand {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("not poisoned")
    }
}

/// The edition `id` written as `yaml` in `definitions`, loaded and checked.
pub fn edition(
    definitions: &std::path::Path,
    id: &str,
    yaml: &str,
) -> Arc<jalon_definition::resolved::Edition> {
    std::fs::create_dir_all(definitions).expect("a folder");
    std::fs::write(definitions.join(format!("{id}.yaml")), yaml).expect("written");
    jalon_runtime::load::edition(definitions, id).expect("the edition loads")
}

/// A dispatcher of `workers` connections to `relay`, on `clock`.
pub fn dispatcher(
    relay: &Relay,
    clock: &Hand,
    workers: usize,
) -> jalon_runtime::dispatch::Dispatcher<Relay> {
    let for_workers = relay.clone();
    jalon_runtime::dispatch::Dispatcher::with_connector(
        Arc::new(clock.clone()),
        workers,
        None,
        move || for_workers.clone(),
    )
    .expect("a dispatcher")
}
