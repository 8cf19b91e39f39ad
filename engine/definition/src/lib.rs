//! Jalon edition definitions: the YAML format programme managers write, and
//! the checks that turn it into a model the engine can trust.
//!
//! Pipeline: [`yaml`] (text → located tree, under [`yaml::Limits`]) →
//! [`tree::merge`] (`extends`) → [`from_tree`] (the model, straight from
//! the tree; [`schema`] reports the structure of a tree that does not
//! read) → [`validate`] (meaning) → [`resolved::Edition`], under the
//! [`version`] of its content.

pub mod amount;
pub mod cache;
pub mod diagnostic;
pub mod expr;
mod files;
pub mod from_tree;
pub mod load;
pub mod model;
pub mod resolved;
pub mod schema;
pub mod series;
pub mod source;
pub mod tree;
pub mod validate;
pub mod version;
pub mod yaml;

pub use diagnostic::{Diagnostic, Severity};
pub use load::{
    check_file, check_paths, list, load_diagnostic, mentions, Listing, Report, UsageError,
};
pub use model::{Language, TEMPLATE_VARIABLES};
pub use yaml::Limits;
