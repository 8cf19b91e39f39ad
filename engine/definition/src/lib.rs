//! Jalon edition definitions: the YAML format programme managers write, and
//! the checks that turn it into a model the engine can trust.

pub mod diagnostic;
pub mod source;
pub mod tree;
pub mod yaml;
